"""A state machine over book (from stations with and without quotas, asking to wait or not),
amend, cancel, confirm, reject, roll, depart, station quotas, their release, and capacity
changes, run through the services on the real database: after every step the TEU (and kg)
held on each departure equal the sum of its live bookings and never exceed its capacity,
neither the pool nor a quota is overdrawn, each quota's held TEU equal its station's
bookings, no waiting booking fits the room that is free (no promotion was lost), and what a
departed departure carried, recorded for the reports when it left (per origin station and per
company), still equals its shipped bookings. A variant whose promotions are lost must be caught."""

from decimal import Decimal

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule
from sqlalchemy import func, select

from dryport.extensions import db
from dryport.models import (
    HOLDING_STATUSES,
    Booking,
    BookingEvent,
    BookingLine,
    BookingStatus,
    Departure,
    DepartureQuota,
    DepartureStatus,
    EventType,
    Role,
    ShippedVolume,
    ShippedVolumeByCompany,
    Station,
    VgmMethod,
)
from dryport.services import bookings, capacity, loading, operations, rolls, waitlist
from dryport.services.clock import utcnow
from dryport.services.containers import cargo_limit_kg, make_number
from dryport.services.departures import station_cutoff
from dryport.services.errors import DomainError

LINES = st.lists(
    st.tuples(st.sampled_from(["22G1", "42G1", "45G1"]), st.integers(1, 3)),
    min_size=1, max_size=2, unique_by=lambda line: line[0],
)  # fmt: skip
#: Hanbin and Ziyang may get quotas; Xunyang books in the pool only.
STATIONS = ("HB", "ZY", "XY")
QUOTAS = st.lists(
    st.tuples(st.sampled_from(STATIONS[:2]), st.integers(1, 4)),
    max_size=2, unique_by=lambda quota: quota[0],
)  # fmt: skip


#: What departed departures carried, recorded for the reports: each table and its key. (The
#: machine's own source is left as it was: Hypothesis seeds its derandomized runs from it.)
RECORDED = ((ShippedVolume, "origin_station_id"), (ShippedVolumeByCompany, "company_id"))


def _cargo(kg: int, lines) -> dict:
    """A cargo as ``BookingCreateSchema`` loads it (the service's input), of ``kg`` or as much
    as the lines can carry when that is less (the machine explores capacity, not that rule)."""
    return {
        "description": "Tea", "hs_code": "090210",
        "gross_weight_kg": Decimal(min(kg, cargo_limit_kg(lines))),
        "packages": {"count": 400, "kind": "BG"}, "has_dangerous_goods": False,
    }  # fmt: skip


@pytest.fixture
def world(db_session, make_user, make_departure):
    return {
        "shipper": make_user(Role.SHIPPER),
        "clerk": make_user(Role.CLERK, station="HB"),
        "clerks": {code: make_user(Role.CLERK, station=code) for code in STATIONS},
        "station_codes": {
            station.id: station.code
            for station in db_session.scalars(select(Station).where(Station.code.in_(STATIONS)))
        },
        "operator": make_user(Role.OPERATOR),
        "departures": [make_departure("EAST", days=d, capacity=c, capacity_kg=kg).id
                       for d, c, kg in ((5, 6, None), (6, 10, 60_000), (7, 4, None),
                                        (8, 12, None), (9, 8, 80_000), (10, 20, None))],
    }  # fmt: skip


def test_held_capacity_always_matches_the_bookings(world):
    done = run_machine(world)
    # The machine really did book, amend, cancel, confirm, reject, roll and depart, set and
    # release quotas, and waited and promoted.
    assert {"book", "amend", "cancel", "confirm", "reject", "roll", "depart", "quotas",
            "release", "resize"} <= set(done), set(done)  # fmt: skip
    counts = dict(
        db.session.execute(
            select(BookingEvent.type, func.count())
            .where(BookingEvent.type.in_((EventType.WAITLISTED, EventType.PROMOTED)))
            .group_by(BookingEvent.type)
        ).all()
    )
    assert counts.get(EventType.WAITLISTED) and counts.get(EventType.PROMOTED), counts
    assert db.session.scalar(select(func.count()).where(DepartureQuota.released_at.is_not(None)))


