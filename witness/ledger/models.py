"""The support ledger: every item given to a witness, append-only, hash-chained per case.

An entry is never changed: a mistake is corrected by a reversing entry that points at the
original, and an approval is a row of its own. Items, reversals and approvals share one chain
per case, numbered 1, 2, 3...: each stores the HMAC-SHA256, under a key kept outside the
database, of its canonical content and of the entry before it, so an alteration, a deletion or
a forged row made behind the application's back is found by walking the chain
(``witness.ledger.chain``); keyed checkpoints of each chain's length and head catch a chain cut
short.
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    Index,
    LargeBinary,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    event,
    text,
)
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from witness.auth.models import Organisation, User
from witness.core.i18n import gettext
from witness.core.time import now_utc
from witness.db import Base, enum_column, intpk
from witness.people.models import NeedsAssessment, Phase, Witness


class SupportCategory(enum.Enum):
    # Table 1 of the source guide
    safe_accommodation = "safe_accommodation"
    safety_security = "safety_security"
    counselling = "counselling"
    medical_dental = "medical_dental"
    education = "education"
    language_training = "language_training"
    vocational_training = "vocational_training"
    job_placement = "job_placement"
    livelihood_grant = "livelihood_grant"
    legal_counselling = "legal_counselling"
    compensation_assistance = "compensation_assistance"
    immigration_visa = "immigration_visa"
    # and the everyday costs of taking part in a case
    transport = "transport"
    meals_subsistence = "meals_subsistence"
    witness_expenses = "witness_expenses"
    childcare = "childcare"
    interpreting = "interpreting"
    communication = "communication"
    other = "other"

    @property
    def label(self) -> str:
        return {
            "safe_accommodation": gettext("Safe accommodation"),
            "safety_security": gettext("Safety and security measures"),
            "counselling": gettext("Psychological and social counselling"),
            "medical_dental": gettext("Medical and dental care"),
            "education": gettext("Education"),
            "language_training": gettext("Language training"),
            "vocational_training": gettext("Vocational training"),
            "job_placement": gettext("Job placement"),
            "livelihood_grant": gettext("Livelihood grant"),
            "legal_counselling": gettext("Legal counselling"),
            "compensation_assistance": gettext("Compensation assistance"),
            "immigration_visa": gettext("Immigration or visa assistance"),
            "transport": gettext("Transport"),
            "meals_subsistence": gettext("Meals and subsistence"),
            "witness_expenses": gettext("Witness expenses"),
            "childcare": gettext("Childcare"),
            "interpreting": gettext("Interpreting"),
            "communication": gettext("Communication"),
            "other": gettext("Other"),
        }[self.value]

    @property
    def is_cash_like(self) -> bool:
        """Money in hand, or as good as: always needs a second person's approval."""
        return self in (SupportCategory.livelihood_grant, SupportCategory.witness_expenses)


class SupportItem(Base):
    """One ledger entry: an item given, or the reversal of one."""

    __tablename__ = "support_items"
    __table_args__ = (
        #: the chain: one position per case, so two writers cannot fork it
        UniqueConstraint("case_id", "chain_seq"),
        Index("ix_support_items_witness_date", "witness_id", "date_provided"),
        #: the office's items awaiting approval: few of two million rows (cash-like ones)
        Index(
            "ix_support_items_needs_approval",
            "witness_id",
            postgresql_where=text("needs_approval"),
            sqlite_where=text("needs_approval = 1"),
        ),
    )

    id: Mapped[intpk]
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"))
    witness_id: Mapped[int] = mapped_column(ForeignKey("witnesses.id"))
    category: Mapped[SupportCategory] = enum_column(SupportCategory)
    description: Mapped[str] = mapped_column(String(500))
    quantity: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    unit: Mapped[str] = mapped_column(String(40))
    #: total value of the entry; negative for a reversal
    value: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    currency: Mapped[str] = mapped_column(String(3))
    #: cash, a voucher, a top-up card: anything spendable like money
    is_cash: Mapped[bool] = mapped_column(default=False)
    date_provided: Mapped[date]
    provider_organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    recorded_dt: Mapped[datetime] = mapped_column(default=now_utc)
    #: the need it meets, in words; linked to the assessed need where there is one
    rationale: Mapped[str] = mapped_column(Text)
    need_id: Mapped[int | None] = mapped_column(ForeignKey("needs_assessments.id"))
    #: the witness's phase in the case when the item was recorded
    phase: Mapped[Phase] = enum_column(Phase)
    #: set when the item counts only once a supervisor other than the recorder approves it
    needs_approval: Mapped[bool] = mapped_column(default=False)
    #: a reversal points at the entry it cancels, and says why
    reverses_id: Mapped[int | None] = mapped_column(ForeignKey("support_items.id"), unique=True)
    reversal_reason: Mapped[str] = mapped_column(Text, default="")
    #: the entry's number: its position in the case's chain (shared with approvals)
    chain_seq: Mapped[int]
    prev_hash: Mapped[str] = mapped_column(String(64))
    entry_hash: Mapped[str] = mapped_column(String(64))
    #: the ledger key whose HMAC ``entry_hash`` is; None for an entry hashed before keyed
    #: hashes (plain SHA-256, see ``chain.legacy_content``)
    key_id: Mapped[str | None] = mapped_column(String(40))

    witness: Mapped[Witness] = relationship()
    provider: Mapped[Organisation] = relationship()
    recorded_by: Mapped[User] = relationship()
    need: Mapped[NeedsAssessment | None] = relationship()
    reverses: Mapped[SupportItem | None] = relationship(remote_side="SupportItem.id")
    approval: Mapped[SupportApproval | None] = relationship(back_populates="item", uselist=False)


