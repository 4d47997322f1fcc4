from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, EqualTo, Length

from witness.auth.models import TokenScope
from witness.core.forms import options, single_line, strip_filter
from witness.core.i18n import UI_LANGUAGES, language_name, lazy_gettext


class LanguageForm(FlaskForm):
    """The language of one's own pages; each named in itself, so anyone finds their own."""

    locale = SelectField(
        lazy_gettext("Language of my pages"),
        choices=options(
            [("", lazy_gettext("As my browser asks (else English)"))]
            + [(code, language_name(code, code)) for code in UI_LANGUAGES]
        ),
    )


class LoginForm(FlaskForm):
    email = EmailField(lazy_gettext("E-mail"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(lazy_gettext("Password"), validators=[DataRequired(), Length(max=200)])


def lifetime_field() -> SelectField:
    """How many days a new token lasts (every token expires)."""
    return SelectField(
        lazy_gettext("Expires after"),
        choices=options(
            [
                (30, lazy_gettext("30 days")),
                (90, lazy_gettext("90 days")),
                (180, lazy_gettext("180 days")),
                (365, lazy_gettext("365 days")),
            ]
        ),
        coerce=int,
        default=90,
    )


class ApiTokenForm(FlaskForm):
    name = StringField(
        lazy_gettext("Name"),
        validators=[
            DataRequired(message=lazy_gettext("Give the token a name.")),
            Length(max=100),
            single_line,
        ],
        filters=[strip_filter],
    )
    scope = SelectField(
        lazy_gettext("May"),
        choices=options(
            [
                (TokenScope.full.value, lazy_gettext("Read and change what I may")),
                (TokenScope.read.value, lazy_gettext("Only read")),
            ]
        ),
        default=TokenScope.full.value,
    )
    days = lifetime_field()


class CodeForm(FlaskForm):
    """A code from the authenticator app, or a recovery code."""

    code = StringField(
        lazy_gettext("Code"),
        validators=[DataRequired(message=lazy_gettext("Type the code.")), Length(max=40)],
        filters=[strip_filter],
    )


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField(
        lazy_gettext("Current password"),
        validators=[
            DataRequired(message=lazy_gettext("Give your current password.")),
            Length(max=200),
        ],
    )
    new_password = PasswordField(
        lazy_gettext("New password"),
        validators=[
            DataRequired(message=lazy_gettext("Choose a new password.")),
            Length(min=10, max=200, message=lazy_gettext("Use 10 to 200 characters.")),
        ],
        description=lazy_gettext(
            "At least 10 characters; a few unrelated words are easy to remember."
        ),
    )
    confirm = PasswordField(
        lazy_gettext("New password again"),
        validators=[
            DataRequired(message=lazy_gettext("Type the new password again.")),
            EqualTo("new_password", message=lazy_gettext("The two new passwords differ.")),
        ],
    )
