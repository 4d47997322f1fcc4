"""What happened in a case and to its defendants: outcome events (plea, verdict, sentence,
appeal, ...) and custody events (remand, bail, transfer, the expected release date, release,
escape, ...). Each is dated, says where it came from and who recorded it; a correction is a new
event that supersedes the old one, so the history stays."""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import JSON, ForeignKey, Index, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from witness.auth.models import User
from witness.cases.models import Case, Defendant
from witness.core.i18n import gettext
from witness.core.time import now_utc
from witness.db import Base, enum_column, intpk


class EventCategory(enum.Enum):
    outcome = "outcome"  #: what the court decided
    custody = "custody"  #: where the defendant is, and when they come out


class EventKind(enum.Enum):
    # outcome events: per case and defendant
    plea = "plea"
    verdict = "verdict"  #: per charge
    sentence = "sentence"
    discontinued = "discontinued"  #: the case against the defendant was dropped
    appeal_lodged = "appeal_lodged"
    appeal_heard = "appeal_heard"
    appeal_decided = "appeal_decided"
    retrial_ordered = "retrial_ordered"
    # custody events: per defendant
    remanded = "remanded"
    bailed = "bailed"
    bail_varied = "bail_varied"
    transferred = "transferred"
    parole_eligible = "parole_eligible"
    parole_hearing = "parole_hearing"
    release_date_set = "release_date_set"  #: the expected release date, or a change to it
    released = "released"
    temporary_release = "temporary_release"
    escaped = "escaped"
    absconded = "absconded"
    recaptured = "recaptured"
    deported = "deported"
    died = "died"

    @property
    def category(self) -> EventCategory:
        return EventCategory.outcome if self in _OUTCOME_KINDS else EventCategory.custody

    @property
    def label(self) -> str:
        return {
            "plea": gettext("Plea"),
            "verdict": gettext("Verdict"),
            "sentence": gettext("Sentence"),
            "discontinued": gettext("Case discontinued"),
            "appeal_lodged": gettext("Appeal lodged"),
            "appeal_heard": gettext("Appeal heard"),
            "appeal_decided": gettext("Appeal decided"),
            "retrial_ordered": gettext("Retrial ordered"),
            "remanded": gettext("Remanded"),
            "bailed": gettext("Bailed"),
            "bail_varied": gettext("Bail conditions changed"),
            "transferred": gettext("Transferred"),
            "parole_eligible": gettext("Eligible for parole"),
            "parole_hearing": gettext("Parole hearing"),
            "release_date_set": gettext("Expected release date"),
            "released": gettext("Released"),
            "temporary_release": gettext("Temporary release"),
            "escaped": gettext("Escaped"),
            "absconded": gettext("Absconded"),
            "recaptured": gettext("Recaptured"),
            "deported": gettext("Deported"),
            "died": gettext("Died"),
        }[self.value]

    @property
    def is_key_stage(self) -> bool:
        """News a witness who asked for "key stages only" still hears: the verdict, the
        sentence, and anything about the defendant's release or escape."""
        return self in _KEY_STAGES


_OUTCOME_KINDS = frozenset(
    {
        EventKind.plea,
        EventKind.verdict,
        EventKind.sentence,
        EventKind.discontinued,
        EventKind.appeal_lodged,
        EventKind.appeal_heard,
        EventKind.appeal_decided,
        EventKind.retrial_ordered,
    }
)
_KEY_STAGES = frozenset(
    {
        EventKind.verdict,
        EventKind.sentence,
        EventKind.discontinued,
        EventKind.release_date_set,
        EventKind.released,
        EventKind.temporary_release,
        EventKind.escaped,
        EventKind.absconded,
        EventKind.recaptured,
    }
)
_KIND_LABELS = {
    "discontinued": "Case discontinued",
    "retrial_ordered": "Retrial ordered",
    "bailed": "Bailed",
    "bail_varied": "Bail conditions changed",
    "parole_eligible": "Eligible for parole",
    "release_date_set": "Expected release date",
    "temporary_release": "Temporary release",
}


class EventSource(enum.Enum):
    court = "court"
    prison = "prison"
    probation = "probation"
    police = "police"
    staff = "staff"  #: told to a member of staff and entered by hand

    @property
    def label(self) -> str:
        return {
            "court": gettext("Court"),
            "prison": gettext("Prison"),
            "probation": gettext("Probation"),
            "police": gettext("Police"),
            "staff": gettext("Staff"),
        }[self.value]


class EventResult(enum.Enum):
    """The answer a plea, a verdict or an appeal gives."""

    guilty = "guilty"
    not_guilty = "not_guilty"
    no_verdict = "no_verdict"  #: the jury could not agree
    appeal_allowed = "appeal_allowed"
    appeal_dismissed = "appeal_dismissed"
    sentence_varied = "sentence_varied"
    conviction_quashed = "conviction_quashed"

    @property
    def label(self) -> str:
        return {
            "guilty": gettext("Guilty"),
            "not_guilty": gettext("Not guilty"),
            "no_verdict": gettext("No verdict"),
            "appeal_allowed": gettext("Appeal allowed"),
            "appeal_dismissed": gettext("Appeal dismissed"),
            "sentence_varied": gettext("Sentence varied"),
            "conviction_quashed": gettext("Conviction quashed"),
        }[self.value]


