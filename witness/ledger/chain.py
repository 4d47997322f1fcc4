"""Each case's ledger is one chain: its items, reversals and approvals, numbered 1, 2, 3... in
the order they were recorded. Every entry stores ``entry_hash``, the HMAC-SHA256 (under the
ledger key named by its ``key_id``, kept outside the database) of the hash of the entry before
it and of its own canonical content; an approval's content includes the hash of the item it
approves. So a changed, deleted, reordered or forged entry (or approval) shows when the chain is
walked, and keyed checkpoints (the chain's length and head at a moment) show a chain cut short.

Entries hashed before keyed hashes (``key_id`` NULL; plain SHA-256 of ``legacy_content``) are
still checked the old way and counted as *unkeyed*: anyone with database access could have
recomputed them, so they are never reported as intact-and-keyed. They are accepted only at the
start of a chain, before any keyed entry, and — once a chain has a checkpoint — only up to its
first checkpoint, which from then on pins them. Approvals made before approvals were chained
have no position; they are counted apart, and an unchained approval of a keyed item is a break.
"""

from __future__ import annotations

import heapq
from collections import defaultdict
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import datetime
from operator import attrgetter

from sqlalchemy import literal, select, text
from sqlalchemy.orm import Session

from witness.core.time import now_utc
from witness.ledger.content import (
    GENESIS,
    approval_content,
    canonical_content,
    chained,
    checkpoint_content,
    expected_hash,
    legacy_hash,
    record_hash,
)
from witness.ledger.keys import KeyRing, keyring
from witness.ledger.models import (
    CheckpointReason,
    LedgerChainCheck,
    LedgerCheckpoint,
    SupportApproval,
    SupportItem,
)

#: a chain up to this long is walked in full on every page that shows its badge; a longer one
#: from its last full check (a 10,000-entry chain takes about a second to walk)
PAGE_FULL_WALK = 1000


# --- what a walk reads ------------------------------------------------------------------------

#: what the chain check reads of each item: its content, its position, its hashes and key
ITEM_COLUMNS = (
    "id", "case_id", "chain_seq", "witness_id", "category", "description", "quantity", "unit",
    "value", "currency", "is_cash", "date_provided", "provider_organisation_id",
    "recorded_by_id", "recorded_dt", "rationale", "need_id", "phase", "needs_approval",
    "reverses_id", "reversal_reason", "prev_hash", "entry_hash", "key_id",
)  # fmt: skip
APPROVAL_COLUMNS = (
    "id", "case_id", "chain_seq", "item_id", "approved_by_id", "approved_dt", "note",
    "prev_hash", "entry_hash", "key_id",
)  # fmt: skip


def _items(case_id: int, *where):
    # Plain rows, not entities: a row answers canonical_content's attribute reads as an item
    # does, at a third of the cost (a 10,000-entry case is walked on every ledger page).
    columns = SupportItem.__table__.c
    return (
        select(*(columns[name] for name in ITEM_COLUMNS), literal("item").label("kind"))
        .where(SupportItem.case_id == case_id, *where)
        .order_by(SupportItem.chain_seq)
    )


def _approvals(case_id: int, *where):
    columns = SupportApproval.__table__.c
    return (
        select(
            *(columns[name] for name in APPROVAL_COLUMNS),
            SupportItem.entry_hash.label("item_entry_hash"),
            SupportItem.recorded_by_id.label("item_recorded_by_id"),
            SupportItem.case_id.label("item_case_id"),
            literal("approval").label("kind"),
        )
        .join(SupportItem, SupportItem.id == SupportApproval.item_id)
        .where(SupportApproval.case_id == case_id, *where)
        .order_by(SupportApproval.chain_seq)
    )


def _when(instant: datetime) -> str:
    return f"{instant:%d %b %Y %H:%M} UTC"


# --- the walk ---------------------------------------------------------------------------------


