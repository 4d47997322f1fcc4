"""Interpreters, appointments with their staff, and the slots an appointment takes."""

from __future__ import annotations

import enum
import uuid
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from witness.auth.models import Organisation, User
from witness.cases.models import Case, Hearing
from witness.core.encrypted import EncryptedText
from witness.core.i18n import gettext
from witness.core.time import now_utc
from witness.db import Base, enum_column, intpk, str200
from witness.people.models import Witness
from witness.rooms.models import Resource


class Interpreter(Base):
    """An interpreter an office books; not a user of the system."""

    __tablename__ = "interpreters"

    id: Mapped[intpk]
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    name: Mapped[str200]
    #: languages interpreted, as the witness file names them
    languages: Mapped[list[str]] = mapped_column(JSON, default=list)
    email: Mapped[str | None] = mapped_column(String(254))
    is_active: Mapped[bool] = mapped_column(default=True)

    organisation: Mapped[Organisation] = relationship()


class AppointmentKind(enum.Enum):
    accompaniment = "accompaniment"  #: going to a hearing with the witness
    familiarisation = "familiarisation"  #: a visit to the court before the trial
    video_link = "video_link"  #: giving evidence by video link from a suite or remote site
    pre_trial_meeting = "pre_trial_meeting"  #: a meeting or interview before trial
    risk_review = "risk_review"
    counselling = "counselling"

    @property
    def label(self) -> str:
        return {
            "accompaniment": gettext("Accompaniment to a hearing"),
            "familiarisation": gettext("Court familiarisation visit"),
            "video_link": gettext("Video-link testimony session"),
            "pre_trial_meeting": gettext("Pre-trial meeting or interview"),
            "risk_review": gettext("Risk review meeting"),
            "counselling": gettext("Counselling"),
        }[self.value]

    @property
    def witness_label(self) -> str:
        """What the witness's copy calls it when they chose full detail: the label, except that
        a risk review is never named as one where others may read the witness's calendar."""
        if self is AppointmentKind.risk_review:
            return self.discreet_label
        return self.label

    @property
    def discreet_label(self) -> str:
        """What the witness's own calendar calls it: nothing about a court or a case."""
        return {
            "accompaniment": "Appointment with your support worker",
            "familiarisation": "Visit with your support worker",
            "video_link": "Appointment with your support worker",
            "pre_trial_meeting": "Meeting",
            "risk_review": "Meeting with your support worker",
            "counselling": "Counselling",
        }[self.value]


class AppointmentStatus(enum.Enum):
    scheduled = "scheduled"
    confirmed = "confirmed"
    cancelled = "cancelled"
    completed = "completed"

    @property
    def label(self) -> str:
        return {
            "scheduled": gettext("Scheduled"),
            "confirmed": gettext("Confirmed"),
            "cancelled": gettext("Cancelled"),
            "completed": gettext("Completed"),
        }[self.value]

    @property
    def is_active(self) -> bool:
        """Still takes up people's and rooms' time."""
        return self in (AppointmentStatus.scheduled, AppointmentStatus.confirmed)


def _new_uid() -> str:
    # A bare random UUID, no domain: RFC 7986 5.3 asks that a UID name no host or domain, and
    # the witness's copy must not name the product (older appointments keep their UID, since
    # changing it would duplicate the event in every calendar that holds it).
    return str(uuid.uuid4())


