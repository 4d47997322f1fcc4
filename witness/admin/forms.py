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

from witness.auth.forms import lifetime_field
from witness.auth.models import OrganisationKind, Role
from witness.core.forms import (
    EnumSelectField,
    coerce_enum,
    options,
    plain_text,
    single_line,
    strip_filter,
)
from witness.core.i18n import lazy_gettext


class CourtForm(FlaskForm):
    name = StringField(
        lazy_gettext("Name"),
        validators=[DataRequired(), Length(max=200), single_line],
        filters=[strip_filter],
    )
    address = TextAreaField(
        lazy_gettext("Address"),
        validators=[DataRequired(), Length(max=500), plain_text],
        filters=[strip_filter],
    )
    timezone = StringField(
        lazy_gettext("Timezone"),
        validators=[DataRequired(), Length(max=64), single_line],
        filters=[strip_filter],
        description=lazy_gettext("An IANA name such as Europe/London or Asia/Bangkok."),
    )


class OrganisationForm(FlaskForm):
    name = StringField(
        lazy_gettext("Name"),
        validators=[DataRequired(), Length(max=200), single_line],
        filters=[strip_filter],
    )
    kind = SelectField(
        lazy_gettext("Kind"),
        choices=options(
            [
                ("prosecution", lazy_gettext("Prosecution office")),
                ("ngo", lazy_gettext("NGO")),
                ("court_service", lazy_gettext("Court service")),
            ]
        ),
        coerce=coerce_enum(OrganisationKind),
    )


class UserForm(FlaskForm):
    email = EmailField(
        lazy_gettext("E-mail"),
        validators=[DataRequired(), Email(check_deliverability=False), Length(max=254)],
        filters=[strip_filter],
    )
    name = StringField(
        lazy_gettext("Name"),
        validators=[DataRequired(), Length(max=200), single_line],
        filters=[strip_filter],
    )
    role = EnumSelectField(lazy_gettext("Role"), enum_cls=Role)
    password = PasswordField(
        lazy_gettext("Password"), validators=[DataRequired(), Length(min=10, max=200)]
    )


class UserEditForm(FlaskForm):
    name = StringField(
        lazy_gettext("Name"),
        validators=[DataRequired(), Length(max=200), single_line],
        filters=[strip_filter],
    )
    role = EnumSelectField(lazy_gettext("Role"), enum_cls=Role)
    is_enabled = BooleanField(lazy_gettext("Can sign in"))
    password = PasswordField(
        lazy_gettext("New password"),
        validators=[Optional(), Length(min=10, max=200)],
        description=(
            lazy_gettext(
                "Leave empty to keep the current password. A new one ends every session of theirs."
            )
        ),
    )


class EndSessionsForm(FlaskForm):
    """Ending a user's sessions asks nothing: the form carries only its CSRF token."""


class SystemTokenForm(FlaskForm):
    """A token for a system account, scoped to case events."""

    name = StringField(
        lazy_gettext("What will use it"),
        validators=[DataRequired(), Length(max=100), single_line],
        filters=[strip_filter],
    )
    days = lifetime_field()


class ResetSecondFactorForm(FlaskForm):
    """Resetting a user's second factor asks nothing: the form carries only its CSRF token."""


class SecondFactorPolicyForm(FlaskForm):
    required = BooleanField(lazy_gettext("Second factor required for everyone"))
