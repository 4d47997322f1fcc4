"""Long chains: the badge walks only what was recorded since the last full check, and says
when that was; a full check that finds a break makes every page walk in full again."""

from __future__ import annotations

import pytest
from sqlalchemy import select, text

from witness.ledger import chain, services
from witness.ledger.jobs import chain_sweep
from witness.ledger.models import (
    CheckpointReason,
    LedgerChainCheck,
    LedgerCheckpoint,
    SupportApproval,
)

from .conftest import drop_update_guard, record

pytestmark = pytest.mark.usefixtures("frozen_clock")


@pytest.fixture
def long_chains(monkeypatch):
    """Chains of more than two entries count as long (instead of a thousand)."""
    monkeypatch.setattr(chain, "PAGE_FULL_WALK", 2)


def _tamper(db, item_id: int) -> None:
    drop_update_guard(db)
    db.execute(text("UPDATE support_items SET value = 1 WHERE id = :id"), {"id": item_id})
    db.commit()


def _badge(client, world) -> str:
    page = client.get(f"/cases/{world.case.id}/ledger").get_data(as_text=True)
    return " ".join(page[page.index('<p class="chain">') :].split("</p>")[0].split())


def test_a_long_chain_is_walked_from_its_last_full_check(
    db, db_owner, world, login, runner, long_chains
):
    items = [record(db, world.officer, world.assigned, world.case) for _ in range(4)]
    db.commit()
    client = login(world.officer)
    assert "checked in full" not in _badge(client, world)  # never checked in full: walked now
    result = runner.invoke(args=["ledger-verify"])
    assert result.exit_code == 0, result.output
    check = db.get(LedgerChainCheck, world.case.id)
    assert (check.checked_seq, check.checked_hash) == (4, items[-1].entry_hash)
    newer = record(db, world.officer, world.assigned, world.case, value="3")
    db.commit()
    badge = _badge(client, world)
    assert "Chain intact (every entry checked; 5 of witnesses you may see)" in badge
    assert "checked in full 10 Mar 2026 09:00" in badge and "1 recorded since, checked now" in badge
    # an entry recorded since is walked: altered, the badge says so at once
    _tamper(db, newer.id)
    assert "Chain BROKEN at entry 5" in _badge(client, world)


def test_the_entry_a_full_check_ended_at_is_checked_on_every_page(
    db, db_owner, world, login, runner, long_chains
):
    items = [record(db, world.officer, world.assigned, world.case) for _ in range(4)]
    db.commit()
    assert runner.invoke(args=["ledger-verify"]).exit_code == 0
    _tamper(db, items[-1].id)
    assert "Chain BROKEN at entry 4" in _badge(login(world.officer), world)


def test_the_stored_hash_of_that_entry_is_checked_too(
    db, db_owner, world, login, runner, long_chains
):
    """Its content unchanged but its recorded hash rewritten: the entry no longer says what the
    full check found, and the page walks the chain in full to name it."""
    items = [record(db, world.officer, world.assigned, world.case) for _ in range(4)]
    db.commit()
    assert runner.invoke(args=["ledger-verify"]).exit_code == 0
    drop_update_guard(db)
    db.execute(
        text("UPDATE support_items SET entry_hash = :forged WHERE id = :id"),
        {"forged": "0" * 64, "id": items[-1].id},
    )
    db.commit()
    assert "Chain BROKEN at entry 4" in _badge(login(world.officer), world)


def test_an_older_alteration_is_found_by_the_next_full_check_and_then_on_every_page(
    app, db, db_owner, world, login, runner, long_chains
):
    items = [record(db, world.officer, world.assigned, world.case) for _ in range(4)]
    db.commit()
    assert runner.invoke(args=["ledger-verify"]).exit_code == 0
    _tamper(db, items[1].id)
    client = login(world.officer)
    # until the next full check the badge stands on the last one, and says when it was
    assert "checked in full 10 Mar 2026 09:00" in _badge(client, world)
    result = runner.invoke(args=["ledger-verify"])
    assert result.exit_code == 1 and f"BROKEN at entry {items[1].chain_seq}" in result.output
    assert db.get(LedgerChainCheck, world.case.id) is None
    assert "Chain BROKEN at entry 2" in _badge(client, world)


