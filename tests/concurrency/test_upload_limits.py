"""Uploads over the limit, sent to gunicorn with its production settings over a real socket:
the client reads a clean 413 problem (or page), never a reset connection, whether the body
is a little over (read, then refused) or far over (refused before it is read)."""

import http.client
import json
import re
import socket
from urllib.parse import urlsplit

import pytest

from dryport.models import Role
from dryport.services.documents import MAX_BYTES
from tests.concurrency.conftest import start_server, stop_server, wait_until_up
from tests.conftest import PASSWORD, PDF, multipart


@pytest.fixture
def server(app, tmp_path_factory):
    from dryport.extensions import db

    with app.app_context():
        db.engine.dispose()
    url = str(app.config["SQLALCHEMY_DATABASE_URI"])
    server = start_server(url, tmp_path_factory.mktemp("server"), workers=1, threads=None)
    wait_until_up(server)
    try:
        yield server
    finally:
        stop_server(server)


def _connection(server):
    parts = urlsplit(server.base)
    return http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)


def _post(server, path, body: bytes, content_type: str, headers: dict):
    connection = _connection(server)
    try:
        connection.request(
            "POST", path, body=body, headers={"Content-Type": content_type, **headers}
        )
        response = connection.getresponse()
        return response.status, response.getheader("Content-Type"), response.read()
    finally:
        connection.close()


def _token(server, email):
    status, _type, body = _post(
        server, "/api/v1/tokens", json.dumps({"email": email, "password": PASSWORD}).encode(),
        "application/json", {},
    )  # fmt: skip
    assert status == 201, body
    return json.loads(body)["token"]


@pytest.mark.parametrize("extra", [1, 3 * MAX_BYTES], ids=["one byte over", "far over"])
def test_an_upload_over_the_limit_is_a_clean_413_problem(
    server, db_session, make_user, make_booking, extra
):
    shipper = make_user(Role.SHIPPER)
    booking = make_booking(shipper.company)
    db_session.commit()
    token = _token(server, shipper.email)
    body, content_type = multipart(
        {"kind": "INVOICE"}, {"file": ("big.pdf", PDF + b"0" * (MAX_BYTES + extra - len(PDF)))}
    )
    status, media_type, answer = _post(
        server, f"/api/v1/bookings/{booking.reference}/documents", body, content_type,
        {"Authorization": f"Bearer {token}", "Accept-Language": "en"},
    )  # fmt: skip
    assert status == 413
    assert media_type == "application/problem+json"
    assert json.loads(answer)["status"] == 413


def test_a_page_upload_far_over_the_limit_is_a_clean_413_page(
    server, db_session, make_user, make_booking
):
    shipper = make_user(Role.SHIPPER)
    booking = make_booking(shipper.company)
    db_session.commit()
    connection = _connection(server)
    connection.request("GET", "/login")
    login = connection.getresponse()
    cookie = login.getheader("Set-Cookie").split(";", 1)[0]
    token = re.search(rb'name="csrf_token" value="([^"]+)"', login.read()).group(1).decode()
    form = f"email={shipper.email}&password={PASSWORD}&csrf_token={token}"
    connection.request(
        "POST", "/login", body=form,
        headers={"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie},
    )  # fmt: skip
    signed_in = connection.getresponse()
    signed_in.read()
    cookie = signed_in.getheader("Set-Cookie").split(";", 1)[0]
    connection.close()
    body, content_type = multipart(
        {"kind": "INVOICE", "csrf_token": token}, {"file": ("big.pdf", PDF + b"0" * 3 * MAX_BYTES)}
    )
    status, media_type, answer = _post(
        server, f"/bookings/{booking.reference}/documents", body, content_type, {"Cookie": cookie}
    )
    assert status == 413
    assert media_type.startswith("text/html") and "请求过大".encode() in answer


def test_the_socket_is_not_reset_under_the_client(server, db_session, make_user, make_booking):
    """At the socket: the whole oversized body is written, then the answer read in full."""
    shipper = make_user(Role.SHIPPER)
    booking = make_booking(shipper.company)
    db_session.commit()
    token = _token(server, shipper.email)
    body, content_type = multipart({"kind": "INVOICE"}, {"file": ("big.pdf", b"0" * 4 * MAX_BYTES)})
    parts = urlsplit(server.base)
    head = (
        f"POST /api/v1/bookings/{booking.reference}/documents HTTP/1.1\r\n"
        f"Host: {parts.netloc}\r\nAuthorization: Bearer {token}\r\n"
        f"Content-Type: {content_type}\r\nContent-Length: {len(body)}\r\n\r\n"
    ).encode()
    with socket.create_connection((parts.hostname, parts.port), timeout=60) as sock:
        sock.sendall(head + body)
        sock.shutdown(socket.SHUT_WR)  # all sent: now the answer, until the server closes
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