@dataclass
class ChainProblem:
    """What is wrong at one entry of a chain (or a run of entries, up to ``last``)."""

    entry: int
    message: str
    last: int | None = None
    #: the support item concerned (for an approval, the item approved), when there is one
    item_id: int | None = None

    @property
    def label(self) -> str:
        if self.last is not None and self.last != self.entry:
            return f"entries {self.entry}\N{EN DASH}{self.last}"
        return f"entry {self.entry}"

    def __str__(self) -> str:
        return f"{self.label}: {self.message}"


@dataclass
class ChainStatus:
    """What a walk of a case's chain found: ``state`` sums it up."""

    case_id: int
    #: entries walked (and, for a walk from a full check, those before it)
    entries: int = 0
    #: the position of the last entry: the chain's length, as a checkpoint records it
    length: int = 0
    #: every entry that fails the check, in chain order
    broken: list[ChainProblem] = field(default_factory=list)
    #: entries signed with a key the ring lacks: neither intact nor known to be broken
    unverifiable: list[ChainProblem] = field(default_factory=list)
    #: entries hashed before keyed hashes, and approvals made before approvals were chained
    unkeyed: int = 0
    unchained_approvals: int = 0
    #: the hash of the last entry walked: the chain's head
    last_hash: str = GENESIS
    #: set when only the entries after the last full check were walked now: that check's time
    full_check_dt: datetime | None = None
    #: entries walked now
    walked: int = 0

    @property
    def intact(self) -> bool:
        return not self.broken and not self.unverifiable

    @property
    def state(self) -> str:
        """``broken``, ``unverifiable``, ``unkeyed`` (consistent, but partly without a key) or
        ``intact``."""
        if self.broken:
            return "broken"
        if self.unverifiable:
            return "unverifiable"
        return "unkeyed" if self.unkeyed or self.unchained_approvals else "intact"

    @property
    def first_broken(self) -> ChainProblem | None:
        return self.broken[0] if self.broken else None

    @property
    def problem(self) -> str:
        first = self.first_broken or (self.unverifiable[0] if self.unverifiable else None)
        return first.message if first else ""


class _Walk:
    """One pass over a chain's entries in order, noting every problem and going on."""

    def __init__(self, ring, status, checkpoints, keyed_before: bool) -> None:
        self.ring, self.status = ring, status
        self.expected, self.prev = status.length + 1, status.last_hash
        self.keyed_seen = keyed_before
        self.last_unkeyed = 0
        self.at: dict[int, list[LedgerCheckpoint]] = defaultdict(list)
        for checkpoint in checkpoints:
            self.at[checkpoint.entries].append(checkpoint)

    def fail(self, entry: int, message: str, item_id=None, last=None) -> None:
        self.status.broken.append(ChainProblem(entry, message, last, item_id))

    def step(self, row) -> None:
        seq, status = row.chain_seq, self.status
        item_id = row.item_id if row.kind == "approval" else row.id
        if seq < self.expected:
            self.fail(seq, "a second entry claims this position in the chain", item_id)
            return
        linked = seq == self.expected
        if not linked:
            self.fail(self.expected, "missing from the chain (deleted)", last=seq - 1)
        problems = []
        if linked and row.prev_hash != self.prev:
            problems.append("it does not follow the entry before it")
        problems += self.content_problems(row, seq)
        if problems:
            self.fail(seq, "; ".join(problems), item_id)
        for checkpoint in self.at.get(seq, ()):
            if checkpoint.head_hash != row.entry_hash:
                self.fail(
                    seq,
                    f"not the entry the checkpoint of {_when(checkpoint.made_dt)} recorded "
                    "here: the chain was rewritten",
                    item_id,
                )
        self.prev, self.expected = row.entry_hash, seq + 1
        status.length, status.last_hash = seq, row.entry_hash
        status.entries += 1
        status.walked += 1

    def content_problems(self, row, seq: int) -> list[str]:
        problems = []
        if row.kind == "approval":
            if row.approved_by_id == row.item_recorded_by_id:
                problems.append("an approval by the person who recorded the item")
            if row.item_case_id != row.case_id:
                problems.append("an approval of an entry of another case")
        if row.key_id is None:
            if row.kind == "approval" or self.keyed_seen:
                problems.append("no keyed hash, yet after keyed entries: not recorded by Witness")
            elif row.entry_hash != legacy_hash(row):
                problems.append("its content was changed after it was recorded")
            else:
                self.status.unkeyed += 1
                self.last_unkeyed = seq
            return problems
        self.keyed_seen = True
        expected = record_hash(self.ring, row)
        if expected is None:
            self.status.unverifiable.append(
                ChainProblem(
                    seq,
                    f"signed with ledger key {row.key_id}, which is not in the key ring",
                    item_id=row.item_id if row.kind == "approval" else row.id,
                )
            )
        elif expected != row.entry_hash:
            problems.append(
                "its content was changed after it was recorded (or it was not recorded by Witness)"
            )
        return problems

    def finish(self, checkpoints: list[LedgerCheckpoint]) -> None:
        if not checkpoints:
            return
        status = self.status
        first, newest = checkpoints[0], max(checkpoints, key=attrgetter("entries"))
        if status.length < newest.entries:
            self.fail(
                status.length + 1,
                f"missing: the chain had {newest.entries} entries at its checkpoint of "
                f"{_when(newest.made_dt)}",
                last=newest.entries,
            )
        if self.last_unkeyed > first.entries:
            self.fail(
                self.last_unkeyed,
                "recorded without a keyed hash after the chain's first checkpoint "
                f"({_when(first.made_dt)}): not recorded by Witness",
            )


