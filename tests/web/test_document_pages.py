"""Documents on the booking's page: the list, the upload form with its errors beside the
fields, the download, the removal after a confirmation page; CSRF, size and scope."""

import re

import pytest
from sqlalchemy import func, select

from dryport.models import BookingDocument, DepartureStatus, Role
from dryport.services.documents import MAX_BYTES
from tests.conftest import PDF, PNG, csrf_token, multipart


@pytest.fixture
def shipper(make_user, auth):
    user = make_user(Role.SHIPPER)
    auth.login(user.email)
    return user


@pytest.fixture
def booking(shipper, make_booking):
    return make_booking(shipper.company)


def _detail(booking):
    return f"/bookings/{booking.reference}"


def _english(client):
    page = client.get("/departures")
    client.post("/language/en", data={"csrf_token": csrf_token(page), "next": "/departures"})


def _upload(client, booking, data=PDF, name="invoice.pdf", kind="INVOICE", token=True):
    fields = {"kind": kind}
    if token:
        fields["csrf_token"] = csrf_token(client.get(_detail(booking)))
    body, content_type = multipart(fields, {"file": (name, data)})
    return client.post(f"{_detail(booking)}/documents", data=body, content_type=content_type)


def _count(db_session):
    db_session.expire_all()
    return db_session.scalar(select(func.count()).select_from(BookingDocument))


def test_a_shipper_uploads_and_sees_the_document_listed(client, db_session, shipper, booking):
    page = client.get(_detail(booking)).get_data(as_text=True)
    assert 'enctype="multipart/form-data"' in page and "尚未附加文件" in page
    response = _upload(client, booking, PNG, "scan-0042.png", "PACKING_LIST")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"{_detail(booking)}#documents")
    page = client.get(_detail(booking)).get_data(as_text=True)
    document = db_session.scalar(select(BookingDocument))
    assert "scan-0042.png" in page and "装箱单" in page  # its name and its kind
    assert f"/documents/{document.id}/file" in page
    assert shipper.name in page
    assert "已附加文件" in page  # the timeline's entry
    download = client.get(f"{_detail(booking)}/documents/{document.id}/file")
    assert download.status_code == 200 and download.data == PNG
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    assert download.headers["Content-Disposition"].startswith("attachment;")


def test_the_upload_needs_its_csrf_token(client, db_session, shipper, booking):
    response = _upload(client, booking, token=False)
    assert response.status_code == 400
    assert _count(db_session) == 0


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_renamed_executable_is_refused_beside_the_file_input(
    client, db_session, shipper, booking, lang
):
    if lang == "en":
        _english(client)
    response = _upload(client, booking, b"MZ\x90\x00" + b"\x00" * 64, "invoice.pdf")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    error = re.search(r'<span class="error" id="document-file-error">([^<]+)</span>', page)
    assert error, page
    expected = "PDF, JPEG or PNG" if lang == "en" else "PDF、JPEG 或 PNG"
    assert expected in error.group(1)
    assert 'aria-describedby="document-file-error' in page
    assert 'value="INVOICE" selected' in page  # the kind chosen stays chosen
    assert _count(db_session) == 0


def test_a_kind_left_unchosen_is_said_beside_the_select(client, db_session, shipper, booking):
    response = _upload(client, booking, kind="")
    assert response.status_code == 422
    assert 'id="document-kind-error"' in response.get_data(as_text=True)
    assert _count(db_session) == 0


def test_exactly_ten_mib_is_accepted_from_the_page(client, db_session, shipper, booking):
    response = _upload(client, booking, PDF + b"0" * (MAX_BYTES - len(PDF)))
    assert response.status_code == 302
    assert _count(db_session) == 1


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_ten_mib_and_one_byte_is_a_413_beside_the_file_input(
    client, db_session, shipper, booking, lang
):
    if lang == "en":
        _english(client)
    response = _upload(client, booking, PDF + b"0" * (MAX_BYTES + 1 - len(PDF)))
    assert response.status_code == 413
    page = response.get_data(as_text=True)
    error = re.search(r'<span class="error" id="document-file-error">([^<]+)</span>', page)
    assert error and "10 MB" in error.group(1)
    assert ("larger than" if lang == "en" else "大于") in error.group(1)
    assert _count(db_session) == 0


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_far_larger_request_is_a_413_page_in_the_users_language(
    client, db_session, shipper, booking, lang
):
    if lang == "en":
        _english(client)
    response = _upload(client, booking, PDF + b"0" * (2 * MAX_BYTES))
    assert response.status_code == 413
    page = response.get_data(as_text=True)
    assert ("Request too large" if lang == "en" else "请求过大") in page
    assert _count(db_session) == 0


