"""Originals and copies: an operator prints a revision's originals once (three for the
negotiable multimodal document, one otherwise), counted and in the timeline and the
webhooks; a second time is a 409 that says when and by whom; every other print says COPY;
a new revision may have its originals printed again."""

import io

from pypdf import PdfReader
from sqlalchemy import select

from dryport.models import Role, WebhookDelivery
from dryport.services import rolls, waybills, webhooks
from dryport.services.clock import utcnow
from tests.conftest import csrf_token
from tests.pdf.test_manifest import pdftotext


def _negotiable(booking, db_session):
    booking.negotiable = True  # "to order": the full set of three originals
    db_session.commit()
    return booking


def _originals(client, reference, headers):
    return client.post(f"/api/v1/bookings/{reference}/waybill/originals", headers=headers)


def test_a_revisions_originals_are_printed_once(
    client, db_session, confirmed, make_user, api_token
):
    booking = _negotiable(confirmed("WHSEA"), db_session)
    webhooks.create_endpoint(db_session, confirmed.shipper, "https://erp.example.com/hook")
    db_session.commit()
    operator = make_user(Role.OPERATOR, name="调度 Li Ming")
    headers = api_token(operator.email)

    first = _originals(client, booking.reference, headers)
    assert first.status_code == 200 and first.mimetype == "application/pdf"
    pages = PdfReader(io.BytesIO(first.data)).pages
    assert len(pages) == 3
    text = pdftotext(first.data)
    assert all(f"ORIGINAL {n}/3" in text for n in (1, 2, 3)) and "COPY" not in text

    again = _originals(client, booking.reference, headers)
    assert again.status_code == 409
    problem = again.get_json()
    assert "调度 Li Ming" in problem["detail"] and problem["printed_by"] == "调度 Li Ming"
    assert problem["printed_at"]

    db_session.expire_all()
    waybill = waybills.latest(db_session, booking.id)
    assert (waybill.originals_count, waybill.originals_printed_by_id) == (3, operator.id)
    events = client.get(f"/api/v1/bookings/{booking.reference}/events", headers=headers)
    printed = [e for e in events.get_json() if e["type"] == "ORIGINALS_PRINTED"]
    assert len(printed) == 1 and printed[0]["details"]["originals"] == 3
    types = db_session.scalars(select(WebhookDelivery.event_type)).all()
    assert types.count("booking.originals_printed") == 1


def test_every_other_print_is_a_copy(client, db_session, confirmed, make_user, api_token):
    booking = confirmed("WHSEA")  # not negotiable: one original
    operator = api_token(make_user(Role.OPERATOR).email)
    printed = _originals(client, booking.reference, operator)
    assert "ORIGINAL 1/1" in pdftotext(printed.data)
    assert len(PdfReader(io.BytesIO(printed.data)).pages) == 1
    path = f"/api/v1/bookings/{booking.reference}/waybill.pdf"
    for headers in (api_token(confirmed.shipper.email), operator):
        text = pdftotext(client.get(path, headers=headers).data)
        assert "副本 COPY" in text and "ORIGINAL" not in text


def test_only_operators_print_originals(client, db_session, confirmed, make_user, api_token):
    booking = confirmed("EAST")
    for role in (Role.SHIPPER, Role.CLERK):
        user = confirmed.shipper if role is Role.SHIPPER else make_user(role, station="HB")
        assert _originals(client, booking.reference, api_token(user.email)).status_code == 403
    operator = api_token(make_user(Role.OPERATOR).email)
    assert _originals(client, "HK0000-00000", operator).status_code == 404
    assert waybills.latest(db_session, booking.id).originals_printed_at is None


def test_a_new_revision_has_originals_of_its_own(
    client, db_session, confirmed, make_departure, make_user, api_token
):
    booking = confirmed("EAST")
    operator = make_user(Role.OPERATOR)
    headers = api_token(operator.email)
    assert _originals(client, booking.reference, headers).status_code == 200
    rolls.roll_booking(db_session, operator, booking.reference, make_departure("EAST", days=30).id)
    db_session.commit()
    second = _originals(client, booking.reference, headers)
    assert second.status_code == 200
    assert "ORIGINAL 1/1" in pdftotext(second.data)


def test_the_booking_page_prints_them_and_says_who_did(
    client, auth, db_session, confirmed, make_user
):
    booking = _negotiable(confirmed("WHSEA"), db_session)
    operator = make_user(Role.OPERATOR, name="Zhao Lei")
    auth.login(operator.email)
    page = client.get(f"/bookings/{booking.reference}")
    action = f"/bookings/{booking.reference}/waybill/originals"
    assert action.encode() in page.data
    assert client.post(action).status_code == 400  # no CSRF token
    printed = client.post(action, data={"csrf_token": csrf_token(page)})
    assert printed.status_code == 200 and "ORIGINAL 3/3" in pdftotext(printed.data)
    again = client.post(action, data={"csrf_token": csrf_token(page)})
    assert again.status_code == 302
    text = client.get(again.location).get_data(as_text=True)
    assert "Zhao Lei" in text and action not in text
    assert "已打印正本" in text and "ORIGINALS_PRINTED" not in text  # the timeline, in words
    auth.logout()
    auth.login(confirmed.shipper.email)
    assert action not in client.get(f"/bookings/{booking.reference}").get_data(as_text=True)
    assert client.post(action).status_code in (400, 403)


def test_a_revision_superseded_meanwhile_prints_nothing(
    client, db_session, confirmed, make_user, api_token
):
    booking = confirmed("EAST")
    waybill = waybills.latest(db_session, booking.id)
    waybill.superseded_at = utcnow()  # as an amend or a roll between the read and the claim
    db_session.commit()
    reply = _originals(client, booking.reference, api_token(make_user(Role.OPERATOR).email))
    assert reply.status_code == 409
    db_session.expire_all()
    assert waybills.latest(db_session, booking.id).originals_printed_at is None
