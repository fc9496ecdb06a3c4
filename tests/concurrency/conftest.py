"""A real multi-worker server (gunicorn) on the test database, driven over real HTTP."""

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

from dryport.extensions import db

ROOT = Path(__file__).resolve().parents[2]
WORKERS = 4


@dataclass
class Reply:
    status: int
    body: dict


class Server:
    def __init__(self, base: str):
        self.base = base

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

    def token(self, email: str, password: str) -> dict:
        reply = self.request("POST", "/api/v1/tokens", {"email": email, "password": password})
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


def _serve(app, module: str, tmp_path_factory):
    port = _free_port()
    log = tmp_path_factory.mktemp("server") / "gunicorn.log"
    env = {
        **os.environ,
        "DATABASE_URL": str(app.config["SQLALCHEMY_DATABASE_URI"]),
        "SECRET_KEY": "concurrency-test-secret-key",
        "PUBLIC_URL": "http://dryport.test",
        "PYTHONPATH": str(ROOT),
    }
    env.pop("FLASK_DEBUG", None)
    gunicorn = Path(sys.executable).with_name("gunicorn")
    with log.open("w") as out:
        process = subprocess.Popen(  # noqa: S603 - our own server on loopback
            [
                str(gunicorn),
                "-w",
                str(WORKERS),
                "--threads",
                "2",
                "-b",
                f"127.0.0.1:{port}",
                "--graceful-timeout",
                "5",
                module,
            ],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    server = Server(f"http://127.0.0.1:{port}")
    deadline = time.monotonic() + 30
    while True:
        try:
            urllib.request.urlopen(server.base + "/login", timeout=2)  # noqa: S310
            break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                pytest.fail(f"gunicorn did not start:\n{log.read_text()}")
            time.sleep(0.2)
    try:
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
        server_errors = [line for line in log.read_text().splitlines() if "Traceback" in line]
        server.log = log
        server.errors = server_errors


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
