"""docs/DEPLOYMENT.md, run: every command in its ``sh`` blocks is run here exactly as written
(through bash), or is marked ``# (not exercised here)``; a command added to the guide
without either fails the first test.

The commands run in a scratch site laid out like a checkout (``.venv``, ``wsgi.py``,
``config.py``, ``gunicorn.conf.py`` and an ``instance/`` folder of its own), so nothing of
this working tree's data is touched.
"""

import json
import os
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, select
from sqlalchemy.engine import make_url

from dryport.models import Booking, Role

ROOT = Path(__file__).resolve().parents[2]
GUIDE = ROOT / "docs" / "DEPLOYMENT.md"
NOT_EXERCISED = "# (not exercised here)"

COMPILE = ".venv/bin/pybabel compile -d dryport/translations"
SECRET = ".venv/bin/python -c 'import secrets; print(secrets.token_hex(32))'"
UPGRADE = ".venv/bin/flask --app wsgi db upgrade"
SEED = ".venv/bin/flask --app wsgi dryport seed"
CREATE_ADMIN = (
    ".venv/bin/flask --app wsgi dryport create-user --role admin "
    '--email "$ADMIN_EMAIL" --password "$ADMIN_PASSWORD"'
)
SERVE = ".venv/bin/gunicorn -c gunicorn.conf.py"
HEALTH = 'curl -fsS "http://$GUNICORN_BIND/healthz"'
SQLITE_BACKUP = 'sqlite3 instance/dryport.db ".backup instance/dryport-backup.db"'
SQLITE_CHECK = 'sqlite3 instance/dryport-backup.db "PRAGMA integrity_check"'
SQLITE_RESTORE = 'sqlite3 instance/dryport.db ".restore instance/dryport-backup.db"'
PG_DUMP = "pg_dump -Fc -f dryport.dump"
PG_CREATE = 'createdb "$RESTORE_DB"'
PG_RESTORE = 'pg_restore --no-owner --exit-on-error -d "$RESTORE_DB" dryport.dump'
PG_COUNT = 'psql -d "$RESTORE_DB" -tAc "SELECT count(*) FROM bookings"'

EXERCISED = {
    COMPILE, SECRET, UPGRADE, SEED, CREATE_ADMIN, SERVE, HEALTH, SQLITE_BACKUP, SQLITE_CHECK,
    SQLITE_RESTORE, PG_DUMP, PG_CREATE, PG_RESTORE, PG_COUNT,
}  # fmt: skip


def guide_commands() -> list[str]:
    """The commands of the guide's ``sh`` blocks, continuation lines joined, comments and
    blank lines left out."""
    commands = []
    for block in re.findall(r"^[ \t]*```sh\n(.*?)^[ \t]*```", GUIDE.read_text(), re.S | re.M):
        for line in block.replace("\\\n", " ").splitlines():
            line = " ".join(line.split())
            if line and not line.startswith("#"):
                commands.append(line)
    return commands


def test_every_command_of_the_guide_is_run_here_or_marked():
    commands = guide_commands()
    assert commands, "no sh blocks found in the guide"
    unmarked = {c for c in commands if not c.endswith(NOT_EXERCISED)}
    assert not unmarked - EXERCISED, f"run these in a test or mark them: {unmarked - EXERCISED}"
    assert not EXERCISED - unmarked, f"the guide no longer says: {EXERCISED - unmarked}"


def run(command: str, cwd: Path, env: dict, timeout: float = 120) -> str:
    """Run one command of the guide as written, through bash; return what it printed (on
    standard output, then standard error)."""
    assert command in EXERCISED
    done = subprocess.run(
        ["bash", "-c", command], cwd=cwd, env=env, capture_output=True, text=True,
        timeout=timeout,
    )  # fmt: skip
    assert done.returncode == 0, f"{command}\n{done.stdout}\n{done.stderr}"
    return done.stdout + done.stderr


@pytest.fixture
def site(tmp_path) -> Path:
    """A scratch place laid out like the checkout the guide speaks of."""
    place = tmp_path / "site"
    (place / "instance").mkdir(parents=True)
    (place / ".venv").symlink_to(Path(sys.prefix))
    for name in ("wsgi.py", "config.py", "gunicorn.conf.py"):
        (place / name).symlink_to(ROOT / name)
    return place


def _environment(**settings) -> dict:
    env = {key: value for key, value in os.environ.items() if not key.startswith("FLASK_")}
    env.pop("DATABASE_URL", None)
    env.update({"PUBLIC_URL": "https://dryport.example", "DRYPORT_LOCALE": "en", **settings})
    return env


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _sqlite_count(path: Path, table: str) -> int:
    engine = create_engine(f"sqlite:///{path}")
    try:
        with engine.connect() as conn:
            return conn.exec_driver_sql(f"SELECT count(*) FROM {table}").scalar()  # noqa: S608
    finally:
        engine.dispose()