class Appointment(Base):
    """A scheduled support event for a witness.

    Several witnesses accompanied together (one officer, one interpreter, one trip) are one
    booking: one appointment per witness, all with the ``group_id`` of the first. Each row stays
    about one witness, so need to know, invites and every reader of ``witness_id`` work per
    witness as before, while the double-booking check counts the group's staff, interpreter and
    room once (``scheduling.conflicts``).
    """

    __tablename__ = "appointments"
    __table_args__ = (
        Index("ix_appointments_witness_start", "witness_id", "start_dt"),
        #: a case's appointments, and its next one from a given instant (dashboard's My cases)
        Index("ix_appointments_case_start", "case_id", "start_dt"),
        Index("ix_appointments_resource_start", "resource_id", "start_dt"),
        Index("ix_appointments_hearing", "hearing_id"),
        Index("ix_appointments_group", "group_id"),
        #: the few flagged for rescheduling, for the dashboard
        Index(
            "ix_appointments_needs_reschedule",
            "id",
            postgresql_where=text("needs_reschedule"),
            sqlite_where=text("needs_reschedule"),
        ),
        # partial: nearly every appointment has no risk review, and SQLite's statistics count
        # those NULLs as one value, so a full index looks useless to its planner (a scan of
        # every appointment on each page of the risk lists)
        Index(
            "ix_appointments_risk_review_id",
            "risk_review_id",
            postgresql_where=text("risk_review_id IS NOT NULL"),
            sqlite_where=text("risk_review_id IS NOT NULL"),
        ),
    )

    id: Mapped[intpk]
    #: the office responsible (the witness's), whose staff manage the appointment
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    witness_id: Mapped[int] = mapped_column(ForeignKey("witnesses.id"))
    #: the booking it belongs to: the id of the booking's first appointment (its own when the
    #: witness is accompanied alone; None on rows written before bookings had groups)
    group_id: Mapped[int | None] = mapped_column(ForeignKey("appointments.id"))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"))
    #: the hearing it serves; moving the hearing flags this appointment
    hearing_id: Mapped[int | None] = mapped_column(ForeignKey("hearings.id"))
    #: the risk review a risk review meeting serves (``risk.meetings``); completing the
    #: meeting opens the reassessment
    risk_review_id: Mapped[int | None] = mapped_column(ForeignKey("risk_reviews.id"))
    kind: Mapped[AppointmentKind] = enum_column(AppointmentKind)
    status: Mapped[AppointmentStatus] = enum_column(
        AppointmentStatus, default=AppointmentStatus.scheduled
    )
    start_dt: Mapped[datetime]
    end_dt: Mapped[datetime]
    #: minutes to get there and back: staff, interpreter and witness are blocked this long
    #: before the start and after the end
    travel_minutes: Mapped[int] = mapped_column(default=0)
    resource_id: Mapped[int | None] = mapped_column(ForeignKey("resources.id"))
    #: where it happens when no resource is booked (a shelter, an office)
    address: Mapped[str] = mapped_column(EncryptedText("appointments.address"), default="")
    interpreter_id: Mapped[int | None] = mapped_column(ForeignKey("interpreters.id"))
    language: Mapped[str | None] = mapped_column(String(80))
    notes: Mapped[str] = mapped_column(Text, default="")
    #: the place the witness's discreet invite gives (a meeting point the officer chose for
    #: it); empty: a neutral "meeting point agreed with your support worker"
    witness_meeting_point: Mapped[str] = mapped_column(String(200), default="")
    #: set when the hearing it serves moved; cleared when it is rescheduled or confirmed
    needs_reschedule: Mapped[bool] = mapped_column(default=False)
    status_reason: Mapped[str] = mapped_column(Text, default="")
    #: iCalendar identity: the UID never changes, SEQUENCE rises on every change
    ical_uid: Mapped[str] = mapped_column(String(80), unique=True, default=_new_uid)
    ical_sequence: Mapped[int] = mapped_column(default=0)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_dt: Mapped[datetime] = mapped_column(default=now_utc)
    updated_dt: Mapped[datetime] = mapped_column(default=now_utc, onupdate=now_utc)

    witness: Mapped[Witness] = relationship()
    case: Mapped[Case | None] = relationship()
    hearing: Mapped[Hearing | None] = relationship()
    resource: Mapped[Resource | None] = relationship()
    interpreter: Mapped[Interpreter | None] = relationship()
    created_by: Mapped[User] = relationship()
    staff_links: Mapped[list[AppointmentStaff]] = relationship(
        back_populates="appointment",
        cascade="all, delete-orphan",
        order_by="AppointmentStaff.user_id",
    )

    @property
    def booking_id(self) -> int:
        """The booking (group) this appointment is part of."""
        return self.group_id or self.id

    @property
    def staff(self) -> list[User]:
        return [link.user for link in self.staff_links]

    @property
    def timezone(self) -> str:
        if self.resource is not None:
            return self.resource.court.timezone
        if self.hearing is not None:
            return self.hearing.court.timezone
        if self.case is not None:
            return self.case.court.timezone
        return self.witness.timezone


class AppointmentStaff(Base):
    """A member of staff (prosecution office or NGO) attending an appointment."""

    __tablename__ = "appointment_staff"
    __table_args__ = (Index("ix_appointment_staff_user", "user_id", "appointment_id"),)

    appointment_id: Mapped[int] = mapped_column(ForeignKey("appointments.id"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)

    appointment: Mapped[Appointment] = relationship(back_populates="staff_links")
    user: Mapped[User] = relationship()


class AppointmentSlot(Base):
    """The time an active appointment takes from one person or room, buffers included.

    One row per subject ("user:7", "witness:3", "interpreter:2", "resource:5"), so the
    double-booking check is one range read on one index whoever the subjects are.
    """

    __tablename__ = "appointment_slots"
    __table_args__ = (
        Index(
            "ix_appointment_slots_subject_start", "subject", "blocked_start_dt", "blocked_end_dt"
        ),
    )

    id: Mapped[intpk]
    appointment_id: Mapped[int] = mapped_column(ForeignKey("appointments.id"), index=True)
    subject: Mapped[str] = mapped_column(String(40))
    blocked_start_dt: Mapped[datetime]
    blocked_end_dt: Mapped[datetime]

    appointment: Mapped[Appointment] = relationship()
