"""The shipment detail on the web: the booking form's destination, packages, the explicit
dangerous-goods answer (its inputs shown only on yes, working without script), customs data
on its own page after confirmation, the detail page, the list and its CSV export."""

import csv
import io

import pytest
from sqlalchemy import func, select

from dryport.models import Booking, BookingStatus, DepartureStatus, Role
from tests.conftest import cargo_form, csrf_token

BARIUM_FORM = {
    "cargo.has_dangerous_goods": "true",
    "cargo.dangerous_goods.un_number": "UN1564",
    "cargo.dangerous_goods.class": "6.1",
    "cargo.dangerous_goods.packing_group": "III",
    "cargo.dangerous_goods.proper_shipping_name": "BARIUM COMPOUND, N.O.S.",
    "cargo.dangerous_goods.emergency_contact": "+86 915 321 0000",
}
CUSTOMS_FORM = {
    "customs.declaration_no": "223320261000123456",
    "customs.invoice_value": "48250.5",
    "customs.currency": "USD",
}


@pytest.fixture
def shipper(make_user, auth):
    user = make_user(Role.SHIPPER, locale="en")
    auth.login(user.email)
    return user


def _new(client, departure, **fields):
    page = client.get("/bookings/new")
    data = {
        "departure_id": str(departure.id),
        "origin_station": "HB",
        "destination": "PLLOD",
        "consignee.name": "Łódź Terminal Sp. z o.o.",
        "consignee.address": "ul. Tuwima 1, Łódź",
        **cargo_form(),
        "containers.0.size_type": "22G1",
        "containers.0.quantity": "1",
        **fields,
    }
    return client.post("/bookings/new", data={**data, "csrf_token": csrf_token(page)})


def _count(db_session):
    return db_session.scalar(select(func.count()).select_from(Booking))


def test_the_form_asks_the_dangerous_goods_question_with_no_preselected(
    client, shipper, make_departure
):
    make_departure("XAEU")
    page = client.get("/bookings/new").get_data(as_text=True)
    assert 'name="cargo.has_dangerous_goods" value="false" data-dg-answer checked' in page
    assert 'value="true" data-dg-answer >' in page  # yes is offered, not chosen
    assert 'id="dg-fields"' in page and "hidden" not in page.split('id="dg-fields"')[1][:20]
    assert '<option value="PLLOD"' in page and "PLLOD · Łódź" in page
    assert '<option value="CT"' in page and "CT · Carton" in page


def test_a_booking_through_the_form_with_dangerous_goods_and_customs(
    client, db_session, shipper, make_departure
):
    departure = make_departure("XAEU")
    response = _new(client, departure, **BARIUM_FORM, **CUSTOMS_FORM)
    assert response.status_code == 302, response.get_data(as_text=True)
    booking = db_session.scalar(select(Booking))
    assert booking.destination == "PLLOD" and booking.has_dangerous_goods
    assert (booking.un_number, booking.dg_class, booking.dg_packing_group) == (
        "UN1564", "6.1", "III"
    )  # fmt: skip
    assert (booking.package_count, booking.package_kind) == (800, "CT")
    assert booking.customs_currency == "USD" and f"{booking.customs_invoice_value:f}" == "48250.50"
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    for shown in ("PLLOD · Łódź", "800 × CT · Carton", "packing group III",
                  "BARIUM COMPOUND, N.O.S.", "223320261000123456", "48,250.50 USD"):  # fmt: skip
        assert shown in page, shown


def test_leaving_the_answer_at_no_records_a_declared_no(
    client, db_session, shipper, make_departure
):
    assert _new(client, make_departure("XAEU")).status_code == 302
    booking = db_session.scalar(select(Booking))
    assert booking.has_dangerous_goods is False and booking.un_number is None


def test_no_with_dangerous_goods_details_is_refused_beside_the_question(
    client, db_session, shipper, make_departure
):
    fields = {**BARIUM_FORM, "cargo.has_dangerous_goods": "false"}
    response = _new(client, make_departure("XAEU"), **fields)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'id="cargo.has_dangerous_goods-error"' in page
    assert "You answered no but gave dangerous-goods details" in page
    assert _count(db_session) == 0


