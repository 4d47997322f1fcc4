"""The audit sweeps for the scheduler: sealing every few seconds (and checking the readers it
sealed for unusual reading), and a daily walk of the whole chain."""

from __future__ import annotations

from flask import Flask

from witness.audit.chain import seal, verify
from witness.audit.watch import check_readers
from witness.core.time import now_utc

#: seconds between sealing runs: an event waits at most about this long for its place
SEAL_SECONDS = 5
#: events sealed per run at most: a backlog (the events written before the chain existed, or
#: while no scheduler ran) is worked off over several runs, never holding SQLite's one write
#: lock for long
SEAL_PER_RUN = 20_000


def seal_sweep(app: Flask) -> int:
    """Seal what was written since the last run, in a session of its own (the sealer's lock is
    held only for that), then look at the readers just sealed. Returns how many were sealed."""
    readers: set[int] = set()
    with app.app_context(), app.extensions["witness.db"].sessionmaker() as session:
        sealed = seal(session, limit=SEAL_PER_RUN, readers=readers)
        session.commit()
        raised = check_readers(
            session,
            readers,
            now_utc(),
            app.config["UNUSUAL_READING_COUNT"],
            app.config["UNUSUAL_READING_MINUTES"],
        )
        session.commit()
    if raised:
        app.logger.warning("audit: unusual reading by %d people; their supervisors alerted", raised)
    return sealed


def verify_sweep(app: Flask) -> str:
    """Seal, then walk the whole audit chain (daily); a break is logged as an error, and the
    head (its place and MAC) always."""
    with app.app_context(), app.extensions["witness.db"].sessionmaker() as session:
        seal(session)
        session.commit()
        status = verify(session)
        session.rollback()
    if status.state in ("broken", "unverifiable"):
        problems = "; ".join(map(str, status.broken or status.unverifiable))
        app.logger.error("audit chain %s: %s", status.state.upper(), problems)
    # The head, in the log (outside the database): a chain later found shorter, or with another
    # MAC at this place, was cut or rewritten from here on.
    app.logger.info(
        "audit chain %s: %d events sealed, head seq %d mac %s",
        status.state,
        status.sealed,
        status.head_seq,
        status.head_mac,
    )
    return status.state
