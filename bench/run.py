"""Every benchmark, on SQLite and, when ``BENCH_DATABASE_URL`` is set, on PostgreSQL: prints a
table and writes ``bench/results.json`` (``make bench``).

    .venv/bin/python -m bench.run            # full sizes, under 15 minutes on two cores
    .venv/bin/python -m bench.run --quick    # small data and short loads, to try it out
    .venv/bin/python -m bench.run --only throughput --only lists
"""

import json
import os
import platform
import sqlite3
import time
from pathlib import Path

import click

from bench import booking_import, lists, print_jobs, reports, throughput, waybills
from bench.common import Figure, dialect_name, sqlite_url, table

RESULTS = Path(__file__).with_name("results.json")


def _benchmarks(quick: bool) -> dict:
    """Each benchmark by name: a callable of the database URL returning its figures."""
    return {
        "throughput": lambda url: throughput.run(url, seconds=5 if quick else throughput.SECONDS),
        "waybills": lambda url: waybills.run(url, bookings=20 if quick else waybills.BOOKINGS),
        "print_jobs": lambda url: print_jobs.run(url, bookings=20 if quick else waybills.BOOKINGS),
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
        ["throughput", "waybills", "print_jobs", "lists", "reports", "booking_import"]
    ),
    help="Run only these benchmarks (repeatable).",
)
@click.option("--output", type=click.Path(path_type=Path), default=RESULTS, show_default=True)
def main(quick: bool, only: tuple[str, ...], output: Path) -> None:
    """Run the benchmarks, print the table and write the results as JSON."""
    benchmarks = _benchmarks(quick)
    names = [name for name in benchmarks if not only or name in only]
    urls = [None]  # a new SQLite file for each benchmark
    if os.environ.get("BENCH_DATABASE_URL"):
        urls.append(os.environ["BENCH_DATABASE_URL"])
    else:
        click.echo("BENCH_DATABASE_URL not set: PostgreSQL runs skipped.", err=True)
    steps = [(name, url) for url in urls for name in names]
    figures: list[Figure] = []
    started = time.monotonic()
    for number, (name, url) in enumerate(steps, 1):
        url = url or sqlite_url()
        elapsed = time.monotonic() - started
        click.secho(
            f"[{number}/{len(steps)}] {name} on {dialect_name(url)} ({elapsed:.0f} s so far)",
            err=True,
            bold=True,
        )
        figures.extend(benchmarks[name](url))
    click.echo("\n" + table(figures))
    click.echo(f"\n{len(steps)} benchmarks in {time.monotonic() - started:.0f} s")
    missed = [f for f in figures if f.met is False]
    if missed:
        click.echo(f"goals missed: {len(missed)} of {sum(1 for f in figures if f.goal)}")
    output.write_text(
        json.dumps([f.as_dict() for f in figures], indent=2, ensure_ascii=False) + "\n"
    )
    click.echo(f"written to {output}")
    click.echo(_machine())


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
