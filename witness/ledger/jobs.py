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
