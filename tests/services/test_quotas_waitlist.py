"""Station quotas, the open pool, their release before each station's cut-off, and the
waitlist that promotes when room frees (DESIGN §14), through the services on the real
database."""

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select, update

from dryport.extensions import db
from dryport.models import (
    Booking,
    BookingEvent,
    BookingStatus,
    Departure,
    DepartureQuota,
    EventType,
    Role,
    WebhookDelivery,
)
from dryport.services import bookings, capacity, loading, operations, rolls, waitlist, webhooks
from dryport.services.clock import utcnow
from dryport.services.departures import station_cutoff
from dryport.services.errors import CapacityExceeded, Conflict, Invalid

RELEASE = timedelta(hours=24)  # QUOTA_RELEASE_HOURS of the tests' configuration


def booking_data(departure, teu: int = 1, origin: str = "HB", waitlist_: bool = False) -> dict:
    """What ``BookingCreateSchema`` loads for ``teu`` 20 ft boxes of tea from ``origin``."""
    return {
        "departure_id": departure.id, "origin_station": origin, "destination": "CNNGB",
        "consignee": {"name": "C", "address": "A"}, "notify_party": None,
        "cargo": {"description": "Tea", "hs_code": "090210",
                  "gross_weight_kg": Decimal(2_000 * teu), "has_dangerous_goods": False,
                  "packages": {"count": 10, "kind": "BG"}},
        "containers": [{"size_type": "22G1", "quantity": teu}],
        "waitlist": waitlist_,
    }  # fmt: skip


@pytest.fixture
def people(make_user):
    return {
        "shipper": make_user(Role.SHIPPER),
        "other": make_user(Role.SHIPPER),
        "operator": make_user(Role.OPERATOR),
        "clerk": make_user(Role.CLERK, station="HB"),
    }


@pytest.fixture
def book(people):
    def place(departure, teu=1, origin="HB", *, waitlist_=False, now=None, who="shipper"):
        booking = bookings.place_booking(
            db.session, people[who], booking_data(departure, teu, origin, waitlist_), now
        )
        db.session.commit()
        return booking

    return place


def quotas(departure, operator, wanted, now=None):
    departure = db.session.get(Departure, departure.id)
    data = {"version": departure.version, "quotas": wanted}
    operations.update_departure(db.session, operator, departure.id, data)
    db.session.commit()
    return db.session.get(Departure, departure.id)


def fresh(departure) -> Departure:
    db.session.expire_all()
    return db.session.get(Departure, departure.id)


def status(reference: str) -> BookingStatus:
    db.session.expire_all()
    return db.session.scalar(select(Booking.status).where(Booking.reference == reference))


def events(reference: str) -> list[EventType]:
    return list(
        db.session.scalars(
            select(BookingEvent.type)
            .join(Booking)
            .where(Booking.reference == reference)
            .order_by(BookingEvent.id)
        )
    )


def held_by_quota(departure, code: str) -> Decimal:
    state = {s.station.code: s for s in capacity.quota_state(fresh(departure))}
    return state[code].held_teu


# ---- quotas and the pool ------------------------------------------------------------------


def test_a_station_holds_in_its_quota_first_then_in_the_pool(people, make_departure, book):
    departure = quotas(make_departure(capacity=10, days=10), people["operator"],
                       [{"station": "HB", "teu": 4}])  # fmt: skip
    assert fresh(departure).reserved_teu == 4
    assert capacity.pool_available(fresh(departure)) == 6

    book(departure, 3)  # within Hanbin's quota: the pool keeps its 6
    assert capacity.pool_available(fresh(departure)) == 6
    book(departure, 6, "XY")  # Xunyang has no quota: the whole pool
    with pytest.raises(CapacityExceeded, match="1 TEU requested, 0 TEU free"):
        book(departure, 1, "XY")
    db.session.rollback()
    book(departure, 1)  # the last TEU of Hanbin's quota is still Hanbin's
    d = fresh(departure)
    assert (d.held_teu, d.reserved_teu) == (10, 0)
    assert held_by_quota(departure, "HB") == 4


def test_beyond_its_quota_a_station_books_in_the_pool(people, make_departure, book):
    departure = quotas(make_departure(capacity=10, days=10), people["operator"],
                       [{"station": "HB", "teu": 2}, {"station": "XY", "teu": 3}])  # fmt: skip
    assert capacity.pool_available(fresh(departure)) == 5
    book(departure, 6)  # 2 in Hanbin's quota, 4 in the pool
    assert capacity.pool_available(fresh(departure)) == 1
    with pytest.raises(CapacityExceeded, match="3 TEU requested, 1 TEU free"):
        book(departure, 3)  # the pool has 1; Xunyang's 3 are not Hanbin's
    db.session.rollback()
    book(departure, 4, "XY")  # Xunyang's 3 and the pool's last
    assert fresh(departure).held_teu == 10


