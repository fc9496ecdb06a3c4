from collections import defaultdict
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from dryport.extensions import db
from dryport.models import (
    HOLDING_STATUSES,
    Booking,
    BookingStatus,
    Company,
    Departure,
    DepartureStatus,
    Role,
    Route,
    Station,
    User,
)
from dryport.services import credit_codes, demo
from dryport.services.clock import LOCAL_TZ
from dryport.services.containers import cargo_limit_kg, validate_number
from tests.conftest import empty_tables

NOW = datetime(2026, 11, 26, 4, 0, tzinfo=UTC)


pytestmark = pytest.mark.shared_data


@pytest.fixture(scope="module")
def loaded(app):
    """The demo, loaded once for this module's read-only checks."""
    with app.app_context():
        steps = []
        sign_ins = demo.load_demo(db.session, now=NOW, progress=steps.append)
        db.session.commit()
        yield sign_ins, steps
        empty_tables()


def test_demo_has_every_role_and_one_clerk_per_station(db_session, loaded):
    sign_ins, steps = loaded
    assert sum(steps) == demo.departure_count(NOW)
    roles = {s.role for s in sign_ins}
    assert roles == {"admin", "operator", "clerk", "shipper"}
    clerk_stations = db_session.scalars(
        select(Station.code)
        .join(User, User.station_id == Station.id)
        .where(User.role == Role.CLERK)
    ).all()
    assert sorted(clerk_stations) == sorted(db_session.scalars(select(Station.code)))
    companies = db_session.scalars(select(Company)).all()
    assert len(companies) == 5


def test_demo_credit_codes_have_the_structure_of_gb_32100(db_session, loaded):
    """Enterprises (91) of Ankang's divisions (6109xx), with both check characters right."""
    for company in db_session.scalars(select(Company)):
        code = company.credit_code
        assert credit_codes.validate(code) == code
        assert code.startswith("91") and code[2:6] == "6109", code


def test_demo_history_is_about_250_teu_a_month_and_growing(db_session, loaded):
    rows = db_session.execute(
        select(Departure.departs_at, Booking.teu)
        .join(Booking.departure)
        .where(Booking.status.in_([BookingStatus.DEPARTED, BookingStatus.ARRIVED]))
    ).all()
    months = defaultdict(Decimal)
    for departs_at, teu in rows:
        months[departs_at.astimezone(LOCAL_TZ).strftime("%Y-%m")] += teu
    full = [months[m] for m in sorted(months)][1:-1]  # first and current month are partial
    assert len(full) >= 11
    assert 150 <= sum(full) / len(full) <= 350
    assert sum(full[-3:]) > sum(full[:3])  # growing


def test_demo_departures_cover_the_coming_eight_weeks_on_every_route(db_session, loaded):
    future = db_session.execute(
        select(Departure.route_id, func.count())
        .where(Departure.departs_at > NOW)
        .group_by(Departure.route_id)
    ).all()
    assert len(future) == 3 and all(count >= 4 for _, count in future)
    latest = db_session.scalar(select(func.max(Departure.departs_at)))
    assert (latest - NOW).days >= 50
    assert (
        db_session.scalar(select(func.count()).where(Departure.status == DepartureStatus.SCHEDULED))
        >= 15
    )


def test_demo_held_teu_equals_the_bookings_and_fits(db_session, loaded):
    held = {
        row.departure_id: (row.teu, row.kg)
        for row in db_session.execute(
            select(
                Booking.departure_id,
                func.sum(Booking.teu).label("teu"),
                func.sum(Booking.gross_weight_kg).label("kg"),
            )
            .where(Booking.status.in_(HOLDING_STATUSES))
            .group_by(Booking.departure_id)
        )
    }
    for departure in db_session.scalars(select(Departure)):
        assert (departure.held_teu, departure.held_kg) == held.get(departure.id, (0, 0))
        assert departure.held_teu <= departure.capacity_teu


def test_demo_containers_and_timelines_are_real(db_session, loaded):
    booking = db_session.scalar(
        select(Booking).where(Booking.status == BookingStatus.ARRIVED).limit(1)
    )
    events = sorted(booking.events, key=lambda e: (e.at, e.id))
    assert [e.type.name for e in events] == [
        "CREATED",
        "CONFIRMED",
        "WAYBILL_ISSUED",
        "DEPARTED",
        "ARRIVED",
    ]
    assert booking.waybill_no.startswith("WB-")
    assert len(booking.containers) == sum(line.quantity for line in booking.lines)
    for container in booking.containers:
        assert validate_number(container.number) == container.number
        assert container.vgm_kg <= 30_480


def test_nothing_in_the_demo_is_dated_after_now(db_session, loaded):
    from dryport.models import BookingEvent, Waybill

    latest = {
        "event": db_session.scalar(select(func.max(BookingEvent.at))),
        "booking created": db_session.scalar(select(func.max(Booking.created_at))),
        "booking updated": db_session.scalar(select(func.max(Booking.updated_at))),
        "waybill": db_session.scalar(select(func.max(Waybill.issued_at))),
        "departed": db_session.scalar(select(func.max(Departure.departed_at))),
        "arrived": db_session.scalar(select(func.max(Departure.arrived_at))),
    }
    future = {what: at for what, at in latest.items() if at is None or at > NOW}
    assert not future, future