def test_the_daily_sweep_checks_every_chain_in_full(app, db, db_owner, world, long_chains):
    items = [record(db, world.officer, world.assigned, world.case) for _ in range(3)]
    db.commit()
    assert chain_sweep(app) == (1, 0)
    db.expire_all()
    assert db.get(LedgerChainCheck, world.case.id).checked_seq == 3
    _tamper(db, items[0].id)
    assert chain_sweep(app) == (1, 1)
    db.expire_all()
    assert db.get(LedgerChainCheck, world.case.id) is None


def test_a_broken_chain_is_never_checkpointed(app, db, db_owner, world, long_chains):
    """A checkpoint vouches for a chain's length and head: the sweep signs one only for a chain
    found whole, so an altered chain that grew since its last checkpoint is not vouched for."""
    items = [record(db, world.officer, world.assigned, world.case) for _ in range(3)]
    db.commit()
    assert chain_sweep(app) == (1, 0)
    record(db, world.officer, world.assigned, world.case)
    db.commit()
    _tamper(db, items[1].id)
    assert chain_sweep(app) == (1, 1)
    db.expire_all()
    kept = db.scalars(
        select(LedgerCheckpoint).where(LedgerCheckpoint.case_id == world.case.id)
    ).all()
    assert [(c.entries, c.head_hash) for c in kept] == [(3, items[-1].entry_hash)]


def test_a_partial_walk_is_never_checkpointed(db, world):
    first = record(db, world.officer, world.assigned, world.case)
    record(db, world.officer, world.assigned, world.case)
    partial = services.verify_chain(db, world.case.id, after_seq=1, after_hash=first.entry_hash)
    with pytest.raises(ValueError, match="only a walk from the start"):
        chain.write_checkpoint(db, partial, CheckpointReason.sweep)


def test_a_partial_walk_is_never_taken_for_a_full_check(db, world):
    first = record(db, world.officer, world.assigned, world.case)
    record(db, world.officer, world.assigned, world.case)
    partial = services.verify_chain(db, world.case.id, after_seq=1, after_hash=first.entry_hash)
    assert partial.intact and partial.entries == 2 and partial.walked == 1
    with pytest.raises(ValueError, match="full check"):
        services.record_full_check(db, partial)


def test_a_full_check_that_ended_at_an_entry_from_before_keyed_hashes_still_spares_the_walk(
    db, world, login, runner, long_chains
):
    """Entries hashed before keyed hashes (plain SHA-256) are re-hashed the old way when a full
    check ended at one: the page walks only what came after, says when the full check was, and
    still says the chain is partly unkeyed (found by mutation testing: losing the old way made
    every such page walk in full; and the walk from the check called the chain "intact")."""
    from .test_chain_integrity import _legacy_item

    first = _legacy_item(db, world, 1, chain.GENESIS)
    second = _legacy_item(db, world, 2, first.entry_hash)
    third = _legacy_item(db, world, 3, second.entry_hash)
    # approved before approvals were chained: no position, counted apart
    db.add(SupportApproval(item_id=first.id, approved_by_id=world.supervisor.id))
    db.commit()
    assert runner.invoke(args=["ledger-verify"]).exit_code == 0
    check = db.get(LedgerChainCheck, world.case.id)
    assert (check.checked_seq, check.checked_hash) == (3, third.entry_hash)
    record(db, world.officer, world.assigned, world.case)
    db.commit()
    badge = _badge(login(world.officer), world)
    assert "Chain consistent, partly unkeyed (every entry checked; 4 of" in badge
    assert "Chain intact" not in badge
    assert "checked in full 10 Mar 2026 09:00" in badge and "1 recorded since, checked now" in badge
    # the counts the full check found, as they are (not merely containing them)
    assert ">3 entries and 1 approvals predate keyed hashes<" in badge


