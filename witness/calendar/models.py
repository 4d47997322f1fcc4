"""Calendar subscription feeds: one secret URL per member of staff or per witness."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from witness.auth.models import User
from witness.core.time import now_utc
from witness.db import Base, intpk
from witness.people.models import Witness


class CalendarFeed(Base):
    """A revocable subscription URL. Only the SHA-256 of its token is stored."""

    __tablename__ = "calendar_feeds"
    __table_args__ = (Index("ix_calendar_feeds_user", "user_id"),)

    id: Mapped[intpk]
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    #: exactly one of these: a member of staff's own feed, or a witness's private feed
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    witness_id: Mapped[int | None] = mapped_column(ForeignKey("witnesses.id"), index=True)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_dt: Mapped[datetime] = mapped_column(default=now_utc)
    revoked_dt: Mapped[datetime | None]
    last_used_dt: Mapped[datetime | None]

    user: Mapped[User | None] = relationship(foreign_keys=[user_id])
    witness: Mapped[Witness | None] = relationship()
    created_by: Mapped[User] = relationship(foreign_keys=[created_by_id])
