"""What the chain check says of each forgery, word for word and at which entry: the defence
reads these lines in a disclosure report, and each names where to look (found by mutation
testing: these branches had no test, or one that a changed message still passed)."""

from __future__ import annotations

import hashlib

import pytest

from witness.ledger import chain, services
from witness.ledger.content import (
    approval_content,
    canonical_content,
    chained,
    legacy_content,
)
from witness.ledger.jobs import chain_sweep
from witness.ledger.keys import keyring
from witness.ledger.models import CheckpointReason, LedgerCheckpoint, SupportApproval

from .conftest import drop_guards, record
from .test_chain_integrity import _alter, _delete, _forge_item, _legacy_item

pytestmark = pytest.mark.usefixtures("frozen_clock")


def _problems(status) -> list[tuple[int, int | None, str, int | None]]:
    return [(p.entry, p.last, p.message, p.item_id) for p in status.broken]


def _approval_at(item, approver, seq: int | None, head: str | None, key_id: str | None):
    """An approval of ``item`` at position ``seq`` after ``head``, not yet stored or hashed."""
    return SupportApproval(
        item_id=item.id,
        approved_by_id=approver.id,
        approved_dt=item.recorded_dt,
        note="",
        case_id=item.case_id,
        chain_seq=seq,
        prev_hash=head,
        key_id=key_id,
    )


def _sign(db, approval, item) -> None:
    """Hash ``approval`` as someone holding the ledger key would."""
    approval.entry_hash = keyring(db).sign(
        chained(approval.prev_hash, approval_content(approval, item.entry_hash))
    )


def _signed_approval(db, item, approver, seq: int, head: str) -> SupportApproval:
    approval = _approval_at(item, approver, seq, head, keyring(db).signing_id)
    _sign(db, approval, item)
    db.add(approval)
    db.flush()
    return approval


def _unkeyed_entry(db, world, seq: int, head: str, **fields):
    """An item as Witness hashed them before keyed hashes, not yet stored."""
    item = _forge_item(db, world, key_id=None, chain_seq=seq, prev_hash=head, **fields)
    item.entry_hash = hashlib.sha256(chained(head, legacy_content(item))).hexdigest()
    return item


def test_an_approval_forged_onto_an_items_position_is_a_second_entry_there(db, world, make_user):
    """Signed with the key, linked to the entry before it, but at a position an item holds
    already: named at that position, with the item it claims to approve."""
    needing = record(db, world.officer, world.assigned, world.case, value="500")
    second = record(db, world.officer, world.assigned, world.case)
    _signed_approval(db, needing, make_user(world.supervisor.role), 2, needing.entry_hash)
    status = services.verify_chain(db, world.case.id)
    assert second.chain_seq == 2
    assert _problems(status) == [
        (2, None, "a second entry claims this position in the chain", needing.id)
    ]


def test_entries_deleted_together_are_reported_as_one_gap(db, db_owner, world):
    items = [record(db, world.officer, world.assigned, world.case, value=v) for v in "12345"]
    drop_guards(db)
    for item in items[1:3]:
        _delete(db, "support_items", item.id)
    status = services.verify_chain(db, world.case.id)
    assert _problems(status) == [(2, 3, "missing from the chain (deleted)", None)]


def test_a_chain_rewritten_with_the_key_is_named_by_its_checkpoint(app, db, db_owner, world):
    """Someone with the ledger key rewrites the newest entry and signs it again: nothing
    follows it to break the link, but the checkpoint recorded another entry there."""
    items = [record(db, world.officer, world.assigned, world.case, value=v) for v in "123"]
    db.commit()
    assert chain_sweep(app) == (1, 0)  # checkpointed at 3 entries, 10 Mar 2026 09:00 UTC
    last = items[-1]
    drop_guards(db)
    _alter(db, "support_items", last.id, value=300)
    db.refresh(last)
    resigned = keyring(db).sign(chained(last.prev_hash, canonical_content(last)))
    _alter(db, "support_items", last.id, entry_hash=resigned)
    status = services.verify_chain(db, world.case.id)
    assert _problems(status) == [
        (
            3,
            None,
            "not the entry the checkpoint of 10 Mar 2026 09:00 UTC recorded here: "
            "the chain was rewritten",
            last.id,
        )
    ]