def test_a_cancel_within_a_quota_gives_it_back_to_the_station(people, make_departure, book):
    departure = quotas(make_departure(capacity=6, days=10), people["operator"],
                       [{"station": "HB", "teu": 3}])  # fmt: skip
    first = book(departure, 2)
    book(departure, 3, "XY")  # the pool is full now
    bookings.cancel_booking(db.session, people["shipper"], first.reference)
    db.session.commit()
    with pytest.raises(CapacityExceeded):
        book(departure, 1, "XY")  # Hanbin's quota keeps its 3 again
    db.session.rollback()
    d = fresh(departure)
    assert (d.held_teu, d.reserved_teu) == (3, 3)
    book(departure, 3)


def test_quotas_are_refused_beyond_capacity_pool_or_for_unknown_stations(
    people, make_departure, book
):
    departure = make_departure(capacity=10, days=10)
    operator = people["operator"]

    def refused(wanted):
        with pytest.raises(Invalid) as caught:
            quotas(departure, operator, wanted)
        db.session.rollback()
        return caught.value.errors["quotas"]

    assert "more than the capacity" in str(refused([{"station": "HB", "teu": 6},
                                                     {"station": "XY", "teu": 5}]))  # fmt: skip
    assert refused([{"station": "NOPE", "teu": 1}]) == {0: {"station": ["No such station."]}}
    assert refused([{"station": "HB", "teu": 1}, {"station": "HB", "teu": 2}]) == {
        1: {"station": ["One quota per station."]}
    }
    book(departure, 8, "XY")
    assert "The pool has 2 TEU free" in str(refused([{"station": "HB", "teu": 3}]))
    assert db.session.scalar(select(func.count()).select_from(DepartureQuota)) == 0
    # what the station holds counts: Xunyang's 8 already fill a quota of 8
    d = quotas(departure, operator, [{"station": "XY", "teu": 8}, {"station": "HB", "teu": 2}])
    assert (d.quota_teu, d.reserved_teu) == (10, 2)


def test_capacity_cannot_drop_below_the_quotas_or_what_they_keep(people, make_departure):
    departure = quotas(make_departure(capacity=10, days=10), people["operator"],
                       [{"station": "HB", "teu": 6}])  # fmt: skip
    d = fresh(departure)
    with pytest.raises(Invalid) as caught:
        operations.update_departure(
            db.session, people["operator"], d.id, {"version": d.version, "capacity_teu": 5}
        )
    assert "6 TEU of the station quotas" in str(caught.value.errors["capacity_teu"])
    db.session.rollback()
    assert fresh(departure).capacity_teu == 10


def test_a_quota_is_released_exactly_at_its_time(people, make_departure, book):
    departure = quotas(make_departure(capacity=4, days=10), people["operator"],
                       [{"station": "ZY", "teu": 2}])  # fmt: skip
    d = fresh(departure)
    release_at = d.cutoff_at - timedelta(hours=3) - RELEASE  # Ziyang trucks 3 h to the hub
    assert capacity.quota_state(d)[0].release_at == release_at
    book(departure, 2, "XY")

    just_before = release_at - timedelta(microseconds=1)
    assert capacity.pool_available(d, just_before) == 0
    assert not capacity.quota_state(d, just_before)[0].released
    with pytest.raises(CapacityExceeded):
        book(departure, 1, "XY", now=just_before)
    db.session.rollback()

    assert capacity.quota_state(fresh(departure), release_at)[0].released  # read: on time
    assert capacity.pool_available(fresh(departure), release_at) == 2
    book(departure, 2, "XY", now=release_at)  # the booking itself writes the release
    d = fresh(departure)
    assert d.quotas[0].released_at == release_at
    assert (d.held_teu, d.reserved_teu) == (4, 0)


def test_a_released_quota_can_be_removed_but_not_changed(people, make_departure, book):
    departure = quotas(make_departure(capacity=4, days=10), people["operator"],
                       [{"station": "HB", "teu": 2}])  # fmt: skip
    d = fresh(departure)
    later = station_cutoff(d, d.quotas[0].station) - RELEASE
    waitlist.sweep(db.session, later)
    assert fresh(departure).quotas[0].released_at == later
    with pytest.raises(Invalid) as caught:
        quotas(departure, people["operator"], [{"station": "HB", "teu": 3}])
    assert caught.value.errors == {
        "quotas": {0: {"teu": ["Its release time has come: it can only be removed."]}}
    }
    db.session.rollback()
    d = quotas(departure, people["operator"], [])
    assert (d.quota_teu, d.reserved_teu, d.quotas) == (0, 0, [])


