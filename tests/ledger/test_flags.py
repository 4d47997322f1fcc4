"""Ledger flags: each rule raises when it should and not otherwise, the sweep is idempotent,
and the supervisors' review queue is the office's own, closed only with a note."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select

from witness.audit.models import AuditEvent
from witness.cases.models import HearingType, OffenceCategory
from witness.core.errors import AccessDenied, DomainError
from witness.hearings.services import create_hearing, mark_held, vacate_hearing
from witness.ledger import flags
from witness.ledger.models import FlagRule, LedgerFlag, SupportCategory
from witness.people.models import NeedArea, NeedsAssessment

from .conftest import record

pytestmark = pytest.mark.usefixtures("frozen_clock")
NOW = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)


def _record(db, actor, witness, case, **kw):
    return record(db, actor, witness, case, **{"quantity": "1", "value": "10", **kw})


def _need(db, world, witness):
    need = NeedsAssessment(
        witness_id=witness.id,
        area=NeedArea.transport,
        notes="Lives far from court",
        review_date=date(2026, 4, 1),
        recorded_by_id=world.officer.id,
    )
    db.add(need)
    db.flush()
    return need


def _trial_day(db, world, day: date, *, held=False, case=None):
    hearing = create_hearing(
        db,
        world.supervisor,
        case or world.case,
        type=HearingType.trial_day,
        start=datetime(day.year, day.month, day.day, 10, tzinfo=UTC),
        end=datetime(day.year, day.month, day.day, 16, tzinfo=UTC),
    )
    if held:
        mark_held(db, world.supervisor, hearing)
    return hearing


def _raised_for(db, item):
    """The flags recording the item raised (record_item runs the item rules)."""
    return list(
        db.scalars(select(LedgerFlag).where(LedgerFlag.item_id == item.id).order_by(LedgerFlag.id))
    )


def _flags(db, rule=None):
    query = select(LedgerFlag).order_by(LedgerFlag.id)
    if rule is not None:
        query = query.where(LedgerFlag.rule == rule)
    return list(db.scalars(query))


# --- item rules -------------------------------------------------------------------------------


def test_cash_and_items_without_a_need_are_flagged(db, world):
    need = _need(db, world, world.assigned)
    plain = _record(db, world.officer, world.assigned, world.case, need_id=need.id)
    assert _raised_for(db, plain) == []
    cash = _record(db, world.officer, world.assigned, world.case, need_id=need.id, is_cash=True)
    grant = _record(
        db,
        world.officer,
        world.assigned,
        world.case,
        need_id=need.id,
        category=SupportCategory.livelihood_grant,
        value="50",
    )
    unlinked = _record(db, world.officer, world.assigned, world.case)
    assert [f.rule for f in _raised_for(db, cash)] == [FlagRule.cash]
    assert [f.rule for f in _raised_for(db, grant)] == [FlagRule.cash]
    raised = _raised_for(db, unlinked)
    assert [f.rule for f in raised] == [FlagRule.no_linked_need]
    flag = raised[0]
    assert (flag.witness_id, flag.case_id, flag.item_id) == (
        world.assigned.id,
        world.case.id,
        unlinked.id,
    )
    assert flag.raised_dt == NOW and flag.closed_dt is None
    assert "10.00 GBP" in flag.detail
    # the same item again raises nothing new
    assert flags.raise_flags(db, unlinked) == []
    assert len(_flags(db)) == 3


def test_trial_support_after_the_verdict_is_flagged(db, world):
    need = _need(db, world, world.assigned)
    _trial_day(db, world, date(2026, 3, 2), held=True)
    kw = dict(need_id=need.id)
    on_the_day = _record(
        db, world.officer, world.assigned, world.case, date_provided=date(2026, 3, 2), **kw
    )
    after = _record(
        db, world.officer, world.assigned, world.case, date_provided=date(2026, 3, 5), **kw
    )
    counselling = _record(
        db,
        world.officer,
        world.assigned,
        world.case,
        category=SupportCategory.counselling,
        date_provided=date(2026, 3, 5),
        **kw,
    )
    assert _raised_for(db, on_the_day) == []
    assert _raised_for(db, counselling) == []
    raised = _raised_for(db, after)
    assert [f.rule for f in raised] == [FlagRule.after_verdict]
    assert "2026-03-02" in raised[0].detail and "2026-03-05" in raised[0].detail
    # the sweep finds nothing more
    assert flags.sweep_flags(db, NOW) == []


def test_no_verdict_while_trial_days_remain_or_none_was_held(db, world):
    need = _need(db, world, world.assigned)
    first = _trial_day(db, world, date(2026, 3, 2))
    item = _record(
        db,
        world.officer,
        world.assigned,
        world.case,
        date_provided=date(2026, 3, 5),
        need_id=need.id,
    )
    assert flags.raise_flags(db, item) == []  # nothing held yet
    mark_held(db, world.supervisor, first)
    _trial_day(db, world, date(2026, 3, 12))  # the trial goes on
    assert flags.raise_flags(db, item) == []
    assert flags.sweep_flags(db, NOW) == []


def test_a_verdict_held_later_is_found_by_the_sweep(db, world):
    need = _need(db, world, world.assigned)
    hearing = _trial_day(db, world, date(2026, 3, 2))
    item = _record(
        db,
        world.officer,
        world.assigned,
        world.case,
        date_provided=date(2026, 3, 5),
        need_id=need.id,
    )
    assert flags.raise_flags(db, item) == []
    mark_held(db, world.supervisor, hearing)
    raised = flags.sweep_flags(db, NOW)
    assert [(f.rule, f.item_id) for f in raised] == [(FlagRule.after_verdict, item.id)]


# --- pattern rules ----------------------------------------------------------------------------


def _history(db, world, recent_value: str):
    need = _need(db, world, world.assigned)
    for day in (date(2025, 12, 1), date(2026, 1, 10)):
        _record(
            db,
            world.officer,
            world.assigned,
            world.case,
            date_provided=day,
            value="15",
            need_id=need.id,
        )
    _record(
        db,
        world.officer,
        world.assigned,
        world.case,
        date_provided=date(2026, 3, 1),
        value=recent_value,
        need_id=need.id,
    )


def test_a_rise_before_testimony_is_flagged_with_the_figures(db, world):
    # 30 GBP over the 79 days from 1 Dec to 18 Feb: 11.39 a month; 100 in the month before
    _history(db, world, "100")
    _trial_day(db, world, date(2026, 3, 20))
    raised = flags.sweep_flags(db, NOW)
    assert [f.rule for f in raised] == [FlagRule.pre_testimony_rise]
    flag = raised[0]
    assert (flag.witness_id, flag.case_id, flag.item_id) == (world.assigned.id, world.case.id, None)
    assert "100.00 GBP" in flag.detail and "11.39 GBP" in flag.detail
    assert "2026-03-20" in flag.detail and "79 days" in flag.detail


def test_no_rise_flag_for_a_modest_month(db, world):
    _history(db, world, "20")
    _trial_day(db, world, date(2026, 3, 20))
    assert flags.sweep_flags(db, NOW) == []


def test_no_rise_flag_before_the_window_opens_or_for_a_vacated_hearing(db, world):
    _history(db, world, "100")
    _trial_day(db, world, date(2026, 5, 1))  # its 30 days have not begun
    vacated = _trial_day(db, world, date(2026, 3, 20))
    vacate_hearing(db, world.supervisor, vacated, "Defendant pleaded")
    other = create_hearing(
        db,
        world.supervisor,
        world.case,
        type=HearingType.pre_trial_review,
        start=datetime(2026, 3, 19, 10, tzinfo=UTC),
        end=datetime(2026, 3, 19, 12, tzinfo=UTC),
    )
    assert other.type is not HearingType.trial_day
    assert flags.sweep_flags(db, NOW) == []


def test_a_witness_far_above_peers_is_flagged_with_five_peers(db, world, make_witness):
    peers = [make_witness(case=world.case) for _ in range(4)]
    for peer in peers:
        _record(db, world.supervisor, peer, world.case, value="10")
    _record(db, world.supervisor, world.assigned, world.case, value="40")
    assert flags.sweep_flags(db, NOW) == []  # only four peers each
    fifth = make_witness(case=world.case)
    _record(db, world.supervisor, fifth, world.case, value="10")
    raised = flags.sweep_flags(db, NOW)
    assert [(f.rule, f.witness_id) for f in raised] == [(FlagRule.peer_outlier, world.assigned.id)]
    assert "40.00 GBP" in raised[0].detail and "10.00 GBP" in raised[0].detail
    assert "5 witnesses" in raised[0].detail


def test_peers_of_another_offence_do_not_count(db, world, make_witness, make_case):
    other = make_case(offences=[OffenceCategory.violence])
    for _ in range(5):
        peer = make_witness(case=other)
        _record(db, world.supervisor, peer, other, value="10")
    _record(db, world.supervisor, world.assigned, world.case, value="40")
    assert flags.sweep_flags(db, NOW) == []


def test_the_sweep_is_idempotent(db, world, make_witness):
    _history(db, world, "100")
    _trial_day(db, world, date(2026, 3, 20))
    first = flags.sweep_flags(db, NOW)
    assert len(first) == 1
    assert flags.sweep_flags(db, NOW) == []
    assert len(_flags(db)) == 1
    # closed with the same figures: not raised again; new figures: raised again
    flags.close_flag(db, world.supervisor, first[0], "Spoke to the officer; fares for visits")
    assert flags.sweep_flags(db, NOW) == []
    _record(
        db,
        world.officer,
        world.assigned,
        world.case,
        date_provided=date(2026, 3, 8),
        value="50",
        need_id=_need(db, world, world.assigned).id,
    )
    again = flags.sweep_flags(db, NOW)
    assert [f.rule for f in again] == [FlagRule.pre_testimony_rise]
    assert flags.sweep_flags(db, NOW) == []


# --- the review queue -------------------------------------------------------------------------


def _open_flag(db, world):
    item = _record(db, world.supervisor, world.assigned, world.case, is_cash=True)
    return _raised_for(db, item)


def test_the_queue_is_for_the_office_supervisors(db, world, login, make_user):
    raised = _open_flag(db, world)
    assert {f.rule for f in raised} == {FlagRule.cash, FlagRule.no_linked_need}
    cash = next(f for f in raised if f.rule is FlagRule.cash)
    assert login(world.officer).get("/ledger/flags/").status_code == 403
    assert login(world.prosecutor).get("/ledger/flags/").status_code == 403
    officer = login(world.officer)
    assert officer.submit(f"/ledger/flags/{cash.id}/close", {"note": "x"}).status_code == 403

    page = login(world.supervisor).get("/ledger/flags/")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Cash or cash-like item" in html and "No linked need" in html
    assert f"/witnesses/{world.assigned.id}/ledger" in html
    assert f"#item-{cash.item_id}" in html
    filtered = login(world.supervisor).get("/ledger/flags/?rule=cash").get_data(as_text=True)
    assert "Cash or cash-like item" in filtered and "No linked need</td>" not in filtered

    foreign = login(world.foreign_admin)
    html = foreign.get("/ledger/flags/").get_data(as_text=True)
    assert "Cash or cash-like item</td>" not in html and "No open flags" in html
    assert foreign.submit(f"/ledger/flags/{cash.id}/close", {"note": "x"}).status_code == 404
    assert db.scalar(
        select(func.count(AuditEvent.id)).where(
            AuditEvent.action == "ledger_flag.refused", AuditEvent.object_id == cash.id
        )
    )
    assert cash.closed_dt is None


def test_the_queue_refuses_others_and_audits_it_by_name(db, world, login):
    """Issue 12: the queue's refusals were left to the catch-all ``page.refused``."""
    cash = next(f for f in _open_flag(db, world) if f.rule is FlagRule.cash)
    officer = login(world.officer)
    assert officer.get("/ledger/flags/").status_code == 403
    assert officer.submit(f"/ledger/flags/{cash.id}/close", {"note": "Seen"}).status_code == 403
    db.expire_all()
    refusals = db.scalars(
        select(AuditEvent)
        .where(AuditEvent.actor_id == world.officer.id, AuditEvent.action.endswith("refused"))
        .order_by(AuditEvent.id)
    ).all()
    assert [(r.action, r.object_type, r.object_id) for r in refusals] == [
        ("ledger_flag.list_refused", "ledger_flag", None),
        ("ledger_flag.close_refused", "ledger_flag", cash.id),
    ]
    assert db.get(LedgerFlag, cash.id).closed_dt is None


