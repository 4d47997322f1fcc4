"""The ledger sweep for the scheduler (``flask ledger-sweep`` runs the same once)."""

from __future__ import annotations

from flask import Flask

from witness.ledger.flags import sweep_flags


def ledger_sweep(app: Flask) -> int:
    """Run the pattern rules over the whole ledger in a session of its own and commit the flags
    they raise; safe to run again (an open flag is never raised twice). Returns how many."""
    with app.app_context(), app.extensions["witness.db"].sessionmaker() as session:
        raised = len(sweep_flags(session))
        session.commit()
    app.logger.info("ledger sweep: %d new flags raised", raised)
    return raised


def chain_sweep(app: Flask) -> tuple[int, int]:
    """Walk every case's chain in full (daily): a broken or unverifiable one is logged as an
    error; an intact one that grew is checkpointed (keyed: a chain later found shorter is
    broken) and remembered so its ledger pages walk only what is recorded after. Returns
    (chains, not intact)."""
    from witness.ledger.chain import (
        case_ids_with_chains,
        record_full_check,
        verify_chain,
        write_checkpoint,
    )
    from witness.ledger.models import CheckpointReason

    bad = 0
    with app.app_context(), app.extensions["witness.db"].sessionmaker() as session:
        case_ids = case_ids_with_chains(session)
        for n, case_id in enumerate(case_ids, start=1):
            status = verify_chain(session, case_id)
            record_full_check(session, status)
            write_checkpoint(session, status, CheckpointReason.sweep)
            if not status.intact:
                bad += 1
                app.logger.error(
                    "ledger chain of case %d %s: %s",
                    case_id,
                    "BROKEN" if status.broken else "NOT VERIFIABLE",
                    "; ".join(map(str, status.broken or status.unverifiable)),
                )
            if n % 500 == 0:
                session.commit()
        session.commit()
    app.logger.info("ledger chains: %d checked in full, %d not intact", len(case_ids), bad)
    return len(case_ids), bad
