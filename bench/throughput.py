"""Booking throughput: ``POST /api/v1/bookings`` through gunicorn (the production settings of
``gunicorn.conf.py``) under wrk on loopback, against a baseline endpoint of the same app that
does one plain INSERT (``dryport/web/bench.py``), the two in turns in five short rounds;
then the peak memory of each worker. Before the load, the CPU time of one request of each,
in process and one at a time (no server, no waiting for locks): the share of the gap that
is work, not contention.

    .venv/bin/python -m bench.throughput                 # SQLite in a temporary folder
    BENCH_DATABASE_URL=postgresql+psycopg://root@localhost/bench \
        .venv/bin/python -m bench.throughput

Needs ``wrk`` (Debian: ``apt-get install wrk``).
"""

import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import click
from sqlalchemy import func, select

from bench.common import (
    PASSWORD,
    Figure,
    Goal,
    bench_app,
    database_url,
    fresh_schema,
    open_departure,
    table,
)
from dryport.extensions import db
from dryport.models import Booking, Departure, Role, Tariff
from dryport.services import accounts
from dryport.services.clock import local_today
from dryport.services.reference_data import seed_reference_data
from dryport.web.bench import baseline_rows

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = Path(__file__).with_name("post.lua")
SECONDS = 15
CONNECTIONS = 20
WARM_UP_SECONDS = 2
ROUNDS = 5  # the baseline and the booking in turns, SECONDS / ROUNDS each time
THROUGHPUT_GOAL = Goal(0.5, at_most=False, of_ratio=True)
P99_GOAL = Goal(150)  # ms
MEMORY_GOAL = Goal(150)  # MB per worker
PATHS = (("baseline", "/bench/baseline"), ("booking", "/api/v1/bookings"))


def _prepare() -> tuple[str, str]:
    """A shipper with a token and a departure that never fills; the booking body and token."""
    seed_reference_data(db.session)
    company = accounts.get_or_create_company(db.session, "Bench Tea", "91110000600037341L")
    shipper = accounts.create_user(
        db.session, role=Role.SHIPPER, email="s@bench.example", password=PASSWORD, company=company
    )
    token, _ = accounts.issue_api_token(db.session, shipper, timedelta(days=1))
    departure = open_departure("EAST", "E1", days=30, capacity_teu=10_000_000)
    # Priced, as a real booking is: a through rate of the route for 20 ft boxes.
    db.session.add(
        Tariff(
            route=departure.route, size_group="20", currency="CNY",
            amount=Decimal("2400.00"), dg_surcharge=Decimal("800.00"),
            reefer_surcharge=Decimal(0), overweight_surcharge=Decimal("300.00"),
            valid_from=local_today() - timedelta(days=30),
        )
    )  # fmt: skip
    db.session.commit()
    baseline_rows.drop(db.engine, checkfirst=True)
    baseline_rows.create(db.engine)
    body = {
        "departure_id": departure.id,
        "origin_station": "HK", "destination": "CNNGB",
        "consignee": {"name": "Ningbo Beilun Logistics", "address": "Beilun, Ningbo"},
        "cargo": {"description": "Selenium-rich green tea", "hs_code": "090210",
                  "packages": {"count": 400, "kind": "BG"}, "gross_weight_kg": 10000},
        "containers": [{"size_type": "22G1", "quantity": 1}],
    }  # fmt: skip
    return json.dumps(body), token


