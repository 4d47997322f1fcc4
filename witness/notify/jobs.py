"""The mail sweep the scheduler runs every minute (and ``flask send-mail`` once)."""

from __future__ import annotations

from flask import Flask

from witness.core.time import now_utc
from witness.notify.mail import SendReport, SmtpTransport, send_due

#: one sweep sends at most this many batches, so a backlog cannot hold the scheduler for long
MAX_BATCHES = 20
BATCH = 50


def send_mail_sweep(app: Flask) -> SendReport:
    """Send every mail due now, batch by batch, each with its own session; failures are
    recorded on the mails and retried by a later sweep."""
    sessionmaker = app.extensions["witness.db"].sessionmaker
    total = SendReport()
    for _ in range(MAX_BATCHES):
        report = send_due(sessionmaker, SmtpTransport(app.config), now_utc(), batch=BATCH)
        total.sent += report.sent
        total.retrying += report.retrying
        total.failed += report.failed
        total.withheld += report.withheld
        total.errors += [e for e in report.errors if e not in total.errors]
        if report.attempted < BATCH:
            break
    if total.attempted:
        app.logger.info(
            "mail: %d sent, %d to retry, %d failed, %d withheld",
            total.sent,
            total.retrying,
            total.failed,
            total.withheld,
        )
    for error in total.errors:
        app.logger.warning("mail: %s", error)
    return total
