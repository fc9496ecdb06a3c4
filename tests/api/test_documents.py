"""Documents attached to a booking through the API: upload by content, size limit, names,
download headers, removal until departure, scope."""

from io import BytesIO

import pytest
from sqlalchemy import func, inspect, select

from dryport.models import (
    BookingDocument,
    BookingEvent,
    DepartureStatus,
    EventType,
    Role,
)
from dryport.services import documents
from dryport.services.documents import MAX_BYTES
from tests.conftest import JPEG, PDF, PNG, multipart

PROBLEM = "application/problem+json"


@pytest.fixture
def booking(shipper, make_booking):
    return make_booking(shipper.company)


def _url(booking, document_id=None):
    url = f"/api/v1/bookings/{booking.reference}/documents"
    return url if document_id is None else f"{url}/{document_id}"


def _upload(client, user, booking, data=PDF, name="invoice.pdf", kind="INVOICE", lang="en"):
    body, content_type = multipart({} if kind is None else {"kind": kind}, {"file": (name, data)})
    return client.post(
        _url(booking),
        data=body,
        headers={**user.headers, "Accept-Language": lang},
        content_type=content_type,
    )


def _count(db_session):
    db_session.expire_all()
    return db_session.scalar(select(func.count()).select_from(BookingDocument))


@pytest.mark.parametrize(
    ("data", "name", "media_type"),
    [(PDF, "invoice.pdf", "application/pdf"), (JPEG, "photo.jpg", "image/jpeg"),
     (PNG, "scan.png", "image/png")],
)  # fmt: skip
def test_pdf_jpeg_and_png_are_recognised_by_their_content(
    client, db_session, shipper, booking, data, name, media_type
):
    response = _upload(client, shipper, booking, data, name)
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["content_type"] == media_type  # what it is, not what was declared
    assert body["file_name"] == name and body["size_bytes"] == len(data)
    assert body["kind"] == "INVOICE" and body["uploaded_by"] == shipper.name
    assert response.headers["Location"] == _url(booking, body["id"]) == body["url"]
    download = client.get(response.headers["Location"], headers=shipper.headers)
    assert download.status_code == 200 and download.data == data
    assert download.mimetype == media_type


@pytest.mark.parametrize(
    ("data", "name"),
    [
        (b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 64, "invoice.pdf"),
        (b"MZ\x90\x00" + b"\x00" * 64, "setup.exe"),
        (b"Invoice 2026-12: 48 cartons of green tea\n", "invoice.pdf"),
        (b"<html><script>alert(1)</script></html>", "invoice.png"),
    ],
)
def test_a_renamed_executable_or_text_is_refused_on_file(
    client, db_session, shipper, booking, data, name
):
    response = _upload(client, shipper, booking, data, name, lang="zh")
    assert response.status_code == 422
    assert response.mimetype == PROBLEM
    assert "file" in response.get_json()["errors"]
    assert "PDF" in response.get_json()["errors"]["file"][0]
    assert _count(db_session) == 0


def test_kind_and_file_are_required_and_kind_is_one_of_the_list(client, shipper, booking):
    response = _upload(client, shipper, booking, kind=None)
    assert response.status_code == 422 and "kind" in response.get_json()["errors"]
    response = _upload(client, shipper, booking, kind="PASSPORT")
    assert response.status_code == 422 and "kind" in response.get_json()["errors"]
    response = client.post(
        _url(booking), data={"kind": "INVOICE"}, headers=shipper.headers,
        content_type="multipart/form-data",
    )  # fmt: skip
    assert response.status_code == 422 and "file" in response.get_json()["errors"]
    response = _upload(client, shipper, booking, data=b"")
    assert response.status_code == 422 and "file" in response.get_json()["errors"]


