"""What a load confirmation checks beyond the rows' shape: category U only, the container's
owner, the VGM's signatory and weighing time, method 2's packing mass, the weighed mass
against the declared gross, and the partly checked load saved as a draft."""

import io
from datetime import timedelta
from decimal import Decimal

import pytest
from pypdf import PdfReader
from sqlalchemy import select
from stdnum import iso6346

from dryport.models import (
    Booking,
    BookingEvent,
    BookingStatus,
    Container,
    ContainerOwner,
    Departure,
    EventType,
    LoadDraft,
    Role,
)
from dryport.services.clock import utcnow
from tests.conftest import container_rows


@pytest.fixture
def people(make_user, api_token):
    shipper = make_user(Role.SHIPPER)
    clerk = make_user(Role.CLERK, station="HB")
    other_clerk = make_user(Role.CLERK, station="BH")
    return {
        "shipper": (shipper, api_token(shipper.email)),
        "clerk": (clerk, api_token(clerk.email)),
        "other_clerk": (other_clerk, api_token(other_clerk.email)),
    }


def _confirm(client, people, booking, containers, lang="en", **extra):
    return client.post(
        f"/api/v1/bookings/{booking.reference}/confirm",
        json={"containers": containers, **extra},
        headers={**people["clerk"][1], "Accept-Language": lang},
    )


def _number(body: str) -> str:
    return body + iso6346.calc_check_digit(body)


def _nothing_written(db_session, booking):
    db_session.expire_all()
    assert db_session.get(Booking, booking.id).status is BookingStatus.RECEIVED
    assert db_session.scalar(select(Container.id)) is None


# ---- category, owner, signatory, weighing time ---------------------------------------------


@pytest.mark.parametrize(
    "category, words",
    [("J", ("category J", "类别为J")), ("Z", ("category Z", "类别为Z"))],
)
def test_only_category_u_carries_cargo(client, db_session, people, make_booking, category, words):
    booking = make_booking(people["shipper"][0].company)
    number = _number(f"CSQ{category}305438")
    for lang, word in zip(("en", "zh"), words, strict=True):
        response = _confirm(client, people, booking, container_rows(number), lang=lang)
        assert response.status_code == 422
        errors = response.get_json()["errors"]
        assert list(errors) == ["containers.0.number"]
        assert word in errors["containers.0.number"][0]
    _nothing_written(db_session, booking)
    accepted = _confirm(client, people, booking, container_rows(_number("CSQU305438")))
    assert accepted.status_code == 200, accepted.get_json()


def test_the_owner_is_coc_unless_the_row_says_soc(client, db_session, people, make_booking):
    booking = make_booking(people["shipper"][0].company, lines=(("22G1", 2),))
    rows = container_rows("CSQU3054383", "TCNU7200794")
    rows[1]["owner"] = "SOC"
    response = _confirm(client, people, booking, rows)
    assert response.status_code == 200, response.get_json()
    assert [e["owner"] for e in response.get_json()["equipment"]] == ["COC", "SOC"]
    owners = db_session.scalars(select(Container.owner).order_by(Container.id)).all()
    assert owners == [ContainerOwner.COC, ContainerOwner.SOC]


def test_an_unknown_owner_is_refused_on_its_row(client, db_session, people, make_booking):
    booking = make_booking(people["shipper"][0].company)
    response = _confirm(client, people, booking, container_rows("CSQU3054383", owner="OWN"))
    assert response.status_code == 422
    assert list(response.get_json()["errors"]) == ["containers.0.owner"]
    _nothing_written(db_session, booking)


@pytest.mark.parametrize("signatory", [None, "", "   ", "12345"])
def test_the_vgm_needs_a_named_signatory(client, db_session, people, make_booking, signatory):
    booking = make_booking(people["shipper"][0].company)
    rows = container_rows("CSQU3054383", vgm_certified_by=signatory)
    if signatory is None:
        del rows[0]["vgm_certified_by"]
    for lang in ("en", "zh"):
        response = _confirm(client, people, booking, rows, lang=lang)
        assert response.status_code == 422
        assert list(response.get_json()["errors"]) == ["containers.0.vgm_certified_by"]
    _nothing_written(db_session, booking)


