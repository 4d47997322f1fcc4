"""Demo data: three courts, twenty cases, sixty witnesses and a sign-in for every role.

Everything goes through the services, so the demo has the audit rows, assignments, consents and
phase history of real use. The dates of that history are then set back so that timelines read
like months of work; audit events keep the moment the demo was loaded. ``random.Random(2026)``
makes every load the same apart from the dates, which count from today.

``roster`` holds the demo's cast (organisations, sign-ins, courts, cases), ``vocabulary`` the
words its stories are told with (shared with ``flask generate-data``), and ``builder`` adds
them in order through the steps of ``witnesses``, ``schedule`` and ``support``.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from witness.auth.models import Organisation, Role, User
from witness.auth.second_factor import new_recovery_codes, new_secret
from witness.cases.models import Court
from witness.demo.builder import DemoBuilder
from witness.demo.roster import COURTS, EMAIL_DOMAIN, ORGANISATIONS, USERS


def load_demo(session: Session) -> list[tuple[str, str, str]] | None:
    """Add the demo organisations, users, courts, cases and witnesses; flush, never commit.

    Returns the sign-ins as (role, e-mail, password), or None, changing nothing, when any of
    the demo organisations, courts or users is already there.
    """
    if _demo_present(session):
        return None
    return DemoBuilder(session).build()


def _demo_present(session: Session) -> bool:
    """Any demo organisation, court or user already exists."""
    emails = [f"{u.key}@{EMAIL_DOMAIN}" for u in USERS]
    clashes = [
        select(Organisation.id).where(Organisation.name.in_([n for n, _ in ORGANISATIONS])),
        select(Court.id).where(Court.name.in_([c[0] for c in COURTS.values()])),
        select(User.id).where(User.email.in_(emails)),
    ]
    return any(session.scalar(query.limit(1)) is not None for query in clashes)


def demo_second_factors(session: Session) -> dict[str, tuple[str, list[str]]]:
    """Give the demo's administrators and supervisors (who must sign in with a second factor)
    one each: returns e-mail -> (key for an authenticator app, recovery codes), to print."""
    emails = [f"{u.key}@{EMAIL_DOMAIN}" for u in USERS]
    users = session.scalars(
        select(User)
        .where(
            User.email.in_(emails),
            User.role.in_([Role.admin, Role.supervisor]),
            User.totp_enrolled_dt.is_(None),
        )
        .order_by(User.id)  # printed in the order the accounts were made, on every database
    )
    factors = {}
    for user in users:
        user.totp_secret = new_secret()
        user.totp_enrolled_dt = user.created_dt
        factors[user.email] = (user.totp_secret, new_recovery_codes(session, user))
    return factors
