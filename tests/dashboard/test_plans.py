"""The dashboard's lists read along indexes (SQLite's plans, after ANALYZE): the office's items
awaiting approval along the partial index of the items that need one, not every ledger entry;
"My cases" probes each case's hearings and appointments, never every future appointment."""

from __future__ import annotations

import pytest

from witness.dashboard.my_cases import my_cases
from witness.ledger.queries import pending_approvals

from ..sql_plan import sqlite_plan

pytestmark = pytest.mark.usefixtures("frozen_clock")


def test_approvals_pending_read_the_partial_index(db, world):
    plan = sqlite_plan(db, pending_approvals(world.supervisor))
    assert "ix_support_items_needs_approval" in plan
    assert "SCAN support_items" not in plan


def test_my_cases_probe_each_cases_next_dates(db, world, frozen_clock):
    plan = sqlite_plan(db, my_cases(world.supervisor, frozen_clock.now()))
    assert "ix_hearings_case_start" in plan and "ix_appointments_case_start" in plan
    # each case's probes run once, not again for every comparison of the sort
    assert "MATERIALIZE ahead" in plan
    assert "SCAN appointments" not in plan and "SCAN hearings" not in plan
