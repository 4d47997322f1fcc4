"""Every model, imported once so ``Base.metadata`` knows all tables (Alembic, tests, CLI)."""

from witness.api.models import IdempotencyKey
from witness.audit.models import AuditEvent
from witness.auth.models import ApiToken, LoginAttempt, Organisation, RecoveryCode, User
from witness.calendar.models import CalendarFeed
from witness.cases.models import Case, CaseOffence, Court, Defendant, Hearing, HearingChange
from witness.hearings.models import SpecialMeasure
from witness.ledger.models import (
    LedgerCheckpoint,
    LedgerFlag,
    SupportApproval,
    SupportItem,
)
from witness.letters.models import Letter, PrintBatch, TranslationReview
from witness.notify.models import (
    ContactAttempt,
    ContactPreference,
    News,
    NotificationTask,
    OutboundEmail,
    StaffAlert,
)
from witness.outcomes.models import OutcomeEvent
from witness.people.models import (
    Assignment,
    Consent,
    InviteDetailChoice,
    NeedsAssessment,
    Participation,
    PhaseTransition,
    Witness,
)
from witness.posttrial.models import (
    CompensationClaim,
    CompensationPayment,
    ImpactStatement,
    PropertyItem,
)
from witness.protection.models import PlanConsultation, ProtectionAction
from witness.retention.models import FileClosure, LegalHold
from witness.risk.models import RiskAssessment, RiskIncident, RiskReview
from witness.rooms.models import Resource, ResourceWithdrawal
from witness.scheduling.models import (
    Appointment,
    AppointmentSlot,
    AppointmentStaff,
    Interpreter,
)
from witness.subject_access.models import AccessRequest, CorrectionRequest

__all__ = [
    "AccessRequest",
    "ApiToken",
    "Appointment",
    "AppointmentSlot",
    "AppointmentStaff",
    "Assignment",
    "AuditEvent",
    "CalendarFeed",
    "Case",
    "CaseOffence",
    "CompensationClaim",
    "CompensationPayment",
    "Consent",
    "ContactAttempt",
    "ContactPreference",
    "CorrectionRequest",
    "Court",
    "Defendant",
    "FileClosure",
    "Hearing",
    "HearingChange",
    "IdempotencyKey",
    "ImpactStatement",
    "Interpreter",
    "InviteDetailChoice",
    "LedgerCheckpoint",
    "LedgerFlag",
    "LegalHold",
    "Letter",
    "LoginAttempt",
    "NeedsAssessment",
    "News",
    "NotificationTask",
    "Organisation",
    "OutboundEmail",
    "OutcomeEvent",
    "Participation",
    "PhaseTransition",
    "PlanConsultation",
    "PrintBatch",
    "PropertyItem",
    "ProtectionAction",
    "RecoveryCode",
    "Resource",
    "ResourceWithdrawal",
    "RiskAssessment",
    "RiskIncident",
    "RiskReview",
    "SpecialMeasure",
    "StaffAlert",
    "SupportApproval",
    "SupportItem",
    "TranslationReview",
    "User",
    "Witness",
]
