"""Rooms of courts and remote witness sites, and the periods they are withdrawn from use."""

from __future__ import annotations

import enum
from datetime import datetime, time

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from witness.cases.models import Court
from witness.core.i18n import gettext
from witness.core.time import now_utc
from witness.db import Base, enum_column, intpk, str200


class ResourceKind(enum.Enum):
    courtroom = "courtroom"
    video_link_suite = "video_link_suite"
    #: a room away from the court from which a witness gives evidence by live link
    remote_site = "remote_site"
    #: a waiting room apart from the defendant's family and supporters
    waiting_room = "waiting_room"

    @property
    def label(self) -> str:
        return {
            "courtroom": gettext("Courtroom"),
            "video_link_suite": gettext("Video-link suite"),
            "remote_site": gettext("Remote witness site"),
            "waiting_room": gettext("Separate waiting room"),
        }[self.value]


class Resource(Base):
    """A room of a court, or a remote witness site that belongs to it."""

    __tablename__ = "resources"
    __table_args__ = (UniqueConstraint("court_id", "name"),)

    id: Mapped[intpk]
    court_id: Mapped[int] = mapped_column(ForeignKey("courts.id"), index=True)
    kind: Mapped[ResourceKind] = enum_column(ResourceKind)
    name: Mapped[str200]
    #: where a remote site is: shown only to staff who book it or attend there
    location: Mapped[str] = mapped_column(String(500), default="")
    #: opening hours in the court's timezone, the same on each open weekday
    opens_at: Mapped[time] = mapped_column(default=time(8, 0))
    closes_at: Mapped[time] = mapped_column(default=time(18, 0))
    #: ISO weekdays it is open, Monday = 1 ("12345" = Monday to Friday)
    open_weekdays: Mapped[str] = mapped_column(String(7), default="12345")
    is_active: Mapped[bool] = mapped_column(default=True)

    court: Mapped[Court] = relationship()
    withdrawals: Mapped[list[ResourceWithdrawal]] = relationship(
        back_populates="resource", order_by="ResourceWithdrawal.start_dt"
    )

    @property
    def is_sensitive(self) -> bool:
        return self.kind is ResourceKind.remote_site


class ResourceWithdrawal(Base):
    """A period a resource may not be booked (repairs, another use)."""

    __tablename__ = "resource_withdrawals"
    __table_args__ = (Index("ix_resource_withdrawals_resource_start", "resource_id", "start_dt"),)

    id: Mapped[intpk]
    resource_id: Mapped[int] = mapped_column(ForeignKey("resources.id"))
    start_dt: Mapped[datetime]
    end_dt: Mapped[datetime]
    reason: Mapped[str] = mapped_column(Text)
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    recorded_dt: Mapped[datetime] = mapped_column(default=now_utc)

    resource: Mapped[Resource] = relationship(back_populates="withdrawals")
