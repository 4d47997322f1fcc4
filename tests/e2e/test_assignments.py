"""Who is assigned to a witness, as the officer manages it on the witness's page."""

from __future__ import annotations

from urllib.parse import urlsplit

from playwright.sync_api import expect
from sqlalchemy import select

from witness.audit.models import AuditEvent


def test_officer_ending_their_own_assignment_lands_on_a_page_they_may_see(
    tab, live_server, seed, sign_in, open_witness_file
):
    witness = open_witness_file()
    sign_in(seed.officer)
    tab.goto(f"/witnesses/{witness.id}")

    staff = tab.locator("section").filter(has=tab.get_by_role("heading", name="Assigned staff"))
    mine = staff.get_by_role("listitem").filter(has_text=seed.officer.name)
    mine.get_by_role("button", name="End").click()

    expect(tab.get_by_role("status")).to_have_text(
        f"{seed.officer.name} is no longer assigned to {witness.reference}."
    )
    # The confirmation has arrived, so the page has: check at once rather than wait for a change.
    assert urlsplit(tab.url).path == "/witnesses/", "not on the list of witnesses"
    expect(tab.get_by_role("heading", level=1)).to_have_text("Witnesses")
    with live_server.session() as db:
        refused = db.scalar(
            select(AuditEvent.id).where(
                AuditEvent.action == "witness.refused",
                AuditEvent.witness_id == witness.id,
                AuditEvent.actor_id == seed.officer.id,
            )
        )
        assert refused is None, "the officer's own action is audited as a refused access"
