"""docs/DEPLOYMENT.md's nginx configuration, run as written in front of gunicorn: many slow
clients (slowloris) wait in the proxy, and the other requests keep being served promptly;
the same clients straight at gunicorn stall them (the failure the proxy is there for).

The guide's ``nginx`` block is used as it stands except what a test on 127.0.0.1 must
change: the address it listens on (plain HTTP on a free port, so no certificate), the app
server it passes to, and the redirect from port 80 left out. Without nginx the tests are
skipped, saying so; under CI (``CI=1``) they fail instead.
"""

import os
import re
import shutil
import socket
import subprocess
import time

import pytest

from dryport.extensions import db
from tests.concurrency.conftest import _free_port, start_server, stop_server, wait_until_up
from tests.concurrency.slow_clients import durations_among_slow_clients
from tests.deployment.test_guide import GUIDE

SLOW_CLIENTS = 40  # several times the threads of the two workers
SLOW_FOR = 12.0
PROMPT = 2.0


def guide_nginx_block() -> str:
    blocks = re.findall(r"```nginx\n(.*?)```", GUIDE.read_text(), re.S)
    assert len(blocks) == 1, "the guide has one nginx configuration"
    return blocks[0]


def adapted(block: str, *, listen: int, app_port: int) -> str:
    """The guide's block on 127.0.0.1: what must change for a test, and nothing else."""
    servers = re.split(r"(?m)^(?=server \{)", block)
    upstream, main = servers[0], servers[1]
    assert "listen 443 ssl;" in main and "proxy_request_buffering" in main
    assert all("listen 80;" in rest for rest in servers[2:])  # the redirect: left out
    upstream = re.sub(r"(?m)^(\s*server )\S+;", rf"\g<1>127.0.0.1:{app_port};", upstream)
    main = main.replace("listen 443 ssl;", f"listen 127.0.0.1:{listen};")
    main = re.sub(r"(?m)^\s*ssl_\S+.*\n", "", main)
    return upstream + main


@pytest.fixture(scope="module")
def nginx_binary():
    found = shutil.which("nginx") or (
        "/usr/sbin/nginx" if os.path.exists("/usr/sbin/nginx") else None
    )
    if found is None:
        reason = "nginx is not installed (apt-get install nginx)"
        if os.environ.get("CI"):
            pytest.fail(f"{reason}: the proxy test must run in CI")
        pytest.skip(reason)
    return found


@pytest.fixture(scope="module")
def app_server(app, tmp_path_factory):
    with app.app_context():
        db.engine.dispose()
    url = str(app.config["SQLALCHEMY_DATABASE_URI"])
    server = start_server(url, tmp_path_factory.mktemp("app"), workers=2, threads=None)
    wait_until_up(server)
    try:
        yield server
    finally:
        stop_server(server)


@pytest.fixture(scope="module")
def proxy(nginx_binary, app_server, tmp_path_factory):
    """nginx with the guide's configuration in front of ``app_server``; its base URL."""
    prefix = tmp_path_factory.mktemp("nginx")
    port = _free_port()
    app_port = int(app_server.base.rsplit(":", 1)[1])
    temp = "\n".join(
        f"    {kind}_temp_path {prefix / kind};"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    (prefix / "nginx.conf").write_text(
        f"""daemon off;
user root;
worker_processes 1;
pid {prefix / "nginx.pid"};
error_log {prefix / "error.log"} warn;
events {{ worker_connections 512; }}
http {{
    access_log off;
{temp}
{adapted(guide_nginx_block(), listen=port, app_port=app_port)}
}}
"""
    )
    process = subprocess.Popen(  # noqa: S603 - our own proxy on loopback
        [nginx_binary, "-p", str(prefix), "-c", str(prefix / "nginx.conf")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 10
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                pytest.fail(f"nginx did not start:\n{(prefix / 'error.log').read_text()}")
            time.sleep(0.1)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=10)


def _late(durations: list[float]) -> list[float]:
    return [round(d, 2) for d in durations if d > PROMPT]


def test_behind_the_guides_proxy_many_slow_clients_do_not_stall_the_others(proxy):
    durations = durations_among_slow_clients(
        proxy, clients=SLOW_CLIENTS, seconds=SLOW_FOR, timeout=PROMPT * 2
    )
    late = _late(durations)
    assert len(durations) >= 5 and not late, f"{len(late)} of {len(durations)} late: {late}"


def test_the_same_slow_clients_straight_at_gunicorn_stall_the_others(app_server, proxy):
    """The control: without the proxy these clients hold every thread, so the test above
    would catch a configuration that let them through."""
    durations = durations_among_slow_clients(
        app_server.base, clients=SLOW_CLIENTS, seconds=SLOW_FOR, timeout=PROMPT * 2
    )
    assert _late(durations), f"no request was late straight at gunicorn: {durations}"
