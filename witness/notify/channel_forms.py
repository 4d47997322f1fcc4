"""Forms of the contact preferences page and the call log: field validation only (the service
checks what the channels need)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, RadioField, SelectField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from witness.core.forms import (
    EMPTY_CHOICE,
    EnumSelectField,
    enum_choices,
    lazy_label,
    line_field,
    optional_int,
    options,
    plain_text,
    strip_filter,
)
from witness.core.i18n import language_name, lazy_gettext
from witness.notify.calls import CALL_OUTCOMES
from witness.notify.models import ContactPreference, EmailDetail, NewsWanted
from witness.people.models import Channel

ORDINALS = (
    lazy_gettext("First way to tell them"),
    lazy_gettext("Second way to tell them"),
    lazy_gettext("Third way to tell them"),
    lazy_gettext("Fourth way to tell them"),
    lazy_gettext("Fifth way to tell them"),
)


def _channel_field(n: int) -> SelectField:
    return SelectField(
        ORDINALS[n],
        choices=[EMPTY_CHOICE, *enum_choices(Channel)],
        validators=[Optional()],
    )


class PreferencesForm(FlaskForm):
    news_wanted = EnumSelectField(lazy_gettext("News they want"), enum_cls=NewsWanted)
    channel_0 = _channel_field(0)
    channel_1 = _channel_field(1)
    channel_2 = _channel_field(2)
    channel_3 = _channel_field(3)
    channel_4 = _channel_field(4)
    postal_name = line_field(lazy_gettext("Name on the envelope"), 200)
    postal_address = TextAreaField(
        lazy_gettext("Safe postal address (often the shelter's or the NGO's)"),
        validators=[Optional(), Length(max=1000), plain_text],
        filters=[strip_filter],
    )
    discreet_envelope = BooleanField(
        lazy_gettext("Discreet envelope (nothing about the sender)"), default=True
    )
    email = line_field(lazy_gettext("Safe e-mail"), 254)
    email_detail = EnumSelectField(lazy_gettext("What an e-mail may say"), enum_cls=EmailDetail)
    phone = line_field(lazy_gettext("Safe phone"), 40)
    safe_times = line_field(lazy_gettext("Safe times to call (such as 18:00-20:00)"), 200)
    may_leave_message = BooleanField(lazy_gettext("A message may be left"))
    language = line_field(
        lazy_gettext("Language (its name, such as Thai or Khmer)"), 60, required=True
    )
    ngo_organisation_id = SelectField(lazy_gettext("NGO that tells them"), coerce=optional_int)
    contact_person = line_field(lazy_gettext("Person to contact instead (a child's guardian)"), 200)
    contact_person_relation = line_field(lazy_gettext("Their relation to the witness"), 100)
    note = TextAreaField(
        lazy_gettext("Note"),
        validators=[Optional(), Length(max=1000), plain_text],
        filters=[strip_filter],
    )

    def fill(self, preference: ContactPreference | None) -> None:
        """Start from the preferences in force."""
        if preference is None:
            return
        for name in self._fields:
            if hasattr(preference, name) and name != "csrf_token":
                self[name].data = getattr(preference, name)
        self.language.data = language_name(preference.language)  # a name, never a code
        for n, value in enumerate(preference.channels[:5]):
            self[f"channel_{n}"].data = value

    def values(self) -> dict:
        """The form's data as ``record_preferences`` keyword arguments."""
        data = {
            name: self[name].data
            for name in self._fields
            if name != "csrf_token" and not name.startswith("channel_")
        }
        data["channels"] = [
            self[f"channel_{n}"].data for n in range(5) if self[f"channel_{n}"].data
        ]
        return data


class CallLogForm(FlaskForm):
    outcome = RadioField(
        lazy_gettext("How the call went"),
        choices=options((o.value, lazy_label(o)) for o in CALL_OUTCOMES),
        validators=[InputRequired(message=lazy_gettext("Choose how the call went."))],
    )
    note = TextAreaField(
        lazy_gettext("Note (nothing the person who answered was told)"),
        validators=[Optional(), Length(max=1000), plain_text],
        filters=[strip_filter],
    )
