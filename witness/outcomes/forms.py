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
        invalid_value_message="Give the date as YYYY-MM-DD.",
    )


def _months(label: str) -> WholeNumberField:
    return WholeNumberField(label, validators=[Optional(), NumberRange(min=0, max=1200)])


class EventForm(FlaskForm):
    kind = EnumSelectField("Event", enum_cls=EventKind)
    defendant_id = SelectField("Defendant", coerce=optional_id, validators=[Optional()])
    effective_date = date_field("Date it took effect", "Give the date it took effect.")
    source = EnumSelectField("Told by", enum_cls=EventSource)
    charge = line_field("Charge (plea, verdict)", 300)
    result = _optional_select("Result (plea, verdict, appeal decided)", EventResult)
    sentence_kind = _optional_select("Kind of sentence", SentenceKind)
    sentence_months = _months("Sentence: months")
    sentence_days = WholeNumberField(
        "Sentence: days", validators=[Optional(), NumberRange(min=0, max=366)]
    )
    suspended_months = _months("Suspended for (months)")
    order_kind = _optional_select("Order (sentence, bail, licence)", OrderKind)
    order_detail = line_field("What the order forbids or requires", 500)
    order_until = _optional_date("Order ends")
    compensation_amount = line_field("Compensation amount", 20)
    compensation_currency = line_field("Currency", 3)
    release_date = _optional_date("Expected release date")
    hearing_date = _optional_date("Hearing date (appeal, parole, retrial)")
    deadline_date = _optional_date("Appeal deadline or parole eligibility date")
    institution = line_field("Prison or place", 200)
    conditions = TextAreaField(
        "Conditions that matter to the victim (bail, remand, licence)",
        validators=[Length(max=4000), plain_text],
    )
    note = TextAreaField("Note", validators=[Length(max=4000), plain_text])


class CorrectionForm(EventForm):
    reason = TextAreaField(
        "Why is it corrected?",
        validators=[
            InputRequired(message="Say why the event is corrected."),
            Length(max=2000),
            plain_text,
        ],
    )


class ImportForm(FlaskForm):
    file = FileField("Release list (CSV)", validators=[FileRequired("Choose the CSV file.")])
    source = line_field("Sent by (e.g. HMP Leeds)", 80, required=True)