class SupportApproval(Base):
    """The second pair of eyes on an item; append-only like the items, and an entry of the same
    chain, so that deleting one or slipping one in is found. The database refuses an approval
    by the item's recorder (a trigger: a CHECK cannot read the item)."""

    __tablename__ = "support_approvals"
    __table_args__ = (
        #: its position in the case's chain; None only for approvals made before approvals
        #: were chained (the chain check counts those apart)
        Index("ix_support_approvals_chain", "case_id", "chain_seq", unique=True),
    )

    id: Mapped[intpk]
    item_id: Mapped[int] = mapped_column(ForeignKey("support_items.id"), unique=True)
    approved_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    approved_dt: Mapped[datetime] = mapped_column(default=now_utc)
    note: Mapped[str] = mapped_column(Text, default="")
    #: the item's case, whose chain holds the approval
    case_id: Mapped[int | None]
    chain_seq: Mapped[int | None]
    prev_hash: Mapped[str | None] = mapped_column(String(64))
    entry_hash: Mapped[str | None] = mapped_column(String(64))
    key_id: Mapped[str | None] = mapped_column(String(40))

    item: Mapped[SupportItem] = relationship(back_populates="approval")
    approved_by: Mapped[User] = relationship()


@event.listens_for(Session, "before_flush")
def _ledger_is_append_only(session: Session, _flush_context, _instances) -> None:
    """No update or delete through the ORM; the database triggers refuse the rest."""
    for obj in (*session.dirty, *session.deleted):
        if isinstance(obj, (SupportItem, SupportApproval, LedgerCheckpoint)) and (
            obj in session.deleted or session.is_modified(obj)
        ):
            raise PermissionError("the support ledger is append-only: record a reversal instead")


class LedgerChainCheck(Base):
    """The last full walk of a case's chain that found it intact: up to which entry, that
    entry's hash, and when. A long chain's badge walks only the entries after it (see
    ``services.page_chain_status``); ``flask ledger-verify`` and a daily sweep walk in full."""

    __tablename__ = "ledger_chain_checks"

    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), primary_key=True)
    checked_seq: Mapped[int]
    checked_hash: Mapped[str] = mapped_column(String(64))
    checked_dt: Mapped[datetime] = mapped_column(default=now_utc)
    #: what that walk found consistent but not keyed (entries hashed before keyed hashes,
    #: approvals made before approvals were chained): a walk from the check counts them too,
    #: so the badge never says "intact" of a chain that is partly unkeyed
    unkeyed: Mapped[int] = mapped_column(default=0, server_default="0")
    unchained_approvals: Mapped[int] = mapped_column(default=0, server_default="0")


class CheckpointReason(enum.Enum):
    disclosure = "disclosure"  #: a disclosure report (PDF or CSV) gave the chain's anchor out
    sweep = "sweep"  #: the daily chain sweep found the chain grown and intact

    @property
    def label(self) -> str:
        return {
            "disclosure": gettext("disclosure report"),
            "sweep": gettext("daily check"),
        }[self.value]


