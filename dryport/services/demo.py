"""Demo data: users of every role, shipper companies, departures for the coming eight weeks
and twelve months of history at the port's own scale (about 250 TEU a month, growing).

Everything is drawn from a fixed random seed relative to ``now``, so two runs on the same day
look alike. Departures and bookings are written through the same models and counters the
application uses; the capacity check constraint still guards every departure.
"""

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from dryport.models import (
    HOLDING_STATUSES,
    Booking,
    BookingEvent,
    BookingLine,
    BookingStatus,
    Container,
    ContainerOwner,
    Departure,
    DepartureLeg,
    DepartureStatus,
    EquipmentEvent,
    EquipmentEventType,
    EventClassifier,
    EventType,
    Role,
    Route,
    SealedBy,
    Station,
    TransportEvent,
    TransportEventType,
    User,
    VgmMethod,
)
from dryport.services import accounts, credit_codes, pricing, reports, targets, waybills
from dryport.services.bookings import new_reference
from dryport.services.clock import LOCAL_TZ, local_today, to_local, utcnow
from dryport.services.containers import MAX_GROSS_KG, make_number, total_teu, typical_tare_kg
from dryport.services.demo_tariffs import add_tariffs
from dryport.services.demo_trade import (
    COMPANIES,
    CONSIGNEES,
    DECLARED_ROUTES,
    EMERGENCY_CONTACT,
    GOODS,
    declaration_no,
    invoice_value,
    packages,
    release_time,
)
from dryport.services.demo_zone import add_zone_planning
from dryport.services.departures import leg_plan
from dryport.services.reference_data import seed_reference_data

DEMO_PASSWORD = "dryport-demo"  # noqa: S105 - printed to the person running the demo

# Weekly pattern: (route code, weekday 0=Mon, every n weeks, capacity TEU, train no. prefix,
# transit days)
SCHEDULE = (
    ("EAST", 1, 1, 60, "X9021", 4),
    ("XAEU", 3, 2, 82, "X8157", 16),
    ("WHSEA", 4, 1, 30, "WH", 21),
)

# Origin stations weighted by traffic; the hub and the near counties ship most.
ORIGIN_WEIGHTS = {
    "HK": 8,
    "HB": 7,
    "HY": 4,
    "SQ": 3,
    "NS": 1,
    "ZY": 3,
    "LG": 2,
    "PL": 3,
    "ZP": 1,
    "XY": 5,
    "BH": 2,
}
MAX_CARGO_PER_CONTAINER_KG = 24_000  # keeps every demo VGM under 30,480 kg

OWNER_CODES = ("CSN", "TGH", "TCN", "CAI", "MSK", "HKX")
# The shippers' people who sign a container's VGM (SOLAS VI/2), not the port's clerks.
VGM_SIGNATORIES = ("王芳", "李建国", "陈晓梅", "张伟", "刘洋")


@dataclass
class DemoSignIn:
    role: str
    email: str
    password: str
    detail: str


DEMO_DOMAINS = ("@dryport.example", "@shipper.example")


def has_demo_data(session: Session) -> bool:
    return session.scalar(select(func.count()).select_from(User)) > 0


def existing_sign_ins(session: Session) -> list[DemoSignIn]:
    """The demo users still in the database, to remind whoever runs the demo again."""
    users = session.scalars(
        select(User)
        .where(or_(*(User.email.endswith(domain) for domain in DEMO_DOMAINS)))
        .order_by(User.id)
    )
    return [
        DemoSignIn(
            u.role.name.lower(),
            u.email,
            DEMO_PASSWORD,
            u.station.name_en if u.station else u.company.name if u.company else "",
        )
        for u in users
    ]


