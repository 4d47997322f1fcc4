"""``flask retention run``: what the retention period asks of closed witness files.

A dry run by default: anonymising cannot be undone, so the command an operator types to look
changes nothing (it writes no row at all); ``--apply`` anonymises, as the daily sweep does."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from witness.core.time import now_utc
from witness.db import db_session
from witness.retention.runs import Verdict, run

retention_cli = AppGroup("retention", help="Closed witness files: anonymisation after retention.")


@retention_cli.command("run")
@click.option(
    "--apply",
    is_flag=True,
    help="Anonymise the due files (without it: a dry run that only lists them).",
)
@click.option("--dry-run", "dry_run", is_flag=True, help="List only (the default).")
def run_command(apply: bool, dry_run: bool) -> None:
    """List every closed file, what would change in each due one, and the ones skipped (held,
    not yet due); with ``--apply``, anonymise the due ones."""
    if apply and dry_run:
        raise click.UsageError("Choose --apply or --dry-run, not both.")
    session = db_session()
    years = current_app.config["RETENTION_YEARS"]
    candidates = run(session, now_utc(), years, apply=apply)
    heading = "Anonymised" if apply else "Dry run: nothing changed"
    click.echo(f"{heading} (retention: {years} years after closing).")
    for c in candidates:
        verb = "anonymised" if apply and c.verdict is Verdict.due else c.verdict.value
        click.echo(f"{c.reference} (witness {c.witness_id}): {verb}, due {c.due_date}")
        for change in c.changes:
            click.echo(f"  {change.table}: {change.rows} row(s): {', '.join(change.fields)}")
    if apply:
        session.commit()
    else:
        session.rollback()
    counts = {v: sum(c.verdict is v for c in candidates) for v in Verdict}
    click.echo(
        f"{counts[Verdict.due]} due, {counts[Verdict.held]} held, "
        f"{counts[Verdict.not_due]} not yet due, {counts[Verdict.reopened_case]} with a case "
        "open again."
    )
