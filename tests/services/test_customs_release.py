"""Customs release, by the service: one booking's release and its rules, the customs' release
list (CSV) read all or nothing, and the gate it opens in ``operations.depart``."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from dryport.models import Booking, BookingEvent, BookingStatus, EventType, Role
from dryport.services import customs_release, operations, shipment
from dryport.services.clock import utcnow
from dryport.services.errors import Conflict, Forbidden, Invalid, NotFound, TooLarge
from tests.conftest import declaration_for
from tests.pdf import conftest as pdf_fixtures

confirmed = pdf_fixtures.confirmed  # the fixture

NUMBER = "610120260000000123"
CROSSING = "KHG-AKL"


@pytest.fixture
def operator(make_user):
    return make_user(Role.OPERATOR)


def _events(db_session, booking) -> list[BookingEvent]:
    db_session.expire_all()
    return list(
        db_session.scalars(
            select(BookingEvent).where(
                BookingEvent.booking_id == booking.id,
                BookingEvent.type == EventType.CUSTOMS_RELEASED,
            )
        )
    )


def _train(make_departure, confirmed, route="XAEU", count=2):
    """A departure of ``route`` with ``count`` confirmed bookings, the first naming
    declaration ``NUMBER``, the others none."""
    crossing = CROSSING if route == "XAEU" else None
    departure = make_departure(route, border_crossing=crossing, departs_at=utcnow())
    bookings = [confirmed(route, departure=departure) for _ in range(count)]
    bookings[0].customs_declaration_no = NUMBER
    return departure, bookings


# ---- which routes ------------------------------------------------------------------------


def test_only_routes_with_an_international_document_need_release(seeded, make_departure):
    assert customs_release.needs_release(make_departure("XAEU").route)
    assert customs_release.needs_release(make_departure("WHSEA").route)
    assert not customs_release.needs_release(make_departure("EAST").route)


@pytest.mark.parametrize("route", ["XAEU", "WHSEA"])
def test_a_departure_waits_for_every_confirmed_booking_to_be_released(
    db_session, operator, make_departure, confirmed, route
):
    departure, bookings = _train(make_departure, confirmed, route)
    db_session.commit()
    with pytest.raises(Conflict) as refused:
        operations.depart(db_session, operator, departure.id)
    references = sorted(b.reference for b in bookings)
    assert refused.value.extra["bookings"] == references
    assert all(ref in str(refused.value.message) for ref in references)
    db_session.rollback()

    customs_release.release(db_session, operator, bookings[0].reference, NUMBER)
    db_session.commit()
    with pytest.raises(Conflict) as still:
        operations.depart(db_session, operator, departure.id)
    assert still.value.extra["bookings"] == [bookings[1].reference]
    db_session.rollback()

    customs_release.release(
        db_session, operator, bookings[1].reference, declaration_for(bookings[1])
    )
    assert operations.depart(db_session, operator, departure.id).status.name == "DEPARTED"


def test_east_departs_without_any_release(db_session, operator, make_departure, confirmed):
    departure = make_departure("EAST", departs_at=utcnow())
    booking = confirmed("EAST", departure=departure)
    assert customs_release.unreleased_references(db_session, departure) == []
    operations.depart(db_session, operator, departure.id)
    assert booking.status is BookingStatus.DEPARTED and booking.customs_released_at is None
    with pytest.raises(Conflict, match="needs no customs release"):
        customs_release.release(db_session, operator, booking.reference, NUMBER)


# ---- one release --------------------------------------------------------------------------


def test_a_release_is_recorded_with_its_event(db_session, operator, make_departure, confirmed):
    _, (named, unnamed) = _train(make_departure, confirmed)
    at = datetime(2026, 1, 5, 6, 30, tzinfo=UTC)
    customs_release.release(db_session, operator, named.reference, NUMBER, at)
    customs_release.release(db_session, operator, unnamed.reference, declaration_for(unnamed))
    db_session.commit()
    assert named.customs_released_at == at
    assert unnamed.customs_declaration_no == declaration_for(unnamed)  # recorded on it
    assert utcnow() - unnamed.customs_released_at < timedelta(minutes=1)
    (event,) = _events(db_session, named)
    assert event.details == {"declaration_no": NUMBER, "released_at": at.isoformat()}
    assert event.actor_id == operator.id


def test_the_same_release_again_changes_nothing(db_session, operator, make_departure, confirmed):
    _, (booking, _other) = _train(make_departure, confirmed)
    at = datetime(2026, 1, 5, 6, 30, tzinfo=UTC)
    customs_release.release(db_session, operator, booking.reference, NUMBER, at)
    db_session.commit()
    version = booking.version
    customs_release.release(db_session, operator, booking.reference, NUMBER, at)
    customs_release.release(db_session, operator, booking.reference, NUMBER)  # no time: the same
    db_session.commit()
    assert len(_events(db_session, booking)) == 1 and booking.version == version
    with pytest.raises(Conflict, match="already"):
        customs_release.release(db_session, operator, booking.reference, NUMBER, at.replace(hour=7))


def test_the_booking_s_own_declaration_number_must_match(
    db_session, operator, make_departure, confirmed
):
    _, (booking, _other) = _train(make_departure, confirmed)
    with pytest.raises(Invalid) as error:
        customs_release.release(db_session, operator, booking.reference, "610120260000000999")
    assert [str(m) for m in error.value.errors["declaration_no"]] == [
        f"The booking names declaration {NUMBER}."
    ]
    with pytest.raises(Invalid) as short:
        customs_release.release(db_session, operator, booking.reference, "12345")
    assert "declaration_no" in short.value.errors
    assert _events(db_session, booking) == []


def test_a_release_in_the_future_is_refused(db_session, operator, make_departure, confirmed):
    _, (booking, _other) = _train(make_departure, confirmed)
    later = utcnow() + timedelta(hours=1)
    with pytest.raises(Invalid) as error:
        customs_release.release(db_session, operator, booking.reference, NUMBER, later)
    assert "released_at" in error.value.errors


def test_only_operators_release_and_unknown_bookings_are_not_found(
    db_session, make_user, operator, make_departure, confirmed
):
    _, (booking, _other) = _train(make_departure, confirmed)
    for role in (Role.SHIPPER, Role.CLERK):
        with pytest.raises(Forbidden):
            customs_release.release(db_session, make_user(role), booking.reference, NUMBER)
    with pytest.raises(NotFound):
        customs_release.release(db_session, operator, "HK2612-99999", NUMBER)


def test_no_release_once_the_departure_has_left_or_for_a_cancelled_booking(
    db_session, operator, make_departure, confirmed, make_booking
):
    departure, (booking, other) = _train(make_departure, confirmed)
    cancelled = make_booking(booking.company, departure=departure, status=BookingStatus.CANCELLED)
    with pytest.raises(Conflict, match="received or confirmed"):
        customs_release.release(db_session, operator, cancelled.reference, NUMBER)
    db_session.rollback()
    customs_release.release(db_session, operator, booking.reference, NUMBER)
    customs_release.release(db_session, operator, other.reference, declaration_for(other))
    operations.depart(db_session, operator, departure.id)
    db_session.commit()
    late = make_booking(booking.company, departure=departure, status=BookingStatus.CONFIRMED)
    with pytest.raises(Conflict, match="has left"):
        customs_release.release(db_session, operator, late.reference, NUMBER)


def test_a_released_booking_keeps_its_declaration_number(
    db_session, operator, make_departure, confirmed
):
    _, (booking, _other) = _train(make_departure, confirmed)
    customs_release.release(db_session, operator, booking.reference, NUMBER)
    with pytest.raises(Conflict, match=NUMBER):
        shipment.apply_customs(booking, {"declaration_no": "610120260000000999"})
    with pytest.raises(Conflict):
        shipment.apply_customs(booking, None)
    shipment.apply_customs(
        booking, {"declaration_no": NUMBER, "invoice_value": 10, "currency": "USD"}
    )  # the same number with an invoice value is fine


# ---- the release list -----------------------------------------------------------------------


def _list(*lines: str, encoding="utf-8") -> bytes:
    return ("\r\n".join(lines) + "\r\n").encode(encoding)


def _train_of_three(db_session, make_departure, confirmed):
    departure, bookings = _train(make_departure, confirmed, count=3)
    numbers = [NUMBER] + [declaration_for(b) for b in bookings[1:]]
    for booking, number in zip(bookings, numbers, strict=True):
        booking.customs_declaration_no = number
    db_session.commit()
    return departure, bookings, numbers


def test_a_release_list_releases_every_line(db_session, operator, make_departure, confirmed):
    departure, bookings, numbers = _train_of_three(db_session, make_departure, confirmed)
    data = _list(
        "报关单号,放行时间",
        f"{numbers[0]},2026-01-05 14:30",
        "",
        f"{numbers[1]},2026/1/5 9:05",
        f"{numbers[2]},2026-01-05T06:00:00+00:00",
        encoding="gb18030",
    )
    released = customs_release.release_list(db_session, operator, departure.id, data)
    db_session.commit()
    assert [b.reference for b in released] == [b.reference for b in bookings]
    assert [b.customs_released_at for b in bookings] == [
        datetime(2026, 1, 5, 6, 30, tzinfo=UTC),  # 14:30 in Beijing
        datetime(2026, 1, 5, 1, 5, tzinfo=UTC),
        datetime(2026, 1, 5, 6, 0, tzinfo=UTC),
    ]
    assert all(len(_events(db_session, b)) == 1 for b in bookings)
    assert customs_release.unreleased_references(db_session, departure) == []
    # the same list again (a day's list holds yesterday's releases too) changes nothing
    customs_release.release_list(db_session, operator, departure.id, data)
    db_session.commit()
    assert all(len(_events(db_session, b)) == 1 for b in bookings)


@pytest.mark.parametrize(
    "encoding, header",
    [
        ("utf-8-sig", "declaration_no,released_at"),
        ("utf-8", "报关单号,放行时间"),
        ("utf-8-sig", "报关单号,放行时间"),
        ("gb18030", "报关单号,放行时间"),
        ("utf-8", None),
    ],
)
def test_a_release_list_is_read_in_every_encoding_excel_writes(
    db_session, operator, make_departure, confirmed, encoding, header
):
    departure, (booking, _other) = _train(make_departure, confirmed)
    db_session.commit()
    lines = ([header] if header else []) + [f"{NUMBER},2026-01-05 14:30,,"]
    released = customs_release.release_list(
        db_session, operator, departure.id, _list(*lines, encoding=encoding)
    )
    assert [b.reference for b in released] == [booking.reference]


def test_a_bad_line_refuses_the_whole_list_by_line(db_session, operator, make_departure, confirmed):
    departure, bookings, numbers = _train_of_three(db_session, make_departure, confirmed)
    unknown = "610120260000000777"
    future = (utcnow() + timedelta(days=2)).strftime("%Y-%m-%d %H:%M")
    data = _list(
        "declaration_no,released_at",
        f"{numbers[0]},2026-01-05 14:30",  # good, but the list is refused: not recorded
        f"{unknown},2026-01-05 14:30",
        f"{numbers[1]},yesterday",
        f"{numbers[2]},{future}",
        f"{numbers[0]},2026-01-05 14:30",
        "6.1012E+17,2026-01-05 14:30",
    )
    with pytest.raises(Invalid) as error:
        customs_release.release_list(db_session, operator, departure.id, data)
    errors = {key: [str(m) for m in ms] for key, ms in error.value.errors.items()}
    assert errors == {
        "line 3": [f"No booking on this departure names declaration {unknown}."],
        "line 4": [
            "A release time as 2026-12-05 14:30 (Beijing time) or ISO 8601 with its offset."
        ],
        "line 5": ["The release time cannot be in the future."],
        "line 6": [f"Declaration {numbers[0]} is on line 2 already."],
        "line 7": ["A customs declaration number has 18 digits."],
    }
    db_session.rollback()
    assert all(b.customs_released_at is None for b in bookings)
    assert all(_events(db_session, b) == [] for b in bookings)


def test_a_line_naming_another_time_than_the_recorded_release_is_refused(
    db_session, operator, make_departure, confirmed
):
    departure, (booking, _other) = _train(make_departure, confirmed)
    customs_release.release(
        db_session, operator, booking.reference, NUMBER, datetime(2026, 1, 5, tzinfo=UTC)
    )
    db_session.commit()
    with pytest.raises(Invalid) as error:
        customs_release.release_list(
            db_session, operator, departure.id, _list(f"{NUMBER},2026-01-06 08:00")
        )
    assert "was released at 2026-01-05 08:00 already" in str(error.value.errors["line 1"][0])


@pytest.mark.parametrize(
    "data, message",
    [
        (b"", "The release list is empty."),
        (b"\r\n \r\n", "The release list is empty."),
        ("报关单号,放行时间\r\n".encode(), "The release list is empty."),
        (b"\x00\x01\x02\xff", "Save the release list as CSV in UTF-8 or GB18030."),
    ],
)
def test_an_empty_or_unreadable_list_is_refused_on_its_file(
    db_session, operator, make_departure, confirmed, data, message
):
    departure, _bookings = _train(make_departure, confirmed)
    db_session.commit()
    with pytest.raises(Invalid) as error:
        customs_release.release_list(db_session, operator, departure.id, data)
    assert [str(m) for m in error.value.errors["file"]] == [message]


def test_a_list_has_a_limit(db_session, operator, make_departure, confirmed):
    departure, _bookings = _train(make_departure, confirmed)
    db_session.commit()
    lines = _list(*[f"{NUMBER},2026-01-05 14:30"] * (customs_release.MAX_LINES + 1))
    with pytest.raises(Invalid) as error:
        customs_release.release_list(db_session, operator, departure.id, lines)
    assert [str(m) for m in error.value.errors["file"]] == [
        "A release list may have at most 5,000 lines."
    ]
    with pytest.raises(TooLarge):
        customs_release.release_list(
            db_session, operator, departure.id, b"1" * (customs_release.MAX_BYTES + 1)
        )


def test_a_list_for_a_route_without_release_or_a_departed_train_is_a_conflict(
    db_session, operator, make_departure
):
    east = make_departure("EAST")
    with pytest.raises(Conflict, match="needs no customs release"):
        customs_release.release_list(db_session, operator, east.id, _list(f"{NUMBER},2026-01-05"))
    with pytest.raises(NotFound):
        customs_release.release_list(db_session, operator, 99_999, _list(f"{NUMBER},x"))


def test_unreleased_references_lists_only_confirmed_bookings(
    db_session, operator, make_departure, confirmed, make_booking
):
    departure, (booking, other) = _train(make_departure, confirmed)
    make_booking(booking.company, departure=departure)  # received: the load check waits first
    customs_release.release(db_session, operator, booking.reference, NUMBER)
    db_session.commit()
    assert customs_release.unreleased_references(db_session, departure) == [other.reference]
    assert db_session.get(Booking, booking.id).customs_released_at is not None
