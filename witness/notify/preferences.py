"""Contact preferences: how a witness wants to be told what happens in their case. Recorded with
the witness by their office, a new row each time (the older ones stay as the history), and kept
in step with the witness's notify consents: choosing a channel records their consent to it,
dropping one withdraws it. Opting out cancels the open notification tasks at once."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import time

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from witness.audit.services import record_event
from witness.auth.models import User
from witness.core.access import (
    accepts_channel,
    can_manage_witness,
    current_preference,
    require,
    sharing_organisations,
)
from witness.core.errors import DomainError
from witness.core.i18n import gettext, language_code
from witness.core.text import clean_text
from witness.core.time import now_utc, to_local
from witness.notify.models import ContactPreference, EmailDetail, NewsWanted
from witness.notify.tasks import cancel_open_tasks
from witness.people.models import Channel, ConsentKind, Witness
from witness.people.services import record_consent

#: "18:00-20:00": safe times the call list can compare with the clock
_SPAN = re.compile(r"^\s*([01]?\d|2[0-3]):([0-5]\d)\s*[-\u2013]\s*([01]?\d|2[0-3]):([0-5]\d)\s*$")
#: the channels whose preferences hold an address, and that address's field
ADDRESS_FIELDS = {Channel.post: "postal_address", Channel.email: "email", Channel.phone: "phone"}


def parse_safe_times(text: str) -> tuple[time, time] | None:
    """``"18:00-20:00"`` as (start, end), or None when the text is not in that simple form (it
    is then shown as written)."""
    match = _SPAN.match(text or "")
    if match is None:
        return None
    h1, m1, h2, m2 = (int(g) for g in match.groups())
    return time(h1, m1), time(h2, m2)


def _channels(values) -> list[str]:
    """The chosen channels in order, each a ``people.Channel`` value, none twice."""
    known = {c.value for c in Channel}
    chosen: list[str] = []
    for value in values or []:
        value = value.value if isinstance(value, Channel) else str(value)
        if value not in known:
            raise DomainError(
                gettext("Unknown channel %(value)s.", value=repr(value[:20])), field="channels"
            )
        if value in chosen:
            raise DomainError(gettext("Give each channel once."), field="channels")
        chosen.append(value)
    return chosen


def _language(text: str) -> str:
    """The witness's language as its code, from its name ("Thai") or its code ("th")."""
    if not (text or "").strip():
        return "en"
    code = language_code(text)
    if code is None:
        raise DomainError(
            gettext(
                "Name the language (for example Thai, Khmer, Vietnamese), or give its code (th)."
            ),
            field="language",
        )
    return code


def _email(value: str) -> str:
    try:
        return validate_email(value, check_deliverability=False).normalized
    except EmailNotValidError:
        raise DomainError(
            gettext("Give one e-mail address, such as name@example.org."), "email"
        ) from None


@dataclass
class _Fields:
    """The preferences' text, cleaned."""

    postal_name: str
    postal_address: str
    email: str
    phone: str
    safe_times: str
    contact_person: str
    contact_person_relation: str
    note: str


def _clean(fields: dict) -> _Fields:
    lines = {
        "postal_name": 200,
        "email": 254,
        "phone": 40,
        "safe_times": 200,
        "contact_person": 200,
        "contact_person_relation": 100,
    }
    cleaned = {
        name: clean_text(fields.get(name) or "", name, max_length=length)
        for name, length in lines.items()
    }
    for name in ("postal_address", "note"):
        cleaned[name] = clean_text(fields.get(name) or "", name, multiline=True, max_length=1000)
    return _Fields(**cleaned)


def _check_channels(session: Session, witness: Witness, chosen: list[str], f: _Fields, ngo):
    """Each chosen channel has what it needs: an address, an e-mail, a phone, an NGO the
    witness shares their file with."""
    if Channel.post.value in chosen and not f.postal_address:
        raise DomainError(
            gettext("Give the safe postal address letters go to."), field="postal_address"
        )
    if Channel.email.value in chosen and not f.email:
        raise DomainError(gettext("Give the safe e-mail address."), field="email")
    if Channel.phone.value in chosen and not f.phone:
        raise DomainError(gettext("Give the safe phone number."), field="phone")
    if Channel.via_ngo.value in chosen:
        shares = set(session.scalars(sharing_organisations(witness.id)))
        if ngo is None or ngo not in shares:
            raise DomainError(
                gettext("Choose an organisation the witness shares their file with."),
                field="ngo_organisation_id",
            )


