"""A state machine over book, amend, cancel, confirm, reject, roll and depart, run through the
services on the real database: after every step the TEU (and kg) held on each departure equal
the sum of its live bookings and never exceed its capacity, and what a departed departure
carried, recorded for the reports when it left, still equals its shipped bookings."""

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
    BookingLine,
    Departure,
    DepartureStatus,
    Role,
    ShippedVolume,
    VgmMethod,
)
from dryport.services import bookings, loading, operations, rolls
from dryport.services.containers import cargo_limit_kg, make_number
from dryport.services.errors import DomainError

LINES = st.lists(
    st.tuples(st.sampled_from(["22G1", "42G1", "45G1"]), st.integers(1, 3)),
    min_size=1, max_size=2, unique_by=lambda line: line[0],
)  # fmt: skip


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
        "operator": make_user(Role.OPERATOR),
        "departures": [make_departure("EAST", days=d, capacity=c, capacity_kg=kg).id
                       for d, c, kg in ((5, 6, None), (6, 10, 60_000), (7, 4, None),
                                        (8, 12, None), (9, 8, 80_000), (10, 20, None))],
    }  # fmt: skip


def test_held_capacity_always_matches_the_bookings(world):
    session = db.session
    serials = iter(range(1, 100_000))

    def recorded(departure):
        """What ``depart`` recorded for the reports."""
        return set(
            session.execute(
                select(ShippedVolume.origin_station_id, ShippedVolume.teu,
                       ShippedVolume.gross_weight_kg, ShippedVolume.bookings, ShippedVolume.units)
                .where(ShippedVolume.departure_id == departure.id)
            )
        )  # fmt: skip

    def carried(departure):
        """What its shipped bookings add up to now: the same, whatever happened since."""
        units = (
            select(func.sum(BookingLine.quantity))
            .where(BookingLine.booking_id == Booking.id)
            .scalar_subquery()
        )
        return set(
            session.execute(
                select(Booking.origin_station_id, func.sum(Booking.teu),
                       func.sum(Booking.gross_weight_kg), func.count(), func.sum(units))
                .where(Booking.departure_id == departure.id,
                       Booking.status.in_(("DEPARTED", "ARRIVED")))
                .group_by(Booking.origin_station_id)
            )
        )  # fmt: skip

    class Capacity(RuleBasedStateMachine):
        def __init__(self):
            super().__init__()
            self.references: list[str] = []
            self.done: list[str] = []
            # Preconditions count attempts, not successes: which bookings succeed depends on
            # the database the runs share, and a precondition must not, or the rules a run
            # may draw would change under the same choices.
            self.attempts = 0

        def _pick(self, index: int) -> str | None:
            return self.references[index % len(self.references)] if self.references else None

        def _try(self, action):
            try:
                action()
                session.commit()
                self.done.append(action.__qualname__.split(".")[-3])
            except DomainError:
                session.rollback()

        @rule(
            departure=st.sampled_from(world["departures"]),
            lines=LINES,
            kg=st.integers(1_000, 40_000),
        )
        def book(self, departure, lines, kg):
            data = {
                "departure_id": departure, "origin_station": "HB", "destination": "CNNGB",
                "consignee": {"name": "C", "address": "A"}, "notify_party": None,
                "cargo": _cargo(kg, lines),
                "containers": [{"size_type": s, "quantity": q} for s, q in lines],
            }  # fmt: skip

            self.attempts += 1

            def place():
                booking = bookings.place_booking(session, world["shipper"], data)
                self.references.append(booking.reference)

            self._try(place)

        @precondition(lambda self: self.attempts)
        @rule(index=st.integers(0, 999), lines=LINES, kg=st.integers(1_000, 40_000))
        def amend(self, index, lines, kg):
            ref = self._pick(index)
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
            ref = self._pick(index)
            if ref is None:
                return
            self._try(lambda: bookings.cancel_booking(session, world["shipper"], ref))

        @precondition(lambda self: self.attempts)
        @rule(index=st.integers(0, 999), accept=st.booleans())
        def confirm(self, index, accept):
            ref = self._pick(index)
            if ref is None:
                return
            booking = bookings.get_booking(session, world["clerk"], ref)
            rows = [
                {"number": make_number("HKX", next(serials)), "size_type": line.size_type,
                 "seal": "S", "tare_kg": 2300, "vgm_kg": 20000,
                 "vgm_method": VgmMethod.METHOD_1, "vgm_certified_by": "Wang Fang"}
                for line in booking.lines for _ in range(line.quantity)
            ]  # fmt: skip
            # accepted, the weighed mass becomes the gross: the departure holds the difference
            self._try(
                lambda: loading.confirm_load(
                    session, world["clerk"], ref, rows, accept_weighed_mass=accept
                )
            )

        @precondition(lambda self: self.attempts)
        @rule(index=st.integers(0, 999))
        def reject(self, index):
            ref = self._pick(index)
            if ref is None:
                return
            self._try(lambda: loading.reject_load(session, world["clerk"], ref, "Damaged"))

        @precondition(lambda self: self.attempts)
        @rule(index=st.integers(0, 999), into=st.sampled_from(world["departures"]))
        def roll(self, index, into):
            # A live booking: a cancelled or rejected one is refused before capacity is asked.
            live = session.scalars(
                select(Booking.reference)
                .where(
                    Booking.reference.in_(self.references),
                    Booking.status.in_(("RECEIVED", "CONFIRMED")),
                )
                .order_by(Booking.id)
            ).all()
            ref = live[index % len(live)] if live else None
            if ref is None:
                return
            self._try(lambda: rolls.roll_booking(session, world["operator"], ref, into))

        @precondition(lambda self: self.attempts >= 3)
        @rule(departure=st.sampled_from(world["departures"][-2:]))  # the others stay open
        def depart(self, departure):
            # As an operator would: the loads still unchecked are turned away, then it leaves.
            waiting = session.scalars(
                select(Booking.reference).where(
                    Booking.departure_id == departure, Booking.status == "RECEIVED"
                )
            ).all()
            for ref in waiting:
                self._try(lambda ref=ref: loading.reject_load(session, world["clerk"], ref, "Late"))
            self._try(lambda: operations.depart(session, world["operator"], departure))

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

    # The runs share the database, so each one starts where the last left off; the invariant
    # holds across them all.
    Capacity.TestCase.settings = settings(
        max_examples=15, stateful_step_count=40, deadline=None, derandomize=True,
        suppress_health_check=list(HealthCheck), database=None,
    )  # fmt: skip
    done: list[str] = []
    original_teardown = Capacity.teardown

    def teardown(self):
        done.extend(self.done)
        original_teardown(self)

    Capacity.teardown = teardown
    Capacity.TestCase().runTest()
    # The machine really did book, amend, cancel, confirm, reject, roll and depart.
    assert {"book", "amend", "cancel", "confirm", "reject", "roll", "depart"} <= set(done), set(
        done
    )