def test_the_catalogs_compile_as_the_guide_says(tmp_path):
    for po in (ROOT / "dryport" / "translations").glob("*/LC_MESSAGES/messages.po"):
        target = tmp_path / po.relative_to(ROOT)
        target.parent.mkdir(parents=True)
        shutil.copy(po, target)
    (tmp_path / ".venv").symlink_to(Path(sys.prefix))
    run(COMPILE, tmp_path, _environment())
    for locale in ("zh", "en"):
        assert (tmp_path / f"dryport/translations/{locale}/LC_MESSAGES/messages.mo").stat().st_size


def test_a_release_on_sqlite_serves_and_its_online_backup_restores(site):
    if shutil.which("sqlite3") is None or shutil.which("curl") is None:
        pytest.skip("the sqlite3 and curl command-line tools are not installed")
    database = site / "instance" / "dryport.db"
    bind = f"127.0.0.1:{_free_port()}"
    env = _environment(
        DATABASE_URL=f"sqlite:///{database}", ADMIN_EMAIL="admin@dryport.example",
        ADMIN_PASSWORD="a-long-admin-password", GUNICORN_BIND=bind, WEB_CONCURRENCY="2",
    )  # fmt: skip
    secret = run(SECRET, site, env).strip()
    assert re.fullmatch(r"[0-9a-f]{64}", secret)
    env["SECRET_KEY"] = secret

    assert "Running upgrade" in run(UPGRADE, site, env)
    run(SEED, site, env)
    run(CREATE_ADMIN, site, env)
    log = (site / "gunicorn.log").open("w")
    server = subprocess.Popen(
        shlex.split(SERVE), cwd=site, env=env, stdout=log, stderr=subprocess.STDOUT
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            probe = subprocess.run(["bash", "-c", HEALTH], env=env, capture_output=True, text=True)
            if probe.returncode == 0 or time.monotonic() > deadline or server.poll() is not None:
                break
            time.sleep(0.3)
        assert json.loads(probe.stdout) == {"status": "ok", "database": "ok"}, probe.stderr

        def sign_in():
            body = json.dumps({"email": env["ADMIN_EMAIL"], "password": env["ADMIN_PASSWORD"]})
            request = f"curl -fsS -XPOST -H 'Content-Type: application/json' -d '{body}' "
            done = subprocess.run(
                ["bash", "-c", request + f"http://{bind}/api/v1/tokens"], capture_output=True
            )
            assert done.returncode == 0, done.stderr

        sign_in()  # a token is a row written through the server
        run(SQLITE_BACKUP, site, env)  # while it serves
        sign_in()  # a change after the backup
        assert run(SQLITE_CHECK, site, env).strip() == "ok"
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
        log.close()
    assert "Traceback" not in (site / "gunicorn.log").read_text()
    assert _sqlite_count(database, "api_tokens") == 2
    run(SQLITE_RESTORE, site, env)  # the servers are stopped
    assert _sqlite_count(database, "api_tokens") == 1  # as it was at the backup
    assert _sqlite_count(database, "users") == 1 and _sqlite_count(database, "stations") > 10


def test_a_postgresql_dump_restores_into_a_new_database_with_its_bookings(
    app, db_session, site, make_user, make_booking
):
    url = make_url(str(app.config["SQLALCHEMY_DATABASE_URI"]))
    if url.get_backend_name() != "postgresql":
        pytest.skip("pg_dump and pg_restore need PostgreSQL (set TEST_DATABASE_URL)")
    if shutil.which("pg_dump") is None:
        pytest.skip("the PostgreSQL client tools are not installed")
    reference = make_booking(make_user(Role.SHIPPER).company).reference
    db_session.commit()
    restored = f"{url.database}_restore_{uuid.uuid4().hex[:8]}"
    pg = {"PGHOST": url.host or "localhost", "PGDATABASE": url.database}
    pg |= {"PGUSER": url.username} if url.username else {}
    pg |= {"PGPORT": str(url.port)} if url.port else {}
    pg |= {"PGPASSWORD": url.password} if url.password else {}
    restored_url = url.set(database=restored).render_as_string(hide_password=False)
    env = _environment(**pg, RESTORE_DB=restored, DATABASE_URL=restored_url, SECRET_KEY="x" * 64)
    try:
        run(PG_DUMP, site, env)
        run(PG_CREATE, site, env)
        run(PG_RESTORE, site, env)
        assert run(PG_COUNT, site, env).strip() == "1"
        # The restored database is at the migrations' head: upgrade finds nothing to do.
        assert "Running upgrade" not in run(UPGRADE, site, env)
        engine = create_engine(restored_url)
        try:
            with engine.connect() as conn:
                assert conn.scalars(select(Booking.reference)).all() == [reference]
        finally:
            engine.dispose()
    finally:
        subprocess.run(["dropdb", "--if-exists", restored], env=env, capture_output=True)
