"""A witness's protection plan: actions, each with an owner, a status and a due date, and the
consultations in which the plan was talked through with the witness.

The plan counts as revised (agreed) only when a consultation with the witness was recorded
after its last change (``services.plan_state``)."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from witness.auth.models import Organisation, User
from witness.core.encrypted import EncryptedText
from witness.core.i18n import gettext
from witness.core.time import now_utc
from witness.db import Base, enum_column, intpk
from witness.people.models import Witness


class ActionKind(enum.Enum):
    safe_accommodation = "safe_accommodation"
    relocation = "relocation"
    police_marker = "police_marker"  #: a marker on an address: the police come at once
    alarm = "alarm"
    new_phone = "new_phone"
    escort = "escort"
    separate_entrance = "separate_entrance"  #: at court, and a separate waiting room
    school_liaison = "school_liaison"  #: for a child
    no_contact_order = "no_contact_order"
    other = "other"

    @property
    def label(self) -> str:
        return {
            "safe_accommodation": gettext("Safe accommodation"),
            "relocation": gettext("Relocation"),
            "police_marker": gettext("Police marker on an address"),
            "alarm": gettext("Alarm"),
            "new_phone": gettext("New phone"),
            "escort": gettext("Escort"),
            "separate_entrance": gettext("Separate entrance and waiting room at court"),
            "school_liaison": gettext("School liaison"),
            "no_contact_order": gettext("No-contact order"),
            "other": gettext("Other"),
        }[self.value]


class ActionStatus(enum.Enum):
    planned = "planned"
    in_progress = "in_progress"
    in_place = "in_place"
    closed = "closed"  #: no longer needed, with the reason

    @property
    def label(self) -> str:
        return {
            "planned": gettext("Planned"),
            "in_progress": gettext("In progress"),
            "in_place": gettext("In place"),
            "closed": gettext("Closed"),
        }[self.value]


OPEN_STATUSES = (ActionStatus.planned, ActionStatus.in_progress)


class ProtectionAction(Base):
    """One action of a witness's plan. Its owner is a member of staff, a partner organisation
    (an NGO, the police) or someone named outside both."""

    __tablename__ = "protection_actions"
    __table_args__ = (Index("ix_protection_actions_witness", "witness_id", "status"),)

    id: Mapped[intpk]
    witness_id: Mapped[int] = mapped_column(ForeignKey("witnesses.id"))
    kind: Mapped[ActionKind] = enum_column(ActionKind)
    detail: Mapped[str] = mapped_column(EncryptedText("protection_actions.detail"), default="")
    owner_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    owner_organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    #: an owner outside the system ("Local police, safeguarding team")
    owner_other: Mapped[str] = mapped_column(String(200), default="")
    status: Mapped[ActionStatus] = enum_column(ActionStatus, default=ActionStatus.planned)
    due_date: Mapped[date | None]
    closed_reason: Mapped[str] = mapped_column(
        EncryptedText("protection_actions.closed_reason"), default=""
    )
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_dt: Mapped[datetime] = mapped_column(default=now_utc)
    updated_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    updated_dt: Mapped[datetime] = mapped_column(default=now_utc)

    witness: Mapped[Witness] = relationship()
    owner_user: Mapped[User | None] = relationship(foreign_keys=[owner_user_id])
    owner_organisation: Mapped[Organisation | None] = relationship()

    @property
    def owner_label(self) -> str:
        if self.owner_user is not None:
            return self.owner_user.name
        if self.owner_organisation is not None:
            return self.owner_organisation.name
        return self.owner_other

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class ConsultationMethod(enum.Enum):
    in_person = "in_person"
    phone = "phone"
    video = "video"
    through_ngo = "through_ngo"

    @property
    def label(self) -> str:
        return {
            "in_person": gettext("In person"),
            "phone": gettext("By phone"),
            "video": gettext("By video"),
            "through_ngo": gettext("Through their NGO worker"),
        }[self.value]


class PlanConsultation(Base):
    """The plan talked through with the witness: when, how, with which interpreter, what they
    agreed to and what they objected to."""

    __tablename__ = "plan_consultations"
    __table_args__ = (Index("ix_plan_consultations_witness", "witness_id", "recorded_dt"),)

    id: Mapped[intpk]
    witness_id: Mapped[int] = mapped_column(ForeignKey("witnesses.id"))
    consulted_on: Mapped[date]
    method: Mapped[ConsultationMethod] = enum_column(ConsultationMethod)
    #: the interpreter's language (a code such as "th"), empty when none was needed
    interpreter_language: Mapped[str] = mapped_column(String(35), default="")
    interpreter_name: Mapped[str] = mapped_column(String(200), default="")
    agreed: Mapped[str] = mapped_column(EncryptedText("plan_consultations.agreed"))
    objected: Mapped[str] = mapped_column(EncryptedText("plan_consultations.objected"), default="")
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    recorded_dt: Mapped[datetime] = mapped_column(default=now_utc)

    witness: Mapped[Witness] = relationship()
    recorded_by: Mapped[User] = relationship()
