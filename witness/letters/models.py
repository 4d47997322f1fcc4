"""Letters to witnesses: each one rendered once to a PDF that is kept (bytes and hash), so a
reprint is the same letter; printed in batches, posted, and sometimes returned. A translation
of a letter kind (or of the e-mails, or the call scripts) is used only once a person reviewed
it (``TranslationReview``)."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from witness.auth.models import Organisation, User
from witness.core.encrypted import EncryptedBytes, EncryptedText
from witness.core.i18n import gettext
from witness.core.time import now_utc
from witness.db import Base, enum_column, intpk
from witness.people.models import Witness


class LetterStatus(enum.Enum):
    queued = "queued"  #: waiting for the next print batch
    printed = "printed"  #: in a print batch, not yet posted
    posted = "posted"
    returned = "returned"  #: came back: the task moves to the next channel
    withheld = "withheld"  #: not printed: consent or preferences forbid it now
    cancelled = "cancelled"

    @property
    def label(self) -> str:
        return {
            "queued": gettext("Queued"),
            "printed": gettext("Printed"),
            "posted": gettext("Posted"),
            "returned": gettext("Returned"),
            "withheld": gettext("Not printed"),
            "cancelled": gettext("Cancelled"),
        }[self.value]


class Letter(Base):
    """One letter to one witness (or the person to write to instead), about one thing."""

    __tablename__ = "letters"
    __table_args__ = (
        #: an office's letters waiting for the next print batch
        Index("ix_letters_organisation_status", "organisation_id", "status"),
        Index("ix_letters_witness", "witness_id", "id"),
    )

    id: Mapped[intpk]
    #: the office that prints and posts it
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    witness_id: Mapped[int] = mapped_column(ForeignKey("witnesses.id"))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"))
    #: the notification task it carries (None for a letter about a post-trial matter)
    task_id: Mapped[int | None] = mapped_column(ForeignKey("notification_tasks.id"), index=True)
    #: which template: an event kind ("verdict") or a post-trial matter ("vis_invitation")
    kind: Mapped[str] = mapped_column(String(40))
    #: the language it is written in (a language code, e.g. "en", "th")
    language: Mapped[str] = mapped_column(String(20))
    status: Mapped[LetterStatus] = enum_column(LetterStatus, default=LetterStatus.queued)
    #: the envelope as addressed when the letter was made (a safe address, never the file's)
    recipient_name: Mapped[str] = mapped_column(EncryptedText("letters.recipient_name"), default="")
    recipient_address: Mapped[str] = mapped_column(
        EncryptedText("letters.recipient_address"), default=""
    )
    #: the PDF, kept so a reprint is byte for byte the same letter
    pdf: Mapped[bytes] = mapped_column(EncryptedBytes("letters.pdf"), deferred=True)
    sha256: Mapped[str] = mapped_column(String(64))
    pages: Mapped[int] = mapped_column(default=1)
    created_dt: Mapped[datetime] = mapped_column(default=now_utc)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("print_batches.id"), index=True)
    posted_dt: Mapped[datetime | None]
    posted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    returned_dt: Mapped[datetime | None]
    return_reason: Mapped[str] = mapped_column(Text, default="")
    withheld_reason: Mapped[str] = mapped_column(String(40), default="")

    witness: Mapped[Witness] = relationship()
    organisation: Mapped[Organisation] = relationship()
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    posted_by: Mapped[User | None] = relationship(foreign_keys=[posted_by_id])
    batch: Mapped[PrintBatch | None] = relationship(back_populates="letters")


class BatchStatus(enum.Enum):
    queued = "queued"
    running = "running"
    ready = "ready"
    failed = "failed"

    @property
    def label(self) -> str:
        return {
            "queued": gettext("Queued"),
            "running": gettext("Running"),
            "ready": gettext("Ready"),
            "failed": gettext("Failed"),
        }[self.value]


class PrintBatch(Base):
    """Every queued letter of an office at one time, as one PDF to print (each letter on its
    own sheets), built in the background with progress, then marked posted."""

    __tablename__ = "print_batches"
    __table_args__ = (Index("ix_print_batches_status", "status", "requested_dt"),)

    id: Mapped[intpk]
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    requested_dt: Mapped[datetime] = mapped_column(default=now_utc)
    status: Mapped[BatchStatus] = enum_column(BatchStatus, default=BatchStatus.queued)
    #: letters in the batch, and how many are laid out so far (for progress and an ETA)
    total: Mapped[int] = mapped_column(default=0)
    done: Mapped[int] = mapped_column(default=0)
    started_dt: Mapped[datetime | None]
    finished_dt: Mapped[datetime | None]
    #: a sender that dies leaves the batch to be taken up again once this passes
    claimed_until_dt: Mapped[datetime | None]
    error: Mapped[str] = mapped_column(Text, default="")
    pdf: Mapped[bytes | None] = mapped_column(EncryptedBytes("print_batches.pdf"), deferred=True)
    sha256: Mapped[str | None] = mapped_column(String(64))
    posted_dt: Mapped[datetime | None]

    requested_by: Mapped[User] = relationship()
    letters: Mapped[list[Letter]] = relationship(back_populates="batch", order_by="Letter.id")


class TranslationReview(Base):
    """A person who reads the language checked one template's translation: letters of ``kind``
    in ``language`` may be made while the catalogue is the one they read (its hash holds) and
    nobody revoked the review. Rows are never deleted: a revoked review is kept as history."""

    __tablename__ = "translation_reviews"
    __table_args__ = (Index("ix_translation_reviews_kind_language", "kind", "language", "id"),)

    id: Mapped[intpk]
    #: a letter kind ("sentence", "compensation_ordered"), or "email" / "call" for the e-mail
    #: bodies and the call scripts
    kind: Mapped[str] = mapped_column(String(40))
    #: the language code of the catalogue ("th", "vi")
    language: Mapped[str] = mapped_column(String(20))
    #: SHA-256 of the catalogue's translations when reviewed: a later edit of the .po un-reviews
    catalogue_sha256: Mapped[str] = mapped_column(String(64))
    reviewed_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    reviewed_dt: Mapped[datetime] = mapped_column(default=now_utc)
    #: who read it, in what capacity ("native speaker, court interpreter since 2015")
    note: Mapped[str] = mapped_column(Text, default="")
    revoked_dt: Mapped[datetime | None]
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    revoked_reason: Mapped[str] = mapped_column(Text, default="")

    reviewed_by: Mapped[User] = relationship(foreign_keys=[reviewed_by_id])
    revoked_by: Mapped[User | None] = relationship(foreign_keys=[revoked_by_id])
