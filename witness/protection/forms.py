"""Forms of the protection plan page: field checks only (owners, dates and what must be said
are checked by the services, which say what is wrong beside the field)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from witness.core.forms import (
    coerce_enum,
    date_field,
    enum_choices,
    line_field,
    plain_text,
    plausible_date,
)
from witness.protection.models import ActionKind, ActionStatus, ConsultationMethod


def _text(label: str, required: str = "") -> TextAreaField:
    first = InputRequired(message=required) if required else Optional()
    return TextAreaField(label, validators=[first, Length(max=4000), plain_text])


def _enum(label: str, enum_cls) -> SelectField:
    return SelectField(
        label,
        choices=enum_choices(enum_cls),
        coerce=coerce_enum(enum_cls),
        validators=[InputRequired(message="Choose one.")],
    )


def _due() -> DateField:
    return DateField(
        "Due by",
        validators=[Optional(), plausible_date],
        invalid_value_message="Give the date as YYYY-MM-DD.",
    )


class ActionForm(FlaskForm):
    kind = _enum("Action", ActionKind)
    detail = _text("What exactly (optional; required for “Other”)")
    owner = SelectField("Who carries it out", validators=[InputRequired("Choose who.")])
    owner_other = line_field("Their name, when someone else", 200)
    due_date = _due()


class ActionChangeForm(FlaskForm):
    status = _enum("Status", ActionStatus)
    due_date = _due()
    owner = SelectField("Who carries it out", validators=[Optional()])
    owner_other = line_field("Their name, when someone else", 200)
    reason = _text("Why (required to close it)")


class ConsultationForm(FlaskForm):
    consulted_on = date_field("Talked through on", "Give the day you talked it through.")
    method = _enum("How", ConsultationMethod)
    interpreter_language = line_field("Interpreter's language (if one was used)", 35)
    interpreter_name = line_field("Interpreter's name", 200)
    agreed = _text("What the witness agreed to", "Write what the witness agreed to.")
    objected = _text("What they objected to or asked to change")
