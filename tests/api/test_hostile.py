"""Hostile input against every operation of the API, found by walking its OpenAPI document,
so that an operation added tomorrow is attacked the day it appears: NUL in every transport
(JSON, merge-patch+json, chunked bodies, query strings), digits and letters of other
scripts, JSON 5,000 brackets deep, lone surrogates, times at the ends of the calendar.

Each request is sent as a role the operation admits, on a world where it could succeed, so
that the hostile part, not a missing token, is what is refused. No answer may be a 5xx,
and a refused request writes nothing. A body is a valid example (``EXAMPLES``) or, for an
operation without one, built from its schema in the document. A multipart body (an upload)
is attacked in the same way, field by field: the leaf of a file is its file name, sent with a
small PDF."""

import json
from datetime import datetime, timedelta
from decimal import Decimal
from io import BytesIO

import pytest
from sqlalchemy import select

from dryport.extensions import db
from dryport.models import Role, Route, Tariff
from dryport.services import address_book, booking_templates, webhooks
from dryport.services.clock import local_today, utcnow
from tests.api.test_bookings import booking_body
from tests.conftest import PASSWORD, PDF, multipart

PROBLEM = "application/problem+json"
MULTIPART = "multipart/form-data"
NUL = "\x00"
UNICODE_DIGITS = ["²", "٣", "１"]
FOREIGN_TEXT = ["ÉBCU1234567", "CSQU٣٠٥٤٣٨٣"]
FAR_TIMES = [
    "9999-12-31T23:59:59+00:00",
    "9999-12-31T23:59:59-01:00",
    "0001-01-01T00:00:00+01:00",
    "1970-01-01T00:00:00+00:00",
]
DEEP = "[" * 5000 + "]" * 5000
#: Written on purpose whatever the answer: the security log records refused attempts.
UNWATCHED_TABLES = {"audit_entries"}
#: flask-smorest's own paging parameters read text with ``int``: never a 5xx, but "٣" is 3.
PAGING = {"page", "page_size"}
CATEGORIES = ["nul", "deep", "surrogate", "far_times", "digits", "letters", "if_match"]


def _spec(app):
    return app.test_client().get("/api/v1/openapi.json").get_json()


def _operations(app):
    spec = _spec(app)
    return [
        (method.upper(), path)
        for path, item in spec["paths"].items()
        for method in ("get", "post", "patch", "put", "delete")
        if method in item
    ]


def pytest_generate_tests(metafunc):
    if "operation" in metafunc.fixturenames:
        from config import TestingConfig
        from dryport import create_app

        class Listing(TestingConfig):  # the document only: no database is opened
            SQLALCHEMY_DATABASE_URI = "sqlite://"

        operations = _operations(create_app(Listing))
        metafunc.parametrize(
            "operation", operations, ids=[f"{m} {p.removeprefix('/api/v1')}" for m, p in operations]
        )


@pytest.fixture
def world(db_session, make_user, make_departure, make_booking, make_document, api_token, client):
    shipper = make_user(Role.SHIPPER)
    people = {
        Role.SHIPPER: shipper,
        Role.CLERK: make_user(Role.CLERK, station="HB"),
        Role.OPERATOR: make_user(Role.OPERATOR),
        Role.ADMIN: make_user(Role.ADMIN),
    }
    first, second = make_departure("EAST", days=7), make_departure("EAST", days=14)
    booking = make_booking(shipper.company, departure=first, origin="HB")
    endpoint, _secret = webhooks.create_endpoint(db_session, shipper, "https://erp.example.com/h")
    document = make_document(shipper, booking)
    tariff = _future_tariff(db_session)
    template = booking_templates.create_template(
        db_session, shipper, "Weekly", reference=booking.reference
    )
    entry = address_book.add_entry(db_session, shipper, {"name": "Rhenus", "address": "Duisburg"})
    db_session.commit()
    headers = {role: api_token(user.email) for role, user in people.items()}
    for role_headers in headers.values():  # a token's first use of the hour writes its time
        assert client.get("/api/v1/stations", headers=role_headers).status_code == 200
    return {
        "people": people,
        "headers": headers,
        "path": {
            "reference": booking.reference,
            "departure_id": first.id,
            "endpoint_id": endpoint.id,
            "place_code": "DEDUI",
            "crossing_code": "AKA-DOS",
            "station_code": "ZP",
            "route_code": "XAEU",
            "document_id": document.id,
            "seq": 1,
            "number": "CSQU3054383",
            "tariff_id": tariff.id,
            "template_id": template.id,
            "entry_id": entry.id,
            "year": 2027,
        },
        "first": first,
        "second": second,
    }


