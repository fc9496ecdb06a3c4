"""Bookings: placing, amending and cancelling them within the capacity and cut-off rules,
finding them within the user's scope, and their timeline.

Every state change writes one ``BookingEvent``. A change made on a stale copy (the booking
changed since the client read it) is a ``Conflict``, never a silent overwrite.
"""

from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    Integer,
    Select,
    Text,
    bindparam,
    case,
    cast,
    exists,
    func,
    insert,
    literal,
    or_,
    select,
    true,
    union_all,
    update,
)
from sqlalchemy.dialects.postgresql import REGCLASS
from sqlalchemy.orm import Session, joinedload, selectinload
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.exc import StaleDataError

from dryport.db import NewRow, attach, execute_direct, first_row, loaded
from dryport.models import (
    Booking,
    BookingEvent,
    BookingLine,
    BookingStatus,
    Company,
    Container,
    Departure,
    EventType,
    Role,
    Route,
    User,
    Waybill,
)
from dryport.services import (
    capacity,
    pricing,
    reference_cache,
    sequences,
    shipment,
    waitlist,
    webhooks,
)
from dryport.services.access import booking_scope, require_role
from dryport.services.clock import local_day_start, local_today, to_local, utcnow
from dryport.services.containers import format_teu, reefer_setpoint_problem, total_teu
from dryport.services.departures import check_cutoff, station_cutoff
from dryport.services.errors import CapacityExceeded, Conflict, Invalid, NotFound, stale
from dryport.services.pagination import Page, Sorting, key_name, order_by, paginate
from dryport.services.search import matches, search_text

CANCELLABLE = (BookingStatus.WAITLISTED, BookingStatus.RECEIVED, BookingStatus.CONFIRMED)


SORTING = Sorting(
    columns={
        "created_at": Booking.created_at,
        "updated_at": Booking.updated_at,
        "reference": Booking.reference,
        "status": Booking.status,
        "teu": Booking.teu,
        "departs_at": Departure.departs_at,
    },
    default=("-created_at",),
    tiebreak=Booking.id,
)
EVENT_SORTING = Sorting(columns={"at": BookingEvent.at}, default=("at",), tiebreak=BookingEvent.id)


