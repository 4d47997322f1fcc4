"""The chain as a defence lawyer with a copy of the database would attack it (issue 11, items
12-15 and 27): every broken entry is reported, approvals are in the chain, hashes are keyed
(and keys rotate), and keyed checkpoints catch a chain cut short or wiped."""

from __future__ import annotations

import hashlib
import hmac
from datetime import UTC, date, datetime
from decimal import Decimal
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DatabaseError

from witness.ledger import chain, services
from witness.ledger.content import (
    approval_content,
    canonical_content,
    chained,
    checkpoint_content,
    legacy_content,
)
from witness.ledger.jobs import chain_sweep
from witness.ledger.keys import KeyRing, keyring
from witness.ledger.models import (
    CheckpointReason,
    LedgerCheckpoint,
    SupportApproval,
    SupportCategory,
    SupportItem,
)
from witness.people.models import Phase

from .conftest import drop_guards, record

pytestmark = pytest.mark.usefixtures("frozen_clock")

KEY_A = ("key-a", "a" * 64)
KEY_B = ("key-b", "b" * 64)


def _alter(db, table: str, row_id: int, **values) -> None:
    """What someone who owns the database could do (needs ``db_owner``)."""
    assignments = ", ".join(f"{column} = :{column}" for column in values)
    db.execute(text(f"UPDATE {table} SET {assignments} WHERE id = :id"), {**values, "id": row_id})
    db.expire_all()


def _delete(db, table: str, row_id: int) -> None:
    if table == "support_items":  # the review flags it raised point at it
        db.execute(text("DELETE FROM ledger_flags WHERE item_id = :id"), {"id": row_id})
    db.execute(text(f"DELETE FROM {table} WHERE id = :id"), {"id": row_id})
    db.expire_all()


def _problems(status) -> list[tuple[int, str]]:
    return [(p.entry, p.message) for p in status.broken]


@pytest.fixture
def use_ring(app, db):
    """``use_ring(*keys)``: the app (pages, CLI, sweeps) and the test's session sign and verify
    with a ring of these ``(id, secret)`` keys, the last signing; restored afterwards."""
    maker = app.extensions["witness.db"].sessionmaker
    original = keyring(db)

    def use(*keys) -> KeyRing:
        ring = KeyRing.of(list(keys), "test")
        db.info["ledger_keys"] = ring
        maker.configure(info={"ledger_keys": ring})
        app.extensions["witness.ledger_keys"] = ring
        return ring

    yield use
    db.info["ledger_keys"] = original
    maker.configure(info={"ledger_keys": original})
    app.extensions["witness.ledger_keys"] = original


# --- every broken entry (item 12) and the branches that find them (item 27) ---------------------


def test_every_broken_entry_is_reported_not_only_the_first(db, db_owner, world, runner, login):
    items = [record(db, world.officer, world.assigned, world.case, value=v) for v in "1234"]
    drop_guards(db)
    _alter(db, "support_items", items[1].id, value=9)
    _alter(db, "support_items", items[3].id, rationale="Paid for nothing")
    status = services.verify_chain(db, world.case.id)
    assert [entry for entry, _ in _problems(status)] == [2, 4]
    assert all("content was changed" in message for _, message in _problems(status))
    db.commit()
    result = runner.invoke(args=["ledger-verify"])
    assert result.exit_code == 1
    assert "BROKEN at entry 2: its content was changed" in result.output
    assert "BROKEN at entry 4: its content was changed" in result.output
    assert "1 chains checked, 1 broken, 0 not verifiable." in result.output
    page = login(world.prosecutor).get(f"/cases/{world.case.id}/ledger").get_data(as_text=True)
    assert "Chain BROKEN at entry 2: its content was changed" in page
    assert "and 1 more" in page and "<li>entry 4: its content was changed" in page


def test_a_deleted_entry_is_reported_missing_and_the_rest_still_checked(db, db_owner, world):
    items = [record(db, world.officer, world.assigned, world.case, value=v) for v in "1234"]
    drop_guards(db)
    _delete(db, "support_items", items[1].id)
    status = services.verify_chain(db, world.case.id)
    assert _problems(status) == [(2, "missing from the chain (deleted)")]
    assert status.length == 4 and status.entries == 3


