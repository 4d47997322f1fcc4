"""The audit log is one keyed chain, like the ledger's: each event gets a place (``seq``), the
MAC of the event before it (``prev_mac``) and its own MAC, HMAC-SHA256 under the ledger's key
(``core.keyring``, kept outside the database) of its canonical content with that place and that
previous MAC. So an edited, deleted, forged or reordered event shows when the chain is walked,
and recomputing a MAC needs the key, which a copy of the database does not hold.

Events are written unsealed, by every request, with no lock (a page view must not wait for
another's). The sealer, one at a time (a PostgreSQL advisory lock; SQLite's single writer),
seals the unsealed events in id order: the scheduler every few seconds, ``flask audit seal``,
and ``flask audit verify`` before it walks. An event whose transaction commits after a later
one was sealed simply gets a later place: the chain's order is the sealing order.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import bindparam, func, select, text, update
from sqlalchemy.orm import Session

from witness.audit.models import AuditEvent
from witness.core.keyring import KeyRing, keyring
from witness.core.time import now_utc

GENESIS = "0" * 64
#: in every MAC, so that an audit event's MAC can never pass as a ledger entry's hash
DOMAIN = "witness.audit.v1"
#: events sealed per statement batch (a sealing run seals every batch there is)
SEAL_BATCH = 2000
#: events read per page of a walk
WALK_BATCH = 5000
#: an event still unsealed this long after it was written means no sealer is running
UNSEALED_GRACE = timedelta(minutes=5)

_events = AuditEvent.__table__
CONTENT_COLUMNS = (
    "id", "occurred_dt", "actor_id", "action", "object_type", "object_id", "witness_id",
    "remote_addr", "detail",
)  # fmt: skip
SEAL_COLUMNS = ("seq", "prev_mac", "mac", "key_id")
#: the events that open (or try to open) a witness's file (``audit.watch`` counts them)
WITNESS_READS = ("witness.view", "witness.refused")


def event_content(row, seq: int, prev_mac: str, key_id: str) -> bytes:
    """What an event's MAC is taken over: everything it says, its place, the MAC before it and
    the key's id, as sorted compact JSON (instants to the microsecond both databases keep)."""
    content = {name: getattr(row, name) for name in CONTENT_COLUMNS}
    content["occurred_dt"] = row.occurred_dt.isoformat(timespec="microseconds")
    content.update(domain=DOMAIN, seq=seq, prev_mac=prev_mac, key_id=key_id)
    return json.dumps(content, sort_keys=True, separators=(",", ":"), default=str).encode()


def event_mac(ring: KeyRing, row, seq: int, prev_mac: str, key_id: str) -> str | None:
    """The MAC ``row`` should carry at ``seq`` after ``prev_mac`` (None: the ring lacks the
    key)."""
    return ring.mac(key_id, event_content(row, seq, prev_mac, key_id))


# --- sealing ----------------------------------------------------------------------------------


def lock_sealer(session: Session) -> None:
    """One sealer at a time: a transaction-scoped advisory lock on PostgreSQL (writers of audit
    events never take it); on SQLite every transaction already begins as the one writer."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(
            text("SELECT pg_advisory_xact_lock(hashtextextended(:key, 0))"),
            {"key": "witness.audit.seal"},
        )


def chain_head(session: Session) -> tuple[int, str]:
    """The place and MAC of the last sealed event ((0, GENESIS) before the first)."""
    head = session.execute(
        select(_events.c.seq, _events.c.mac)
        .where(_events.c.seq.is_not(None))
        .order_by(_events.c.seq.desc())
        .limit(1)
    ).first()
    return (head.seq, head.mac) if head else (0, GENESIS)


def seal(session: Session, limit: int | None = None, readers: set[int] | None = None) -> int:
    """Seal the unsealed events in id order, after the chain's head (all of them, or at most
    ``limit``); returns how many. Takes the sealer's lock until the caller commits. Adds to
    ``readers`` who opened or tried to open a witness file in the events sealed."""
    ring = keyring(session)
    lock_sealer(session)
    seq, prev = chain_head(session)
    columns = [_events.c[name] for name in CONTENT_COLUMNS]
    statement = update(_events).where(_events.c.id == bindparam("event_id"))
    statement = statement.values({name: bindparam(f"new_{name}") for name in SEAL_COLUMNS})
    sealed = 0
    while limit is None or sealed < limit:
        size = SEAL_BATCH if limit is None else min(SEAL_BATCH, limit - sealed)
        rows = session.execute(
            select(*columns).where(_events.c.seq.is_(None)).order_by(_events.c.id).limit(size)
        ).all()
        if not rows:
            break
        values = []
        for row in rows:
            seq += 1
            mac = event_mac(ring, row, seq, prev, ring.signing_id)
            values.append(
                {
                    "event_id": row.id,
                    "new_seq": seq,
                    "new_prev_mac": prev,
                    "new_mac": mac,
                    "new_key_id": ring.signing_id,
                }
            )
            prev = mac
            if readers is not None and row.actor_id and row.action in WITNESS_READS:
                readers.add(row.actor_id)
        # Core, not the ORM: the ORM refuses any change to an audit event (services.py)
        session.execute(statement, values)
        sealed += len(rows)
    return sealed


def unsealed_since(session: Session, before: datetime) -> tuple[int, datetime | None]:
    """How many events written before ``before`` are still unsealed, and the oldest's time."""
    count, oldest = session.execute(
        select(func.count(), func.min(_events.c.occurred_dt)).where(
            _events.c.seq.is_(None), _events.c.occurred_dt < before
        )
    ).one()
    return count, oldest