def test_the_machine_catches_a_lost_promotion(world, monkeypatch):
    """The same machine, with promotions that never happen: a waiting booking is left
    behind room that fits it, and the invariant says so. (What it finds is collected rather
    than raised: the runs share the database, so a failing run cannot be replayed alike.)"""
    monkeypatch.setattr(waitlist, "promote", lambda *args, **kwargs: waitlist.Moved())
    found: list[str] = []
    run_machine(world, found=found)
    assert any("waits though it fits" in problem for problem in found), found


def run_machine(world, found: list[str] | None = None) -> list[str]:
    """Run the machine; the names of the steps that did something. With ``found``, what the
    invariant of the waitlist finds wrong is added to it instead of failing the run."""
    session = db.session
    serials = iter(range(1, 100_000))

    def recorded(departure):
        """What ``depart`` recorded for the reports, in each table by its key."""
        return [
            set(
                session.execute(
                    select(getattr(table, by), table.teu, table.gross_weight_kg, table.bookings,
                           table.units)
                    .where(table.departure_id == departure.id)
                )
            )
            for table, by in RECORDED
        ]  # fmt: skip

    def carried(departure):
        """What its shipped bookings add up to now, by each table's key: the same, whatever
        happened since."""
        units = (
            select(func.sum(BookingLine.quantity))
            .where(BookingLine.booking_id == Booking.id)
            .scalar_subquery()
        )
        return [
            set(
                session.execute(
                    select(getattr(Booking, by), func.sum(Booking.teu),
                           func.sum(Booking.gross_weight_kg), func.count(), func.sum(units))
                    .where(Booking.departure_id == departure.id,
                           Booking.status.in_(("DEPARTED", "ARRIVED")))
                    .group_by(getattr(Booking, by))
                )
            )
            for _, by in RECORDED
        ]  # fmt: skip

    class Capacity(RuleBasedStateMachine):
        def __init__(self):
            super().__init__()
            self.references: list[str] = []
            self.done: list[str] = []
            # Preconditions count attempts, not successes: which bookings succeed depends on
            # the database the runs share, and a precondition must not, or the rules a run
            # may draw would change under the same choices.
            self.attempts = 0

        def _pick_in(self, index: int, *statuses: str) -> str | None:
            """One of the machine's bookings in one of ``statuses``."""
            refs = session.scalars(
                select(Booking.reference)
                .where(Booking.reference.in_(self.references), Booking.status.in_(statuses))
                .order_by(Booking.id)
            ).all()
            return refs[index % len(refs)] if refs else None

        def _try(self, action, name: str | None = None):
            """Run ``action``, committed, or rolled back when a rule refuses it; note the step
            (``name``, else the rule's) as done."""
            try:
                action()
                session.commit()
                self.done.append(name or action.__qualname__.split(".")[-3])
            except DomainError:
                session.rollback()

        @rule(
            departure=st.sampled_from(world["departures"]),
            lines=LINES,
            kg=st.integers(1_000, 40_000),
            origin=st.sampled_from(STATIONS),
            wait=st.booleans(),
        )
        def book(self, departure, lines, kg, origin, wait):
            data = {
                "departure_id": departure, "origin_station": origin, "destination": "CNNGB",
                "consignee": {"name": "C", "address": "A"}, "notify_party": None,
                "cargo": _cargo(kg, lines),
                "containers": [{"size_type": s, "quantity": q} for s, q in lines],
                "waitlist": wait,
            }  # fmt: skip

            self.attempts += 1

            def place():
                booking = bookings.place_booking(session, world["shipper"], data)
                self.references.append(booking.reference)

            self._try(place)

        @rule(
            departure=st.sampled_from(world["departures"]),
            teu=st.integers(1, 2),
            origin=st.sampled_from(STATIONS),
        )
        def wait(self, departure, teu, origin):
            """A small booking asking to wait: those the frees can promote."""
            self.book(departure, [("22G1", teu)], 2_000 * teu, origin, True)

        @precondition(lambda self: self.attempts)
        @rule(index=st.integers(0, 999), lines=LINES, kg=st.integers(1_000, 40_000))
        def amend(self, index, lines, kg):
            ref = self._pick_in(index, "RECEIVED")  # what may be amended
            if ref is None:
                return
            booking = bookings.get_booking(session, world["shipper"], ref)
            data = {
                "version": booking.version,
                "cargo": _cargo(kg, lines),
                "containers": [{"size_type": s, "quantity": q} for s, q in lines],
            }
            self._try(lambda: bookings.amend_booking(session, world["shipper"], ref, data))

        @precondition(lambda self: self.attempts)
        @rule(index=st.integers(0, 999))
        def cancel(self, index):
            ref = self._pick_in(index, "WAITLISTED", "RECEIVED", "CONFIRMED")
            if ref is None:
                return
            self._try(lambda: bookings.cancel_booking(session, world["shipper"], ref))

        @precondition(lambda self: self.attempts)
        @rule(index=st.integers(0, 999), accept=st.booleans())
        def confirm(self, index, accept):
            ref = self._pick_in(index, "RECEIVED")
            if ref is None:
                return
            booking = bookings.get_booking(session, world["operator"], ref)
            clerk = world["clerks"][booking.origin_station.code]
            rows = [
                {"number": make_number("HKX", next(serials)), "size_type": line.size_type,
                 "seal": "S", "tare_kg": 2300, "vgm_kg": 20000,
                 "vgm_method": VgmMethod.METHOD_1, "vgm_certified_by": "Wang Fang"}
                for line in booking.lines for _ in range(line.quantity)
            ]  # fmt: skip
            # accepted, the weighed mass becomes the gross: the departure holds the difference
            self._try(
                lambda: loading.confirm_load(session, clerk, ref, rows, accept_weighed_mass=accept)
            )

        @precondition(lambda self: self.attempts)
        @rule(index=st.integers(0, 999))
        def reject(self, index):
            ref = self._pick_in(index, "RECEIVED")
            if ref is None:
                return
            clerk = world["clerks"][bookings.get_booking(session, world["operator"], ref)
                                    .origin_station.code]  # fmt: skip
            self._try(lambda: loading.reject_load(session, clerk, ref, "Damaged"))

        @precondition(lambda self: self.attempts)
        @rule(index=st.integers(0, 999), into=st.sampled_from(world["departures"]))
        def roll(self, index, into):
            # A live booking: a cancelled or rejected one is refused before capacity is asked.
            ref = self._pick_in(index, "RECEIVED", "CONFIRMED")
            if ref is None:
                return
            self._try(lambda: rolls.roll_booking(session, world["operator"], ref, into))

        @precondition(lambda self: self.attempts >= 3)
        @rule(departure=st.sampled_from(world["departures"][-2:]))  # the others stay open
        def depart(self, departure):
            # As an operator would: the loads still unchecked are turned away, then it leaves.
            waiting = session.execute(
                select(Booking.reference, Booking.origin_station_id).where(
                    Booking.departure_id == departure, Booking.status == "RECEIVED"
                )
            ).all()
            for ref, station_id in waiting:
                clerk = world["clerks"][world["station_codes"][station_id]]
                self._try(
                    lambda ref=ref, c=clerk: loading.reject_load(session, c, ref, "Late"), "reject"
                )
            self._try(lambda: operations.depart(session, world["operator"], departure))

        @precondition(lambda self: self.attempts)
        @rule(departure=st.sampled_from(world["departures"]), wanted=QUOTAS)
        def quotas(self, departure, wanted):
            def set_quotas():
                version = session.get(Departure, departure).version
                data = {"version": version,
                        "quotas": [{"station": s, "teu": teu} for s, teu in wanted]}  # fmt: skip
                operations.update_departure(session, world["operator"], departure, data)

            self._try(set_quotas)

        @precondition(lambda self: self.attempts)
        @rule(departure=st.sampled_from(world["departures"]))
        def release(self, departure):
            # Time moves on to the release of this departure's quotas: the sweep releases them
            # (and those of departures due sooner) and promotes what then fits.
            quotas = capacity.quota_state(session.get(Departure, departure))
            if not quotas or all(q.released for q in quotas):
                return
            at = max(q.release_at for q in quotas)
            if waitlist.sweep(session, at)["released"]:
                self.done.append("release")

        @precondition(lambda self: self.attempts)
        @rule(departure=st.sampled_from(world["departures"]), change=st.integers(-3, 3))
        def resize(self, departure, change):
            def resize():
                d = session.get(Departure, departure)
                data = {"version": d.version, "capacity_teu": max(1, d.capacity_teu + change)}
                operations.update_departure(session, world["operator"], departure, data)

            self._try(resize)

        @invariant()
        def held_equals_live_bookings_within_capacity(self):
            session.expire_all()
            for departure in session.scalars(select(Departure)):
                teu, kg = session.execute(
                    select(func.coalesce(func.sum(Booking.teu), 0),
                           func.coalesce(func.sum(Booking.gross_weight_kg), 0))
                    .where(Booking.departure_id == departure.id,
                           Booking.status.in_(HOLDING_STATUSES))
                ).one()  # fmt: skip
                assert departure.held_teu == teu, departure
                assert departure.held_kg == kg, departure
                assert departure.held_teu <= departure.capacity_teu
                if departure.capacity_kg is not None:
                    assert departure.held_kg <= departure.capacity_kg
                self.quotas_hold(departure)
                self.nobody_waits_who_fits(departure)
                if departure.status is DepartureStatus.DEPARTED:
                    assert (
                        session.scalar(
                            select(func.count()).where(
                                Booking.departure_id == departure.id, Booking.status == "RECEIVED"
                            )
                        )
                        == 0
                    )
                    assert recorded(departure) == carried(departure), departure

        def quotas_hold(self, departure):
            """Neither the pool nor a quota overdrawn; each quota's held TEU its station's."""
            assert departure.held_teu + departure.reserved_teu <= departure.capacity_teu
            held = dict(
                session.execute(
                    select(Booking.origin_station_id, func.sum(Booking.teu))
                    .where(Booking.departure_id == departure.id,
                           Booking.status.in_(HOLDING_STATUSES))
                    .group_by(Booking.origin_station_id)
                ).all()
            )  # fmt: skip
            kept = Decimal(0)
            for quota in departure.quotas:
                assert quota.held_teu == held.get(quota.station_id, 0), (departure, quota)
                if quota.released_at is None:
                    kept += max(Decimal(0), quota.teu - quota.held_teu)
            assert departure.reserved_teu == kept, departure
            assert departure.quota_teu == sum(q.teu for q in departure.quotas)

        def nobody_waits_who_fits(self, departure):
            """Every freeing of room promoted who then fit: none waits that fits now."""
            if departure.status is not DepartureStatus.SCHEDULED:
                return
            now = utcnow()
            for booking in session.scalars(
                select(Booking).where(
                    Booking.departure_id == departure.id,
                    Booking.status == BookingStatus.WAITLISTED,
                )
            ):
                if now >= station_cutoff(departure, booking.origin_station):
                    continue  # the sweep expires it
                free = capacity.available_for(departure, booking.origin_station_id, now)
                kg_free = (
                    departure.capacity_kg - departure.held_kg
                    if departure.capacity_kg is not None
                    else booking.gross_weight_kg
                )
                fits = booking.teu <= free and booking.gross_weight_kg <= kg_free
                problem = f"{booking.reference} waits though it fits: {free} TEU free"
                if found is None:
                    assert not fits, problem
                elif fits:
                    found.append(problem)

    # The runs share the database, so each one starts where the last left off; the invariant
    # holds across them all.
    Capacity.TestCase.settings = settings(
        max_examples=20, stateful_step_count=40, deadline=None, derandomize=True,
        suppress_health_check=list(HealthCheck), database=None,
    )  # fmt: skip
    done: list[str] = []
    original_teardown = Capacity.teardown

    def teardown(self):
        done.extend(self.done)
        original_teardown(self)

    Capacity.teardown = teardown
    Capacity.TestCase().runTest()
    return done
