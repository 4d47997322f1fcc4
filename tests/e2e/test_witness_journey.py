"""A liaison officer's day in the browser: a case, a witness in it, and the witness's phases."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect
from sqlalchemy import select

from witness.audit.models import AuditEvent
from witness.people.models import Participation, Phase, Witness


def _timeline(tab: Page):
    section = tab.locator("section").filter(has=tab.get_by_role("heading", name="Timeline"))
    return section.get_by_role("listitem")


def test_officer_opens_a_case_adds_a_witness_and_moves_them_to_pre_trial(
    tab, live_server, seed, sign_in
):
    sign_in(seed.officer)

    # A new case with its defendant.
    tab.get_by_role("link", name="Cases", exact=True).click()
    tab.get_by_role("link", name="New case").click()
    tab.get_by_label("Court", exact=True).select_option(label=seed.court)
    tab.get_by_label("Court reference").fill("T20260417")
    tab.get_by_label("Title").fill("R v Marsh and others")
    tab.get_by_label("Trafficking — forced labour").check()
    tab.get_by_label("Status").select_option(label="Charged")
    tab.get_by_role("button", name="Open case").click()
    expect(tab.get_by_role("status")).to_have_text(
        "Case T20260417 opened. Add its defendants below."
    )
    expect(tab.get_by_role("heading", level=1)).to_have_text("T20260417 · R v Marsh and others")

    tab.get_by_label("Name", exact=True).fill("Daniel Marsh")
    tab.get_by_label("Custody status").select_option(label="Remanded")
    tab.get_by_role("button", name="Add defendant").click()
    expect(tab.get_by_role("status")).to_have_text("Defendant Daniel Marsh added.")
    expect(tab.get_by_role("row", name=re.compile("Daniel Marsh"))).to_contain_text("Remanded")

    # A witness file, under a pseudonym.
    tab.get_by_role("link", name="Witnesses", exact=True).click()
    tab.get_by_role("link", name="New witness file").click()
    tab.get_by_label("Reference or pseudonym").fill("VW-E2E-0417")
    tab.get_by_label("Legal name").fill("Ioana Constantin")
    tab.get_by_label("Languages").fill("Romanian, English")
    tab.get_by_label("Needs an interpreter").check()
    tab.get_by_role("button", name="Open witness file").click()
    expect(tab.get_by_role("status")).to_have_text(
        "Witness file VW-E2E-0417 opened. Add them to a case below."
    )
    expect(tab.get_by_role("heading", level=1)).to_have_text("VW-E2E-0417")

    # Into the case, on the form's own page.
    tab.get_by_role("link", name="Add to a case").click()
    expect(tab.get_by_role("heading", level=1)).to_have_text("Add to a case · VW-E2E-0417")
    tab.get_by_label("Case reference").fill("T20260417")
    tab.get_by_label("Role").select_option(label="Victim-witness")
    tab.get_by_label("Reason").fill("Identified by police at the car wash raid.")
    tab.get_by_role("button", name="Add to case").click()
    expect(tab.get_by_role("status")).to_have_text("VW-E2E-0417 added to case T20260417.")
    case_row = tab.get_by_role("row", name=re.compile("T20260417"))
    expect(case_row).to_contain_text("Reflection")

    # To pre-trial, with the reason.
    reason = "She has decided to give evidence; her reflection period ended early at her request."
    case_row.get_by_role("link", name="Change phase").click()
    expect(tab.get_by_role("heading", level=1)).to_have_text(
        "Change phase · VW-E2E-0417 in T20260417"
    )
    tab.get_by_label("Move to").select_option(label="Pre-trial")
    tab.get_by_label("Reason").fill(reason)
    tab.get_by_role("button", name="Change phase").click()
    expect(tab.get_by_role("status")).to_have_text("VW-E2E-0417 moved to Pre-trial in T20260417.")
    expect(case_row).to_contain_text("Pre-trial")

    # The timeline shows the move first, with its reason and who made it.
    newest = _timeline(tab).first
    expect(newest).to_contain_text("T20260417: Reflection → Pre-trial")
    expect(newest).to_contain_text(reason)
    expect(newest).to_contain_text("by Sam Whitfield")
    expect(_timeline(tab).filter(has_text="Joined T20260417 in Reflection")).to_contain_text(
        "Identified by police at the car wash raid."
    )

    with live_server.session() as db:
        witness = db.scalar(select(Witness).where(Witness.reference == "VW-E2E-0417"))
        assert witness.needs_interpreter and witness.languages == ["Romanian", "English"]
        (participation,) = witness.participations
        assert participation.phase is Phase.pre_trial
        moves = [
            (t.from_phase, t.to_phase, t.reason, t.actor_id) for t in participation.transitions
        ]
        assert moves == [
            (None, Phase.reflection, "Identified by police at the car wash raid.", seed.officer.id),
            (Phase.reflection, Phase.pre_trial, reason, seed.officer.id),
        ]
        assert db.scalar(
            select(AuditEvent.id).where(
                AuditEvent.action == "participation.phase_change",
                AuditEvent.witness_id == witness.id,
                AuditEvent.actor_id == seed.officer.id,
            )
        )

    # Signing out ends the session, and says that every other one ended too: the file is out
    # of reach until the next sign-in.
    tab.get_by_role("button", name="Sign out").click()
    expect(tab.get_by_role("status")).to_have_text(
        "You are signed out, here and on every other computer or phone where you were "
        "signed in to Witness."
    )
    expect(tab.get_by_role("heading", name="Sign in")).to_be_visible()
    tab.goto(f"/witnesses/{witness.id}")
    expect(tab).to_have_url(re.compile(r"/login\?next="))


def test_phase_change_without_a_reason_is_refused_beside_the_field(
    tab, live_server, seed, sign_in, open_witness_file
):
    witness = open_witness_file()
    sign_in(seed.officer)
    tab.goto(f"/witnesses/{witness.id}")
    tab.get_by_role("link", name="Change phase").click()

    tab.get_by_label("Move to").select_option(label="Pre-trial")
    with tab.expect_response(lambda r: r.request.method == "POST") as posted:
        tab.get_by_role("button", name="Change phase").click()
    assert posted.value.status == 400

    reason_field = tab.locator(".field").filter(has=tab.get_by_label("Reason"))
    expect(reason_field).to_contain_text("Give a reason for the change.")
    expect(tab.get_by_text("Now:")).to_contain_text("Reflection")
    expect(tab.get_by_label("Move to")).to_have_value("pre_trial")  # the choice is kept
    with live_server.session() as db:
        participation = db.scalar(
            select(Participation).where(Participation.witness_id == witness.id)
        )
        assert participation.phase is Phase.reflection
        assert [t.to_phase for t in participation.transitions] == [Phase.reflection]

    # Giving the reason then goes through.
    tab.get_by_label("Reason").fill("Ready for the pre-trial visit.")
    tab.get_by_role("button", name="Change phase").click()
    expect(tab.get_by_role("status")).to_have_text(
        f"{witness.reference} moved to Pre-trial in {witness.case_reference}."
    )


def test_adding_to_a_case_without_a_reason_saves_nothing(
    tab, live_server, seed, sign_in, open_witness_file
):
    witness = open_witness_file(in_case=False)
    other = open_witness_file()  # only for its case, which the officer may choose
    sign_in(seed.officer)
    tab.goto(f"/witnesses/{witness.id}")
    tab.get_by_role("link", name="Add to a case").click()

    tab.get_by_label("Case reference").fill(other.case_reference)
    with tab.expect_response(lambda r: r.request.method == "POST") as posted:
        tab.get_by_role("button", name="Add to case").click()
    assert posted.value.status == 400

    # The form's page again, with the error beside the reason and the case reference kept.
    expect(tab.get_by_role("heading", level=1)).to_have_text(f"Add to a case · {witness.reference}")
    reason_field = tab.locator(".field").filter(has=tab.get_by_label("Reason"))
    expect(reason_field).to_contain_text("Give a reason for the change.")
    expect(tab.get_by_label("Case reference")).to_have_value(other.case_reference)
    with live_server.session() as db:
        assert (
            db.scalar(select(Participation).where(Participation.witness_id == witness.id)) is None
        )

    # Cancel goes back to the file, still in no case.
    tab.get_by_role("link", name="Cancel").click()
    expect(tab.get_by_role("heading", level=1)).to_have_text(witness.reference)
    expect(tab.get_by_role("cell", name="Not yet a witness in any case.")).to_be_visible()


def test_a_need_is_recorded_on_its_own_page_and_listed_on_the_file(
    tab, live_server, seed, sign_in, open_witness_file
):
    witness = open_witness_file()
    sign_in(seed.officer)
    tab.goto(f"/witnesses/{witness.id}")
    expect(tab.get_by_label("Review by")).to_have_count(0)  # the file carries no form for it

    tab.get_by_role("link", name="Record a need").click()
    expect(tab.get_by_role("heading", level=1)).to_have_text(f"Record a need · {witness.reference}")
    tab.get_by_label("Need", exact=True).select_option(label="Transport")
    tab.get_by_label("Notes").fill("Lives two hours from the court.")
    tab.get_by_label("Review by").fill("2031-04-01")
    tab.get_by_role("button", name="Record need").click()

    expect(tab.get_by_role("status")).to_have_text(
        "Need recorded: Transport, review by 01 Apr 2031."
    )
    expect(tab.get_by_role("heading", level=1)).to_have_text(witness.reference)
    expect(tab.get_by_role("row", name=re.compile("Lives two hours"))).to_contain_text("Transport")