def test_exactly_ten_mib_is_accepted(client, db_session, shipper, booking):
    data = PDF + b"0" * (MAX_BYTES - len(PDF))
    response = _upload(client, shipper, booking, data)
    assert response.status_code == 201, response.get_data(as_text=True)[:300]
    assert response.get_json()["size_bytes"] == 10 * 1024 * 1024
    db_session.expire_all()
    assert db_session.scalar(select(BookingDocument.data)) == data


def test_ten_mib_and_one_byte_is_a_413_problem(client, db_session, shipper, booking):
    data = PDF + b"0" * (MAX_BYTES + 1 - len(PDF))
    response = _upload(client, shipper, booking, data, lang="zh")
    assert response.status_code == 413
    assert response.mimetype == PROBLEM
    body = response.get_json()
    assert body["status"] == 413 and "10 MB" in body["detail"] and "file" in body["errors"]
    assert _count(db_session) == 0


def test_a_far_larger_request_is_a_413_problem_before_it_is_read(
    client, db_session, shipper, booking
):
    data = PDF + b"0" * (3 * MAX_BYTES)
    response = _upload(client, shipper, booking, data, lang="zh")
    assert response.status_code == 413 and response.mimetype == PROBLEM
    assert response.get_json()["title"] == "请求过大"
    response = _upload(client, shipper, booking, data, lang="en")
    assert response.get_json()["title"] == "Request too large"
    assert _count(db_session) == 0


def test_other_bodies_keep_the_small_limit(client, shipper, make_departure):
    """The larger limit is the upload's own: a JSON body of 2 MB is still refused."""
    response = client.post(
        "/api/v1/bookings", data=b"{" + b" " * (2 * 1024 * 1024) + b"}",
        headers=shipper.headers, content_type="application/json",
    )  # fmt: skip
    assert response.status_code == 413 and response.mimetype == PROBLEM


@pytest.mark.parametrize(
    ("sent", "kept"),
    [
        ("../../etc/passwd.pdf", "passwd.pdf"),
        ("C:\\Users\\li\\发票 2026.pdf", "发票 2026.pdf"),
        ("invoice\u202efdp.exe", "invoicefdp.exe.pdf"),
        ("bad\x07name\t\x1b.pdf", "badname.pdf"),
        ("zero\u200bwidth\ufeff.pdf", "zerowidth.pdf"),
        ("...hidden.pdf", "hidden.pdf"),
        ("scan", "scan.pdf"),
        ("photo.png", "photo.png.pdf"),
        ("folder/", "document.pdf"),
        ("\u202e\u200b", "document.pdf"),
        ("a" * 300 + ".pdf", "a" * 116 + ".pdf"),
    ],
)
def test_file_names_are_cleaned(client, shipper, booking, sent, kept):
    response = _upload(client, shipper, booking, name=sent)
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["file_name"] == kept


def test_the_download_is_an_attachment_that_is_not_sniffed(client, shipper, booking):
    created = _upload(client, shipper, booking, name="发票 Nr.7.pdf").get_json()
    response = client.get(created["url"], headers=shipper.headers)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/pdf"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert "filename*=UTF-8''%E5%8F%91%E7%A5%A8%20Nr.7.pdf" in disposition
    assert 'filename="_Nr.7.pdf"' in disposition  # the ASCII fallback
    assert "no-store" in response.headers["Cache-Control"]


def test_the_list_shows_the_documents_oldest_first(client, shipper, booking):
    _upload(client, shipper, booking, name="one.pdf")
    _upload(client, shipper, booking, JPEG, name="two.jpg", kind="PACKING_LIST")
    response = client.get(_url(booking), headers=shipper.headers)
    assert response.status_code == 200
    assert [(d["file_name"], d["kind"]) for d in response.get_json()] == [
        ("one.pdf", "INVOICE"),
        ("two.jpg", "PACKING_LIST"),
    ]
    assert "data" not in response.get_json()[0]


