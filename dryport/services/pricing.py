"""What a shipment costs: the charges of a booking or a quote, priced from the tariffs valid on
one day (``models.Tariff``).

Money is ``Decimal`` from the database to the JSON string: two places, rounded half up once per
line (unit × quantity is exact), and a total that is the sum of the lines.

A route is priced by its through rate for a size group when one is valid, else leg by leg
(each leg the shipment travels needs a rate: a booking handed in at the hub does not travel a
road feeder leg). Per container of the group: the dangerous-goods surcharge when the cargo is
declared dangerous, the reefer surcharge for a reefer, the overweight surcharge for a box
whose estimated gross mass is above ``OVERWEIGHT_GROSS_KG``.
"""

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from dryport.i18n import locale_code
from dryport.models import (
    Departure,
    DepartureStatus,
    Leg,
    Station,
    StationKind,
    Tariff,
    TransportMode,
)
from dryport.services import reference_cache, shipment
from dryport.services.clock import local_day_end, local_today, utcnow
from dryport.services.containers import SIZE_TYPES
from dryport.services.departures import check_cutoff, station_cutoff
from dryport.services.errors import Conflict, Invalid

CENT = Decimal("0.01")

#: Above this estimated gross mass (kg) a container pays the overweight surcharge, by the
#: first character of its size-type (length: 2 = 20 ft, 4 = 40 ft, L = 45 ft).
OVERWEIGHT_GROSS_KG = {"2": 25_000, "4": 28_000, "L": 28_000}

#: The charge codes of a line, in the order they are listed for one tariff.
FREIGHT, DG_SURCHARGE, REEFER_SURCHARGE, OVERWEIGHT_SURCHARGE = (
    "FREIGHT", "DG_SURCHARGE", "REEFER_SURCHARGE", "OVERWEIGHT_SURCHARGE",
)  # fmt: skip
CHARGE_CODES = (FREIGHT, DG_SURCHARGE, REEFER_SURCHARGE, OVERWEIGHT_SURCHARGE)
#: How each code reads on a document: Chinese first, English beside.
CHARGE_NAMES = {
    FREIGHT: ("运费", "Freight"),
    DG_SURCHARGE: ("危险品附加费", "Dangerous goods surcharge"),
    REEFER_SURCHARGE: ("冷藏箱附加费", "Reefer surcharge"),
    OVERWEIGHT_SURCHARGE: ("超重附加费", "Overweight surcharge"),
}
GROUP_NAMES = {
    "20": ("20英尺", "20 ft"),
    "40": ("40英尺", "40 ft"),
    "45": ("45英尺", "45 ft"),
    "REEFER": ("冷藏箱", "reefer"),
    "TANK": ("罐式箱", "tank"),
}


class Unpriced(Conflict):
    """No tariff prices this shipment on that day."""

    title = _l("No price published")


def money(value) -> Decimal:
    """``value`` as an amount of two decimal places, rounded half up."""
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def money_text(value) -> str:
    """An amount as JSON and CSV carry it: ``"1234.50"`` (no separators, two places)."""
    return f"{money(value):f}"


def size_group(size_type: str) -> str:
    """The tariff group of a size-type: REEFER and TANK apart, else its length."""
    if SIZE_TYPES[size_type].reefer:
        return "REEFER"
    if size_type[2] == "T":
        return "TANK"
    return {"2": "20", "4": "40", "L": "45"}[size_type[0]]


@dataclass
class ChargeLine:
    code: str
    size_group: str
    leg_seq: int | None
    quantity: int
    unit_amount: Decimal
    tariff_id: int
    description: str = ""

    @property
    def amount(self) -> Decimal:
        return money(self.unit_amount * self.quantity)

    def as_json(self) -> dict:
        return {
            "code": self.code,
            "description": self.description,
            "size_group": self.size_group,
            "leg_seq": self.leg_seq,
            "quantity": self.quantity,
            "unit_amount": money_text(self.unit_amount),
            "amount": money_text(self.amount),
            "tariff_id": self.tariff_id,
        }


@dataclass
class Quote:
    """A priced shipment: its lines in one currency, their total, and until when the price
    holds (the station's cut-off, or the end of the last day of a tariff used if sooner)."""

    currency: str
    lines: list[ChargeLine] = field(default_factory=list)
    valid_until: datetime | None = None
    priced_on: date | None = None

    @property
    def total(self) -> Decimal:
        return sum((line.amount for line in self.lines), Decimal("0.00"))

    def as_json(self) -> dict:
        """The stored and shown form (DESIGN §13): amounts as decimal strings."""
        return {
            "currency": self.currency,
            "lines": [line.as_json() for line in self.lines],
            "total": money_text(self.total),
        }


def travelled_legs(legs, origin: Station) -> list[Leg]:
    """The route legs a shipment from ``origin`` travels: all but a road feeder when it is
    handed in at the hub."""
    legs = list(legs)
    if legs and origin.kind is StationKind.HUB and legs[0].mode is TransportMode.ROAD:
        return legs[1:]
    return legs


