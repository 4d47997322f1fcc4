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
from witness.core.i18n import lazy_gettext
from witness.risk.instrument import INSTRUMENT_LABELS, Answer, RiskLevel, factors_of
from witness.risk.models import IncidentKind


def _text(label: str, max_len: int = 2000) -> TextAreaField:
    return TextAreaField(label, validators=[Optional(), Length(max=max_len), plain_text])


class StartForm(FlaskForm):
    instrument = SelectField(
        lazy_gettext("Instrument"),
        choices=options(INSTRUMENT_LABELS.items()),
        validators=[InputRequired()],
    )


class _AssessmentBase(FlaskForm):
    own_view = _text(lazy_gettext("The witness's own view of their safety, in their words"))
    confirmed = BooleanField(
        lazy_gettext("I went through each answer carried over with the witness")
    )
    override_level = SelectField(
        lazy_gettext("Change the level (optional)"),
        choices=[EMPTY_CHOICE, *enum_choices(RiskLevel)],
        coerce=lambda v: RiskLevel(v) if v else None,
        validators=[Optional()],
    )
    override_reason = _text(lazy_gettext("Why the level differs from the rule's"))


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
                validators=[
                    InputRequired(message=lazy_gettext("Choose present, absent or unknown."))
                ],
            ),
        )
        setattr(AssessmentForm, f"n_{factor.key}", _text(lazy_gettext("Note"), 2000))
    return AssessmentForm(**kwargs)


def answers_of(form, instrument: str) -> dict[str, tuple[str | None, str | None]]:
    return {
        f.key: (form[f"a_{f.key}"].data, form[f"n_{f.key}"].data) for f in factors_of(instrument)
    }


class IncidentForm(FlaskForm):
    kind = SelectField(
        lazy_gettext("What happened"),
        choices=enum_choices(IncidentKind),
        coerce=coerce_enum(IncidentKind),
        validators=[InputRequired()],
    )
    reported_by = line_field(lazy_gettext("Reported by"), 200, required=True)
    day = date_field(lazy_gettext("Day"), lazy_gettext("Give the day it happened."))
    time = time_field(lazy_gettext("Time"), lazy_gettext("Give the time it happened."))
    description = TextAreaField(
        lazy_gettext("What happened, in detail"),
        validators=[
            InputRequired(message=lazy_gettext("Say what happened.")),
            Length(max=2000),
            plain_text,
        ],
    )
    police_told = BooleanField(lazy_gettext("The police were told"))
    police_reference = line_field(lazy_gettext("Police reference"), 120)


class AskForm(FlaskForm):
    note = line_field(lazy_gettext("What the witness said (optional)"), 200)


class ReturnForm(FlaskForm):
    return_date = DateField(
        lazy_gettext("Return planned for"),
        validators=[InputRequired(message=lazy_gettext("Give the day.")), plausible_date],
        invalid_value_message=lazy_gettext("Give the date as YYYY-MM-DD."),
    )
    note = line_field(lazy_gettext("Note (optional)"), 200)
