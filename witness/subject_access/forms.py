"""Forms of the witness's own-data page: field checks only (the services check dates and what
must be said, and put the message beside the field)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import SelectField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from witness.core.forms import coerce_enum, date_field, enum_choices, optional_id, plain_text
from witness.core.i18n import lazy_gettext
from witness.subject_access.models import CorrectionOutcome


def _text(label, required=None) -> TextAreaField:
    first = InputRequired(message=required) if required else Optional()
    return TextAreaField(label, validators=[first, Length(max=2000), plain_text])


class AccessRequestForm(FlaskForm):
    received_date = date_field(
        lazy_gettext("Received on"), lazy_gettext("Give the date the request was received.")
    )
    identity_check = _text(
        lazy_gettext("How you checked the requester is the witness"),
        lazy_gettext("Say how you checked that the request comes from the witness."),
    )


class CorrectionRequestForm(FlaskForm):
    received_date = date_field(
        lazy_gettext("Received on"), lazy_gettext("Give the date the request was received.")
    )
    request = _text(
        lazy_gettext("What the witness says is wrong"),
        lazy_gettext("Say what the witness says is wrong, in their words."),
    )


class CorrectionOutcomeForm(FlaskForm):
    outcome = SelectField(
        lazy_gettext("Outcome"),
        choices=enum_choices(CorrectionOutcome),
        coerce=coerce_enum(CorrectionOutcome),
        validators=[InputRequired(message=lazy_gettext("Choose the outcome."))],
    )
    edit_event_id = SelectField(
        lazy_gettext("The edit of the file that corrected it"),
        coerce=optional_id,
        validators=[Optional()],
        validate_choice=False,
    )
    reason = _text(lazy_gettext("Reason for refusing (all or in part), as the witness is told"))
