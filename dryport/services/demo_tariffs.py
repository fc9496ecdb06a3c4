"""The demo's tariffs: each route priced in the currency its trade is quoted in, a price
list that ended four months ago and the one in force since, so that bookings of the last year
carry both and a tariff's history has something to show."""

from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlalchemy.orm import Session

from dryport.models import Route, Tariff, User
from dryport.services.clock import local_today

# Per route: currency, then per leg (None: through) and size group: freight, and the
# surcharges per container for dangerous goods, reefers and overweight boxes.
PRICE_LISTS = {
    "EAST": ("CNY", {None: {
        "20": "4800.00", "40": "7600.00", "45": "8400.00", "REEFER": "9800.00",
        "TANK": "6500.00",
    }}, ("1500.00", "1200.00", "800.00")),
    "XAEU": ("USD", {
        1: {"20": "180.00", "40": "260.00", "45": "300.00", "REEFER": "320.00",
            "TANK": "240.00"},
        2: {"20": "3200.00", "40": "4850.00", "45": "5300.00", "REEFER": "6900.00",
            "TANK": "4100.00"},
    }, ("450.00", "900.00", "300.00")),
    "WHSEA": ("USD", {None: {
        "20": "1650.00", "40": "2450.00", "45": "2900.00", "REEFER": "3600.00",
        "TANK": "2300.00",
    }}, ("380.00", "600.00", "250.00")),
}  # fmt: skip
#: The old price list was this much cheaper.
OLD_FACTOR = Decimal("0.92")


def add_tariffs(session: Session, routes: dict[str, Route], now: datetime, by: User) -> None:
    """The old and the current price list of every seeded route."""
    today = local_today(now)
    changed = today - timedelta(days=120)
    for code, (currency, legs, (dg, reefer, heavy)) in PRICE_LISTS.items():
        route = routes.get(code)
        if route is None:
            continue
        last = max((seq for seq in legs if seq is not None), default=None)
        for seq, amounts in legs.items():
            # Priced leg by leg, the main leg alone carries the surcharges.
            extra = (dg, reefer, heavy) if seq in (None, last) else ("0", "0", "0")
            for group, amount in amounts.items():
                for valid_from, valid_to, factor in (
                    (today - timedelta(days=500), changed - timedelta(days=1), OLD_FACTOR),
                    (changed, None, Decimal(1)),
                ):
                    session.add(
                        _tariff(route, seq, group, currency, amount, extra,
                                valid_from, valid_to, factor, by)
                    )  # fmt: skip
    session.flush()


def _tariff(route, seq, group, currency, amount, surcharges, valid_from: date,
            valid_to: date | None, factor: Decimal, by: User) -> Tariff:  # fmt: skip
    dg, reefer, heavy = (_round(Decimal(a) * factor) for a in surcharges)
    return Tariff(
        route=route, leg_seq=seq, size_group=group, currency=currency,
        amount=_round(Decimal(amount) * factor), dg_surcharge=dg,
        reefer_surcharge=reefer if group == "REEFER" else Decimal(0),
        overweight_surcharge=heavy, valid_from=valid_from, valid_to=valid_to, created_by=by,
    )  # fmt: skip


def _round(value: Decimal) -> Decimal:
    return value.quantize(Decimal("1"))
