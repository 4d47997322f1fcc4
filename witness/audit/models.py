"""Audit events: who read or changed what, when, from where. Append-only, and chained: the
sealer (``audit.chain``) gives each event its place in one keyed chain after it is written."""

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
        #: one place per event in the chain; the unsealed (NULL) are the sealer's work
        Index("ix_audit_events_seq", "seq", unique=True),
        #: what one person read lately (``audit.watch``): a short range of one index
        Index("ix_audit_events_actor_dt", "actor_id", "occurred_dt"),
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
    # The seal, set once by the sealer and never again (a database trigger refuses any other
    # change): the event's place in the chain, the MAC of the event before it, and its own
    # MAC, HMAC-SHA256 under the ledger's key ``key_id`` (kept outside the database).
    seq: Mapped[int | None]
    prev_mac: Mapped[str | None] = mapped_column(String(64))
    mac: Mapped[str | None] = mapped_column(String(64))
    key_id: Mapped[str | None] = mapped_column(String(40))

    actor: Mapped[User | None] = relationship()
