"""Every model, imported once so ``Base.metadata`` knows all tables (Alembic, tests, CLI)."""

from witness.api.models import IdempotencyKey
from witness.audit.models import AuditEvent
from witness.auth.models import ApiToken, LoginAttempt, Organisation, User
from witness.calendar.models import CalendarFeed
from witness.cases.models import Case, CaseOffence, Court, Defendant, Hearing, HearingChange
from witness.hearings.models import SpecialMeasure
from witness.ledger.models import (
    LedgerCheckpoint,
    LedgerFlag,
    SupportApproval,
    SupportItem,
)
from witness.notify.models import News, OutboundEmail
from witness.people.models import (
    Assignment,
    Consent,
    NeedsAssessment,
    Participation,
    PhaseTransition,
    Witness,
)
from witness.rooms.models import Resource, ResourceWithdrawal
from witness.scheduling.models import (
    Appointment,
    AppointmentSlot,
    AppointmentStaff,
    Interpreter,
)

__all__ = [
    "ApiToken",
    "Appointment",
    "AppointmentSlot",
    "AppointmentStaff",
    "Assignment",
    "AuditEvent",
    "CalendarFeed",
    "Case",
    "CaseOffence",
    "Consent",
    "Court",
    "Defendant",
    "Hearing",
    "HearingChange",
    "IdempotencyKey",
    "Interpreter",
    "LedgerCheckpoint",
    "LedgerFlag",
    "LoginAttempt",
    "NeedsAssessment",
    "News",
    "Organisation",
    "OutboundEmail",
    "Participation",
    "PhaseTransition",
    "Resource",
    "ResourceWithdrawal",
    "SpecialMeasure",
    "SupportApproval",
    "SupportItem",
    "User",
    "Witness",
]
