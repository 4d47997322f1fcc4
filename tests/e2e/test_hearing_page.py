"""A trial day with twenty victim-witnesses stays readable: a summary of each witness first
(risk, measures by status, appointments), then one disclosure per witness holding its measures
and their actions. Opening one and acting on it comes back to the same witness, open."""

from __future__ import annotations

from datetime import timedelta

from playwright.sync_api import Page, expect

from witness.auth.models import User
from witness.cases.models import Case, HearingType
from witness.core.time import now_utc
from witness.hearings.services import create_hearing
from witness.people.models import ParticipationRole
from witness.people.services import add_participation, create_witness

WITNESSES = 20


def _trial_with_many_witnesses(live_server, seed, case_reference: str) -> int:
    with live_server.session() as db:
        officer = db.get(User, seed.officer.id)
        case = db.query(Case).filter_by(reference=case_reference).one()
        for n in range(1, WITNESSES):
            witness = create_witness(db, officer, reference=f"{case_reference}-W{n:02d}",
                                     legal_name=f"Victim {n}", languages=["Thai"])  # fmt: skip
            add_participation(
                db, officer, witness, case.id, ParticipationRole.victim_witness, "Identified"
            )
        start = (now_utc() + timedelta(days=10)).replace(hour=9, minute=0, second=0, microsecond=0)
        hearing = create_hearing(db, officer, case, type=HearingType.trial_day, start=start,
                                 end=start + timedelta(hours=7))  # fmt: skip
        db.commit()
        return hearing.id


def test_twenty_witnesses_at_one_trial_day_stay_readable(
    tab: Page, live_server, seed, sign_in, open_witness_file
):
    first = open_witness_file()
    hearing_id = _trial_with_many_witnesses(live_server, seed, first.case_reference)
    sign_in(seed.officer)
    tab.goto(f"/hearings/{hearing_id}")

    summary = tab.locator("table.hearing-summary tbody tr")
    expect(summary).to_have_count(WITNESSES)
    expect(summary.first).to_contain_text("proposed")  # the standard measures, counted
    # every witness's actions are behind their own disclosure, closed
    parts = tab.locator("details.witness-measures")
    expect(parts).to_have_count(WITNESSES)
    visible = tab.locator("button:visible", has_text="Mark applied for")
    expect(visible).to_have_count(0)
    height = tab.evaluate("document.documentElement.scrollHeight")
    assert height < 2600, height  # it was over 4,000 px with 23 identical buttons for 2 witnesses

    # the officer opens one witness from the summary and applies for a measure
    tab.locator("table.hearing-summary").get_by_role("link", name=first.reference).click()
    part = tab.locator(f"#witness-{first.id}")
    part.locator("> summary").click()
    part.locator("button", has_text="Mark applied for").first.click()
    expect(tab.locator(f"#witness-{first.id}")).to_have_attribute("open", "")
    expect(tab.locator("details.witness-measures[open]")).to_have_count(1)
    expect(tab.locator(f"#witness-{first.id}")).to_contain_text("Applied")