# ---- the waitlist -------------------------------------------------------------------------


def test_a_full_departure_takes_a_booking_on_its_waitlist_holding_nothing(
    people, make_departure, book
):
    departure = make_departure(capacity=2, days=10)
    book(departure, 2)
    with pytest.raises(CapacityExceeded):
        book(departure, 1)  # not asked to wait: refused as before
    db.session.rollback()
    waiting = book(departure, 1, waitlist_=True)
    assert status(waiting.reference) is BookingStatus.WAITLISTED
    assert events(waiting.reference) == [EventType.WAITLISTED]
    assert fresh(departure).held_teu == 2
    assert waitlist.positions(db.session, [waiting]) == {waiting.id: 1}
    roomy = book(make_departure(capacity=5, days=11), 1, waitlist_=True)
    assert roomy.status is BookingStatus.RECEIVED  # room: booked at once


def test_room_freed_promotes_the_oldest_waiting_booking_that_fits(people, make_departure, book):
    departure = make_departure(capacity=4, days=10)
    first = book(departure, 2)
    book(departure, 2)
    big = book(departure, 3, waitlist_=True)  # oldest, but 3 TEU
    small = book(departure, 2, waitlist_=True)
    last = book(departure, 2, waitlist_=True)
    assert waitlist.positions(db.session, [big, small, last]) == {
        big.id: 1, small.id: 2, last.id: 3,
    }  # fmt: skip

    bookings.cancel_booking(db.session, people["shipper"], first.reference)
    db.session.commit()
    # 2 TEU free: the oldest needs 3 and waits on; the next that fits goes, and only it
    assert status(big.reference) is BookingStatus.WAITLISTED
    assert status(small.reference) is BookingStatus.RECEIVED
    assert status(last.reference) is BookingStatus.WAITLISTED
    assert events(small.reference) == [EventType.WAITLISTED, EventType.PROMOTED]
    assert fresh(departure).held_teu == 4
    assert waitlist.positions(db.session, [big, last]) == {big.id: 1, last.id: 2}


def test_equal_timestamps_are_promoted_in_the_order_they_were_placed(people, make_departure, book):
    departure = make_departure(capacity=1, days=10)
    holder = book(departure, 1)
    at = utcnow()
    one = book(departure, 1, waitlist_=True, now=at)
    two = book(departure, 1, waitlist_=True, now=at, who="other")
    assert one.created_at == two.created_at and one.id < two.id
    bookings.cancel_booking(db.session, people["shipper"], holder.reference)
    db.session.commit()
    assert (status(one.reference), status(two.reference)) == (
        BookingStatus.RECEIVED, BookingStatus.WAITLISTED,
    )  # fmt: skip


@pytest.mark.parametrize("free", ["reject", "roll", "capacity", "amend"])
def test_every_kind_of_freed_room_promotes(free, people, make_departure, book):
    departure = make_departure(capacity=2, days=10)
    holder = book(departure, 2)
    waiting = book(departure, 1, waitlist_=True, who="other")
    if free == "reject":
        loading.reject_load(db.session, people["clerk"], holder.reference, "Damaged")
    elif free == "roll":
        target = make_departure(capacity=5, days=12)
        rolls.roll_booking(db.session, people["operator"], holder.reference, target.id)
    elif free == "capacity":
        d = fresh(departure)
        operations.update_departure(
            db.session, people["operator"], d.id, {"version": d.version, "capacity_teu": 3}
        )
    else:
        data = booking_data(departure, 1)
        data.pop("waitlist")
        data["version"] = holder.version
        bookings.amend_booking(db.session, people["shipper"], holder.reference, data)
    db.session.commit()
    assert status(waiting.reference) is BookingStatus.RECEIVED
    d = fresh(departure)
    assert d.held_teu <= d.capacity_teu


def test_a_quota_released_promotes_on_the_sweep_and_the_sweep_is_idempotent(
    people, make_departure, book
):
    departure = quotas(make_departure(capacity=3, days=10), people["operator"],
                       [{"station": "ZY", "teu": 2}])  # fmt: skip
    book(departure, 1, "XY")
    waiting = book(departure, 2, "XY", waitlist_=True)
    d = fresh(departure)
    at = d.cutoff_at - timedelta(hours=3) - RELEASE
    assert waitlist.sweep(db.session, at - timedelta(seconds=1)) == {
        "released": 0, "promoted": 0, "expired": 0,
    }  # fmt: skip
    assert status(waiting.reference) is BookingStatus.WAITLISTED
    assert waitlist.sweep(db.session, at) == {"released": 1, "promoted": 1, "expired": 0}
    assert status(waiting.reference) is BookingStatus.RECEIVED
    assert waitlist.sweep(db.session, at + timedelta(minutes=1)) == {
        "released": 0, "promoted": 0, "expired": 0,
    }  # fmt: skip
    d = fresh(departure)
    assert (d.held_teu, d.reserved_teu) == (3, 0)


