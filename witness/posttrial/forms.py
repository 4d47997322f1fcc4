"""Forms of the "After the trial" page: field checks only (amounts, currencies, dates in
order, the steps allowed and the sentence chosen are checked by the services, which say what
is wrong beside the field)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from witness.core.forms import (
    coerce_enum,
    date_field,
    enum_choices,
    line_field,
    optional_id,
    plain_text,
    plausible_date,
)
from witness.core.i18n import lazy_gettext
from witness.ledger.forms import plain_amount
from witness.posttrial.models import ClaimRoute, ClaimStatus, PropertyStatus, StatementStatus


def _note(label: str = lazy_gettext("Note"), required: bool = False) -> TextAreaField:
    first = InputRequired(message=lazy_gettext("Give the reason.")) if required else Optional()
    return TextAreaField(label, validators=[first, Length(max=2000), plain_text])


def _optional_date(label: str) -> DateField:
    return DateField(
        label,
        validators=[Optional(), plausible_date],
        invalid_value_message=lazy_gettext("Give the date as YYYY-MM-DD."),
    )


def _enum(label: str, enum_cls, only=None) -> SelectField:
    choices = [c for c in enum_choices(enum_cls) if only is None or c.value in only]
    return SelectField(
        label, choices=choices, coerce=coerce_enum(enum_cls), validators=[InputRequired()]
    )


def _amount(label: str, required: bool) -> StringField:
    first = InputRequired(message=lazy_gettext("Give the amount.")) if required else Optional()
    return StringField(label, validators=[first, Length(max=20), plain_amount(positive=True)])


class Values:
    def values(self) -> dict:
        """The form's data as service keyword arguments."""
        return {name: self[name].data for name in self._fields if name != "csrf_token"}


class StatementOfferForm(Values, FlaskForm):
    offered_date = date_field(
        lazy_gettext("Offered on"), lazy_gettext("Give the day it was offered.")
    )
    note = _note()


class StatementStepForm(Values, FlaskForm):
    target = _enum(lazy_gettext("Next step"), StatementStatus)
    on = _optional_date(lazy_gettext("On"))
    sentence_event_id = SelectField(
        lazy_gettext("Considered at the sentence"), coerce=optional_id, validate_choice=False
    )
    note = _note()


class StatementCorrectionForm(Values, FlaskForm):
    target = _enum(lazy_gettext("Should be"), StatementStatus)
    on = _optional_date(lazy_gettext("On"))
    reason = _note(lazy_gettext("Reason for the correction"), required=True)


class ClaimForm(Values, FlaskForm):
    route = _enum(lazy_gettext("Claimed through"), ClaimRoute)
    lodged_date = date_field(lazy_gettext("Lodged on"), lazy_gettext("Give the day it was lodged."))
    amount_claimed = _amount(lazy_gettext("Amount claimed (optional)"), required=False)
    currency = line_field(lazy_gettext("Currency"), 3)
    note = _note()


class OrderForm(Values, FlaskForm):
    order_event_id = SelectField(
        lazy_gettext("The sentence's compensation order"), coerce=optional_id, validate_choice=False
    )
    amount = _amount(lazy_gettext("Amount ordered for this victim"), required=False)
    currency = line_field(lazy_gettext("Currency (a scheme's award)"), 3)


class PaymentForm(Values, FlaskForm):
    paid_date = date_field(lazy_gettext("Paid on"), lazy_gettext("Give the day it was paid."))
    amount = _amount(lazy_gettext("Amount"), required=True)


class ClaimEndForm(Values, FlaskForm):
    target = _enum(lazy_gettext("Outcome"), ClaimStatus, only=("refused", "withdrawn"))
    reason = _note(lazy_gettext("Reason"), required=True)


class PropertyForm(Values, FlaskForm):
    description = line_field(lazy_gettext("Item"), 500, required=True)
    held_at = line_field(lazy_gettext("Held at"), 200)
    held_since = _optional_date(lazy_gettext("Held since"))
    note = _note()


class PropertyStatusForm(Values, FlaskForm):
    target = _enum(lazy_gettext("Now"), PropertyStatus)
    on = _optional_date(lazy_gettext("Returned on"))
    returned_to = line_field(lazy_gettext("Returned to"), 200)
    returned_by = line_field(lazy_gettext("Handed back by"), 200)
    order = line_field(lazy_gettext("Court order (retained or destroyed)"), 300)
    note = _note()


class CloseForm(Values, FlaskForm):
    reason = _note(lazy_gettext("Reason"), required=True)
    override = BooleanField(lazy_gettext("Close with items outstanding (supervisor)"))
