"""Forms for court rooms and their withdrawals: field checks only; the services decide."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, TextAreaField
from wtforms.validators import InputRequired, Length

from witness.core.forms import (
    EnumSelectField,
    MultiCheckboxField,
    date_field,
    line_field,
    options,
    plain_text,
    strip_filter,
    time_field,
)
from witness.rooms.models import ResourceKind

WEEKDAY_CHOICES = options(
    enumerate(
        ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"], start=1
    )
)


class ResourceForm(FlaskForm):
    name = line_field("Name", 200, required=True)
    kind = EnumSelectField("Kind", enum_cls=ResourceKind)
    location = line_field("Location", 500)
    opens_at = time_field("Opens at", "Give the opening time.")
    closes_at = time_field("Closes at", "Give the closing time.")
    open_weekdays = MultiCheckboxField("Open on", choices=WEEKDAY_CHOICES)
    is_active = BooleanField("In use", default=True)

    def values(self) -> dict:
        """What the services take, by name."""
        return dict(
            kind=self.kind.data,
            name=self.name.data,
            location=self.location.data or "",
            opens_at=self.opens_at.data,
            closes_at=self.closes_at.data,
            open_weekdays="".join(self.open_weekdays.data or []),
        )


class WithdrawalForm(FlaskForm):
    start_date = date_field("From date", "Give the first day.")
    start_time = time_field("From time", "Give the time it is withdrawn from.")
    end_date = date_field("Until date", "Give the last day.")
    end_time = time_field("Until time", "Give the time it is back in use.")
    reason = TextAreaField(
        "Reason",
        validators=[
            InputRequired(message="Say why the room is withdrawn."),
            Length(max=2000),
            plain_text,
        ],
        filters=[strip_filter],
    )