def _future_tariff(db_session) -> Tariff:
    """A tariff of XAEU 40 ft from a month on: not yet in force, so changed in full."""
    tariff = Tariff(
        route=db_session.scalar(select(Route).where(Route.code == "XAEU")), size_group="40",
        currency="USD", amount=Decimal("4850.00"), valid_from=local_today() + timedelta(days=30),
    )  # fmt: skip
    db_session.add(tariff)
    return tariff


def _examples(world) -> dict:
    """A valid body for each operation that takes one."""
    now = utcnow()
    planned = (now + timedelta(days=30)).replace(microsecond=0)
    return {
        ("POST", "/api/v1/tokens"): {
            "email": world["people"][Role.SHIPPER].email,
            "password": PASSWORD,
        },
        ("POST", "/api/v1/bookings"): booking_body(world["first"].id),
        ("POST", "/api/v1/bookings/{reference}/copy"): {"departure_id": world["second"].id},
        ("POST", "/api/v1/booking-templates"): {
            "name": "Tea to Duisburg",
            "booking": {
                k: v for k, v in booking_body(world["first"].id).items() if k != "departure_id"
            },
        },  # fmt: skip
        ("PATCH", "/api/v1/booking-templates/{template_id}"): {"version": 1, "name": "Tea"},
        ("POST", "/api/v1/address-book"): {"name": "Kühne + Nagel", "address": "Hamburg"},
        ("PATCH", "/api/v1/address-book/{entry_id}"): {"version": 1, "address": "Bremen"},
        ("PATCH", "/api/v1/bookings/{reference}"): {
            "version": 1,
            "consignee": {"name": "Ningbo Port Co.", "address": "Beilun"},
            "containers": [{"size_type": "22G1", "quantity": 2}],
        },
        ("POST", "/api/v1/quotes"): {
            "departure_id": world["first"].id,
            "origin_station": "HB",
            "destination": "CNNGB",
            "containers": [{"size_type": "22G1", "quantity": 2}],
            "cargo": {"gross_weight_kg": 18500, "dangerous_goods": False},
        },
        ("POST", "/api/v1/bookings/{reference}/cancel"): {"version": 1},
        ("POST", "/api/v1/bookings/{reference}/confirm"): {
            "version": 1,
            "containers": [
                {
                    "number": "CSQU3054383",
                    "size_type": "22G1",
                    "seal": "AK1",
                    "tare_kg": 2300,
                    "vgm_kg": 14300,
                    "vgm_method": "METHOD_1",
                    "vgm_certified_by": "Wang Fang",
                },
            ],
        },  # fmt: skip
        ("PUT", "/api/v1/bookings/{reference}/load-draft"): {
            "rows": [
                {
                    "number": "CSQU3054383",
                    "seal": "AK1",
                    "tare_kg": 2300,
                    "vgm_certified_by": "Wang Fang",
                }
            ],
        },  # fmt: skip
        ("POST", "/api/v1/bookings/{reference}/reject"): {"reason": "Seal broken", "version": 1},
        ("POST", "/api/v1/bookings/{reference}/roll"): {
            "departure_id": world["second"].id,
            "version": 1,
        },
        ("POST", "/api/v1/departures"): {
            "route": "EAST",
            "service_no": "X77",
            "departs_at": planned.isoformat(),
            "cutoff_at": (planned - timedelta(days=1)).isoformat(),
            "capacity_teu": 80,
            "capacity_kg": 2_000_000,
        },
        ("PATCH", "/api/v1/departures/{departure_id}"): {
            "version": 1,
            "service_no": "X78",
            "departs_at": planned.isoformat(),
            "cutoff_at": (planned - timedelta(days=1)).isoformat(),
            "capacity_teu": 90,
        },
        ("PATCH", "/api/v1/departures/{departure_id}/legs/{seq}"): {
            "version": world["first"].version,
            "carrier": "中国铁路西安局集团有限公司 China Railway Xi'an Group",
            "service_no": "X8024",
            "planned_departure": planned.isoformat(),
            "planned_arrival": (planned + timedelta(hours=216)).isoformat(),
        },
        ("POST", "/api/v1/bookings/{reference}/customs-release"): {
            "declaration_no": "610120260000000123",
            "released_at": (now - timedelta(hours=1)).isoformat(),
        },
        ("POST", "/api/v1/departures/{departure_id}/customs-releases"): {"file": "releases.csv"},
        ("POST", "/api/v1/departures/{departure_id}/cancel"): {"version": 1},
        ("POST", "/api/v1/departures/{departure_id}/depart"): {
            "at": (now - timedelta(hours=1)).isoformat()
        },
        ("POST", "/api/v1/departures/{departure_id}/arrive"): {
            "at": (now - timedelta(minutes=5)).isoformat()
        },
        ("POST", "/api/v1/departures/{departure_id}/events"): {
            "leg_seq": 1,
            "type": "DEPA",
            "classifier": "EST",
            "at": planned.isoformat(),
            "location": "HK",
        },
        ("POST", "/api/v1/containers/{number}/events"): {
            "type": "GTIN",
            "at": (now - timedelta(hours=1)).isoformat(),
            "location": "HB",
            "seal_intact": True,
            "note": "Seal AK1 checked",
        },
        ("POST", "/api/v1/webhooks"): {"url": "https://erp.example.com/x", "description": "ERP"},
        ("POST", "/api/v1/places"): {
            "code": "CNCQI",
            "name_zh": "重庆",
            "name_en": "Chongqing",
            "kind": "RAIL_STATION",
            "railway_code": "CUW",
        },
        ("PATCH", "/api/v1/places/{place_code}"): {"version": 1, "name_en": "Duisburg (DE)"},
        ("POST", "/api/v1/border-crossings"): {
            "code": "BQT-MAA",
            "exit_place": "BYBQT",
            "entry_place": "CNAKL",
            "gauge_change": True,
        },
        ("PATCH", "/api/v1/border-crossings/{crossing_code}"): {
            "version": 1,
            "gauge_change": False,
        },
        ("POST", "/api/v1/stations"): {
            "code": "HS",
            "name_zh": "汉滨新区",
            "name_en": "Hanbin New Area",
            "feeder_hours": 2,
        },
        ("PATCH", "/api/v1/stations/{station_code}"): {"version": 1, "feeder_hours": 5},
        ("POST", "/api/v1/routes"): {
            "code": "WLSC",
            "name_zh": "西部陆海新通道",
            "name_en": "Western Land-Sea Corridor",
            "document_type": "RAIL_WAYBILL",
            "destinations": ["CNQZH"],
            "refused_dg_classes": ["7"],
            "legs": [
                {
                    "mode": "RAIL",
                    "origin_zh": "安康",
                    "origin_en": "Ankang",
                    "origin_locode": "CNAKA",
                    "destination_zh": "钦州港",
                    "destination_en": "Qinzhou port",
                    "destination_locode": "CNQZH",
                    "carriers": [
                        {
                            "name_zh": "中国铁路西安局集团有限公司",
                            "name_en": "China Railway Xi'an Group",
                            "payer_code": "7001",
                        }
                    ],
                }
            ],
        },
        ("PATCH", "/api/v1/routes/{route_code}"): {
            "version": 1,
            "name_en": "Ankang–Xi'an–Europe",
            "destinations": ["DEDUI", "DEHAM"],
            "border_crossings": ["AKA-DOS"],
            "refused_dg_classes": ["1.1", "7"],
        },
        ("POST", "/api/v1/bookings/{reference}/documents"): {
            "kind": "INVOICE",
            "file": "invoice.pdf",
        },
        ("POST", "/api/v1/departures/{departure_id}/railway-list"): {"file": "装车清单.csv"},
        ("POST", "/api/v1/tariffs"): {
            "route": "EAST",
            "leg_seq": None,
            "size_group": "20",
            "currency": "CNY",
            "amount": "4800.00",
            "dg_surcharge": "1500.00",
            "note": "Spring list",
            "valid_from": (local_today() + timedelta(days=10)).isoformat(),
            "valid_to": None,
        },  # fmt: skip
        ("PATCH", "/api/v1/tariffs/{tariff_id}"): {
            "version": 1,
            "amount": "4900.00",
            "valid_to": (local_today() + timedelta(days=90)).isoformat(),
        },  # fmt: skip
        ("POST", "/api/v1/departures/series"): {
            "route": "EAST",
            "service_no": "X9021",
            "weekday": 2,
            "time": "10:00",
            "cutoff_hours": 24,
            "capacity_teu": 60,
            "capacity_kg": 1_500_000,
            "from": (local_today() + timedelta(days=7)).isoformat(),
            "to": (local_today() + timedelta(days=90)).isoformat(),
        },
        ("PUT", "/api/v1/targets/{year}"): {
            "target_teu": 3000,
            "stations": [
                {"station": "HK", "target_teu": 1200},
                {"station": "HB", "target_teu": 900},
            ],
        },  # fmt: skip
    }