def test_a_self_approval_signed_with_the_key_is_named(db, db_owner, world):
    """The database refuses it on insert; someone who owns it could still change the approver
    afterwards and sign the approval again: the walk names it for what it is."""
    item = record(db, world.officer, world.assigned, world.case, value="500")
    approval = services.approve_item(db, world.supervisor, item)
    drop_guards(db)
    _alter(db, "support_approvals", approval.id, approved_by_id=world.officer.id)
    db.refresh(approval)
    # not signed again yet: both problems of the one entry, on its one line
    assert _problems(services.verify_chain(db, world.case.id)) == [
        (
            2,
            None,
            "an approval by the person who recorded the item; its content was changed after "
            "it was recorded (or it was not recorded by Witness)",
            item.id,
        )
    ]
    resigned = keyring(db).sign(
        chained(approval.prev_hash, approval_content(approval, item.entry_hash))
    )
    _alter(db, "support_approvals", approval.id, entry_hash=resigned)
    status = services.verify_chain(db, world.case.id)
    assert _problems(status) == [
        (2, None, "an approval by the person who recorded the item", item.id)
    ]


def test_an_approval_moved_onto_another_cases_entry_is_named(db, db_owner, world):
    item = record(db, world.officer, world.assigned, world.case, value="500")
    approval = services.approve_item(db, world.supervisor, item)
    elsewhere = record(db, world.officer, world.shared, world.other_case, value="500")
    drop_guards(db)
    _alter(db, "support_approvals", approval.id, item_id=elsewhere.id)
    db.refresh(approval)
    resigned = keyring(db).sign(
        chained(approval.prev_hash, approval_content(approval, elsewhere.entry_hash))
    )
    _alter(db, "support_approvals", approval.id, entry_hash=resigned)
    status = services.verify_chain(db, world.case.id)
    assert _problems(status) == [(2, None, "an approval of an entry of another case", elsewhere.id)]


def test_an_approval_without_a_keyed_hash_is_never_taken_for_an_old_entry(db, world, make_user):
    """Approvals were chained only once hashes were keyed: an unkeyed one, even after entries
    from before keyed hashes, was not made by Witness."""
    first = _legacy_item(db, world, 1, chain.GENESIS)
    approval = _approval_at(first, make_user(world.supervisor.role), 2, first.entry_hash, None)
    approval.entry_hash = chained(first.entry_hash, legacy_content(first)).hex()[:64]
    db.add(approval)
    db.flush()
    status = services.verify_chain(db, world.case.id)
    assert _problems(status) == [
        (2, None, "no keyed hash, yet after keyed entries: not recorded by Witness", first.id)
    ]


def test_an_old_entry_changed_is_named_as_changed(db, db_owner, world):
    first = _legacy_item(db, world, 1, chain.GENESIS)
    second = _legacy_item(db, world, 2, first.entry_hash)
    drop_guards(db)
    _alter(db, "support_items", second.id, value=99)
    status = services.verify_chain(db, world.case.id)
    assert _problems(status) == [
        (2, None, "its content was changed after it was recorded", second.id)
    ]


def test_an_approval_signed_with_a_key_not_in_the_ring_names_the_item_it_approves(
    db, world, make_user
):
    record(db, world.officer, world.assigned, world.case)  # so the item's id is not the approval's
    item = record(db, world.officer, world.assigned, world.case, value="500")
    approval = _approval_at(
        item, make_user(world.supervisor.role), 3, item.entry_hash, "retired-2019"
    )
    approval.entry_hash = "e" * 64
    db.add(approval)
    db.flush()
    assert approval.id != item.id
    status = services.verify_chain(db, world.case.id)
    assert status.broken == []
    assert [(p.entry, p.message, p.item_id) for p in status.unverifiable] == [
        (3, "signed with ledger key retired-2019, which is not in the key ring", item.id)
    ]


def test_old_entries_up_to_the_first_checkpoint_are_old_and_one_after_it_is_forged(app, db, world):
    """The first checkpoint pins how many entries predate keyed hashes: the last of them at
    exactly its length is old; one more unkeyed entry after it was not recorded by Witness."""
    first = _legacy_item(db, world, 1, chain.GENESIS)
    second = _legacy_item(db, world, 2, first.entry_hash)
    db.commit()
    assert chain_sweep(app) == (1, 0)  # the first checkpoint, at 2 entries
    db.expire_all()
    status = services.verify_chain(db, world.case.id)
    assert status.broken == [] and status.unkeyed == 2
    _legacy_item(db, world, 3, second.entry_hash)
    status = services.verify_chain(db, world.case.id)
    assert _problems(status) == [
        (
            3,
            None,
            "recorded without a keyed hash after the chain's first checkpoint "
            "(10 Mar 2026 09:00 UTC): not recorded by Witness",
            None,
        )
    ]


def _made_up_checkpoint(db, world, *, entries: int, key_id: str) -> None:
    """A checkpoint written behind the application's back, with a MAC nobody computed."""
    db.add(
        LedgerCheckpoint(
            case_id=world.case.id,
            entries=entries,
            head_hash="f" * 64,
            made_dt=services.now_utc(),
            reason=CheckpointReason.sweep,
            key_id=key_id,
            mac="0" * 64,
        )
    )
    db.flush()


