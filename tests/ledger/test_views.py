"""The ledger's pages: record with a rationale, four eyes, reversals, filters, need to know,
bad input refused beside its field, and the chain badge that tells of tampering."""

from __future__ import annotations

import html
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select, text

from witness.audit.models import AuditEvent
from witness.ledger import services
from witness.ledger.models import SupportApproval, SupportCategory, SupportItem
from witness.people.models import NeedArea, NeedsAssessment

from .conftest import drop_update_guard

pytestmark = pytest.mark.usefixtures("frozen_clock")


def _form(world, **kw):
    data = dict(
        case_id=str(world.case.id),
        category="transport",
        description="Return bus fare to court",
        quantity="2",
        unit="trips",
        value="12.50",
        currency="GBP",
        date_provided="2026-03-09",
        need_id="",
        rationale="Travel to the pre-trial meeting",
        record="Record",
    )
    data.update(kw)
    return data


def _count(db):
    db.expire_all()
    return db.scalar(select(func.count(SupportItem.id)))


def _item(db, world, **kw):
    fields = dict(
        case_id=world.case.id,
        category=SupportCategory.transport,
        description="Taxi to court",
        quantity="1",
        unit="trips",
        value="20",
        currency="GBP",
        date_provided=date(2026, 3, 9),
        rationale="No bus on hearing days",
    )
    fields.update(kw)
    item = services.record_item(db, world.officer, world.assigned, **fields)
    db.commit()
    return item


def test_an_officer_records_an_item_and_sees_it_with_its_rationale(db, world, login):
    client = login(world.officer)
    url = f"/witnesses/{world.assigned.id}/ledger"
    form = client.get(url + "/new")
    assert form.status_code == 200 and "GBP" in form.get_data(as_text=True)
    response = client.submit(url + "/new", _form(world), follow_redirects=True)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "No approval is needed" in page
    assert "Travel to the pre-trial meeting" in page and "Return bus fare to court" in page
    assert "12.50 GBP" in page
    assert "Chain intact (every entry checked; 1 of witnesses you may see)" in page
    assert db.scalar(
        select(AuditEvent.id).where(
            AuditEvent.action == "support.view", AuditEvent.witness_id == world.assigned.id
        )
    )


def test_the_witness_and_case_pages_link_the_ledger(world, login):
    client = login(world.officer)
    witness_page = client.get(f"/witnesses/{world.assigned.id}").get_data(as_text=True)
    assert f"/witnesses/{world.assigned.id}/ledger" in witness_page
    case_page = client.get(f"/cases/{world.case.id}").get_data(as_text=True)
    assert f"/cases/{world.case.id}/ledger" in case_page


def test_a_need_suggests_the_rationale_without_javascript(db, world, login):
    need = NeedsAssessment(
        witness_id=world.assigned.id,
        area=NeedArea.childcare,
        notes="Two children under five on hearing days",
        review_date=date(2026, 4, 1),
        recorded_by_id=world.officer.id,
    )
    db.add(need)
    db.commit()
    client = login(world.officer)
    url = f"/witnesses/{world.assigned.id}/ledger/new"
    page = client.get(url).get_data(as_text=True)
    assert f"need_id={need.id}" in page and "Use this need" in page
    page = client.get(f"{url}?need_id={need.id}").get_data(as_text=True)
    assert "Two children under five on hearing days</textarea>" in page
    response = client.submit(
        url, _form(world, need_id=str(need.id), rationale="", record=None, suggest="Suggest")
    )
    assert response.status_code == 200
    assert "Two children under five on hearing days</textarea>" in response.get_data(as_text=True)
    assert _count(db) == 0
    response = client.submit(
        url, _form(world, need_id=str(need.id), rationale="Childcare while she testifies")
    )
    assert response.status_code == 302
    assert db.scalar(select(SupportItem.need_id)) == need.id


