"""Forms for hearings, special measures and news: field checks only; the services decide."""

from __future__ import annotations

from datetime import datetime

from flask_wtf import FlaskForm
from wtforms import DateField, RadioField, SelectField, StringField, TextAreaField
from wtforms.fields import TimeField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from witness.cases.models import HearingType
from witness.core.forms import (
    TIME_FORMATS,
    EnumSelectField,
    optional_int,
    options,
    plain_text,
    plausible_date,
    single_line,
    strip_filter,
)
from witness.core.i18n import lazy_gettext
from witness.core.time import local_to_utc
from witness.hearings.models import MeasureKind


def _reason(
    label: str = lazy_gettext("Reason"),
    message: str = lazy_gettext("Give a reason for the change."),
):
    return TextAreaField(
        label,
        validators=[DataRequired(message=message), Length(max=2000), plain_text],
        filters=[strip_filter],
    )


class _TimesForm(FlaskForm):
    """A day and a start and end time on it, in the court's timezone."""

    # InputRequired, not DataRequired: the latter would replace "not a valid date" by "required".
    day = DateField(
        lazy_gettext("Date"),
        validators=[InputRequired(message=lazy_gettext("Give the date.")), plausible_date],
        invalid_value_message=lazy_gettext("Give the date as YYYY-MM-DD."),
    )
    start = TimeField(
        lazy_gettext("Starts at"),
        format=TIME_FORMATS,
        validators=[InputRequired(message=lazy_gettext("Give the start time."))],
        invalid_value_message=lazy_gettext("Give the time as HH:MM, for example 09:30."),
    )
    end = TimeField(
        lazy_gettext("Ends at"),
        format=TIME_FORMATS,
        validators=[InputRequired(message=lazy_gettext("Give the end time."))],
        invalid_value_message=lazy_gettext("Give the time as HH:MM, for example 16:30."),
    )

    def instants(self, tz: str) -> tuple[datetime, datetime]:
        """Start and end as UTC instants; ``DomainError`` when the clocks change then."""
        return (
            local_to_utc(self.day.data, self.start.data, tz, "start"),
            local_to_utc(self.day.data, self.end.data, tz, "end"),
        )


class HearingForm(_TimesForm):
    type = EnumSelectField(lazy_gettext("Type"), enum_cls=HearingType)
    courtroom_id = SelectField(lazy_gettext("Courtroom"), coerce=optional_int)
    external_ref = StringField(
        lazy_gettext("Court listing number"),
        validators=[Optional(), Length(max=80), single_line],
        filters=[strip_filter],
    )
    notes = TextAreaField(
        lazy_gettext("Notes"), validators=[Length(max=4000), plain_text], filters=[strip_filter]
    )


class MoveHearingForm(_TimesForm):
    courtroom_id = SelectField(lazy_gettext("Courtroom"), coerce=optional_int)
    reason = _reason()


class VacateHearingForm(FlaskForm):
    reason = _reason()


class ConfirmForm(FlaskForm):
    """A button and nothing else (mark held, apply for a measure): only the CSRF token."""


class ProposeMeasureForm(FlaskForm):
    hearing_id = SelectField(
        lazy_gettext("Hearing"), coerce=optional_int, validators=[InputRequired()]
    )
    kind = EnumSelectField(lazy_gettext("Measure"), enum_cls=MeasureKind)


class DecideMeasureForm(FlaskForm):
    decision = RadioField(
        lazy_gettext("The court's decision"),
        choices=options(
            [("granted", lazy_gettext("Granted")), ("refused", lazy_gettext("Refused"))]
        ),
        validators=[InputRequired(message=lazy_gettext("Choose granted or refused."))],
    )
    note = TextAreaField(
        lazy_gettext("Note"), validators=[Length(max=2000), plain_text], filters=[strip_filter]
    )


class WithdrawMeasureForm(FlaskForm):
    note = _reason(
        lazy_gettext("Why it is withdrawn"), lazy_gettext("Say why the measure is withdrawn.")
    )


class ToldForm(FlaskForm):
    note = _reason(
        lazy_gettext("How they were told"),
        lazy_gettext("Say how the witness was told (e.g. by phone)."),
    )
