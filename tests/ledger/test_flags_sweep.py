"""The sweep in SQL: what counts (approved, reversals netted), the court's date of a trial day,
the peers' median without the witness's own totals, and the scheduler's job and the command."""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from witness.cases.models import HearingType
from witness.hearings.services import create_hearing, mark_held
from witness.ledger import flags
from witness.ledger.jobs import ledger_sweep
from witness.ledger.models import FlagRule, LedgerFlag, SupportItem
from witness.ledger.services import approve_item, reverse_item
from witness.people.models import Participation, ParticipationRole, Phase

from .test_flags import NOW, _history, _need, _record, _trial_day

pytestmark = pytest.mark.usefixtures("frozen_clock")


def _items(db, world):
    return list(db.scalars(select(SupportItem).where(SupportItem.witness_id == world.assigned.id)))


def _hearing(db, world, start: datetime, end: datetime, *, held=False):
    hearing = create_hearing(
        db, world.supervisor, world.case, type=HearingType.trial_day, start=start, end=end
    )
    if held:
        mark_held(db, world.supervisor, hearing)
    return hearing


def test_pending_support_counts_once_approved(db, world):
    _history(db, world, "150")  # above the threshold: it waits for a supervisor
    _trial_day(db, world, date(2026, 3, 20))
    assert flags.sweep_flags(db, NOW) == []
    pending = next(i for i in _items(db, world) if i.needs_approval)
    approve_item(db, world.supervisor, pending, "Receipts seen")
    [flag] = flags.sweep_flags(db, NOW)
    assert flag.rule is FlagRule.pre_testimony_rise and "150.00 GBP" in flag.detail


def test_a_reversal_nets_out_of_the_rise(db, world):
    _history(db, world, "100")
    recent = max(_items(db, world), key=lambda i: i.date_provided)
    reverse_item(db, world.officer, recent, "Recorded twice")
    _trial_day(db, world, date(2026, 3, 20))
    assert flags.sweep_flags(db, NOW) == []


def test_the_trial_day_is_the_courts_date(db, world):
    world.case.court.timezone = "Pacific/Auckland"  # 13 hours ahead of UTC in March
    db.flush()
    _history(db, world, "100")
    # 22:00 UTC on 19 March is the morning of 20 March in Auckland
    _hearing(db, world, datetime(2026, 3, 19, 22, tzinfo=UTC), datetime(2026, 3, 20, 3, tzinfo=UTC))
    [flag] = flags.sweep_flags(db, NOW)
    assert "trial day of 2026-03-20" in flag.detail and "79 days" in flag.detail


def test_the_verdict_is_the_courts_date(db, world):
    world.case.court.timezone = "Pacific/Auckland"
    db.flush()
    need = _need(db, world, world.assigned)
    # held on 4 March UTC, which is 5 March in Auckland: support on the 5th is not after it
    _hearing(
        db,
        world,
        datetime(2026, 3, 4, 20, tzinfo=UTC),
        datetime(2026, 3, 4, 23, tzinfo=UTC),
        held=True,
    )
    same_day = _record(
        db,
        world.officer,
        world.assigned,
        world.case,
        date_provided=date(2026, 3, 5),
        need_id=need.id,
    )
    day_after = _record(
        db,
        world.officer,
        world.assigned,
        world.case,
        date_provided=date(2026, 3, 6),
        need_id=need.id,
    )
    flagged = db.scalars(
        select(LedgerFlag.item_id).where(LedgerFlag.rule == FlagRule.after_verdict)
    ).all()
    assert flagged == [day_after.id] and same_day.id not in flagged
    assert flags.sweep_flags(db, NOW) == []


def test_the_median_leaves_out_all_of_the_witness_own_totals(db, world, make_witness, make_case):
    for value in ("10", "10", "10", "20", "20", "20"):
        peer = make_witness(case=world.case)
        _record(db, world.supervisor, peer, world.case, value=value)
    second = make_case(offences=world.case.offence_categories)
    db.add(
        Participation(
            witness=world.assigned,
            case=second,
            role=ParticipationRole.victim_witness,
            phase=Phase.reflection,
        )
    )
    db.flush()
    _record(db, world.supervisor, world.assigned, world.case, value="61")
    _record(db, world.supervisor, world.assigned, second, value="46")
    raised = flags.sweep_flags(db, NOW)
    assert [(f.rule, f.witness_id, f.case_id) for f in raised] == [
        (FlagRule.peer_outlier, world.assigned.id, world.case.id),
        (FlagRule.peer_outlier, world.assigned.id, second.id),
    ]
    # six peers (not the witness's other case): the median of 10, 10, 10, 20, 20, 20 is 15
    assert all("15.00 GBP over 6 witnesses" in f.detail for f in raised)
    assert "61.00 GBP" in raised[0].detail and "46.00 GBP" in raised[1].detail


def test_the_job_commits_and_logs_how_many(app, db, world, caplog):
    _history(db, world, "100")
    _trial_day(db, world, date(2026, 3, 20))
    with caplog.at_level(logging.INFO):
        assert ledger_sweep(app) == 1
    assert "ledger sweep: 1 new flags raised" in caplog.text
    assert db.scalar(select(LedgerFlag.rule).where(LedgerFlag.item_id.is_(None))) is (
        FlagRule.pre_testimony_rise
    )
    assert ledger_sweep(app) == 0


def test_the_command_says_how_many(db, world, runner):
    _history(db, world, "100")
    _trial_day(db, world, date(2026, 3, 20))
    result = runner.invoke(args=["ledger-sweep"])
    assert result.exit_code == 0, result.output
    assert "1 new flags raised." in result.output
    assert "0 new flags raised." in runner.invoke(args=["ledger-sweep"]).output