def test_a_waiting_booking_expires_at_its_station_cutoff(people, make_departure, book):
    departure = make_departure(capacity=1, days=10)
    holder = book(departure, 1, "XY")
    waiting = book(departure, 1, "ZY", waitlist_=True)  # Ziyang: 3 h before the hub cut-off
    cutoff = station_cutoff(fresh(departure), waiting.origin_station)
    assert waitlist.sweep(db.session, cutoff - timedelta(seconds=1))["expired"] == 0
    assert status(waiting.reference) is BookingStatus.WAITLISTED
    assert waitlist.sweep(db.session, cutoff) == {"released": 0, "promoted": 0, "expired": 1}
    assert status(waiting.reference) is BookingStatus.EXPIRED
    assert events(waiting.reference) == [EventType.WAITLISTED, EventType.EXPIRED]
    # room freed later (Xunyang's cut-off is later) is no use to an expired booking
    bookings.cancel_booking(db.session, people["shipper"], holder.reference, now=cutoff)
    db.session.commit()
    assert status(waiting.reference) is BookingStatus.EXPIRED


def test_room_freed_after_a_waiting_cutoff_expires_it_instead(people, make_departure, book):
    departure = make_departure(capacity=1, days=10)
    holder = book(departure, 1, "XY")
    waiting = book(departure, 1, "ZY", waitlist_=True)
    cutoff = station_cutoff(fresh(departure), waiting.origin_station)
    bookings.cancel_booking(db.session, people["shipper"], holder.reference, now=cutoff)
    db.session.commit()
    assert status(waiting.reference) is BookingStatus.EXPIRED
    assert fresh(departure).held_teu == 0


def test_a_waiting_booking_may_be_cancelled_not_amended(people, make_departure, book):
    departure = make_departure(capacity=1, days=10)
    book(departure, 1)
    waiting = book(departure, 1, waitlist_=True)
    data = {"version": waiting.version, "consignee": {"name": "X", "address": "Y"}}
    with pytest.raises(Conflict, match="waitlist cannot be amended"):
        bookings.amend_booking(db.session, people["shipper"], waiting.reference, data)
    db.session.rollback()
    assert bookings.shipper_actions(people["shipper"], waiting) == {
        "amend": False, "cancel": True,
    }  # fmt: skip
    bookings.cancel_booking(db.session, people["shipper"], waiting.reference)
    db.session.commit()
    assert status(waiting.reference) is BookingStatus.CANCELLED
    assert fresh(departure).held_teu == 1


def test_waiting_bookings_expire_when_their_departure_is_cancelled(people, make_departure, book):
    departure = quotas(make_departure(capacity=4, days=10), people["operator"],
                       [{"station": "ZY", "teu": 2}])  # fmt: skip
    holder = book(departure, 2)
    waiting = book(departure, 3, waitlist_=True, who="other")  # the pool has 2, ZY keeps 2
    loading.reject_load(db.session, people["clerk"], holder.reference, "Damaged")
    db.session.commit()
    assert status(waiting.reference) is BookingStatus.WAITLISTED  # 3 TEU do not fit the pool
    operations.cancel_departure(db.session, people["operator"], departure.id)
    db.session.commit()
    assert status(waiting.reference) is BookingStatus.EXPIRED
    expired = db.session.scalars(
        select(BookingEvent).where(
            BookingEvent.booking_id == waiting.id, BookingEvent.type == EventType.EXPIRED
        )
    ).one()
    assert expired.details["reason"] == "DEPARTURE_CANCELLED"


def test_promotions_write_their_events_and_webhooks(people, make_departure, book):
    webhooks.create_endpoint(db.session, people["other"], "https://127.0.0.1:9/hook", "ERP")
    db.session.commit()
    departure = make_departure(capacity=1, days=10)
    holder = book(departure, 1)
    waiting = book(departure, 1, waitlist_=True, who="other")
    bookings.cancel_booking(db.session, people["shipper"], holder.reference)
    db.session.commit()
    event = db.session.scalars(
        select(BookingEvent).where(
            BookingEvent.booking_id == waiting.id, BookingEvent.type == EventType.PROMOTED
        )
    ).one()
    assert event.details == {"teu": "1", "service_no": departure.service_no,
                             "from": "WAITLISTED", "to": "RECEIVED"}  # fmt: skip
    sent = db.session.scalars(select(WebhookDelivery.event_type).order_by(WebhookDelivery.id))
    assert list(sent) == ["booking.waitlisted", "booking.promoted"]