def test_the_signatory_and_the_weighing_time_are_kept(client, db_session, people, make_booking):
    booking = make_booking(people["shipper"][0].company)
    weighed = (utcnow() - timedelta(hours=5)).replace(microsecond=0)
    rows = container_rows("CSQU3054383", vgm_certified_by=" 王芳 ", weighed_at=weighed.isoformat())
    response = _confirm(client, people, booking, rows)
    assert response.status_code == 200, response.get_json()
    equipment = response.get_json()["equipment"][0]
    assert equipment["vgm_certified_by"] == "王芳"
    container = db_session.scalar(select(Container))
    assert container.vgm_certified_by == "王芳" and container.weighed_at == weighed
    assert container.weighed_by == people["clerk"][0].name  # who recorded it, as before


@pytest.mark.parametrize("offset", [timedelta(minutes=5), timedelta(days=400), -timedelta(days=31)])
def test_a_weighing_time_in_the_future_or_long_ago_is_refused(
    client, db_session, people, make_booking, offset
):
    booking = make_booking(people["shipper"][0].company)
    rows = container_rows("CSQU3054383", weighed_at=(utcnow() + offset).isoformat())
    for lang in ("en", "zh"):
        response = _confirm(client, people, booking, rows, lang=lang)
        assert response.status_code == 422
        assert list(response.get_json()["errors"]) == ["containers.0.weighed_at"]
    _nothing_written(db_session, booking)


def test_method_2_keeps_the_packing_mass(client, db_session, people, make_booking):
    booking = make_booking(people["shipper"][0].company, gross_weight_kg=Decimal(18_200))
    rows = container_rows(
        "CSQU3054383", vgm_kg=None, vgm_method="METHOD_2", cargo_kg=18_000, packing_kg=200
    )
    response = _confirm(client, people, booking, rows)
    assert response.status_code == 200, response.get_json()
    equipment = response.get_json()["equipment"][0]
    assert (equipment["vgm_kg"], equipment["cargo_kg"], equipment["packing_kg"]) == (
        20_500,
        18_000,
        200,
    )
    container = db_session.scalar(select(Container))
    assert (container.cargo_kg, container.packing_kg) == (18_000, 200)


# ---- weighed against declared --------------------------------------------------------------


@pytest.mark.parametrize(
    "weighed, agrees",
    [(10_500, True), (9_500, True), (10_501, False), (9_499, False), (10_000, True)],
)
def test_the_weighed_mass_agrees_with_the_declared_gross_within_5_per_cent(
    client, db_session, people, make_booking, weighed, agrees
):
    booking = make_booking(people["shipper"][0].company, gross_weight_kg=Decimal(10_000))
    response = _confirm(client, people, booking, container_rows("CSQU3054383", gross_kg=weighed))
    if agrees:
        assert response.status_code == 200, response.get_json()
        assert response.get_json()["cargo"]["gross_weight_kg"] == 10_000  # as declared
        return
    assert response.status_code == 422
    errors = response.get_json()["errors"]
    assert list(errors) == ["containers"]
    assert f"{weighed:,} kg" in errors["containers"][0] and "10,000 kg" in errors["containers"][0]
    _nothing_written(db_session, booking)


def test_the_mismatch_is_told_in_chinese_too(client, people, make_booking):
    booking = make_booking(people["shipper"][0].company, gross_weight_kg=Decimal(10_000))
    response = _confirm(
        client, people, booking, container_rows("CSQU3054383", gross_kg=12_000), lang="zh"
    )
    message = response.get_json()["errors"]["containers"][0]
    assert "12,000" in message and "10,000" in message and "申报" in message


def test_the_tolerance_is_configured(app, client, monkeypatch, people, make_booking):
    monkeypatch.setitem(app.config, "WEIGHT_TOLERANCE_PCT", Decimal("0.5"))
    booking = make_booking(people["shipper"][0].company, gross_weight_kg=Decimal(10_000))
    refused = _confirm(client, people, booking, container_rows("CSQU3054383", gross_kg=10_100))
    assert refused.status_code == 422
    assert "0.5 %" in refused.get_json()["errors"]["containers"][0]
    agreed = _confirm(client, people, booking, container_rows("CSQU3054383", gross_kg=10_050))
    assert agreed.status_code == 200