def _checkpoints(session: Session, ring: KeyRing, status: ChainStatus) -> list[LedgerCheckpoint]:
    """The case's checkpoints whose signature holds, oldest first; a forged or unverifiable
    one is reported and left out."""
    valid = []
    for checkpoint in session.scalars(
        select(LedgerCheckpoint)
        .where(LedgerCheckpoint.case_id == status.case_id)
        .order_by(LedgerCheckpoint.id)
    ):
        mac = ring.mac(checkpoint.key_id, checkpoint_content(checkpoint))
        where = f"the checkpoint of {_when(checkpoint.made_dt)}"
        if mac is None:
            status.unverifiable.append(
                ChainProblem(
                    checkpoint.entries,
                    f"{where} is signed with ledger key {checkpoint.key_id}, which is not in "
                    "the key ring",
                )
            )
        elif mac != checkpoint.mac:
            status.broken.append(ChainProblem(checkpoint.entries, f"{where} was forged or altered"))
        else:
            valid.append(checkpoint)
    return valid


def _unchained(session: Session, status: ChainStatus, checkpoints) -> None:
    """Approvals of the case's items that hold no position: made before approvals were chained
    (counted), or slipped in since (an approval of a keyed item: a break)."""
    rows = session.execute(
        select(SupportItem.id, SupportItem.chain_seq, SupportItem.key_id)
        .join(SupportApproval, SupportApproval.item_id == SupportItem.id)
        .where(SupportItem.case_id == status.case_id, SupportApproval.chain_seq.is_(None))
        .order_by(SupportItem.chain_seq)
    ).all()
    for item_id, seq, key_id in rows:
        if key_id is None:
            status.unchained_approvals += 1
        else:
            status.broken.append(
                ChainProblem(
                    seq,
                    "approved outside the chain: an approval inserted behind the "
                    "application's back",
                    item_id=item_id,
                )
            )
    if checkpoints:
        newest = checkpoints[-1]
        if newest.unchained_approvals != status.unchained_approvals:
            status.broken.append(
                ChainProblem(
                    newest.entries,
                    f"approvals made before approvals were chained: {newest.unchained_approvals}"
                    f" at the checkpoint of {_when(newest.made_dt)}, "
                    f"{status.unchained_approvals} now",
                )
            )