def test_cash_needs_a_second_persons_approval_before_it_counts(db, world, login):
    officer = login(world.officer)
    url = f"/witnesses/{world.assigned.id}/ledger"
    response = officer.submit(
        url + "/new",
        _form(world, category="witness_expenses", value="40", description="Meal allowance"),
        follow_redirects=True,
    )
    page = response.get_data(as_text=True)
    assert "needs a supervisor&#39;s approval" in page or "needs a supervisor's approval" in page
    assert "needs approval" in page
    assert '<dd id="total-counted">0.00</dd>' in page
    assert '<dd id="total-pending">40.00 GBP</dd>' in page
    item = db.scalar(select(SupportItem))
    # the officer sees no Approve button and may not approve
    assert f"/ledger/items/{item.id}/approve" not in page
    assert officer.submit(f"/ledger/items/{item.id}/approve", {"note": ""}).status_code == 403
    # a supervisor who recorded an item cannot approve it
    supervisor = login(world.supervisor)
    own = services.record_item(
        db,
        world.supervisor,
        world.assigned,
        case_id=world.case.id,
        category=SupportCategory.livelihood_grant,
        description="Grant",
        quantity="1",
        unit="grant",
        value="300",
        currency="GBP",
        date_provided=date(2026, 3, 9),
        rationale="Lost her job after the threats",
    )
    db.commit()
    page = supervisor.get(url).get_data(as_text=True)
    assert f"/ledger/items/{item.id}/approve" in page
    assert f"/ledger/items/{own.id}/approve" not in page
    refused = supervisor.submit(f"/ledger/items/{own.id}/approve", {"note": ""})
    assert refused.status_code == 400
    assert "other than the person who recorded" in refused.get_data(as_text=True)
    # the second pair of eyes
    response = supervisor.submit(
        f"/ledger/items/{item.id}/approve", {"note": "Receipt seen"}, follow_redirects=True
    )
    page = response.get_data(as_text=True)
    assert f"approved by {world.supervisor.name} on 10 Mar 2026" in page
    assert '<dd id="total-counted">40.00 GBP</dd>' in page
    assert db.scalar(select(SupportApproval.note)) == "Receipt seen"


def test_a_reversal_shows_both_ways_and_nets_out(db, world, login):
    item = _item(db, world)
    _item(db, world, value="5", description="Bus")
    client = login(world.officer)
    url = f"/witnesses/{world.assigned.id}/ledger"
    refused = client.submit(f"/ledger/items/{item.id}/reverse", {"reason": " "})
    assert refused.status_code == 400 and "reason" in refused.get_data(as_text=True)
    assert _count(db) == 2
    response = client.submit(
        f"/ledger/items/{item.id}/reverse", {"reason": "Entered twice"}, follow_redirects=True
    )
    page = response.get_data(as_text=True)
    reversal = db.scalar(select(SupportItem).where(SupportItem.reverses_id == item.id))
    assert f'Reverses <a href="#item-{item.id}">' in page
    assert f'Reversed by <a href="#item-{reversal.id}">' in page
    assert "Entered twice" in page
    assert '<dd id="total-counted">5.00 GBP</dd>' in page
    assert client.get(url).status_code == 200
    again = client.submit(f"/ledger/items/{item.id}/reverse", {"reason": "again"})
    assert again.status_code == 400 and "already been reversed" in again.get_data(as_text=True)


def test_a_reversal_is_asked_for_on_its_own_page(db, world, login):
    item = _item(db, world, description="Taxi to the wrong court")
    client = login(world.officer)
    ledger = client.get(f"/witnesses/{world.assigned.id}/ledger").get_data(as_text=True)
    assert f'href="/ledger/items/{item.id}/reverse"' in ledger
    page = client.get(f"/ledger/items/{item.id}/reverse")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and f"Reverse entry {item.id}" in html
    assert "Taxi to the wrong court" in html and "No bus on hearing days" in html
    assert f'href="/witnesses/{world.assigned.id}/ledger#item-{item.id}"' in html
    refused = client.submit(f"/ledger/items/{item.id}/reverse", {"reason": ""})
    assert refused.status_code == 400 and "Taxi to the wrong court" in refused.get_data(
        as_text=True
    )
    assert _count(db) == 1
    # only those who may record for the witness: a prosecutor sees the ledger, not this page
    assert login(world.prosecutor).get(f"/ledger/items/{item.id}/reverse").status_code == 403


def test_filters_by_category_date_and_status(db, world, login):
    _item(db, world, description="Taxi early", date_provided=date(2026, 2, 1))
    _item(
        db,
        world,
        description="Lunch voucher",
        category=SupportCategory.meals_subsistence,
        is_cash=True,
    )
    client = login(world.officer)
    url = f"/witnesses/{world.assigned.id}/ledger"
    page = client.get(url + "?category=meals_subsistence").get_data(as_text=True)
    assert "Lunch voucher" in page and "Taxi early" not in page
    page = client.get(url + "?from=2026-03-01&to=2026-03-10").get_data(as_text=True)
    assert "Lunch voucher" in page and "Taxi early" not in page
    page = client.get(url + "?status=pending").get_data(as_text=True)
    assert "Lunch voucher" in page and "Taxi early" not in page
    page = client.get(url + "?status=approved").get_data(as_text=True)
    assert "Lunch voucher" not in page and "Taxi early" not in page
    assert client.get(url + "?from=yesterday").status_code == 400
    assert client.get(url + "?status=whatever").status_code == 400


