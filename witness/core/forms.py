"""Form helpers shared by the features: enum choices, clean text, numbers in ASCII digits,
sensible date bounds."""

from __future__ import annotations

import enum
from datetime import date

from wtforms import (
    DateField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TimeField,
    ValidationError,
    widgets,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional, StopValidation

from witness.core.i18n import LazyString, gettext, lazy_gettext
from witness.core.text import MAX_ID, NUMBER_MESSAGE, ascii_int, normalise, text_problem
from witness.core.time import now_utc

#: the empty first option of an optional select
EMPTY_CHOICE = SelectChoice("", "—")


def options(pairs) -> list[SelectChoice]:
    """(value, label) pairs as select options."""
    return [SelectChoice(value, label) for value, label in pairs]


def enum_choices(enum_cls: type[enum.Enum]) -> list[SelectChoice]:
    """A select's options for an enum, each labelled in the reader's language when shown (a
    form class is made once, at import, in no one's language)."""
    return options((m.value, lazy_label(m)) for m in enum_cls)


def _label(member: enum.Enum) -> str:
    return getattr(member, "label", member.value)


def lazy_label(member: enum.Enum) -> LazyString:
    """``member``'s label, in the reader's language when the form is shown."""
    return LazyString(_label, member)


def coerce_enum(enum_cls: type[enum.Enum]):
    """A WTForms ``coerce`` that accepts a member or its value; bad values fail validation."""

    def coerce(value):
        if isinstance(value, enum_cls) or value is None:
            return value
        return enum_cls(value)

    return coerce


def optional_int(value):
    """Coerce a select's value to int (ASCII digits only); the empty choice becomes None."""
    if value in (None, "", "None"):
        return None
    return value if isinstance(value, int) else ascii_int(value)


def record_id(value) -> int:
    """An id a select sent, in ASCII digits; one that cannot exist fails the field before any
    query."""
    number = value if isinstance(value, int) else ascii_int(value)
    if not 0 < number <= MAX_ID:
        raise ValueError("no such record")
    return number


def optional_id(value) -> int | None:
    """As ``record_id``; the empty choice is None."""
    return None if value in (None, "", "None") else record_id(value)


class WholeNumberField(IntegerField):
    """A whole number typed with the digits 0-9 (WTForms' own takes fullwidth digits, "1_000")."""

    def process_formdata(self, valuelist) -> None:
        if not valuelist or valuelist[0] in ("", None):
            return
        try:
            self.data = ascii_int(valuelist[0].strip())
        except ValueError as exc:
            self.data = None
            raise ValueError(self.gettext(NUMBER_MESSAGE)) from exc

    def pre_validate(self, form) -> None:
        if self.process_errors:
            raise StopValidation()  # the range check would only repeat that it is no number


class EnumSelectField(SelectField):
    def __init__(self, label=None, enum_cls=None, **kwargs):
        super().__init__(
            label, choices=enum_choices(enum_cls), coerce=coerce_enum(enum_cls), **kwargs
        )


class MultiCheckboxField(SelectMultipleField):
    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


def _check_text(field, multiline: bool) -> None:
    if not isinstance(field.data, str):
        return
    # In normal form C even where the field has no strip_filter (which already does it).
    field.data = normalise(field.data)
    problem = text_problem(field.data, multiline=multiline)
    if problem:
        raise ValidationError(problem)


def single_line(form, field) -> None:
    """Refuse line breaks, tabs, control characters and invisible direction characters in
    one-line fields (see ``witness.core.text``)."""
    _check_text(field, multiline=False)


def plain_text(form, field) -> None:
    """Allow line breaks in notes, but not control or text-direction characters."""
    _check_text(field, multiline=True)


def not_in_future(form, field) -> None:
    if field.data and field.data > now_utc().date():
        raise ValidationError(gettext("This date cannot be in the future."))


def plausible_date(form, field) -> None:
    if field.data and not (date(1900, 1, 1) <= field.data <= date(2100, 12, 31)):
        # Stop here: further checks of an implausible date would only repeat the complaint.
        raise StopValidation(gettext("Enter a date between 1900 and 2100."))


def strip_filter(value):
    """Text in Unicode normal form C, without surrounding spaces (before the length check:
    normalising can change the length)."""
    return normalise(value).strip() if isinstance(value, str) else value


#: what a time field takes: browsers send seconds when a step asks for them
TIME_FORMATS = ["%H:%M", "%H:%M:%S"]


def line_field(label: str, max_len: int, required: bool = False, **kwargs) -> StringField:
    """A one-line text field of at most ``max_len`` characters."""
    checks = [InputRequired() if required else Optional(), Length(max=max_len), single_line]
    return StringField(label, validators=checks, filters=[strip_filter], **kwargs)


def date_field(label: str, message: str) -> DateField:
    """A required YYYY-MM-DD date between 1900 and 2100; ``message`` when it is missing."""
    return DateField(
        label,
        validators=[InputRequired(message=message), plausible_date],
        invalid_value_message=lazy_gettext("Give the date as YYYY-MM-DD."),
    )


def time_field(label: str, message: str) -> TimeField:
    """A required HH:MM time on a 24-hour clock; ``message`` when it is missing."""
    return TimeField(
        label,
        format=TIME_FORMATS,
        validators=[InputRequired(message=message)],
        invalid_value_message=lazy_gettext("Give the time as HH:MM (24-hour clock)."),
    )