def test_accepting_the_weighed_mass_makes_it_the_gross(client, db_session, people, make_booking):
    booking = make_booking(people["shipper"][0].company, gross_weight_kg=Decimal(10_000))
    held_before = db_session.get(Departure, booking.departure_id).held_kg
    response = _confirm(
        client,
        people,
        booking,
        container_rows("CSQU3054383", gross_kg=11_000),
        accept_weighed_mass=True,
    )
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["cargo"]["gross_weight_kg"] == 11_000
    db_session.expire_all()
    assert db_session.get(Booking, booking.id).gross_weight_kg == Decimal(11_000)
    assert db_session.get(Departure, booking.departure_id).held_kg == held_before + 1_000
    event = db_session.scalar(select(BookingEvent).where(BookingEvent.type == EventType.CONFIRMED))
    assert event.details["declared_gross_kg"] == "10000.0"
    assert event.details["weighed_mass_kg"] == "11000"
    assert event.details["gross_weight_kg"] == ["10000.0", "11000"]
    pdf = client.get(
        f"/api/v1/bookings/{booking.reference}/waybill.pdf", headers=people["shipper"][1]
    )
    assert pdf.status_code == 200
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.data)).pages)
    assert "11,000.0" in text and "10,000.0" not in text


def test_the_accept_flag_changes_nothing_when_the_masses_agree(
    client, db_session, people, make_booking
):
    booking = make_booking(people["shipper"][0].company, gross_weight_kg=Decimal(10_000))
    response = _confirm(
        client,
        people,
        booking,
        container_rows("CSQU3054383", gross_kg=10_400),
        accept_weighed_mass=True,
    )
    assert response.status_code == 200
    assert response.get_json()["cargo"]["gross_weight_kg"] == 10_000
    event = db_session.scalar(select(BookingEvent).where(BookingEvent.type == EventType.CONFIRMED))
    assert event.details["weighed_mass_kg"] == "10400" and "gross_weight_kg" not in event.details


def test_an_accepted_mass_below_the_declared_net_weight_is_refused(
    client, db_session, people, make_booking
):
    """The weighed mass cannot become a gross lighter than the cargo's declared net."""
    booking = make_booking(
        people["shipper"][0].company,
        gross_weight_kg=Decimal(10_000),
        net_weight_kg=Decimal(9_200),
    )
    held_before = db_session.get(Departure, booking.departure_id).held_kg
    response = _confirm(
        client,
        people,
        booking,
        container_rows("CSQU3054383", gross_kg=9_000),
        accept_weighed_mass=True,
    )
    assert response.status_code == 422, response.get_json()
    problem = response.get_json()
    assert "9,000" in str(problem["errors"]["containers"]) and "9,200" in str(problem["errors"])
    _nothing_written(db_session, booking)
    db_session.expire_all()
    assert db_session.get(Departure, booking.departure_id).held_kg == held_before
    at_net = _confirm(
        client,
        people,
        booking,
        container_rows("CSQU3054383", gross_kg=9_200),
        accept_weighed_mass=True,
    )
    assert at_net.status_code == 200, at_net.get_json()
    assert at_net.get_json()["cargo"]["gross_weight_kg"] == 9_200


def test_an_accepted_mass_beyond_the_departures_weight_limit_is_refused(
    client, db_session, people, make_booking, make_departure
):
    departure = make_departure(capacity_kg=10_500)
    booking = make_booking(
        people["shipper"][0].company, departure=departure, gross_weight_kg=Decimal(10_000)
    )
    response = _confirm(
        client,
        people,
        booking,
        container_rows("CSQU3054383", gross_kg=11_000),
        accept_weighed_mass=True,
    )
    assert response.status_code == 409
    assert "500" in response.get_json()["detail"]
    _nothing_written(db_session, booking)
    db_session.expire_all()
    assert db_session.get(Departure, departure.id).held_kg == Decimal(10_000)


# ---- drafts --------------------------------------------------------------------------------


def _draft_path(booking) -> str:
    return f"/api/v1/bookings/{booking.reference}/load-draft"


def test_a_partly_checked_load_is_saved_and_found_again(client, people, make_booking):
    booking = make_booking(people["shipper"][0].company, lines=(("22G1", 2),))
    headers = people["clerk"][1]
    assert client.get(_draft_path(booking), headers=headers).status_code == 404
    rows = [{"number": "CSQU3054383", "tare_kg": 2300, "vgm_certified_by": "王芳"}, {}]
    saved = client.put(_draft_path(booking), json={"rows": rows}, headers=headers)
    assert saved.status_code == 200, saved.get_json()
    again = client.get(_draft_path(booking), headers=headers)
    assert again.status_code == 200
    assert again.get_json()["rows"] == rows
    assert again.get_json()["saved_by"] == people["clerk"][0].name
    rows[1] = {"number": "TCNU72007", "vgm_kg": "14"}  # half typed: kept as it is
    client.put(_draft_path(booking), json={"rows": rows}, headers=headers)
    assert client.get(_draft_path(booking), headers=headers).get_json()["rows"] == rows


