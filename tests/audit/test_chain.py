"""The audit log's keyed chain: sealing gives each event its place and MAC; the walk finds an
edited, deleted, forged or reordered event by its place, and a MAC recomputed without the key
does not pass."""

from __future__ import annotations

import hashlib
import hmac
from datetime import timedelta
from itertools import pairwise

import pytest
from sqlalchemy import exc, select, text

from tests.audit.conftest import drop_guards, seq_of
from witness.audit.chain import GENESIS, chain_head, event_content, seal, verify
from witness.audit.jobs import seal_sweep, verify_sweep
from witness.audit.models import AuditEvent
from witness.audit.services import record_event
from witness.core.keyring import KeyRing, keyring
from witness.core.time import now_utc


def test_sealing_chains_the_events_in_id_order_and_the_walk_finds_them_intact(db, events):
    before, _ = chain_head(db)
    assert seal(db) >= len(events)
    rows = db.execute(
        select(AuditEvent.id, AuditEvent.seq, AuditEvent.prev_mac, AuditEvent.mac)
        .where(AuditEvent.id.in_([e.id for e in events]))
        .order_by(AuditEvent.id)
    ).all()
    seqs = [r.seq for r in rows]
    assert seqs == sorted(seqs) and seqs == list(range(seqs[0], seqs[0] + len(rows)))
    assert seqs[0] > before
    for earlier, later in pairwise(rows):
        assert later.prev_mac == earlier.mac
    status = verify(db)
    assert status.state == "intact", status.broken
    assert status.head_seq == chain_head(db)[0] and status.sealed == status.head_seq
    assert seal(db) == 0  # nothing left to seal


def test_the_first_event_follows_the_genesis(db, events):
    seal(db)
    first = db.execute(select(AuditEvent.prev_mac).where(AuditEvent.seq == 1)).scalar_one()
    assert first == GENESIS


def test_the_mac_is_the_keyed_hmac_of_the_content_with_place_and_previous_mac(db, events):
    seal(db)
    ring = keyring(db)
    row = db.execute(select(AuditEvent.__table__).where(AuditEvent.id == events[2].id)).one()
    content = event_content(row, row.seq, row.prev_mac, row.key_id)
    secret = ring.secrets[row.key_id]
    assert row.key_id == ring.signing_id
    assert row.mac == hmac.new(secret, content, hashlib.sha256).hexdigest()
    assert b'"action":"witness.view"' in content and f'"seq":{row.seq}'.encode() in content


#: the application's role is refused by its grants on PostgreSQL (it may set only the seal
#: columns), everyone by the trigger
REFUSED = "append-only|permission denied"


def _only_the_seal_may_be_set(db, events) -> None:
    first = events[0].id
    for statement in (
        "UPDATE audit_events SET action = 'x' WHERE id = :id",
        "UPDATE audit_events SET detail = '{}' WHERE id = :id",
        "UPDATE audit_events SET seq = 999999 WHERE id = :id",  # a seal set in part
    ):
        with pytest.raises(exc.DatabaseError, match=REFUSED), db.begin_nested():
            db.execute(text(statement), {"id": first})
    seal(db)
    with pytest.raises(exc.DatabaseError, match=REFUSED), db.begin_nested():
        db.execute(
            text("UPDATE audit_events SET seq = seq, prev_mac = prev_mac, mac = :m WHERE id = :id"),
            {"id": first, "m": "0" * 64},
        )
    with pytest.raises(exc.DatabaseError, match=REFUSED), db.begin_nested():
        db.execute(text("DELETE FROM audit_events WHERE id = :id"), {"id": first})
    assert verify(db).state == "intact"


def test_the_application_may_set_only_an_unsealed_events_whole_seal(db, events):
    """The sealer's one permitted change (it runs as the application); every other is refused."""
    _only_the_seal_may_be_set(db, events)


def test_the_trigger_holds_for_the_tables_owner_too(db, db_owner, events):
    _only_the_seal_may_be_set(db, events)


@pytest.mark.parametrize(
    "change",
    [
        "action = 'witness.search'",
        "witness_id = witness_id + 1000",
        "detail = '{\"n\": 99}'",
        "remote_addr = '10.9.9.9'",
        "actor_id = NULL",
    ],
    ids=["action", "witness_id", "detail", "remote_addr", "actor"],
)
def test_an_edited_sealed_event_breaks_the_chain_at_its_place(db, db_owner, events, change):
    seal(db)
    target = seq_of(db, events[2].id)
    drop_guards(db)
    db.execute(text(f"UPDATE audit_events SET {change} WHERE id = :id"), {"id": events[2].id})
    status = verify(db)
    assert status.state == "broken"
    assert [b.seq for b in status.broken] == [target]
    assert "changed" in status.broken[0].message


def test_a_deleted_sealed_event_is_reported_missing(db, db_owner, events):
    seal(db)
    target = seq_of(db, events[1].id)
    drop_guards(db)
    db.execute(text("DELETE FROM audit_events WHERE id = :id"), {"id": events[1].id})
    status = verify(db)
    assert [(b.seq, b.message) for b in status.broken] == [
        (target, "missing from the chain (deleted)")
    ]


def test_a_forged_event_inserted_in_the_chain_is_found(db, db_owner, events):
    """Inserted with the next place and the head's MAC as its previous one: its own MAC cannot
    be made without the key (here: plain SHA-256 of its content, as a forger could)."""
    seal(db)
    seq, head = chain_head(db)
    forged = record_event(db, None, "witness.view", object_type="witness", object_id=1)
    db.flush()
    row = db.execute(select(AuditEvent.__table__).where(AuditEvent.id == forged.id)).one()
    mac = hashlib.sha256(event_content(row, seq + 1, head, "test-2026")).hexdigest()
    drop_guards(db)
    db.execute(
        text(
            "UPDATE audit_events SET seq = :s, prev_mac = :p, mac = :m, key_id = :k WHERE id = :i"
        ),
        {"s": seq + 1, "p": head, "m": mac, "k": "test-2026", "i": forged.id},
    )
    status = verify(db)
    assert [b.seq for b in status.broken] == [seq + 1]


