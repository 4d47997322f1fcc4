"""Audit events: who read or changed what, when, from where. Append-only."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from witness.auth.models import User
from witness.core.time import now_utc
from witness.db import Base, intpk


class AuditEvent(Base):
    __tablename__ = "audit_events"
    __table_args__ = (
        Index("ix_audit_events_object", "object_type", "object_id"),
        Index("ix_audit_events_witness_dt", "witness_id", "occurred_dt"),
    )

    id: Mapped[intpk]
    occurred_dt: Mapped[datetime] = mapped_column(default=now_utc, index=True)
    #: None for anonymous events such as a failed sign-in
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    #: e.g. ``witness.view``, ``witness.refused``, ``participation.phase_change``
    action: Mapped[str] = mapped_column(String(60))
    object_type: Mapped[str] = mapped_column(String(40))
    object_id: Mapped[int | None]
    #: the witness concerned, so a witness's whole access history is one indexed query
    witness_id: Mapped[int | None]
    remote_addr: Mapped[str | None] = mapped_column(String(64))
    detail: Mapped[dict] = mapped_column(JSON, default=dict)

    actor: Mapped[User | None] = relationship()