@pytest.mark.parametrize(
    ("fields", "name", "message"),
    [
        ({"destination": "CNNGB"}, "destination", "destinations: DEDUI, DEHAM"),
        ({"cargo.hs_code": "0902101"}, "cargo.hs_code", "6, 8 or 10 digits"),
        ({"cargo.hs_code": "090210100"}, "cargo.hs_code", "6, 8 or 10 digits"),
        ({"cargo.packages.count": "0"}, "cargo.packages.count", "From 1 to"),
        ({"cargo.net_weight_kg": "18500.1"}, "cargo.net_weight_kg", "net weight cannot"),
        ({"cargo.gross_weight_kg": "28281"}, "cargo.gross_weight_kg", "at most 28,280 kg"),
        ({**BARIUM_FORM, "cargo.dangerous_goods.un_number": "UN0000"},
         "cargo.dangerous_goods.un_number", "from 0004 to 3550"),
        ({**BARIUM_FORM, "cargo.dangerous_goods.packing_group": ""},
         "cargo.dangerous_goods.packing_group", "Class 6.1 needs a packing group"),
        ({**BARIUM_FORM, "cargo.dangerous_goods.class": "1.1",
          "cargo.dangerous_goods.packing_group": ""},
         "cargo.dangerous_goods.class", "does not carry class 1.1"),
        ({**BARIUM_FORM, "cargo.dangerous_goods.class": "7",
          "cargo.dangerous_goods.packing_group": ""},
         "cargo.dangerous_goods.class", "does not carry class 7"),
        ({"cargo.has_dangerous_goods": "true"}, "cargo.dangerous_goods.un_number",
         "Declare the dangerous goods"),
        ({**CUSTOMS_FORM, "customs.declaration_no": "12345678901234567"},
         "customs.declaration_no", "18 digits"),
        ({**CUSTOMS_FORM, "customs.currency": ""}, "customs.currency", "required"),
    ],
)  # fmt: skip
def test_each_rule_is_explained_beside_its_input_and_nothing_is_booked(
    client, db_session, shipper, make_departure, fields, name, message
):
    response = _new(client, make_departure("XAEU"), **fields)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    error = page.split(f'id="{name}-error">', 1)
    assert len(error) == 2, f"no error beside {name}"
    assert message in error[1].split("</span>", 1)[0]
    assert f'name="{name}"' in page
    assert _count(db_session) == 0


def test_the_gross_weight_at_the_limit_books(client, db_session, shipper, make_departure):
    fields = {"cargo.gross_weight_kg": "28280", "cargo.net_weight_kg": "28280"}
    assert _new(client, make_departure("XAEU"), **fields).status_code == 302


def test_the_amend_form_keeps_every_rule_and_shows_the_answer(
    client, db_session, shipper, make_booking
):
    booking = make_booking(shipper.company, un_number="UN1564", dg_class="6.1",
                           dg_packing_group="III", dg_proper_shipping_name="BARIUM",
                           dg_emergency_contact="+86")  # fmt: skip
    path = f"/bookings/{booking.reference}/amend"
    page = client.get(path)
    text = page.get_data(as_text=True)
    assert 'value="true" data-dg-answer checked' in text
    data = {
        "version": "1", "destination": "CNNGB", "consignee.name": "N", "consignee.address": "A",
        **cargo_form(**{"cargo.gross_weight_kg": "28281"}), **BARIUM_FORM,
        "containers.0.size_type": "22G1", "containers.0.quantity": "1",
    }  # fmt: skip
    response = client.post(path, data={**data, "csrf_token": csrf_token(page)})
    assert response.status_code == 422
    assert 'id="cargo.gross_weight_kg-error"' in response.get_data(as_text=True)
    data["cargo.gross_weight_kg"] = "28280"
    response = client.post(path, data={**data, "csrf_token": csrf_token(page)})
    assert response.status_code == 302
    db_session.expire_all()
    assert db_session.get(Booking, booking.id).gross_weight_kg == 28280


