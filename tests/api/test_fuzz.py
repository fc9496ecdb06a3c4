"""schemathesis against the API's own OpenAPI document: every operation, valid and invalid
requests, signed in as each role and as nobody. No answer may be a 5xx, and every answer
must be what the document says (status, content type, headers, body schema).

Generated path parameters rarely name a real booking or departure, so half the cases of an
operation with one are pointed at real objects of the role's world instead.
"""

from collections import Counter
from datetime import timedelta
from decimal import Decimal

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from sqlalchemy import select

from dryport.models import Role, Route, Tariff, VgmMethod
from dryport.services import address_book, booking_templates, loading, password_resets, webhooks
from dryport.services import bookings as booking_service
from dryport.services.clock import local_today
from dryport.services.containers import make_number

ROLES = ("anonymous", "shipper", "clerk", "operator", "admin")
REQUESTS_PER_ROLE = 2000
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


@pytest.fixture
def world(db_session, make_user, make_departure, make_booking, make_document, api_token):
    people = {
        "shipper": make_user(Role.SHIPPER),
        "clerk": make_user(Role.CLERK, station="HB"),
        "operator": make_user(Role.OPERATOR),
        "admin": make_user(Role.ADMIN),
    }
    company = people["shipper"].company
    departures = [make_departure(route, days=d) for route in ("EAST", "XAEU", "WHSEA")
                  for d in (5, 12)]  # fmt: skip
    bookings = [make_booking(company, departure=departures[i % 6]) for i in range(8)]
    for n, booking in enumerate(bookings[:3]):
        loading.confirm_load(db_session, people["clerk"], booking.reference, [{
            "number": make_number("TGH", n + 1), "size_type": "22G1", "seal": f"S{n}",
            "tare_kg": 2300, "vgm_kg": 14300, "vgm_method": VgmMethod.METHOD_1,
            "vgm_certified_by": "Wang Fang",
        }])  # fmt: skip
    booking_service.cancel_booking(db_session, people["shipper"], bookings[3].reference, None)
    hooks = [
        webhooks.create_endpoint(db_session, people["shipper"], f"https://erp.example.com/{n}")[0]
        for n in range(3)
    ]
    documents = [make_document(people["shipper"], booking) for booking in bookings[3:6]]
    templates = [
        booking_templates.create_template(
            db_session, people["shipper"], f"Weekly {n}", reference=bookings[n].reference
        )
        for n in range(2)
    ]
    entries = [
        address_book.add_entry(db_session, people["shipper"], {"name": f"Rhenus {n}",
                                                                "address": "Duisburg"})
        for n in range(2)
    ]  # fmt: skip
    tariffs = [_tariff(db_session, group, start) for group, start in (("40", -30), ("20", 30))]
    db_session.commit()
    headers = {"anonymous": {}}
    for role, user in people.items():
        headers[role] = api_token(user.email)
    resetting = make_user(Role.SHIPPER)  # not one of the people: a reset ends their tokens
    reset_tokens = [password_resets.issue_token(db_session, resetting) for _ in range(3)]
    db_session.commit()
    return {
        "headers": headers,
        "reference": [b.reference for b in bookings],
        "departure_id": [d.id for d in departures],
        "endpoint_id": [h.id for h in hooks],
        "place_code": ["DEDUI", "CNQZH", "KZ-DOS"],
        "crossing_code": ["AKA-DOS", "KHG-AKL"],
        "station_code": ["HB", "ZP"],
        "route_code": ["EAST", "XAEU"],
        "document_id": [d.id for d in documents],
        "seq": [1, 2, 3],
        "number": [make_number("TGH", n + 1) for n in range(3)],
        "tariff_id": [t.id for t in tariffs],
        "template_id": [t.id for t in templates],
        "entry_id": [e.id for e in entries],
        "year": [2026, 2027],
        "token": reset_tokens,
    }


def _tariff(db_session, group: str, start: int) -> Tariff:
    """A tariff of XAEU: in force (from a past day) or to come."""
    tariff = Tariff(
        route=db_session.scalar(select(Route).where(Route.code == "XAEU")), size_group=group,
        currency="USD", amount=Decimal("4850.00"),
        valid_from=local_today() + timedelta(days=start),
    )  # fmt: skip
    db_session.add(tariff)
    return tariff


@pytest.fixture(scope="module")
def schema(app):
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)


def _strategy(operation, world):
    modes = [
        operation.as_strategy(generation_mode=GenerationMode.POSITIVE),
        operation.as_strategy(generation_mode=GenerationMode.NEGATIVE),
    ]
    names = [p.name for p in operation.path_parameters]
    if names:
        real = st.fixed_dictionaries({name: st.sampled_from(world[name]) for name in names})
        modes.append(
            real.flatmap(
                lambda values: operation.as_strategy(
                    generation_mode=GenerationMode.POSITIVE, path_parameters=values
                )
            )
        )
    return st.one_of(modes)


@pytest.mark.parametrize("role", ROLES)
def test_no_operation_breaks_its_contract(schema, world, role, app):
    operations = [result.ok() for result in schema.get_all_operations()]
    per_operation = -(-REQUESTS_PER_ROLE // len(operations)) + 5
    sent = Counter()
    statuses = Counter()
    headers = world["headers"][role]

    for operation in operations:

        @given(case=_strategy(operation, world))
        @settings(
            max_examples=per_operation,
            deadline=None,
            database=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
        )
        def exercise(case):
            if role != "anonymous":
                case.headers = {**(case.headers or {}), **headers}
            response = case.call()
            sent[case.operation.label] += 1
            if "/password-reset" not in case.operation.path:  # open to anyone
                statuses[response.status_code // 100] += 1
            case.validate_response(response, checks=CHECKS)

        try:
            exercise()
        except Exception as error:
            raise AssertionError(f"{role}: {operation.label}") from error

    total = sum(sent.values())
    assert total >= REQUESTS_PER_ROLE, f"only {total} requests: {sent}"
    assert set(sent) == {op.label for op in operations}
    if role == "anonymous":  # nothing but a sign-in (or a reset) is open; no guess signs in
        assert statuses[2] == 0, statuses
    else:  # the world answers many requests well: the fuzzing gets past the doors
        assert statuses[2] > 100, statuses


def test_the_document_names_the_problem_answers(app, client):
    spec = client.get("/api/v1/openapi.json").get_json()
    assert "DEFAULT_ERROR" not in spec["components"]["responses"]  # every status is named
    for path, item in spec["paths"].items():
        for method in {"get", "post", "patch", "put", "delete"} & item.keys():
            operation = item[method]
            responses = operation["responses"]
            if operation.get("security"):
                assert "401" in responses, (method, path)
            if "{" in path:
                assert "404" in responses, (method, path)
            if operation.get("requestBody") or operation.get("parameters"):
                assert "422" in responses or "404" in responses, (method, path)
            for code, response in responses.items():
                assert code != "default", (method, path)
                if int(code) >= 400:
                    name = response.get("$ref", "").rsplit("/", 1)[-1]
                    content = spec["components"]["responses"][name] if name else response
                    assert list(content["content"]) == ["application/problem+json"], (
                        method, path, code)  # fmt: skip
