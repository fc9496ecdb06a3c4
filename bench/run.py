"""Every benchmark on SQLite and on PostgreSQL: prints a table and writes
``bench/results.json`` (``make bench``).

PostgreSQL is ``BENCH_DATABASE_URL`` when it is set; else the machine's own, as CI uses it
(``scripts/local_postgres.sh``: started if it is installed and down, the database
``BENCH_PG_DB``, default ``dryport_bench``, created for the current user if missing). When
it cannot be reached the run says why, records the PostgreSQL rows as not run and exits 1.

    .venv/bin/python -m bench.run            # full sizes, under 20 minutes on two cores
    .venv/bin/python -m bench.run --quick    # small data and short loads, to try it out
    .venv/bin/python -m bench.run --only throughput --only lists
"""

import json
import os
import platform
import sqlite3
import subprocess
import time
import traceback
from pathlib import Path

import click

from bench import booking_import, corridors, lists, print_jobs, reports, throughput, waybills
from bench.common import Figure, dialect_name, sqlite_url, table

RESULTS = Path(__file__).with_name("results.json")
LOCAL_POSTGRES = Path(__file__).resolve().parents[1] / "scripts" / "local_postgres.sh"
#: What every row of ``results.json`` holds.
ROW_KEYS = ("name", "database", "figure", "unit", "baseline", "ratio", "goal", "met")


def _benchmarks(quick: bool) -> dict:
    """Each benchmark by name: a callable of the database URL returning its figures."""
    return {
        "throughput": lambda url: throughput.run(url, seconds=5 if quick else throughput.SECONDS),
        "waybills": lambda url: waybills.run(url, bookings=20 if quick else waybills.BOOKINGS),
        "print_jobs": lambda url: print_jobs.run(url, bookings=20 if quick else waybills.BOOKINGS),
        "corridors": lambda url: corridors.run(url, rounds=10 if quick else corridors.ROUNDS),
        "lists": lambda url: lists.run(url, bookings=10_000 if quick else lists.BOOKINGS)[0],
        "reports": lambda url: reports.run(url, bookings=50_000 if quick else reports.BOOKINGS),
        "booking_import": lambda url: booking_import.run(url, rows=100 if quick else 500),
    }


@click.command()
@click.option("--quick", is_flag=True, help="Small data and short loads, to try the harness.")
@click.option(
    "--only",
    multiple=True,
    type=click.Choice(
        [
            "throughput",
            "waybills",
            "print_jobs",
            "lists",
            "reports",
            "booking_import",
            "corridors",
        ]  # fmt: skip
    ),
    help="Run only these benchmarks (repeatable).",
)
@click.option("--output", type=click.Path(path_type=Path), default=RESULTS, show_default=True)
def main(quick: bool, only: tuple[str, ...], output: Path) -> None:
    """Run the benchmarks, print the table and write the results as JSON."""
    benchmarks = _benchmarks(quick)
    names = [name for name in benchmarks if not only or name in only]
    postgres, why_not = _postgres_url()
    figures: list[Figure] = []
    if postgres is None:
        click.secho(f"PostgreSQL cannot be reached: {why_not}", err=True, fg="red", bold=True)
        click.secho("Its rows are recorded as not run.", err=True, fg="red", bold=True)
        figures_not_run = [
            Figure(name, "postgresql", None, "", not_run=f"not run: {why_not}") for name in names
        ]
    else:
        click.echo(f"PostgreSQL: {_without_password(postgres)}", err=True)
        figures_not_run = []
    urls = [None] + ([postgres] if postgres else [])  # None: a new SQLite file for each
    steps = [(name, url) for url in urls for name in names]
    failed = 0
    started = time.monotonic()
    for number, (name, url) in enumerate(steps, 1):
        url = url or sqlite_url()
        elapsed = time.monotonic() - started
        click.secho(
            f"[{number}/{len(steps)}] {name} on {dialect_name(url)} ({elapsed:.0f} s so far)",
            err=True,
            bold=True,
        )
        try:
            figures.extend(benchmarks[name](url))
        except Exception as error:  # noqa: BLE001 - recorded, the other benchmarks still run
            traceback.print_exc()
            failed += 1
            why = f"failed: {type(error).__name__}: {error}"[:200]
            figures.append(Figure(name, dialect_name(url), None, "", not_run=why))
    figures.extend(figures_not_run)
    click.echo("\n" + table(figures))
    click.echo(f"\n{len(steps)} benchmarks in {time.monotonic() - started:.0f} s")
    missed = [f for f in figures if f.met is False]
    if missed:
        click.echo(f"goals missed: {len(missed)} of {sum(1 for f in figures if f.goal)}")
    rows = [f.as_dict() for f in figures]
    _check_rows(rows)
    output.write_text(json.dumps(rows, indent=2, ensure_ascii=False) + "\n")
    click.echo(f"written to {output}")
    click.echo(_machine())
    if failed or postgres is None:
        not_run = len(figures_not_run)
        click.secho(
            f"incomplete: {failed} benchmark(s) failed, {not_run} not run on PostgreSQL",
            err=True, fg="red", bold=True,
        )  # fmt: skip
        raise SystemExit(1)


def _postgres_url() -> tuple[str | None, str | None]:
    """The PostgreSQL database to run on and None, or None and why there is none."""
    if os.environ.get("BENCH_DATABASE_URL"):
        return os.environ["BENCH_DATABASE_URL"], None
    name = os.environ.get("BENCH_PG_DB", "dryport_bench")
    click.echo(f"BENCH_DATABASE_URL not set: the local PostgreSQL, database {name}", err=True)
    found = subprocess.run(  # noqa: S603 - our own script, a fixed path
        [str(LOCAL_POSTGRES), name], capture_output=True, text=True, check=False
    )
    if found.stderr.strip():
        click.echo(found.stderr.rstrip(), err=True)
    if found.returncode == 0 and found.stdout.strip():
        return found.stdout.strip().splitlines()[-1], None
    lines = found.stderr.strip().splitlines()
    return None, (lines[-1] if lines else f"{LOCAL_POSTGRES.name} exited {found.returncode}")


def _without_password(url: str) -> str:
    head, at, tail = url.rpartition("@")
    if not at or ":" not in head.split("//", 1)[-1]:
        return url
    return head.rsplit(":", 1)[0] + ":***@" + tail


def _check_rows(rows: list[dict]) -> None:
    """Every row holds its figure, baseline, ratio, goal and whether it is met; a row with a
    goal says met true or false."""
    for row in rows:
        missing = [key for key in ROW_KEYS if key not in row]
        if missing:
            raise RuntimeError(f"{row['name']} ({row['database']}): no {', '.join(missing)}")
        if row["goal"] is not None and not isinstance(row["met"], bool):
            raise RuntimeError(f"{row['name']} ({row['database']}): a goal without met")


def _machine() -> str:
    """One line naming the machine: cores, CPU model, RAM, Python and SQLite versions."""
    model = ""
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    memory = ""
    meminfo = Path("/proc/meminfo")
    if meminfo.exists():
        kib = int(meminfo.read_text().split()[1])
        memory = f", {kib / 1024 / 1024:.1f} GiB RAM"
    return (
        f"machine: {os.cpu_count()} cores, {model or platform.processor()}{memory}, "
        f"Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}"
    )


if __name__ == "__main__":
    main()
