"""Outgoing e-mail: an outbox the sender sweeps."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from witness.core.encrypted import EncryptedBytes, EncryptedText
from witness.core.i18n import gettext
from witness.core.time import now_utc
from witness.db import Base, enum_column, intpk, str200


class MailStatus(enum.Enum):
    pending = "pending"
    sent = "sent"
    failed = "failed"  #: gave up after the last retry; shown to staff, can be retried by hand
    #: not handed over: the recipient may no longer be sent it (see ``withheld_reason``)
    withheld = "withheld"

    @property
    def label(self) -> str:
        return {
            "pending": gettext("Pending"),
            "sent": gettext("Sent"),
            "failed": gettext("Failed"),
            "withheld": gettext("Not sent"),
        }[self.value]


class WithheldReason(enum.Enum):
    """Why a message was not handed over, found when it was due (consent and addresses are
    checked again at delivery, not only when the message was queued)."""

    consent_withdrawn = "consent_withdrawn"
    address_changed = "address_changed"
    no_address = "no_address"
    account_disabled = "account_disabled"
    #: the witness no longer wants this news (contact preferences)
    opted_out = "opted_out"
    #: the witness's preferences no longer list this channel
    channel_not_chosen = "channel_not_chosen"

    @property
    def label(self) -> str:
        return {
            "consent_withdrawn": gettext("consent withdrawn"),
            "address_changed": gettext("the address changed"),
            "no_address": gettext("no address on file"),
            "account_disabled": gettext("account disabled"),
            "opted_out": gettext("the witness opted out of this news"),
            "channel_not_chosen": gettext("the witness no longer wants news this way"),
        }[self.value]


class OutboundEmail(Base):
    """One e-mail to one recipient, written in the transaction that caused it, sent by a sweep."""

    __tablename__ = "outbound_emails"
    __table_args__ = (
        #: the sender's sweep: what is due now
        Index("ix_outbound_emails_status_next", "status", "next_attempt_dt"),
        #: an office's outbox page, newest first
        Index("ix_outbound_emails_organisation_id", "organisation_id", "id"),
        #: the mail a notification task carries; partial, as most mail is invites (no task),
        #: and SQLite's statistics count those NULLs as one value, so a full index looked
        #: useless to its planner and the delivery sweep scanned the whole outbox
        Index(
            "ix_outbound_emails_task_id",
            "task_id",
            postgresql_where=text("task_id IS NOT NULL"),
            sqlite_where=text("task_id IS NOT NULL"),
        ),
    )

    id: Mapped[intpk]
    #: the office whose staff see it in the outbox
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    to_address: Mapped[str] = mapped_column(EncryptedText("outbound_emails.to_address"))
    #: discreet: it is read on a lock screen
    subject: Mapped[str200]
    body: Mapped[str] = mapped_column(EncryptedText("outbound_emails.body"))
    #: an .ics attachment, when there is one
    attachment_name: Mapped[str | None] = mapped_column(String(100))
    attachment: Mapped[bytes | None] = mapped_column(EncryptedBytes("outbound_emails.attachment"))
    #: what the mail is about, for the outbox page and the appointment's delivery status
    appointment_id: Mapped[int | None] = mapped_column(ForeignKey("appointments.id"), index=True)
    witness_id: Mapped[int | None] = mapped_column(ForeignKey("witnesses.id"))
    #: the member of staff it is for (None for a witness's mail); checked again at delivery
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    #: the notification task it carries: sending it is a contact attempt on that task
    task_id: Mapped[int | None] = mapped_column(ForeignKey("notification_tasks.id"))
    status: Mapped[MailStatus] = enum_column(MailStatus, default=MailStatus.pending)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_dt: Mapped[datetime] = mapped_column(default=now_utc)
    #: a sender claims a row until then, so two sweeps never send the same mail
    claimed_until_dt: Mapped[datetime | None]
    last_error: Mapped[str] = mapped_column(Text, default="")
    withheld_reason: Mapped[WithheldReason | None] = enum_column(WithheldReason)
    created_dt: Mapped[datetime] = mapped_column(default=now_utc)
    sent_dt: Mapped[datetime | None]
