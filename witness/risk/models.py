"""Risk assessments, the reviews that fall due (by level and by triggers) and incidents."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import Boolean, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from witness.auth.models import User
from witness.core.encrypted import EncryptedJSON, EncryptedText
from witness.core.i18n import gettext
from witness.core.time import now_utc
from witness.db import Base, enum_column, intpk
from witness.people.models import Witness
from witness.risk.instrument import RiskLevel


class AssessmentStatus(enum.Enum):
    draft = "draft"
    completed = "completed"  #: read-only from then on: a correction is a new assessment

    @property
    def label(self) -> str:
        return {
            "draft": gettext("Draft"),
            "completed": gettext("Completed"),
        }[self.value]


class RiskAssessment(Base):
    """One assessment of a witness's risk by one version of the instrument."""

    __tablename__ = "risk_assessments"
    __table_args__ = (
        Index("ix_risk_assessments_witness", "witness_id", "status", "completed_dt"),
        #: the lists' "critical or high now": the current assessment by level
        Index("ix_risk_assessments_current_level", "is_current", "level", "witness_id"),
    )

    id: Mapped[intpk]
    witness_id: Mapped[int] = mapped_column(ForeignKey("witnesses.id"))
    #: the instrument's version ("v1", "return-v1"): its factors are read from it forever
    instrument: Mapped[str] = mapped_column(String(20))
    status: Mapped[AssessmentStatus] = enum_column(AssessmentStatus)
    #: {factor key: {"answer": "present"|"absent"|"unknown", "note": "..."}}
    answers: Mapped[dict] = mapped_column(EncryptedJSON("risk_assessments.answers"), default=dict)
    #: the witness's own view of their safety, in their words
    own_view: Mapped[str] = mapped_column(EncryptedText("risk_assessments.own_view"), default="")
    #: the level the rule gives (``instrument.level_for``), and the rule's line
    rule_level: Mapped[RiskLevel | None] = enum_column(RiskLevel, name="rule_level")
    rule_reason: Mapped[str] = mapped_column(String(200), default="")
    #: the level that stands: the rule's, or the officer's override (with its reason)
    level: Mapped[RiskLevel | None] = enum_column(RiskLevel, name="level")
    override_reason: Mapped[str] = mapped_column(
        EncryptedText("risk_assessments.override_reason"), default=""
    )
    #: the newest completed assessment of the witness (one per witness)
    is_current: Mapped[bool] = mapped_column(Boolean, default=False)
    #: the completed assessment whose answers this one started from
    previous_id: Mapped[int | None] = mapped_column(ForeignKey("risk_assessments.id"))
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_dt: Mapped[datetime] = mapped_column(default=now_utc)
    completed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    completed_dt: Mapped[datetime | None]

    witness: Mapped[Witness] = relationship()
    created_by: Mapped[User] = relationship(foreign_keys=[created_by_id])
    completed_by: Mapped[User | None] = relationship(foreign_keys=[completed_by_id])

    @property
    def is_draft(self) -> bool:
        return self.status is AssessmentStatus.draft

    @property
    def is_overridden(self) -> bool:
        return self.level is not None and self.level != self.rule_level


class ReviewSource(enum.Enum):
    """Why a reassessment fell due."""

    scheduled = "scheduled"  #: the last assessment's level (7/14/30/90 days)
    phase_change = "phase_change"
    hearing_listed = "hearing_listed"
    hearing_moved = "hearing_moved"
    hearing_soon = "hearing_soon"  #: a hearing 14 days away
    testimony = "testimony"
    measure_refused = "measure_refused"
    outcome = "outcome"  #: verdict, sentence, appeal
    bail = "bail"  #: bail granted or varied
    release_date = "release_date"  #: an expected release date set, or within 60 days
    released = "released"
    escaped = "escaped"  #: escape or absconding
    incident = "incident"
    address_change = "address_change"
    return_planned = "return_planned"
    witness_asked = "witness_asked"

    @property
    def label(self) -> str:
        return {
            "scheduled": gettext("Scheduled"),
            "phase_change": gettext("Phase change"),
            "hearing_listed": gettext("Hearing listed"),
            "hearing_moved": gettext("Hearing moved"),
            "hearing_soon": gettext("Hearing soon"),
            "testimony": gettext("Testimony"),
            "measure_refused": gettext("Measure refused"),
            "outcome": gettext("Outcome"),
            "bail": gettext("Bail"),
            "release_date": gettext("Release date"),
            "released": gettext("Released"),
            "escaped": gettext("Escaped"),
            "incident": gettext("Incident"),
            "address_change": gettext("Address change"),
            "return_planned": gettext("Return planned"),
            "witness_asked": gettext("Witness asked"),
        }[self.value]


class RiskReview(Base):
    """A reassessment due by a date, and why; done when an assessment is completed."""

    __tablename__ = "risk_reviews"
    __table_args__ = (
        #: a trigger makes its review once however often it fires ("event:17", "hearing14:3")
        UniqueConstraint("witness_id", "key"),
        #: the lists: open reviews by due date
        Index("ix_risk_reviews_open_due", "done_dt", "due_date", "witness_id"),
        Index("ix_risk_reviews_witness_open", "witness_id", "done_dt"),
    )

    id: Mapped[intpk]
    witness_id: Mapped[int] = mapped_column(ForeignKey("witnesses.id"))
    source: Mapped[ReviewSource] = enum_column(ReviewSource)
    key: Mapped[str] = mapped_column(String(120))
    #: the day (in the witness's court's calendar) by which the reassessment is due
    due_date: Mapped[date]
    #: a short reason for staff: references and dates, never the witness's name
    reason: Mapped[str] = mapped_column(String(300))
    created_dt: Mapped[datetime] = mapped_column(default=now_utc)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    #: when an assessment completed it (None while open), and which
    done_dt: Mapped[datetime | None]
    done_assessment_id: Mapped[int | None] = mapped_column(ForeignKey("risk_assessments.id"))

    witness: Mapped[Witness] = relationship()


class IncidentKind(enum.Enum):
    threat = "threat"
    contact_attempt = "contact_attempt"
    sighting = "sighting"
    order_breach = "order_breach"  #: a breach of a no-contact order
    other = "other"

    @property
    def label(self) -> str:
        return {
            "threat": gettext("Threat"),
            "contact_attempt": gettext("Contact attempt"),
            "sighting": gettext("Sighting"),
            "order_breach": gettext("Breach of a no-contact order"),
            "other": gettext("Other"),
        }[self.value]


class RiskIncident(Base):
    """Something that happened to the witness that bears on their safety."""

    __tablename__ = "risk_incidents"
    __table_args__ = (Index("ix_risk_incidents_witness", "witness_id", "occurred_dt"),)

    id: Mapped[intpk]
    witness_id: Mapped[int] = mapped_column(ForeignKey("witnesses.id"))
    kind: Mapped[IncidentKind] = enum_column(IncidentKind)
    #: who reported it ("the witness", "their NGO caseworker", "police")
    reported_by: Mapped[str] = mapped_column(EncryptedText("risk_incidents.reported_by"))
    occurred_dt: Mapped[datetime]
    description: Mapped[str] = mapped_column(EncryptedText("risk_incidents.description"))
    police_told: Mapped[bool] = mapped_column(Boolean, default=False)
    police_reference: Mapped[str] = mapped_column(String(120), default="")
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    recorded_dt: Mapped[datetime] = mapped_column(default=now_utc)

    witness: Mapped[Witness] = relationship()
    recorded_by: Mapped[User] = relationship()
