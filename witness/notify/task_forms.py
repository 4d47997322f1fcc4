"""The task page's forms: an attempt to tell the witness in person or through their NGO, and a
supervisor's cancellation with its reason. Field validation only."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import SelectField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from witness.core.forms import coerce_enum, lazy_label, options, plain_text, strip_filter
from witness.core.i18n import lazy_gettext
from witness.notify.models import AttemptOutcome
from witness.people.models import Channel

CHANNEL_CHOICES = options((c.value, lazy_label(c)) for c in (Channel.in_person, Channel.via_ngo))
OUTCOME_CHOICES = options(
    [
        (AttemptOutcome.told_in_person.value, lazy_gettext("Told in person")),
        (AttemptOutcome.told_via_ngo.value, lazy_gettext("Told by their NGO worker")),
        (AttemptOutcome.failed.value, lazy_gettext("Could not tell them (nothing disclosed)")),
    ]
)


class AttemptForm(FlaskForm):
    channel = SelectField(lazy_gettext("How"), choices=CHANNEL_CHOICES, coerce=coerce_enum(Channel))
    outcome = SelectField(
        lazy_gettext("What happened"), choices=OUTCOME_CHOICES, coerce=coerce_enum(AttemptOutcome)
    )
    note = TextAreaField(
        lazy_gettext("Note (optional)"),
        validators=[Optional(), Length(max=2000), plain_text],
        filters=[strip_filter],
    )

    def values(self) -> dict:
        return {"channel": self.channel.data, "outcome": self.outcome.data, "note": self.note.data}


class CancelTaskForm(FlaskForm):
    reason = TextAreaField(
        lazy_gettext("Why this witness need not be told"),
        validators=[
            InputRequired(message=lazy_gettext("Say why this witness need not be told.")),
            Length(max=500),
            plain_text,
        ],
        filters=[strip_filter],
    )
