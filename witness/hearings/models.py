"""Special measures: a protective measure for one witness at one hearing, from proposal to the
court's decision. (Hearings and their changes stay with their case in ``witness.cases.models``.)"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from witness.cases.models import Hearing
from witness.core.i18n import gettext
from witness.core.time import now_utc
from witness.db import Base, enum_column, intpk
from witness.people.models import Witness


class MeasureKind(enum.Enum):
    video_link = "video_link"
    screens = "screens"
    evidence_in_private = "evidence_in_private"
    support_person = "support_person"
    pre_recorded_evidence_in_chief = "pre_recorded_evidence_in_chief"
    pre_recorded_cross_examination = "pre_recorded_cross_examination"
    intermediary = "intermediary"
    communication_aids = "communication_aids"
    removal_of_wigs_and_gowns = "removal_of_wigs_and_gowns"
    interpreter = "interpreter"

    @property
    def label(self) -> str:
        return {
            "video_link": gettext("Video or live link"),
            "screens": gettext("Screens"),
            "evidence_in_private": gettext("Evidence in private"),
            "support_person": gettext("Support person present"),
            "pre_recorded_evidence_in_chief": gettext("Pre-recorded evidence-in-chief"),
            "pre_recorded_cross_examination": gettext("Pre-recorded cross-examination"),
            "intermediary": gettext("Intermediary"),
            "communication_aids": gettext("Communication aids"),
            "removal_of_wigs_and_gowns": gettext("Removal of wigs and gowns"),
            "interpreter": gettext("Interpreter"),
        }[self.value]


class MeasureStatus(enum.Enum):
    proposed = "proposed"
    applied = "applied"
    granted = "granted"
    refused = "refused"
    withdrawn = "withdrawn"

    @property
    def label(self) -> str:
        return {
            "proposed": gettext("Proposed"),
            "applied": gettext("Applied"),
            "granted": gettext("Granted"),
            "refused": gettext("Refused"),
            "withdrawn": gettext("Withdrawn"),
        }[self.value]


class SpecialMeasure(Base):
    """A protective measure for one witness at one hearing, proposal to the court's decision."""

    __tablename__ = "special_measures"
    __table_args__ = (UniqueConstraint("witness_id", "hearing_id", "kind"),)

    id: Mapped[intpk]
    witness_id: Mapped[int] = mapped_column(ForeignKey("witnesses.id"), index=True)
    hearing_id: Mapped[int] = mapped_column(ForeignKey("hearings.id"), index=True)
    kind: Mapped[MeasureKind] = enum_column(MeasureKind)
    status: Mapped[MeasureStatus] = enum_column(MeasureStatus, default=MeasureStatus.proposed)
    #: proposed by the system because the witness is a child or a trafficking complainant
    is_standard: Mapped[bool] = mapped_column(default=False)
    proposed_dt: Mapped[datetime] = mapped_column(default=now_utc)
    applied_dt: Mapped[datetime | None]
    decided_dt: Mapped[datetime | None]
    decision_note: Mapped[str] = mapped_column(Text, default="")
    proposed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    witness: Mapped[Witness] = relationship()
    hearing: Mapped[Hearing] = relationship()