def test_an_entry_rewritten_with_the_key_no_longer_links_to_the_next(db, db_owner, world):
    """Someone who also stole the key rewrites entry 2 and re-signs it: entry 2 checks out on
    its own, but entry 3 still names the old entry 2 before it."""
    items = [record(db, world.officer, world.assigned, world.case, value=v) for v in "123"]
    ring = keyring(db)
    second = items[1]
    drop_guards(db)
    _alter(db, "support_items", second.id, value=50)
    db.refresh(second)
    forged = ring.sign(chained(second.prev_hash, canonical_content(second)))
    _alter(db, "support_items", second.id, entry_hash=forged)
    status = services.verify_chain(db, world.case.id)
    assert _problems(status) == [(3, "it does not follow the entry before it")]


@pytest.mark.parametrize(
    ("column", "value"),
    [("witness_id", "unassigned"), ("currency", "EUR"), ("need_id", None), ("phase", "trial")],
)
def test_every_recorded_field_is_under_the_hash(db, db_owner, world, column, value):
    item = record(db, world.officer, world.assigned, world.case)
    record(db, world.officer, world.assigned, world.case)
    if value == "unassigned":
        value = world.unassigned.id
    drop_guards(db)
    if column == "need_id":  # from none to another witness's need id: the column exists
        db.execute(text("UPDATE support_items SET need_id = NULL WHERE id = :id"), {"id": item.id})
        column, value = "unit", "nights"
    _alter(db, "support_items", item.id, **{column: value})
    status = services.verify_chain(db, world.case.id)
    assert [entry for entry, _ in _problems(status)] == [1]


PIN_RING = KeyRing.of([("pin-2026", "p" * 64)])
PINNED = dict(
    case_id=7,
    chain_seq=3,
    witness_id=11,
    category=SupportCategory.transport,
    description="Return bus fare",
    quantity=Decimal("2.00"),
    unit="trips",
    value=Decimal("12.50"),
    currency="GBP",
    is_cash=False,
    date_provided=date(2026, 3, 9),
    provider_organisation_id=2,
    recorded_by_id=5,
    recorded_dt=datetime(2026, 3, 10, 9, 0, 0, 123456, tzinfo=UTC),
    rationale="Travel to the pre-trial meeting",
    need_id=None,
    phase=Phase.pre_trial,
    needs_approval=False,
    reverses_id=None,
    reversal_reason="",
    key_id="pin-2026",
)
PINNED_HASH = "ddcd1b0b494ae331fc77c70e47c5780f4686a275be377b0c0f7b4b2d28ea7e51"


def _pinned_hash(**changes) -> str:
    item = SimpleNamespace(**(PINNED | changes))
    return PIN_RING.mac("pin-2026", chained("1" * 64, canonical_content(item)))


@pytest.mark.parametrize(
    "change",
    [
        {"witness_id": 12},
        {"currency": "EUR"},
        {"case_id": 8},
        {"chain_seq": 4},
        {"key_id": "pin-2027"},
        {"value": Decimal("12.51")},
        {"recorded_dt": datetime(2026, 3, 10, 9, 0, 0, 123457, tzinfo=UTC)},
        {"category": SupportCategory.counselling},
        {"description": "Return train fare"},
        {"quantity": Decimal("3.00")},
        {"unit": "tickets"},
        {"is_cash": True},
        {"date_provided": date(2026, 3, 8)},
        {"provider_organisation_id": 3},
        {"recorded_by_id": 6},
        {"rationale": "Travel home"},
        {"need_id": 3},
        {"phase": Phase.trial},
        {"needs_approval": True},
        {"reverses_id": 1},
        {"reversal_reason": "Recorded twice"},
    ],
)
def test_the_keyed_hash_of_a_known_entry_is_pinned(change):
    """A known entry's hash, fixed here: leaving a field out of what is hashed, or writing an
    amount differently, changes it (and would break every chain recorded before)."""
    assert _pinned_hash() == PINNED_HASH
    assert _pinned_hash(**change) != PINNED_HASH


