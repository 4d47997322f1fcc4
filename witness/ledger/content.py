"""The canonical content of the ledger's chain entries: what each entry's hash is taken over.

An item's (and a reversal's) content is every recorded field in its stored form (amounts as
``money.amount_text``, instants to the microsecond both databases keep), its position and the
id of the key that signs it; an approval's binds it to the exact item it approves through that
item's hash. The hash is HMAC-SHA256 under that key of ``chained(prev_hash, content)``.
Entries recorded before keyed hashes took plain SHA-256 of ``legacy_content``.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from decimal import Decimal

from witness.ledger.keys import KeyRing
from witness.ledger.money import CENT, amount_text

GENESIS = "0" * 64


def _json(content: dict) -> bytes:
    return json.dumps(content, sort_keys=True, separators=(",", ":")).encode()


def _iso(instant: datetime) -> str:
    # microseconds are what both databases keep, so the hash survives the round trip
    return instant.isoformat(timespec="microseconds")


def canonical_content(item) -> bytes:
    """An item (or reversal) as its keyed hash sees it: every recorded field in its stored
    form (amounts as ``money.amount_text``), its position and the id of the key."""
    return _json(
        {
            "kind": "item",
            "case_id": item.case_id,
            "chain_seq": item.chain_seq,
            "witness_id": item.witness_id,
            "category": item.category.value,
            "description": item.description,
            "quantity": amount_text(item.quantity),
            "unit": item.unit,
            "value": amount_text(item.value),
            "currency": item.currency,
            "is_cash": bool(item.is_cash),
            "date_provided": item.date_provided.isoformat(),
            "provider_organisation_id": item.provider_organisation_id,
            "recorded_by_id": item.recorded_by_id,
            "recorded_dt": _iso(item.recorded_dt),
            "rationale": item.rationale,
            "need_id": item.need_id,
            "phase": item.phase.value,
            "needs_approval": bool(item.needs_approval),
            "reverses_id": item.reverses_id,
            "reversal_reason": item.reversal_reason or "",
            "key_id": item.key_id,
        }
    )


def approval_content(approval, item_entry_hash: str) -> bytes:
    """An approval as its keyed hash sees it, bound to the exact item it approves."""
    return _json(
        {
            "kind": "approval",
            "case_id": approval.case_id,
            "chain_seq": approval.chain_seq,
            "item_id": approval.item_id,
            "item_entry_hash": item_entry_hash,
            "approved_by_id": approval.approved_by_id,
            "approved_dt": _iso(approval.approved_dt),
            "note": approval.note or "",
            "key_id": approval.key_id,
        }
    )


def legacy_content(item) -> bytes:
    """What entries hashed before keyed hashes took (unchanged, to verify them)."""
    return _json(
        {
            "case_id": item.case_id,
            "chain_seq": item.chain_seq,
            "witness_id": item.witness_id,
            "category": item.category.value,
            "description": item.description,
            "quantity": str(Decimal(item.quantity).quantize(CENT)),
            "unit": item.unit,
            "value": str(Decimal(item.value).quantize(CENT)),
            "currency": item.currency,
            "is_cash": bool(item.is_cash),
            "date_provided": item.date_provided.isoformat(),
            "provider_organisation_id": item.provider_organisation_id,
            "recorded_by_id": item.recorded_by_id,
            "recorded_dt": _iso(item.recorded_dt),
            "rationale": item.rationale,
            "need_id": item.need_id,
            "phase": item.phase.value,
            "needs_approval": bool(item.needs_approval),
            "reverses_id": item.reverses_id,
            "reversal_reason": item.reversal_reason or "",
        }
    )


def chained(prev_hash: str, content: bytes) -> bytes:
    """The message an entry's hash is taken over: the hash before it, then its content."""
    return prev_hash.encode() + b"\n" + content


def checkpoint_content(checkpoint) -> bytes:
    """A checkpoint as its signature sees it."""
    return _json(
        {
            "case_id": checkpoint.case_id,
            "entries": checkpoint.entries,
            "head_hash": checkpoint.head_hash,
            "unchained_approvals": checkpoint.unchained_approvals,
            "made_dt": _iso(checkpoint.made_dt),
            "reason": checkpoint.reason.value,
            "key_id": checkpoint.key_id,
        }
    )


def record_hash(ring: KeyRing, row) -> str | None:
    """The keyed hash a chain record (item or approval row) should carry; None when the ring
    lacks its key."""
    if row.kind == "approval":
        content = approval_content(row, row.item_entry_hash)
    else:
        content = canonical_content(row)
    return ring.mac(row.key_id, chained(row.prev_hash, content))


def expected_hash(ring: KeyRing, row) -> str | None:
    """``record_hash``, or for an unkeyed item the plain SHA-256 it was hashed with (None when
    the ring lacks the key)."""
    if row.key_id is None and row.kind == "item":
        return legacy_hash(row)
    return record_hash(ring, row) if row.key_id is not None else None


def legacy_hash(row) -> str:
    return hashlib.sha256(chained(row.prev_hash, legacy_content(row))).hexdigest()
