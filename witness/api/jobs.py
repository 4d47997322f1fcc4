"""The API's sweep for the scheduler: forget idempotency keys older than a day."""

from __future__ import annotations

from flask import Flask

from witness.api.idempotency import purge_expired
from witness.core.time import now_utc


def idempotency_sweep(app: Flask) -> int:
    """Delete the idempotency keys (and the answers kept with them) past their day; safe to run
    at any time. Returns how many were deleted."""
    with app.app_context(), app.extensions["witness.db"].sessionmaker() as session:
        purged = purge_expired(session, now_utc())
        session.commit()
    if purged:
        app.logger.info("idempotency keys: %d expired and deleted", purged)
    return purged