#: the same entry as hashed before keyed hashes (plain SHA-256): such entries are still checked
PINNED_LEGACY_HASH = "f97d3edfde26c46b3f14497f4cfd921f7ed0ab4477dce56234766fb063a623cd"


@pytest.mark.parametrize(
    "change",
    [{"witness_id": 12}, {"currency": "EUR"}, {"value": Decimal("12.51")}, {"is_cash": True},
     {"phase": Phase.trial}, {"reversal_reason": "x"}, {"need_id": 3},
     {"needs_approval": True}, {"case_id": 8}, {"chain_seq": 4},
     {"category": SupportCategory.counselling}, {"description": "Return train fare"},
     {"quantity": Decimal("3.00")}, {"unit": "tickets"}, {"date_provided": date(2026, 3, 8)},
     {"provider_organisation_id": 3}, {"recorded_by_id": 6},
     {"recorded_dt": datetime(2026, 3, 10, 9, 0, 1, 123456, tzinfo=UTC)},
     {"rationale": "Travel home"}, {"reverses_id": 1}],
)  # fmt: skip
def test_the_hash_of_a_known_entry_from_before_keyed_hashes_is_pinned(change):
    """The old entries are verified with the old content: a change to what it holds or how it
    writes a field would turn every entry recorded before keyed hashes into a broken chain
    (the tests that build such entries use the same function, so only a pin catches it)."""

    def legacy_hash(**changes) -> str:
        item = SimpleNamespace(**(PINNED | changes))
        return hashlib.sha256(chained("1" * 64, legacy_content(item))).hexdigest()

    assert legacy_hash() == PINNED_LEGACY_HASH
    assert legacy_hash(**change) != PINNED_LEGACY_HASH


# --- approvals in the chain (item 13) -----------------------------------------------------------


def test_an_approval_takes_the_next_position_and_is_signed(db, world):
    item = record(db, world.officer, world.assigned, world.case, value="500")
    approval = services.approve_item(db, world.supervisor, item, "Receipt seen")
    later = record(db, world.officer, world.assigned, world.case)
    assert (item.chain_seq, approval.chain_seq, later.chain_seq) == (1, 2, 3)
    assert approval.prev_hash == item.entry_hash and later.prev_hash == approval.entry_hash
    expected = keyring(db).sign(
        chained(approval.prev_hash, approval_content(approval, item.entry_hash))
    )
    assert approval.entry_hash == expected
    db.expire_all()
    status = services.verify_chain(db, world.case.id)
    assert status.state == "intact" and status.length == 3


def test_a_deleted_approval_is_found(db, db_owner, world):
    item = record(db, world.officer, world.assigned, world.case, value="500")
    approval = services.approve_item(db, world.supervisor, item)
    record(db, world.officer, world.assigned, world.case)
    drop_guards(db)
    _delete(db, "support_approvals", approval.id)
    status = services.verify_chain(db, world.case.id)
    assert _problems(status) == [(2, "missing from the chain (deleted)")]


def test_the_database_refuses_an_approval_by_the_recorder(db, world):
    """Four eyes in the database itself: raw SQL as the application's role."""
    item = record(db, world.supervisor, world.assigned, world.case, value="500")
    savepoint = db.begin_nested()
    with pytest.raises(DatabaseError, match=r"recorded .*cannot approve it"):
        db.execute(
            text(
                "INSERT INTO support_approvals (item_id, approved_by_id, approved_dt, note) "
                "VALUES (:item, :user, :now, '')"
            ),
            {"item": item.id, "user": world.supervisor.id, "now": item.recorded_dt},
        )
    savepoint.rollback()
    assert db.scalar(select(func.count(SupportApproval.id))) == 0


def test_an_approval_slipped_in_outside_the_chain_is_found(db, world, make_user):
    """Another supervisor's approval inserted by raw SQL, with no position (the trigger lets a
    second person through): the chain check names the item it claims to approve."""
    item = record(db, world.officer, world.assigned, world.case, value="500")
    accomplice = make_user(world.supervisor.role)
    db.execute(
        text(
            "INSERT INTO support_approvals (item_id, approved_by_id, approved_dt, note) "
            "VALUES (:item, :user, :now, '')"
        ),
        {"item": item.id, "user": accomplice.id, "now": item.recorded_dt},
    )
    status = services.verify_chain(db, world.case.id)
    assert _problems(status) == [
        (1, "approved outside the chain: an approval inserted behind the application's back")
    ]