def test_a_full_check_that_ended_at_an_approval_spares_the_walk_beside_other_chains(
    db, world, login, runner, long_chains
):
    """The entry a full check ended at is found by its case and position, whether an item or
    an approval, among other cases' entries at the same positions and other approvals of the
    case (found by mutation testing: a lookup that lost either condition made every such page
    walk in full). The chain checked is the second case's, so no id happens to be 1."""
    from witness.ledger.services import approve_item

    for _ in range(5):  # the first case's chain: entries at every position
        record(db, world.officer, world.assigned, world.case)
    first = record(db, world.officer2, world.shared, world.other_case, value="500")
    approve_item(db, world.supervisor, first, "Receipt seen")
    second = record(db, world.officer2, world.shared, world.other_case, value="600")
    approval = approve_item(db, world.supervisor, second, "Receipt seen")
    db.commit()
    assert approval.chain_seq == 4 and world.other_case.id != 1
    assert runner.invoke(args=["ledger-verify"]).exit_code == 0
    assert db.get(LedgerChainCheck, world.other_case.id).checked_seq == 4
    record(db, world.officer2, world.shared, world.other_case)
    db.commit()
    page = login(world.officer2).get(f"/cases/{world.other_case.id}/ledger")
    page = page.get_data(as_text=True)
    badge = " ".join(page[page.index('<p class="chain">') :].split("</p>")[0].split())
    assert "checked in full 10 Mar 2026 09:00" in badge and "1 recorded since, checked now" in badge


def test_an_entry_a_full_check_ended_at_that_moved_away_makes_the_page_walk_in_full(
    db, db_owner, world, login, runner, long_chains
):
    """Nothing at the position the check ended at: the page walks the chain in full and names
    the gap, rather than failing."""
    items = [record(db, world.officer, world.assigned, world.case) for _ in range(4)]
    db.commit()
    assert runner.invoke(args=["ledger-verify"]).exit_code == 0
    drop_update_guard(db)
    db.execute(text("UPDATE support_items SET chain_seq = 99 WHERE id = :id"), {"id": items[-1].id})
    db.commit()
    badge = _badge(login(world.officer), world)
    assert "Chain BROKEN" in badge and "checked in full" not in badge


def test_the_sweep_checkpoints_a_chain_only_when_it_grew_since_its_newest_checkpoint(
    app, db, world
):
    """Compared with the newest checkpoint, not the first: an unchanged chain gets no new one
    (found by mutation testing)."""
    for _ in range(2):
        record(db, world.officer, world.assigned, world.case)
    db.commit()
    chain_sweep(app)
    record(db, world.officer, world.assigned, world.case)
    db.commit()
    chain_sweep(app)
    chain_sweep(app)  # unchanged since the newest checkpoint: none more
    db.expire_all()
    made = db.scalars(select(LedgerCheckpoint.entries).order_by(LedgerCheckpoint.id)).all()
    assert made == [2, 3]


def test_a_chain_as_long_as_the_page_walks_in_full_is_walked_in_full(
    db, world, login, runner, long_chains
):
    """The page walks a chain of up to PAGE_FULL_WALK entries in full, even after a full
    check: the badge then says nothing of an earlier check."""
    for _ in range(2):
        record(db, world.officer, world.assigned, world.case)
    db.commit()
    assert runner.invoke(args=["ledger-verify"]).exit_code == 0
    badge = _badge(login(world.officer), world)
    assert "Chain intact" in badge and "checked in full" not in badge


def test_an_unkeyed_entry_forged_after_the_last_full_check_is_broken_not_old(
    db, world, login, runner, long_chains
):
    """After keyed entries, one hashed the old way (plain SHA-256, which anyone with the
    database can compute) was not recorded by Witness: the walk from the check says so, as a
    full walk would (found by mutation testing: it was counted as an old unkeyed entry)."""
    from .test_chain_integrity import _legacy_item

    items = [record(db, world.officer, world.assigned, world.case) for _ in range(3)]
    db.commit()
    assert runner.invoke(args=["ledger-verify"]).exit_code == 0
    _legacy_item(db, world, 4, items[-1].entry_hash)
    db.commit()
    badge = _badge(login(world.officer), world)
    assert "Chain BROKEN at entry 4" in badge
