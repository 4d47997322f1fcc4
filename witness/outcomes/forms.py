"""The form that records (or corrects) an event: one kind select and every column; the
service checks which columns the chosen kind needs and takes (``outcomes.rules``)."""

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import DateField, SelectField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from witness.core.forms import (
    EMPTY_CHOICE,
    EnumSelectField,
    WholeNumberField,
    coerce_enum,
    date_field,
    enum_choices,
    line_field,
    optional_id,
    plain_text,
    plausible_date,
)
from witness.core.i18n import lazy_gettext
from witness.outcomes.models import EventKind, EventResult, EventSource, OrderKind, SentenceKind


def _optional_enum(enum_cls):
    coerce = coerce_enum(enum_cls)
    return lambda value: None if value in (None, "", "None") else coerce(value)


def _optional_select(label: str, enum_cls) -> SelectField:
    return SelectField(
        label,
        choices=[EMPTY_CHOICE, *enum_choices(enum_cls)],
        coerce=_optional_enum(enum_cls),
        validators=[Optional()],
    )


def _optional_date(label: str) -> DateField:
    return DateField(
        label,
        validators=[Optional(), plausible_date],
        invalid_value_message=lazy_gettext("Give the date as YYYY-MM-DD."),
    )


def _months(label: str) -> WholeNumberField:
    return WholeNumberField(label, validators=[Optional(), NumberRange(min=0, max=1200)])


class EventForm(FlaskForm):
    kind = EnumSelectField(lazy_gettext("Event"), enum_cls=EventKind)
    defendant_id = SelectField(
        lazy_gettext("Defendant"), coerce=optional_id, validators=[Optional()]
    )
    effective_date = date_field(
        lazy_gettext("Date it took effect"), lazy_gettext("Give the date it took effect.")
    )
    source = EnumSelectField(lazy_gettext("Told by"), enum_cls=EventSource)
    charge = line_field(lazy_gettext("Charge (plea, verdict)"), 300)
    result = _optional_select(lazy_gettext("Result (plea, verdict, appeal decided)"), EventResult)
    sentence_kind = _optional_select(lazy_gettext("Kind of sentence"), SentenceKind)
    sentence_months = _months(lazy_gettext("Sentence: months"))
    sentence_days = WholeNumberField(
        lazy_gettext("Sentence: days"), validators=[Optional(), NumberRange(min=0, max=366)]
    )
    suspended_months = _months(lazy_gettext("Suspended for (months)"))
    order_kind = _optional_select(lazy_gettext("Order (sentence, bail, licence)"), OrderKind)
    order_detail = line_field(lazy_gettext("What the order forbids or requires"), 500)
    order_until = _optional_date(lazy_gettext("Order ends"))
    compensation_amount = line_field(lazy_gettext("Compensation amount"), 20)
    compensation_currency = line_field(lazy_gettext("Currency"), 3)
    release_date = _optional_date(lazy_gettext("Expected release date"))
    hearing_date = _optional_date(lazy_gettext("Hearing date (appeal, parole, retrial)"))
    deadline_date = _optional_date(lazy_gettext("Appeal deadline or parole eligibility date"))
    institution = line_field(lazy_gettext("Prison or place"), 200)
    conditions = TextAreaField(
        lazy_gettext("Conditions that matter to the victim (bail, remand, licence)"),
        validators=[Length(max=4000), plain_text],
    )
    note = TextAreaField(lazy_gettext("Note"), validators=[Length(max=4000), plain_text])


class CorrectionForm(EventForm):
    reason = TextAreaField(
        lazy_gettext("Why is it corrected?"),
        validators=[
            InputRequired(message=lazy_gettext("Say why the event is corrected.")),
            Length(max=2000),
            plain_text,
        ],
    )


class ImportForm(FlaskForm):
    file = FileField(
        lazy_gettext("Release list (CSV)"), validators=[FileRequired("Choose the CSV file.")]
    )
    source = line_field(lazy_gettext("Sent by (e.g. HMP Leeds)"), 80, required=True)