def test_confirming_the_load_removes_its_draft(client, db_session, people, make_booking):
    booking = make_booking(people["shipper"][0].company)
    headers = people["clerk"][1]
    client.put(_draft_path(booking), json={"rows": [{"seal": "AK1"}]}, headers=headers)
    assert _confirm(client, people, booking, container_rows("CSQU3054383")).status_code == 200
    assert db_session.scalar(select(LoadDraft.id)) is None
    assert client.get(_draft_path(booking), headers=headers).status_code == 404
    late = client.put(_draft_path(booking), json={"rows": [{}]}, headers=headers)
    assert late.status_code == 409


def test_another_stations_draft_is_not_found(client, db_session, people, make_booking):
    booking = make_booking(people["shipper"][0].company)
    client.put(_draft_path(booking), json={"rows": [{"seal": "AK1"}]}, headers=people["clerk"][1])
    other = people["other_clerk"][1]
    assert client.get(_draft_path(booking), headers=other).status_code == 404
    put = client.put(_draft_path(booking), json={"rows": [{"seal": "X"}]}, headers=other)
    assert put.status_code == 404
    assert db_session.scalar(select(LoadDraft)).rows == [{"seal": "AK1"}]
    shipper = people["shipper"][1]
    assert client.get(_draft_path(booking), headers=shipper).status_code == 403


@pytest.mark.parametrize(
    "rows, field",
    [
        ([{}, {}], "rows"),  # more rows than the booking has containers
        ([{"seal": "x" * 65}], "rows.0.seal"),
        ([{"tare_kg": True}], "rows.0.tare_kg"),
        ([{"colour": "red"}], "rows.0.colour"),
    ],
)
def test_a_draft_of_the_wrong_shape_is_refused(
    client, db_session, people, make_booking, rows, field
):
    booking = make_booking(people["shipper"][0].company)
    response = client.put(_draft_path(booking), json={"rows": rows}, headers=people["clerk"][1])
    assert response.status_code == 422
    assert field in response.get_json()["errors"]
    assert db_session.scalar(select(LoadDraft.id)) is None


def test_rejecting_the_load_removes_its_draft(client, db_session, people, make_booking):
    booking = make_booking(people["shipper"][0].company)
    headers = people["clerk"][1]
    client.put(_draft_path(booking), json={"rows": [{"seal": "AK1"}]}, headers=headers)
    rejected = client.post(
        f"/api/v1/bookings/{booking.reference}/reject", json={"reason": "Seal broken"},
        headers=headers,
    )  # fmt: skip
    assert rejected.status_code == 200
    assert db_session.scalar(select(LoadDraft.id)) is None


def test_the_waybill_names_the_shippers_signatory(client, people, make_booking, make_departure):
    booking = make_booking(people["shipper"][0].company, departure=make_departure("WHSEA"))
    assert _confirm(client, people, booking, container_rows("CSQU3054383")).status_code == 200
    pdf = client.get(
        f"/api/v1/bookings/{booking.reference}/waybill.pdf", headers=people["shipper"][1]
    )
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.data)).pages)
    assert "signatory Wang Fang" in " ".join(text.split())
    assert people["clerk"][0].name not in text


def test_a_closed_departure_holds_an_accepted_heavier_mass(
    client, db_session, people, make_booking, make_departure
):
    from dryport.models import DepartureStatus

    departure = make_departure(status=DepartureStatus.CLOSED)
    booking = make_booking(
        people["shipper"][0].company, departure=departure, gross_weight_kg=Decimal(10_000)
    )
    response = _confirm(
        client,
        people,
        booking,
        container_rows("CSQU3054383", gross_kg=12_000),
        accept_weighed_mass=True,
    )
    assert response.status_code == 200, response.get_json()
    db_session.expire_all()
    assert db_session.get(Departure, departure.id).held_kg == Decimal(12_000)
