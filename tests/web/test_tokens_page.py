"""Personal API tokens: named, shown once, stored hashed, expiring, revocable, one's own."""

import re
from datetime import timedelta

from sqlalchemy import select

from dryport.models import ApiToken, Role
from dryport.services.clock import utcnow
from tests.conftest import csrf_token


def _create(client, name="ERP", days="90"):
    page = client.get("/account/tokens")
    return client.post(
        "/account/tokens", data={"name": name, "days": days, "csrf_token": csrf_token(page)}
    )


def test_a_token_is_shown_once_and_works_with_the_users_scope(
    client, auth, db_session, make_user, make_booking
):
    shipper = make_user(Role.SHIPPER)
    other = make_booking(make_user(Role.SHIPPER).company)
    auth.login(shipper.email)
    page = _create(client).get_data(as_text=True)
    token = re.search(r'<code class="token">([^<]+)</code>', page).group(1)
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/bookings", headers=headers).status_code == 200
    assert client.get(f"/api/v1/bookings/{other.reference}", headers=headers).status_code == 404
    listing = client.get("/account/tokens").get_data(as_text=True)
    assert "ERP" in listing and token not in listing
    stored = db_session.scalar(select(ApiToken))
    assert token not in stored.token_hash and stored.name == "ERP"
    assert (stored.expires_at - utcnow()) > timedelta(days=89)


def test_revoking_stops_the_token(client, auth, db_session, make_user):
    auth.login(make_user(Role.SHIPPER).email)
    page = _create(client).get_data(as_text=True)
    token = re.search(r'<code class="token">([^<]+)</code>', page).group(1)
    record = db_session.scalar(select(ApiToken))
    listing = client.get("/account/tokens")
    client.post(
        f"/account/tokens/{record.id}/revoke",
        data={"csrf_token": csrf_token(listing), "confirmed": "yes"},
    )
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/stations", headers=headers).status_code == 401
    client.get("/account/tokens")  # shows the flash
    assert "ERP" not in client.get("/account/tokens").get_data(as_text=True)


def test_another_users_token_cannot_be_revoked(client, auth, db_session, make_user):
    from dryport.services import accounts

    owner = make_user(Role.SHIPPER)
    _token, record = accounts.create_personal_token(db_session, owner, "Owner", 30)
    db_session.commit()
    auth.login(make_user(Role.SHIPPER).email)
    listing = client.get("/account/tokens")
    response = client.post(
        f"/account/tokens/{record.id}/revoke",
        data={"csrf_token": csrf_token(listing), "confirmed": "yes"},
    )
    assert response.status_code == 404
    db_session.expire_all()
    assert db_session.get(ApiToken, record.id).revoked_at is None


def test_a_bad_name_or_lifetime_is_explained(client, auth, make_user, db_session):
    auth.login(make_user(Role.SHIPPER).email)
    assert _create(client, name="").status_code == 422
    assert _create(client, days="5000").status_code == 422
    assert db_session.scalar(select(ApiToken)) is None
