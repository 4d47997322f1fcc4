"""Forms of the letters pages: field validation only."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import DataRequired, Length

from witness.core.forms import single_line, strip_filter


class ReturnedForm(FlaskForm):
    """A letter came back: why (on the envelope, or what the post office said)."""

    reason = StringField(
        "Why it came back",
        validators=[DataRequired("Say why it came back."), Length(max=500), single_line],
        filters=[strip_filter],
    )
