"""The scheduler: which sweeps run when. The sweeps themselves live in each feature's jobs.py.

Run it in one process (``flask scheduler``); every sweep claims its rows in the database, so a
second scheduler by mistake does no harm, only work twice. The development server can run it
too (``WITNESS_RUN_SCHEDULER=1``), so a newcomer sees mail go out.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable
from datetime import UTC, datetime

import click
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from flask import Flask, current_app
from flask.cli import with_appcontext

from witness.api.jobs import idempotency_sweep
from witness.audit.jobs import SEAL_SECONDS, seal_sweep, verify_sweep
from witness.ledger.exports import disclosure_sweep
from witness.ledger.jobs import chain_sweep, ledger_sweep
from witness.letters.jobs import SWEEP_SECONDS as PRINT_SWEEP_SECONDS
from witness.letters.jobs import print_batch_sweep
from witness.notify.breaches import breach_sweep
from witness.notify.delivery import deliver_news_sweep
from witness.notify.jobs import send_mail_sweep
from witness.notify.reminders import reminder_sweep
from witness.retention.jobs import SWEEP_SECONDS as RETENTION_SWEEP_SECONDS
from witness.retention.jobs import retention_sweep
from witness.risk.jobs import risk_sweep

#: (job id, sweep taking the app, seconds between runs). Disclosure reports are asked for by
#: someone waiting for them; the ledger's pattern flags (rises before testimony, peers) change
#: slowly and are read by supervisors once a day or so; every hash chain is walked in full daily;
#: the API's idempotency keys are kept a day and purged within the hour after.
SWEEPS: tuple[tuple[str, Callable[[Flask], object], int], ...] = (
    ("deliver-news", deliver_news_sweep, 60),
    ("send-mail", send_mail_sweep, 60),
    ("disclosure-reports", disclosure_sweep, 30),
    ("ledger-flags", ledger_sweep, 3600),
    ("ledger-chains", chain_sweep, 86400),
    ("idempotency-keys", idempotency_sweep, 3600),
    ("print-batches", print_batch_sweep, PRINT_SWEEP_SECONDS),
    # Reminders before release dates, parole hearings and appeal deadlines: days ahead, so
    # hourly is soon enough (and a missed hour is caught up from the dates themselves).
    ("reminders", reminder_sweep, 3600),
    # A deadline passed: the officer and supervisor are alerted within five minutes.
    ("breaches", breach_sweep, 300),
    # Risk: reviews a hearing, testimony day or a release near makes due, and alerts (then
    # escalations) for reviews overdue; days ahead, so hourly is soon enough.
    ("risk", risk_sweep, 3600),
    # The audit log: sealed into its chain within seconds (and its readers watched for unusual
    # reading), the whole chain walked daily.
    ("audit-seal", seal_sweep, SEAL_SECONDS),
    ("audit-chain", verify_sweep, 86400),
    # Closed files past the retention period are anonymised (held ones skipped); years, so
    # daily is soon enough, and each run catches up on every file due since.
    ("retention", retention_sweep, RETENTION_SWEEP_SECONDS),
)


def build_scheduler(
    app: Flask, scheduler_class: type[BaseScheduler] = BackgroundScheduler
) -> BaseScheduler:
    """A scheduler with every sweep: a missed run is not repeated (coalesce), and a sweep never
    overlaps itself (max_instances=1). The first run is at once."""
    scheduler = scheduler_class(timezone=UTC)
    for job_id, sweep, seconds in SWEEPS:
        scheduler.add_job(
            sweep,
            "interval",
            seconds=seconds,
            args=[app],
            id=job_id,
            coalesce=True,
            max_instances=1,
            misfire_grace_time=seconds,
            next_run_time=datetime.now(UTC),
        )
    return scheduler


def describe(scheduler: BaseScheduler) -> str:
    return ", ".join(f"{job.id} every {job.trigger.interval}" for job in scheduler.get_jobs())


def run_in_server(app: Flask) -> None:
    """Start the scheduler in a background thread on the first request this process serves.

    Not at start-up: ``flask`` commands build the app too, and so does the reloader's watching
    process, and neither serves requests."""
    lock = threading.Lock()

    def start_once() -> None:
        if "witness.scheduler" in app.extensions:
            return
        with lock:
            if "witness.scheduler" not in app.extensions:
                scheduler = build_scheduler(app)
                scheduler.start()
                app.extensions["witness.scheduler"] = scheduler
                app.logger.info("scheduler started in the web process: %s", describe(scheduler))

    app.before_request(start_once)


# --- commands --------------------------------------------------------------------------------


@click.command("scheduler")
@with_appcontext
def scheduler_command() -> None:
    """Run the sweeps in the foreground until stopped (production: one such process)."""
    app = current_app._get_current_object()
    scheduler = build_scheduler(app, BlockingScheduler)
    click.echo(f"Scheduler running: {describe(scheduler)}. Stop it with Ctrl+C.")
    with contextlib.suppress(KeyboardInterrupt, SystemExit):
        scheduler.start()  # blocks until Ctrl+C or SIGTERM
    click.echo("Scheduler stopped.")


@click.command("send-mail")
@with_appcontext
def send_mail_command() -> None:
    """Send the mail that is due now, once, and print what happened (for cron)."""
    report = send_mail_sweep(current_app._get_current_object())
    click.echo(
        f"Sent {report.sent} e-mail(s); {report.retrying} failed and will be retried; "
        f"{report.failed} failed for good; {report.withheld} withheld (the recipient may no "
        "longer be sent them: see the Outbox)."
    )
    for error in report.errors:
        click.echo(f"  {error}")


@click.command("send-reminders")
@with_appcontext
def send_reminders_command() -> None:
    """Make the reminders due now (release dates, parole hearings, appeals), once."""
    report = reminder_sweep(current_app._get_current_object())
    click.echo(
        f"Made {report.made} reminder task(s); cancelled {report.cancelled} of dates that "
        "no longer stand."
    )


@click.command("deliver-news")
@with_appcontext
def deliver_news_command() -> None:
    """Try every open notification task's current channel once, then send the mail that is
    due (for cron), and print what happened."""
    app = current_app._get_current_object()
    news = deliver_news_sweep(app)
    mail = send_mail_sweep(app)
    click.echo(
        f"News: {news.emails} e-mail(s) queued, {news.letters} letter(s) made, "
        f"{news.withheld} withheld (next channel), {news.waiting} waiting for a call or a "
        f"visit, {news.exhausted} with no channel left (officer alerted). Mail: {mail.sent} "
        f"sent, {mail.retrying} to retry, {mail.failed} failed, {mail.withheld} withheld."
    )
    for error in news.errors + mail.errors:
        click.echo(f"  {error}")


def register_jobs_cli(app: Flask) -> None:
    app.cli.add_command(scheduler_command)
    app.cli.add_command(send_mail_command)
    app.cli.add_command(send_reminders_command)
    app.cli.add_command(deliver_news_command)
