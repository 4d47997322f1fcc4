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


class CaseForm(FlaskForm):
    court_id = SelectField("Court", coerce=record_id, validators=[DataRequired()])
    reference = StringField(
        "Court reference",
        validators=[DataRequired(), Length(max=60), single_line],
        filters=[strip_filter],
    )
    title = StringField(
        "Title", validators=[DataRequired(), Length(max=200), single_line], filters=[strip_filter]
    )
    offences = MultiCheckboxField(
        "Offences",
        choices=enum_choices(OffenceCategory),
        coerce=coerce_enum(OffenceCategory),
        validators=[DataRequired(message="Choose at least one offence.")],
    )
    status = EnumSelectField("Status", enum_cls=CaseStatus)
    lead_prosecutor_id = SelectField("Lead prosecutor", coerce=optional_int)
    notes = TextAreaField("Notes", validators=[Length(max=5000), plain_text])


class DefendantForm(FlaskForm):
    name = StringField(
        "Name", validators=[DataRequired(), Length(max=200), single_line], filters=[strip_filter]
    )
    custody_status = EnumSelectField("Custody status", enum_cls=CustodyStatus)
    expected_release_date = DateField(
        "Expected release date", validators=[Optional(), plausible_date]
    )
