"""Access requests and correction requests made by a witness about the data held on them."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from witness.audit.models import AuditEvent
from witness.auth.models import User
from witness.core.encrypted import EncryptedText
from witness.core.i18n import gettext
from witness.core.time import now_utc
from witness.db import Base, enum_column, intpk
from witness.people.models import Witness


class AccessRequest(Base):
    """A witness asked for a copy of everything held about them (GDPR article 15)."""

    __tablename__ = "access_requests"
    __table_args__ = (Index("ix_access_requests_witness", "witness_id", "id"),)

    id: Mapped[intpk]
    witness_id: Mapped[int] = mapped_column(ForeignKey("witnesses.id"))
    #: the day the request reached the office (the answer is due a month after)
    received_date: Mapped[date]
    #: how the requester was known to be the witness (or their guardian): a copy must never go
    #: to someone who only claims to be them, a trafficker among them
    identity_check: Mapped[str] = mapped_column(EncryptedText("access_requests.identity_check"))
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    recorded_dt: Mapped[datetime] = mapped_column(default=now_utc)

    recorded_by: Mapped[User] = relationship()


class CorrectionOutcome(enum.Enum):
    corrected = "corrected"  #: the file was put right through its edit form
    partly = "partly"  #: some of it put right, the rest refused with a reason
    refused = "refused"  #: nothing changed, with the reason the witness is told

    @property
    def label(self) -> str:
        return {
            "corrected": gettext("Corrected"),
            "partly": gettext("Partly corrected"),
            "refused": gettext("Refused"),
        }[self.value]


class CorrectionRequest(Base):
    """A witness says something held about them is wrong (GDPR article 16); answered within a
    month of receipt, by an edit made through the file's own form or a refusal with reasons."""

    __tablename__ = "correction_requests"
    __table_args__ = (
        Index("ix_correction_requests_witness", "witness_id", "id"),
        #: the open requests past their due date, across an office
        Index("ix_correction_requests_open_due", "outcome", "due_date"),
    )

    id: Mapped[intpk]
    witness_id: Mapped[int] = mapped_column(ForeignKey("witnesses.id"))
    received_date: Mapped[date]
    #: what the witness says is wrong, in their words or as the officer noted them
    request: Mapped[str] = mapped_column(EncryptedText("correction_requests.request"))
    #: received_date plus the configured answer period (``CORRECTION_DUE_MONTHS``)
    due_date: Mapped[date]
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    recorded_dt: Mapped[datetime] = mapped_column(default=now_utc)
    #: None while the request is open
    outcome: Mapped[CorrectionOutcome | None] = enum_column(CorrectionOutcome)
    #: why it was refused (all or in part); empty when corrected in full
    reason: Mapped[str] = mapped_column(Text, default="")
    #: the ``witness.update`` audit event of the edit that corrected it: which fields, by whom
    edit_event_id: Mapped[int | None] = mapped_column(ForeignKey("audit_events.id"))
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_dt: Mapped[datetime | None]

    recorded_by: Mapped[User] = relationship(foreign_keys=[recorded_by_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])
    edit_event: Mapped[AuditEvent | None] = relationship()
    witness: Mapped[Witness] = relationship()

    def is_overdue(self, today: date) -> bool:
        """Still open after its due date."""
        return self.outcome is None and self.due_date < today

    @property
    def fields_corrected(self) -> list[str]:
        return list((self.edit_event.detail or {}).get("fields", [])) if self.edit_event else []
