"""The final notice when a witness's file is closed: on the first channel their contact
preferences and consent allow, through the notification machinery (the outbox for e-mail, the
officer's alert for a letter, a call or a visit), or none, with the reason kept on the file.

The delivery check is the one for news (``access.notification_refusal``, with no event kind:
only opting out of everything stops it), asked when the notice is queued and again when the
e-mail is handed over (``notify.mail.delivery_refusal``)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from witness.core.access import current_preference, notification_refusal
from witness.core.i18n import gettext, in_language
from witness.notify.delivery import alert, officers_of, supervisors_of, task_channels
from witness.notify.mail import enqueue_email
from witness.notify.models import NewsWanted, preferred_address
from witness.people.models import Channel, Witness
from witness.retention.models import FileClosure

#: the channels a notice is sent to an address by; the others need a person to act
ADDRESSED = (Channel.post, Channel.email, Channel.phone)


def notice_channel(session: Session, witness: Witness) -> tuple[Channel | None, str | None, str]:
    """The channel and address the final notice may go by now, or (None, None, why not)."""
    preference = current_preference(session, witness.id)
    if preference is not None and preference.news_wanted is NewsWanted.nothing:
        return None, None, "The witness opted out of all news: no final notice."
    channels = task_channels(session, witness, preference)
    if not channels:
        return None, None, "No channel is consented to: no final notice."
    refusals = []
    for channel in channels:
        address = (
            preferred_address(preference, witness, channel.value) if channel in ADDRESSED else None
        )
        refusal = notification_refusal(session, witness, channel, address, None)
        if refusal is None:
            return channel, address, ""
        refusals.append(f"{channel.value}: {refusal.label}")
    return None, None, f"No channel may carry it ({'; '.join(refusals)}): no final notice."[:300]


def _email_body(office_phone: str) -> str:
    # Discreet, like every mail to a witness: whoever else reads the mailbox learns nothing of
    # a case; the officer explains on the phone.
    lines = [
        gettext("Hello,"),
        "",
        gettext("This is a message from your support officer: your file with us is now closed."),
    ]
    if office_phone:
        lines.append(
            gettext(
                "If you need help again or have a question, please call %(line)s.",
                line=office_phone,
            )
        )
    return "\n".join(lines) + "\n"


def send_final_notice(
    session: Session, witness: Witness, closure: FileClosure, office_phone: str = ""
) -> None:
    """Queue the final notice for ``closure`` and record on it the channel, or why none."""
    channel, address, why_not = notice_channel(session, witness)
    if channel is None:
        closure.no_notice_reason = why_not
        return
    closure.notice_channel = channel.value
    if channel is Channel.email:
        preference = current_preference(session, witness.id)
        with in_language(preference.language if preference is not None else "en"):
            subject = gettext("A message for you")
            body = _email_body(office_phone)
        email = enqueue_email(
            session,
            organisation_id=witness.organisation_id,
            to_address=address or "",
            subject=subject,
            body=body,
            witness_id=witness.id,
        )
        session.flush()
        closure.notice_email_id = email.id
        return
    # A letter, a call, a visit or the NGO worker: the officer (or, with none, the
    # supervisors) gives the notice, as with news no e-mail can carry.
    users = officers_of(session, witness) or supervisors_of(session, witness.organisation_id)
    alert(
        session,
        users,
        f"final-notice:{closure.id}",
        f"File closed for {witness.reference}: give the final notice ({channel.value}).",
        f"/witnesses/{witness.id}",
        witness.id,
    )
