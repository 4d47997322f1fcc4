"""One number per entry everywhere (issue 11, item 18), counts that leave out the witnesses a
user may not see (issue 7), and every refusal audited (issue 26)."""

from __future__ import annotations

import csv
import io
import re
from datetime import date

import pytest
from sqlalchemy import select, text

from witness.audit.models import AuditEvent
from witness.ledger import services
from witness.people.models import NeedArea, NeedsAssessment

from .conftest import drop_guards, pdf_pages, record

pytestmark = pytest.mark.usefixtures("frozen_clock")


@pytest.fixture
def numbered(db, world):
    """A case chain whose entry numbers are not its ledger ids: an entry of another case is
    recorded first, and an approval takes a number of its own."""
    record(db, world.officer2, world.shared, world.other_case)  # id 1, entry 1 of another case
    grant = record(db, world.officer, world.assigned, world.case, value="500")  # entry 1
    services.approve_item(db, world.supervisor, grant)  # entry 2
    fare = record(db, world.officer, world.assigned, world.case, description="Bus fare")  # 3
    reversal = services.reverse_item(db, world.officer, fare, "Entered twice")  # entry 4
    db.commit()
    assert (grant.id, fare.id, reversal.id) != (1, 3, 4)
    return dict(grant=grant, fare=fare, reversal=reversal)


def _first_cells(page: str) -> list[str]:
    return [
        re.sub(r"<[^>]+>", " ", cell).split()[0]
        for cell in re.findall(r'<tr id="item-\d+">\s*<td>(.*?)</td>', page, re.S)
    ]


def test_every_view_numbers_an_entry_by_its_position_in_the_chain(
    db, db_owner, world, login, runner, numbered
):
    officer = login(world.officer)
    page = officer.get(f"/witnesses/{world.assigned.id}/ledger").get_data(as_text=True)
    assert _first_cells(page) == ["1", "3", "4"]
    assert "Reverses <a href=" in page and ">entry 3</a>: Entered twice" in page
    assert ">entry 4</a>: Entered twice" in page  # "reversed by"
    assert f"approved by {world.supervisor.name} on 10 Mar 2026 (entry 2)" in page

    prosecutor = login(world.prosecutor)
    case_page = prosecutor.get(f"/cases/{world.case.id}/ledger").get_data(as_text=True)
    assert re.findall(r"<tr>\s*<td>(\d+)</td>", case_page) == ["1", "3", "4"]
    assert "approved (entry 2)" in case_page

    body = prosecutor.get(f"/cases/{world.case.id}/ledger/disclosure.csv").data.decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(body)))
    assert [r["entry"] for r in rows] == ["1", "3", "4"]
    assert rows[0]["approval_entry"] == "2" and rows[2]["reverses_entry"] == "3"

    pdf = prosecutor.get(f"/cases/{world.case.id}/ledger/disclosure.pdf").data
    assert "reverses entry 3: Entered twice" in " ".join(pdf_pages(pdf))

    drop_guards(db)
    db.execute(
        text("UPDATE support_items SET value = 1 WHERE id = :id"), {"id": numbered["fare"].id}
    )
    db.commit()
    result = runner.invoke(args=["ledger-verify", "--case-id", str(world.case.id)])
    assert "BROKEN at entry 3: its content was changed" in result.output
    broken = prosecutor.get(f"/cases/{world.case.id}/ledger").get_data(as_text=True)
    assert "Chain BROKEN at entry 3: its content was changed" in broken


def test_the_chain_count_leaves_out_entries_of_witnesses_the_user_may_not_see(
    db, world, login, numbered
):
    record(db, world.officer, world.unassigned, world.case)  # not the officer's to see: entry 5
    db.commit()
    page = login(world.officer).get(f"/cases/{world.case.id}/ledger").get_data(as_text=True)
    badge = page[page.index('<p class="chain">') :].split("</p>")[0]
    assert "Chain intact (every entry checked; 4 of witnesses you may see)" in badge
    assert "5 entries" not in badge and "5 of" not in badge
    lead = login(world.prosecutor).get(f"/cases/{world.case.id}/ledger").get_data(as_text=True)
    assert "Chain intact (5 entries)" in lead


# --- refusals are audited (issue 26) ------------------------------------------------------------


def _audited(db, action: str, actor) -> list[AuditEvent]:
    db.expire_all()
    return db.scalars(
        select(AuditEvent).where(AuditEvent.action == action, AuditEvent.actor_id == actor.id)
    ).all()


def test_a_refused_approval_is_audited(db, world, login, numbered):
    pending = record(db, world.officer, world.assigned, world.case, value="300")
    db.commit()
    response = login(world.officer).submit(f"/ledger/items/{pending.id}/approve", {"note": ""})
    assert response.status_code == 403
    [event] = _audited(db, "support.approve_refused", world.officer)
    assert (event.object_id, event.witness_id) == (pending.id, world.assigned.id)
    assert db.get(type(pending), pending.id).approval is None


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_a_refused_reversal_is_audited(db, world, login, numbered, method):
    client = login(world.prosecutor)  # sees the ledger, may not correct it
    url = f"/ledger/items/{numbered['grant'].id}/reverse"
    response = client.get(url) if method == "GET" else client.submit(url, {"reason": "x"})
    assert response.status_code == 403
    [event] = _audited(db, "support.reverse_refused", world.prosecutor)
    assert event.object_id == numbered["grant"].id and event.witness_id == world.assigned.id
    assert services.verify_chain(db, world.case.id).length == 4


def _form(world, **changes) -> dict:
    data = dict(
        case_id=str(world.case.id),
        category="transport",
        description="Bus fare",
        quantity="1",
        unit="trips",
        value="5",
        currency="GBP",
        date_provided="2026-03-09",
        need_id="",
        rationale="Travel to court",
        record="Record",
    )
    data.update(changes)
    return data


def test_a_need_of_another_witness_is_refused_beside_the_field_and_audited(db, world, login):
    need = NeedsAssessment(
        witness_id=world.unassigned.id,
        area=NeedArea.transport,
        notes="Not the officer's witness",
        review_date=date(2026, 4, 1),
        recorded_by_id=world.supervisor.id,
    )
    db.add(need)
    db.commit()
    response = login(world.officer).submit(
        f"/witnesses/{world.assigned.id}/ledger/new", _form(world, need_id=str(need.id))
    )
    assert response.status_code == 400
    assert "Choose one of the witness&#39;s assessed needs." in response.get_data(as_text=True)
    [event] = _audited(db, "support.need_refused", world.officer)
    assert (event.object_type, event.object_id) == ("needs_assessment", need.id)
    assert event.witness_id == world.assigned.id
    assert services.verify_chain(db, world.case.id).length == 0


def test_a_case_the_witness_is_not_in_is_refused_and_audited(db, world, login):
    response = login(world.officer).submit(
        f"/witnesses/{world.assigned.id}/ledger/new", _form(world, case_id=str(world.other_case.id))
    )
    assert response.status_code == 400
    [event] = _audited(db, "support.case_refused", world.officer)
    assert (event.object_type, event.object_id) == ("case", world.other_case.id)