def _from_schema(schema, spec):
    """A plausible value for a schema of the document, for an operation without example."""
    if "$ref" in schema:
        return _from_schema(spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]], spec)
    kind = schema.get("type")
    if "enum" in schema:
        return schema["enum"][0]
    if kind == "object" or "properties" in schema:
        return {k: _from_schema(v, spec) for k, v in schema.get("properties", {}).items()}
    if kind == "array":
        return [_from_schema(schema.get("items", {}), spec)]
    if kind == "integer":
        return max(1, schema.get("minimum", 1))
    if kind == "number":
        return 1.5
    if kind == "boolean":
        return False
    if schema.get("format") == "date-time":
        return utcnow().isoformat()
    return "text"


# ---- the request and its checks -----------------------------------------------------------


class Attack:
    def __init__(self, app, client, world, operation):
        self.client = client
        self.method, self.path = operation
        self.spec = _spec(app)
        item = self.spec["paths"][self.path][self.method.lower()]
        self.query = [p for p in item.get("parameters", []) if p["in"] == "query"]
        self.query += [
            p for p in self.spec["paths"][self.path].get("parameters", []) if p.get("in") == "query"
        ]
        self.takes_if_match = any(
            p["in"] == "header" and p["name"] == "If-Match" for p in item.get("parameters", [])
        )
        url = self.path
        for name, value in world["path"].items():
            url = url.replace("{" + name + "}", str(value))
        self.url = url
        view = app.view_functions[app.url_map.bind("dryport.test").match(url, self.method)[0]]
        roles = getattr(view, "roles", None)
        role = (roles or (Role.SHIPPER,))[0] if roles is not None else None
        self.headers = dict(world["headers"][role]) if role else {}
        self.headers["Accept-Language"] = "en"
        content = item.get("requestBody", {}).get("content", {})
        body_schema = content.get("application/json") or content.get(MULTIPART)
        # A multipart body's fields: those of a binary format are files (the value their name).
        self.files = set()
        if MULTIPART in content:
            properties = content[MULTIPART]["schema"].get("properties", {})
            self.files = {k for k, v in properties.items() if v.get("format") == "binary"}
        self.multipart = MULTIPART in content
        example = _examples(world).get(operation)
        if example is None and body_schema:
            example = _from_schema(body_schema["schema"], self.spec)
        self.body = example
        self.sent = 0

    def snapshot(self):
        db.session.rollback()
        tables = {}
        for table in db.metadata.sorted_tables:
            if table.name not in UNWATCHED_TABLES:
                rows = db.session.execute(select(table)).all()
                tables[table.name] = sorted(map(repr, rows))
        db.session.rollback()
        return tables

    def send(self, *, body=None, raw=None, content_type=None, query="",
             chunked=False, headers=None):  # fmt: skip
        """Send ``body`` as the operation takes it (JSON, or multipart for an upload) unless
        ``content_type`` names another; ``raw`` is JSON text."""
        payload = None
        if raw is not None:
            payload = raw.encode("utf-8", "surrogatepass")
        elif body is not None and self.multipart and content_type is None:
            fields = {k: v for k, v in body.items() if k not in self.files}
            files = {k: (v, PDF) for k, v in body.items() if k in self.files}
            payload, content_type = multipart(fields, files)
        elif body is not None:
            payload = json.dumps(body).encode("utf-8", "surrogatepass")
        url = self.url + (f"?{query}" if query else "")
        options = {"headers": {**self.headers, **(headers or {})}}
        if payload is not None:
            options["headers"]["Content-Type"] = content_type or "application/json"
            if chunked:
                options["input_stream"] = BytesIO(payload)
                options["headers"]["Transfer-Encoding"] = "chunked"
                options["environ_overrides"] = {"wsgi.input_terminated": True}
            else:
                options["data"] = payload
        self.sent += 1
        return self.client.open(url, method=self.method, **options)

    def refused(self, what, expected=(400, 404, 422), field=None, **request):
        """Send; the answer must be one of ``expected`` (or a 401/403/404/409 that the
        operation gives anyway), a problem, and nothing may have changed."""
        before = self.snapshot()
        response = self.send(**request)
        status = response.status_code
        label = (
            f"{self.method} {self.path} {what}: {status} {response.get_data(as_text=True)[:300]}"
        )
        assert status < 500, label
        assert status in expected, label
        assert response.mimetype == PROBLEM, label
        if field is not None and status == 422:
            assert any(key == field or key.startswith(field + ".") for key in
                       response.get_json().get("errors", {})), label  # fmt: skip
        assert self.snapshot() == before, f"written: {label}"
        return response

    def survives(self, what, **request):
        """Send; no 5xx, and if refused, nothing written."""
        before = self.snapshot()
        response = self.send(**request)
        label = f"{self.method} {self.path} {what}: {response.status_code}"
        assert response.status_code < 500, label
        if response.status_code >= 400:
            assert self.snapshot() == before, f"written: {label}"
        return response


