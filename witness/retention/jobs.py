"""The daily retention sweep: anonymise every closed file whose retention period has passed
(held files are skipped), committed file by file so one failure does not hold up the rest."""

from __future__ import annotations

from flask import Flask

from witness.core.time import now_utc
from witness.retention.runs import Candidate, Verdict, run

#: once a day: a period of years is not late by hours
SWEEP_SECONDS = 86400


def retention_sweep(app: Flask) -> list[Candidate]:
    """Run retention for real, in the app's context; log how many files were anonymised."""
    with app.app_context(), app.extensions["witness.db"].sessionmaker() as session:
        candidates = run(session, now_utc(), app.config["RETENTION_YEARS"], apply=True)
        session.commit()
    done = sum(c.verdict is Verdict.due for c in candidates)
    if done:
        app.logger.info("retention: %d witness file(s) anonymised", done)
    return candidates
