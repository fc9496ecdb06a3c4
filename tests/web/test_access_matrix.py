"""Every GET route of the app × every role, from the URL map: a new route without an entry
here fails, so nobody adds a page or an endpoint without saying who may open it.

Roles: anonymous, the owning shipper (A), another shipper (B), the clerk of the booking's
station (X), a clerk of another station (Y), an operator, an administrator."""

from decimal import Decimal

import pytest

from dryport.models import Role, Tariff, VgmMethod
from dryport.services import (
    accounts,
    address_book,
    booking_templates,
    load_drafts,
    loading,
    waybills,
    webhooks,
)
from dryport.services.clock import local_today
from dryport.services.containers import make_number
from tests.conftest import Auth

ROLES = ("anon", "shipper_a", "shipper_b", "clerk_x", "clerk_y", "operator", "admin")


def every(status):
    return dict.fromkeys(ROLES, status)


def signed_in(status, anon=302):
    return {**every(status), "anon": anon}


def only(roles, ok=200, other=403, anon=302):
    return {role: ok if role in roles else other for role in ROLES} | {"anon": anon}


STAFF = ("operator", "admin")
SCOPED = {"anon": 302, "shipper_a": 200, "shipper_b": 404, "clerk_x": 200, "clerk_y": 404,
          "operator": 200, "admin": 200}  # fmt: skip
API_SCOPED = {**SCOPED, "anon": 401}