def test_listing_leaves_the_files_unread(client, db_session, shipper, booking):
    assert _upload(client, shipper, booking, name="one.pdf").status_code == 201
    db_session.expire_all()
    listed = documents.list_documents(db_session, shipper, booking.reference)
    assert listed and all("data" in inspect(d).unloaded for d in listed)


def test_adding_and_removing_are_on_the_timeline(client, db_session, shipper, booking):
    created = _upload(client, shipper, booking, name="msds.pdf", kind="MSDS").get_json()
    response = client.delete(created["url"], headers=shipper.headers)
    assert response.status_code == 204 and response.data == b""
    assert _count(db_session) == 0
    events = client.get(f"/api/v1/bookings/{booking.reference}/events", headers=shipper.headers)
    found = [(e["type"], e["details"]) for e in events.get_json()]
    assert ("DOCUMENT_ADDED", {"document": "msds.pdf", "kind": "MSDS"}) in found
    assert ("DOCUMENT_REMOVED", {"document": "msds.pdf", "kind": "MSDS"}) in found


@pytest.mark.parametrize("status", [DepartureStatus.DEPARTED, DepartureStatus.ARRIVED])
def test_removal_is_refused_once_the_departure_has_left(
    client, db_session, shipper, booking, make_document, status
):
    document = make_document(shipper, booking)
    booking.departure.status = status
    db_session.commit()
    response = client.delete(_url(booking, document.id), headers=shipper.headers)
    assert response.status_code == 409 and response.mimetype == PROBLEM
    assert _count(db_session) == 1
    db_session.expire_all()
    assert not db_session.scalar(
        select(func.count()).where(BookingEvent.type == EventType.DOCUMENT_REMOVED)
    )


def test_operators_add_and_remove_clerks_only_read(
    client, make_user, api_token, shipper, booking, make_document
):
    operator = api_token(make_user(Role.OPERATOR).email)
    clerk = api_token(make_user(Role.CLERK, station="HB").email)
    made = client.post(
        _url(booking), data={"kind": "CERTIFICATE", "file": (BytesIO(PDF), "c.pdf")},
        headers=operator, content_type="multipart/form-data",
    )  # fmt: skip
    assert made.status_code == 201
    assert client.get(made.get_json()["url"], headers=clerk).status_code == 200
    assert client.get(_url(booking), headers=clerk).status_code == 200
    refused = client.post(
        _url(booking), data={"kind": "CERTIFICATE", "file": (BytesIO(PDF), "c.pdf")},
        headers=clerk, content_type="multipart/form-data",
    )  # fmt: skip
    assert refused.status_code == 403
    assert client.delete(made.get_json()["url"], headers=clerk).status_code == 403
    assert client.delete(made.get_json()["url"], headers=operator).status_code == 204


def test_another_companys_booking_and_documents_are_404_on_every_route(
    client, db_session, make_user, api_token, shipper, booking, make_booking, make_document
):
    document = make_document(shipper, booking)
    other = make_user(Role.SHIPPER)
    other.headers = api_token(other.email)
    theirs = make_booking(other.company)
    mine = make_document(other, theirs, name="mine.pdf")
    clerk_elsewhere = api_token(make_user(Role.CLERK, station="HK").email)
    for headers in (other.headers, clerk_elsewhere):
        for response in (
            _upload(client, type("U", (), {"headers": headers}), booking),
            client.get(_url(booking), headers=headers),
            client.get(_url(booking, document.id), headers=headers),
            client.delete(_url(booking, document.id), headers=headers),
        ):
            assert response.status_code in (403, 404), response.status_code
            if headers is other.headers:
                assert response.status_code == 404
    # Their own booking with another booking's document id: not found either.
    assert client.get(_url(theirs, document.id), headers=other.headers).status_code == 404
    assert client.delete(_url(theirs, document.id), headers=other.headers).status_code == 404
    assert client.get(_url(theirs, mine.id), headers=other.headers).status_code == 200
    assert _count(db_session) == 2
