"""The shipper's pages for booking again: a booking copied into the form, templates saved,
renamed, removed and booked from, the address book and its picker on the booking form;
each within the company, each form guarded by its CSRF token."""

from sqlalchemy import func, select

from dryport.models import AddressBookEntry, BookingTemplate, Role
from dryport.services import address_book, booking_templates
from tests.conftest import csrf_token


def _count(db_session, model) -> int:
    return db_session.scalar(select(func.count()).select_from(model))


def _shipper_with_booking(auth, make_user, make_booking, **kw):
    user = make_user(Role.SHIPPER)
    booking = make_booking(user.company, **kw)
    auth.login(user.email)
    return user, booking


def test_book_again_fills_the_form_with_the_booking(client, auth, make_user, make_booking):
    _user, booking = _shipper_with_booking(
        auth, make_user, make_booking, lines=(("22G1", 2),), notify_name="Rhenus",
        notify_address="Duisburg", customs_declaration_no="223320261000123456",
    )  # fmt: skip
    detail = client.get(f"/bookings/{booking.reference}").get_data(as_text=True)
    assert f"/bookings/new?copy={booking.reference}" in detail
    page = client.get(f"/bookings/new?copy={booking.reference}").get_data(as_text=True)
    assert 'value="Duisburg Intermodal GmbH"' in page and 'value="Rhenus"' in page
    assert 'value="Green tea"' in page and 'value="600"' in page
    assert "223320261000123456" not in page  # a declaration belongs to one shipment


def test_book_again_of_another_companys_booking_is_404(client, auth, make_user, make_booking):
    other = make_booking(make_user(Role.SHIPPER).company)
    auth.login(make_user(Role.SHIPPER).email)
    assert client.get(f"/bookings/new?copy={other.reference}").status_code == 404


def test_a_booking_saved_as_a_template_books_again(client, auth, db_session, make_user,
                                                   make_booking):  # fmt: skip
    _user, booking = _shipper_with_booking(auth, make_user, make_booking)
    url = f"/templates/from-booking/{booking.reference}"
    page = client.get(url)
    assert page.status_code == 200
    blank = client.post(url, data={"name": " ", "csrf_token": csrf_token(page)})
    assert blank.status_code == 422 and 'id="name-error"' in blank.get_data(as_text=True)
    saved = client.post(url, data={"name": "Weekly tea", "csrf_token": csrf_token(page)})
    assert saved.status_code == 302
    twice = client.post(url, data={"name": "Weekly tea", "csrf_token": csrf_token(page)})
    assert twice.status_code == 409 and 'id="name-error"' in twice.get_data(as_text=True)
    template = db_session.scalar(select(BookingTemplate))
    listing = client.get("/templates/?q=weekly").get_data(as_text=True)
    assert "Weekly tea" in listing and f"/bookings/new?template={template.id}" in listing
    form = client.get(f"/bookings/new?template={template.id}").get_data(as_text=True)
    assert 'value="Duisburg Intermodal GmbH"' in form and 'value="090210"' in form


def test_template_forms_need_their_csrf_token(client, auth, db_session, make_user, make_booking):
    user, booking = _shipper_with_booking(auth, make_user, make_booking)
    url = f"/templates/from-booking/{booking.reference}"
    assert client.post(url, data={"name": "Weekly"}).status_code == 400
    template = booking_templates.create_template(
        db_session, user, "Weekly", reference=booking.reference
    )
    db_session.commit()
    assert client.post(f"/templates/{template.id}/edit",
                       data={"name": "x", "version": "1"}).status_code == 400  # fmt: skip
    assert client.post(f"/templates/{template.id}/delete",
                       data={"confirmed": "yes"}).status_code == 400  # fmt: skip
    assert client.post("/address-book/new",
                       data={"name": "x", "address": "y"}).status_code == 400  # fmt: skip
    assert _count(db_session, AddressBookEntry) == 0
    assert db_session.scalar(select(BookingTemplate.name)) == "Weekly"


def test_a_stale_rename_is_a_409_that_says_so(client, auth, db_session, make_user, make_booking):
    user, booking = _shipper_with_booking(auth, make_user, make_booking)
    template = booking_templates.create_template(
        db_session, user, "Tea", reference=booking.reference
    )
    db_session.commit()
    page = client.get(f"/templates/{template.id}/edit")
    booking_templates.update_template(db_session, user, template.id, 1, name="Green tea")
    db_session.commit()
    response = client.post(
        f"/templates/{template.id}/edit",
        data={"name": "Black tea", "version": "1", "csrf_token": csrf_token(page)},
    )
    assert response.status_code == 409
    unversioned = client.post(
        f"/templates/{template.id}/edit", data={"name": "Black tea", "csrf_token": csrf_token(page)}
    )
    assert unversioned.status_code == 409  # a form without the version read never overwrites
    db_session.expire_all()
    assert db_session.get(BookingTemplate, template.id).name == "Green tea"


def test_a_template_is_removed_after_its_confirmation(client, auth, db_session, make_user,
                                                     make_booking):  # fmt: skip
    user, booking = _shipper_with_booking(auth, make_user, make_booking)
    template = booking_templates.create_template(
        db_session, user, "Tea", reference=booking.reference
    )
    db_session.commit()
    url = f"/templates/{template.id}/delete"
    page = client.get(url)
    assert page.status_code == 200
    assert client.post(url, data={"csrf_token": csrf_token(page)}).status_code == 400
    done = client.post(url, data={"csrf_token": csrf_token(page), "confirmed": "yes"})
    assert done.status_code == 302 and _count(db_session, BookingTemplate) == 0