def price(
    session: Session,
    departure: Departure,
    origin: Station,
    lines,
    dangerous: bool = False,
    gross_weight_kg: Decimal | None = None,
    day: date | None = None,
    reference=None,
) -> Quote:
    """Price ``lines`` (``(size_type, quantity)`` pairs) on ``departure`` from ``origin`` with
    the tariffs valid on ``day`` (default: today in Beijing), as ``reference`` holds them
    (``services.reference_cache``; default: as the caller's transaction sees them).

    Raises ``Unpriced`` naming what has no tariff, or when the tariffs that would price it
    are in more than one currency.
    """
    day = day or local_today()
    route = departure.route
    tariffs = (reference or reference_cache.current(session)).tariffs_on(route.id, day)
    through = {t.size_group: t for t in tariffs if t.leg_seq is None}
    by_leg = {(t.leg_seq, t.size_group): t for t in tariffs if t.leg_seq is not None}
    legs = travelled_legs(route.legs, origin)
    counts = Counter()
    for size_type, quantity in lines:
        counts[size_type] += quantity
    overweight = _overweight(counts, gross_weight_kg)

    quote_lines: list[ChargeLine] = []
    used: list[Tariff] = []
    groups: dict[str, list[str]] = {}
    for size_type in counts:
        groups.setdefault(size_group(size_type), []).append(size_type)
    for group in sorted(groups, key=list(GROUP_NAMES).index):
        types = groups[group]
        n = sum(counts[t] for t in types)
        reefers = sum(counts[t] for t in types if SIZE_TYPES[t].reefer)
        heavy = sum(overweight[t] for t in types)
        if group in through:
            rows = [through[group]]
        else:
            missing = [leg for leg in legs if (leg.seq, group) not in by_leg]
            if len(missing) == len(legs):  # no rate for the group at all
                raise Unpriced(_unpriced_message(route.code, group, [], day))
            if missing:
                raise Unpriced(_unpriced_message(route.code, group, missing, day))
            rows = [by_leg[(leg.seq, group)] for leg in legs]
        for tariff in rows:
            used.append(tariff)
            quote_lines.append(ChargeLine(FREIGHT, group, tariff.leg_seq, n, tariff.amount,
                                          tariff.id))  # fmt: skip
            for code, count, unit in (
                (DG_SURCHARGE, n if dangerous else 0, tariff.dg_surcharge),
                (REEFER_SURCHARGE, reefers, tariff.reefer_surcharge),
                (OVERWEIGHT_SURCHARGE, heavy, tariff.overweight_surcharge),
            ):
                if count and unit:
                    quote_lines.append(ChargeLine(code, group, tariff.leg_seq, count, unit,
                                                  tariff.id))  # fmt: skip
    currencies = {tariff.currency for tariff in used}
    if len(currencies) != 1:
        raise Unpriced(_l("The tariffs of this route are in more than one currency."))
    legs_by_seq = {leg.seq: leg for leg in route.legs}
    for line in quote_lines:
        line.description = describe(line, legs_by_seq.get(line.leg_seq))
    ends = [local_day_end(t.valid_to) for t in used if t.valid_to is not None]
    valid_until = min([station_cutoff(departure, origin), *ends])
    return Quote(currencies.pop(), quote_lines, valid_until, day)


def quote(
    session: Session,
    departure: Departure,
    origin: Station,
    lines,
    dangerous: bool = False,
    gross_weight_kg: Decimal | None = None,
    now: datetime | None = None,
) -> Quote:
    """A quote for booking ``lines`` now: ``price`` at today's tariffs, for a departure that
    still takes bookings from ``origin``. Raises ``Conflict`` for one that has left or was
    cancelled, ``CutoffPassed`` after the station's cut-off, ``Unpriced``."""
    now = now or utcnow()
    if departure.status is not DepartureStatus.SCHEDULED:
        raise Conflict(_l("This departure no longer takes bookings."))
    check_cutoff(departure, origin, now)
    return price(session, departure, origin, lines, dangerous, gross_weight_kg,
                 local_today(now))  # fmt: skip


def priced_facts(lines, dangerous: bool, gross_weight_kg) -> tuple:
    """What a price rests on: the ``(size_type, quantity)`` lines, whether dangerous goods
    are declared, and the gross weight (overweight boxes). Two shipments with the same facts
    have the same price on the same day."""
    return sorted(lines), bool(dangerous), gross_weight_kg


def booking_facts(booking) -> tuple:
    """``priced_facts`` of a booking as it stands."""
    return priced_facts(
        [(line.size_type, line.quantity) for line in booking.lines],
        booking.has_dangerous_goods, booking.gross_weight_kg,
    )  # fmt: skip


