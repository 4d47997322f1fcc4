"""Forms of the retention page: each asks only for a reason (the services say what else is
wrong)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import TextAreaField
from wtforms.validators import InputRequired, Length

from witness.core.forms import plain_text
from witness.core.i18n import lazy_gettext


def _reason(label) -> TextAreaField:
    return TextAreaField(
        label,
        validators=[
            InputRequired(message=lazy_gettext("Give a reason.")),
            Length(max=2000),
            plain_text,
        ],
    )


class CloseForm(FlaskForm):
    reason = _reason(lazy_gettext("Why the file is closed"))


class ReopenForm(FlaskForm):
    reason = _reason(lazy_gettext("Why the file is reopened"))


class HoldForm(FlaskForm):
    reason = _reason(lazy_gettext("Why the file is held (an appeal, a civil claim, an inquiry)"))


class LiftForm(FlaskForm):
    reason = _reason(lazy_gettext("Why the hold is lifted"))
