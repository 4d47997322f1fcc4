"""Form helpers shared by the features: enum choices, clean text, sensible date bounds."""

from __future__ import annotations

import enum
from datetime import date

from wtforms import SelectField, SelectMultipleField, ValidationError, widgets
from wtforms.fields.choices import SelectChoice
from wtforms.validators import StopValidation

from witness.core.text import CONTROL, LINE_BREAK
from witness.core.time import now_utc

#: the empty first option of an optional select
EMPTY_CHOICE = SelectChoice("", "—")


def options(pairs) -> list[SelectChoice]:
    """(value, label) pairs as select options."""
    return [SelectChoice(value, label) for value, label in pairs]


def enum_choices(enum_cls: type[enum.Enum]) -> list[SelectChoice]:
    return options((m.value, getattr(m, "label", m.value)) for m in enum_cls)


def coerce_enum(enum_cls: type[enum.Enum]):
    """A WTForms ``coerce`` that accepts a member or its value; bad values fail validation."""

    def coerce(value):
        if isinstance(value, enum_cls) or value is None:
            return value
        return enum_cls(value)

    return coerce


def optional_int(value):
    """Coerce a select's value to int; the empty choice becomes None."""
    if value in (None, "", "None"):
        return None
    return int(value)


class EnumSelectField(SelectField):
    def __init__(self, label=None, enum_cls=None, **kwargs):
        super().__init__(
            label, choices=enum_choices(enum_cls), coerce=coerce_enum(enum_cls), **kwargs
        )


class MultiCheckboxField(SelectMultipleField):
    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


def single_line(form, field) -> None:
    """Refuse line breaks and control characters in one-line fields (they break exports)."""
    if field.data and (CONTROL.search(field.data) or LINE_BREAK.search(field.data)):
        raise ValidationError(
            "Use one line of plain text, without line breaks or control characters."
        )


def plain_text(form, field) -> None:
    """Allow line breaks in notes but not other control characters."""
    if field.data and CONTROL.search(field.data):
        raise ValidationError("Remove the control characters from this text.")


def not_in_future(form, field) -> None:
    if field.data and field.data > now_utc().date():
        raise ValidationError("This date cannot be in the future.")


def plausible_date(form, field) -> None:
    if field.data and not (date(1900, 1, 1) <= field.data <= date(2100, 12, 31)):
        # Stop here: further checks of an implausible date would only repeat the complaint.
        raise StopValidation("Enter a date between 1900 and 2100.")


def strip_filter(value):
    return value.strip() if isinstance(value, str) else value