def verify_chain(
    session: Session,
    case_id: int,
    *,
    after_seq: int = 0,
    after_hash: str = GENESIS,
    keyed_before: bool = False,
) -> ChainStatus:
    """Walk the case's chain in order, recomputing every hash and going on past a break, so
    every broken entry is reported; streamed, never all in memory. From its start, or after
    entry ``after_seq`` whose hash is known to be ``after_hash``."""
    ring = keyring(session)
    status = ChainStatus(case_id, entries=after_seq, length=after_seq, last_hash=after_hash)
    checkpoints = _checkpoints(session, ring, status)
    walk = _Walk(ring, status, checkpoints, keyed_before)
    after = (SupportItem.chain_seq > after_seq,)
    with ExitStack() as stack:
        streams = [
            stack.enter_context(session.execute(query.execution_options(yield_per=1000)))
            for query in (
                _items(case_id, *after),
                _approvals(case_id, SupportApproval.chain_seq > after_seq),
            )
        ]
        for row in heapq.merge(*streams, key=attrgetter("chain_seq")):
            walk.step(row)
    walk.finish(checkpoints)
    if not after_seq:
        _unchained(session, status, checkpoints)
    status.broken.sort(key=attrgetter("entry"))
    return status


# --- appending --------------------------------------------------------------------------------


def lock_chain(session: Session, case_id: int) -> None:
    """One writer per case chain at a time (PostgreSQL); on SQLite the database's single write
    lock does it. The unique (case, position) of each table refuses a fork anyway."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(
            text("SELECT pg_advisory_xact_lock(hashtextextended(:key, 0))"),
            {"key": f"witness.ledger:{case_id}"},
        )


def chain_head(session: Session, case_id: int) -> tuple[int, str]:
    """The position and hash of the chain's last entry, item or approval ((0, GENESIS) when
    the chain is empty)."""
    heads = [
        session.execute(
            select(model.chain_seq, model.entry_hash)
            .where(model.case_id == case_id, model.chain_seq.is_not(None))
            .order_by(model.chain_seq.desc())
            .limit(1)
        ).first()
        for model in (SupportItem, SupportApproval)
    ]
    return max(((h.chain_seq, h.entry_hash) for h in heads if h), default=(0, GENESIS))


def append_item(session: Session, item: SupportItem) -> SupportItem:
    """Give ``item`` the next position of its case's chain and sign it; flushed."""
    ring = keyring(session)
    lock_chain(session, item.case_id)
    item.chain_seq, item.prev_hash = _next(session, item.case_id)
    item.recorded_dt = now_utc()
    item.key_id = ring.signing_id
    item.entry_hash = ring.sign(chained(item.prev_hash, canonical_content(item)))
    session.add(item)
    session.flush()
    return item


def append_approval(
    session: Session, approval: SupportApproval, item: SupportItem
) -> SupportApproval:
    """Give ``approval`` of ``item`` the next position of the item's chain and sign it."""
    ring = keyring(session)
    lock_chain(session, item.case_id)
    approval.case_id = item.case_id
    approval.chain_seq, approval.prev_hash = _next(session, item.case_id)
    approval.approved_dt = now_utc()
    approval.key_id = ring.signing_id
    approval.entry_hash = ring.sign(
        chained(approval.prev_hash, approval_content(approval, item.entry_hash))
    )
    session.add(approval)
    session.flush()
    return approval


def _next(session: Session, case_id: int) -> tuple[int, str]:
    seq, head = chain_head(session, case_id)
    return seq + 1, head


# --- checkpoints and the pages' full-check cache ----------------------------------------------