def test_an_ngo_worker_not_shared_with_gets_an_audited_404(db, world, login):
    client = login(world.ngo_worker)
    for url in (
        f"/witnesses/{world.assigned.id}/ledger",
        f"/witnesses/{world.assigned.id}/ledger/new",
    ):
        assert client.get(url).status_code == 404
    item = _item(db, world)
    assert client.submit(f"/ledger/items/{item.id}/reverse", {"reason": "x"}).status_code == 404
    assert client.get(f"/cases/{world.case.id}/ledger").status_code == 404
    db.expire_all()
    refusals = db.scalars(
        select(AuditEvent.action).where(AuditEvent.actor_id == world.ngo_worker.id)
    ).all()
    assert refusals.count("witness.refused") >= 3 and "case.refused" in refusals
    assert _count(db) == 1


def test_a_prosecutor_sees_but_may_not_record(db, world, login):
    _item(db, world)
    client = login(world.prosecutor)
    assert client.get(f"/witnesses/{world.assigned.id}/ledger").status_code == 200
    assert client.get(f"/witnesses/{world.assigned.id}/ledger/new").status_code == 403
    refused = client.submit(f"/witnesses/{world.assigned.id}/ledger/new", _form(world))
    assert refused.status_code == 403 and _count(db) == 1


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"value": "-5"}, "Give zero or more, without a sign"),
        ({"value": "lots"}, "Give a number"),
        ({"value": "1e400"}, "Give a number"),
        ({"quantity": "NaN"}, "Give a number"),
        ({"rationale": "  "}, "Give the rationale"),
        ({"rationale": "bell\x07"}, "control characters"),
        ({"description": "tab\x1bescape"}, "control characters"),
        ({"date_provided": "2026-03-11"}, "cannot be in the future"),
        ({"date_provided": "soon"}, "Not a valid date value."),
        ({"currency": "£"}, "three letters"),
        ({"case_id": "abc"}, "Invalid Choice"),
    ],
)
def test_bad_input_is_refused_beside_its_field_and_nothing_saved(db, world, login, change, message):
    client = login(world.officer)
    response = client.submit(f"/witnesses/{world.assigned.id}/ledger/new", _form(world, **change))
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'class="error"' in page and message in page.replace("&#39;", "'")
    assert _count(db) == 0


def test_a_case_they_are_not_in_is_refused(db, world, login):
    client = login(world.officer)
    response = client.submit(
        f"/witnesses/{world.assigned.id}/ledger/new", _form(world, case_id=str(world.other_case.id))
    )
    assert response.status_code == 400 and "witness&#39;s cases" in response.get_data(as_text=True)
    assert _count(db) == 0


def test_the_case_ledger_totals_and_links_disclosure(db, world, login):
    _item(db, world)
    _item(db, world, value="7", category=SupportCategory.meals_subsistence)
    client = login(world.prosecutor)
    response = client.get(f"/cases/{world.case.id}/ledger")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Meals and subsistence" in page and "27.00 GBP" in page
    assert f"/cases/{world.case.id}/ledger/disclosure.pdf" in page
    assert f"/cases/{world.case.id}/ledger/disclosure.csv" in page
    assert "Chain intact (2 entries)" in page  # the lead prosecutor: the chain's length
    assert client.get(f"/cases/{world.other_case.id}/ledger").status_code == 404


def test_the_witness_ledger_links_its_disclosure_report(db, world, login):
    _item(db, world)
    client = login(world.officer)
    page = client.get(f"/witnesses/{world.assigned.id}/ledger").get_data(as_text=True)
    pdf = f"/witnesses/{world.assigned.id}/ledger/disclosure.pdf"
    assert pdf in page and f"/witnesses/{world.assigned.id}/ledger/disclosure.csv" in page
    response = client.get(pdf)
    assert response.status_code == 200 and response.data.startswith(b"%PDF")


