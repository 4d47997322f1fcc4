"""The case-closure checklist blocks "Close" until every item is done; a supervisor may
override with a reason, and the override is audited with what was outstanding."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from witness.audit.models import AuditEvent
from witness.core.errors import DomainError
from witness.ledger import services as ledger
from witness.ledger.models import SupportCategory
from witness.notify.models import TaskStatus
from witness.outcomes.models import EventKind, SentenceKind
from witness.people.models import Phase
from witness.posttrial import evidence
from witness.posttrial import services as s
from witness.posttrial.closure import close_participation, closure_checklist
from witness.posttrial.models import ClaimRoute, ClaimStatus, PropertyStatus, StatementStatus


def _undone(db, w) -> dict[str, str]:
    return {c.key: c.detail for c in closure_checklist(db, w.witness, w.case) if not c.done}


def _resolve_everything(db, w, make_task) -> None:
    """Tell the verdict and sentence, decline the statement, set a release date."""
    for event in (w.verdict, w.sentence):
        make_task(w.witness, w.case, event, status=TaskStatus.done)
    st = s.offer_impact_statement(db, w.officer, w.witness, w.case, offered_date=date(2026, 3, 1))
    s.advance_impact_statement(db, w.officer, st, StatementStatus.declined)
    w.sentence.release_date = date(2027, 9, 5)
    db.flush()


def test_a_fresh_case_lists_what_is_missing(db, after):
    assert _undone(db, after) == {
        "statement": "Not offered yet.",
        "release": "Prison sentence: no expected release date yet.",
    }


def test_no_verdict_and_an_untold_verdict_block(db, world, make_event, make_task, frozen_clock):
    world.witness = world.assigned
    assert _undone(db, world)["outcome_told"] == "No verdict is recorded yet."
    verdict = make_event(world.case, EventKind.verdict)
    assert _undone(db, world)["outcome_told"] == "Guilty: no sentence is recorded yet."
    make_event(world.case, EventKind.sentence, sentence_kind=SentenceKind.community)
    make_task(world.witness, world.case, verdict)
    undone = _undone(db, world)
    assert undone["outcome_told"] == "1 notification(s) not yet done."
    assert undone["tasks"] == "1 open."
    assert "release" not in undone  # a community order: no release to tell of


def test_every_defendant_needs_a_verdict_and_a_guilty_one_a_sentence(
    db, world, make_event, frozen_clock
):
    from witness.cases.models import CustodyStatus, Defendant

    world.witness = world.assigned
    first, second = (
        Defendant(case_id=world.case.id, name=n, custody_status=CustodyStatus.on_bail)
        for n in ("Ann First", "Bo Second")
    )
    db.add_all([first, second])
    db.flush()
    make_event(world.case, EventKind.verdict, defendant_id=first.id)
    assert _undone(db, world)["outcome_told"] == "No verdict is recorded yet for Bo Second."
    make_event(world.case, EventKind.verdict, defendant_id=second.id)
    make_event(
        world.case, EventKind.sentence, defendant_id=first.id, sentence_kind=SentenceKind.community
    )
    assert _undone(db, world)["outcome_told"] == (
        "Guilty: no sentence is recorded yet for Bo Second."
    )
    make_event(
        world.case, EventKind.sentence, defendant_id=second.id, sentence_kind=SentenceKind.community
    )
    assert "outcome_told" not in _undone(db, world)


def test_close_is_refused_until_done_then_moves_the_phase(db, after, make_task, audit_actions):
    w = after
    item = evidence.record_property_item(
        db, w.officer, w.witness, w.case, description="Two phones", held_at="Store"
    )
    claim = s.lodge_compensation_claim(
        db,
        w.officer,
        w.witness,
        w.case,
        route=ClaimRoute.court_order,
        lodged_date=date(2026, 2, 1),
    )
    _resolve_everything(db, w, make_task)
    assert set(_undone(db, w)) == {"compensation", "property"}
    with pytest.raises(DomainError) as refused:
        close_participation(db, w.officer, w.witness, w.case, "All done")
    assert "compensation resolved (1 claim(s) open.)" in refused.value.message
    assert "property resolved" in refused.value.message
    participation = w.witness.participations[0]
    assert participation.phase is Phase.reflection

    s.end_compensation_claim(db, w.officer, claim, ClaimStatus.withdrawn, "She chose to stop")
    evidence.change_property_status(
        db, w.officer, item, PropertyStatus.destroyed, order="Order 7 of 5 March 2026"
    )
    assert _undone(db, w) == {}
    close_participation(db, w.officer, w.witness, w.case, "Everything resolved")
    assert participation.phase is Phase.closed
    actions = audit_actions(w.witness.id)
    assert "participation.phase_change" in actions and "posttrial.closed" in actions


def test_pending_ledger_approval_blocks(db, after, make_task, app):
    w = after
    _resolve_everything(db, w, make_task)
    with app.test_request_context():
        ledger.record_item(
            db,
            w.officer,
            w.witness,
            case_id=w.case.id,
            category=SupportCategory.livelihood_grant,
            description="Cash for food",
            quantity="1",
            unit="payment",
            value="20",
            currency="GBP",
            date_provided=date(2026, 3, 9),
            rationale="No income yet",
            is_cash=True,
        )
    assert _undone(db, w) == {"ledger": "1 awaiting approval."}


def test_an_officer_cannot_override(db, after):
    w = after
    with pytest.raises(DomainError, match="Only a supervisor may close"):
        close_participation(db, w.officer, w.witness, w.case, "Moving on", override=True)
    assert w.witness.participations[0].phase is Phase.reflection


def test_a_supervisor_overrides_with_a_reason_audited(db, after):
    w = after
    with pytest.raises(DomainError, match="reason"):
        close_participation(db, w.supervisor, w.witness, w.case, " ", override=True)
    close_participation(
        db, w.supervisor, w.witness, w.case, "Witness returned home; no contact", override=True
    )
    assert w.witness.participations[0].phase is Phase.closed
    row = db.scalar(select(AuditEvent).where(AuditEvent.action == "posttrial.closure_override"))
    assert row.actor_id == w.supervisor.id and row.witness_id == w.witness.id
    assert row.detail["reason"] == "Witness returned home; no contact"
    assert set(row.detail["outstanding"]) == {"statement", "release"}


def test_closing_twice_is_refused(db, after):
    w = after
    close_participation(db, w.supervisor, w.witness, w.case, "Override", override=True)
    with pytest.raises(DomainError, match="already closed"):
        close_participation(db, w.supervisor, w.witness, w.case, "Again", override=True)
