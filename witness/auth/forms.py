from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, EqualTo, Length

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
