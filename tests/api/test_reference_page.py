"""The API reference page renders from the served OpenAPI document, with nothing from
elsewhere."""

import re


def test_the_reference_lists_every_operation_of_the_document(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    page = client.get("/api/docs").get_data(as_text=True)
    for path, item in spec["paths"].items():
        for method in ("get", "post", "patch"):
            if method in item:
                assert f"{method.upper()} {path}" in page, (method, path)
    assert "BookingCreate" in page and "Idempotency-Key" in page
    assert not re.search(r'(src|href)="https?://', page)  # nothing loaded from elsewhere
    assert "<script" not in page
