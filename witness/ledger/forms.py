"""Forms for the support ledger: record an item, approve it, reverse it, close a flag.

Field checks only; amounts, currencies, the case and the need are checked by the services,
which say exactly what is wrong beside the field.
"""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional, ValidationError

from witness.core.forms import (
    coerce_enum,
    enum_choices,
    not_in_future,
    optional_id,
    plain_text,
    plausible_date,
    record_id,
    single_line,
    strip_filter,
)
from witness.core.i18n import gettext, lazy_gettext
from witness.ledger.models import SupportCategory
from witness.ledger.money import PLAIN_AMOUNT


def _line(label, max_len, required=True, extra=()):
    checks = [InputRequired() if required else Optional(), Length(max=max_len), single_line]
    return StringField(label, validators=[*checks, *extra], filters=[strip_filter])


def plain_amount(*, positive: bool):
    """Plain ASCII digits and an optional decimal point: no sign, no "1_000", no fullwidth
    digits, no exponent (all of which Python's Decimal would read). The service checks the
    decimal places for the currency, and the range."""

    def check(form, field) -> None:
        value = field.data or ""
        if value.startswith("-"):
            raise ValidationError(
                "Give an amount above zero, without a sign."
                if positive
                else "Give zero or more, without a sign: a mistake is corrected by a reversal."
            )
        if not PLAIN_AMOUNT.fullmatch(value):
            raise ValidationError(
                gettext(
                    "Give a number, e.g. 12.50: digits and at most one decimal point, nothing else."
                )
            )

    return check


class SupportItemForm(FlaskForm):
    case_id = SelectField(lazy_gettext("Case"), coerce=record_id, validate_choice=False)
    category = SelectField(
        lazy_gettext("Category"),
        choices=enum_choices(SupportCategory),
        coerce=coerce_enum(SupportCategory),
        validators=[InputRequired()],
    )
    description = _line(lazy_gettext("What was given"), 500)
    quantity = _line(lazy_gettext("Quantity"), 20, extra=[plain_amount(positive=True)])
    unit = _line(lazy_gettext("Unit"), 40)
    value = _line(lazy_gettext("Total value"), 20, extra=[plain_amount(positive=False)])
    currency = _line(lazy_gettext("Currency"), 3)
    is_cash = BooleanField(lazy_gettext("Cash or cash-like (voucher, top-up card)"))
    date_provided = DateField(
        lazy_gettext("Date provided"), validators=[InputRequired(), plausible_date, not_in_future]
    )
    need_id = SelectField(lazy_gettext("Need it meets"), coerce=optional_id, validate_choice=False)
    rationale = TextAreaField(
        lazy_gettext("Rationale"),
        validators=[InputRequired(), Length(max=4000), plain_text],
        filters=[strip_filter],
    )
    suggest = SubmitField(lazy_gettext("Suggest the rationale from the chosen need"))
    record = SubmitField(lazy_gettext("Record"))


class ApproveForm(FlaskForm):
    note = TextAreaField(
        lazy_gettext("Note"), validators=[Optional(), Length(max=2000), plain_text]
    )


class ReverseForm(FlaskForm):
    reason = TextAreaField(
        lazy_gettext("Reason"),
        validators=[InputRequired(), Length(max=2000), plain_text],
        filters=[strip_filter],
    )


class CloseFlagForm(FlaskForm):
    note = TextAreaField(
        lazy_gettext("What you found"),
        validators=[
            InputRequired(
                message=lazy_gettext("Say what you found and why the flag can be closed.")
            ),
            Length(max=4000),
            plain_text,
        ],
        filters=[strip_filter],
    )