# ---- what a review found: promotions no change may miss, and the sweep's repairs ---------


def test_a_booking_larger_than_the_train_is_refused_not_put_on_its_waitlist(
    people, make_departure, book
):
    departure = make_departure(capacity=2, days=10)
    with pytest.raises(CapacityExceeded):
        book(departure, 3, waitlist_=True)
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Booking)) == 0


def test_an_edit_that_settles_a_due_release_promotes(people, make_departure, book):
    departure = make_departure(capacity=4, days=0, departs_at=utcnow() + timedelta(hours=30))
    earlier = utcnow() - timedelta(hours=20)  # Hanbin's release came 19 hours ago
    capacity.set_quotas(db.session, departure, [{"station": "HB", "teu": 2}], earlier)
    db.session.commit()
    book(departure, 2, "XY", now=earlier)
    waiting = book(departure, 1, "XY", waitlist_=True, now=earlier)
    assert status(waiting.reference) is BookingStatus.WAITLISTED
    d = fresh(departure)
    operations.update_departure(
        db.session, people["operator"], d.id, {"version": d.version, "service_no": "X1"}
    )
    db.session.commit()
    assert status(waiting.reference) is BookingStatus.RECEIVED


def test_a_quota_moved_to_the_waiting_station_promotes(people, make_departure, book):
    departure = quotas(make_departure(capacity=6, days=10), people["operator"],
                       [{"station": "HB", "teu": 2}])  # fmt: skip
    book(departure, 4, "HK")
    waiting = book(departure, 1, "XY", waitlist_=True)
    quotas(departure, people["operator"], [{"station": "XY", "teu": 2}])
    assert status(waiting.reference) is BookingStatus.RECEIVED


def test_the_sweep_repairs_a_promotion_a_change_missed(people, make_departure, book):
    departure = make_departure(capacity=2, days=10)
    book(departure, 2)
    waiting = book(departure, 1, waitlist_=True, who="other")
    # room made behind the services' back, as a change that forgot to promote would
    db.session.execute(update(Departure).where(Departure.id == departure.id).values(capacity_teu=3))
    db.session.commit()
    assert waitlist.due_departures(db.session) == [departure.id]
    assert waitlist.sweep(db.session)["promoted"] == 1
    assert status(waiting.reference) is BookingStatus.RECEIVED
    assert waitlist.due_departures(db.session) == []  # nothing left to do: not swept again


def test_a_departure_the_sweep_fails_on_does_not_stop_the_others(
    people, make_departure, book, monkeypatch
):
    first, second = (make_departure(capacity=1, days=d) for d in (10, 11))
    waiting = []
    for departure in (first, second):
        holder = book(departure, 1)
        waiting.append(book(departure, 1, waitlist_=True, who="other"))
        db.session.execute(
            update(Departure).where(Departure.id == departure.id).values(capacity_teu=2)
        )
        db.session.commit()
        assert holder.status is BookingStatus.RECEIVED
    real = waitlist.promote

    def failing(session, departure, *args, **kwargs):
        if departure.id == first.id:
            raise RuntimeError("a bad moment of the database")
        return real(session, departure, *args, **kwargs)

    monkeypatch.setattr(waitlist, "promote", failing)
    assert waitlist.sweep(db.session)["promoted"] == 1
    assert status(waiting[0].reference) is BookingStatus.WAITLISTED  # rolled back, left due
    assert status(waiting[1].reference) is BookingStatus.RECEIVED
    assert waitlist.due_departures(db.session) == [first.id]


def test_a_quota_of_a_station_closed_since_is_kept_when_the_departure_is_saved(
    people, make_departure, station
):
    departure = quotas(make_departure(capacity=10, days=10), people["operator"],
                       [{"station": "NS", "teu": 2}])  # fmt: skip
    station("NS").active = False
    db.session.commit()
    kept = quotas(departure, people["operator"], [{"station": "NS", "teu": 2},
                                                  {"station": "HB", "teu": 1}])  # fmt: skip
    assert kept.quota_teu == 3
    with pytest.raises(Invalid):  # but no new quota for it
        quotas(make_departure(capacity=10, days=11), people["operator"],
               [{"station": "NS", "teu": 2}])  # fmt: skip
    db.session.rollback()