EXPECTED = {
    "main.index": every(302),
    "main.departures_board": signed_in(200),
    "main.availability": signed_in(200),
    "auth.login": {**every(302), "anon": 200},
    "auth.register": {**every(302), "anon": 200},
    "auth.forgot_password": {**every(302), "anon": 200},
    "auth.reset_password": every(404),  # an unknown link; a real one is 200 (its own tests)
    "account.notifications": signed_in(200),
    "bookings.list_bookings": signed_in(200),
    "bookings.booking_detail": SCOPED,
    "bookings.amend_booking": only(("shipper_a",)) | {"shipper_b": 404},
    "bookings.waybill_pdf": {**SCOPED, "clerk_x": 403, "clerk_y": 403},
    "bookings.new_booking": only(("shipper_a", "shipper_b")),
    "bookings.cancel_booking": only(("shipper_a",)) | {"shipper_b": 404},
    "bookings.booking_customs": only(("shipper_a", "operator")) | {"shipper_b": 404},
    "bookings.export_bookings": signed_in(200),
    "documents.download_document": SCOPED,
    "documents.remove_document": only(("shipper_a", *STAFF)) | {"shipper_b": 404},
    "station.queue": only(("clerk_x", "clerk_y")),
    "station.check_load": only(("clerk_x",)) | {"clerk_y": 404},
    "station.reject_load": only(("clerk_x",)) | {"clerk_y": 404},
    "operations.board": only(STAFF),
    "operations.departure_detail": only(STAFF),
    "operations.edit_departure": only(STAFF),
    "operations.edit_leg": only(STAFF),
    "operations.departure_waybills": only(STAFF),
    "operations.departure_manifest": only(STAFF),
    "operations.departure_action": only(STAFF),
    "operations.new_departure": only(STAFF),
    "tracking.departure_event": only(STAFF),
    "tracking.handoff_search": only(("clerk_x", "clerk_y", *STAFF)),
    "tracking.handoff": only(("clerk_x", *STAFF)) | {"clerk_y": 404},
    "reports.dashboard": only(STAFF),
    "reports.monthly": only(STAFF),
    "reports.download": only(STAFF),
    "admin.index": only(("admin",), ok=302),
    "admin.stations": only(("admin",)),
    "admin.edit_station": only(("admin",)),
    "admin.new_station": only(("admin",)),
    "admin.place_list": only(("admin",)),
    "admin.edit_place": only(("admin",)),
    "admin.edit_crossing": only(("admin",)),
    "admin.new_route": only(("admin",)),
    "admin.routes": only(("admin",)),
    "admin.edit_route": only(("admin",)),
    "admin.remove_leg": only(("admin",)),
    "admin.users": only(("admin",)),
    "admin.edit_user": only(("admin",)),
    "admin.new_user": only(("admin",)),
    "admin.audit": only(("admin",)),
    "public.verify": every(200),
    "account.tokens": signed_in(200),
    "account.webhooks_page": only(("shipper_a", "shipper_b")),
    "account.webhook": only(("shipper_a",)) | {"shipper_b": 404},
    "account.webhook_delete": only(("shipper_a",)) | {"shipper_b": 404},
    "account.revoke": signed_in(404) | {"shipper_a": 200},
    "docs.reference": every(200),
    "health.healthz": every(200),
    "static": every(200),
    "api-docs.openapi_json": every(200),
    "api_reference.list_stations": signed_in(200, anon=401),
    "api_reference.list_routes": signed_in(200, anon=401),
    "api_reference.list_places": signed_in(200, anon=401),
    "api_reference.list_crossings": signed_in(200, anon=401),
    "api_reference.list_departures": signed_in(200, anon=401),
    "api_reference.get_departure": signed_in(200, anon=401),
    "api_bookings.list_bookings": signed_in(200, anon=401),
    "api_bookings.get_booking": API_SCOPED,
    "api_bookings.booking_events": API_SCOPED,
    "api_documents.list_documents": API_SCOPED,
    "api_documents.download_document": API_SCOPED,
    "api_waybills.booking_waybill": {**API_SCOPED, "clerk_x": 403, "clerk_y": 403},
    "api_waybills.departure_waybills": only(STAFF, anon=401),
    "api_waybills.departure_manifest_pdf": only(STAFF, anon=401),
    "api_waybills.departure_manifest_csv": only(STAFF, anon=401),
    "api_tracking.transport_events": signed_in(200, anon=401),
    "api_tracking.booking_tracking": API_SCOPED,
    "api_operations.get_load_draft": only(("clerk_x",), anon=401) | {"clerk_y": 404},
    "api_reports.monthly": only(STAFF, anon=401),
    "api_webhooks.list_webhooks": only(("shipper_a", "shipper_b"), anon=401),
    "api_webhooks.get_webhook": only(("shipper_a",), anon=401) | {"shipper_b": 404},
    "api_webhooks.list_deliveries": only(("shipper_a",), anon=401) | {"shipper_b": 404},
    # statements: of shipper A's company (the query names it), which B may not see
    "statements.statement_page": only(("shipper_a", *STAFF)) | {"shipper_b": 404},
    "statements.download": only(("shipper_a", *STAFF)) | {"shipper_b": 404},
    "api_statements.monthly_statement": only(("shipper_a", *STAFF), anon=401) | {"shipper_b": 404},
    "admin.tariff_list": only(STAFF),
    "admin.edit_tariff": only(STAFF),
    "admin.revise_tariff": only(STAFF),
    "api_tariffs.list_tariffs": signed_in(200, anon=401),
    "api_tariffs.get_tariff": signed_in(200, anon=401),
    "corridors.compare": signed_in(200),
    "api_corridors.compare_corridors": signed_in(200, anon=401),
    "schedules.new_series": only(STAFF),
    "api_reports.annual_report": only(STAFF, anon=401),
    "api_targets.get_targets": only(STAFF, anon=401),
    "admin.annual_targets": only(("admin",)),
    "reports.rail_plan_page": only(STAFF),
    "reports.rail_plan_download": only(STAFF),
    "api_plans.monthly_plan": only(STAFF, anon=401),
    "booking_templates.template_list": only(("shipper_a", "shipper_b")),
    "booking_templates.new_template": only(("shipper_a",)) | {"shipper_b": 404},
    "booking_templates.edit_template": only(("shipper_a",)) | {"shipper_b": 404},
    "booking_templates.delete_template": only(("shipper_a",)) | {"shipper_b": 404},
    "address_book.entry_list": only(("shipper_a", "shipper_b")),
    "address_book.new_entry": only(("shipper_a", "shipper_b")),
    "address_book.edit_entry": only(("shipper_a",)) | {"shipper_b": 404},
    "address_book.delete_entry": only(("shipper_a",)) | {"shipper_b": 404},
    "api_templates.list_templates": only(("shipper_a", "shipper_b"), anon=401),
    "api_templates.get_template": only(("shipper_a",), anon=401) | {"shipper_b": 404},
    "api_templates.list_entries": only(("shipper_a", "shipper_b"), anon=401),
    "api_templates.get_entry": only(("shipper_a",), anon=401) | {"shipper_b": 404},
    "booking_import.upload_page": only(("shipper_a", "shipper_b")),
    "booking_import.template_xlsx": only(("shipper_a", "shipper_b")),
    "booking_import.template_csv": only(("shipper_a", "shipper_b")),
    "api_booking_import.import_template": only(("shipper_a", "shipper_b"), anon=401),
    "api_booking_import.import_template_csv": only(("shipper_a", "shipper_b"), anon=401),
}


