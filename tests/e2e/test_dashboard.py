"""The dashboard in the browser: an officer sees today's meeting and follows the count of
reassessments overdue to the risk list; a supervisor sees the same meeting (they sit in) and
follows "Approvals pending" to the office's items awaiting approval."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Page, expect

from witness.auth.models import User
from witness.ledger.models import SupportCategory
from witness.ledger.services import record_item
from witness.people.models import Witness
from witness.risk.models import ReviewSource, RiskReview
from witness.scheduling.models import AppointmentKind
from witness.scheduling.services import Booking, book_appointment

from .test_ledger import _sign_out, _supervisor

pytestmark = pytest.mark.browser

LONDON = ZoneInfo("Europe/London")


def _work_for_today(live_server, seed, witness_id: int, supervisor_id: int) -> None:
    """A meeting today that the officer and the supervisor attend, a review overdue, and a
    cash item awaiting approval; booked ahead through the service, then set on this hour."""
    with live_server.session() as db:
        officer = db.get(User, seed.officer.id)
        witness = db.get(Witness, witness_id)
        case_id = witness.participations[0].case_id
        ahead = datetime.now(UTC).replace(microsecond=0) + timedelta(days=2)
        meeting = book_appointment(
            db,
            officer,
            witness,
            Booking(
                kind=AppointmentKind.pre_trial_meeting,
                start=ahead,
                end=ahead + timedelta(hours=1),
                staff_ids=[officer.id, supervisor_id],
                address="Witness Service office",
                case_id=case_id,
            ),
        )
        # this hour in London: today's, whatever the time the test runs
        hour = datetime.now(LONDON).replace(minute=0, second=0, microsecond=0)
        meeting.start_dt = hour.astimezone(UTC)
        meeting.end_dt = (hour + timedelta(minutes=59)).astimezone(UTC)
        db.add(
            RiskReview(
                witness_id=witness.id,
                source=ReviewSource.scheduled,
                key=f"e2e-{witness.id}",
                due_date=date.today() - timedelta(days=3),
                reason="Scheduled by the last level",
            )
        )
        record_item(
            db,
            officer,
            witness,
            case_id=case_id,
            category=SupportCategory.witness_expenses,
            description="Lunch on the day of the meeting",
            quantity=Decimal("1"),
            unit="day",
            value=Decimal("12.00"),
            currency="GBP",
            date_provided=date.today(),
            rationale="She comes straight from work",
        )
        db.commit()


def _follow(tab: Page, card_name: str) -> int:
    """Click the count named ``card_name``; the list it opens must hold that many."""
    card = tab.locator(".card", has_text=card_name)
    number = int(card.locator(".count").inner_text())
    assert number >= 1
    card.click()
    expect(tab.locator("body")).to_contain_text(re.compile(rf"\b{number} in all"))
    return number


def test_an_officer_and_a_supervisor_see_today_and_follow_a_count_to_its_list(
    tab: Page, live_server, seed, sign_in, open_witness_file
):
    witness = open_witness_file()
    supervisor = _supervisor(live_server, seed)
    _work_for_today(live_server, seed, witness.id, supervisor.id)

    sign_in(seed.officer)
    tab.goto("/")
    today = tab.locator("#today")
    expect(today).to_contain_text("Pre-trial meeting")
    expect(today).to_contain_text(witness.reference)
    _follow(tab, "Reassessments overdue")
    expect(tab).to_have_url(re.compile(r"/risk/\?.*which=overdue"))
    expect(tab.get_by_role("link", name=witness.reference).first).to_be_visible()

    _sign_out(tab)
    sign_in(supervisor)
    tab.goto("/")
    expect(tab.locator("#today")).to_contain_text(witness.reference)
    expect(tab.locator("#office")).to_contain_text("Open inducement flags")
    _follow(tab, "Approvals pending")
    expect(tab).to_have_url(re.compile(r"/ledger/approvals$"))
    expect(tab.locator("#approvals")).to_contain_text("Lunch on the day of the meeting")
    expect(tab.locator("#approvals")).to_contain_text(witness.reference)