def _leaves(value, path=()):
    """(path, value) of every string and integer in a JSON value."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _leaves(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _leaves(item, (*path, index))
    elif isinstance(value, str | int) and not isinstance(value, bool):
        yield path, value


def _replace(value, path, new):
    if not path:
        return new
    copy = dict(value) if isinstance(value, dict) else list(value)
    copy[path[0]] = _replace(value[path[0]], path[1:], new)
    return copy


def _is_time(value) -> bool:
    if not isinstance(value, str) or "T" not in value:
        return False
    try:
        datetime.fromisoformat(value)
    except ValueError:
        return False
    return True


def _field(path) -> str:
    return ".".join(map(str, path))


# ---- the suite ------------------------------------------------------------------------------


def test_hostile_input_is_refused_and_writes_nothing(app, client, world, operation):
    attack = Attack(app, client, world, operation)
    sent = {}
    for category in CATEGORIES:  # those that may succeed (valid text, headers) come last
        before = attack.sent
        globals()[f"_attack_{category}"](attack)
        sent[category] = attack.sent - before
    assert sent["nul"] and sent["deep"] and sent["surrogate"], sent
    documented = attack.spec["paths"][attack.path][attack.method.lower()]
    if "requestBody" in documented:  # attacked with a body, not only around it
        assert attack.body is not None, operation


def _attack_nul(attack: Attack):
    for param in [*attack.query, {"name": "q"}]:
        for query in (f"{param['name']}=a%00b", f"{param['name']}=1&{param['name']}=a%00b"):
            attack.refused(f"query {query}", expected=(422,), query=query)
    if attack.body is None:
        return
    strings = [(path, v) for path, v in _leaves(attack.body) if isinstance(v, str)]
    for path, value in strings:
        body = _replace(attack.body, path, value + NUL)
        attack.refused(f"NUL in {_field(path)}", expected=(422,), body=body)
    for path, value in strings[:1] + strings[-1:]:
        body = _replace(attack.body, path, value[:1] + NUL + value[1:])
        for content_type in ("application/merge-patch+json", "application/json"):
            attack.refused(f"NUL in {_field(path)} as {content_type}", expected=(422,),
                           body=body, content_type=content_type)  # fmt: skip
            attack.refused(f"NUL in {_field(path)}, chunked {content_type}", expected=(422,),
                           body=body, content_type=content_type, chunked=True)  # fmt: skip
        if attack.multipart:
            attack.refused(f"NUL in {_field(path)}, chunked multipart", expected=(422,),
                           body=body, chunked=True)  # fmt: skip


def _attack_digits(attack: Attack):
    for param in attack.query:
        if param.get("schema", {}).get("type") == "integer":
            for digit in UNICODE_DIGITS:
                if param["name"] in PAGING:
                    attack.survives(f"{param['name']}={digit}", query=f"{param['name']}={digit}")
                else:
                    attack.refused(f"{param['name']}={digit}", field=param["name"],
                                   query=f"{param['name']}={digit}")  # fmt: skip
    if attack.takes_if_match:  # every operation whose document names the header
        for digit in UNICODE_DIGITS:
            attack.refused(f"If-Match {digit}", expected=(422,), field="If-Match",
                           body=attack.body, headers={"If-Match": f'W/"{digit}"'})  # fmt: skip
    if attack.body is None:
        return
    for path, value in _leaves(attack.body):
        if isinstance(value, int):
            for digit in UNICODE_DIGITS:
                attack.refused(f"{digit} in {_field(path)}", field=_field(path),
                               body=_replace(attack.body, path, digit))  # fmt: skip
                attack.refused(f"1{digit} in {_field(path)}", field=_field(path),
                               body=_replace(attack.body, path, f"1{digit}"))  # fmt: skip


def _attack_letters(attack: Attack):
    for param in attack.query:
        for text_ in FOREIGN_TEXT:
            attack.survives(f"{param['name']}={text_}", query=f"{param['name']}={text_}")
    if attack.body is None:
        return
    for path, value in _leaves(attack.body):
        if isinstance(value, str) and not _is_time(value):
            for text_ in FOREIGN_TEXT:
                body = _replace(attack.body, path, text_)
                response = attack.survives(f"{text_} in {_field(path)}", body=body)
                if path[-1] == "number":  # a container number: refused beside its row
                    assert response.status_code == 422
                    assert _field(path) in response.get_json()["errors"]


def _attack_if_match(attack: Attack):
    """A valid request with an If-Match in other digits: read by no operation as a version."""
    for digit in UNICODE_DIGITS:
        attack.survives(f"If-Match {digit}", body=attack.body,
                        headers={"If-Match": f'W/"{digit}"'})  # fmt: skip


def _attack_deep(attack: Attack):
    attack.refused("5,000 brackets", expected=(400,), raw=DEEP)
    attack.refused("5,000 brackets, merge-patch", expected=(400,), raw=DEEP,
                   content_type="application/merge-patch+json")  # fmt: skip
    attack.refused("5,000 brackets, chunked", expected=(400,), raw=DEEP, chunked=True)
    if attack.body is not None:
        for path, _value in list(_leaves(attack.body))[:3]:
            body = _replace(attack.body, path, "@DEEP@")
            raw = json.dumps(body).replace('"@DEEP@"', DEEP)
            attack.refused(f"5,000 brackets in {_field(path)}", expected=(400,), raw=raw)


def _attack_surrogate(attack: Attack):
    attack.refused("lone surrogate", expected=(400,), raw='{"x": "\\ud800"}')
    attack.refused("lone surrogate key", expected=(400,), raw='{"\\udfff": 1}')
    if attack.body is None:
        return
    for path, value in _leaves(attack.body):
        if isinstance(value, str):
            body = _replace(attack.body, path, value + "\ud800")
            if attack.multipart:  # not JSON: its bytes are no UTF-8, read as U+FFFD or refused
                attack.survives(f"lone surrogate in {_field(path)}, multipart", body=body)
            attack.refused(f"lone surrogate in {_field(path)}", expected=(400,), body=body,
                           content_type="application/json")  # fmt: skip
            attack.refused(f"lone surrogate in {_field(path)}, merge-patch", expected=(400,),
                           body=body, content_type="application/merge-patch+json")  # fmt: skip


def _attack_far_times(attack: Attack):
    for param in attack.query:
        if param["name"] in ("from", "to", "month"):
            for moment in FAR_TIMES:
                query = f"{param['name']}={moment.replace('+', '%2B')}"
                attack.refused(f"{param['name']} {moment}", field=param["name"], query=query)
    if attack.body is None:
        return
    for path, value in _leaves(attack.body):
        if _is_time(value):
            for moment in FAR_TIMES:
                attack.refused(f"{moment} in {_field(path)}", field=_field(path),
                               body=_replace(attack.body, path, moment))  # fmt: skip


def test_every_operation_with_a_body_has_an_example_or_a_schema(app, world):
    spec = _spec(app)
    examples = _examples(world)
    for method, path in _operations(app):
        item = spec["paths"][path][method.lower()]
        if "requestBody" in item:
            content = item["requestBody"]["content"]
            body = content.get("application/json") or content.get(MULTIPART) or {}
            assert (method, path) in examples or "schema" in body, (method, path)
    assert set(examples) <= set(_operations(app)), set(examples) - set(_operations(app))


def test_the_snapshot_sees_a_write(app, client, world):
    """The control: the check that nothing was written would catch a write."""
    attack = Attack(app, client, world, ("POST", "/api/v1/bookings"))
    before = attack.snapshot()
    assert attack.send(body=attack.body).status_code == 201
    assert attack.snapshot() != before
