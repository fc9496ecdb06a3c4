"""Templates and address book entries added at the same moment by users of one company,
through gunicorn with several workers: the company's limit and its unique names hold, as
the company's row is locked before the count and the database decides between two names."""

from sqlalchemy import func, select

from dryport.models import AddressBookEntry, BookingTemplate, Role
from dryport.services import booking_templates
from tests.concurrency.conftest import racing_users
from tests.conftest import DESTINATION

BODY = {
    "origin_station": "HB",
    "destination": DESTINATION["XAEU"],
    "consignee": {"name": "Duisburg Intermodal GmbH", "address": "Duisburg"},
    "cargo": {"description": "Tea", "hs_code": "090210", "gross_weight_kg": "18500",
              "packages": {"count": 800, "kind": "CT"}},
    "containers": [{"size_type": "22G1", "quantity": 2}],
}  # fmt: skip


def _company_users(server, db_session, make_user, make_company, n):
    company = make_company()
    return company, racing_users(server, db_session, make_user, Role.SHIPPER, n, company=company)


def test_templates_added_at_once_stop_at_the_limit(server, db_session, make_user, make_company):
    company, tokens = _company_users(server, db_session, make_user, make_company, 4)
    left = 2
    for n in range(booking_templates.MAX_TEMPLATES - left):
        db_session.add(BookingTemplate(company_id=company.id, name=f"old {n}", body=BODY))
    db_session.commit()
    calls = [
        ("POST", "/api/v1/booking-templates", {"name": f"new {n}", "booking": BODY},
         tokens[n % 4])
        for n in range(8)
    ]  # fmt: skip
    replies = server.many(calls, clients=8)
    db_session.rollback()
    statuses = sorted(reply.status for reply in replies)
    assert statuses == [201] * left + [409] * (8 - left), [r.body for r in replies]
    count = select(func.count()).where(BookingTemplate.company_id == company.id)
    assert db_session.scalar(count) == booking_templates.MAX_TEMPLATES


def test_one_name_added_at_once_is_kept_once(server, db_session, make_user, make_company):
    company, tokens = _company_users(server, db_session, make_user, make_company, 4)
    calls = [
        ("POST", "/api/v1/address-book", {"name": "Rhenus", "address": "Duisburg"}, token)
        for token in tokens
    ]
    replies = server.many(calls, clients=4)
    db_session.rollback()
    assert sorted(reply.status for reply in replies) == [201, 409, 409, 409]
    count = select(func.count()).where(AddressBookEntry.company_id == company.id)
    assert db_session.scalar(count) == 1
