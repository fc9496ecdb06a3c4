"""``flask --app wsgi dryport ...``: thin commands over the services, one commit each."""

import json
from functools import wraps

import click
from flask import current_app
from flask.cli import AppGroup
from flask_babel import gettext as _

from dryport.db import write_intent
from dryport.extensions import db
from dryport.labels import label
from dryport.models import Role
from dryport.report_formats import as_csv, as_json
from dryport.services import accounts, demo, mail, reports, waitlist, webhooks
from dryport.services.errors import DomainError
from dryport.services.reference_data import seed_reference_data
from dryport.services.report_pdf import render_report

dryport_cli = AppGroup("dryport", help="Reference data, demo data and users.")


def committing(command):
    """Commit once when the command succeeds; roll back and explain when a rule says no."""

    @wraps(command)
    def wrapper(*args, **kwargs):
        token = write_intent.set(True)
        try:
            result = command(*args, **kwargs)
            db.session.commit()
            return result
        except DomainError as error:
            db.session.rollback()
            raise click.ClickException(_describe(error)) from None
        except BaseException:
            db.session.rollback()
            raise
        finally:
            write_intent.reset(token)

    return wrapper


def _describe(error: DomainError) -> str:
    details = "; ".join(
        f"{field}: {', '.join(str(m) for m in messages)}"
        for field, messages in error.errors.items()
    )
    return f"{error.message}" + (f" ({details})" if details else "")


@dryport_cli.command("seed")
@committing
def seed_command():
    """Load the hub, the ten sub-stations, the places and the three routes (adds only what is
    missing)."""
    added = seed_reference_data(db.session)
    click.echo(
        _(
            "Reference data: %(stations)d stations, %(places)d places and %(routes)d routes added.",
            stations=added["stations"],
            places=added["places"],
            routes=added["routes"],
        )
    )


@dryport_cli.command("demo")
@click.option("--if-empty", is_flag=True, help="Do nothing when the database has users.")
@committing
def demo_command(if_empty: bool):
    """Seed, then add demo users, companies, departures and a year of history."""
    if demo.has_demo_data(db.session):
        if not if_empty:
            raise click.ClickException(
                _("The database already has users; demo data is for an empty one.")
            )
        click.echo(_("The database already has data; demo data not added."))
        sign_ins = demo.existing_sign_ins(db.session)
    else:
        with click.progressbar(length=demo.departure_count(), label=_("Demo departures")) as bar:
            sign_ins = demo.load_demo(db.session, progress=bar.update)
    _print_sign_ins(sign_ins)


def _print_sign_ins(sign_ins: list[demo.DemoSignIn]) -> None:
    if not sign_ins:
        return
    click.echo(_("Demo sign-ins (password for all: %(password)s):", password=demo.DEMO_PASSWORD))
    for entry in sign_ins:
        click.echo(f"  {entry.role:9} {entry.email:32} {entry.detail}")


@dryport_cli.command("report")
@click.option("--month", required=True, help="YYYY-MM, in Beijing time.")
@click.option("--format", "fmt", type=click.Choice(["pdf", "csv", "json"]), default="pdf")
@click.option("--output", required=True, type=click.Path(dir_okay=False, writable=True))
def report_command(month: str, fmt: str, output: str):
    """Write the monthly volume report to a file."""
    first = reports.parse_month(month)
    if first is None:
        raise click.BadParameter(_("A month as YYYY-MM."), param_hint="--month")
    report = reports.monthly_report(db.session, first)
    if fmt == "csv":
        data = as_csv(report)
    elif fmt == "json":
        data = json.dumps(as_json(report), ensure_ascii=False, indent=2).encode()
    else:
        data = render_report(report)
    with open(output, "wb") as f:
        f.write(data)
    click.echo(_("Report for %(month)s written to %(file)s.", month=month, file=output))


@dryport_cli.command("create-user")
@click.option("--role", required=True, type=click.Choice([r.name.lower() for r in Role]))
@click.option("--email", required=True)
@click.option("--password", required=True)
@click.option("--name")
@click.option("--company", "company_name", help="Company name (shippers).")
@click.option("--credit-code", help="Unified social credit code of the company (shippers).")
@click.option("--station", help="Station code (clerks).")
@committing
def create_user_command(role, email, password, name, company_name, credit_code, station):
    """Create a user, and its company when it is new."""
    company = None
    role = Role[role.upper()]
    if role is Role.SHIPPER:
        if not (company_name and credit_code):
            raise click.UsageError(_("A shipper needs --company and --credit-code."))
        company = accounts.get_or_create_company(db.session, company_name, credit_code)
    user = accounts.create_user(
        db.session,
        role=role,
        email=email,
        password=password,
        name=name,
        company=company,
        station_code=station,
    )
    click.echo(_("Created %(role)s %(email)s.", role=label(user.role), email=user.email))


@dryport_cli.command("sweep")
@committing
def sweep_command():
    """Release the station quotas whose time has come, promote the waiting bookings that then
    fit and expire those past their cut-off (each app process also does this every
    SWEEP_SECONDS; run from cron where that is 0)."""
    counts = waitlist.sweep(db.session)
    click.echo(
        _(
            "Quotas released %(released)d, bookings promoted %(promoted)d, expired %(expired)d.",
            **counts,
        )
    )


@dryport_cli.command("webhooks")
@click.option("--loop", is_flag=True, help="Keep delivering as deliveries come due.")
def webhooks_command(loop: bool):
    """Send the webhook deliveries that are due (a worker beside the app servers)."""
    _outbox_worker(webhooks.deliver_due, loop)


@dryport_cli.command("mail")
@click.option("--loop", is_flag=True, help="Keep sending as mails come due.")
def mail_command(loop: bool):
    """Send the mails that are due (a worker beside the app servers; without MAIL_SERVER
    there are none)."""

    def deliver_due(session):
        mail.digest_due(session)  # the morning digests, when no app process sends mail
        return mail.deliver_due(session)

    _outbox_worker(deliver_due, loop)


def _outbox_worker(deliver_due, loop: bool) -> None:
    """One round of an outbox channel, or rounds for ever with ``loop``."""
    import time

    poll = current_app.config["WEBHOOK_POLL_SECONDS"]
    while True:
        try:
            counts = deliver_due(db.session)
        except Exception as error:  # a worker outlives a bad moment of the database
            if not loop:
                raise
            click.echo(_("Delivery failed: %(error)s", error=error), err=True)
            db.session.remove()
            time.sleep(poll)
            continue
        if any(counts.values()):
            click.echo(_("Delivered %(delivered)d, to retry %(retrying)d, failed %(failed)d.",
                         **counts))  # fmt: skip
        if not loop:
            return
        if not any(counts.values()):
            time.sleep(poll)


@dryport_cli.command("digest")
@committing
def digest_command():
    """Write today's morning digest for each clerk who wants one and has bookings waiting
    (once a day per clerk, whatever the hour; each app process also does it from
    MAIL_DIGEST_HOUR, Beijing time). The mails go out with the outbox."""
    written = mail.send_digests(db.session)
    click.echo(_("Digests written: %(n)d.", n=written))
