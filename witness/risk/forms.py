"""Forms of the risk pages: field checks only (the services check the rules and say what is
wrong beside the field)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, RadioField, SelectField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from witness.core.forms import (
    EMPTY_CHOICE,
    coerce_enum,
    date_field,
    enum_choices,
    line_field,
    options,
    plain_text,
    plausible_date,
    time_field,
)
from witness.risk.instrument import INSTRUMENT_LABELS, Answer, RiskLevel, factors_of
from witness.risk.models import IncidentKind


def _text(label: str, max_len: int = 2000) -> TextAreaField:
    return TextAreaField(label, validators=[Optional(), Length(max=max_len), plain_text])


class StartForm(FlaskForm):
    instrument = SelectField(
        "Instrument", choices=options(INSTRUMENT_LABELS.items()), validators=[InputRequired()]
    )


class _AssessmentBase(FlaskForm):
    own_view = _text("The witness's own view of their safety, in their words")
    confirmed = BooleanField("I went through each answer carried over with the witness")
    override_level = SelectField(
        "Change the level (optional)",
        choices=[EMPTY_CHOICE, *enum_choices(RiskLevel)],
        coerce=lambda v: RiskLevel(v) if v else None,
        validators=[Optional()],
    )
    override_reason = _text("Why the level differs from the rule's")


def assessment_form(instrument: str, **kwargs) -> _AssessmentBase:
    """The form for one version of the instrument: an answer and a note per factor
    (``a_<key>``, ``n_<key>``)."""

    class AssessmentForm(_AssessmentBase):
        pass

    for factor in factors_of(instrument):
        setattr(
            AssessmentForm,
            f"a_{factor.key}",
            RadioField(
                factor.label,
                choices=options((a.value, a.label) for a in Answer),
                default=Answer.unknown.value,
                validators=[InputRequired(message="Choose present, absent or unknown.")],
            ),
        )
        setattr(AssessmentForm, f"n_{factor.key}", _text("Note", 2000))
    return AssessmentForm(**kwargs)


def answers_of(form, instrument: str) -> dict[str, tuple[str | None, str | None]]:
    return {
        f.key: (form[f"a_{f.key}"].data, form[f"n_{f.key}"].data) for f in factors_of(instrument)
    }


class IncidentForm(FlaskForm):
    kind = SelectField(
        "What happened",
        choices=enum_choices(IncidentKind),
        coerce=coerce_enum(IncidentKind),
        validators=[InputRequired()],
    )
    reported_by = line_field("Reported by", 200, required=True)
    day = date_field("Day", "Give the day it happened.")
    time = time_field("Time", "Give the time it happened.")
    description = TextAreaField(
        "What happened, in detail",
        validators=[InputRequired(message="Say what happened."), Length(max=2000), plain_text],
    )
    police_told = BooleanField("The police were told")
    police_reference = line_field("Police reference", 120)


class AskForm(FlaskForm):
    note = line_field("What the witness said (optional)", 200)


class ReturnForm(FlaskForm):
    return_date = DateField(
        "Return planned for",
        validators=[InputRequired(message="Give the day."), plausible_date],
        invalid_value_message="Give the date as YYYY-MM-DD.",
    )
    note = line_field("Note (optional)", 200)