# ---- customs page -----------------------------------------------------------------------


def _customs(client, booking, **fields):
    path = f"/bookings/{booking.reference}/customs"
    page = client.get(path)
    data = {"version": str(booking.version), **CUSTOMS_FORM, **fields}
    return client.post(path, data={**data, "csrf_token": csrf_token(page)})


def test_customs_are_given_after_confirmation_on_their_own_page(
    client, db_session, shipper, make_booking
):
    booking = make_booking(shipper.company, status=BookingStatus.CONFIRMED)
    detail = client.get(f"/bookings/{booking.reference}").get_data(as_text=True)
    assert f"/bookings/{booking.reference}/customs" in detail and "/amend" not in detail
    assert "Not given yet" in detail
    response = _customs(client, booking)
    assert response.status_code == 302
    db_session.expire_all()
    saved = db_session.get(Booking, booking.id)
    assert saved.customs_declaration_no == "223320261000123456" and saved.version == 2


def test_an_operator_gives_customs_too(client, db_session, auth, make_user, make_booking):
    booking = make_booking(make_user(Role.SHIPPER).company, status=BookingStatus.CONFIRMED)
    auth.login(make_user(Role.OPERATOR).email)
    assert _customs(client, booking).status_code == 302


def test_bad_customs_data_is_shown_beside_its_input(client, db_session, shipper, make_booking):
    booking = make_booking(shipper.company, status=BookingStatus.CONFIRMED)
    response = _customs(client, booking, **{"customs.invoice_value": "-1"})
    assert response.status_code == 422
    assert 'id="customs.invoice_value-error"' in response.get_data(as_text=True)


def test_a_stale_customs_form_is_409(client, db_session, shipper, make_booking):
    booking = make_booking(shipper.company)
    assert _customs(client, booking).status_code == 302
    again = _customs(client, booking, version="1", **{"customs.currency": "EUR"})
    assert again.status_code == 409


def test_customs_close_when_the_departure_has_left(
    client, db_session, shipper, make_booking, make_departure
):
    departure = make_departure(status=DepartureStatus.DEPARTED)
    booking = make_booking(shipper.company, departure=departure, status=BookingStatus.DEPARTED)
    page = client.get(f"/bookings/{booking.reference}/customs").get_data(as_text=True)
    assert 'name="customs.declaration_no"' not in page
    assert _customs(client, booking).status_code == 409


def test_another_companys_customs_page_is_404(client, shipper, make_user, make_booking):
    booking = make_booking(make_user(Role.SHIPPER).company, status=BookingStatus.CONFIRMED)
    assert client.get(f"/bookings/{booking.reference}/customs").status_code == 404


# ---- list and export ----------------------------------------------------------------------


def test_the_list_and_its_export_show_the_shipment(client, shipper, make_booking, make_departure):
    make_booking(shipper.company, departure=make_departure("XAEU"), destination="PLLOD",
                 package_marks="=HYPERLINK(1)")  # fmt: skip
    make_booking(shipper.company, destination=None, package_count=None, package_kind=None)
    page = client.get("/bookings/").get_data(as_text=True)
    assert '<abbr title="Łódź">PLLOD</abbr>' in page and "Not stated" in page
    response = client.get("/bookings/export.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    header, *rows = rows
    by_destination = {row[header.index("目的地 destination")]: row for row in rows}
    lodz = by_destination["PLLOD"]
    assert lodz[header.index("目的地名称 destination name")] == "罗兹 Łódź"
    assert lodz[header.index("件数 packages")] == "600"
    assert lodz[header.index("唛头 marks")] == "'=HYPERLINK(1)"
    assert by_destination["未填写 Not stated"][header.index("件数 packages")] == "未填写 Not stated"


def test_the_export_keeps_to_the_users_scope(client, shipper, make_user, make_booking):
    mine = make_booking(shipper.company)
    make_booking(make_user(Role.SHIPPER).company)
    response = client.get("/bookings/export.csv")
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert [row[0] for row in rows[1:]] == [mine.reference]  # the header, then only its own