def _remove(client, booking, document, **fields):
    path = f"{_detail(booking)}/documents/{document.id}/remove"
    page = client.get(path)
    return page, client.post(path, data={"csrf_token": csrf_token(page), **fields})


def test_removal_asks_first_then_removes(client, db_session, shipper, booking, make_document):
    document = make_document(shipper, booking, name="old invoice.pdf")
    assert f"/documents/{document.id}/remove" in client.get(_detail(booking)).get_data(as_text=True)
    page, refused = _remove(client, booking, document)
    assert page.status_code == 200 and "old invoice.pdf" in page.get_data(as_text=True)
    assert refused.status_code == 400 and _count(db_session) == 1
    path = f"{_detail(booking)}/documents/{document.id}/remove"
    assert client.post(path, data={"confirmed": "yes"}).status_code == 400  # no CSRF token
    assert _count(db_session) == 1
    _page, done = _remove(client, booking, document, confirmed="yes")
    assert done.status_code == 302 and _count(db_session) == 0
    assert "已删除文件" in client.get(_detail(booking)).get_data(as_text=True)


def test_after_departure_no_removal_is_offered_nor_done(
    client, db_session, shipper, booking, make_document
):
    document = make_document(shipper, booking)
    booking.departure.status = DepartureStatus.DEPARTED
    db_session.commit()
    assert "/remove" not in client.get(_detail(booking)).get_data(as_text=True)
    page, response = _remove(client, booking, document, confirmed="yes")
    assert 'class="danger"' not in page.get_data(as_text=True)  # blocked: no button
    assert response.status_code == 302
    assert _count(db_session) == 1


def test_a_clerk_sees_and_downloads_but_does_not_upload(
    client, auth, make_user, shipper, booking, make_document
):
    document = make_document(shipper, booking)
    auth.logout()
    auth.login(make_user(Role.CLERK, station="HB").email)
    page = client.get(_detail(booking)).get_data(as_text=True)
    assert document.file_name in page and 'enctype="multipart/form-data"' not in page
    assert client.get(f"{_detail(booking)}/documents/{document.id}/file").status_code == 200


def test_another_companys_documents_and_booking_are_404_on_every_page(
    client, db_session, auth, make_user, shipper, booking, make_booking, make_document
):
    document = make_document(shipper, booking)
    auth.logout()
    other = make_user(Role.SHIPPER)
    auth.login(other.email)
    theirs = make_booking(other.company)
    token = csrf_token(client.get(_detail(theirs)))
    body, content_type = multipart(
        {"kind": "INVOICE", "csrf_token": token}, {"file": ("x.pdf", PDF)}
    )
    base = f"{_detail(booking)}/documents"
    assert client.post(base, data=body, content_type=content_type).status_code == 404
    assert client.get(f"{base}/{document.id}/file").status_code == 404
    assert client.get(f"{base}/{document.id}/remove").status_code == 404
    removal = {"csrf_token": token, "confirmed": "yes"}
    assert client.post(f"{base}/{document.id}/remove", data=removal).status_code == 404
    # Another booking's document through their own booking: not found either.
    mine = f"{_detail(theirs)}/documents/{document.id}"
    assert client.get(f"{mine}/file").status_code == 404
    assert client.post(f"{mine}/remove", data=removal).status_code == 404
    assert _count(db_session) == 1
    auth.logout()
    auth.login(make_user(Role.CLERK, station="HK").email)
    assert client.get(f"{base}/{document.id}/file").status_code == 404
