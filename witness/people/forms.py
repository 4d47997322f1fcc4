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
from witness.core.i18n import lazy_gettext
from witness.people.models import Channel, ConsentKind, NeedArea, ParticipationRole, Phase


def _line(label, max_len, required=False):
    checks = [DataRequired() if required else Optional(), Length(max=max_len), single_line]
    return StringField(label, validators=checks, filters=[strip_filter])


class WitnessForm(FlaskForm):
    reference = _line(lazy_gettext("Reference or pseudonym"), 60, required=True)
    legal_name = _line(lazy_gettext("Legal name"), 200, required=True)
    date_of_birth = DateField(
        lazy_gettext("Date of birth"), validators=[Optional(), plausible_date, not_in_future]
    )
    is_presumed_child = BooleanField(lazy_gettext("Presumed a child until age is confirmed"))
    gender = _line(lazy_gettext("Gender"), 40)
    nationality = _line(lazy_gettext("Nationality"), 80)
    languages = _line(lazy_gettext("Languages (preferred first, separated by commas)"), 300)
    needs_interpreter = BooleanField(lazy_gettext("Needs an interpreter"))
    guardian_name = _line(lazy_gettext("Guardian"), 200)
    guardian_contact = _line(lazy_gettext("Guardian's contact"), 300)
    phone = _line(lazy_gettext("Safe phone number"), 40)
    email = EmailField(
        lazy_gettext("Safe e-mail"),
        validators=[Optional(), Email(check_deliverability=False), Length(max=254)],
        filters=[strip_filter],
    )
    address = TextAreaField(
        lazy_gettext("Safe address"), validators=[Optional(), Length(max=500), plain_text]
    )

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
    case_reference = _line(lazy_gettext("Case reference"), 60, required=True)
    court_id = SelectField(
        lazy_gettext("Court"),
        coerce=optional_int,
        description=lazy_gettext("Only needed when several courts use that reference."),
    )
    role = SelectField(
        lazy_gettext("Role"),
        choices=enum_choices(ParticipationRole),
        coerce=coerce_enum(ParticipationRole),
    )
    reflection_end_date = DateField(
        lazy_gettext("Reflection period ends"), validators=[Optional(), plausible_date]
    )
    reason = TextAreaField(
        lazy_gettext("Reason"),
        validators=[
            DataRequired(message=lazy_gettext("Give a reason for the change.")),
            Length(max=2000),
            plain_text,
        ],
        filters=[strip_filter],
    )


class PhaseForm(FlaskForm):
    phase = SelectField(
        lazy_gettext("Move to"), coerce=coerce_enum(Phase), validators=[InputRequired()]
    )
    reason = TextAreaField(
        lazy_gettext("Reason"),
        validators=[
            DataRequired(message=lazy_gettext("Give a reason for the change.")),
            Length(max=2000),
            plain_text,
        ],
        filters=[strip_filter],
    )


class ConsentForm(FlaskForm):
    kind = EnumSelectField(lazy_gettext("Consent to"), enum_cls=ConsentKind)
    decision = RadioField(
        lazy_gettext("Decision"),
        choices=options(
            [("granted", lazy_gettext("Granted")), ("withdrawn", lazy_gettext("Withdrawn"))]
        ),
        validators=[InputRequired(message=lazy_gettext("Choose granted or withdrawn."))],
    )
    case_id = SelectField(
        lazy_gettext("Case (for taking part)"), coerce=optional_int, validate_choice=True
    )
    organisation_id = SelectField(lazy_gettext("Organisation (for sharing)"), coerce=optional_int)
    includes_identity = BooleanField(
        lazy_gettext("Sharing includes legal name, date of birth and contact details")
    )
    channel = SelectField(
        lazy_gettext("Channel (for notifications)"),
        choices=[EMPTY_CHOICE, *enum_choices(Channel)],
        coerce=lambda v: Channel(v) if v else None,
    )
    notes = TextAreaField(
        lazy_gettext("Notes"), validators=[Length(max=2000), plain_text], filters=[strip_filter]
    )


class AssignmentForm(FlaskForm):
    user_id = SelectField(lazy_gettext("Assign"), coerce=record_id, validators=[DataRequired()])


class InviteDetailForm(FlaskForm):
    full_detail = RadioField(
        lazy_gettext("The witness's own calendar invites"),
        choices=options(
            [
                (
                    "discreet",
                    lazy_gettext("Discreet: a neutral title, the time, a neutral meeting point"),
                ),
                (
                    "full",
                    lazy_gettext("Full detail: the court, the case, the place and the purpose"),
                ),
            ]
        ),
        validators=[InputRequired(message=lazy_gettext("Choose one."))],
    )
    reason = TextAreaField(
        lazy_gettext("Why (the witness's reasons)"),
        validators=[DataRequired(), Length(max=2000), plain_text],
        filters=[strip_filter],
    )
    informed = BooleanField(
        lazy_gettext(
            "I told the witness that anyone who sees their phone or e-mail could then read the "
            "court, the case and the place"
        )
    )


class NeedForm(FlaskForm):
    area = EnumSelectField(lazy_gettext("Need"), enum_cls=NeedArea)
    notes = TextAreaField(
        lazy_gettext("Notes"),
        validators=[DataRequired(), Length(max=4000), plain_text],
        filters=[strip_filter],
    )
    # InputRequired, not DataRequired: the latter would replace "not a valid date" by "required".
    review_date = DateField(lazy_gettext("Review by"), validators=[InputRequired(), plausible_date])


class NeedReviewForm(FlaskForm):
    notes = TextAreaField(
        lazy_gettext("Notes"),
        validators=[DataRequired(), Length(max=4000), plain_text],
        filters=[strip_filter],
    )
    review_date = DateField(lazy_gettext("Next review by"), validators=[Optional(), plausible_date])
    is_open = BooleanField(lazy_gettext("Still open"))
