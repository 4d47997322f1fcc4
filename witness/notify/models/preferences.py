"""How a witness wants to be told what happens in their case: which news, by which channels in
which order, at which safe address or phone, in which language, or through whom."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from witness.auth.models import Organisation, User
from witness.core.encrypted import EncryptedText
from witness.core.i18n import gettext
from witness.core.time import now_utc
from witness.db import Base, enum_column, intpk
from witness.outcomes.models import EventKind
from witness.people.models import Witness


class NewsWanted(enum.Enum):
    everything = "everything"
    key_stages = "key_stages"  #: the verdict, the sentence, release and escape only
    nothing = "nothing"  #: opted out: honoured everywhere, and can be reversed

    @property
    def label(self) -> str:
        return {
            "everything": gettext("Everything that happens in the case"),
            "key_stages": gettext("Verdict, sentence and release only"),
            "nothing": gettext("Nothing (opted out)"),
        }[self.value]


class EmailDetail(enum.Enum):
    """What an e-mail to the witness may say, for whoever else reads their mailbox."""

    call_me = "call_me"  #: "you have news from your support officer, please call"
    summary = "summary"  #: what happened, in plain words, no letter
    letter = "letter"  #: the summary and the letter attached

    @property
    def label(self) -> str:
        return {
            "call_me": gettext("Only that there is news: please call (a shared mailbox)"),
            "summary": gettext("What happened, in a few plain words"),
            "letter": gettext("What happened, with the letter attached"),
        }[self.value]


class ContactPreference(Base):
    """A witness's contact preferences, recorded with them by their office. The newest is in
    force (``is_current``); older ones stay as the history. Channels are a preference order;
    each still needs the witness's consent to that channel (``people.Consent``), which
    recording the preferences keeps in step."""

    __tablename__ = "contact_preferences"
    __table_args__ = (Index("ix_contact_preferences_witness", "witness_id", "is_current"),)

    id: Mapped[intpk]
    witness_id: Mapped[int] = mapped_column(ForeignKey("witnesses.id"))
    news_wanted: Mapped[NewsWanted] = enum_column(NewsWanted, default=NewsWanted.everything)
    #: ``people.Channel`` values, most wanted first (post, email, phone, via_ngo, in_person)
    channels: Mapped[list[str]] = mapped_column(JSON, default=list)
    #: a safe postal address (often the shelter's or the NGO's) and the name on the envelope
    postal_name: Mapped[str] = mapped_column(
        EncryptedText("contact_preferences.postal_name"), default=""
    )
    postal_address: Mapped[str] = mapped_column(
        EncryptedText("contact_preferences.postal_address"), default=""
    )
    #: the envelope says nothing at all about the sender (the default)
    discreet_envelope: Mapped[bool] = mapped_column(default=True)
    email: Mapped[str] = mapped_column(EncryptedText("contact_preferences.email"), default="")
    email_detail: Mapped[EmailDetail] = enum_column(EmailDetail, default=EmailDetail.call_me)
    #: a safe phone, when it is safe to call, and whether a message may be left
    phone: Mapped[str] = mapped_column(EncryptedText("contact_preferences.phone"), default="")
    safe_times: Mapped[str] = mapped_column(String(200), default="")
    may_leave_message: Mapped[bool] = mapped_column(default=False)
    #: the language letters and call scripts are in (a language code, e.g. "th")
    language: Mapped[str] = mapped_column(String(20), default="en")
    #: the NGO that tells the witness when "via_ngo" is a channel
    ngo_organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    #: someone to contact instead of the witness (a child's guardian, a trusted person)
    contact_person: Mapped[str] = mapped_column(
        EncryptedText("contact_preferences.contact_person"), default=""
    )
    contact_person_relation: Mapped[str] = mapped_column(String(100), default="")
    note: Mapped[str] = mapped_column(EncryptedText("contact_preferences.note"), default="")
    is_current: Mapped[bool] = mapped_column(default=True)
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    recorded_dt: Mapped[datetime] = mapped_column(default=now_utc)

    witness: Mapped[Witness] = relationship()
    ngo_organisation: Mapped[Organisation | None] = relationship()
    recorded_by: Mapped[User] = relationship()


def wants_news(preference: ContactPreference | None, kind: EventKind | None) -> bool:
    """Whether the witness asked to hear of an event of ``kind`` (no preferences recorded:
    they hear everything, as the code entitles them). ``kind`` None: a notice about their own
    file (its closing), which only opting out of everything stops."""
    wanted = preference.news_wanted if preference is not None else NewsWanted.everything
    if wanted is NewsWanted.nothing:
        return False
    return wanted is NewsWanted.everything or kind is None or kind.is_key_stage


def preferred_address(
    preference: ContactPreference | None, witness: Witness, channel_value: str
) -> str | None:
    """Where news by a channel goes: the safe address, e-mail or phone of the preferences in
    force when one is given, else the witness file's own."""
    own = {"post": witness.address, "email": witness.email, "phone": witness.phone}
    safe = {}
    if preference is not None:
        safe = {
            "post": preference.postal_address,
            "email": preference.email,
            "phone": preference.phone,
        }
    return (safe.get(channel_value) or "").strip() or own.get(channel_value)
