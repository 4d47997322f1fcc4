from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Email, InputRequired, Length, Optional

from witness.core.forms import (
    EMPTY_CHOICE,
    EnumSelectField,
    coerce_enum,
    enum_choices,
    not_in_future,
    optional_int,
    options,
    plain_text,
    plausible_date,
    record_id,
    single_line,
    strip_filter,
)
from witness.people.models import Channel, ConsentKind, NeedArea, ParticipationRole, Phase


def _line(label, max_len, required=False):
    checks = [DataRequired() if required else Optional(), Length(max=max_len), single_line]
    return StringField(label, validators=checks, filters=[strip_filter])


class WitnessForm(FlaskForm):
    reference = _line("Reference or pseudonym", 60, required=True)
    legal_name = _line("Legal name", 200, required=True)
    date_of_birth = DateField(
        "Date of birth", validators=[Optional(), plausible_date, not_in_future]
    )
    is_presumed_child = BooleanField("Presumed a child until age is confirmed")
    gender = _line("Gender", 40)
    nationality = _line("Nationality", 80)
    languages = _line("Languages (preferred first, separated by commas)", 300)
    needs_interpreter = BooleanField("Needs an interpreter")
    guardian_name = _line("Guardian", 200)
    guardian_contact = _line("Guardian's contact", 300)
    phone = _line("Safe phone number", 40)
    email = EmailField(
        "Safe e-mail",
        validators=[Optional(), Email(check_deliverability=False), Length(max=254)],
        filters=[strip_filter],
    )
    address = TextAreaField("Safe address", validators=[Optional(), Length(max=500), plain_text])

    def values(self) -> dict:
        """The form's data as service keyword arguments."""
        data = {name: self[name].data for name in self._fields if name != "csrf_token"}
        data["languages"] = [s.strip() for s in (self.languages.data or "").split(",") if s.strip()]
        for name in (
            "gender",
            "nationality",
            "guardian_name",
            "guardian_contact",
            "phone",
            "email",
            "address",
        ):
            data[name] = data[name] or None
        return data


class ParticipationForm(FlaskForm):
    case_reference = _line("Case reference", 60, required=True)
    court_id = SelectField(
        "Court",
        coerce=optional_int,
        description="Only needed when several courts use that reference.",
    )
    role = SelectField(
        "Role",
        choices=enum_choices(ParticipationRole),
        coerce=coerce_enum(ParticipationRole),
    )
    reflection_end_date = DateField(
        "Reflection period ends", validators=[Optional(), plausible_date]
    )
    reason = TextAreaField(
        "Reason",
        validators=[
            DataRequired(message="Give a reason for the change."),
            Length(max=2000),
            plain_text,
        ],
        filters=[strip_filter],
    )


class PhaseForm(FlaskForm):
    phase = SelectField("Move to", coerce=coerce_enum(Phase), validators=[InputRequired()])
    reason = TextAreaField(
        "Reason",
        validators=[
            DataRequired(message="Give a reason for the change."),
            Length(max=2000),
            plain_text,
        ],
        filters=[strip_filter],
    )


class ConsentForm(FlaskForm):
    kind = EnumSelectField("Consent to", enum_cls=ConsentKind)
    decision = RadioField(
        "Decision",
        choices=options([("granted", "Granted"), ("withdrawn", "Withdrawn")]),
        validators=[InputRequired(message="Choose granted or withdrawn.")],
    )
    case_id = SelectField("Case (for taking part)", coerce=optional_int, validate_choice=True)
    organisation_id = SelectField("Organisation (for sharing)", coerce=optional_int)
    includes_identity = BooleanField(
        "Sharing includes legal name, date of birth and contact details"
    )
    channel = SelectField(
        "Channel (for notifications)",
        choices=[EMPTY_CHOICE, *enum_choices(Channel)],
        coerce=lambda v: Channel(v) if v else None,
    )
    notes = TextAreaField(
        "Notes", validators=[Length(max=2000), plain_text], filters=[strip_filter]
    )


class AssignmentForm(FlaskForm):
    user_id = SelectField("Assign", coerce=record_id, validators=[DataRequired()])


class InviteDetailForm(FlaskForm):
    full_detail = RadioField(
        "The witness's own calendar invites",
        choices=options(
            [
                ("discreet", "Discreet: a neutral title, the time, a neutral meeting point"),
                ("full", "Full detail: the court, the case, the place and the purpose"),
            ]
        ),
        validators=[InputRequired(message="Choose one.")],
    )
    reason = TextAreaField(
        "Why (the witness's reasons)",
        validators=[DataRequired(), Length(max=2000), plain_text],
        filters=[strip_filter],
    )
    informed = BooleanField(
        "I told the witness that anyone who sees their phone or e-mail could then read the "
        "court, the case and the place"
    )


class NeedForm(FlaskForm):
    area = EnumSelectField("Need", enum_cls=NeedArea)
    notes = TextAreaField(
        "Notes", validators=[DataRequired(), Length(max=4000), plain_text], filters=[strip_filter]
    )
    # InputRequired, not DataRequired: the latter would replace "not a valid date" by "required".
    review_date = DateField("Review by", validators=[InputRequired(), plausible_date])


class NeedReviewForm(FlaskForm):
    notes = TextAreaField(
        "Notes", validators=[DataRequired(), Length(max=4000), plain_text], filters=[strip_filter]
    )
    review_date = DateField("Next review by", validators=[Optional(), plausible_date])
    is_open = BooleanField("Still open")
