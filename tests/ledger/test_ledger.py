"""The support ledger: four eyes, reversals that net out, append-only, a chain that tells."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DatabaseError

from witness.auth.models import Role
from witness.core.errors import AccessDenied, DomainError
from witness.ledger import services, totals
from witness.ledger.models import SupportCategory, SupportItem
from witness.people.models import NeedArea, NeedsAssessment, Phase

from .conftest import drop_update_guard, record

pytestmark = pytest.mark.usefixtures("frozen_clock")


def test_an_item_records_its_phase_recorder_and_a_valid_chain(db, world):
    first = record(db, world.officer, world.assigned, world.case)
    second = record(db, world.officer, world.assigned, world.case, value="30")
    assert (first.chain_seq, second.chain_seq) == (1, 2)
    assert first.prev_hash == services.GENESIS and second.prev_hash == first.entry_hash
    assert first.phase is Phase.reflection and first.recorded_by_id == world.officer.id
    assert not first.needs_approval
    db.expire_all()  # read back from the database: the hashes survive the round trip
    status = services.verify_chain(db, world.case.id)
    assert status.intact and status.entries == 2


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"rationale": "  "}, "rationale"),
        ({"value": "-5"}, "value"),
        ({"value": "lots"}, "value"),
        ({"quantity": "0"}, "quantity"),
        ({"currency": "pounds"}, "currency"),
        ({"date_provided": date(2026, 3, 11)}, "date_provided"),
        ({"description": "line\nbreak"}, "description"),
        ({"rationale": "bell\x07"}, "rationale"),
    ],
)
def test_bad_items_are_refused_and_nothing_is_recorded(db, world, change, field):
    with pytest.raises(DomainError) as raised:
        record(db, world.officer, world.assigned, world.case, **change)
    assert raised.value.field == field
    assert db.scalar(select(SupportItem.id)) is None


def test_a_need_of_another_witness_or_a_case_they_are_not_in_is_refused(db, world):
    other_need = NeedsAssessment(
        witness_id=world.unassigned.id,
        area=NeedArea.transport,
        notes="x",
        review_date=date(2026, 4, 1),
        recorded_by_id=world.officer.id,
    )
    db.add(other_need)
    db.flush()
    with pytest.raises(DomainError, match="assessed needs"):
        record(db, world.officer, world.assigned, world.case, need_id=other_need.id)
    with pytest.raises(DomainError, match="witness's cases"):
        record(db, world.officer, world.assigned, world.other_case)


def test_four_eyes_for_cash_and_for_items_above_the_threshold(db, world, make_user):
    cash = record(db, world.officer, world.assigned, world.case, value="20", is_cash=True)
    grant = record(
        db,
        world.officer,
        world.assigned,
        world.case,
        category=SupportCategory.livelihood_grant,
        value="50",
    )
    dear = record(db, world.officer, world.assigned, world.case, value="100.01")
    cheap = record(db, world.officer, world.assigned, world.case, value="100.00")
    assert [i.needs_approval for i in (cash, grant, dear, cheap)] == [True, True, True, False]
    # pending items do not count
    items = services.witness_ledger(db, world.assigned)
    figures = totals.totals(items, totals.approved_ids(db, [i.id for i in items]))
    assert figures.total["GBP"] == Decimal("100.00")
    assert figures.pending["GBP"] == Decimal("170.01")
    # not by the recorder, not by an officer, not by another office
    supervisor_recorder = world.supervisor
    own = record(db, supervisor_recorder, world.assigned, world.case, value="500")
    with pytest.raises(DomainError, match="other than the person who recorded"):
        services.approve_item(db, supervisor_recorder, own)
    with pytest.raises(AccessDenied):
        services.approve_item(db, world.officer, dear)
    with pytest.raises(AccessDenied):
        services.approve_item(db, world.foreign_admin, dear)
    with pytest.raises(DomainError, match="does not need approval"):
        services.approve_item(db, world.supervisor, cheap)
    services.approve_item(db, world.supervisor, dear, "Receipt seen")
    with pytest.raises(DomainError, match="already approved"):
        services.approve_item(db, make_user(Role.supervisor), dear)
    items = services.witness_ledger(db, world.assigned)
    figures = totals.totals(items, totals.approved_ids(db, [i.id for i in items]))
    assert figures.total["GBP"] == Decimal("200.01")


def test_a_reversal_points_at_the_original_and_totals_net_it_out(db, world):
    meals = record(
        db,
        world.officer,
        world.assigned,
        world.case,
        category=SupportCategory.meals_subsistence,
        value="40",
    )
    record(db, world.officer, world.assigned, world.case, value="10")
    with pytest.raises(DomainError, match="reason"):
        services.reverse_item(db, world.officer, meals, " ")
    reversal = services.reverse_item(db, world.officer, meals, "Entered twice")
    assert reversal.reverses_id == meals.id and reversal.value == Decimal("-40.00")
    assert reversal.reversal_reason == "Entered twice"
    with pytest.raises(DomainError, match="already been reversed"):
        services.reverse_item(db, world.officer, meals, "again")
    with pytest.raises(DomainError, match="cannot itself be reversed"):
        services.reverse_item(db, world.officer, reversal, "again")
    items = services.witness_ledger(db, world.assigned)
    figures = totals.totals(items, set())
    assert figures.total["GBP"] == Decimal("10.00")
    assert figures.by_category[(SupportCategory.meals_subsistence, "GBP")] == 0
    assert services.verify_chain(db, world.case.id).entries == 3


def test_reversing_a_pending_item_leaves_nothing_pending_or_counted(db, world):
    pending = record(db, world.officer, world.assigned, world.case, value="250")
    services.reverse_item(db, world.officer, pending, "Wrong witness")
    figures = totals.totals(services.witness_ledger(db, world.assigned), set())
    assert figures.total["GBP"] == 0 and figures.pending["GBP"] == 0
    summed = totals.summed_totals(db, SupportItem.case_id == world.case.id)
    assert summed.total["GBP"] == 0 and summed.pending["GBP"] == 0
    # nothing is left to approve: the reversal cancelled it; the chain holds both
    with pytest.raises(DomainError, match="reversed: there is nothing left to approve"):
        services.approve_item(db, world.supervisor, pending)
    assert services.verify_chain(db, world.case.id).entries == 2


def test_the_orm_refuses_to_change_or_delete_an_entry(db, world):
    item = record(db, world.officer, world.assigned, world.case)
    item.value = Decimal("1")
    with pytest.raises(PermissionError, match="append-only"):
        db.flush()
    db.rollback()


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE support_items SET value = 1 WHERE id = :id",
        "DELETE FROM support_items WHERE id = :id",
    ],
)
def test_the_database_refuses_update_and_delete(db, db_owner, world, statement):
    item = record(db, world.officer, world.assigned, world.case)
    savepoint = db.begin_nested()
    with pytest.raises(DatabaseError, match="append-only"):
        db.execute(text(statement), {"id": item.id})
    savepoint.rollback()


def test_an_entry_altered_behind_the_applications_back_is_caught(db, db_owner, world):
    first = record(db, world.officer, world.assigned, world.case)
    second = record(db, world.officer, world.assigned, world.case, value="99")
    record(db, world.officer, world.assigned, world.case, value="5")
    # Someone with database access drops the guard and lowers a value (rolled back after).
    drop_update_guard(db)
    db.execute(text("UPDATE support_items SET value = 9 WHERE id = :id"), {"id": second.id})
    db.expire_all()
    status = services.verify_chain(db, world.case.id)
    assert not status.intact
    [problem] = status.broken
    assert (problem.entry, problem.item_id) == (second.chain_seq, second.id) == (2, second.id)
    assert "changed after it was recorded" in problem.message
    assert status.entries == 3 and first.id != problem.item_id


def test_an_ngo_worker_records_what_their_organisation_gives(db, world):
    item = record(db, world.ngo_worker, world.shared, world.other_case)
    assert item.provider_organisation_id == world.ngo.id
    with pytest.raises(AccessDenied):
        record(db, world.prosecutor, world.assigned, world.case)


def test_ledger_verify_names_the_broken_entry(db, db_owner, world, runner):
    record(db, world.officer, world.assigned, world.case)
    bad = record(db, world.officer, world.assigned, world.case, value="7")
    db.flush()
    result = runner.invoke(args=["ledger-verify"])
    assert result.exit_code == 0, result.output
    assert f"{world.case.reference}: intact (2 entries, head {bad.entry_hash})" in result.output
    drop_update_guard(db)
    db.execute(text("UPDATE support_items SET rationale = 'x' WHERE id = :id"), {"id": bad.id})
    db.expire_all()
    result = runner.invoke(args=["ledger-verify", "--case-id", str(world.case.id)])
    assert result.exit_code == 1
    assert f"BROKEN at entry {bad.chain_seq}: its content was changed" in result.output


def test_totals_summed_by_the_database_match_the_entry_by_entry_rule(db, world):
    """The case ledger's figures (summed in SQL) and the witness ledger's (summed per entry)
    agree on every mix: approved, pending, reversed either way, two currencies."""
    approved = record(db, world.officer, world.assigned, world.case, value="300")
    services.approve_item(db, world.supervisor, approved)
    services.reverse_item(db, world.officer, approved, "Wrong amount")
    pending = record(db, world.officer, world.assigned, world.case, value="20", is_cash=True)
    services.reverse_item(db, world.officer, pending, "Not given")
    record(db, world.officer, world.assigned, world.case, value="250")  # pending
    record(db, world.officer, world.assigned, world.case, value="12.40")
    record(db, world.officer, world.assigned, world.case, value="900", currency="THB")
    granted = record(
        db,
        world.officer,
        world.assigned,
        world.case,
        category=SupportCategory.livelihood_grant,
        value="60",
    )
    services.approve_item(db, world.supervisor, granted)
    items = services.witness_ledger(db, world.assigned)
    by_entry = totals.totals(items, totals.approved_ids(db, [i.id for i in items]))
    summed = totals.summed_totals(db, SupportItem.case_id == world.case.id)
    assert dict(summed.total) == dict(by_entry.total)
    assert dict(summed.pending) == dict(by_entry.pending)
    assert {k: v for k, v in summed.by_category.items() if v} == {
        k: v for k, v in by_entry.by_category.items() if v
    }
    assert dict(summed.by_phase) == dict(by_entry.by_phase)
    assert summed.total["GBP"] == Decimal("72.40") and summed.pending["GBP"] == Decimal("250.00")
