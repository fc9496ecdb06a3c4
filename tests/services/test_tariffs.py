"""The rules of tariffs: who changes them, their key and validity, one currency per route at
a time, in-force tariffs kept as history, and a new price from a day in one piece."""

from datetime import timedelta
from decimal import Decimal

import pytest

from dryport.models import Role, Tariff
from dryport.services import tariffs
from dryport.services.clock import local_today
from dryport.services.errors import Conflict, Forbidden, Invalid
from tests.conftest import audit_entries, row_count

def today():
    """Asked each time: a suite that runs past midnight in Beijing moves with the day."""
    return local_today()


def day(n: int):
    return today() + timedelta(days=n)


@pytest.fixture
def operator(make_user):
    return make_user(Role.OPERATOR)


@pytest.fixture
def body():
    def make(**overrides) -> dict:
        return {
            "route": "XAEU", "leg_seq": None, "size_group": "40", "currency": "USD",
            "amount": Decimal("4850.00"), "valid_from": day(10), "valid_to": None,
        } | overrides  # fmt: skip

    return make


@pytest.fixture
def history(make_tariff):
    """A tariff written as it was when it started (the service refuses a start in the past)."""

    def make(route="XAEU", leg_seq=None, group="40", start=-30, end=None, currency="USD",
             amount="4500.00"):  # fmt: skip
        return make_tariff(
            route,
            group,
            amount,
            leg_seq=leg_seq,
            currency=currency,
            valid_from=day(start),
            valid_to=None if end is None else day(end),
        )

    return make


def test_operators_and_administrators_add_tariffs(db_session, make_user, body):
    for role in (Role.OPERATOR, Role.ADMIN):
        tariff = tariffs.create_tariff(db_session, make_user(role), body(size_group="20"
                                       if role is Role.ADMIN else "40"))  # fmt: skip
        assert tariff.id and tariff.amount == Decimal("4850.00")
    for role in (Role.SHIPPER, Role.CLERK):
        with pytest.raises(Forbidden):
            tariffs.create_tariff(db_session, make_user(role), body(size_group="45"))


def test_a_created_tariff_is_in_the_audit_log(db_session, operator, body):
    tariff = tariffs.create_tariff(db_session, operator, body())
    db_session.commit()
    (entry,) = audit_entries(db_session, "tariff")
    assert entry.entity_id == tariff.id and entry.action == "create"
    assert entry.changes["amount"] == [None, "4850.00"]
    assert entry.changes["route"] == [None, "XAEU"]


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"route": "NOPE"}, "route"),
        ({"leg_seq": 3}, "leg_seq"),
        ({"size_group": "53"}, "size_group"),
        ({"currency": "XYZ"}, "currency"),
        ({"amount": Decimal("-1")}, "amount"),
        ({"dg_surcharge": Decimal("1.234")}, "dg_surcharge"),
        ({"amount": Decimal(10**11 + 1)}, "amount"),
        ({"valid_from": day(-1)}, "valid_from"),
        ({"valid_to": day(9)}, "valid_to"),
    ],
)
def test_bad_input_is_refused_by_field(db_session, operator, body, overrides, field):
    with pytest.raises(Invalid) as refused:
        tariffs.create_tariff(db_session, operator, body(**overrides))
    assert field in refused.value.errors
    db_session.rollback()
    assert row_count(db_session, Tariff) == 0


def test_the_same_key_may_not_overlap(db_session, operator, body):
    first = tariffs.create_tariff(db_session, operator, body(valid_to=day(20)))
    with pytest.raises(Invalid) as refused:
        tariffs.create_tariff(db_session, operator, body(valid_from=day(20)))
    message = str(refused.value.errors["valid_from"][0])
    assert str(first.id) in message and day(10).isoformat() in message
    assert day(20).isoformat() in message
    assert tariffs.create_tariff(db_session, operator, body(valid_from=day(21)))


def test_other_groups_and_other_legs_may_overlap(db_session, operator, body):
    tariffs.create_tariff(db_session, operator, body(leg_seq=1))
    tariffs.create_tariff(db_session, operator, body(leg_seq=2))
    tariffs.create_tariff(db_session, operator, body(leg_seq=1, size_group="20"))
    tariffs.create_tariff(db_session, operator, body(route="WHSEA"))
    assert row_count(db_session, Tariff) == 4


@pytest.mark.parametrize("first_leg", [None, 2])
def test_a_through_rate_and_leg_rates_do_not_overlap(db_session, operator, body, first_leg):
    tariffs.create_tariff(db_session, operator, body(leg_seq=first_leg, valid_to=day(30)))
    other = None if first_leg is not None else 1
    with pytest.raises(Invalid) as refused:
        tariffs.create_tariff(db_session, operator, body(leg_seq=other, valid_from=day(25)))
    assert "through or leg by leg" in str(refused.value.errors["valid_from"][0])
    # after the one ends, the other way of pricing may begin
    assert tariffs.create_tariff(db_session, operator, body(leg_seq=other, valid_from=day(31)))


def test_a_route_is_priced_in_one_currency_at_a_time(db_session, operator, body):
    tariffs.create_tariff(db_session, operator, body(size_group="20", valid_to=day(30)))
    with pytest.raises(Invalid) as refused:
        tariffs.create_tariff(db_session, operator, body(currency="EUR", valid_from=day(30)))
    assert "USD" in str(refused.value.errors["currency"][0])
    assert tariffs.create_tariff(db_session, operator, body(currency="EUR", valid_from=day(31)))
    assert tariffs.create_tariff(db_session, operator, body(route="EAST", currency="CNY"))


