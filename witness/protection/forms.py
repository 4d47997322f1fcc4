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
from witness.core.i18n import lazy_gettext
from witness.protection.models import ActionKind, ActionStatus, ConsultationMethod


def _text(label: str, required: str = "") -> TextAreaField:
    first = InputRequired(message=required) if required else Optional()
    return TextAreaField(label, validators=[first, Length(max=4000), plain_text])


def _enum(label: str, enum_cls) -> SelectField:
    return SelectField(
        label,
        choices=enum_choices(enum_cls),
        coerce=coerce_enum(enum_cls),
        validators=[InputRequired(message=lazy_gettext("Choose one."))],
    )


def _due() -> DateField:
    return DateField(
        lazy_gettext("Due by"),
        validators=[Optional(), plausible_date],
        invalid_value_message=lazy_gettext("Give the date as YYYY-MM-DD."),
    )


class ActionForm(FlaskForm):
    kind = _enum(lazy_gettext("Action"), ActionKind)
    detail = _text(lazy_gettext("What exactly (optional; required for “Other”)"))
    owner = SelectField(
        lazy_gettext("Who carries it out"), validators=[InputRequired(lazy_gettext("Choose who."))]
    )
    owner_other = line_field(lazy_gettext("Their name, when someone else"), 200)
    due_date = _due()


class ActionChangeForm(FlaskForm):
    status = _enum(lazy_gettext("Status"), ActionStatus)
    due_date = _due()
    owner = SelectField(lazy_gettext("Who carries it out"), validators=[Optional()])
    owner_other = line_field(lazy_gettext("Their name, when someone else"), 200)
    reason = _text(lazy_gettext("Why (required to close it)"))


class ConsultationForm(FlaskForm):
    consulted_on = date_field(
        lazy_gettext("Talked through on"), lazy_gettext("Give the day you talked it through.")
    )
    method = _enum(lazy_gettext("How"), ConsultationMethod)
    interpreter_language = line_field(lazy_gettext("Interpreter's language (if one was used)"), 35)
    interpreter_name = line_field(lazy_gettext("Interpreter's name"), 200)
    agreed = _text(
        lazy_gettext("What the witness agreed to"),
        lazy_gettext("Write what the witness agreed to."),
    )
    objected = _text(lazy_gettext("What they objected to or asked to change"))