def test_an_approval_forged_into_a_position_without_the_key_is_found(db, world, make_user):
    item = record(db, world.officer, world.assigned, world.case, value="500")
    accomplice = make_user(world.supervisor.role)
    forged = SupportApproval(
        item_id=item.id,
        approved_by_id=accomplice.id,
        approved_dt=item.recorded_dt,
        note="",
        case_id=item.case_id,
        chain_seq=2,
        prev_hash=item.entry_hash,
        key_id=keyring(db).signing_id,
    )
    forged.entry_hash = KeyRing.of([("x", "wrong" * 8)]).mac(
        "x", chained(item.entry_hash, approval_content(forged, item.entry_hash))
    )
    db.add(forged)
    db.flush()
    status = services.verify_chain(db, world.case.id)
    assert [entry for entry, _ in _problems(status)] == [2]
    assert "not recorded by Witness" in _problems(status)[0][1]


# --- keyed hashes and rotation (item 14) --------------------------------------------------------


def _forge_item(db, world, **fields) -> SupportItem:
    """A row inserted behind the application's back at the chain's next position."""
    seq, head = chain.chain_head(db, world.case.id)
    item = SupportItem(
        case_id=world.case.id,
        witness_id=world.assigned.id,
        category=SupportCategory.transport,
        description="Taxi",
        quantity=2,
        unit="trips",
        value=40,
        currency="GBP",
        is_cash=False,
        date_provided=date(2026, 3, 9),
        provider_organisation_id=world.officer.organisation_id,
        recorded_by_id=world.officer.id,
        recorded_dt=services.now_utc(),
        rationale="Travel",
        phase=Phase.reflection,
        needs_approval=False,
        reversal_reason="",
        chain_seq=seq + 1,
        prev_hash=head,
    )
    for name, value in fields.items():
        setattr(item, name, value)
    return item


def test_a_forged_row_with_a_recomputed_plain_hash_is_found(db, world):
    """Before keyed hashes, anyone could append a row and recompute its SHA-256."""
    record(db, world.officer, world.assigned, world.case)
    forged = _forge_item(db, world, key_id=None)
    content = chained(forged.prev_hash, legacy_content(forged))
    forged.entry_hash = hashlib.sha256(content).hexdigest()
    db.add(forged)
    db.flush()
    status = services.verify_chain(db, world.case.id)
    assert _problems(status) == [
        (2, "no keyed hash, yet after keyed entries: not recorded by Witness")
    ]


def test_a_forged_row_claiming_the_key_is_found(db, world):
    record(db, world.officer, world.assigned, world.case)
    forged = _forge_item(db, world, key_id=keyring(db).signing_id)
    forged.entry_hash = KeyRing.of([("x", "guess" * 8)]).mac(
        "x", chained(forged.prev_hash, canonical_content(forged))
    )
    db.add(forged)
    db.flush()
    assert [entry for entry, _ in _problems(services.verify_chain(db, world.case.id))] == [2]


def test_keys_rotate_and_a_ring_without_an_old_key_cannot_vouch_for_its_entries(
    db, world, use_ring, runner
):
    use_ring(KEY_A)
    old = [record(db, world.officer, world.assigned, world.case) for _ in range(2)]
    use_ring(KEY_A, KEY_B)  # rotated: B signs from now on, A still verifies
    new = [record(db, world.officer, world.assigned, world.case) for _ in range(2)]
    assert [i.key_id for i in old + new] == ["key-a", "key-a", "key-b", "key-b"]
    db.commit()
    assert services.verify_chain(db, world.case.id).state == "intact"
    assert runner.invoke(args=["ledger-verify"]).exit_code == 0

    use_ring(KEY_B)  # key A lost
    status = services.verify_chain(db, world.case.id)
    assert status.state == "unverifiable" and not status.intact and not status.broken
    assert [p.entry for p in status.unverifiable] == [1, 2]
    assert "signed with ledger key key-a, which is not in the key ring" in str(
        status.unverifiable[0]
    )
    result = runner.invoke(args=["ledger-verify"])
    assert result.exit_code == 1 and "NOT VERIFIABLE with this key ring" in result.output
    assert "intact" not in result.output.split("chains checked")[0]