@pytest.fixture
def world(db_session, make_user, make_booking, make_departure, make_document):
    people = {
        "shipper_a": make_user(Role.SHIPPER),
        "shipper_b": make_user(Role.SHIPPER),
        "clerk_x": make_user(Role.CLERK, station="HB"),
        "clerk_y": make_user(Role.CLERK, station="BH"),
        "operator": make_user(Role.OPERATOR),
        "admin": make_user(Role.ADMIN),
    }
    departure = make_departure("XAEU")
    booking = make_booking(people["shipper_a"].company, departure=departure, origin="HB")
    check = make_booking(people["shipper_a"].company, departure=departure, origin="HB")
    loading.confirm_load(db_session, people["clerk_x"], booking.reference, [{
        "number": make_number("TGH", 1), "size_type": "22G1", "seal": "S1", "tare_kg": 2300,
        "vgm_kg": 14300, "vgm_method": VgmMethod.METHOD_1, "vgm_certified_by": "Wang Fang",
    }])  # fmt: skip
    load_drafts.save_draft(db_session, people["clerk_x"], check.reference, [{"seal": "S1"}])
    endpoint, _secret = webhooks.create_endpoint(
        db_session, people["shipper_a"], "https://erp.example.com/events"
    )
    _token, token = accounts.create_personal_token(db_session, people["shipper_a"], "ERP", 30)
    document = make_document(people["shipper_a"], booking)
    template = booking_templates.create_template(
        db_session, people["shipper_a"], "Weekly", reference=booking.reference
    )
    entry = address_book.add_entry(
        db_session, people["shipper_a"], {"name": "Rhenus", "address": "Duisburg"}
    )
    tariff = Tariff(route=departure.route, size_group="40", currency="USD", amount=Decimal(1),
                    valid_from=local_today())  # fmt: skip
    db_session.add(tariff)
    db_session.commit()
    waybill = waybills.latest(db_session, booking.id)
    values = {
        "reference": booking.reference, "departure_id": departure.id, "code": "HB",
        "user_id": people["clerk_x"].id, "number": waybill.number, "filename": "css/dryport.css",
        "month": "2026-03", "fmt": "csv", "endpoint_id": endpoint.id, "action": "cancel",
        "token_id": token.id, "seq": 1, "place_code": "DEDUI", "crossing_code": "AKA-DOS",
        "document_id": document.id, "tariff_id": tariff.id, "year": 2026,
        "token": "no-such-link",
        "template_id": template.id, "entry_id": entry.id,
    }  # fmt: skip
    special = {
        "station.check_load": {"reference": check.reference},
        "station.reject_load": {"reference": check.reference},
        "api_operations.get_load_draft": {"reference": check.reference},
        "admin.edit_route": {"code": "EAST"},
        "admin.remove_leg": {"code": "EAST"},
    }
    company = people["shipper_a"].company.credit_code
    query = {
        "public.verify": f"?t={waybill.token}",
        "station.reject_load": "?reason=damaged&version=1",
        "reports.monthly": "?month=2026-03",
        "api_reports.monthly": "?month=2026-03",
        "reports.rail_plan_page": "?month=2026-03",
        "api_plans.monthly_plan": "?month=2026-03",
        "statements.statement_page": f"?month=2026-03&company={company}",
        "statements.download": f"?company={company}",
        "api_statements.monthly_statement": f"?month=2026-03&company={company}",
        "corridors.compare": "?origin_station=HB&size_type=22G1&quantity=1",
        "api_corridors.compare_corridors": "?origin_station=HB&size_type=22G1&quantity=1",
    }
    return people, values, special, query


def test_every_get_route_has_an_entry(app):
    endpoints = {r.endpoint for r in app.url_map.iter_rules() if "GET" in r.methods}
    missing = endpoints - EXPECTED.keys()
    assert not missing, f"say who may open these: {sorted(missing)}"


def test_every_role_gets_what_it_may(app, client, world, api_token):
    from tests.conftest import PASSWORD

    people, values, special, query = world
    clients = {"anon": (app.test_client(), {})}
    for role, user in people.items():
        web = app.test_client()
        Auth(web).login(user.email, PASSWORD)
        clients[role] = (web, api_token(user.email))
    failures = []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods:
            continue
        args = {
            name: special.get(rule.endpoint, {}).get(name, values[name]) for name in rule.arguments
        }
        with app.test_request_context():
            from flask import url_for

            path = url_for(rule.endpoint, **args) + query.get(rule.endpoint, "")
        for role, (web, headers) in clients.items():
            response = web.get(path, headers=headers if path.startswith("/api/") else {})
            response.close()  # static files are streamed
            expected = EXPECTED[rule.endpoint][role]
            if response.status_code != expected:
                failures.append((rule.endpoint, role, response.status_code, expected))
    assert not failures, failures