# --- verifying --------------------------------------------------------------------------------


@dataclass
class AuditBreak:
    """What is wrong at one place of the chain (or from ``seq`` to ``last``)."""

    seq: int | None
    message: str
    event_id: int | None = None
    last: int | None = None

    def __str__(self) -> str:
        if self.seq is None:
            where = f"event id {self.event_id}"
        elif self.last is not None and self.last != self.seq:
            where = f"seq {self.seq}\N{EN DASH}{self.last}"
        else:
            where = f"seq {self.seq}"
        return f"{where}: {self.message}"


@dataclass
class AuditChainStatus:
    """What a walk of the whole audit chain found; ``state`` sums it up."""

    checked_dt: datetime
    sealed: int = 0
    head_seq: int = 0
    head_mac: str = GENESIS
    broken: list[AuditBreak] = field(default_factory=list)
    #: sealed with a key the ring lacks: neither intact nor known to be broken
    unverifiable: list[AuditBreak] = field(default_factory=list)
    #: events unsealed longer than ``UNSEALED_GRACE``: no sealer is running
    late: int = 0
    oldest_late: datetime | None = None

    @property
    def state(self) -> str:
        """``broken``, ``unverifiable``, ``late`` (intact, but the sealer is behind) or
        ``intact``."""
        if self.broken:
            return "broken"
        if self.unverifiable:
            return "unverifiable"
        return "late" if self.late else "intact"

    @property
    def first_break(self) -> AuditBreak | None:
        return self.broken[0] if self.broken else None


def _sealed_rows(session: Session):
    """Every sealed event in chain order, a page at a time (keyset on ``seq``)."""
    columns = [_events.c[name] for name in (*CONTENT_COLUMNS, *SEAL_COLUMNS)]
    after = 0
    while True:
        rows = session.execute(
            select(*columns)
            .where(_events.c.seq > after)
            .order_by(_events.c.seq, _events.c.id)
            .limit(WALK_BATCH)
        ).all()
        yield from rows
        if len(rows) < WALK_BATCH:
            return
        after = rows[-1].seq


def verify(session: Session, now: datetime | None = None) -> AuditChainStatus:
    """Walk the whole chain, noting every break and going on: a place missing (deleted), taken
    twice, an event that does not follow the one before it (reordered, inserted) or whose MAC
    does not match (changed, forged); then events half sealed, and those unsealed too long."""
    ring = keyring(session)
    status = AuditChainStatus(checked_dt=now or now_utc())
    expected, prev = 1, GENESIS
    for row in _sealed_rows(session):
        status.sealed += 1
        if row.seq < expected:
            status.broken.append(
                AuditBreak(row.seq, "a second event claims this place in the chain", row.id)
            )
            continue
        linked = row.seq == expected
        if not linked:
            status.broken.append(
                AuditBreak(expected, "missing from the chain (deleted)", last=row.seq - 1)
            )
        problems = []
        if linked and row.prev_mac != prev:
            problems.append("it does not follow the event before it")
        mac = event_mac(ring, row, row.seq, row.prev_mac or "", row.key_id or "")
        if mac is None:
            status.unverifiable.append(
                AuditBreak(row.seq, f"sealed with key {row.key_id!r}, not in the ring", row.id)
            )
        elif mac != row.mac:
            problems.append("its content or seal was changed after it was sealed")
        if problems:
            status.broken.append(AuditBreak(row.seq, "; ".join(problems), row.id))
        expected, prev = row.seq + 1, row.mac or ""
    status.head_seq, status.head_mac = expected - 1, prev
    half = session.execute(
        select(_events.c.id)
        .where(_events.c.seq.is_(None), _events.c.mac.is_not(None))
        .order_by(_events.c.id)
    ).scalars()
    status.broken += [AuditBreak(None, "a seal without a place in the chain", i) for i in half]
    status.late, status.oldest_late = unsealed_since(session, status.checked_dt - UNSEALED_GRACE)
    return status