def _legacy_item(db, world, seq: int, head: str) -> SupportItem:
    """An entry as Witness hashed them before keyed hashes (plain SHA-256, no key id)."""
    item = _forge_item(db, world, key_id=None, chain_seq=seq, prev_hash=head)
    item.entry_hash = hashlib.sha256(chained(head, legacy_content(item))).hexdigest()
    db.add(item)
    db.flush()
    return item


def test_entries_hashed_before_keyed_hashes_are_reported_unkeyed_never_intact(
    app, db, world, runner, login
):
    first = _legacy_item(db, world, 1, chain.GENESIS)
    _legacy_item(db, world, 2, first.entry_hash)
    later = record(db, world.officer, world.assigned, world.case)  # keyed, after the upgrade
    assert later.chain_seq == 3 and later.key_id is not None
    db.commit()
    status = services.verify_chain(db, world.case.id)
    assert status.state == "unkeyed" and status.unkeyed == 2 and not status.broken
    result = runner.invoke(args=["ledger-verify"])
    assert result.exit_code == 0
    assert f"{world.case.reference}: consistent, partly UNKEYED (3 entries" in result.output
    assert "2 entries and 0 approvals predate keyed hashes" in result.output
    page = login(world.prosecutor).get(f"/cases/{world.case.id}/ledger").get_data(as_text=True)
    assert "Chain consistent, partly unkeyed (3 entries)" in page and "Chain intact" not in page
    # the first checkpoint pins them: an unkeyed entry that appears later is not Witness's
    assert chain_sweep(app) == (1, 0)
    db.expire_all()
    _legacy_item(db, world, 4, later.entry_hash)
    status = services.verify_chain(db, world.case.id)
    assert [entry for entry, _ in _problems(status)] == [4]


# --- checkpoints: truncation and wipe (item 15) -------------------------------------------------


def test_the_daily_sweep_checkpoints_a_chain_that_grew(app, db, world):
    record(db, world.officer, world.assigned, world.case)
    db.commit()
    assert chain_sweep(app) == (1, 0)
    assert chain_sweep(app) == (1, 0)  # unchanged: no second checkpoint
    record(db, world.officer, world.assigned, world.case)
    db.commit()
    chain_sweep(app)
    db.expire_all()
    checkpoints = db.scalars(select(LedgerCheckpoint).order_by(LedgerCheckpoint.id)).all()
    assert [(c.entries, c.reason) for c in checkpoints] == [
        (1, CheckpointReason.sweep),
        (2, CheckpointReason.sweep),
    ]
    head = services.verify_chain(db, world.case.id).last_hash
    assert checkpoints[-1].head_hash == head and len(checkpoints[-1].mac) == 64


@pytest.mark.parametrize("fmt", ["pdf", "csv"])
def test_every_disclosure_report_checkpoints_the_anchor_it_gives_out(db, world, login, fmt):
    item = record(db, world.officer, world.assigned, world.case)
    db.commit()
    client = login(world.prosecutor)
    for _ in range(2):
        response = client.get(f"/cases/{world.case.id}/ledger/disclosure.{fmt}")
        assert response.status_code == 200
    db.expire_all()
    checkpoints = db.scalars(select(LedgerCheckpoint)).all()
    assert [(c.entries, c.head_hash, c.reason) for c in checkpoints] == 2 * [
        (1, item.entry_hash, CheckpointReason.disclosure)
    ]


def test_deleting_the_last_entry_is_found(app, db, db_owner, world, runner):
    """Before checkpoints, deleting the newest entries moved the check back silently."""
    items = [record(db, world.officer, world.assigned, world.case) for _ in range(3)]
    db.commit()
    chain_sweep(app)
    drop_guards(db)
    _delete(db, "support_items", items[-1].id)
    db.commit()
    result = runner.invoke(args=["ledger-verify"])
    assert result.exit_code == 1
    assert "BROKEN at entry 3: missing: the chain had 3 entries at its checkpoint of " in (
        result.output
    )


