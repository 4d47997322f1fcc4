"""``flask audit seal`` and ``flask audit verify``: the audit log's chain by hand."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup

from witness.db import db_session

audit_cli = AppGroup("audit", help="The audit log's keyed chain: seal it, verify it.")


@audit_cli.command("seal")
def seal_command() -> None:
    """Seal every event not yet in the chain (the scheduler does it every few seconds)."""
    from witness.audit.chain import chain_head, seal

    session = db_session()
    sealed = seal(session)
    head, _ = chain_head(session)
    session.commit()
    click.echo(f"Sealed {sealed} audit event(s); the chain holds {head}.")


@audit_cli.command("verify")
@click.option("--no-seal", is_flag=True, help="Walk the chain as it is, sealing nothing first.")
def verify_command(no_seal: bool) -> None:
    """Seal what is waiting, then walk the whole chain: list every break (by its place, seq) and
    events left unsealed too long; exit 1 if the chain is broken or cannot be verified."""
    from witness.audit.chain import UNSEALED_GRACE, seal, verify

    session = db_session()
    if not no_seal:
        seal(session)
        session.commit()
    status = verify(session)
    session.rollback()
    for problem in status.broken:
        click.echo(f"BROKEN at {problem}", err=True)
    for problem in status.unverifiable:
        click.echo(f"NOT VERIFIABLE: {problem}", err=True)
    if status.late:
        minutes = int(UNSEALED_GRACE.total_seconds() // 60)
        click.echo(
            f"{status.late} event(s) unsealed for more than {minutes} minutes (the oldest from "
            f"{status.oldest_late:%d %b %Y %H:%M} UTC): is the scheduler running?",
            err=True,
        )
    verdict = {
        "broken": "BROKEN",
        "unverifiable": "NOT VERIFIABLE with this key ring",
        "late": "intact, but the sealer is behind",
        "intact": "intact",
    }[status.state]
    click.echo(f"Audit chain: {verdict} ({status.sealed} events, head {status.head_mac}).")
    if status.state in ("broken", "unverifiable"):
        raise SystemExit(1)


def register_audit_cli(app: Flask) -> None:
    app.cli.add_command(audit_cli)
