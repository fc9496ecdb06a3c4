"""The tariff pages: the price lists with their history marked, a new tariff, a change of one
not yet in force, the end of one in force, a new price from a day; errors beside their
fields, in the reader's language, nothing written."""

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from dryport.models import Role, Tariff
from dryport.services.clock import local_today
from tests.conftest import audit_entries, csrf_token, row_count

def today():
    """Asked each time: a suite that runs past midnight in Beijing moves with the day."""
    return local_today()


def day(n: int) -> str:
    return (today() + timedelta(days=n)).isoformat()


@pytest.fixture
def operator(make_user, auth):
    user = make_user(Role.OPERATOR, locale="en")
    auth.login(user.email)
    return user


@pytest.fixture
def history(make_tariff):
    """XAEU 40 ft through rates: one ended, one in force, one to come."""
    return [
        make_tariff("XAEU", "40", amount, currency="USD",
                    valid_from=today() + timedelta(days=start),
                    valid_to=None if end is None else today() + timedelta(days=end))
        for amount, start, end in (("4100.00", -200, -101), ("4500.00", -100, 29),
                                   ("1234567.50", 30, None))
    ]  # fmt: skip


def _post(client, path, data):
    token = csrf_token(client.get("/admin/tariffs"))
    return client.post(path, data={**data, "csrf_token": token})


NEW = {
    "route": "EAST", "leg_seq": "", "size_group": "20", "currency": "CNY", "amount": "4800",
    "dg_surcharge": "1500.5", "reefer_surcharge": "", "overweight_surcharge": "",
    "valid_from": day(3), "valid_to": "", "note": "",
}  # fmt: skip


def test_the_list_marks_past_current_and_future(client, operator, history):
    page = client.get("/admin/tariffs?route=XAEU").get_data(as_text=True)
    assert "1,234,567.50 USD" in page and "4,500.00 USD" in page
    for mark in ("ended", "in force", "future"):
        assert mark in page
    assert page.count("New price from…") == 2  # not for the ended one
    today_only = client.get(f"/admin/tariffs?on={today()}").get_data(as_text=True)
    assert "4,500.00 USD" in today_only and "4,100.00" not in today_only


def test_the_list_reads_in_chinese(client, make_user, auth, history):
    auth.login(make_user(Role.ADMIN, locale="zh").email)
    page = client.get("/admin/tariffs").get_data(as_text=True)
    assert "40英尺" in page and "运价" in page and "Size group" not in page


def test_a_bad_day_in_the_filter_is_a_message_not_an_error(client, operator):
    assert client.get("/admin/tariffs?on=2027-13-01").status_code == 422


def test_an_operator_adds_a_tariff(client, operator, db_session):
    answer = _post(client, "/admin/tariffs/new", NEW)
    assert answer.status_code == 302, answer.get_data(as_text=True)
    tariff = db_session.scalars(select(Tariff)).one()
    assert (tariff.route.code, tariff.leg_seq, tariff.amount, tariff.dg_surcharge) == (
        "EAST", None, Decimal("4800.00"), Decimal("1500.50"))  # fmt: skip
    assert audit_entries(db_session, "tariff")[0].actor_id == operator.id


def test_errors_sit_beside_their_fields_and_nothing_is_written(client, operator, db_session):
    answer = _post(client, "/admin/tariffs/new", {**NEW, "amount": "-5", "currency": "ABC",
                                                   "dg_surcharge": "1.234"})  # fmt: skip
    assert answer.status_code == 422
    page = answer.get_data(as_text=True)
    for name in ("amount", "currency", "dg_surcharge"):
        assert f'id="{name}-error"' in page
    assert "At most 2 decimal places." in page
    assert row_count(db_session, Tariff) == 0


def test_an_overlap_is_told_beside_the_first_day(client, operator, history, db_session):
    answer = _post(client, "/admin/tariffs/new", {**NEW, "route": "XAEU", "size_group": "40",
                                                   "currency": "USD", "leg_seq": "1"})  # fmt: skip
    assert answer.status_code == 422
    page = answer.get_data(as_text=True)
    assert 'id="valid_from-error"' in page and "through or leg by leg" in page
    assert row_count(db_session, Tariff) == 3


def test_a_tariff_in_force_shows_only_its_end(client, operator, history, db_session):
    current = history[1]
    page = client.get(f"/admin/tariffs/{current.id}").get_data(as_text=True)
    assert 'name="valid_to"' in page and 'name="amount"' not in page
    answer = _post(client, f"/admin/tariffs/{current.id}", {"version": "1", "valid_to": day(-5)})
    assert answer.status_code == 422 and 'id="valid_to-error"' in answer.get_data(as_text=True)
    db_session.expire_all()
    assert db_session.get(Tariff, current.id).valid_to == today() + timedelta(days=29)


def test_a_future_tariff_is_edited_in_full(client, operator, history, db_session):
    future = history[2]
    form = client.get(f"/admin/tariffs/{future.id}").get_data(as_text=True)
    assert 'value="1234567.50"' in form
    answer = _post(client, f"/admin/tariffs/{future.id}", {
        "version": "1", "route": "XAEU", "leg_seq": "", "size_group": "40", "currency": "USD",
        "amount": "1300.00", "valid_from": day(30), "valid_to": day(60), "note": "",
    })  # fmt: skip
    assert answer.status_code == 302
    db_session.expire_all()
    saved = db_session.get(Tariff, future.id)
    assert saved.amount == Decimal("1300.00") and saved.valid_to == today() + timedelta(days=60)


def test_a_new_price_from_a_day(client, operator, history, db_session):
    current = history[1]
    page = client.get(f"/admin/tariffs/{current.id}/revise").get_data(as_text=True)
    assert "4,500.00 USD" in page
    answer = _post(client, f"/admin/tariffs/{current.id}/revise", {
        "version": "1", "valid_from": day(10), "valid_to": day(29), "currency": "USD",
        "amount": "4600", "dg_surcharge": "0", "reefer_surcharge": "0",
        "overweight_surcharge": "0", "note": "",
    })  # fmt: skip
    assert answer.status_code == 302, answer.get_data(as_text=True)
    db_session.expire_all()
    assert db_session.get(Tariff, current.id).valid_to == today() + timedelta(days=9)
    assert row_count(db_session, Tariff) == 4


def test_a_refused_new_price_leaves_the_old_one(client, operator, history, db_session):
    current = history[1]
    answer = _post(client, f"/admin/tariffs/{current.id}/revise", {
        "version": "1", "valid_from": day(10), "currency": "USD", "amount": "4600",
    })  # fmt: skip
    assert answer.status_code == 422  # open-ended, it would overlap the tariff from day 30
    assert 'id="valid_from-error"' in answer.get_data(as_text=True)
    db_session.expire_all()
    assert db_session.get(Tariff, current.id).valid_to == today() + timedelta(days=29)
    assert row_count(db_session, Tariff) == 3


def test_shippers_and_clerks_do_not_open_the_pages(client, make_user, auth, history):
    for role in (Role.SHIPPER, Role.CLERK):
        auth.login(make_user(role).email)
        assert client.get("/admin/tariffs").status_code == 403
        assert client.get(f"/admin/tariffs/{history[1].id}/revise").status_code == 403
        auth.logout()


def test_a_form_without_its_csrf_token_is_refused(client, operator, db_session):
    assert client.post("/admin/tariffs/new", data=NEW).status_code == 400
    assert row_count(db_session, Tariff) == 0
