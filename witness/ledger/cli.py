"""``flask ledger-verify``: walk every case's chain and say whether it is intact."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import with_appcontext

from witness.db import db_session


@click.command("ledger-verify")
@click.option("--case-id", type=int, help="Check one case only.")
@with_appcontext
def ledger_verify(case_id: int | None) -> None:
    """Recompute every ledger hash; exit 1 and name the first bad entry of any broken chain."""
    from witness.cases.models import Case
    from witness.ledger.services import case_ids_with_entries, record_full_check, verify_chain

    session = db_session()
    case_ids = [case_id] if case_id is not None else case_ids_with_entries(session)
    broken = 0
    for cid in case_ids:
        status = verify_chain(session, cid)
        case = session.get(Case, cid)
        name = case.reference if case else f"case {cid}"
        record_full_check(session, status)
        if status.intact:
            click.echo(f"{name}: intact ({status.entries} entries)")
        else:
            broken += 1
            click.echo(
                f"{name}: BROKEN at entry {status.first_broken_id}: {status.problem}", err=True
            )
    session.commit()  # the full checks the ledger pages start from
    click.echo(f"{len(case_ids)} chains checked, {broken} broken.")
    if broken:
        raise SystemExit(1)


@click.command("ledger-sweep")
@with_appcontext
def ledger_sweep() -> None:
    """Run the pattern rules (rise before testimony, after the verdict, far above peers) and
    raise review flags; safe to run again."""
    from witness.ledger.flags import sweep_flags

    session = db_session()
    raised = sweep_flags(session)
    session.commit()
    click.echo(f"{len(raised)} new flags raised.")


def register_ledger_cli(app: Flask) -> None:
    app.cli.add_command(ledger_verify)
    app.cli.add_command(ledger_sweep)
