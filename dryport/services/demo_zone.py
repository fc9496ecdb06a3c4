"""The demo's zone planning (DESIGN §14): two extra trains of the coming days, written through
the services so that what is held, kept by quotas and waiting is what the services make of
it — a train split into station quotas, one of them already released to the open pool, and a
full train with bookings on its waitlist."""

from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy.orm import Session

from dryport.models import Departure, User
from dryport.services import bookings, capacity, operations
from dryport.services.clock import LOCAL_TZ, to_local
from dryport.services.demo_trade import COMPANIES, CONSIGNEES, GOODS, packages

#: The split train's quotas: Hanbin and Hanyin (an hour's trucking) keep theirs until the
#: day after tomorrow's release; Ziyang (three hours) has had its unused part returned.
QUOTAS = ({"station": "HB", "teu": 12}, {"station": "HY", "teu": 8}, {"station": "ZY", "teu": 6})
#: (origin, 20 ft boxes, days before now it was booked) on the split train.
SPLIT_BOOKINGS = (("HB", 3, 3), ("HB", 2, 2), ("HY", 2, 2), ("XY", 4, 2), ("HK", 6, 1))
#: (origin, 20 ft boxes) filling the full train, then (origin, 20 ft boxes) waiting on it.
FULL_BOOKINGS = (("HK", 6), ("HB", 4), ("XY", 4), ("PL", 2))
WAITING = (("HB", 2), ("SQ", 3))


def add_zone_planning(session: Session, operator: User, shippers: list[User], now: datetime):
    """Plan the two trains and book on them, as their shippers and operator would have."""
    hour = to_local(now).replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
    # The hub's cut-off 26 to 27 hours away: a quota's release (its station's cut-off less
    # QUOTA_RELEASE_HOURS) has come for a station three hours out, not for one an hour out.
    split = _plan(session, operator, "X9033", hour + timedelta(hours=48), 22, 60)
    capacity.set_quotas(session, split, list(QUOTAS), now - timedelta(days=4))
    for n, (origin, boxes, days) in enumerate(SPLIT_BOOKINGS):
        at = now - timedelta(days=days)
        _book(session, shippers[n % len(shippers)], split, origin, boxes, at)
    capacity.settle(session, split.id, now)

    full = _plan(session, operator, "X9035", hour + timedelta(days=5), 24, 16)
    at = now - timedelta(days=2)
    for n, (origin, boxes) in enumerate(FULL_BOOKINGS):
        _book(session, shippers[n % len(shippers)], full, origin, boxes, at + timedelta(hours=n))
    for n, (origin, boxes) in enumerate(WAITING):
        shipper = shippers[n % len(shippers)]
        _book(session, shipper, full, origin, boxes, now - timedelta(hours=20 - n), wait=True)
    session.flush()


def _plan(session, operator, service_no, departs, cutoff_hours, teu) -> Departure:
    return operations.create_departure(
        session,
        operator,
        {
            "route": "EAST",
            "service_no": service_no,
            "departs_at": departs,
            "cutoff_at": departs - timedelta(hours=cutoff_hours),
            "capacity_teu": teu,
        },
    )


def _book(session, shipper, departure, origin, boxes, at, wait=False):
    """A booking of ``boxes`` 20 ft boxes of the shipper's first dry cargo, placed at ``at``."""
    key = next(key for zh, _en, key, _region in COMPANIES if zh == shipper.company.name)
    goods = next((g for g in GOODS[key] if "22G1" in g.size_types and not g.dangerous), None)
    goods = goods or GOODS["tea"][0]
    consignee = CONSIGNEES[departure.route.code][boxes % len(CONSIGNEES[departure.route.code])]
    gross = Decimal(min(goods.kg_per_teu, 24_000) * boxes)
    data = {
        "departure_id": departure.id,
        "origin_station": origin,
        "destination": consignee[2],
        "consignee": {"name": consignee[0], "address": consignee[1]},
        "notify_party": None,
        "cargo": {
            "description": goods.description,
            "hs_code": goods.hs_code,
            "gross_weight_kg": gross,
            "net_weight_kg": (gross * Decimal("0.96")).quantize(Decimal("1")),
            "has_dangerous_goods": False,
            "packages": {"count": packages(goods, gross), "kind": goods.package_kind},
        },
        "containers": [{"size_type": "22G1", "quantity": boxes}],
        "waitlist": wait,
    }
    return bookings.place_booking(session, shipper, data, at.astimezone(LOCAL_TZ))