def write_checkpoint(
    session: Session, status: ChainStatus, reason: CheckpointReason
) -> LedgerCheckpoint | None:
    """Sign the chain's length and head as a full walk found them. Only a chain found whole
    (nothing broken or unverifiable) is checkpointed; the sweep skips a chain unchanged since
    its newest checkpoint, a disclosure always records the anchor it gave out."""
    if status.full_check_dt is not None or status.walked != status.entries:
        raise ValueError("only a walk from the start of the chain is checkpointed")
    if not status.intact or not status.length:
        return None
    if reason is CheckpointReason.sweep:
        newest = session.scalar(
            select(LedgerCheckpoint)
            .where(LedgerCheckpoint.case_id == status.case_id)
            .order_by(LedgerCheckpoint.id.desc())
            .limit(1)
        )
        if newest is not None and (newest.entries, newest.head_hash) == (
            status.length,
            status.last_hash,
        ):
            return None
    ring = keyring(session)
    checkpoint = LedgerCheckpoint(
        case_id=status.case_id,
        entries=status.length,
        head_hash=status.last_hash,
        unchained_approvals=status.unchained_approvals,
        made_dt=now_utc(),
        reason=reason,
        key_id=ring.signing_id,
    )
    checkpoint.mac = ring.sign(checkpoint_content(checkpoint))
    session.add(checkpoint)
    session.flush()
    return checkpoint


def record_full_check(session: Session, status: ChainStatus) -> None:
    """Remember a full walk (``verify_chain`` from the start) for ``page_chain_status``: where
    it found the chain intact, or — when not — forget the last good one, so that every page
    walks the chain in full and names the bad entries."""
    if status.full_check_dt is not None or status.walked != status.entries:
        raise ValueError("only a walk from the start of the chain is a full check")
    check = session.get(LedgerChainCheck, status.case_id)
    if not status.intact or not status.length:
        if check is not None:
            session.delete(check)
        return
    if check is None:
        check = LedgerChainCheck(case_id=status.case_id)
        session.add(check)
    check.checked_seq, check.checked_hash = status.length, status.last_hash
    check.unkeyed, check.unchained_approvals = status.unkeyed, status.unchained_approvals
    check.checked_dt = now_utc()


def _record_at(session: Session, case_id: int, seq: int):
    """The one entry at position ``seq`` (None when there is none, or two)."""
    rows = [
        session.execute(_items(case_id, SupportItem.chain_seq == seq)).first(),
        session.execute(_approvals(case_id, SupportApproval.chain_seq == seq)).first(),
    ]
    found = [row for row in rows if row is not None]
    return found[0] if len(found) == 1 else None


def page_chain_status(session: Session, case_id: int) -> ChainStatus:
    """The badge of a chain: a short chain walked in full; a long one walked from its last full
    check (if the entry it ended at is unchanged), so the badge says when that check was. An
    alteration before that entry is found by the next full check (``flask ledger-verify``, the
    daily sweep, every disclosure report); a chain cut shorter than its newest checkpoint is
    found at once."""
    check = session.get(LedgerChainCheck, case_id)
    if check is None or check.checked_seq <= PAGE_FULL_WALK:
        return verify_chain(session, case_id)
    # the entry the full check ended at is re-hashed too: its content, its link and its hash
    # must still be what that check found
    anchor = _record_at(session, case_id, check.checked_seq)
    if (
        anchor is None
        or anchor.entry_hash != check.checked_hash
        or expected_hash(keyring(session), anchor) != check.checked_hash
    ):
        return verify_chain(session, case_id)  # walked in full, it names every bad entry
    status = verify_chain(
        session,
        case_id,
        after_seq=check.checked_seq,
        after_hash=check.checked_hash,
        keyed_before=anchor.key_id is not None,
    )
    status.full_check_dt = check.checked_dt
    status.unkeyed += check.unkeyed
    status.unchained_approvals += check.unchained_approvals
    return status


def case_ids_with_chains(session: Session) -> list[int]:
    """Every case with ledger entries or a checkpoint: a chain deleted in full is still
    checked (against its checkpoint)."""
    with_entries = select(SupportItem.case_id).group_by(SupportItem.case_id)
    checkpointed = select(LedgerCheckpoint.case_id).group_by(LedgerCheckpoint.case_id)
    return sorted(set(session.scalars(with_entries)) | set(session.scalars(checkpointed)))


def chain_length(session: Session, case_id: int) -> int:
    """Entries in the case's chain (items, reversals and approvals)."""
    return chain_head(session, case_id)[0]
