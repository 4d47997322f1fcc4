"""Forms for booking appointments, court rooms, their withdrawals, and interpreters.

Field checks only: who may book whom, clashes, opening hours and the like are the services'.
Selects whose options depend on the witness take ``validate_choice=False`` so a forged or stale
id reaches the service, which says exactly what is wrong with it.
"""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import Email, InputRequired, Length, NumberRange, Optional

from witness.core.forms import (
    EnumSelectField,
    MultiCheckboxField,
    WholeNumberField,
    optional_id,
    options,
    plain_text,
    plausible_date,
    record_id,
    single_line,
    strip_filter,
)
from witness.scheduling.models import AppointmentKind, ResourceKind
from witness.scheduling.services import MAX_TRAVEL_MINUTES

TIME_FORMATS = ["%H:%M", "%H:%M:%S"]  # browsers send seconds when a step asks for them
WEEKDAY_CHOICES = options(
    enumerate(
        ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"], start=1
    )
)


def _line(label, max_len, required=False, **kwargs):
    checks = [InputRequired() if required else Optional(), Length(max=max_len), single_line]
    return StringField(label, validators=checks, filters=[strip_filter], **kwargs)


def _date(label, message):
    return DateField(
        label,
        validators=[InputRequired(message=message), plausible_date],
        invalid_value_message="Give the date as YYYY-MM-DD.",
    )


def _time(label, message):
    return TimeField(
        label,
        format=TIME_FORMATS,
        validators=[InputRequired(message=message)],
        invalid_value_message="Give the time as HH:MM (24-hour clock).",
    )


class BookingForm(FlaskForm):
    kind = EnumSelectField("Appointment", enum_cls=AppointmentKind)
    hearing_id = SelectField(
        "For the hearing", coerce=optional_id, validate_choice=False, validators=[Optional()]
    )
    date = _date("Date", "Give the date.")
    start = _time("From", "Give the start time.")
    end = _time("Until", "Give the end time.")
    travel_minutes = WholeNumberField(
        "Travel time each way (minutes)",
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
        "Staff attending", coerce=record_id, validate_choice=False, validators=[Optional()]
    )
    resource_id = SelectField(
        "Room or site", coerce=optional_id, validate_choice=False, validators=[Optional()]
    )
    address = _line("Address (when no room is booked)", 500)
    interpreter_id = SelectField(
        "Interpreter", coerce=optional_id, validate_choice=False, validators=[Optional()]
    )
    language = _line("Language", 80)
    witness_meeting_point = _line("Meeting point on the witness's invite", 200)
    notes = TextAreaField(
        "Notes", validators=[Optional(), Length(max=4000), plain_text], filters=[strip_filter]
    )


class RescheduleForm(BookingForm):
    reason = TextAreaField(
        "Reason for the change",
        validators=[
            InputRequired(message="Give a reason for the change."),
            Length(max=2000),
            plain_text,
        ],
        filters=[strip_filter],
    )


class CancelForm(FlaskForm):
    reason = TextAreaField(
        "Reason for cancelling",
        validators=[
            InputRequired(message="Give a reason for cancelling."),
            Length(max=2000),
            plain_text,
        ],
        filters=[strip_filter],
    )


class CompleteForm(FlaskForm):
    note = TextAreaField(
        "Note (optional)",
        validators=[Optional(), Length(max=2000), plain_text],
        filters=[strip_filter],
    )


class ResourceForm(FlaskForm):
    name = _line("Name", 200, required=True)
    kind = EnumSelectField("Kind", enum_cls=ResourceKind)
    location = _line("Location", 500)
    opens_at = _time("Opens at", "Give the opening time.")
    closes_at = _time("Closes at", "Give the closing time.")
    open_weekdays = MultiCheckboxField("Open on", choices=WEEKDAY_CHOICES)
    is_active = BooleanField("In use", default=True)


class WithdrawalForm(FlaskForm):
    start_date = _date("From date", "Give the first day.")
    start_time = _time("From time", "Give the time it is withdrawn from.")
    end_date = _date("Until date", "Give the last day.")
    end_time = _time("Until time", "Give the time it is back in use.")
    reason = TextAreaField(
        "Reason",
        validators=[
            InputRequired(message="Say why the room is withdrawn."),
            Length(max=2000),
            plain_text,
        ],
        filters=[strip_filter],
    )


class InterpreterForm(FlaskForm):
    name = _line("Name", 200, required=True)
    languages = _line("Languages (separated by commas)", 500, required=True)
    email = EmailField(
        "E-mail (for invites)",
        validators=[Optional(), Email(check_deliverability=False), Length(max=254)],
        filters=[strip_filter],
    )

    def language_list(self) -> list[str]:
        return [s.strip() for s in (self.languages.data or "").split(",") if s.strip()]