def test_another_companys_template_and_entry_are_404(client, auth, db_session, make_user,
                                                     make_booking):  # fmt: skip
    owner = make_user(Role.SHIPPER)
    booking = make_booking(owner.company)
    template = booking_templates.create_template(
        db_session, owner, "T", reference=booking.reference
    )
    entry = address_book.add_entry(db_session, owner, {"name": "Rhenus", "address": "Duisburg"})
    db_session.commit()
    auth.login(make_user(Role.SHIPPER).email)
    for path in (f"/templates/{template.id}/edit", f"/templates/{template.id}/delete",
                 f"/address-book/{entry.id}/edit", f"/bookings/new?template={template.id}",
                 f"/templates/from-booking/{booking.reference}"):  # fmt: skip
        assert client.get(path).status_code == 404, path
    assert "Rhenus" not in client.get("/address-book/").get_data(as_text=True)


def test_the_address_book_add_edit_search_remove(client, auth, db_session, make_user):  # noqa: E501
    auth.login(make_user(Role.SHIPPER).email)
    page = client.get("/address-book/new")
    token = csrf_token(page)
    bad = client.post(
        "/address-book/new", data={"name": "x" * 129, "address": "", "csrf_token": token}
    )
    assert bad.status_code == 422
    text = bad.get_data(as_text=True)
    assert 'id="name-error"' in text and 'id="address-error"' in text
    assert _count(db_session, AddressBookEntry) == 0
    made = client.post("/address-book/new",
                       data={"name": "Rhenus", "address": "Duisburg",
                             "csrf_token": token})  # fmt: skip
    assert made.status_code == 302
    client.post(
        "/address-book/new", data={"name": "Kühne", "address": "Hamburg", "csrf_token": token}
    )
    found = client.get("/address-book/?q=hamb").get_data(as_text=True)
    assert "<strong>Kühne</strong>" in found and "<strong>Rhenus</strong>" not in found
    entry = db_session.scalar(select(AddressBookEntry).where(AddressBookEntry.name == "Rhenus"))
    edit = client.post(f"/address-book/{entry.id}/edit",
                       data={"name": "Rhenus", "address": "Duisburg Hafen", "version": "1",
                             "csrf_token": token})  # fmt: skip
    assert edit.status_code == 302
    stale = client.post(f"/address-book/{entry.id}/edit",
                        data={"name": "Rhenus", "address": "Bremen", "version": "1",
                              "csrf_token": token})  # fmt: skip
    assert stale.status_code == 409
    unversioned = client.post(f"/address-book/{entry.id}/edit",
                              data={"name": "Rhenus", "address": "Bremen",
                                    "csrf_token": token})  # fmt: skip
    assert unversioned.status_code == 409  # a form without the version read never overwrites
    db_session.expire_all()
    assert db_session.get(AddressBookEntry, entry.id).address == "Duisburg Hafen"
    gone = client.post(
        f"/address-book/{entry.id}/delete", data={"csrf_token": token, "confirmed": "yes"}
    )
    assert gone.status_code == 302 and _count(db_session, AddressBookEntry) == 1


def test_the_picker_fills_a_party_without_script_and_books_nothing(
    client, auth, db_session, make_user, make_departure
):
    user = make_user(Role.SHIPPER)
    entry = address_book.add_entry(db_session, user, {"name": "Rhenus", "address": "Duisburg"})
    db_session.commit()
    auth.login(user.email)
    page = client.get("/bookings/new")
    text = page.get_data(as_text=True)
    assert 'name="pick_consignee"' in text and f'value="{entry.id}"' in text
    filled = client.post("/bookings/new", data={
        "csrf_token": csrf_token(page), "fill": "consignee", "pick_consignee": str(entry.id),
        "cargo.description": "Tea",
    })  # fmt: skip
    assert filled.status_code == 200
    text = filled.get_data(as_text=True)
    assert 'value="Rhenus"' in text and 'value="Duisburg"' in text and 'value="Tea"' in text
    assert "flash error" not in text


def test_a_bookings_consignee_is_saved_to_the_book(client, auth, db_session, make_user,
                                                   make_booking):  # fmt: skip
    _user, booking = _shipper_with_booking(auth, make_user, make_booking)
    url = f"/address-book/from-booking/{booking.reference}"
    assert client.post(url, data={"party": "consignee"}).status_code == 400  # no CSRF token
    page = client.get(f"/bookings/{booking.reference}")
    saved = client.post(url, data={"party": "consignee", "csrf_token": csrf_token(page)})
    assert saved.status_code == 302
    entry = db_session.scalar(select(AddressBookEntry))
    assert (entry.name, entry.address) == ("Duisburg Intermodal GmbH", "Duisburg, DE")
    again = client.post(url, data={"party": "consignee", "csrf_token": csrf_token(page)})
    assert again.status_code == 302
    shown = client.get(f"/bookings/{booking.reference}").get_data(as_text=True)
    assert 'class="flash error"' in shown
    assert _count(db_session, AddressBookEntry) == 1
