"""Forms of the letters pages: field validation only."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import HiddenField, StringField
from wtforms.validators import DataRequired, Length

from witness.core.forms import single_line, strip_filter
from witness.core.i18n import lazy_gettext


class ReturnedForm(FlaskForm):
    """A letter came back: why (on the envelope, or what the post office said)."""

    reason = StringField(
        lazy_gettext("Why it came back"),
        validators=[
            DataRequired(lazy_gettext("Say why it came back.")),
            Length(max=500),
            single_line,
        ],
        filters=[strip_filter],
    )


class ReviewForm(FlaskForm):
    """A person who reads the language checked one kind's translation."""

    kind = HiddenField(validators=[DataRequired(), Length(max=40)])
    language = HiddenField(validators=[DataRequired(), Length(max=20)])
    note = StringField(
        lazy_gettext("Who read it"),
        validators=[
            DataRequired(lazy_gettext("Say who read it and how they know the language.")),
            Length(max=500),
            single_line,
        ],
        filters=[strip_filter],
    )


class RevokeForm(FlaskForm):
    """Withdraw a review: why."""

    reason = StringField(
        lazy_gettext("Why"),
        validators=[
            DataRequired(lazy_gettext("Say why the review is withdrawn.")),
            Length(max=500),
            single_line,
        ],
        filters=[strip_filter],
    )