def _cpu_ms(app, path: str, body: str, token: str, rounds: int = 5, requests: int = 100) -> float:
    """Median CPU milliseconds of this process per POST of ``body`` to ``path`` through the
    test client, one request at a time (on SQLite that includes the database's own work)."""
    client = app.test_client()
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}

    def post():
        response = client.post(path, data=body, headers=headers)
        if response.status_code != 201:
            raise RuntimeError(f"{path}: {response.status_code} {response.get_data(as_text=True)}")

    for _ in range(30):  # warm up: statement caches, first connections
        post()
    samples = []
    for _ in range(rounds):
        start = time.process_time()
        for _ in range(requests):
            post()
        samples.append((time.process_time() - start) / requests * 1000)
    return statistics.median(samples)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start_server(url: str, log: Path) -> tuple[subprocess.Popen, str]:
    port = _free_port()
    environment = {
        **os.environ,
        "DATABASE_URL": url,
        "SECRET_KEY": "bench-secret-key-" + "x" * 32,
        "PUBLIC_URL": "http://dryport.bench",
        "BENCH_BASELINE": "1",
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "PYTHONPATH": str(ROOT),
    }
    environment.pop("FLASK_DEBUG", None)
    gunicorn = Path(sys.executable).with_name("gunicorn")
    with log.open("w") as out:
        process = subprocess.Popen(  # noqa: S603 - our own server on loopback
            [str(gunicorn), "-c", str(ROOT / "gunicorn.conf.py")],
            cwd=ROOT,
            env=environment,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(base + "/healthz", timeout=2)  # noqa: S310 - loopback
            return process, base
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                raise RuntimeError(f"gunicorn did not start:\n{log.read_text()}") from None
            time.sleep(0.2)


def _stop_server(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def _workers(master: int) -> list[int]:
    """The pids whose parent is ``master``: gunicorn's workers."""
    pids = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == master:
            pids.append(int(stat.parent.name))
    return pids


def _peak_rss_mb(pid: int) -> float:
    """The process's high-water mark of resident memory (VmHWM), in MB."""
    status = Path(f"/proc/{pid}/status").read_text()
    kib = int(re.search(r"^VmHWM:\s+(\d+) kB", status, re.MULTILINE).group(1))
    return kib * 1024 / 1_000_000


def _wrk(url: str, body: str, token: str | None, seconds: int, connections: int) -> dict:
    """Run wrk against ``url``; requests per second, p50/p99/max latency (ms) and statuses."""
    env = {**os.environ, "BENCH_BODY": body, "BENCH_TOKEN": token or ""}
    threads = min(connections, os.cpu_count() or 1)
    command = [
        shutil.which("wrk") or "wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s",
        "--timeout", "10s", "-s", str(SCRIPT), url,
    ]  # fmt: skip
    output = subprocess.run(  # noqa: S603 - wrk on loopback
        command, env=env, capture_output=True, text=True, check=True
    ).stdout
    statuses = {int(s): int(n) for s, n in re.findall(r"^bench-status (\d+) (\d+)$", output, re.M)}
    requests, duration_us, errors = map(
        int, re.search(r"^bench-summary (.*)$", output, re.M)[1].split()
    )
    p50, p99, worst = map(int, re.search(r"^bench-latency (.*)$", output, re.M)[1].split())
    quantiles = [int(q) for q in re.search(r"^bench-quantiles (.*)$", output, re.M)[1].split()]
    return {
        "rate": requests / (duration_us / 1e6),
        "p50": p50 / 1000,
        "p99": p99 / 1000,
        "max": worst / 1000,
        "statuses": statuses,
        "errors": errors,
        "requests": requests,
        "seconds": duration_us / 1e6,
        "quantiles": quantiles,
    }


def _pooled(runs: list[dict]) -> dict:
    """The rounds of one path as one run: requests per second over their whole time, the
    latency percentiles of their distributions pooled (each round's thousandths weighted by
    its requests), the worst latency, statuses and errors added up."""
    requests = sum(run["requests"] for run in runs)
    samples = sorted(
        (q, run["requests"] / len(run["quantiles"])) for run in runs for q in run["quantiles"]
    )
    total = sum(weight for _, weight in samples)

    def percentile(p: float) -> float:
        seen = 0.0
        for latency, weight in samples:
            seen += weight
            if seen >= p / 100 * total:
                return latency / 1000
        return samples[-1][0] / 1000

    statuses: dict[int, int] = {}
    for run in runs:
        for status, n in run["statuses"].items():
            statuses[status] = statuses.get(status, 0) + n
    return {
        "rate": requests / sum(run["seconds"] for run in runs),
        "p50": percentile(50),
        "p99": percentile(99),
        "max": max(run["max"] for run in runs),
        "statuses": statuses,
        "errors": sum(run["errors"] for run in runs),
        "requests": requests,
    }


def _check(result: dict, what: str) -> None:
    wrong = {s: n for s, n in result["statuses"].items() if s != 201}
    if wrong or result["errors"]:
        raise RuntimeError(f"{what}: answers other than 201 {wrong}, {result['errors']} errors")


def run(
    url: str | None = None, seconds: int = SECONDS, connections: int = CONNECTIONS
) -> list[Figure]:
    """Requests per second, p50 and p99 latency of booking 1 TEU against the baseline, at
    ``connections`` connections for ``seconds`` each; the workers' peak memory afterwards."""
    if not shutil.which("wrk"):
        raise RuntimeError("wrk is not installed (Debian: apt-get install wrk)")
    url = database_url(url)
    app = bench_app(url, BENCH_BASELINE=True)
    with app.app_context():
        fresh_schema()
        body, token = _prepare()
        dialect = db.engine.dialect.name
    cpu = {what: _cpu_ms(app, path, body, token) for what, path in PATHS}
    with app.app_context():
        db.engine.dispose()  # no connection of ours may hold a lock the workers wait for
    log = Path(tempfile.mkdtemp(prefix="dryport-bench-")) / "gunicorn.log"
    process, base = _start_server(url, log)
    try:
        workers = _workers(process.pid)
        runs: dict[str, list] = {what: [] for what, _ in PATHS}
        auth = {"baseline": None, "booking": token}
        for what, path in PATHS:
            _wrk(base + path, body, auth[what], WARM_UP_SECONDS, connections)
        # The two in turns, in short rounds, not each once for the whole time: a machine
        # whose speed drifts (other work on it) then slows both alike, not one of them.
        each = max(1, seconds // ROUNDS)
        for round_ in range(1, ROUNDS + 1):
            click.echo(f"  wrk: round {round_}/{ROUNDS}, baseline and booking, {connections} "
                       f"connections, {each} s each", err=True)  # fmt: skip
            for what, path in PATHS:
                run = _wrk(base + path, body, auth[what], each, connections)
                _check(run, what)
                runs[what].append(run)
        results = {what: _pooled(runs[what]) for what in runs}
        peaks = [_peak_rss_mb(pid) for pid in workers]
    finally:
        _stop_server(process)
    with app.app_context():
        held, booked = db.session.execute(
            select(func.sum(Departure.held_teu), select(func.count(Booking.id)).scalar_subquery())
        ).one()
        db.engine.dispose()
    if held != booked:
        raise RuntimeError(f"{booked} bookings of 1 TEU but {held} TEU held")
    ours, bare = results["booking"], results["baseline"]
    label = f"{len(workers)} workers, {connections} conn"
    return [
        Figure(f"booking POST throughput ({label})", dialect, ours["rate"], "req/s",
               baseline=bare["rate"], goal=THROUGHPUT_GOAL),
        Figure("booking POST latency p50", dialect, ours["p50"], "ms", baseline=bare["p50"]),
        Figure("booking POST latency p99", dialect, ours["p99"], "ms", baseline=bare["p99"],
               goal=P99_GOAL),
        Figure("booking CPU per request, one at a time, in the app's process", dialect,
               cpu["booking"], "ms", baseline=cpu["baseline"]),
        Figure(f"worker peak RSS after the load (max of {len(peaks)})", dialect, max(peaks),
               "MB", goal=MEMORY_GOAL),
    ]  # fmt: skip


def main() -> None:
    print(table(run(seconds=int(os.environ.get("BENCH_SECONDS", SECONDS)))))


if __name__ == "__main__":
    main()
