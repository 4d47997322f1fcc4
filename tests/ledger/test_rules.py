"""One rule each (issue 12): what counts is decided the same way by every total, running total,
flag and report; the Approve button and the Reverse link are offered exactly when the service
would accept the approval or the reversal."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from witness.ledger import flags, queries, services, totals
from witness.ledger.disclosure import disclosure_rows
from witness.ledger.models import SupportApproval, SupportItem

from .conftest import record

pytestmark = pytest.mark.usefixtures("frozen_clock")


@pytest.fixture
def entries(db, world):
    """One entry of each kind, for ``world.assigned`` in ``world.case`` (100 GBP threshold)."""
    plain = record(db, world.officer, world.assigned, world.case, value="10")
    pending = record(db, world.officer, world.assigned, world.case, value="300")
    approved = record(db, world.officer, world.assigned, world.case, value="250")
    services.approve_item(db, world.supervisor, approved)
    approved_reversal = services.reverse_item(db, world.officer, approved, "Wrong witness")
    withdrawn = record(db, world.officer, world.assigned, world.case, value="400")
    withdrawn_reversal = services.reverse_item(db, world.officer, withdrawn, "Never given")
    plain_twice = record(db, world.officer, world.assigned, world.case, value="7")
    plain_reversal = services.reverse_item(db, world.officer, plain_twice, "Entered twice")
    db.commit()
    return dict(
        plain=plain,
        pending=pending,
        approved=approved,
        approved_reversal=approved_reversal,
        withdrawn=withdrawn,
        withdrawn_reversal=withdrawn_reversal,
        plain_twice=plain_twice,
        plain_reversal=plain_reversal,
    )


#: the entries that count: needing no approval or approved, and the reversals of those
COUNTED = {"plain", "approved", "approved_reversal", "plain_twice", "plain_reversal"}


def test_every_total_flag_and_report_counts_the_same_entries(db, world, entries):
    names = {item.id: name for name, item in entries.items()}
    items = list(entries.values())
    approved_ids = totals.approved_ids(db, names)
    by_id = {item.id: item for item in items}
    in_python = {names[i.id] for i in items if totals.counts(i, approved_ids, by_id)}
    rule = totals.Counted()
    in_sql = {
        names[i] for i in db.scalars(rule.joined(select(SupportItem.id)).where(rule.condition))
    }
    counted = flags._counted([world.case.id])
    in_flags = {names[i] for i in db.scalars(select(counted.c.id))}
    reported = {row.entry: row.counts for row in disclosure_rows(db, witness_id=world.assigned.id)}
    in_report = {names[i.id] for i in items if reported[i.chain_seq]}
    assert in_python == in_sql == in_flags == in_report == COUNTED


def test_the_witness_page_totals_and_the_case_totals_agree(db, world, entries):
    ledger = queries.witness_ledger(db, world.assigned, queries.Filters(), 1, 100)
    summed = totals.summed_totals(db, SupportItem.case_id == world.case.id)
    assert dict(ledger.figures.total) == dict(summed.total) == {"GBP": 10}
    assert dict(ledger.figures.pending) == dict(summed.pending) == {"GBP": 300}
    # the running total of the last entry is what counts in all
    last = max(entries.values(), key=lambda item: (item.date_provided, item.id))
    assert ledger.running[last.id] == 10
    pending = queries.witness_ledger(db, world.assigned, queries.Filters(status="pending"), 1, 100)
    assert [item.id for item in pending.items] == [entries["pending"].id]


def _offered(client, url: str, item: SupportItem, action: str) -> bool:
    page = client.get(url).get_data(as_text=True)
    return bool(re.search(rf"/ledger/items/{item.id}/{action}\"", page))


@pytest.mark.parametrize(
    ("who", "which", "answer"),
    [
        ("supervisor", "pending", 302),
        ("admin", "pending", 302),
        ("officer", "pending", 403),  # not an approver
        ("supervisor", "own", 400),  # four eyes
        ("supervisor", "plain", 400),  # needs no approval
        ("supervisor", "approved", 400),  # already approved
        ("supervisor", "withdrawn", 400),  # reversed before approval
        ("supervisor", "approved_reversal", 400),  # a reversal
    ],
)
def test_the_approve_button_is_offered_exactly_when_approving_succeeds(
    db, world, login, entries, who, which, answer
):
    if which == "own":
        entries["own"] = record(db, world.supervisor, world.assigned, world.case, value="500")
        db.commit()
    item = entries[which]
    client = login(getattr(world, who))
    offered = _offered(client, f"/witnesses/{world.assigned.id}/ledger", item, "approve")
    before = db.scalar(select(SupportApproval.id).where(SupportApproval.item_id == item.id))
    response = client.submit(f"/ledger/items/{item.id}/approve", {"note": "Receipt seen"})
    assert response.status_code == answer
    db.expire_all()
    after = db.scalar(select(SupportApproval.id).where(SupportApproval.item_id == item.id))
    assert offered == (answer == 302) == (before is None and after is not None)


@pytest.mark.parametrize(
    ("who", "which", "answer"),
    [
        ("officer", "pending", 302),
        ("supervisor", "plain", 302),
        ("prosecutor", "plain", 403),  # sees the ledger, may not correct it
        ("officer", "approved", 400),  # already reversed
        ("officer", "plain_reversal", 400),  # a reversal is not reversed
    ],
)
def test_the_reverse_link_is_offered_exactly_when_reversing_succeeds(
    db, world, login, entries, who, which, answer
):
    item, actor = entries[which], getattr(world, who)
    client = login(actor)
    offered = _offered(client, f"/witnesses/{world.assigned.id}/ledger", item, "reverse")
    response = client.submit(f"/ledger/items/{item.id}/reverse", {"reason": "Changed my mind"})
    assert response.status_code == answer
    db.expire_all()
    new = db.scalars(select(SupportItem).where(SupportItem.recorded_by_id == actor.id)).all()
    mine = [e for e in new if e.reversal_reason == "Changed my mind"]
    assert offered == (answer == 302) == (len(mine) == 1 and mine[0].reverses_id == item.id)
