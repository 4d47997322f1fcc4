"""Forms for booking and changing appointments, and for the office's interpreters.

Field checks only: who may book whom, clashes, opening hours and the like are the services'.
Selects whose options depend on the witness take ``validate_choice=False`` so a forged or stale
id reaches the service, which says exactly what is wrong with it.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from flask_wtf import FlaskForm
from wtforms import EmailField, HiddenField, SelectField, SelectMultipleField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Email, InputRequired, Length, NumberRange, Optional

from witness.cases.models import Hearing
from witness.core.forms import (
    EMPTY_CHOICE,
    EnumSelectField,
    MultiCheckboxField,
    WholeNumberField,
    date_field,
    line_field,
    optional_id,
    options,
    plain_text,
    record_id,
    strip_filter,
    time_field,
)
from witness.core.i18n import format_when, lazy_gettext, reader
from witness.core.time import local_to_utc
from witness.scheduling.conflicts import MAX_TRAVEL_MINUTES
from witness.scheduling.models import Appointment, AppointmentKind
from witness.scheduling.queries import BookingOptions
from witness.scheduling.services import Booking


def hearing_label(hearing: Hearing) -> str:
    """A hearing as the booking form offers it: type, case, local start and court."""
    zone = ZoneInfo(hearing.court.timezone)
    start = hearing.start_dt.astimezone(zone)
    when = format_when(start, "%a %d %b %Y %H:%M", reader())
    return (
        f"{hearing.type.label}, {hearing.case.reference} — {when} "
        f"{start.tzname()}, {hearing.court.name}"
    )


class BookingForm(FlaskForm):
    kind = EnumSelectField(lazy_gettext("Appointment"), enum_cls=AppointmentKind)
    hearing_id = SelectField(
        lazy_gettext("For the hearing"),
        coerce=optional_id,
        validate_choice=False,
        validators=[Optional()],
    )
    date = date_field(lazy_gettext("Date"), lazy_gettext("Give the date."))
    start = time_field(lazy_gettext("From"), lazy_gettext("Give the start time."))
    end = time_field(lazy_gettext("Until"), lazy_gettext("Give the end time."))
    travel_minutes = WholeNumberField(
        lazy_gettext("Travel time each way (minutes)"),
        default=0,
        validators=[
            Optional(),
            NumberRange(
                min=0,
                max=MAX_TRAVEL_MINUTES,
                message=f"Give a travel time between 0 and {MAX_TRAVEL_MINUTES} minutes.",
            ),
        ],
    )
    staff_ids = SelectMultipleField(
        lazy_gettext("Staff attending"),
        coerce=record_id,
        validate_choice=False,
        validators=[Optional()],
    )
    #: other witnesses of the case accompanied in the same booking (``scheduling.groups``)
    other_witness_ids = MultiCheckboxField(
        lazy_gettext("Also accompany, in this booking"),
        coerce=record_id,
        validate_choice=False,
        validators=[Optional()],
    )
    resource_id = SelectField(
        lazy_gettext("Room or site"),
        coerce=optional_id,
        validate_choice=False,
        validators=[Optional()],
    )
    address = line_field(lazy_gettext("Address (when no room is booked)"), 500)
    interpreter_id = SelectField(
        lazy_gettext("Interpreter"),
        coerce=optional_id,
        validate_choice=False,
        validators=[Optional()],
    )
    language = line_field(lazy_gettext("Language"), 80)
    witness_meeting_point = line_field(lazy_gettext("Meeting point on the witness's invite"), 200)
    notes = TextAreaField(
        lazy_gettext("Notes"),
        validators=[Optional(), Length(max=4000), plain_text],
        filters=[strip_filter],
    )
    #: the risk review a risk review meeting serves (``risk.meetings`` checks it)
    risk_review_id = HiddenField(filters=[strip_filter])

    def review_id(self) -> int | None:
        """The risk review asked for; anything but plain digits is none (the first due)."""
        value = self.risk_review_id.data or ""
        return int(value) if value.isascii() and value.isdigit() and len(value) < 10 else None

    def offer(self, choices: BookingOptions) -> None:
        """Offer the staff, rooms, hearings and interpreters of ``choices``."""
        self.staff_ids.choices = options(
            (u.id, f"{u.name} ({u.role.label}, {u.organisation.name})") for u in choices.staff
        )
        self.resource_id.choices = [
            SelectChoice("", "— none: give an address —"),
            *options(
                (r.id, f"{r.name} ({r.kind.label}, {r.court.name})") for r in choices.resources
            ),
        ]
        self.hearing_id.choices = [
            EMPTY_CHOICE,
            *options((h.id, hearing_label(h)) for h in choices.hearings),
        ]
        self.interpreter_id.choices = [
            EMPTY_CHOICE,
            *options((i.id, f"{i.name} ({', '.join(i.languages)})") for i in choices.interpreters),
        ]
        self.other_witness_ids.choices = options(
            (w.id, f"{w.reference} ({w.legal_name})") for w in choices.companions
        )

    def booking(self, tz: str, case_id: int | None) -> Booking:
        """What was asked for, its times read in ``tz`` (``DomainError`` on a time the clocks
        skip or repeat there)."""
        return Booking(
            kind=self.kind.data,
            start=local_to_utc(self.date.data, self.start.data, tz, "start"),
            end=local_to_utc(self.date.data, self.end.data, tz, "end"),
            staff_ids=list(self.staff_ids.data or []),
            travel_minutes=self.travel_minutes.data or 0,
            resource_id=self.resource_id.data,
            address=self.address.data or "",
            interpreter_id=self.interpreter_id.data,
            language=self.language.data or None,
            notes=self.notes.data or "",
            hearing_id=self.hearing_id.data,
            case_id=case_id,
            witness_meeting_point=self.witness_meeting_point.data or "",
            risk_review_id=self.review_id(),
            other_witness_ids=list(self.other_witness_ids.data or []),
        )


class RescheduleForm(BookingForm):
    reason = TextAreaField(
        lazy_gettext("Reason for the change"),
        validators=[
            InputRequired(message=lazy_gettext("Give a reason for the change.")),
            Length(max=2000),
            plain_text,
        ],
        filters=[strip_filter],
    )

    def fill_from(self, appointment: Appointment) -> None:
        """Start from what the appointment is now, its times on its own zone's clock."""
        zone = ZoneInfo(appointment.timezone)
        start, end = appointment.start_dt.astimezone(zone), appointment.end_dt.astimezone(zone)
        self.kind.data = appointment.kind
        self.hearing_id.data = appointment.hearing_id
        self.date.data = start.date()
        self.start.data, self.end.data = start.time(), end.time()
        self.travel_minutes.data = appointment.travel_minutes
        self.staff_ids.data = [link.user_id for link in appointment.staff_links]
        self.resource_id.data = appointment.resource_id
        self.address.data = appointment.address
        self.interpreter_id.data = appointment.interpreter_id
        self.language.data = appointment.language
        self.notes.data = appointment.notes
        self.witness_meeting_point.data = appointment.witness_meeting_point
        self.risk_review_id.data = str(appointment.risk_review_id or "")


class CancelForm(FlaskForm):
    reason = TextAreaField(
        lazy_gettext("Reason for cancelling"),
        validators=[
            InputRequired(message=lazy_gettext("Give a reason for cancelling.")),
            Length(max=2000),
            plain_text,
        ],
        filters=[strip_filter],
    )


class CompleteForm(FlaskForm):
    note = TextAreaField(
        lazy_gettext("Note (optional)"),
        validators=[Optional(), Length(max=2000), plain_text],
        filters=[strip_filter],
    )


class InterpreterForm(FlaskForm):
    name = line_field(lazy_gettext("Name"), 200, required=True)
    languages = line_field(lazy_gettext("Languages (separated by commas)"), 500, required=True)
    email = EmailField(
        lazy_gettext("E-mail (for invites)"),
        validators=[Optional(), Email(check_deliverability=False), Length(max=254)],
        filters=[strip_filter],
    )

    def language_list(self) -> list[str]:
        return [s.strip() for s in (self.languages.data or "").split(",") if s.strip()]
