"""A witness file's closures and legal holds. The mark of an anonymised file is
``Witness.anonymised_dt`` (people), read by need to know."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from witness.auth.models import User
from witness.core.time import now_utc
from witness.db import Base, intpk
from witness.people.models import Witness


class FileClosure(Base):
    """One closing of a witness's file; reopened (before anonymisation) keeps the row, so the
    history stays. The closure with no ``reopened_dt`` is the one in force."""

    __tablename__ = "file_closures"
    __table_args__ = (Index("ix_file_closures_witness", "witness_id", "reopened_dt"),)

    id: Mapped[intpk]
    witness_id: Mapped[int] = mapped_column(ForeignKey("witnesses.id"))
    #: the retention period runs from here
    closed_dt: Mapped[datetime] = mapped_column(default=now_utc)
    closed_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    reason: Mapped[str] = mapped_column(Text)
    #: the channel the final notice went by ("" when none could go)
    notice_channel: Mapped[str] = mapped_column(String(20), default="")
    #: the e-mail carrying the final notice, when it went by e-mail
    notice_email_id: Mapped[int | None] = mapped_column(ForeignKey("outbound_emails.id"))
    #: why no final notice was sent (opted out, no channel consented), for the file
    no_notice_reason: Mapped[str] = mapped_column(String(300), default="")
    reopened_dt: Mapped[datetime | None]
    reopened_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reopen_reason: Mapped[str] = mapped_column(Text, default="")

    witness: Mapped[Witness] = relationship()
    closed_by: Mapped[User] = relationship(foreign_keys=[closed_by_id])
    reopened_by: Mapped[User | None] = relationship(foreign_keys=[reopened_by_id])


class LegalHold(Base):
    """A supervisor's hold on a witness's file (an appeal pending, a civil claim, an inquiry):
    while it stands the file is never anonymised. Lifted, never deleted."""

    __tablename__ = "legal_holds"
    __table_args__ = (Index("ix_legal_holds_witness", "witness_id", "lifted_dt"),)

    id: Mapped[intpk]
    witness_id: Mapped[int] = mapped_column(ForeignKey("witnesses.id"))
    reason: Mapped[str] = mapped_column(Text)
    placed_dt: Mapped[datetime] = mapped_column(default=now_utc)
    placed_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    lifted_dt: Mapped[datetime | None]
    lifted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    lift_reason: Mapped[str] = mapped_column(Text, default="")

    witness: Mapped[Witness] = relationship()
    placed_by: Mapped[User] = relationship(foreign_keys=[placed_by_id])
    lifted_by: Mapped[User | None] = relationship(foreign_keys=[lifted_by_id])
