"""Forms for court rooms and their withdrawals: field checks only; the services decide."""

from __future__ import annotations

from babel import Locale
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
from witness.core.i18n import LazyString, lazy_gettext, reader
from witness.rooms.models import ResourceKind

WEEKDAY_CHOICES = options(
    (n, LazyString(lambda i=n: Locale.parse(reader()).days["format"]["wide"][i - 1]))
    for n in range(1, 8)
)  # each day named in the reader's language when the form is shown


class ResourceForm(FlaskForm):
    name = line_field(lazy_gettext("Name"), 200, required=True)
    kind = EnumSelectField(lazy_gettext("Kind"), enum_cls=ResourceKind)
    location = line_field(lazy_gettext("Location"), 500)
    opens_at = time_field(lazy_gettext("Opens at"), lazy_gettext("Give the opening time."))
    closes_at = time_field(lazy_gettext("Closes at"), lazy_gettext("Give the closing time."))
    open_weekdays = MultiCheckboxField(lazy_gettext("Open on"), choices=WEEKDAY_CHOICES)
    is_active = BooleanField(lazy_gettext("In use"), default=True)

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
    start_date = date_field(lazy_gettext("From date"), lazy_gettext("Give the first day."))
    start_time = time_field(
        lazy_gettext("From time"), lazy_gettext("Give the time it is withdrawn from.")
    )
    end_date = date_field(lazy_gettext("Until date"), lazy_gettext("Give the last day."))
    end_time = time_field(
        lazy_gettext("Until time"), lazy_gettext("Give the time it is back in use.")
    )
    reason = TextAreaField(
        lazy_gettext("Reason"),
        validators=[
            InputRequired(message=lazy_gettext("Say why the room is withdrawn.")),
            Length(max=2000),
            plain_text,
        ],
        filters=[strip_filter],
    )