class SentenceKind(enum.Enum):
    custody = "custody"
    suspended_custody = "suspended_custody"
    community = "community"
    fine = "fine"
    discharge = "discharge"
    hospital_order = "hospital_order"
    other = "other"

    @property
    def label(self) -> str:
        return {
            "custody": gettext("Prison (immediate custody)"),
            "suspended_custody": gettext("Suspended prison sentence"),
            "community": gettext("Community order"),
            "fine": gettext("Fine"),
            "discharge": gettext("Discharge"),
            "hospital_order": gettext("Hospital order"),
            "other": gettext("Other"),
        }[self.value]


class OrderKind(enum.Enum):
    """Orders that come with a sentence or with bail and that matter to the victim."""

    no_contact = "no_contact"
    restraining = "restraining"
    exclusion_zone = "exclusion_zone"
    compensation = "compensation"
    confiscation = "confiscation"
    deportation = "deportation"
    other = "other"

    @property
    def label(self) -> str:
        return {
            "no_contact": gettext("No-contact order"),
            "restraining": gettext("Restraining order"),
            "exclusion_zone": gettext("Exclusion zone"),
            "compensation": gettext("Compensation order"),
            "confiscation": gettext("Confiscation order"),
            "deportation": gettext("Deportation"),
            "other": gettext("Other order"),
        }[self.value]


class OutcomeEvent(Base):
    """One outcome or custody event of a case (and defendant), as recorded; never changed.

    The typed columns a kind uses are filled, the rest left empty (a verdict has ``charge`` and
    ``result``; a sentence ``sentence_kind``, its length, ``orders`` and ``release_date``; an
    expected release date ``release_date``; ...). The services say which kind needs what."""

    __tablename__ = "outcome_events"
    __table_args__ = (
        #: a post from another system names its own id: the same post twice changes nothing
        UniqueConstraint("source_system", "external_id"),
        Index("ix_outcome_events_case_date", "case_id", "effective_date"),
        Index("ix_outcome_events_defendant", "defendant_id", "kind"),
        #: the reminders sweep: release dates, parole hearings, appeal deadlines to come
        Index("ix_outcome_events_kind_release", "kind", "release_date"),
    )

    id: Mapped[intpk]
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"))
    #: None for an event of the whole case (discontinued against everyone)
    defendant_id: Mapped[int | None] = mapped_column(ForeignKey("defendants.id"))
    kind: Mapped[EventKind] = enum_column(EventKind)
    #: the day it took effect (a verdict's day, a release's day), in the court's calendar
    effective_date: Mapped[date]
    source: Mapped[EventSource] = enum_column(EventSource)
    #: the system that posted it ("HMP Leeds release list") and its own id for it
    source_system: Mapped[str | None] = mapped_column(String(80))
    external_id: Mapped[str | None] = mapped_column(String(120))
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    recorded_dt: Mapped[datetime] = mapped_column(default=now_utc)
    #: a correction names the event it replaces, and why
    supersedes_id: Mapped[int | None] = mapped_column(ForeignKey("outcome_events.id"), unique=True)
    correction_reason: Mapped[str] = mapped_column(Text, default="")
    # --- what the kind says ---------------------------------------------------------------
    #: the charge a plea or a verdict answers
    charge: Mapped[str] = mapped_column(String(300), default="")
    result: Mapped[EventResult | None] = enum_column(EventResult)
    sentence_kind: Mapped[SentenceKind | None] = enum_column(SentenceKind)
    #: a sentence's length (months and days), and its suspension period when suspended
    sentence_months: Mapped[int | None]
    sentence_days: Mapped[int | None]
    suspended_months: Mapped[int | None]
    #: orders that come with it: [{"kind": "no_contact", "detail": "...", "until": "2031-01-01"}]
    orders: Mapped[list[dict]] = mapped_column(JSON, default=list)
    compensation_amount: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    compensation_currency: Mapped[str | None] = mapped_column(String(3))
    #: the expected (or earliest) release date; a release's own date is ``effective_date``
    release_date: Mapped[date | None]
    #: a parole or appeal hearing's date
    hearing_date: Mapped[date | None]
    #: the last day to appeal, or the parole eligibility date
    deadline_date: Mapped[date | None]
    #: the prison or place (remand, transfer)
    institution: Mapped[str] = mapped_column(String(200), default="")
    #: the conditions that matter to the victim (no contact, an exclusion zone, licence terms)
    conditions: Mapped[str] = mapped_column(Text, default="")
    note: Mapped[str] = mapped_column(Text, default="")

    case: Mapped[Case] = relationship()
    defendant: Mapped[Defendant | None] = relationship()
    recorded_by: Mapped[User] = relationship()
    supersedes: Mapped[OutcomeEvent | None] = relationship(remote_side="OutcomeEvent.id")

    @property
    def category(self) -> EventCategory:
        return self.kind.category
