"""Court resources, interpreters, appointments with their staff and slots, special measures."""

from __future__ import annotations

import enum
import uuid
from datetime import datetime, time

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from witness.auth.models import Organisation, User
from witness.cases.models import Case, Court, Hearing
from witness.core.time import now_utc
from witness.db import Base, enum_column, intpk, str200
from witness.people.models import Witness


class ResourceKind(enum.Enum):
    courtroom = "courtroom"
    video_link_suite = "video_link_suite"
    #: a room away from the court from which a witness gives evidence by live link
    remote_site = "remote_site"
    #: a waiting room apart from the defendant's family and supporters
    waiting_room = "waiting_room"

    @property
    def label(self) -> str:
        return {
            "video_link_suite": "Video-link suite",
            "remote_site": "Remote witness site",
            "waiting_room": "Separate waiting room",
        }.get(self.value, self.value.capitalize())


class Resource(Base):
    """A room of a court, or a remote witness site that belongs to it."""

    __tablename__ = "resources"
    __table_args__ = (UniqueConstraint("court_id", "name"),)

    id: Mapped[intpk]
    court_id: Mapped[int] = mapped_column(ForeignKey("courts.id"), index=True)
    kind: Mapped[ResourceKind] = enum_column(ResourceKind)
    name: Mapped[str200]
    #: where a remote site is: shown only to staff who book it or attend there
    location: Mapped[str] = mapped_column(String(500), default="")
    #: opening hours in the court's timezone, the same on each open weekday
    opens_at: Mapped[time] = mapped_column(default=time(8, 0))
    closes_at: Mapped[time] = mapped_column(default=time(18, 0))
    #: ISO weekdays it is open, Monday = 1 ("12345" = Monday to Friday)
    open_weekdays: Mapped[str] = mapped_column(String(7), default="12345")
    is_active: Mapped[bool] = mapped_column(default=True)

    court: Mapped[Court] = relationship()
    withdrawals: Mapped[list[ResourceWithdrawal]] = relationship(
        back_populates="resource", order_by="ResourceWithdrawal.start_dt"
    )

    @property
    def is_sensitive(self) -> bool:
        return self.kind is ResourceKind.remote_site


class ResourceWithdrawal(Base):
    """A period a resource may not be booked (repairs, another use)."""

    __tablename__ = "resource_withdrawals"
    __table_args__ = (Index("ix_resource_withdrawals_resource_start", "resource_id", "start_dt"),)

    id: Mapped[intpk]
    resource_id: Mapped[int] = mapped_column(ForeignKey("resources.id"))
    start_dt: Mapped[datetime]
    end_dt: Mapped[datetime]
    reason: Mapped[str] = mapped_column(Text)
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    recorded_dt: Mapped[datetime] = mapped_column(default=now_utc)

    resource: Mapped[Resource] = relationship(back_populates="withdrawals")


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
            "accompaniment": "Accompaniment to a hearing",
            "familiarisation": "Court familiarisation visit",
            "video_link": "Video-link testimony session",
            "pre_trial_meeting": "Pre-trial meeting or interview",
            "risk_review": "Risk review meeting",
            "counselling": "Counselling",
        }[self.value]

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
        return self.value.capitalize()

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
    """A scheduled support event for a witness."""

    __tablename__ = "appointments"
    __table_args__ = (
        Index("ix_appointments_witness_start", "witness_id", "start_dt"),
        Index("ix_appointments_resource_start", "resource_id", "start_dt"),
        Index("ix_appointments_hearing", "hearing_id"),
        #: the few flagged for rescheduling, for the dashboard
        Index(
            "ix_appointments_needs_reschedule",
            "id",
            postgresql_where=text("needs_reschedule"),
            sqlite_where=text("needs_reschedule"),
        ),
    )

    id: Mapped[intpk]
    #: the office responsible (the witness's), whose staff manage the appointment
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    witness_id: Mapped[int] = mapped_column(ForeignKey("witnesses.id"))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), index=True)
    #: the hearing it serves; moving the hearing flags this appointment
    hearing_id: Mapped[int | None] = mapped_column(ForeignKey("hearings.id"))
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
    address: Mapped[str] = mapped_column(String(500), default="")
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


class MeasureKind(enum.Enum):
    video_link = "video_link"
    screens = "screens"
    evidence_in_private = "evidence_in_private"
    support_person = "support_person"
    pre_recorded_evidence_in_chief = "pre_recorded_evidence_in_chief"
    pre_recorded_cross_examination = "pre_recorded_cross_examination"
    intermediary = "intermediary"
    communication_aids = "communication_aids"
    removal_of_wigs_and_gowns = "removal_of_wigs_and_gowns"
    interpreter = "interpreter"

    @property
    def label(self) -> str:
        return {
            "video_link": "Video or live link",
            "pre_recorded_evidence_in_chief": "Pre-recorded evidence-in-chief",
            "pre_recorded_cross_examination": "Pre-recorded cross-examination",
            "support_person": "Support person present",
        }.get(self.value, self.value.replace("_", " ").capitalize())


class MeasureStatus(enum.Enum):
    proposed = "proposed"
    applied = "applied"
    granted = "granted"
    refused = "refused"
    withdrawn = "withdrawn"

    @property
    def label(self) -> str:
        return self.value.capitalize()


class SpecialMeasure(Base):
    """A protective measure for one witness at one hearing, proposal to the court's decision."""

    __tablename__ = "special_measures"
    __table_args__ = (UniqueConstraint("witness_id", "hearing_id", "kind"),)

    id: Mapped[intpk]
    witness_id: Mapped[int] = mapped_column(ForeignKey("witnesses.id"), index=True)
    hearing_id: Mapped[int] = mapped_column(ForeignKey("hearings.id"), index=True)
    kind: Mapped[MeasureKind] = enum_column(MeasureKind)
    status: Mapped[MeasureStatus] = enum_column(MeasureStatus, default=MeasureStatus.proposed)
    #: proposed by the system because the witness is a child or a trafficking complainant
    is_standard: Mapped[bool] = mapped_column(default=False)
    proposed_dt: Mapped[datetime] = mapped_column(default=now_utc)
    applied_dt: Mapped[datetime | None]
    decided_dt: Mapped[datetime | None]
    decision_note: Mapped[str] = mapped_column(Text, default="")
    proposed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    witness: Mapped[Witness] = relationship()
    hearing: Mapped[Hearing] = relationship()
