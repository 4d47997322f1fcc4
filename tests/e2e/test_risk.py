"""Risk in the browser: a threat reported, the review it makes due today, the reassessment,
the protection plan revised and agreed with the witness; the supervisor alerted."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from playwright.sync_api import Page, expect

from witness.core.time import now_utc

from .test_ledger import _sign_out, _supervisor


def test_an_incident_leads_to_a_reassessment_and_a_plan_agreed_with_the_witness(
    tab: Page, live_server, seed, sign_in, open_witness_file
):
    witness = open_witness_file()
    supervisor = _supervisor(live_server, seed)
    # the court's day and a time already past there, whatever the hour the test runs (at 08:30
    # it failed between midnight and half past eight: an incident in the future is refused)
    local_now = now_utc().astimezone(ZoneInfo("Europe/London"))
    today = local_now.date()
    reported = max(local_now - timedelta(minutes=1), local_now.replace(hour=0, minute=0))
    sign_in(seed.officer)

    # the witness tells the officer about a threat
    tab.goto(f"/witnesses/{witness.id}")
    tab.get_by_role("link", name="Risk assessments and incidents").click()
    tab.get_by_label("What happened", exact=True).select_option(label="Threat")
    tab.get_by_label("Reported by").fill("The witness, by phone")
    tab.get_by_label("Day").fill(today.isoformat())
    tab.get_by_label("Time").fill(f"{reported:%H:%M}")
    tab.get_by_label("What happened, in detail").fill("A message: we know where you sleep")
    tab.get_by_label("The police were told").check()
    tab.get_by_role("button", name="Record the incident").click()
    expect(tab.locator("#now")).to_contain_text(f"Risk review due by {today:%d %b %Y}")

    # the reassessment, with the witness's own words
    tab.get_by_role("button", name="Assess").click()
    threats = tab.locator("fieldset", has_text="Threats or intimidation received")
    threats.get_by_label("Present").check()
    threats.get_by_label("Note").fill("Message after the hearing was listed")
    tab.get_by_label("The witness's own view of their safety, in their words").fill(
        "I am afraid to go to the shop"
    )
    tab.get_by_role("button", name="Complete the assessment").click()

    # straight to the plan: revise it, then talk it through with the witness
    expect(tab.get_by_role("status")).to_contain_text("Now review the protection plan")
    tab.get_by_text("Add an action").click()
    tab.get_by_label("Action", exact=True).select_option(label="New phone")
    tab.get_by_label("Who carries it out").select_option(index=1)
    tab.get_by_label("Due by").fill(today.isoformat())
    tab.get_by_role("button", name="Add action").click()
    expect(tab.locator("#actions")).to_contain_text("New phone")
    expect(tab.locator("#state")).to_contain_text("Not yet agreed with the witness")
    tab.get_by_label("Talked through on").fill(today.isoformat())
    tab.get_by_label("How", exact=True).select_option(label="In person")
    tab.get_by_label("Interpreter's language (if one was used)").fill("Romanian")
    tab.get_by_label("What the witness agreed to").fill("A new phone today; escort to the shop")
    tab.get_by_label("What they objected to or asked to change").fill("No move to a new town")
    tab.get_by_role("button", name="Record the consultation").click()
    expect(tab.locator("#state")).to_contain_text("Agreed with the witness")
    expect(tab.locator("#consultations")).to_contain_text("No move to a new town")

    # the supervisor was alerted to the incident on their first page, and follows it
    _sign_out(tab)
    sign_in(supervisor)
    tab.goto("/")
    alert = tab.get_by_role("link", name=f"Threat reported for {witness.reference}")
    expect(alert).to_be_visible()
    alert.click()
    expect(tab.locator("#now")).to_contain_text("Level:")
