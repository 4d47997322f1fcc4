"""News a witness must be told (a decision on a measure, a moved hearing)."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Index, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from witness.auth.models import User
from witness.core.i18n import gettext
from witness.core.time import now_utc
from witness.db import Base, enum_column, intpk
from witness.people.models import Witness


class NewsKind(enum.Enum):
    special_measure_decision = "special_measure_decision"
    hearing_moved = "hearing_moved"
    hearing_vacated = "hearing_vacated"
    case_outcome = "case_outcome"  #: a verdict, or the case discontinued

    @property
    def label(self) -> str:
        return {
            "special_measure_decision": gettext("Special measure decision"),
            "hearing_moved": gettext("Hearing moved"),
            "hearing_vacated": gettext("Hearing vacated"),
            "case_outcome": gettext("Case outcome"),
        }[self.value]


class News(Base):
    """Something the witness must be told (a decision on a measure, a moved hearing), until
    someone records that they were told."""

    __tablename__ = "news"
    __table_args__ = (Index("ix_news_witness_told", "witness_id", "told_dt"),)

    id: Mapped[intpk]
    witness_id: Mapped[int] = mapped_column(ForeignKey("witnesses.id"))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"))
    kind: Mapped[NewsKind] = enum_column(NewsKind)
    summary: Mapped[str] = mapped_column(Text)
    created_dt: Mapped[datetime] = mapped_column(default=now_utc)
    told_dt: Mapped[datetime | None]
    told_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    told_note: Mapped[str] = mapped_column(Text, default="")

    witness: Mapped[Witness] = relationship()
    told_by: Mapped[User | None] = relationship()
