"""After the trial: the victim's impact statement, compensation (lodged, ordered, paid in
instalments) and property held as evidence (returned when and to whom)."""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, Index, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from witness.auth.models import User
from witness.cases.models import Case
from witness.core.i18n import gettext
from witness.core.time import now_utc
from witness.db import Base, enum_column, intpk
from witness.outcomes.models import OutcomeEvent
from witness.people.models import Witness


class StatementStatus(enum.Enum):
    offered = "offered"
    declined = "declined"
    written = "written"
    submitted = "submitted"
    considered = "considered"  #: read by the court at sentencing

    @property
    def label(self) -> str:
        return {
            "offered": gettext("Offered"),
            "declined": gettext("Declined"),
            "written": gettext("Written"),
            "submitted": gettext("Submitted"),
            "considered": gettext("Considered"),
        }[self.value]


class ImpactStatement(Base):
    """A victim impact statement: offered, written, submitted, considered at sentencing."""

    __tablename__ = "impact_statements"
    __table_args__ = (Index("ix_impact_statements_witness", "witness_id", "case_id"),)

    id: Mapped[intpk]
    witness_id: Mapped[int] = mapped_column(ForeignKey("witnesses.id"))
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"))
    status: Mapped[StatementStatus] = enum_column(StatementStatus)
    offered_date: Mapped[date | None]
    written_date: Mapped[date | None]
    submitted_date: Mapped[date | None]
    considered_date: Mapped[date | None]
    #: the sentence event at which the court considered it (when one is recorded)
    sentence_event_id: Mapped[int | None] = mapped_column(ForeignKey("outcome_events.id"))
    note: Mapped[str] = mapped_column(Text, default="")
    updated_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    updated_dt: Mapped[datetime] = mapped_column(default=now_utc, onupdate=now_utc)

    witness: Mapped[Witness] = relationship()
    case: Mapped[Case] = relationship()
    sentence_event: Mapped[OutcomeEvent | None] = relationship()


class ClaimStatus(enum.Enum):
    lodged = "lodged"
    ordered = "ordered"  #: the court ordered it (tied to the sentence's compensation order)
    paying = "paying"
    paid = "paid"
    refused = "refused"
    withdrawn = "withdrawn"

    @property
    def label(self) -> str:
        return {
            "lodged": gettext("Lodged"),
            "ordered": gettext("Ordered"),
            "paying": gettext("Paying"),
            "paid": gettext("Paid"),
            "refused": gettext("Refused"),
            "withdrawn": gettext("Withdrawn"),
        }[self.value]


class ClaimRoute(enum.Enum):
    """Where the money is asked of: the court (an order against the offender) or a state
    compensation scheme."""

    court_order = "court_order"
    scheme = "scheme"

    @property
    def label(self) -> str:
        return {
            "court_order": gettext("Court order"),
            "scheme": gettext("Compensation scheme"),
        }[self.value]


class CompensationClaim(Base):
    """Compensation for the victim: lodged, ordered (tied to a sentence's order), paid."""

    __tablename__ = "compensation_claims"
    __table_args__ = (Index("ix_compensation_claims_witness", "witness_id", "case_id"),)

    id: Mapped[intpk]
    witness_id: Mapped[int] = mapped_column(ForeignKey("witnesses.id"))
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"))
    status: Mapped[ClaimStatus] = enum_column(ClaimStatus)
    route: Mapped[ClaimRoute] = enum_column(ClaimRoute, default=ClaimRoute.court_order)
    lodged_date: Mapped[date | None]
    #: what the victim asked for, in ``currency`` (None when not stated)
    amount_claimed: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    #: the sentence event whose compensation order decided it
    order_event_id: Mapped[int | None] = mapped_column(ForeignKey("outcome_events.id"))
    amount_ordered: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    currency: Mapped[str | None] = mapped_column(String(3))
    note: Mapped[str] = mapped_column(Text, default="")
    updated_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    updated_dt: Mapped[datetime] = mapped_column(default=now_utc, onupdate=now_utc)

    witness: Mapped[Witness] = relationship()
    case: Mapped[Case] = relationship()
    order_event: Mapped[OutcomeEvent | None] = relationship()
    payments: Mapped[list[CompensationPayment]] = relationship(
        back_populates="claim", order_by="CompensationPayment.paid_date"
    )


class CompensationPayment(Base):
    """One instalment received for the victim."""

    __tablename__ = "compensation_payments"

    id: Mapped[intpk]
    claim_id: Mapped[int] = mapped_column(ForeignKey("compensation_claims.id"), index=True)
    paid_date: Mapped[date]
    amount: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    recorded_dt: Mapped[datetime] = mapped_column(default=now_utc)

    claim: Mapped[CompensationClaim] = relationship(back_populates="payments")
    recorded_by: Mapped[User] = relationship()


class PropertyStatus(enum.Enum):
    held = "held"  #: held as evidence
    ready_for_return = "ready_for_return"  #: released by the court: the owner may collect it
    returned = "returned"
    retained = "retained"  #: kept by order of the court
    destroyed = "destroyed"

    @property
    def label(self) -> str:
        return {
            "held": gettext("Held as evidence"),
            "ready_for_return": gettext("Ready for return"),
            "returned": gettext("Returned"),
            "retained": gettext("Retained"),
            "destroyed": gettext("Destroyed"),
        }[self.value]


class PropertyItem(Base):
    """Something of the witness's held as evidence, and its return."""

    __tablename__ = "property_items"
    __table_args__ = (Index("ix_property_items_witness", "witness_id", "case_id"),)

    id: Mapped[intpk]
    witness_id: Mapped[int] = mapped_column(ForeignKey("witnesses.id"))
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"))
    description: Mapped[str] = mapped_column(String(500))
    status: Mapped[PropertyStatus] = enum_column(PropertyStatus, default=PropertyStatus.held)
    #: where it is kept (a police store, the court's exhibits office)
    held_at: Mapped[str] = mapped_column(String(200), default="")
    held_since: Mapped[date | None]
    returned_date: Mapped[date | None]
    returned_to: Mapped[str] = mapped_column(String(200), default="")
    #: who handed it back (an officer of the store, a member of staff)
    returned_by: Mapped[str] = mapped_column(String(200), default="")
    #: the court's order to retain or destroy it (its reference and date)
    disposal_order: Mapped[str] = mapped_column(String(300), default="")
    note: Mapped[str] = mapped_column(Text, default="")
    updated_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    updated_dt: Mapped[datetime] = mapped_column(default=now_utc, onupdate=now_utc)

    witness: Mapped[Witness] = relationship()
    case: Mapped[Case] = relationship()