def test_closing_needs_a_note_and_records_who_and_when(db, world, login, frozen_clock):
    cash = next(f for f in _open_flag(db, world) if f.rule is FlagRule.cash)
    client = login(world.admin)
    response = client.submit(f"/ledger/flags/{cash.id}/close", {"note": "   "})
    assert response.status_code == 400
    assert "Say what you found" in response.get_data(as_text=True)
    db.refresh(cash)
    assert cash.closed_dt is None

    later = datetime(2026, 3, 10, 9, 20, tzinfo=UTC)
    frozen_clock(later)
    response = client.submit(
        f"/ledger/flags/{cash.id}/close", {"note": "Receipt for the fare seen"}
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/ledger/flags/")
    db.refresh(cash)
    assert cash.closed_dt == later and cash.closed_by_id == world.admin.id
    assert cash.close_note == "Receipt for the fare seen"
    event = db.scalar(select(AuditEvent).where(AuditEvent.action == "ledger_flag.close"))
    assert event.actor_id == world.admin.id and event.object_id == cash.id
    assert event.witness_id == world.assigned.id

    open_html = client.get("/ledger/flags/").get_data(as_text=True)
    assert f'id="flag-{cash.id}"' not in open_html
    closed_html = client.get("/ledger/flags/?status=closed").get_data(as_text=True)
    assert f'id="flag-{cash.id}"' in closed_html and "Receipt for the fare seen" in closed_html
    # closing twice is refused
    again = client.submit(f"/ledger/flags/{cash.id}/close", {"note": "again"})
    assert again.status_code == 400 and "already closed" in again.get_data(as_text=True)
    with pytest.raises(DomainError, match="already closed"):
        flags.close_flag(db, world.supervisor, cash, "again")


def test_the_service_refuses_another_office_and_an_officer(db, world):
    cash = next(f for f in _open_flag(db, world) if f.rule is FlagRule.cash)
    for actor in (world.officer, world.foreign_admin):
        with pytest.raises(AccessDenied):
            flags.close_flag(db, actor, cash, "Looked at it")


def test_a_reversed_item_after_the_verdict_is_not_swept(db, world):
    from witness.ledger.services import reverse_item

    need = _need(db, world, world.assigned)
    item = _record(
        db,
        world.officer,
        world.assigned,
        world.case,
        date_provided=date(2026, 3, 5),
        need_id=need.id,
    )
    _trial_day(db, world, date(2026, 3, 2), held=True)
    reverse_item(db, world.officer, item, "Recorded against the wrong witness")
    assert flags.sweep_flags(db, NOW) == []