def test_a_checkpoint_signed_with_a_key_not_in_the_ring_is_reported_and_not_relied_on(db, world):
    record(db, world.officer, world.assigned, world.case)
    _made_up_checkpoint(db, world, entries=5, key_id="retired-2019")
    status = services.verify_chain(db, world.case.id)
    # not relied on: the chain is not called short of its 5 entries
    assert status.broken == []
    assert [(p.entry, p.message) for p in status.unverifiable] == [
        (
            5,
            "the checkpoint of 10 Mar 2026 09:00 UTC is signed with ledger key retired-2019, "
            "which is not in the key ring",
        )
    ]


def test_a_forged_checkpoint_is_named_at_the_length_it_claims(db, world):
    record(db, world.officer, world.assigned, world.case)
    _made_up_checkpoint(db, world, entries=4, key_id=keyring(db).signing_id)
    status = services.verify_chain(db, world.case.id)
    assert _problems(status) == [
        (4, None, "the checkpoint of 10 Mar 2026 09:00 UTC was forged or altered", None)
    ]


def _unchained_approval(db, item, approver) -> SupportApproval:
    """An approval as Witness made them before approvals were chained: no position."""
    approval = _approval_at(item, approver, None, None, None)
    approval.case_id = None  # the case was not recorded on approvals then
    db.add(approval)
    db.flush()
    return approval


def test_approvals_from_before_chaining_are_counted_per_case_and_pinned_by_the_checkpoint(
    app, db, db_owner, world, make_user
):
    approver = make_user(world.supervisor.role)
    first = _legacy_item(db, world, 1, chain.GENESIS)
    second = _legacy_item(db, world, 2, first.entry_hash)
    for item in (first, second):
        _unchained_approval(db, item, approver)
    # another case's old approval is that case's to count
    other = _unkeyed_entry(
        db, world, 1, chain.GENESIS, case_id=world.other_case.id, witness_id=world.shared.id
    )
    db.add(other)
    db.flush()
    _unchained_approval(db, other, approver)
    db.commit()
    status = services.verify_chain(db, world.case.id)
    assert status.unchained_approvals == 2 and status.broken == []
    assert chain_sweep(app) == (2, 0)  # checkpointed with 2 such approvals
    drop_guards(db)
    _delete(db, "support_approvals", second.approval.id)
    status = services.verify_chain(db, world.case.id)
    assert _problems(status) == [
        (
            2,
            None,
            "approvals made before approvals were chained: 2 at the checkpoint of "
            "10 Mar 2026 09:00 UTC, 1 now",
            None,
        )
    ]


def test_an_approval_slipped_in_outside_the_chain_names_its_item(db, world, make_user):
    item = record(db, world.officer, world.assigned, world.case, value="500")
    _unchained_approval(db, item, make_user(world.supervisor.role))
    status = services.verify_chain(db, world.case.id)
    assert _problems(status) == [
        (
            1,
            None,
            "approved outside the chain: an approval inserted behind the application's back",
            item.id,
        )
    ]


def test_entries_stored_out_of_order_are_walked_in_chain_order(db, world, make_user):
    """A restored or merged database may hold the rows in any physical order: the walk goes
    by position, not by the order the database happens to return them in."""
    head = chain.GENESIS
    items = []
    for seq in (1, 2, 3):
        items.append(_unkeyed_entry(db, world, seq, head))
        head = items[-1].entry_hash
    for item in reversed(items):  # stored last entry first
        db.add(item)
        db.flush()
    approver = make_user(world.supervisor.role)
    needing = [record(db, world.officer, world.assigned, world.case, value="500") for _ in "ab"]
    approvals = []
    seq, head = chain.chain_head(db, world.case.id)
    for item in needing:
        seq += 1
        approvals.append(_approval_at(item, approver, seq, head, keyring(db).signing_id))
        _sign(db, approvals[-1], item)
        head = approvals[-1].entry_hash
    for approval in reversed(approvals):
        db.add(approval)
        db.flush()
    status = services.verify_chain(db, world.case.id)
    assert status.broken == [] and status.length == 7 and status.unkeyed == 3


def test_an_approval_slipped_in_without_a_position_does_not_stop_recording(db, world, make_user):
    """One naming the case but no position (PostgreSQL sorts its empty position first when
    looking for the chain's head): the next entry still takes the next position."""
    item = record(db, world.officer, world.assigned, world.case, value="500")
    db.add(_approval_at(item, make_user(world.supervisor.role), None, None, None))
    db.flush()
    assert chain.chain_head(db, world.case.id) == (1, item.entry_hash)
    later = record(db, world.officer, world.assigned, world.case)
    assert later.chain_seq == 2