def test_the_chain_badge_says_broken_after_tampering(db, db_owner, world, login):
    _item(db, world)
    second = _item(db, world, value="99")
    _item(db, world, value="5")
    client = login(world.officer)
    url = f"/witnesses/{world.assigned.id}/ledger"
    assert "Chain intact (every entry checked; 3 of" in client.get(url).get_data(as_text=True)
    drop_update_guard(db)
    db.execute(text("UPDATE support_items SET value = 9 WHERE id = :id"), {"id": second.id})
    db.commit()
    page = client.get(url).get_data(as_text=True)
    assert "Chain BROKEN at entry 2: its content was changed after it was recorded" in page
    case_page = client.get(f"/cases/{world.case.id}/ledger").get_data(as_text=True)
    assert "Chain BROKEN at entry 2" in case_page


def test_a_long_ledger_pages_with_running_totals_over_every_entry(db, world, login):
    """A witness in a long case: 100 entries a page, the running total carrying on across
    pages, the filters kept by the pager."""
    for day in range(1, 106):
        services.record_item(
            db,
            world.officer,
            world.assigned,
            case_id=world.case.id,
            category=SupportCategory.transport,
            description=f"Bus fare {day:03d}",
            quantity="1",
            unit="trips",
            value="2.00",
            currency="GBP",
            date_provided=date(2025, 11, 1) + (date(2025, 11, 2) - date(2025, 11, 1)) * day,
            rationale="Travel to counselling",
        )
    db.commit()
    client = login(world.officer)
    url = f"/witnesses/{world.assigned.id}/ledger"
    first = client.get(url).get_data(as_text=True)
    assert "Bus fare 001" in first and "Bus fare 100" in first and "Bus fare 101" not in first
    assert "105 of 105 entries match; showing 1\N{EN DASH}100" in first
    assert "Page 1 of 2" in first and '<dd id="total-counted">210.00 GBP</dd>' in first
    assert "?page=2" in first
    second = client.get(url + "?page=2").get_data(as_text=True)
    assert "Bus fare 100" not in second and "Bus fare 105" in second
    assert "202.00 GBP" in second and "210.00 GBP" in second  # running totals, 101st to 105th
    filtered = client.get(url + "?category=transport&page=2").get_data(as_text=True)
    assert "category=transport" in filtered and "Bus fare 105" in filtered
    assert client.get(url + "?page=99").status_code == 200  # past the end: the last page
    assert client.get(url + "?page=abc").status_code == 200


def test_an_item_reversed_before_approval_awaits_nothing(db, world, login):
    pending = _item(db, world, value="250", description="Hotel near court")
    services.reverse_item(db, world.officer, pending, "Booked for the wrong witness")
    db.commit()
    page = login(world.supervisor).get(f"/witnesses/{world.assigned.id}/ledger")
    html = page.get_data(as_text=True)
    assert '<dd id="total-pending">0.00</dd>' in html
    assert "needs approval" not in html
    assert f'/ledger/items/{pending.id}/approve"' not in html
    listed = login(world.supervisor).get(f"/witnesses/{world.assigned.id}/ledger?status=pending")
    assert "Hotel near court" not in listed.get_data(as_text=True)
    case_page = login(world.supervisor).get(f"/cases/{world.case.id}/ledger")
    assert "needs approval" not in case_page.get_data(as_text=True)


def test_the_record_form_starts_in_the_courts_currency_and_day(
    db, world, login, make_court, make_case, make_witness, frozen_clock
):
    """A Bangkok case: baht, and the date in Bangkok (already the 11th there at 20:00 UTC on the
    10th), the case chosen; a London case keeps pounds and London's day."""
    frozen_clock(datetime(2026, 3, 10, 20, 0, tzinfo=UTC))
    bangkok = make_case(court=make_court("Asia/Bangkok", country="TH"))
    witness = make_witness(case=bangkok, officer=world.officer)
    form = login(world.officer).get(f"/witnesses/{witness.id}/ledger/new")
    page = html.unescape(form.get_data(as_text=True))
    assert 'name="currency" required type="text" value="THB"' in page
    assert 'name="date_provided" required type="date" value="2026-03-11"' in page
    assert f'<option selected value="{bangkok.id}">' in page
    page = login(world.officer).get(f"/witnesses/{world.assigned.id}/ledger/new")
    page = html.unescape(page.get_data(as_text=True))
    assert 'type="text" value="GBP"' in page and 'type="date" value="2026-03-10"' in page