def test_a_wiped_ledger_is_found(app, db, db_owner, world, runner):
    """Before, an emptied ledger reported "0 chains checked, 0 broken" and exited 0."""
    items = [record(db, world.officer, world.assigned, world.case) for _ in range(2)]
    db.commit()
    chain_sweep(app)
    drop_guards(db)
    for item in reversed(items):
        _delete(db, "support_items", item.id)
    db.commit()
    result = runner.invoke(args=["ledger-verify"])
    assert result.exit_code == 1
    assert f"{world.case.reference}: BROKEN" in result.output
    assert "BROKEN at entries 1\N{EN DASH}2: missing: the chain had 2 entries" in result.output
    assert "1 chains checked, 1 broken" in result.output


def test_a_forged_checkpoint_is_found(db, world):
    record(db, world.officer, world.assigned, world.case)
    forged = LedgerCheckpoint(
        case_id=world.case.id,
        entries=1,
        head_hash="f" * 64,
        made_dt=services.now_utc(),
        reason=CheckpointReason.sweep,
        key_id=keyring(db).signing_id,
        mac="0" * 64,
    )
    db.add(forged)
    db.flush()
    status = services.verify_chain(db, world.case.id)
    assert [message for _, message in _problems(status)] == [
        "the checkpoint of 10 Mar 2026 09:00 UTC was forged or altered"
    ]


#: an approval and a checkpoint as their keyed hashes see them, written out here byte for byte
PINNED_APPROVAL = SimpleNamespace(
    case_id=7,
    chain_seq=4,
    item_id=31,
    approved_by_id=6,
    approved_dt=datetime(2026, 3, 11, 14, 5, 0, 654321, tzinfo=UTC),
    note="Checked the receipt",
    key_id="pin-2026",
)
PINNED_APPROVAL_CONTENT = (
    b'{"approved_by_id":6,"approved_dt":"2026-03-11T14:05:00.654321+00:00","case_id":7,'
    b'"chain_seq":4,"item_entry_hash":"' + b"3" * 64 + b'","item_id":31,"key_id":"pin-2026",'
    b'"kind":"approval","note":"Checked the receipt"}'
)
PINNED_CHECKPOINT = SimpleNamespace(
    case_id=7,
    entries=5,
    head_hash="4" * 64,
    unchained_approvals=0,
    made_dt=datetime(2026, 3, 12, 2, 0, 0, 1, tzinfo=UTC),
    reason=CheckpointReason.sweep,
    key_id="pin-2026",
)
PINNED_CHECKPOINT_CONTENT = (
    b'{"case_id":7,"entries":5,"head_hash":"' + b"4" * 64 + b'","key_id":"pin-2026",'
    b'"made_dt":"2026-03-12T02:00:00.000001+00:00","reason":"sweep","unchained_approvals":0}'
)


def test_what_an_approval_and_a_checkpoint_hash_is_pinned():
    """Approvals and checkpoints are verified by hashing them again with the same function, so
    only a pin catches a change to what they hold or how they are written (which would turn
    every approval and checkpoint recorded before into a broken chain). Their keyed hashes are
    the HMAC-SHA256 of exactly these bytes."""
    assert approval_content(PINNED_APPROVAL, "3" * 64) == PINNED_APPROVAL_CONTENT
    assert checkpoint_content(PINNED_CHECKPOINT) == PINNED_CHECKPOINT_CONTENT
    approval_mac = hmac.new(
        b"p" * 64, chained("2" * 64, PINNED_APPROVAL_CONTENT), hashlib.sha256
    ).hexdigest()
    assert PIN_RING.mac("pin-2026", chained("2" * 64, PINNED_APPROVAL_CONTENT)) == approval_mac
    assert (
        PIN_RING.mac("pin-2026", PINNED_CHECKPOINT_CONTENT)
        == hmac.new(b"p" * 64, PINNED_CHECKPOINT_CONTENT, hashlib.sha256).hexdigest()
    )
