"""Witnesses, their participation in cases and its phases, consents, assignments and needs."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint, event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from witness.auth.models import Organisation, User
from witness.cases.models import Case
from witness.core.crypto import email_index, phone_index
from witness.core.encrypted import EncryptedDate, EncryptedText
from witness.core.i18n import gettext
from witness.core.time import now_utc
from witness.db import Base, enum_column, intpk

CHILD_AGE = 18


def age_on(date_of_birth: date | None, day: date) -> int | None:
    if date_of_birth is None:
        return None
    dob = date_of_birth
    return day.year - dob.year - ((day.month, day.day) < (dob.month, dob.day))


def is_child(date_of_birth: date | None, presumed_child: bool, day: date) -> bool:
    """Under 18 on ``day``, or presumed a child while the age is unconfirmed (trafficking
    guidance: presumption of minority). For a witness row as well as a loaded witness."""
    if presumed_child:
        return True
    age = age_on(date_of_birth, day)
    return age is not None and age < CHILD_AGE


class Phase(enum.Enum):
    reflection = "reflection"
    pre_trial = "pre_trial"
    trial = "trial"
    post_trial = "post_trial"
    closed = "closed"

    @property
    def label(self) -> str:
        return {
            "reflection": gettext("Reflection"),
            "pre_trial": gettext("Pre-trial"),
            "trial": gettext("Trial"),
            "post_trial": gettext("Post-trial"),
            "closed": gettext("Closed"),
        }[self.value]


class ParticipationRole(enum.Enum):
    victim_witness = "victim_witness"
    witness = "witness"

    @property
    def label(self) -> str:
        return {
            "victim_witness": gettext("Victim-witness"),
            "witness": gettext("Witness"),
        }[self.value]


class ConsentKind(enum.Enum):
    participate = "participate"  #: take part in the proceedings of a case
    share = "share"  #: share the file with a named organisation
    notify = "notify"  #: receive notifications by a channel

    @property
    def label(self) -> str:
        return {
            "participate": gettext("Take part in proceedings"),
            "share": gettext("Share with organisation"),
            "notify": gettext("Receive notifications"),
        }[self.value]


class Channel(enum.Enum):
    post = "post"
    email = "email"
    phone = "phone"
    via_ngo = "via_ngo"
    in_person = "in_person"  #: told face to face by their officer

    @property
    def label(self) -> str:
        return {
            "post": gettext("Post"),
            "email": gettext("Email"),
            "phone": gettext("Phone"),
            "via_ngo": gettext("Through NGO worker"),
            "in_person": gettext("In person"),
        }[self.value]


class NeedArea(enum.Enum):
    childcare = "childcare"
    transport = "transport"
    language = "language"
    disability_medical = "disability_medical"
    intimidation = "intimidation"
    other = "other"

    @property
    def label(self) -> str:
        return {
            "childcare": gettext("Childcare"),
            "transport": gettext("Transport"),
            "language": gettext("Language"),
            "disability_medical": gettext("Disability or medical"),
            "intimidation": gettext("Intimidation"),
            "other": gettext("Other"),
        }[self.value]


class Witness(Base):
    __tablename__ = "witnesses"
    __table_args__ = (
        #: need to know on a list of other rows (tasks, reviews) reads a witness's office from
        #: this index alone, not from its wide row (the supervisor's due list: 6.5 ms to 1)
        Index("ix_witnesses_id_organisation", "id", "organisation_id"),
    )

    id: Mapped[intpk]
    #: the prosecution office responsible for the witness file
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    #: pseudonym or reference shown on every screen instead of the name
    reference: Mapped[str] = mapped_column(String(60), unique=True)
    # Sensitive identity and contact fields: shown only to those need_to_know allows.
    # Encrypted at rest (core.crypto), each bound to its column; lengths are the forms'.
    legal_name: Mapped[str] = mapped_column(EncryptedText("witnesses.legal_name"))
    date_of_birth: Mapped[date | None] = mapped_column(EncryptedDate("witnesses.date_of_birth"))
    phone: Mapped[str | None] = mapped_column(EncryptedText("witnesses.phone"))
    email: Mapped[str | None] = mapped_column(EncryptedText("witnesses.email"))
    address: Mapped[str | None] = mapped_column(EncryptedText("witnesses.address"))
    guardian_name: Mapped[str | None] = mapped_column(EncryptedText("witnesses.guardian_name"))
    guardian_contact: Mapped[str | None] = mapped_column(
        EncryptedText("witnesses.guardian_contact")
    )
    #: keyed blind indexes of the e-mail address and phone number (``core.crypto``): finding a
    #: witness by either without decrypting every row; kept by ``set_blind_indexes``
    email_index: Mapped[str | None] = mapped_column(String(64), index=True)
    phone_index: Mapped[str | None] = mapped_column(String(64), index=True)
    # Not identifying on their own.
    gender: Mapped[str | None] = mapped_column(String(40))
    nationality: Mapped[str | None] = mapped_column(String(80))
    #: languages the witness understands, preferred first (letters use the first)
    languages: Mapped[list[str]] = mapped_column(JSON, default=list)
    needs_interpreter: Mapped[bool] = mapped_column(default=False)
    #: treated as a child until age is confirmed (trafficking guidance: presumption of minority)
    is_presumed_child: Mapped[bool] = mapped_column(default=False)
    #: calendar invites to the witness name the court, case and place only if they chose so;
    #: set only with an ``InviteDetailChoice`` (who recorded it, when, why), never for a child
    invites_full_detail: Mapped[bool] = mapped_column(default=False)
    created_dt: Mapped[datetime] = mapped_column(default=now_utc)
    updated_dt: Mapped[datetime] = mapped_column(default=now_utc, onupdate=now_utc)
    #: the personal data was removed after the retention period (``retention``): the file
    #: keeps its reference and its records, and can no longer be changed
    anonymised_dt: Mapped[datetime | None]

    organisation: Mapped[Organisation] = relationship()
    participations: Mapped[list[Participation]] = relationship(
        back_populates="witness", order_by="Participation.id"
    )

    @property
    def timezone(self) -> str:
        """The zone the file's times are shown in: that of the court of the witness's first case."""
        for participation in self.participations:
            return participation.case.court.timezone
        return "UTC"

    def age_on(self, day: date) -> int | None:
        return age_on(self.date_of_birth, day)

    def is_child_on(self, day: date) -> bool:
        """Under 18 on that day, or presumed a child while the age is unconfirmed."""
        return is_child(self.date_of_birth, self.is_presumed_child, day)


@event.listens_for(Witness, "before_insert")
@event.listens_for(Witness, "before_update")
def set_blind_indexes(_mapper, _connection, witness: Witness) -> None:
    """Keep the blind indexes of the e-mail address and phone number with their values."""
    witness.email_index = email_index(witness.email)
    witness.phone_index = phone_index(witness.phone)


class Participation(Base):
    """A witness in a case; the phase is theirs in that case, with its history."""

    __tablename__ = "participations"
    __table_args__ = (
        UniqueConstraint("witness_id", "case_id"),
        Index("ix_participations_case_phase", "case_id", "phase"),
        #: the dashboard's "reflection periods ending soon"
        Index("ix_participations_phase_reflection_end", "phase", "reflection_end_date"),
    )

    id: Mapped[intpk]
    witness_id: Mapped[int] = mapped_column(ForeignKey("witnesses.id"), index=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"))
    role: Mapped[ParticipationRole] = enum_column(ParticipationRole)
    phase: Mapped[Phase] = enum_column(Phase, default=Phase.reflection)
    #: end of the recovery and reflection period (typically 30 to 90 days)
    reflection_end_date: Mapped[date | None]
    created_dt: Mapped[datetime] = mapped_column(default=now_utc)

    witness: Mapped[Witness] = relationship(back_populates="participations")
    case: Mapped[Case] = relationship(lazy="joined")
    transitions: Mapped[list[PhaseTransition]] = relationship(
        back_populates="participation", order_by="PhaseTransition.id"
    )


class PhaseTransition(Base):
    __tablename__ = "phase_transitions"

    id: Mapped[intpk]
    participation_id: Mapped[int] = mapped_column(ForeignKey("participations.id"), index=True)
    #: None for the phase a participation starts in
    from_phase: Mapped[Phase | None] = enum_column(Phase, name="from_phase")
    to_phase: Mapped[Phase] = enum_column(Phase, name="to_phase")
    transition_dt: Mapped[datetime] = mapped_column(default=now_utc)
    actor_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    reason: Mapped[str] = mapped_column(Text)

    participation: Mapped[Participation] = relationship(back_populates="transitions")
    actor: Mapped[User] = relationship()


class Consent(Base):
    """One decision by the witness; the newest record for the same scope is the current one."""

    __tablename__ = "consents"
    __table_args__ = (
        Index("ix_consents_witness_kind", "witness_id", "kind", "is_current"),
        #: covers need to know: the witnesses sharing with one organisation, from the index alone
        Index(
            "ix_consents_shared_with",
            "organisation_id",
            "kind",
            "is_current",
            "is_granted",
            "includes_identity",
            "witness_id",
        ),
    )

    id: Mapped[intpk]
    witness_id: Mapped[int] = mapped_column(ForeignKey("witnesses.id"))
    kind: Mapped[ConsentKind] = enum_column(ConsentKind)
    #: for ``participate``: the case whose proceedings
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"))
    #: for ``share``: the organisation the file may be shared with
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    #: for ``share``: whether legal name, date of birth and contact details are shared too
    includes_identity: Mapped[bool] = mapped_column(default=False)
    #: for ``notify``: the channel
    channel: Mapped[Channel | None] = enum_column(Channel)
    is_granted: Mapped[bool]
    #: False once a later decision for the same scope replaces this one; history stays
    is_current: Mapped[bool] = mapped_column(default=True)
    recorded_dt: Mapped[datetime] = mapped_column(default=now_utc)
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    notes: Mapped[str] = mapped_column(Text, default="")

    case: Mapped[Case | None] = relationship()
    organisation: Mapped[Organisation | None] = relationship()
    recorded_by: Mapped[User] = relationship()

    @property
    def scope_label(self) -> str:
        if self.kind is ConsentKind.participate:
            return self.case.reference if self.case else "all cases"
        if self.kind is ConsentKind.share:
            org = self.organisation.name if self.organisation else "?"
            return (
                f"{org}{' (with identity and contact details)' if self.includes_identity else ''}"
            )
        return self.channel.label if self.channel else ""


class Assignment(Base):
    """An officer or NGO worker assigned to a witness; ended, never deleted."""

    __tablename__ = "assignments"
    #: covers need to know: an officer's current witnesses come from the index alone
    __table_args__ = (Index("ix_assignments_user_active", "user_id", "ended_dt", "witness_id"),)

    id: Mapped[intpk]
    witness_id: Mapped[int] = mapped_column(ForeignKey("witnesses.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    assigned_dt: Mapped[datetime] = mapped_column(default=now_utc)
    assigned_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    ended_dt: Mapped[datetime | None]

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    assigned_by: Mapped[User] = relationship(foreign_keys=[assigned_by_id])


class NeedsAssessment(Base):
    """One assessed need of a witness, with notes and the date it must be reviewed by."""

    __tablename__ = "needs_assessments"
    __table_args__ = (Index("ix_needs_assessments_open_review", "is_open", "review_date"),)

    id: Mapped[intpk]
    witness_id: Mapped[int] = mapped_column(ForeignKey("witnesses.id"), index=True)
    area: Mapped[NeedArea] = enum_column(NeedArea)
    notes: Mapped[str] = mapped_column(Text)
    review_date: Mapped[date]
    is_open: Mapped[bool] = mapped_column(default=True)
    recorded_dt: Mapped[datetime] = mapped_column(default=now_utc)
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))

    witness: Mapped[Witness] = relationship()
    recorded_by: Mapped[User] = relationship()


class InviteDetailChoice(Base):
    """A witness's informed choice of how much their own invites say, recorded by their office:
    who recorded it, when and why. The newest is in force (``Witness.invites_full_detail``);
    discreet is the default, and a child's invites are discreet whatever was chosen."""

    __tablename__ = "invite_detail_choices"
    __table_args__ = (Index("ix_invite_detail_choices_witness", "witness_id", "id"),)

    id: Mapped[intpk]
    witness_id: Mapped[int] = mapped_column(ForeignKey("witnesses.id"))
    full_detail: Mapped[bool]
    #: the witness's reasons, in their words or as the officer noted them
    reason: Mapped[str] = mapped_column(Text)
    #: the witness was told who could read a detailed invite (anyone with their phone or mail)
    informed: Mapped[bool] = mapped_column(default=False)
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    recorded_dt: Mapped[datetime] = mapped_column(default=now_utc)

    recorded_by: Mapped[User] = relationship()
