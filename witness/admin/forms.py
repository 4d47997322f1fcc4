from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    PasswordField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Email, Length, Optional

from witness.auth.models import OrganisationKind, Role
from witness.core.forms import (
    EnumSelectField,
    coerce_enum,
    options,
    plain_text,
    single_line,
    strip_filter,
)


class CourtForm(FlaskForm):
    name = StringField(
        "Name", validators=[DataRequired(), Length(max=200), single_line], filters=[strip_filter]
    )
    address = TextAreaField(
        "Address", validators=[DataRequired(), Length(max=500), plain_text], filters=[strip_filter]
    )
    timezone = StringField(
        "Timezone",
        validators=[DataRequired(), Length(max=64), single_line],
        filters=[strip_filter],
        description="An IANA name such as Europe/London or Asia/Bangkok.",
    )


class OrganisationForm(FlaskForm):
    name = StringField(
        "Name", validators=[DataRequired(), Length(max=200), single_line], filters=[strip_filter]
    )
    kind = SelectField(
        "Kind",
        choices=options(
            [
                ("prosecution", "Prosecution office"),
                ("ngo", "NGO"),
                ("court_service", "Court service"),
            ]
        ),
        coerce=coerce_enum(OrganisationKind),
    )


class UserForm(FlaskForm):
    email = EmailField(
        "E-mail",
        validators=[DataRequired(), Email(check_deliverability=False), Length(max=254)],
        filters=[strip_filter],
    )
    name = StringField(
        "Name", validators=[DataRequired(), Length(max=200), single_line], filters=[strip_filter]
    )
    role = EnumSelectField("Role", enum_cls=Role)
    password = PasswordField("Password", validators=[DataRequired(), Length(min=10, max=200)])


class UserEditForm(FlaskForm):
    name = StringField(
        "Name", validators=[DataRequired(), Length(max=200), single_line], filters=[strip_filter]
    )
    role = EnumSelectField("Role", enum_cls=Role)
    is_enabled = BooleanField("Can sign in")
    password = PasswordField(
        "New password",
        validators=[Optional(), Length(min=10, max=200)],
        description=(
            "Leave empty to keep the current password. A new one ends every session of theirs."
        ),
    )


class EndSessionsForm(FlaskForm):
    """Ending a user's sessions asks nothing: the form carries only its CSRF token."""


class SystemTokenForm(FlaskForm):
    """A token for a system account, scoped to case events."""

    name = StringField(
        "What will use it",
        validators=[DataRequired(), Length(max=100), single_line],
        filters=[strip_filter],
    )