def requote(session: Session, booking, lines, dangerous: bool, gross_weight_kg) -> dict:
    """The charges ``booking`` would have amended to ``lines`` and this cargo (as stored):
    its own when none of that changes, else at today's tariffs, as its amendment will be.
    Raises ``Unpriced``."""
    same = priced_facts(lines, dangerous, gross_weight_kg) == booking_facts(booking)
    if same and booking.charges:
        return booking.charges
    return price(session, booking.departure, booking.origin_station, lines, dangerous,
                 gross_weight_kg).as_json()  # fmt: skip


def booking_charges(
    session: Session,
    booking,
    lines=None,
    day: date | None = None,
    departure: Departure | None = None,
    origin: Station | None = None,
    reference=None,
) -> None:
    """Price ``booking`` (its lines, or ``lines`` as pairs) at the tariffs of ``day``, by
    default the day it is priced on (set to today on its first pricing), and store the
    charges; a booking no tariff prices keeps none (price on request). ``departure`` and
    ``origin`` stand in for the booking's own while it is being placed."""
    if lines is None:
        lines = [(line.size_type, line.quantity) for line in booking.lines]
    booking.priced_on = day or booking.priced_on or local_today()
    try:
        with session.no_autoflush:  # one write of the booking, its charges with the rest
            priced = price(
                session, departure or booking.departure, origin or booking.origin_station,
                lines, booking.has_dangerous_goods, booking.gross_weight_kg, booking.priced_on,
                reference,
            )  # fmt: skip
    except Unpriced:
        booking.charges = booking.charges_currency = booking.charges_total = None
        return
    booking.charges = priced.as_json()
    booking.charges_currency = priced.currency
    booking.charges_total = priced.total


def describe(line: ChargeLine, leg: Leg | None) -> str:
    """A line as documents print it: "运费 Freight · 40英尺 40 ft · 恒口—西安 Hengkou–Xi'an"."""
    zh, en = CHARGE_NAMES[line.code]
    group_zh, group_en = GROUP_NAMES[line.size_group]
    text = f"{zh} {en} · {group_zh} {group_en}"
    if leg is not None:
        text += f" · {leg.origin_zh}—{leg.destination_zh} {leg.origin_en}–{leg.destination_en}"
    return text


def _overweight(counts: Counter, gross_weight_kg: Decimal | None) -> Counter:
    """How many containers of each size-type are estimated above ``OVERWEIGHT_GROSS_KG``: the
    cargo spread over the containers in proportion to what each can carry, plus its typical
    tare."""
    heavy = Counter()
    if not gross_weight_kg:
        return heavy
    capacity = sum(SIZE_TYPES[t].payload_kg * n for t, n in counts.items())
    for size_type, n in counts.items():
        kind = SIZE_TYPES[size_type]
        share = Decimal(gross_weight_kg) * kind.payload_kg / capacity
        if share + kind.tare_kg > OVERWEIGHT_GROSS_KG[size_type[0]]:
            heavy[size_type] = n
    return heavy


def group_name(group: str, locale: str) -> str:
    zh, en = GROUP_NAMES[group]
    return zh if locale == "zh" else en


def _unpriced_message(route: str, group: str, missing, day: date):
    name = group_name(group, locale_code())
    if missing:
        legs = ", ".join(str(leg.seq) for leg in missing)
        return _l(
            "No tariff prices %(group)s containers on %(route)s leg %(legs)s on %(day)s.",
            group=name, route=route, legs=legs, day=day.isoformat(),
        )  # fmt: skip
    return _l(
        "No tariff prices %(group)s containers on %(route)s on %(day)s.",
        group=name, route=route, day=day.isoformat(),
    )  # fmt: skip


def request_quote(session: Session, data: dict, now: datetime | None = None) -> dict:
    """The quote ``QuoteRequestSchema`` asked for, as ``QuoteSchema`` shows it.

    Raises ``Invalid`` for an unknown departure, station or a destination the route does not
    serve; ``Conflict`` for a departure that has left or was cancelled, ``CutoffPassed``,
    ``Unpriced``."""
    departure = session.get(Departure, data["departure_id"])
    if departure is None:
        raise Invalid(errors={"departure_id": [_l("No such departure.")]})
    origin = session.scalar(
        select(Station).where(Station.code == data["origin_station"], Station.active)
    )
    if origin is None:
        raise Invalid(errors={"origin_station": [_l("No such station.")]})
    destination = data.get("destination")
    offered = [place.code for place in shipment.offered_destinations(departure.route)]
    if destination and destination not in offered:
        raise Invalid(
            errors={"destination": [_l("Choose one of this route's destinations: %(codes)s.",
                                       codes=", ".join(offered) or "—")]}
        )  # fmt: skip
    cargo = data.get("cargo") or {}
    priced = quote(
        session, departure, origin,
        [(line["size_type"], line["quantity"]) for line in data["containers"]],
        cargo.get("dangerous_goods", False), cargo.get("gross_weight_kg"), now,
    )  # fmt: skip
    return {
        "departure_id": departure.id,
        "origin_station": origin.code,
        "destination": destination,
        **priced.as_json(),
        "priced_on": priced.priced_on,
        "valid_until": priced.valid_until,
    }
