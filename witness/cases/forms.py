from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from witness.cases.models import CaseStatus, CustodyStatus, OffenceCategory
from witness.core.forms import (
    EnumSelectField,
    MultiCheckboxField,
    coerce_enum,
    enum_choices,
    optional_int,
    plain_text,
    plausible_date,
    record_id,
    single_line,
    strip_filter,
)
from witness.core.i18n import lazy_gettext


class CaseForm(FlaskForm):
    court_id = SelectField(lazy_gettext("Court"), coerce=record_id, validators=[DataRequired()])
    reference = StringField(
        lazy_gettext("Court reference"),
        validators=[DataRequired(), Length(max=60), single_line],
        filters=[strip_filter],
    )
    title = StringField(
        lazy_gettext("Title"),
        validators=[DataRequired(), Length(max=200), single_line],
        filters=[strip_filter],
    )
    offences = MultiCheckboxField(
        lazy_gettext("Offences"),
        choices=enum_choices(OffenceCategory),
        coerce=coerce_enum(OffenceCategory),
        validators=[DataRequired(message=lazy_gettext("Choose at least one offence."))],
    )
    status = EnumSelectField(lazy_gettext("Status"), enum_cls=CaseStatus)
    lead_prosecutor_id = SelectField(lazy_gettext("Lead prosecutor"), coerce=optional_int)
    notes = TextAreaField(lazy_gettext("Notes"), validators=[Length(max=5000), plain_text])


class DefendantForm(FlaskForm):
    name = StringField(
        lazy_gettext("Name"),
        validators=[DataRequired(), Length(max=200), single_line],
        filters=[strip_filter],
    )
    custody_status = EnumSelectField(lazy_gettext("Custody status"), enum_cls=CustodyStatus)
    expected_release_date = DateField(
        lazy_gettext("Expected release date"), validators=[Optional(), plausible_date]
    )
