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
    """Recompute every ledger hash and compare each chain with its checkpoints; list every
    broken or unverifiable entry and exit 1 if there is any."""
    from witness.cases.models import Case
    from witness.ledger.chain import case_ids_with_chains, record_full_check, verify_chain

    session = db_session()
    case_ids = [case_id] if case_id is not None else case_ids_with_chains(session)
    broken = unverifiable = 0
    for cid in case_ids:
        status = verify_chain(session, cid)
        case = session.get(Case, cid)
        name = case.reference if case else f"case {cid}"
        record_full_check(session, status)
        if status.broken:
            broken += 1
            click.echo(f"{name}: BROKEN: {len(status.broken)} problem(s)", err=True)
        elif status.unverifiable:
            unverifiable += 1
            click.echo(f"{name}: NOT VERIFIABLE with this key ring", err=True)
        else:
            verdict = "intact" if status.state == "intact" else "consistent, partly UNKEYED"
            click.echo(f"{name}: {verdict} ({status.length} entries, head {status.last_hash})")
        for problem in status.broken:
            click.echo(f"  BROKEN at {problem}", err=True)
        for problem in status.unverifiable:
            click.echo(f"  NOT VERIFIABLE: {problem}", err=True)
        if status.unkeyed or status.unchained_approvals:
            click.echo(
                f"  {status.unkeyed} entries and {status.unchained_approvals} approvals predate "
                "keyed hashes (consistent; not proof against someone with database access "
                "before the chain's first checkpoint)"
            )
    session.commit()  # the full checks the ledger pages start from
    click.echo(f"{len(case_ids)} chains checked, {broken} broken, {unverifiable} not verifiable.")
    if broken or unverifiable:
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
    from witness.ledger.key_cli import ledger_keys

    app.cli.add_command(ledger_verify)
    app.cli.add_command(ledger_sweep)
    app.cli.add_command(ledger_keys)
