"""The clerk's check page: the declared gross beside the weighed total, the new inputs of a
row, the weighed mass accepted, and a partly checked load saved and found again."""

from decimal import Decimal

import pytest
from sqlalchemy import select

from dryport.models import Booking, BookingStatus, Container, ContainerOwner, LoadDraft, Role
from tests.conftest import csrf_token


@pytest.fixture
def clerk(make_user, auth):
    user = make_user(Role.CLERK, station="HB")
    auth.login(user.email)
    return user


def _row(i, number, vgm, **extra):
    return {
        f"containers.{i}.number": number,
        f"containers.{i}.size_type": "22G1",
        f"containers.{i}.seal": f"AK{i}",
        f"containers.{i}.tare_kg": "2300",
        f"containers.{i}.vgm_kg": str(vgm),
        f"containers.{i}.vgm_method": "METHOD_1",
        f"containers.{i}.cargo_kg": "",
        f"containers.{i}.packing_kg": "",
        f"containers.{i}.owner": "COC",
        f"containers.{i}.vgm_certified_by": "王芳",
        f"containers.{i}.weighed_at": "",
        **{f"containers.{i}.{k}": v for k, v in extra.items()},
    }


def _post(client, booking, data):
    page = client.get("/station/")
    path = f"/station/bookings/{booking.reference}/check"
    return client.post(path, data={"version": "1", **data, "csrf_token": csrf_token(page)})


def test_the_page_shows_the_declared_gross_and_the_weighed_total(
    client, clerk, make_user, make_booking
):
    booking = make_booking(make_user(Role.SHIPPER).company, gross_weight_kg=Decimal(24_000))
    page = client.get(f"/station/bookings/{booking.reference}/check").get_data(as_text=True)
    assert "申报毛重" in page and "24,000 kg" in page
    assert '<output id="weighed-total" for="check-form">0</output>' in page
    for name in ("owner", "vgm_certified_by", "weighed_at"):
        assert f'id="containers.0.{name}"' in page
    assert 'type="datetime-local"' in page and 'name="accept_weighed_mass"' in page


def test_a_refused_page_adds_up_what_was_typed(client, clerk, make_user, make_booking):
    booking = make_booking(make_user(Role.SHIPPER).company, lines=(("22G1", 2),))
    response = _post(
        client,
        booking,
        {
            **_row(0, "CSQU3054383", 16_300),
            **_row(1, "TCNU7200794", "", vgm_method="METHOD_2", cargo_kg="9000", packing_kg="500"),
            "action": "confirm",
        },
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert '<output id="weighed-total" for="check-form">23,500</output>' in page
    assert "23,500" in page and "12,000" in page  # the refusal names both figures


def test_the_clerk_accepts_the_weighed_mass_on_the_page(
    client, db_session, clerk, make_user, make_booking
):
    booking = make_booking(make_user(Role.SHIPPER).company)
    data = {**_row(0, "CSQU3054383", 15_300), "action": "confirm"}
    refused = _post(client, booking, data)
    assert refused.status_code == 422
    assert "13,000" in refused.get_data(as_text=True)
    accepted = _post(client, booking, {**data, "accept_weighed_mass": "true"})
    assert accepted.status_code == 302, accepted.get_data(as_text=True)[:3000]
    db_session.expire_all()
    stored = db_session.get(Booking, booking.id)
    assert stored.status is BookingStatus.CONFIRMED
    assert stored.gross_weight_kg == Decimal(13_000)
    detail = client.get(f"/bookings/{booking.reference}").get_data(as_text=True)
    assert "申报毛重12,000千克，称重13,000千克" in detail and "称重质量已作为毛重" in detail


def test_the_new_inputs_are_kept(client, db_session, clerk, make_user, make_booking):
    booking = make_booking(make_user(Role.SHIPPER).company)
    response = _post(
        client,
        booking,
        {
            **_row(0, "CSQU3054383", 14_300, owner="SOC", weighed_at="2026-01-01T00:00"),
            "action": "confirm",
        },
    )
    assert response.status_code == 422  # weighed too long ago
    page = response.get_data(as_text=True)
    assert 'id="containers.0.weighed_at-error"' in page
    assert 'value="2026-01-01T00:00"' in page
    response = _post(
        client, booking, {**_row(0, "CSQU3054383", 14_300, owner="SOC"), "action": "confirm"}
    )
    assert response.status_code == 302
    container = db_session.scalar(select(Container))
    assert container.owner is ContainerOwner.SOC and container.vgm_certified_by == "王芳"


@pytest.mark.parametrize("number", ["CSQJ3054386", "CSQZ3054387"])
def test_a_j_or_z_number_is_named_on_its_row(
    client, db_session, clerk, make_user, make_booking, number
):
    booking = make_booking(make_user(Role.SHIPPER).company)
    response = _post(client, booking, {**_row(0, number, 14_300), "action": "confirm"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'id="containers.0.number-error"' in page and "只有U类集装箱可以装货" in page


def test_a_signatory_left_blank_is_named_on_its_row(client, clerk, make_user, make_booking):
    booking = make_booking(make_user(Role.SHIPPER).company)
    data = {**_row(0, "CSQU3054383", 14_300, vgm_certified_by=""), "action": "confirm"}
    page = _post(client, booking, data).get_data(as_text=True)
    assert 'id="containers.0.vgm_certified_by-error"' in page


def test_a_partly_checked_load_is_saved_and_restored(
    client, db_session, clerk, make_user, make_booking
):
    booking = make_booking(make_user(Role.SHIPPER).company, lines=(("22G1", 2),))
    half = {
        "containers.0.number": "CSQU3054383",
        "containers.0.tare_kg": "2300",
        "containers.0.vgm_kg": "8300",
        "containers.0.vgm_certified_by": "王芳",
        "containers.1.number": "",
        "action": "draft",
    }
    saved = _post(client, booking, half)
    assert saved.status_code == 302
    draft = db_session.scalar(select(LoadDraft))
    assert draft.rows[0]["number"] == "CSQU3054383" and draft.rows[1] == {}
    page = client.get(f"/station/bookings/{booking.reference}/check").get_data(as_text=True)
    assert 'id="draft-note"' in page
    assert 'name="containers.0.number" type="text" value="CSQU3054383"' in page
    assert 'value="王芳"' in page
    assert '<output id="weighed-total" for="check-form">6,000</output>' in page
    done = _post(
        client,
        booking,
        {**_row(0, "CSQU3054383", 8_300), **_row(1, "TCNU7200794", 8_300), "action": "confirm"},
    )
    assert done.status_code == 302
    assert db_session.scalar(select(LoadDraft.id)) is None


def test_another_stations_clerk_cannot_save_a_draft(
    client, db_session, clerk, make_user, make_booking
):
    booking = make_booking(make_user(Role.SHIPPER).company, origin="BH")
    response = _post(client, booking, {"containers.0.seal": "X", "action": "draft"})
    assert response.status_code == 404
    assert db_session.scalar(select(LoadDraft.id)) is None