def load_demo(
    session: Session,
    now: datetime | None = None,
    progress: Callable[[int], None] | None = None,
) -> list[DemoSignIn]:
    """Seed reference data, then add the demo users, companies, departures and history.

    ``progress`` is called with the number of departures written since its last call.
    Returns the sign-ins to show the person who asked for the demo.
    """
    now = now or utcnow()
    rng = random.Random(2612)
    seed_reference_data(session)
    stations = {s.code: s for s in session.scalars(select(Station))}
    routes = {r.code: r for r in session.scalars(select(Route))}

    sign_ins, staff = _users(session, stations)
    shippers = [u for u in staff if u.role is Role.SHIPPER]
    clerks = {u.station.code: u for u in staff if u.role is Role.CLERK}
    operator = next(u for u in staff if u.role is Role.OPERATOR)

    add_tariffs(session, routes, now, operator)
    writer = _HistoryWriter(session, rng, now, stations, clerks, operator)
    for departure, fill in _departures(session, routes, now):
        writer.fill(departure, fill, shippers)
        if progress:
            progress(1)
    session.flush()
    for booking, clerk, when in sorted(writer.confirmed, key=lambda item: item[2]):
        waybills.issue_waybill(session, booking, clerk, when)
    reports.record_shipped(session)  # the history's departures left without ``depart``
    add_zone_planning(session, operator, shippers, now)
    admin = next(u for u in staff if u.role is Role.ADMIN)
    targets.set_targets(session, admin, local_today(now).year, demo_targets())
    session.flush()
    return sign_ins


#: This year's target for the zone: about what the demo's history ships in a year.
ZONE_TARGET_TEU = 3_000


