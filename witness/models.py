"""Every model, imported once so ``Base.metadata`` knows all tables (Alembic, tests, CLI)."""

from witness.audit.models import AuditEvent
from witness.auth.models import ApiToken, LoginAttempt, Organisation, User
from witness.cases.models import Case, CaseOffence, Court, Defendant
from witness.people.models import (
    Assignment,
    Consent,
    NeedsAssessment,
    Participation,
    PhaseTransition,
    Witness,
)

__all__ = [
    "ApiToken",
    "Assignment",
    "AuditEvent",
    "Case",
    "CaseOffence",
    "Consent",
    "Court",
    "Defendant",
    "LoginAttempt",
    "NeedsAssessment",
    "Organisation",
    "Participation",
    "PhaseTransition",
    "User",
    "Witness",
]