def bookings_query(
    user: User,
    status: BookingStatus | None = None,
    route: str | None = None,
    departure_id: int | None = None,
    month: date | None = None,
    sort: Sequence[str] | None = None,
    details: bool = True,
    q: str | None = None,
) -> Select:
    """The bookings ``user`` may see, optionally filtered, in the order of ``sort`` (keys of
    ``SORTING``; newest first by default); ``month`` is the departure month (first day of it)
    in Asia/Shanghai; ``q`` is a search (``booking_matches``). The departure is joined for a
    filter or the order only when one needs it; the join that loads it is a second one.
    What a list shows of each booking is loaded with the page: with ``details`` (the API's
    booking) its departure, origin, destination and port of discharge, joined to the rows,
    and its lines, containers and waybills; without (the web list) its company, departure,
    origin and destination, joined."""
    if details:
        joined = [Booking.departure, Booking.origin_station, Booking.destination_place,
                  Booking.discharge_place]  # fmt: skip
        collections = [Booking.lines, Booking.containers, Booking.waybills]
    else:
        joined = [Booking.company, Booking.departure, Booking.origin_station,
                  Booking.destination_place]  # fmt: skip
        collections = []
    stmt = (
        select(Booking)
        .where(booking_scope(user))
        .options(*map(joinedload, joined), *map(selectinload, collections))
    )
    if status is not None:
        stmt = stmt.where(Booking.status == status)
    if departure_id is not None:
        stmt = stmt.where(Booking.departure_id == departure_id)
    if q := search_text(q):
        stmt = stmt.where(booking_matches(q))
    if route or month or "departs_at" in map(key_name, sort or ()):
        stmt = stmt.join(Booking.departure)
    if route:
        stmt = stmt.join(Departure.route).where(Route.code == route)
    if month:
        following = date(month.year + month.month // 12, month.month % 12 + 1, 1)
        stmt = stmt.where(
            Departure.departs_at >= local_day_start(month),
            Departure.departs_at < local_day_start(following),
        )
    return order_by(stmt, sort, SORTING)


def bookings_page(
    session: Session,
    user: User,
    page: int = 1,
    page_size: int = 25,
    cursor: str | None = None,
    q: str | None = None,
    sort: Sequence[str] | None = None,
    **filters,
) -> Page:
    """One page of ``bookings_query(user, **filters)`` in the order of ``sort``: by number,
    or after ``cursor`` (``pagination.paginate``: counts stop at ``COUNT_LIMIT``, an invalid
    cursor is ``Invalid``). A search ``q`` tests a bounded window of the list per page
    (``SEARCH_WINDOW`` rows), so a search costs the same on a million bookings as on a
    thousand; the cursor goes on through the rest. The scope is applied on every page: a
    cursor only says where to start, never what may be seen."""
    q = search_text(q)
    return paginate(
        session,
        bookings_query(user, sort=sort, **filters),
        page,
        page_size,
        sorting=SORTING,
        sort=sort,
        cursor=cursor,
        search=booking_matches(q) if q else None,
    )


def booking_matches(q: str):
    """True for a booking whose reference, consignee, company (the shipper's name), one of
    its containers' numbers or one of its waybills' numbers contains ``q`` (the search rule
    of ``services.search``). Containers and waybills are tested with EXISTS, so a booking
    with several matches is still one row; containers no longer live count too (an arrived
    or cancelled booking is still found by the boxes it carried)."""
    return or_(
        matches(q, Booking.reference, Booking.consignee_name),
        Booking.company_id.in_(select(Company.id).where(matches(q, Company.name))),
        exists().where(Container.booking_id == Booking.id, matches(q, Container.number)),
        exists().where(Waybill.booking_id == Booking.id, matches(q, Waybill.number)),
    )


def get_booking_for_change(
    session: Session, user: User, reference: str, *also_lock: int
) -> Booking:
    """The booking, read again after locking its departure row (and ``also_lock``, in id
    order) until commit.

    Every change of a booking's status or departure takes this lock first, so two changes
    of the same booking queue on PostgreSQL instead of both acting on what they read before
    the other committed; the loser then sees the winner's status and version. (SQLite's
    writers are serialised already.)

    Departure rows are only ever locked all at once, in id order, so no two changes wait
    for each other's rows. A roll that won the race may have moved the booking to another
    departure while this waited: going on would lock that one out of order (a deadlock),
    so that is a ``Conflict`` (stale), as any other change made meanwhile.
    """
    booking = get_booking(session, user, reference, timeline=False)
    ids = lock_departures(session, [booking.departure_id, *also_lock])
    session.refresh(booking)
    if booking.departure_id not in ids:
        raise stale()
    return booking


def lock_departures(session: Session, ids) -> set[int]:
    """Lock the rows of the departures ``ids`` until commit, in id order (the one order of
    every departure lock); return the ids.

    Every departure lock is ``FOR NO KEY UPDATE`` (PostgreSQL), the lock an UPDATE of the row
    takes: a booking written before its capacity hold keeps a ``FOR KEY SHARE`` lock on its
    departure (the foreign key's), which ``FOR UPDATE`` would wait for — two bookings waiting
    for each other's key lock to take the row, a deadlock."""
    ids = set(ids)
    session.execute(
        select(Departure.id)
        .where(Departure.id.in_(ids))
        .order_by(Departure.id)
        .with_for_update(key_share=True)
    )
    return ids


def get_booking(session: Session, user: User, reference: str, timeline: bool = True) -> Booking:
    """The booking with ``reference`` if ``user`` may see it (with its timeline loaded, unless
    ``timeline`` is false).

    Raises ``NotFound`` both when it does not exist and when it is outside the user's scope,
    so that a reference of another company reveals nothing.
    """
    loads = [
        selectinload(Booking.lines),
        selectinload(Booking.containers),
        selectinload(Booking.destination_place),
    ]
    if timeline:
        loads.append(selectinload(Booking.events))
    booking = session.scalar(
        select(Booking).where(Booking.reference == reference, booking_scope(user)).options(*loads)
    )
    if booking is None:
        raise NotFound()
    return booking


def events_query(
    session: Session, user: User, reference: str, sort: Sequence[str] | None = None
) -> Select:
    """The timeline of the booking with ``reference``, in the order of ``sort`` (keys of
    ``EVENT_SORTING``; oldest first by default). Raises ``NotFound`` as ``get_booking`` does."""
    booking = get_booking(session, user, reference, timeline=False)
    stmt = select(BookingEvent).where(BookingEvent.booking_id == booking.id)
    return order_by(stmt, sort, EVENT_SORTING)


def shipper_actions(user: User, booking: Booking, now: datetime | None = None) -> dict:
    """What the shipper may still do with ``booking``: the same rules the actions enforce."""
    allowed = {"amend": False, "cancel": False}
    if user.role is not Role.SHIPPER or booking.company_id != user.company_id:
        return allowed
    if (now or utcnow()) >= station_cutoff(booking.departure, booking.origin_station):
        return allowed
    allowed["amend"] = booking.status is BookingStatus.RECEIVED  # not WAITLISTED: it waits as asked
    allowed["cancel"] = booking.status in CANCELLABLE
    return allowed


def record_event(
    session: Session,
    booking: Booking,
    actor: User | None,
    type_: EventType,
    at: datetime | None = None,
    **details,
) -> BookingEvent:
    """Append an entry to the booking's timeline (at ``at``, default now)."""
    event = BookingEvent(
        booking=booking,
        actor_id=actor.id if actor else None,  # by key: no relationship for the flush
        type=type_,
        at=at or utcnow(),
        details=details,
    )
    session.add(event)
    webhooks.note_event(session, event)
    return event


def booking_teu(lines) -> Decimal:
    """TEU of requested lines (dicts with ``size_type`` and ``quantity``), by the port's rule
    for 45 ft containers."""
    return total_teu(
        ((line["size_type"], line["quantity"]) for line in lines),
        current_app.config["TEU_PER_45FT"],
    )


def new_reference(session: Session, at: datetime) -> str:
    """The next booking reference of the month of ``at`` (Asia/Shanghai): ``HK2612-00042``.
    Drawn from a database sequence on PostgreSQL (``sequences.draw``), which no other
    booking waits for: a booking refused after drawing leaves its number unused."""
    return _next_reference(session, _month(at))


def _next_reference(session: Session, month: str) -> str:
    return reference_text(month, sequences.draw(session, f"booking:{month}"))


def reference_text(month: str, number: int) -> str:
    """Booking number ``number`` of ``month`` (``2612``): ``HK2612-00042``, five digits at
    least. (``_written`` writes the same on PostgreSQL.)"""
    return f"{_reference_prefix(month)}{number:05d}"


def _reference_prefix(month: str) -> str:
    return f"HK{month}-"


def _month(at: datetime) -> str:
    return to_local(at).strftime("%y%m")


def _write(
    session: Session,
    booking: Booking,
    event: BookingEvent,
    now: datetime,
    hold: tuple[Departure, Decimal, Decimal] | None = None,
) -> bool:
    """Number ``booking`` (in the month of ``now``) and INSERT it, its lines and its event,
    not by the unit of work (most of a flush's cost is its bookkeeping); set on them what
    the database gave them, then put them in the session as if loaded.

    Their rows are worked out first (``db.NewRow``), so that no lock is held meanwhile. On
    PostgreSQL one statement writes them all, the number drawn within it from the month's
    sequence: one round trip, not four; with ``hold`` (the departure, TEU and kg), when the
    departure as read takes them the fast way (``capacity.holds_at_once``), the same
    statement holds them first (``capacity.HOLD``) and writes nothing if it refuses. Returns
    whether the TEU are held; if not, the caller holds them (``capacity.hold``). On SQLite
    the counter is the first write, which takes the database's write lock until the commit
    (``db.lock_at_first_write``), then the three INSERTs, which cost no round trip."""
    rows = NewRow(booking), [NewRow(line) for line in booking.lines], NewRow(event)
    month = _month(now)
    held, number = False, None
    if session.get_bind().dialect.name == "postgresql":
        if hold is not None and capacity.holds_at_once(*hold):
            held, number = _write_at_once(session, month, *rows, hold=hold)
        if not held and not _write_at_once(session, month, *rows, number=number)[0]:
            raise RuntimeError(f"booking of {month} not written")  # only a hold refuses
    else:
        rows[0].set("reference", _next_reference(session, month))
        rows[0].insert(session)
        for row in (*rows[1], rows[2]):
            row.set("booking_id", booking.id)
            row.insert(session)
    set_committed_value(booking, "events", [event])
    set_committed_value(event, "booking", booking)  # read at the commit (the outbox)
    attach(session, booking, *booking.lines, event)
    return held


_WRITTEN: dict = {}


def _write_at_once(
    session: Session, month: str, booking, lines, event, hold=None, number: int | None = None
) -> tuple[bool, int | None]:
    """``_write`` on PostgreSQL: one statement (built once per shape of its rows), numbered
    ``number`` if given. Returns whether it wrote, and the number it drew for that: with
    ``hold``, nothing is written when the hold is refused, and a number drawn meanwhile
    (the month's first booking's, see below) is handed back for the next try."""
    shape = (booking.shape, tuple(line.shape for line in lines), event.shape, hold is not None)
    statement = _WRITTEN.get(shape)
    if statement is None:
        statement = _WRITTEN[shape] = _written(booking, lines, event, hold is not None)
    parameters = {
        "sequence": sequences.sequence_name(f"booking:{month}"),
        "prefix": _reference_prefix(month),
        "number": number,
        **{f"b_{key}": value for key, value in booking.values.items()},
        **{f"e_{key}": value for key, value in event.values.items()},
    }
    for i, line in enumerate(lines):
        parameters.update({f"l{i}_{key}": value for key, value in line.values.items()})
    if hold is not None:
        departure, teu, kg = hold
        parameters.update(departure_id=departure.id, teu=teu, kg=kg, held_at=utcnow())
    (row,) = execute_direct(session, statement, parameters)
    if row.number is None and number is None and (hold is None or not row.sequenced):
        # The month's first booking: its sequence is made (``sequences.draw``) and the
        # statement runs again with the number drawn.
        number = parameters["number"] = sequences.draw(session, f"booking:{month}")
        (row,) = execute_direct(session, statement, parameters)
    if row.number is None:  # the hold was refused: nothing written
        return False, number
    if hold is not None:
        capacity.locked(departure, {column.key: row._mapping[column.key] for column in _HELD})
    booking.fetched_into(row[1 : 1 + len(booking.fetched)])
    booking.set("reference", row.reference)
    event.obj.booking_id = booking.obj.id
    event.fetched_into((row.event_id,))
    ids = row.line_ids
    for line in lines:
        line.obj.booking_id = booking.obj.id
        line.fetched_into((ids[line.obj.size_type],))
    return True, number


#: What the departure's row says once ``capacity.HOLD`` has held (its RETURNING).
_HELD = capacity.HOLD.exported_columns


def _written(booking, lines, event, hold: bool):
    """The statement of ``_write_at_once``: the number (``:number``, else the sequence's
    next value if the sequence exists), then the booking numbered with it, its lines and
    its event, each INSERT taking the booking's id from the one before. When the sequence
    does not exist, nothing is written and ``number`` is NULL.

    With ``hold``, the departure's TEU are held first (``capacity.HOLD``, which locks its
    row), and the number is drawn only once they are: a refused hold writes nothing and
    draws nothing (``number`` NULL, ``sequenced`` true: the sequence exists); without the
    sequence and a number given, nothing is held either (``sequenced`` false)."""
    sequence = bindparam("sequence", type_=Text)
    given_number = bindparam("number", type_=Integer)
    sequenced = func.to_regclass(sequence).is_not(None)
    number = select(
        func.coalesce(
            given_number,
            case((sequenced, func.nextval(cast(sequence, REGCLASS)))),
        ).label("v")
    )
    if hold:
        held = (
            capacity.HOLD.where(or_(given_number.is_not(None), sequenced))
            # as its ``onupdate`` sets it when it runs alone (a CTE's is not filled in)
            .values(updated_at=bindparam("held_at", type_=capacity.HOLD.table.c.updated_at.type))
            .cte("held")
        )
        number = number.select_from(held)
    number = number.cte("number")
    digits = cast(number.c.v, Text)
    reference = bindparam("prefix", type_=Text) + case(
        (number.c.v < 100_000, func.lpad(digits, 5, "0")), else_=digits
    )

    def given(prefix, row):
        return [bindparam(f"{prefix}{key}", type_=row.table.c[key].type) for key in row.values]

    written = (
        insert(booking.table)
        .from_select(
            ["reference", *booking.values],
            select(reference, *given("b_", booking)).where(number.c.v.is_not(None)),
            include_defaults=False,  # the row's own defaults are in its values already
        )
        .returning(*booking.fetched, booking.table.c.reference)
        .cte("booking")
    )
    # The lines in the order asked, their ids given in that order (``Booking.lines`` is
    # ordered by id): numbered, and inserted sorted by that number.
    keys = list(lines[0].values)
    each = [
        select(
            written.c.id.label("booking_id"),
            literal(i, Integer).label("asked"),
            *(value.label(key) for key, value in zip(keys, given(f"l{i}_", line), strict=True)),
        )
        for i, line in enumerate(lines)
    ]
    asked = (each[0] if len(each) == 1 else union_all(*each)).subquery("asked")
    line_table = lines[0].table
    lines_written = (
        insert(line_table)
        .from_select(
            ["booking_id", *keys],
            select(asked.c.booking_id, *(asked.c[key] for key in keys)).order_by(asked.c.asked),
            include_defaults=False,
        )
        .returning(line_table.c.id, line_table.c.size_type)
        .cte("lines")
    )
    event_written = (
        insert(event.table)
        .from_select(
            ["booking_id", *event.values],
            select(written.c.id, *given("e_", event)),
            include_defaults=False,
        )
        .returning(event.table.c.id)
        .cte("event")
    )
    line_ids = select(func.json_object_agg(lines_written.c.size_type, lines_written.c.id))
    # One row whatever was written: from the number, or with a hold (which may leave no
    # number) from the sequence's presence, then what the hold returned.
    joined, held_columns = number, []
    if hold:
        first = select(sequenced.label("sequenced")).subquery("first")
        joined = first.outerjoin(number, true()).outerjoin(held, true())
        held_columns = [first.c.sequenced, *(held.c[column.key] for column in _HELD)]
    for part in (written, event_written):
        joined = joined.outerjoin(part, true())
    return select(
        number.c.v.label("number"),
        *(written.c[column.key] for column in booking.fetched),
        written.c.reference,
        event_written.c.id.label("event_id"),
        line_ids.scalar_subquery().label("line_ids"),
        *held_columns,
    ).select_from(joined)


# Built once: every booking placed asks it. The departure, with the number of the reference
# data its route, station and tariffs are taken from (``services.reference_cache``), and
# whether the company has a webhook endpoint to tell (most have none: no query for them).
_DEPARTURE = select(
    *Departure.__table__.columns, reference_cache.GENERATION.label("generation"),
    webhooks.ANY_ENDPOINT,
).where(Departure.id == bindparam("departure_id"))  # fmt: skip


def place_booking(session: Session, user: User, data: dict, now: datetime | None = None):
    """Book space for a shipper's company on a departure, from an origin station.

    ``data`` is what ``BookingCreateSchema`` loaded. Raises ``Invalid`` for an unknown
    departure or station, ``CutoffPassed`` after the station's cut-off, ``CapacityExceeded``
    when the TEU do not fit (unless ``data["waitlist"]``: then the booking waits, WAITLISTED,
    holding nothing; ``services.waitlist``), ``Conflict`` when the departure no longer takes
    bookings.
    """
    require_role(user, Role.SHIPPER)
    clock, now = now, now or utcnow()
    row = first_row(
        session, _DEPARTURE, {"departure_id": data["departure_id"], "company_id": user.company_id}
    )
    if row is None:
        raise Invalid(errors={"departure_id": [_l("No such departure.")]})
    departure = loaded(session, Departure, row)
    generation, any_endpoint = row.generation, row.any_endpoint
    reference = reference_cache.reference(session, generation)
    origin = reference.active_station(data["origin_station"])
    if origin is None:
        raise Invalid(errors={"origin_station": [_l("No such station.")]})
    check_cutoff(departure, origin, now)
    route = reference.routes[departure.route_id]
    set_committed_value(departure, "route", route)
    pairs = _pairs(data["containers"])
    shipment.check_shipment(None, route, data, pairs)
    shipment.check_transport_terms(session, None, route, data)
    teu = booking_teu(data["containers"])

    # The writes come after every read and check, and the capacity hold last: the bookings
    # of one train wait for each other only from the hold to the commit (on PostgreSQL the
    # departure's row is locked until then), never while another is priced or written.
    placed = clock or utcnow()
    booking = Booking(
        company_id=user.company_id,
        departure_id=departure.id,
        origin_station_id=origin.id,
        created_by_id=user.id,
        teu=teu,
        status=BookingStatus.RECEIVED,
        created_at=placed,
        updated_at=placed,
    )
    _apply_fields(booking, data)
    # Its collections set as loaded, not through their events (for a new booking these cost
    # more than all its columns): its lines as asked (``_write`` writes them), and no waybill
    # or container (no query to find that out when it is shown).
    lines = [BookingLine(size_type=s, quantity=q) for s, q in dict(pairs).items()]
    set_committed_value(booking, "lines", lines)
    set_committed_value(booking, "waybills", [])
    set_committed_value(booking, "containers", [])
    pricing.booking_charges(
        session, booking, pairs, local_today(now), departure, origin, reference
    )  # fmt: skip
    event = BookingEvent(
        actor_id=user.id, type=EventType.CREATED, at=placed,
        details={"teu": format_teu(teu), "service_no": departure.service_no, **_charged(booking)},
    )  # fmt: skip
    # Who hears of it, asked now rather than by the commit, under the locks below.
    webhooks.endpoints_known(session, user.company_id, any_endpoint)
    # Numbered and written once priced, the capacity hold after (on PostgreSQL mostly in
    # the same statement).
    kg = data["cargo"]["gross_weight_kg"]
    held = _write(session, booking, event, now, hold=(departure, teu, kg))
    webhooks.note_event(session, event)
    try:
        if not held:
            capacity.hold(session, departure, teu, kg, station_id=origin.id, now=clock)
    except CapacityExceeded:
        # Refused under the departure's row lock, which stays until commit: no room frees
        # unseen before this booking is on the waitlist (``services.waitlist``).
        if not data.get("waitlist") or not _could_ever_fit(departure, teu, data["cargo"]):
            raise
        # Placed when the departure's row was held: a waiting booking's place in the queue
        # is the order the refusals were made in, not the order the requests arrived.
        _waits(session, booking, event, clock or utcnow())
    # What was read before the hold was read without a lock (``db.lock_at_first_write``):
    # the cut-off may have been moved meanwhile, or passed while this waited for the lock.
    # The departure's row is held now, its cut-off as the hold read it: checked again.
    check_cutoff(departure, origin, clock or utcnow())
    # Set by their keys above, the departure and origin cost the flush no relationship to
    # work out (each one brings its class into the unit of work: most of a flush's cost).
    # Attached now as loaded, they are shown without a query.
    set_committed_value(booking, "departure", departure)
    set_committed_value(booking, "origin_station", origin)
    set_committed_value(booking, "destination_place", reference.places.get(booking.destination))
    port = booking.port_of_discharge
    set_committed_value(booking, "discharge_place", port and reference.places.get(port))
    return booking


def _waits(session: Session, booking: Booking, event: BookingEvent, placed: datetime) -> None:
    """The booking just written waits, placed at ``placed``; written as it was first
    written (its version stays 1), its event with it."""
    changes = {"status": BookingStatus.WAITLISTED, "created_at": placed, "updated_at": placed}
    session.execute(
        update(Booking).where(Booking.id == booking.id).values(changes),
        execution_options={"synchronize_session": False},
    )
    session.execute(
        update(BookingEvent)
        .where(BookingEvent.id == event.id)
        .values(type=EventType.WAITLISTED, at=placed),
        execution_options={"synchronize_session": False},
    )
    for key, value in changes.items():
        set_committed_value(booking, key, value)
    set_committed_value(event, "type", EventType.WAITLISTED)
    set_committed_value(event, "at", placed)


def amend_booking(
    session: Session, user: User, reference: str, data: dict, now: datetime | None = None
) -> Booking:
    """Change the parties, cargo or container lines of a RECEIVED booking before cut-off.

    ``data`` is what ``BookingAmendSchema`` loaded, with the ``version`` the shipper read.
    More TEU are held atomically (``CapacityExceeded`` when they do not fit), fewer released.
    A change of what the price rests on (lines, dangerous goods, gross weight) prices the
    booking anew at today's tariffs; any other change keeps its charges.
    Raises ``Conflict`` for a stale version or a booking past RECEIVED, ``CutoffPassed``
    after the cut-off.
    """
    require_role(user, Role.SHIPPER)
    booking = get_booking_for_change(session, user, reference)
    check_version(booking, data["version"])
    if booking.status is BookingStatus.WAITLISTED:
        raise Conflict(_l("A booking on the waitlist cannot be amended: cancel it and book again."))
    if booking.status is not BookingStatus.RECEIVED:
        raise Conflict(
            _l("A booking can be amended only while it is received, not confirmed or later.")
        )
    check_cutoff(booking.departure, booking.origin_station, now)
    _check_setpoint(booking, data)
    lines = (
        _pairs(data["containers"])
        if "containers" in data
        else [(line.size_type, line.quantity) for line in booking.lines]
    )
    shipment.check_shipment(booking, booking.departure.route, data, lines)
    shipment.check_transport_terms(session, booking, booking.departure.route, data)
    before = _snapshot(booking)
    new_teu = booking_teu(data["containers"]) if "containers" in data else booking.teu
    new_kg = data["cargo"]["gross_weight_kg"] if "cargo" in data else booking.gross_weight_kg
    capacity.hold(
        session,
        booking.departure,
        new_teu - booking.teu,
        new_kg - booking.gross_weight_kg,
        held=(booking.teu, booking.gross_weight_kg),
        station_id=booking.origin_station_id,
        now=now,
    )
    freed = new_teu < booking.teu or new_kg < booking.gross_weight_kg
    booking.teu = new_teu
    priced = pricing.booking_facts(booking)
    _apply(booking, data)
    if pricing.booking_facts(booking) != priced:  # a changed shipment: priced anew, today
        pricing.booking_charges(session, booking, lines, local_today(now))
    booking.updated_at = now or utcnow()
    after = _snapshot(booking)
    changes = {key: [before[key], after[key]] for key in after if before[key] != after[key]}
    record_event(session, booking, user, EventType.AMENDED, changes=changes)
    flush(session)
    if freed:
        waitlist.promote(session, booking.departure, now)
    return booking


def cancel_booking(
    session: Session,
    user: User,
    reference: str,
    version: int | None = None,
    now: datetime | None = None,
) -> Booking:
    """Cancel a waiting, received or confirmed booking before its cut-off and release its
    TEU (to those waiting, when they fit: ``services.waitlist``).

    Raises ``Conflict`` for a stale ``version`` or a booking that can no longer be cancelled,
    ``CutoffPassed`` after the cut-off.
    """
    require_role(user, Role.SHIPPER)
    booking = get_booking_for_change(session, user, reference)
    if version is not None:
        check_version(booking, version)
    if booking.status not in CANCELLABLE:
        raise Conflict(_l("This booking can no longer be cancelled."))
    check_cutoff(booking.departure, booking.origin_station, now)
    previous = booking.status
    if previous is not BookingStatus.WAITLISTED:  # a waiting booking holds nothing
        capacity.release(
            session, booking.departure, booking.teu, booking.gross_weight_kg,
            station_id=booking.origin_station_id, now=now,
        )  # fmt: skip
    booking.status = BookingStatus.CANCELLED
    booking.updated_at = now or utcnow()
    for container in booking.containers:
        container.live = False
    record_event(
        session, booking, user, EventType.CANCELLED, **{"from": previous.name, "to": "CANCELLED"}
    )
    flush(session)
    if previous is not BookingStatus.WAITLISTED:
        waitlist.promote(session, booking.departure, now)
    return booking


def _could_ever_fit(departure: Departure, teu: Decimal, cargo: dict) -> bool:
    """Whether the booking fits the departure's whole capacity: one larger than the train
    would wait for room that never comes."""
    kg_limit = departure.capacity_kg
    return teu <= departure.capacity_teu and (
        kg_limit is None or cargo["gross_weight_kg"] <= kg_limit
    )


def _pairs(lines) -> list[tuple[str, int]]:
    return [(line["size_type"], line["quantity"]) for line in lines]


def _apply(booking: Booking, data: dict) -> None:
    _apply_fields(booking, data)
    if "containers" in data:
        wanted = {line["size_type"]: line["quantity"] for line in data["containers"]}
        booking.lines = [line for line in booking.lines if line.size_type in wanted]
        for line in booking.lines:
            line.quantity = wanted.pop(line.size_type)
        booking.lines.extend(BookingLine(size_type=s, quantity=q) for s, q in wanted.items())


def _apply_fields(booking: Booking, data: dict) -> None:
    """What ``data`` gives of the booking's own columns (all but its container lines)."""
    if "destination" in data:
        booking.destination = data["destination"]
    if data.get("payment_term") is not None:
        booking.payment_term = data["payment_term"]
    if "customs" in data:
        shipment.apply_customs(booking, data["customs"])
    shipment.apply_transport_terms(booking, data)
    if "consignee" in data:
        booking.consignee_name = data["consignee"]["name"]
        booking.consignee_address = data["consignee"]["address"]
    if "notify_party" in data:
        party = data["notify_party"] or {}
        booking.notify_name = party.get("name")
        booking.notify_address = party.get("address")
    if "cargo" in data:
        shipment.apply_cargo(booking, data["cargo"])


def _check_setpoint(booking: Booking, data: dict) -> None:
    """The reefer rule on the booking as it will be: new lines or cargo, else the held ones."""
    codes = (
        [line["size_type"] for line in data["containers"]]
        if "containers" in data
        else [line.size_type for line in booking.lines]
    )
    temperature = (
        data["cargo"].get("reefer_temperature_c") if "cargo" in data else booking.reefer_temp_c
    )
    problem = reefer_setpoint_problem(codes, temperature)
    if problem:
        raise Invalid(errors={"cargo": {"reefer_temperature_c": [problem]}})


def _snapshot(booking: Booking) -> dict:
    return {
        "destination": booking.destination or "",
        "consignee": f"{booking.consignee_name}, {booking.consignee_address}",
        "notify_party": booking.notify_name or "",
        "payment_term": booking.payment_term.name if booking.payment_term else "",
        **shipment.snapshot(booking),
        "containers": ", ".join(f"{line.quantity}×{line.size_type}" for line in booking.lines),
        "teu": format_teu(booking.teu),
        **_charged(booking),
    }


def _charged(booking: Booking) -> dict:
    """The booking's charges total for its timeline: ``{"charges": "2400.00 CNY"}``."""
    if booking.charges_total is None:
        return {}
    return {"charges": f"{pricing.money_text(booking.charges_total)} {booking.charges_currency}"}


def check_version(booking: Booking, version: int) -> None:
    """Raises ``Conflict`` when the booking is no longer at the ``version`` the client read."""
    if booking.version != version:
        raise stale()


def flush(session: Session) -> None:
    """Flush, turning a concurrent change of the same row into a ``Conflict``."""
    try:
        session.flush()
    except StaleDataError:
        raise stale() from None