def test_a_future_tariff_changes_in_full(db_session, operator, body):
    tariff = tariffs.create_tariff(db_session, operator, body())
    db_session.commit()
    tariffs.update_tariff(db_session, operator, tariff.id, {
        "version": 1, "amount": Decimal("5000.10"), "leg_seq": 2, "valid_from": day(12),
        "route": "XAEU",
    })  # fmt: skip
    db_session.commit()
    assert (tariff.amount, tariff.leg_seq, tariff.valid_from, tariff.version) == (
        Decimal("5000.10"), 2, day(12), 2)  # fmt: skip
    entry = audit_entries(db_session, "tariff")[-1]
    assert entry.changes["amount"] == ["4850.00", "5000.10"] and entry.action == "update"


def test_a_stale_version_is_a_conflict(db_session, operator, body):
    tariff = tariffs.create_tariff(db_session, operator, body())
    db_session.commit()
    tariffs.update_tariff(db_session, operator, tariff.id, {"version": 1, "note": "spring"})
    db_session.commit()
    with pytest.raises(Conflict):
        tariffs.update_tariff(db_session, operator, tariff.id, {"version": 1, "note": "x"})


def test_an_update_keeps_the_overlap_rule(db_session, operator, body):
    tariffs.create_tariff(db_session, operator, body(valid_to=day(20)))
    later = tariffs.create_tariff(db_session, operator, body(valid_from=day(21)))
    with pytest.raises(Invalid):
        tariffs.update_tariff(db_session, operator, later.id, {"valid_from": day(15)})


def test_a_tariff_in_force_keeps_its_prices(db_session, operator, history):
    tariff = history()
    for change in ({"amount": Decimal("1")}, {"currency": "EUR"}, {"leg_seq": 1},
                   {"size_group": "20"}, {"valid_from": day(-29)}):  # fmt: skip
        with pytest.raises(Conflict) as refused:
            tariffs.update_tariff(db_session, operator, tariff.id, change)
        assert "add a new tariff" in str(refused.value.message)
        db_session.rollback()
    assert tariff.amount == Decimal("4500.00") and tariff.version == 1


def test_a_tariff_in_force_may_end_today_at_the_earliest(db_session, operator, history):
    tariff = history()
    with pytest.raises(Invalid) as refused:
        tariffs.update_tariff(db_session, operator, tariff.id, {"valid_to": day(-1)})
    assert "valid_to" in refused.value.errors
    db_session.rollback()
    same = {"amount": tariff.amount, "currency": "USD", "valid_to": today(), "note": "closing"}
    tariffs.update_tariff(db_session, operator, tariff.id, same)
    db_session.commit()
    assert tariff.valid_to == today() and tariff.note == "closing"
    assert audit_entries(db_session, "tariff")[-1].changes["valid_to"] == [None, today().isoformat()]


def test_an_ended_tariff_is_history(db_session, operator, history):
    tariff = history(start=-60, end=-31)
    with pytest.raises(Conflict):
        tariffs.update_tariff(db_session, operator, tariff.id, {"valid_to": day(5)})


def test_a_new_price_closes_the_old_the_day_before(db_session, operator, history):
    old = history()
    new = tariffs.revise_tariff(db_session, operator, old.id, {
        "valid_from": day(7), "amount": Decimal("4700.00"),
    })  # fmt: skip
    db_session.commit()
    assert old.valid_to == day(6) and old.version == 2
    assert (new.route.code, new.leg_seq, new.size_group, new.currency) == ("XAEU", None, "40",
                                                                          "USD")  # fmt: skip
    assert new.valid_from == day(7) and new.amount == Decimal("4700.00")
    actions = [(e.entity_id, e.action) for e in audit_entries(db_session, "tariff")]
    assert actions == [(old.id, "update"), (new.id, "create")]


def test_a_new_price_starts_tomorrow_at_the_earliest(db_session, operator, history):
    old = history()
    with pytest.raises(Invalid) as refused:
        tariffs.revise_tariff(db_session, operator, old.id, {"valid_from": today(),
                                                              "amount": Decimal(1)})  # fmt: skip
    assert day(1).isoformat() in str(refused.value.errors["valid_from"][0])


def test_an_invalid_new_price_leaves_the_old_one_open(db_session, operator, history):
    old = history()
    history(group="20", start=-30)  # the route is priced in USD
    with pytest.raises(Invalid) as refused:
        tariffs.revise_tariff(db_session, operator, old.id, {
            "valid_from": day(7), "amount": Decimal("4700.00"), "currency": "EUR",
        })  # fmt: skip
    assert "currency" in refused.value.errors
    db_session.commit()  # what the service left in the session is all that would be written
    db_session.expire_all()
    assert old.valid_to is None and old.version == 1
    assert row_count(db_session, Tariff) == 2
    assert audit_entries(db_session, "tariff") == []


def test_a_new_price_keeps_the_key(db_session, operator, history):
    old = history()
    with pytest.raises(Invalid) as refused:
        tariffs.revise_tariff(db_session, operator, old.id, {
            "valid_from": day(7), "amount": Decimal(1), "size_group": "20",
        })  # fmt: skip
    assert "size_group" in refused.value.errors


def test_the_list_filters_by_day_route_and_group(db_session, operator, history, body):
    past = history(start=-60, end=-31)
    current = history()
    future = tariffs.create_tariff(db_session, operator, body(route="EAST", currency="CNY"))
    db_session.commit()

    def ids(**kw):
        return [t.id for t in db_session.scalars(tariffs.tariffs_query(**kw))]

    assert ids() == [future.id, current.id, past.id]
    assert ids(on=today()) == [current.id]
    assert ids(on=day(-40)) == [past.id]
    assert ids(route="EAST") == [future.id]
    assert ids(size_group="20") == []
    assert ids(leg_seq=0, route="XAEU") == [current.id, past.id]
    assert tariffs.in_force(current) and not tariffs.in_force(future)
