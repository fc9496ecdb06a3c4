"""Small things a user meets: where an administrator lands, how the audit log shows a
sign-in, what a tampered verification link says, how an amendment reads, and the order of
the container lines."""

import pytest

from dryport.models import Role, VgmMethod
from dryport.services import loading, waybills
from tests.conftest import cargo_form, csrf_token


def test_an_administrator_lands_on_the_administration(client, auth, make_user):
    auth.login(make_user(Role.ADMIN).email)
    assert client.get("/").headers["Location"] == "/admin/"


def test_a_sign_in_is_an_event_in_the_audit_log(client, auth, make_user):
    auth.login(make_user(Role.ADMIN, locale="en").email)
    page = client.get("/admin/audit").get_data(as_text=True)
    row = page[page.index("signed in") :]
    row = row[: row.index("</tr>")]
    assert "Page: /login" in row and "→" not in row


def _waybill(db_session, make_user, make_booking):
    booking = make_booking(make_user(Role.SHIPPER).company)
    loading.confirm_load(db_session, make_user(Role.CLERK, station="HB"), booking.reference, [{
        "number": "CSQU3054383", "size_type": "22G1", "seal": "S1", "tare_kg": 2300,
        "vgm_kg": 14300, "vgm_method": VgmMethod.METHOD_1, "vgm_certified_by": "Wang Fang",
    }])  # fmt: skip
    db_session.commit()
    return waybills.latest(db_session, booking.id)


@pytest.mark.parametrize("lang, warning", [("zh", "非真实运单"), ("en", "Not a genuine waybill")])
def test_a_tampered_verification_link_warns_and_tells_nothing(
    client, db_session, make_user, make_booking, lang, warning
):
    waybill = _waybill(db_session, make_user, make_booking)
    genuine = client.get(f"/verify/{waybill.number}?t={waybill.token}")
    assert genuine.status_code == 200
    wrong = "0" * 32 if waybill.token != "0" * 32 else "1" * 32
    tampered = [
        f"/verify/{waybill.number}?t={wrong}",
        f"/verify/{waybill.number}?t=wrong",
        f"/verify/{waybill.number}",
        f"/verify/WB-NOPE-0000-0000?t={waybill.token}",
    ]
    pages = []
    for path in tampered:
        with client.session_transaction() as session:
            session["lang"] = lang
        response = client.get(path)
        assert response.status_code == 404, path
        page = response.get_data(as_text=True)
        pages.append(page[page.index("<main") : page.index("</main>")])
        assert warning in pages[-1]
        for secret in ("Duisburg", "Green tea", "CSQU3054383", waybill.booking.company.name):
            assert secret not in pages[-1]
    assert len(set(pages)) == 1  # an unknown number reads as a wrong code


@pytest.fixture
def shipper(make_user, auth):
    user = make_user(Role.SHIPPER, locale="en")
    auth.login(user.email)
    return user


def _amend(client, booking, **fields):
    path = f"/bookings/{booking.reference}/amend"
    form = client.get(path)
    data = {
        "version": str(booking.version), "consignee.name": "Duisburg Intermodal GmbH",
        "consignee.address": "Duisburg, DE",
        **cargo_form(**{"cargo.description": "Green tea", "cargo.gross_weight_kg": "12000"}),
        "containers.0.size_type": "45G1", "containers.0.quantity": "1",
        "containers.1.size_type": "22G1", "containers.1.quantity": "1",
    }  # fmt: skip
    return form.get_data(as_text=True), client.post(
        path, data={**data, **fields, "csrf_token": csrf_token(form)}
    )


def test_the_amendment_reads_with_thousands_separators_in_a_list(
    client, shipper, make_booking, make_departure
):
    booking = make_booking(
        shipper.company, departure=make_departure(capacity=50), lines=(("45G1", 1), ("22G1", 1))
    )
    _form, response = _amend(client, booking, **{"cargo.gross_weight_kg": "42000"})
    assert response.status_code == 302
    page = client.get(f"/bookings/{booking.reference}").get_data(as_text=True)
    assert "12,000 → 42,000" in page and "42000.0" not in page
    changes = page[page.index('<ul class="changes">') :]
    changes = changes[: changes.index("</ul>")]
    assert "<li>Gross weight (kg): 12,000 → 42,000</li>" in changes  # no form-field styling
    css = client.get("/static/css/dryport.css")
    text = css.get_data(as_text=True)
    css.close()
    assert ".timeline > li::before" in text  # the timeline's dot is not on the change list


def test_container_lines_keep_their_order(client, shipper, make_booking, make_departure):
    booking = make_booking(
        shipper.company, departure=make_departure(capacity=50), lines=(("45G1", 1), ("22G1", 1))
    )
    form, response = _amend(client, booking, **{"containers.1.quantity": "3"})
    first = 'name="containers.0.size_type"'
    row = form[form.index(first) : form.index("</select>", form.index(first))]
    assert 'value="45G1" data-teu="2" selected' in row  # the form shows them as booked
    assert response.status_code == 302
    page = client.get(f"/bookings/{booking.reference}").get_data(as_text=True)
    assert "1 × 45G1, 3 × 22G1" in page
    assert "1×45G1, 1×22G1 → 1×45G1, 3×22G1" in page
