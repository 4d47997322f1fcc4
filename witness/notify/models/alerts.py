"""Alerts to staff: a deadline passed, calls failed, a risk review is due. Shown on the
dashboard and e-mailed to staff (never to a witness); each made once."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from witness.auth.models import User
from witness.core.time import now_utc
from witness.db import Base, intpk


class StaffAlert(Base):
    """Something a member of staff must look at, with where to look."""

    __tablename__ = "staff_alerts"
    __table_args__ = (
        #: an alert is made once per reason and person, however often a sweep runs
        UniqueConstraint("user_id", "key"),
        Index("ix_staff_alerts_user_unseen", "user_id", "seen_dt"),
    )

    id: Mapped[intpk]
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    #: what it is about, unique per person ("breach:task:17", "calls:task:17")
    key: Mapped[str] = mapped_column(String(120))
    #: a short text shown on the dashboard: references, never names
    message: Mapped[str] = mapped_column(Text)
    #: the page to open (a path within Witness)
    url: Mapped[str] = mapped_column(String(300), default="")
    witness_id: Mapped[int | None] = mapped_column(ForeignKey("witnesses.id"))
    created_dt: Mapped[datetime] = mapped_column(default=now_utc)
    seen_dt: Mapped[datetime | None]

    user: Mapped[User] = relationship()