def record_preferences(
    session: Session, actor: User, witness: Witness, **fields
) -> ContactPreference:
    """Record the witness's contact preferences (they replace the current ones, which stay as
    history), keep the notify consents in step with the chosen channels, and cancel the open
    notification tasks when the witness opts out. Fields as ``ContactPreference``'s columns."""
    require(can_manage_witness(actor, witness))
    news_wanted = NewsWanted(fields.get("news_wanted") or NewsWanted.everything)
    email_detail = EmailDetail(fields.get("email_detail") or EmailDetail.call_me)
    chosen = _channels(fields.get("channels"))
    if not chosen and news_wanted is not NewsWanted.nothing:
        raise DomainError(gettext("Choose at least one way to tell the witness."), field="channels")
    f = _clean(fields)
    if f.email:
        f.email = _email(f.email)
    language = _language(fields.get("language") or "")
    ngo = fields.get("ngo_organisation_id")
    _check_channels(session, witness, chosen, f, ngo)
    today = to_local(now_utc(), witness.timezone).date()
    if witness.is_child_on(today) and not (f.contact_person and f.contact_person_relation):
        raise DomainError(
            gettext(
                "For a child, name the person to contact instead (a parent or guardian) and how "
                "they are related."
            ),
            field="contact_person",
        )
    previous = current_preference(session, witness.id)
    session.execute(
        update(ContactPreference)
        .where(ContactPreference.witness_id == witness.id, ContactPreference.is_current)
        .values(is_current=False)
        .execution_options(synchronize_session="fetch")
    )
    preference = ContactPreference(
        witness_id=witness.id,
        news_wanted=news_wanted,
        channels=chosen,
        discreet_envelope=bool(fields.get("discreet_envelope", True)),
        email_detail=email_detail,
        may_leave_message=bool(fields.get("may_leave_message", False)),
        language=language,
        ngo_organisation_id=ngo if Channel.via_ngo.value in chosen else None,
        is_current=True,
        recorded_by_id=actor.id,
        recorded_dt=now_utc(),
        **vars(f),
    )
    session.add(preference)
    session.flush()
    changed = _keep_consents_in_step(session, actor, witness, chosen)
    cancelled = 0
    if news_wanted is NewsWanted.nothing:
        cancelled = cancel_open_tasks(
            session, reason="The witness opted out of news.", witness_id=witness.id
        )
    record_event(
        session,
        actor,
        "contact_preference.recorded",
        preference,
        witness_id=witness.id,
        news_wanted=news_wanted.value,
        channels=chosen,
        email_detail=email_detail.value,
        language=language,
        replaces=previous.id if previous is not None else None,
        consents_changed=changed,
        tasks_cancelled=cancelled,
    )
    return preference


def _keep_consents_in_step(
    session: Session, actor: User, witness: Witness, chosen: list[str]
) -> list[str]:
    """Grant the notify consent of each chosen channel the witness has not consented to, and
    withdraw it for each consented channel no longer chosen; returns what changed."""
    changed = []
    for channel in Channel:
        wanted = channel.value in chosen
        if wanted == accepts_channel(session, witness.id, channel):
            continue
        record_consent(
            session,
            actor,
            witness,
            ConsentKind.notify,
            wanted,
            channel=channel,
            notes="Recorded with the witness's contact preferences.",
        )
        changed.append(f"{'+' if wanted else '-'}{channel.value}")
    return changed


def preference_history(session: Session, witness_id: int) -> list[ContactPreference]:
    """Every set of preferences the witness gave, newest first."""
    return list(
        session.scalars(
            select(ContactPreference)
            .where(ContactPreference.witness_id == witness_id)
            .order_by(ContactPreference.id.desc())
        )
    )


def is_read_only_for(actor: User, witness: Witness) -> bool:
    """NGO workers the witness shares identity with read the preferences, but only the owning
    office records them."""
    return not can_manage_witness(actor, witness)
