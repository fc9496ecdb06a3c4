"""A real multi-worker server (gunicorn) on the test database, driven over real HTTP."""

import http.client
import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

from dryport.extensions import db

ROOT = Path(__file__).resolve().parents[2]
WORKERS = 4


#: The status of a ``Reply`` that never came: the connection was refused, reset or closed.
NO_ANSWER = 0


@dataclass
class Reply:
    status: int
    body: dict


class Server:
    def __init__(self, base: str, process: subprocess.Popen | None = None, log: Path | None = None):
        self.base = base
        self.process = process
        self.log = log
        self.errors: list[str] = []

    def send(self, method: str, path: str, body=None, headers=None) -> Reply:
        """Like ``request``, but a connection that fails is an answer too (``NO_ANSWER``)."""
        try:
            return self.request(method, path, body, headers)
        except (OSError, http.client.HTTPException) as error:
            return Reply(NO_ANSWER, {"error": repr(error)})

    def request(self, method: str, path: str, body=None, headers=None) -> Reply:
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(self.base + path, data=data, method=method)
        req.add_header("Content-Type", "application/json")
        for key, value in (headers or {}).items():
            req.add_header(key, value)
        try:
            with urllib.request.urlopen(req, timeout=60) as response:  # noqa: S310 - loopback
                return Reply(response.status, json.loads(response.read() or b"null"))
        except urllib.error.HTTPError as error:
            payload = error.read()
            try:
                return Reply(error.code, json.loads(payload))
            except ValueError:
                return Reply(error.code, {"raw": payload.decode(errors="replace")})

    def token(self, email: str, password: str, headers=None) -> dict:
        body = {"email": email, "password": password}
        reply = self.request("POST", "/api/v1/tokens", body, headers)
        assert reply.status == 201, reply
        return {"Authorization": f"Bearer {reply.body['token']}"}

    def many(self, calls, clients: int) -> list[Reply]:
        """Run ``calls`` (argument tuples for ``request``) from ``clients`` threads at once."""
        with ThreadPoolExecutor(max_workers=clients) as pool:
            return list(pool.map(lambda call: self.request(*call), calls))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(
    database_url: str,
    log_dir: Path,
    module: str = "wsgi:app",
    *,
    workers: int = WORKERS,
    threads: int | None = 2,
    graceful_timeout: int = 5,
    env: dict | None = None,
) -> Server:
    """Start gunicorn with the production settings (``gunicorn.conf.py``) on a free loopback
    port against ``database_url``; return at once (``wait_until_up`` waits for it).
    ``threads=None`` keeps the threads per worker that ``gunicorn.conf.py`` sets, and the
    requests a worker runs at once that the app sets (``APP_CONCURRENCY``); ``threads=n``
    lets each worker run its ``n`` threads' requests at once, as a race needs."""
    port = _free_port()
    log = log_dir / f"gunicorn-{port}.log"
    environment = {
        **os.environ,
        "DATABASE_URL": database_url,
        "SECRET_KEY": "concurrency-test-secret-key",
        "PUBLIC_URL": "http://dryport.test",
        "PYTHONPATH": str(ROOT),
        # The workers of a host count sign-ins together (instance/rate_limits.sqlite): races
        # sign in dozens of times a minute, and each server counts under a prefix of its own.
        "SIGN_IN_LIMIT": "1000 per minute",
        "SIGN_IN_ACCOUNT_LIMIT": "1000 per minute",
        "RATELIMIT_KEY_PREFIX": f"dryport-test-{uuid.uuid4().hex[:12]}",
        **({"APP_CONCURRENCY": str(threads)} if threads is not None else {}),
        **(env or {}),
    }
    environment.pop("FLASK_DEBUG", None)
    gunicorn = Path(sys.executable).with_name("gunicorn")
    with log.open("w") as out:
        process = subprocess.Popen(  # noqa: S603 - our own server on loopback
            [
                str(gunicorn),
                "-c",
                str(ROOT / "gunicorn.conf.py"),
                "-w",
                str(workers),
                *(["--threads", str(threads)] if threads is not None else []),
                "-b",
                f"127.0.0.1:{port}",
                "--graceful-timeout",
                str(graceful_timeout),
                module,
            ],
            cwd=ROOT,
            env=environment,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    return Server(f"http://127.0.0.1:{port}", process, log)


def wait_until_up(server: Server, seconds: float = 30) -> None:
    """Wait until the server's health check answers 200 (it reaches the database)."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            urllib.request.urlopen(server.base + "/healthz", timeout=2)  # noqa: S310
            return
        except OSError:
            if server.process.poll() is not None or time.monotonic() > deadline:
                server.process.kill()
                pytest.fail(f"gunicorn did not start:\n{server.log.read_text()}")
            time.sleep(0.2)


def stop_server(*servers: Server) -> None:
    """Stop the servers (gracefully, all at once, then by force) and note the tracebacks in
    their logs."""
    for server in servers:
        if server.process.poll() is None:
            server.process.terminate()
    for server in servers:
        try:
            server.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.process.kill()
            server.process.wait()
        lines = server.log.read_text().splitlines()
        server.errors = [line for line in lines if "Traceback" in line]


def racing_users(server: Server, db_session, make_user, role, n: int = 2, **kw) -> list[dict]:
    """The bearer headers of ``n`` users of ``role`` ready to race on ``server``: each token used
    once already (its first use of the hour writes its time, which is not the race), and our
    own session holding no read that could pin SQLite's snapshot under the servers' writes."""
    from tests.conftest import PASSWORD

    users = [make_user(role, **kw) for _ in range(n)]  # all written before any request
    tokens = [server.token(user.email, PASSWORD) for user in users]
    for token in tokens:
        assert server.request("GET", "/api/v1/stations", headers=token).status == 200
    db_session.rollback()
    return tokens


def racing_operators(server: Server, db_session, make_user, n: int = 2) -> list[dict]:
    """``racing_users`` who are operators."""
    from dryport.models import Role

    return racing_users(server, db_session, make_user, Role.OPERATOR, n)


def _serve(app, module: str, tmp_path_factory):
    server = start_server(
        str(app.config["SQLALCHEMY_DATABASE_URI"]), tmp_path_factory.mktemp("server"), module
    )
    wait_until_up(server)
    try:
        yield server
    finally:
        stop_server(server)


@pytest.fixture(scope="module")
def server(app, tmp_path_factory):
    with app.app_context():
        db.engine.dispose()  # no connection of ours may hold a lock the workers wait for
    yield from _serve(app, "wsgi:app", tmp_path_factory)


@pytest.fixture(scope="module")
def naive_server(app, tmp_path_factory):
    with app.app_context():
        db.engine.dispose()
    yield from _serve(app, "tests.concurrency.naive_wsgi:app", tmp_path_factory)