def test_demo_europe_trains_take_the_border_crossings_in_turn(db_session, loaded):
    rows = db_session.execute(
        select(Route.code, Departure.border_crossing)
        .join(Departure.route)
        .order_by(Departure.id)  # the order the demo wrote them in
    ).all()
    europe = [crossing for code, crossing in rows if code == "XAEU"]
    assert set(europe[:3]) == {"AKA-DOS", "ERL-ZMU", "KHG-AKL"} and europe[3:6] == europe[:3]
    assert all(europe.count(c) >= len(europe) // 3 for c in ("AKA-DOS", "ERL-ZMU", "KHG-AKL"))
    assert {crossing for code, crossing in rows if code != "XAEU"} == {None}


def test_demo_bookings_declare_their_shipment(db_session, loaded):
    """Every demo booking says where it goes and how it is packed, within what its boxes
    carry; the barium carbonate is declared as UN1564, 6.1, PG III; reefer loads are chilled
    or frozen food; confirmed exports carry their customs declaration."""
    bookings = db_session.scalars(select(Booking)).all()
    for booking in bookings:
        route = booking.departure.route
        assert booking.destination in {p.code for p in route.destinations}, booking
        assert booking.package_count >= 1 and booking.package_kind, booking
        lines = [(line.size_type, line.quantity) for line in booking.lines]
        assert booking.gross_weight_kg <= cargo_limit_kg(lines), booking
        assert booking.net_weight_kg <= booking.gross_weight_kg
    barium = [b for b in bookings if b.hs_code == "283660"]
    assert barium and all(
        (b.has_dangerous_goods, b.un_number, b.dg_class, b.dg_packing_group)
        == (True, "UN1564", "6.1", "III")
        and b.dg_emergency_contact
        for b in barium
    )
    assert not any(b.has_dangerous_goods for b in bookings if b.hs_code != "283660")
    reefers = [b for b in bookings if b.reefer_temp_c is not None]
    assert {b.hs_code for b in reefers} == {"071080", "081050"}  # frozen konjac, chilled kiwi
    assert all(b.reefer_temp_c == -18 for b in reefers if b.hs_code == "071080")
    assert {b.hs_code for b in bookings} >= {"090220", "950300", "848340"}
    declared = [b for b in bookings if b.customs_declaration_no]
    assert declared and all(len(b.customs_declaration_no) == 18 for b in declared)
    assert len({b.customs_declaration_no for b in declared}) == len(declared)
    assert {b.destination for b in bookings} >= {"PLLOD", "DEDUI", "CNNGB", "NLRTM"}


def test_demo_departures_that_left_have_their_legs_events(db_session, loaded):
    from dryport.models import EventClassifier
    from dryport.services import tracking

    left = db_session.scalars(
        select(Departure).where(Departure.departed_at.is_not(None)).options(*tracking.TRACK_LOAD)
    ).all()
    underway_late = 0
    for departure in left:
        legs = tracking.track(departure)
        assert legs[0].actual_departure == departure.departed_at
        if departure.status is DepartureStatus.ARRIVED:
            assert legs[-1].actual_arrival == departure.arrived_at
            assert {t.status for t in legs} == {"DONE"}
        else:
            assert legs[-1].status != "DONE"
            late = [e for e in departure.transport_events if e.classifier is EventClassifier.EST]
            underway_late += bool(late)
        actual = [e.at for e in departure.transport_events if e.classifier.name == "ACT"]
        assert actual == sorted(actual) and max(actual) <= NOW
    assert underway_late  # some train on its way is expected late


def test_demo_containers_on_their_way_went_through_the_gates(db_session, loaded):
    from dryport.models import Container, EquipmentEvent

    rows = db_session.execute(
        select(Container.id, Booking.departure_id, EquipmentEvent.type, EquipmentEvent.at)
        .join(Container.booking)
        .join(EquipmentEvent, EquipmentEvent.container_id == Container.id)
        .where(Booking.status == BookingStatus.DEPARTED)
        .order_by(EquipmentEvent.at, EquipmentEvent.id)
    ).all()
    by_container = defaultdict(list)
    for container_id, _departure, type_, _at in rows:
        by_container[container_id].append(type_.name)
    departed = db_session.scalar(
        select(func.count(Container.id)).join(Container.booking)
        .where(Booking.status == BookingStatus.DEPARTED)
    )  # fmt: skip
    assert departed and len(by_container) == departed
    assert all(types[-2:] == ["GTIN", "LOAD"] for types in by_container.values())
    assert max(at for *_, at in rows) <= NOW


def test_demo_boxes_that_left_carry_the_railways_numbers(db_session, loaded):
    """Departed and arrived boxes have a Chinese wagon (7 digits) and a railway waybill, as a
    loading list would have given them; boxes not yet loaded have neither."""
    from dryport.models import Container
    from dryport.services.railway_list import RAILWAY_WAYBILL_NUMBER, WAGON_NUMBER

    rows = db_session.execute(
        select(Booking.status, Container.wagon_no, Container.railway_waybill_no).join(
            Container.booking
        )
    ).all()
    left = [r for r in rows if r.status in (BookingStatus.DEPARTED, BookingStatus.ARRIVED)]
    assert left and all(
        len(r.wagon_no) == 7 and WAGON_NUMBER.fullmatch(r.wagon_no) and
        RAILWAY_WAYBILL_NUMBER.fullmatch(r.railway_waybill_no) for r in left
    )  # fmt: skip
    assert all(r.wagon_no is None for r in rows if r.status is BookingStatus.CONFIRMED)
