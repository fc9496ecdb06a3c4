"""What the benchmarks share: the app on a database of their own, a fresh schema, and
``Figure``, one measured number with its baseline and goal as ``bench/results.json`` holds it.
"""

import os
import statistics
import tempfile
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from flask import Flask
from flask_migrate import downgrade, upgrade
from sqlalchemy import select

from config import TestingConfig
from dryport import create_app
from dryport.extensions import db
from dryport.models import Departure, Route
from dryport.services.clock import utcnow

PASSWORD = "bench-password-1"  # noqa: S105 - users of a throw-away benchmark database


@dataclass(frozen=True)
class Goal:
    """A limit on the figure itself or, with ``of_ratio``, on its ratio to the baseline."""

    limit: float
    at_most: bool = True
    of_ratio: bool = False

    def met(self, figure: float, ratio: float | None) -> bool | None:
        value = ratio if self.of_ratio else figure
        if value is None:
            return None
        return value <= self.limit if self.at_most else value >= self.limit

    def describe(self, unit: str) -> str:
        sign = "<=" if self.at_most else ">="
        return f"ratio {sign} {self.limit:g}" if self.of_ratio else f"{sign} {self.limit:g} {unit}"


@dataclass
class Figure:
    """One measured number of one benchmark on one database."""

    name: str
    database: str
    figure: float | None
    unit: str
    baseline: float | None = None
    baseline_unit: str | None = None
    goal: Goal | None = None
    #: Why there is no figure: the benchmark was not run on this database, or failed.
    not_run: str | None = None

    @property
    def ratio(self) -> float | None:
        if self.figure is None or self.baseline is None or not self.baseline:
            return None
        return self.figure / self.baseline

    @property
    def met(self) -> bool | None:
        """Whether the goal is met; None without a goal. A goal with no figure is not met."""
        if self.goal is None:
            return None
        if self.figure is None:
            return False
        return bool(self.goal.met(self.figure, self.ratio))

    def as_dict(self) -> dict:
        ratio = self.ratio
        baseline_unit = self.baseline_unit or self.unit
        return {
            "name": self.name,
            "database": self.database,
            "figure": None if self.figure is None else round(self.figure, 3),
            "unit": self.unit,
            "baseline": None if self.baseline is None else round(self.baseline, 3),
            "baseline_unit": None if self.baseline is None else baseline_unit,
            "ratio": None if ratio is None else round(ratio, 3),
            "goal": self.goal.describe(self.unit) if self.goal else None,
            "met": self.met,
            "not_run": self.not_run,
        }


def table(figures: Iterable[Figure]) -> str:
    """The figures as a plain-text table, one line each."""
    figures = list(figures)
    width = max([50, *(len(f.name) for f in figures)])
    head = f"{'benchmark':{width}} {'db':10} {'figure':>14} {'baseline':>14} {'ratio':>6}  goal"
    lines = [head, "-" * len(head)]
    for f in figures:
        row = f.as_dict()
        base = "" if f.baseline is None else f"{f.baseline:,.1f} {row['baseline_unit']}"
        ratio = "" if f.ratio is None else f"{f.ratio:.2f}"
        goal = ""
        if f.goal:
            goal = f"{row['goal']}: " + ("met" if f.met else "MISSED")
        if f.figure is None:
            figure = "NOT RUN"
            goal = f"{goal} ({f.not_run})" if goal else f.not_run or ""
        else:
            shown = f"{f.figure:,.0f}" if float(f.figure).is_integer() else f"{f.figure:,.1f}"
            figure = f"{shown} {f.unit}"
        line = f"{f.name:{width}} {f.database:10} {figure:>14} {base:>14} {ratio:>6}  {goal}"
        lines.append(line)
    return "\n".join(lines)


def database_url(url: str | None = None) -> str:
    """``url``, else ``BENCH_DATABASE_URL``, else a new SQLite file in a temporary folder."""
    return url or os.environ.get("BENCH_DATABASE_URL") or sqlite_url()


def sqlite_url() -> str:
    """A new SQLite database file in a temporary folder of its own."""
    return f"sqlite:///{tempfile.mkdtemp(prefix='dryport-bench-')}/bench.db"


def bench_app(url: str, **settings) -> Flask:
    """The app as the tests configure it (cheap password hashing, no webhook thread) on ``url``."""
    config = type("BenchConfig", (TestingConfig,), {"SQLALCHEMY_DATABASE_URI": url, **settings})
    return create_app(config)


def fresh_schema() -> None:
    """Migrate the app's database from nothing; a PostgreSQL database is emptied first."""
    if db.engine.dialect.name == "postgresql":
        downgrade(revision="base")
    upgrade()


def settle() -> None:
    """After a bulk load, what autovacuum would soon do on a live database: ``VACUUM ANALYZE``
    on PostgreSQL (planner statistics, and the visibility map that lets index-only scans
    skip the table), ``ANALYZE`` on SQLite."""
    db.session.commit()
    if db.engine.dialect.name == "postgresql":
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM ANALYZE")  # not inside a transaction
    else:
        # In a transaction that commits: the app's SQLite connections begin one themselves
        # (``db._sqlite_on_begin``), which an AUTOCOMMIT connection would never commit, and
        # the statistics (``sqlite_stat1``) would be rolled back with it.
        with db.engine.begin() as conn:
            conn.exec_driver_sql("ANALYZE")


def dialect_name(url: str) -> str:
    return "postgresql" if url.startswith("postgresql") else "sqlite"


def median_seconds(action: Callable[[], object], rounds: int) -> float:
    samples = []
    for _ in range(rounds):
        start = time.perf_counter()
        action()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def get_ms(client, path: str, rounds: int, headers=None) -> list[float]:
    """Milliseconds of ``rounds`` GETs of ``path`` through the test client, sorted; any
    answer but 200 stops the benchmark."""
    samples = []
    for _ in range(rounds):
        start = time.perf_counter()
        response = client.get(path, headers=headers)
        samples.append((time.perf_counter() - start) * 1000)
        if response.status_code != 200:
            raise RuntimeError(f"{path} answered {response.status_code}: {response.data[:300]}")
    return sorted(samples)


def uscc(prefix: str, n: int) -> str:
    """A valid unified social credit code (both check characters right), distinct for each
    ``n`` (below 1,000,000) and two-letter ``prefix``."""
    from dryport.services.credit_codes import make

    return make("91610900", f"{prefix}{n:06d}")


def open_departure(route: str, service_no: str, days: int, capacity_teu: int):
    """A departure of ``route`` (code) ``days`` from now with nothing held, added to the
    session; its cut-off a day before."""
    departs = utcnow() + timedelta(days=days)
    departure = Departure(
        route=db.session.scalar(select(Route).where(Route.code == route)),
        service_no=service_no, departs_at=departs, cutoff_at=departs - timedelta(hours=24),
        capacity_teu=capacity_teu, held_teu=Decimal(0), held_kg=Decimal(0),
    )  # fmt: skip
    db.session.add(departure)
    return departure