def test_a_mac_recomputed_with_another_key_does_not_pass(db, db_owner, events):
    """Someone with the database but not the key edits an event and recomputes its MAC with a
    key of their own under the same key id: the walk still finds the edit."""
    seal(db)
    target = seq_of(db, events[3].id)
    drop_guards(db)
    db.execute(text("UPDATE audit_events SET action = 'x.y' WHERE id = :id"), {"id": events[3].id})
    row = db.execute(select(AuditEvent.__table__).where(AuditEvent.id == events[3].id)).one()
    guess = KeyRing.of([(row.key_id, "f" * 64)])
    db.execute(
        text("UPDATE audit_events SET mac = :m WHERE id = :id"),
        {"m": guess.mac(row.key_id, event_content(row, row.seq, row.prev_mac, row.key_id)),
         "id": row.id},
    )  # fmt: skip
    status = verify(db)
    # its MAC is wrong, and the next event no longer follows it
    assert [b.seq for b in status.broken] == [target, target + 1]


def test_swapped_places_break_the_chain_at_both(db, db_owner, events):
    seal(db)
    a, b = seq_of(db, events[1].id), seq_of(db, events[2].id)
    drop_guards(db)
    db.execute(text("UPDATE audit_events SET seq = -1 WHERE id = :id"), {"id": events[1].id})
    db.execute(
        text("UPDATE audit_events SET seq = :s WHERE id = :id"), {"s": a, "id": events[2].id}
    )
    db.execute(
        text("UPDATE audit_events SET seq = :s WHERE id = :id"), {"s": b, "id": events[1].id}
    )
    status = verify(db)
    assert [x.seq for x in status.broken][:2] == [a, b]


def test_a_ring_without_the_key_cannot_verify(app, db, events):
    seal(db)
    other = KeyRing.of([("another-key", "e" * 64)])
    db.info["ledger_keys"], saved = other, db.info.get("ledger_keys")
    try:
        status = verify(db)
    finally:
        db.info["ledger_keys"] = saved
    assert status.state == "unverifiable"


def test_events_left_unsealed_too_long_are_reported(db, events):
    status = verify(db, now=now_utc() + timedelta(minutes=10))
    assert status.late >= len(events) and status.state == "late"
    seal(db)
    assert verify(db, now=now_utc() + timedelta(minutes=10)).state == "intact"


def test_verify_command_names_the_break_and_exits_1(db, db_owner, events, runner):
    seal(db)
    target = seq_of(db, events[0].id)
    drop_guards(db)
    db.execute(text("UPDATE audit_events SET detail = '{}' WHERE id = :id"), {"id": events[0].id})
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert f"BROKEN at seq {target}:" in result.output


def test_seal_and_verify_commands_on_an_intact_chain(db, events, runner):
    result = runner.invoke(args=["audit", "seal"])
    assert result.exit_code == 0 and "Sealed" in result.output
    assert seq_of(db, events[-1].id) is not None
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 0, result.output
    assert "Audit chain: intact" in result.output


def test_the_chain_page_shows_a_break_to_supervisors(db, db_owner, events, world, login):
    seal(db)
    target = seq_of(db, events[4].id)
    client = login(world.supervisor)
    page = client.get("/audit/chain").get_data(as_text=True)
    assert "Intact" in page
    drop_guards(db)
    db.execute(text("UPDATE audit_events SET remote_addr = '1.1.1.1' WHERE id = :id"),
               {"id": events[4].id})  # fmt: skip
    page = client.get("/audit/chain").get_data(as_text=True)
    assert "Broken" in page and f"the first at place {target}" in page
    viewed = db.scalars(
        select(AuditEvent).where(
            AuditEvent.actor_id == world.supervisor.id, AuditEvent.action == "audit.chain_view"
        )
    ).all()
    assert [e.detail["state"] for e in viewed] == ["intact", "broken"]


def test_the_chain_page_is_an_audited_404_for_an_officer(db, world, login):
    assert login(world.officer).get("/audit/chain").status_code == 404
    refused = db.scalars(
        select(AuditEvent).where(
            AuditEvent.actor_id == world.officer.id, AuditEvent.action == "audit.refused"
        )
    ).all()
    assert len(refused) == 1


def test_the_daily_walk_logs_a_break(app, db, db_owner, events, caplog):
    seal(db)
    target = seq_of(db, events[0].id)
    drop_guards(db)
    db.execute(text("DELETE FROM audit_events WHERE id = :id"), {"id": events[0].id})
    assert verify_sweep(app) == "broken"
    assert f"seq {target}: missing from the chain (deleted)" in caplog.text


def test_a_backlog_is_sealed_over_several_runs(app, db, events, monkeypatch):
    monkeypatch.setattr("witness.audit.jobs.SEAL_PER_RUN", 2)
    assert seal_sweep(app) == 2
    assert seq_of(db, events[-1].id) is None
    while seal_sweep(app):
        pass
    db.expire_all()
    assert all(seq_of(db, e.id) is not None for e in events)
    assert verify(db).state == "intact"


def test_the_daily_walk_logs_the_head_outside_the_database(app, db, events, caplog):
    caplog.set_level("INFO")
    assert verify_sweep(app) == "intact"
    seq, mac = chain_head(db)
    assert f"head seq {seq} mac {mac}" in caplog.text
