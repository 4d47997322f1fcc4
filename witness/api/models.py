"""What the API keeps of its own: the first answers to requests sent with an Idempotency-Key."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from witness.db import Base, intpk


class IdempotencyKey(Base):
    """A POST sent with an ``Idempotency-Key``: the key, who sent it, a fingerprint of the
    request, and its first answer, so that sending it again returns that answer and creates
    nothing. Kept for a day (``expires_dt``), then purged by a sweep."""

    __tablename__ = "idempotency_keys"
    # A key is the caller's: two integrations choosing the same UUID-like key never meet.
    __table_args__ = (UniqueConstraint("user_id", "key"),)

    id: Mapped[intpk]
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    #: as the caller sent it (printable ASCII, at most 255 characters)
    key: Mapped[str] = mapped_column(String(255))
    method: Mapped[str] = mapped_column(String(10))
    #: the path and query string the key was first sent to
    path: Mapped[str] = mapped_column(Text)
    #: hex SHA-256 of the method, path and body (JSON compared by content, not layout)
    request_hash: Mapped[str] = mapped_column(String(64))
    created_dt: Mapped[datetime]
    expires_dt: Mapped[datetime] = mapped_column(index=True)
    #: the first answer; no status yet while that request is still being answered
    status: Mapped[int | None]
    body: Mapped[bytes | None] = mapped_column(LargeBinary)
    #: the headers a retry needs again (Content-Type, Location)
    headers: Mapped[dict | None] = mapped_column(JSON)