class LedgerCheckpoint(Base):
    """A chain's length and head hash at a moment, signed with the ledger key: a chain later
    found shorter, or with a different entry at that position, was cut or rewritten.
    Append-only. (``LedgerChainCheck`` above is only a cache that speeds up the pages.)"""

    __tablename__ = "ledger_checkpoints"
    __table_args__ = (Index("ix_ledger_checkpoints_case", "case_id", "id"),)

    id: Mapped[intpk]
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"))
    #: the chain's length: the position of its last entry
    entries: Mapped[int]
    head_hash: Mapped[str] = mapped_column(String(64))
    #: approvals of the case recorded before approvals were chained (see ``chain``)
    unchained_approvals: Mapped[int] = mapped_column(default=0)
    made_dt: Mapped[datetime] = mapped_column(default=now_utc)
    reason: Mapped[CheckpointReason] = enum_column(CheckpointReason)
    key_id: Mapped[str] = mapped_column(String(40))
    #: HMAC-SHA256 of the above (``chain.checkpoint_content``) under key ``key_id``
    mac: Mapped[str] = mapped_column(String(64))


class FlagRule(enum.Enum):
    cash = "cash"  #: a cash or cash-like item
    no_linked_need = "no_linked_need"  #: an item that meets no assessed need
    pre_testimony_rise = "pre_testimony_rise"  #: more given in the 30 days before testimony
    after_verdict = "after_verdict"  #: trial-related support given after the verdict
    peer_outlier = "peer_outlier"  #: far more than witnesses in similar cases

    @property
    def label(self) -> str:
        return {
            "cash": gettext("Cash or cash-like item"),
            "no_linked_need": gettext("No linked need"),
            "pre_testimony_rise": gettext("Rise before testimony"),
            "after_verdict": gettext("Trial support after the verdict"),
            "peer_outlier": gettext("Far above peers"),
        }[self.value]


class LedgerFlag(Base):
    """A possible abuse of support or inducement, for a supervisor to review and close."""

    __tablename__ = "ledger_flags"
    __table_args__ = (Index("ix_ledger_flags_open", "closed_dt", "raised_dt"),)

    id: Mapped[intpk]
    rule: Mapped[FlagRule] = enum_column(FlagRule)
    witness_id: Mapped[int] = mapped_column(ForeignKey("witnesses.id"), index=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"))
    #: the entry that raised it; None for a flag on the witness's pattern of support
    item_id: Mapped[int | None] = mapped_column(ForeignKey("support_items.id"), index=True)
    detail: Mapped[str] = mapped_column(Text)
    raised_dt: Mapped[datetime] = mapped_column(default=now_utc)
    closed_dt: Mapped[datetime | None]
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    close_note: Mapped[str] = mapped_column(Text, default="")

    witness: Mapped[Witness] = relationship()
    item: Mapped[SupportItem | None] = relationship()
    closed_by: Mapped[User | None] = relationship()


class ExportStatus(enum.Enum):
    queued = "queued"
    running = "running"
    ready = "ready"
    failed = "failed"  #: gave up after the last attempt, or the requester may no longer see it
    expired = "expired"  #: was ready; its content has been purged

    @property
    def label(self) -> str:
        return {
            "queued": gettext("Queued"),
            "running": gettext("Running"),
            "ready": gettext("Ready"),
            "failed": gettext("Failed"),
            "expired": gettext("Expired"),
        }[self.value]


class DisclosureExport(Base):
    """A disclosure PDF too big to render in a request: queued by a user, built by a sweep as
    that user would see it, downloaded by them alone, and purged after a few days."""

    __tablename__ = "disclosure_exports"
    __table_args__ = (
        #: the report is of a case or of a witness, never both
        CheckConstraint("(case_id IS NULL) <> (witness_id IS NULL)", name="one_scope"),
        #: the sweep: what is queued, running too long, or ready to purge
        Index("ix_disclosure_exports_status", "status", "requested_dt"),
        #: a user's reports, newest first
        Index("ix_disclosure_exports_requested_by", "requested_by_id", "id"),
    )

    id: Mapped[intpk]
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"))
    witness_id: Mapped[int | None] = mapped_column(ForeignKey("witnesses.id"))
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    requested_dt: Mapped[datetime] = mapped_column(default=now_utc)
    status: Mapped[ExportStatus] = enum_column(ExportStatus, default=ExportStatus.queued)
    started_dt: Mapped[datetime | None]
    finished_dt: Mapped[datetime | None]
    error: Mapped[str] = mapped_column(Text, default="")
    attempts: Mapped[int] = mapped_column(default=0)
    #: the PDF; deferred so that listing reports never loads it
    content: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    size: Mapped[int | None]
    sha256: Mapped[str | None] = mapped_column(String(64))
    row_count: Mapped[int | None]
    #: when a ready report's content is purged
    expires_dt: Mapped[datetime | None]

    requested_by: Mapped[User] = relationship()