def demo_targets() -> dict:
    """The zone's target and the stations' in the shares the demo's traffic comes from
    (``ORIGIN_WEIGHTS``); what rounding leaves goes to the hub, so that they add up to it."""
    total = sum(ORIGIN_WEIGHTS.values())
    shares = {code: ZONE_TARGET_TEU * weight // total for code, weight in ORIGIN_WEIGHTS.items()}
    shares["HK"] += ZONE_TARGET_TEU - sum(shares.values())
    return {
        "target_teu": ZONE_TARGET_TEU,
        "stations": [{"station": code, "target_teu": teu} for code, teu in shares.items()],
    }


def departure_count(now: datetime | None = None) -> int:
    """How many departures ``load_demo`` writes: the length of its progress bar."""
    return sum(1 for _ in _schedule(now or utcnow()))


def _users(session: Session, stations: dict[str, Station]):
    sign_ins: list[DemoSignIn] = []
    users: list[User] = []

    def add(role: Role, email: str, name: str, detail: str, **kw):
        user = accounts.create_user(
            session, role=role, email=email, password=DEMO_PASSWORD, name=name, **kw
        )
        users.append(user)
        sign_ins.append(DemoSignIn(role.name.lower(), email, DEMO_PASSWORD, detail))

    add(Role.ADMIN, "admin@dryport.example", "系统管理员", "")
    add(Role.OPERATOR, "operator@dryport.example", "调度 王敏", "")
    for code, station in stations.items():
        add(
            Role.CLERK,
            f"clerk.{code.lower()}@dryport.example",
            f"{station.name_zh}业务员",
            station.name_en,
            station_code=code,
        )
    for index, (zh, en, key, region) in enumerate(COMPANIES, start=1):
        company = accounts.get_or_create_company(
            session,
            zh,
            credit_codes.make(f"91{region}", f"MA6{index:05d}"),
            address=f"陕西省安康市 {en}",
            contact_name="联系人",
            contact_phone="0915-0000000",
        )
        add(
            Role.SHIPPER,
            f"{key}@shipper.example",
            f"{en.split()[0]} shipping desk",
            en,
            company=company,
            locale="zh" if index % 2 else "en",
        )
    return sign_ins, users


def _schedule(now: datetime):
    """(route code, departs_at, capacity, service no., transit days) from 12 months back to 8
    weeks ahead."""
    today = to_local(now).date()
    first = today - timedelta(days=365 + today.weekday())
    last = today + timedelta(weeks=8)
    week = 0
    monday = first
    while monday <= last:
        for code, weekday, every, capacity, prefix, transit in SCHEDULE:
            if week % every:
                continue
            day = monday + timedelta(days=weekday)
            if first <= day <= last:
                departs = datetime.combine(day, time(10, 0), tzinfo=LOCAL_TZ)
                service = f"{prefix}{day:%m%d}" if code == "WHSEA" else prefix
                yield code, departs, capacity, service, transit
        monday += timedelta(weeks=1)
        week += 1


def _departures(session: Session, routes: dict[str, Route], now: datetime):
    """Write the departures; yield each with the share of its capacity to fill. A route's
    trains take its border crossings in turn."""
    turns: dict[str, int] = {}
    for code, departs, capacity, service, transit in _schedule(now):
        crossings = routes[code].border_crossings
        turns[code] = turns.get(code, -1) + 1
        departure = Departure(
            route=routes[code],
            service_no=service,
            departs_at=departs,
            cutoff_at=departs - timedelta(hours=24),
            capacity_teu=capacity,
            held_teu=Decimal(0),
            held_kg=Decimal(0),
            border_crossing=crossings[turns[code] % len(crossings)].code if crossings else None,
        )
        arrives = departs + timedelta(days=transit)
        if arrives <= now:
            departure.status = DepartureStatus.ARRIVED
            departure.departed_at, departure.arrived_at = departs, arrives
        elif departs <= now:
            departure.status = DepartureStatus.DEPARTED
            departure.departed_at = departs
        elif departure.cutoff_at <= now:
            departure.status = DepartureStatus.CLOSED
        departure.leg_plans = _leg_plans(code, turns[code])
        if departure.departed_at is not None:  # it left when its first leg did (a feeder)
            departure.departed_at = leg_plan(departure)[0].planned_departure or departs
        departure.transport_events = _transport_events(departure, now, turns[code])
        session.add(departure)
        months_ago = (now - departs).days / 30.4
        if months_ago > 0:  # history: from about 30 % full a year ago to about 55 % now
            fill = 0.55 - 0.25 * min(months_ago, 12) / 12
        else:  # the coming weeks: the nearer, the fuller
            fill = max(0.05, 0.7 + months_ago * 0.35)
        yield departure, fill


class _HistoryWriter:
    def __init__(self, session, rng, now, stations, clerks, operator):
        self.session, self.rng, self.now = session, rng, now
        self.stations, self.clerks, self.operator = stations, clerks, operator
        self.serial = 100_000
        self.confirmed: list = []  # (booking, clerk, when): their waybills are issued last

    def fill(self, departure: Departure, share: float, shippers: list[User]) -> None:
        target = Decimal(departure.capacity_teu) * Decimal(str(round(share, 2)))
        booked = 0
        while departure.held_teu < target:
            shipper = self.rng.choice(shippers)
            key = next(k for zh, _, k, _ in COMPANIES if zh == shipper.company.name)
            goods = self.rng.choice(GOODS[key])
            size_type = self.rng.choice(goods.size_types)
            lines = [(size_type, self.rng.choice((1, 1, 1, 2, 3)))]
            teu = total_teu(lines)
            if departure.held_teu + teu > departure.capacity_teu:
                break
            booked += 1
            status = self._status(departure, booked)
            booking = self._booking(departure, shipper, lines, teu, status, goods)
            if status in HOLDING_STATUSES:
                departure.held_teu += teu
                departure.held_kg += booking.gross_weight_kg

    def _status(self, departure: Departure, n: int) -> BookingStatus:
        if n % 19 == 0:
            return BookingStatus.CANCELLED
        if n % 23 == 0:
            return BookingStatus.REJECTED
        return {
            DepartureStatus.ARRIVED: BookingStatus.ARRIVED,
            DepartureStatus.DEPARTED: BookingStatus.DEPARTED,
            DepartureStatus.CLOSED: BookingStatus.CONFIRMED,
        }.get(
            departure.status,
            BookingStatus.CONFIRMED if n % 3 == 0 else BookingStatus.RECEIVED,
        )

    def _booking(self, departure, shipper, lines, teu, status, goods):
        rng = self.rng
        consignee = rng.choice(CONSIGNEES[departure.route.code])
        units = sum(quantity for _, quantity in lines)
        origin_code = rng.choices(list(ORIGIN_WEIGHTS), weights=list(ORIGIN_WEIGHTS.values()))[0]
        origin = self.stations[origin_code]
        created = departure.cutoff_at - timedelta(
            hours=origin.feeder_hours + rng.randint(4, 24 * 12)
        )
        created = min(created, self.now - timedelta(minutes=rng.randint(5, 600)))
        booking = Booking(
            reference=new_reference(self.session, created),
            company=shipper.company,
            departure=departure,
            origin_station=origin,
            created_by=shipper,
            consignee_name=consignee[0],
            consignee_address=consignee[1],
            destination=consignee[2],
            cargo_description=goods.description,
            hs_code=goods.hs_code,
            gross_weight_kg=Decimal(
                min(
                    int(goods.kg_per_teu * float(teu) * rng.uniform(0.8, 1.0)),
                    units * MAX_CARGO_PER_CONTAINER_KG,
                )
            ),
            teu=teu,
            status=status,
            created_at=created,
            updated_at=created,
        )
        _shipment(booking, goods)
        for size_type, quantity in lines:
            booking.lines.append(BookingLine(size_type=size_type, quantity=quantity))
        pricing.booking_charges(self.session, booking, lines, local_today(created))
        self.session.add(booking)
        self._events_and_containers(booking, lines, created, shipper)
        return booking

    def _events_and_containers(self, booking, lines, created, shipper):
        departure, status = booking.departure, booking.status
        events = [(created, shipper, EventType.CREATED, {"teu": str(booking.teu)})]
        if status is BookingStatus.CANCELLED:
            events.append((self._past(created, 3), shipper, EventType.CANCELLED, {}))
        elif status is BookingStatus.REJECTED:
            clerk = self.clerks[booking.origin_station.code]
            events.append(
                (
                    self._past(created, 5),
                    clerk,
                    EventType.REJECTED,
                    {"reason": "箱体破损，请更换箱子 / Container damaged, please replace"},
                )
            )
        elif status is not BookingStatus.RECEIVED:
            clerk = self.clerks[booking.origin_station.code]
            confirmed = min(departure.cutoff_at - timedelta(hours=1), self.now)
            confirmed = min(max(confirmed, created + timedelta(minutes=30)), self.now)
            numbers = []
            for size_type, quantity in lines:
                for _ in range(quantity):
                    numbers.append(self._container(booking, size_type, clerk, status, confirmed))
            weighed = sum(c.vgm_kg - c.tare_kg for c in booking.containers)
            events.append((confirmed, clerk, EventType.CONFIRMED, {
                "containers": numbers,
                "declared_gross_kg": str(booking.gross_weight_kg),
                "weighed_mass_kg": str(weighed),
            }))  # fmt: skip
            self.confirmed.append((booking, clerk, confirmed))
            events.extend(self._release(booking, confirmed))
            if departure.departed_at and status in (BookingStatus.DEPARTED, BookingStatus.ARRIVED):
                events.append((departure.departed_at, self.operator, EventType.DEPARTED, {}))
            if departure.arrived_at and status is BookingStatus.ARRIVED:
                events.append((departure.arrived_at, self.operator, EventType.ARRIVED, {}))
        for at, actor, type_, details in events:
            booking.events.append(BookingEvent(at=at, actor=actor, type=type_, details=details))
        if status is not BookingStatus.RECEIVED:
            booking.updated_at = events[-1][0]

    def _release(self, booking, confirmed) -> list:
        """The customs release a declared export has (``demo_trade.release_time``)."""
        number = booking.customs_declaration_no
        at = number and release_time(
            booking.reference, confirmed, booking.departure.departed_at, self.now
        )
        if not at:
            return []
        booking.customs_released_at = at
        details = {"declaration_no": number, "released_at": at.astimezone(UTC).isoformat()}
        return [(at, self.operator, EventType.CUSTOMS_RELEASED, details)]

    def _past(self, created: datetime, hours: int) -> datetime:
        """``hours`` after ``created``, but never after now: a timeline holds no future."""
        return min(created + timedelta(hours=hours), self.now)

    def _container(self, booking, size_type, clerk, status, confirmed) -> str:
        self.serial += 1
        number = make_number(self.rng.choice(OWNER_CODES), self.serial)
        tare = typical_tare_kg(size_type)
        units = sum(line.quantity for line in booking.lines)
        cargo = min(MAX_GROSS_KG - tare, int(booking.gross_weight_kg / units))
        container = Container(
            number=number,
            size_type=size_type,
            seal_no=f"AK{self.serial:07d}",
            tare_kg=tare,
            cargo_kg=cargo,
            vgm_kg=tare + cargo,
            vgm_method=VgmMethod.METHOD_1,
            weighed_by=clerk.name,
            # every tenth box the shipper's own; the VGM signed by its shipping clerk
            owner=ContainerOwner.SOC if self.serial % 10 == 0 else ContainerOwner.COC,
            # the shipper seals; every twentieth box of an export is sealed by customs
            sealed_by=SealedBy.CUSTOMS if self.serial % 20 == 7 else SealedBy.SHIPPER,
            vgm_certified_by=VGM_SIGNATORIES[self.serial % len(VGM_SIGNATORIES)],
            weighed_at=confirmed - timedelta(hours=3),
            recorded_by=clerk,
            live=status in (BookingStatus.CONFIRMED, BookingStatus.DEPARTED),
            **self._railway_numbers(status),
        )
        booking.containers.append(container)
        if status is BookingStatus.DEPARTED:
            self._gates(booking, container, confirmed)
        return number

    def _railway_numbers(self, status) -> dict:
        """A loaded box's wagon (a Chinese one: 7 digits, two 20 ft boxes to a flat wagon)
        and railway waybill number, as the railway's loading list gives them."""
        if status not in (BookingStatus.DEPARTED, BookingStatus.ARRIVED):
            return {}
        return {
            "wagon_no": str(1_560_000 + (self.serial // 2) % 40_000),
            "railway_waybill_no": str(61_000_000 + self.serial),
        }

    def _gates(self, booking, container, confirmed) -> None:
        """A container on its way: out of its sub-station's gate, through the hub's and onto
        the train, before the departure left."""
        left = booking.departure.departed_at
        origin = booking.origin_station
        steps = [(EquipmentEventType.GTIN, "HK", timedelta(hours=origin.feeder_hours + 1))]
        if origin.code != "HK":
            steps.insert(0, (EquipmentEventType.GTOT, origin.code, timedelta(minutes=30)))
        for type_, location, after in steps:
            self.session.add(EquipmentEvent(
                container=container, type=type_, location=location, seal_intact=True,
                at=min(confirmed + after, left - timedelta(hours=1)),
            ))  # fmt: skip
        self.session.add(EquipmentEvent(
            container=container, type=EquipmentEventType.LOAD, location="HK", seal_intact=True,
            at=left - timedelta(minutes=30),
        ))  # fmt: skip


def _transport_events(departure: Departure, now: datetime, turn: int) -> list[TransportEvent]:
    """What a departure's legs did until now: each leg's actual departure and arrival at its
    planned time (6 hours late from the second leg on, on every third train), the first
    leg's departure and the last leg's arrival when the departure recorded them; on the leg
    underway of a late train, an estimate of its late arrival."""
    if departure.departed_at is None:
        return []
    late = timedelta(hours=6 if turn % 3 == 0 else 0)
    end = departure.arrived_at or now
    events, last = [], departure.departed_at
    plans = leg_plan(departure)

    def add(seq, type_, classifier, at):
        nonlocal last
        if classifier is EventClassifier.ACT:
            at = last = min(max(at, last), end)
        events.append(TransportEvent(leg_seq=seq, type=type_, classifier=classifier, at=at))

    for i, plan in enumerate(plans):
        first, final = i == 0, i == len(plans) - 1
        leaves = departure.departed_at if first else _plus(plan.planned_departure, late)
        if leaves is None or leaves > end:
            break
        add(plan.seq, TransportEventType.DEPA, EventClassifier.ACT, leaves)
        arrives = departure.arrived_at if final else _plus(plan.planned_arrival, late)
        if arrives is None or arrives > end:
            if late and plan.planned_arrival:
                add(
                    plan.seq,
                    TransportEventType.ARRI,
                    EventClassifier.EST,
                    plan.planned_arrival + late,
                )
            break
        add(plan.seq, TransportEventType.ARRI, EventClassifier.ACT, arrives)
    return events


def _plus(at: datetime | None, delta: timedelta) -> datetime | None:
    return None if at is None else at + delta


def _leg_plans(route: str, turn: int) -> list[DepartureLeg]:
    """Made-up but plausible numbers of the legs a departure does not name itself: XAEU's
    feeder train to Xi'an, WHSEA's Yangtze barge and ocean vessel."""
    if route == "XAEU":
        return [DepartureLeg(seq=1, service_no=f"X{82001 + 2 * (turn % 400)}")]
    if route == "WHSEA":
        week = 2601 + turn % 52
        return [
            DepartureLeg(seq=3, carrier="上港集团长江港口物流 SIPG Yangtze Logistics",
                         service_no=f"CJ{week}E"),
            DepartureLeg(seq=4, carrier="中远海运集运 COSCO Shipping Lines",
                         service_no=f"{40 + turn % 50:03d}W"),
        ]  # fmt: skip
    return []


def _shipment(booking: Booking, goods) -> None:
    """Packages, set-point, dangerous goods and (on the export routes, once confirmed) customs
    data of a demo booking, as its shipper would declare them."""
    booking.package_kind = goods.package_kind
    booking.package_count = packages(goods, booking.gross_weight_kg)
    booking.package_marks = f"{booking.reference} 1-{booking.package_count}"
    booking.net_weight_kg = (booking.gross_weight_kg * Decimal("0.96")).quantize(Decimal("1"))
    booking.reefer_temp_c = goods.reefer_temp_c
    if goods.dangerous:
        un_number, dg_class, group, name = goods.dangerous
        booking.has_dangerous_goods = True
        booking.un_number, booking.dg_class, booking.dg_packing_group = un_number, dg_class, group
        booking.dg_proper_shipping_name = name
        booking.dg_emergency_contact = EMERGENCY_CONTACT
    declared = (BookingStatus.CONFIRMED, BookingStatus.DEPARTED, BookingStatus.ARRIVED)
    if booking.departure.route.code in DECLARED_ROUTES and booking.status in declared:
        serial = int(booking.reference[2:6] + booking.reference[-5:])  # HK2612-00042: 261200042
        booking.customs_declaration_no = declaration_no(booking.created_at.year, serial)
        booking.customs_invoice_value = invoice_value(goods, booking.gross_weight_kg)
        booking.customs_currency = "USD"
    route = booking.departure.route.code
    if route == "WHSEA":  # to the order of the shipper's bank, discharged at its destination
        booking.negotiable = True
    if route == "EAST":  # on by sea from Ningbo, with the value declared for the carriage
        booking.ocean_booking_no = f"COSU62{int(booking.reference[-5:]):08d}"
        booking.sea_vessel = "COSCO SHIPPING GALAXY"
        booking.sea_voyage = f"{(int(booking.reference[-5:]) % 90) + 10:03d}E"
        booking.port_of_discharge = "SGSIN"
        booking.declared_value = invoice_value(goods, booking.gross_weight_kg)
        booking.declared_value_currency = "USD"
