"""Courts, cases, their offence categories and defendants."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from witness.auth.models import Organisation, User
from witness.core.i18n import gettext
from witness.core.time import now_utc
from witness.db import Base, enum_column, intpk, str200

if TYPE_CHECKING:
    from witness.rooms.models import Resource


class OffenceCategory(enum.Enum):
    trafficking_sexual_exploitation = "trafficking_sexual_exploitation"
    trafficking_forced_labour = "trafficking_forced_labour"
    trafficking_domestic_servitude = "trafficking_domestic_servitude"
    trafficking_organ_removal = "trafficking_organ_removal"
    child_trafficking = "child_trafficking"
    people_smuggling = "people_smuggling"
    sexual_offence = "sexual_offence"
    violence = "violence"
    domestic_abuse = "domestic_abuse"
    other = "other"

    @property
    def label(self) -> str:
        return {
            "trafficking_sexual_exploitation": gettext("Trafficking — sexual exploitation"),
            "trafficking_forced_labour": gettext("Trafficking — forced labour"),
            "trafficking_domestic_servitude": gettext("Trafficking — domestic servitude"),
            "trafficking_organ_removal": gettext("Trafficking — organ removal"),
            "child_trafficking": gettext("Child trafficking"),
            "people_smuggling": gettext("People smuggling"),
            "sexual_offence": gettext("Sexual offence"),
            "violence": gettext("Violence"),
            "domestic_abuse": gettext("Domestic abuse"),
            "other": gettext("Other"),
        }[self.value]

    @property
    def is_trafficking(self) -> bool:
        return "trafficking" in self.value


class CaseStatus(enum.Enum):
    investigation = "investigation"
    charged = "charged"
    trial = "trial"
    sentenced = "sentenced"
    appeal = "appeal"
    closed = "closed"

    @property
    def label(self) -> str:
        return {
            "investigation": gettext("Investigation"),
            "charged": gettext("Charged"),
            "trial": gettext("Trial"),
            "sentenced": gettext("Sentenced"),
            "appeal": gettext("Appeal"),
            "closed": gettext("Closed"),
        }[self.value]


class CustodyStatus(enum.Enum):
    at_large = "at_large"
    on_bail = "on_bail"
    remanded = "remanded"
    serving_sentence = "serving_sentence"
    released = "released"
    deceased = "deceased"

    @property
    def label(self) -> str:
        return {
            "at_large": gettext("At large"),
            "on_bail": gettext("On bail"),
            "remanded": gettext("Remanded"),
            "serving_sentence": gettext("Serving sentence"),
            "released": gettext("Released"),
            "deceased": gettext("Deceased"),
        }[self.value]


class Court(Base):
    __tablename__ = "courts"

    id: Mapped[intpk]
    name: Mapped[str200] = mapped_column(unique=True)
    address: Mapped[str] = mapped_column(String(500))
    #: IANA name; hearing times are shown and sent in this zone
    timezone: Mapped[str] = mapped_column(String(64))
    #: the jurisdiction whose public holidays a notification deadline skips (ISO 3166 country,
    #: and a subdivision such as "ENG" where holidays differ within it)
    country: Mapped[str] = mapped_column(String(2), default="GB")
    subdivision: Mapped[str] = mapped_column(String(10), default="")


class Case(Base):
    __tablename__ = "cases"
    __table_args__ = (
        UniqueConstraint("court_id", "reference"),
        #: an office's newest cases (dashboard), and lookups by reference across courts
        Index("ix_cases_organisation_id_id", "organisation_id", "id"),
        Index("ix_cases_reference", "reference"),
    )

    id: Mapped[intpk]
    #: the prosecution office that owns the case; its supervisors and officers work on it
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    court_id: Mapped[int] = mapped_column(ForeignKey("courts.id"), index=True)
    #: the court's own number for the case, unique within that court
    reference: Mapped[str] = mapped_column(String(60))
    title: Mapped[str200]
    status: Mapped[CaseStatus] = enum_column(CaseStatus, default=CaseStatus.investigation)
    lead_prosecutor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    notes: Mapped[str] = mapped_column(Text, default="")
    created_dt: Mapped[datetime] = mapped_column(default=now_utc)

    organisation: Mapped[Organisation] = relationship()
    court: Mapped[Court] = relationship(lazy="joined")
    lead_prosecutor: Mapped[User | None] = relationship()
    offences: Mapped[list[CaseOffence]] = relationship(
        back_populates="case", cascade="all, delete-orphan", order_by="CaseOffence.category"
    )
    defendants: Mapped[list[Defendant]] = relationship(
        back_populates="case", cascade="all, delete-orphan", order_by="Defendant.id"
    )

    @property
    def offence_categories(self) -> list[OffenceCategory]:
        return [o.category for o in self.offences]

    @property
    def is_trafficking(self) -> bool:
        return any(c.is_trafficking for c in self.offence_categories)


class CaseOffence(Base):
    __tablename__ = "case_offences"

    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), primary_key=True)
    category: Mapped[OffenceCategory] = enum_column(OffenceCategory, primary_key=True)

    case: Mapped[Case] = relationship(back_populates="offences")


class Defendant(Base):
    __tablename__ = "defendants"

    id: Mapped[intpk]
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    name: Mapped[str200]
    custody_status: Mapped[CustodyStatus] = enum_column(CustodyStatus)
    #: can move (remission, parole, appeal); a release letter hangs on it
    expected_release_date: Mapped[date | None]
    #: the prison's or court system's own number for the defendant, to match their posts
    custody_number: Mapped[str | None] = mapped_column(String(40), index=True)

    case: Mapped[Case] = relationship(back_populates="defendants")


class HearingType(enum.Enum):
    first_appearance = "first_appearance"
    pre_trial_review = "pre_trial_review"
    trial_day = "trial_day"
    sentencing = "sentencing"
    appeal = "appeal"
    parole_hearing = "parole_hearing"
    other = "other"

    @property
    def label(self) -> str:
        return {
            "first_appearance": gettext("First appearance"),
            "pre_trial_review": gettext("Pre trial review"),
            "trial_day": gettext("Trial day"),
            "sentencing": gettext("Sentencing"),
            "appeal": gettext("Appeal"),
            "parole_hearing": gettext("Parole or licence hearing"),
            "other": gettext("Other"),
        }[self.value]


class HearingStatus(enum.Enum):
    listed = "listed"
    moved = "moved"  #: listed again at another time; appointments that hang on it need a look
    vacated = "vacated"  #: taken out of the list; it will not take place
    held = "held"

    @property
    def label(self) -> str:
        return {
            "listed": gettext("Listed"),
            "moved": gettext("Moved"),
            "vacated": gettext("Vacated"),
            "held": gettext("Held"),
        }[self.value]


class Hearing(Base):
    """A court event of a case. Times are UTC; they are shown in the court's timezone."""

    __tablename__ = "hearings"
    __table_args__ = (
        #: a court's day list; the generator's 200,000 hearings are read by court and day
        Index("ix_hearings_court_start", "court_id", "start_dt"),
        Index("ix_hearings_case_start", "case_id", "start_dt"),
        #: a court system refers to its hearings by its own listing number
        UniqueConstraint("court_id", "external_ref"),
    )

    id: Mapped[intpk]
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"))
    #: copied from the case so a court's day is one index range
    court_id: Mapped[int] = mapped_column(ForeignKey("courts.id"))
    type: Mapped[HearingType] = enum_column(HearingType)
    #: a courtroom resource of the court, once the list names one
    courtroom_id: Mapped[int | None] = mapped_column(ForeignKey("resources.id"))
    start_dt: Mapped[datetime]
    end_dt: Mapped[datetime]
    status: Mapped[HearingStatus] = enum_column(HearingStatus, default=HearingStatus.listed)
    #: the court system's listing number, when the hearing came from it
    external_ref: Mapped[str | None] = mapped_column(String(80))
    notes: Mapped[str] = mapped_column(Text, default="")
    created_dt: Mapped[datetime] = mapped_column(default=now_utc)
    updated_dt: Mapped[datetime] = mapped_column(default=now_utc, onupdate=now_utc)

    case: Mapped[Case] = relationship()
    court: Mapped[Court] = relationship()
    courtroom: Mapped[Resource | None] = relationship()
    changes: Mapped[list[HearingChange]] = relationship(
        back_populates="hearing", order_by="HearingChange.id"
    )

    @property
    def label(self) -> str:
        return f"{self.type.label}, {self.case.reference}"


class HearingChange(Base):
    """One move or status change of a hearing: the history a move keeps."""

    __tablename__ = "hearing_changes"

    id: Mapped[intpk]
    hearing_id: Mapped[int] = mapped_column(ForeignKey("hearings.id"), index=True)
    changed_dt: Mapped[datetime] = mapped_column(default=now_utc)
    #: None when a court system posted the change and no person is behind it
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    from_status: Mapped[HearingStatus] = enum_column(HearingStatus, name="from_status")
    to_status: Mapped[HearingStatus] = enum_column(HearingStatus, name="to_status")
    from_start_dt: Mapped[datetime]
    from_end_dt: Mapped[datetime]
    to_start_dt: Mapped[datetime]
    to_end_dt: Mapped[datetime]
    reason: Mapped[str] = mapped_column(Text)

    hearing: Mapped[Hearing] = relationship(back_populates="changes")
    actor: Mapped[User | None] = relationship()
