"""What a person outside a witness's circle sees when they reach the witness's page."""

from __future__ import annotations

from playwright.sync_api import expect
from sqlalchemy import select

from witness.audit.models import AuditEvent


def test_ngo_worker_opening_a_file_not_shared_with_them_sees_not_found(
    tab, live_server, seed, sign_in, open_witness_file
):
    witness = open_witness_file()
    sign_in(seed.ngo_worker)

    response = tab.goto(f"/witnesses/{witness.id}")
    assert response.status == 404
    expect(tab.get_by_role("heading", level=1)).to_have_text("Not found")
    expect(
        tab.get_by_text("There is nothing here, or you do not have access to it.")
    ).to_be_visible()
    expect(tab.get_by_text(witness.reference)).to_have_count(0)
    expect(tab.get_by_text(witness.legal_name)).to_have_count(0)

    # Nor does the file show in their list, and the attempt is on the record.
    tab.get_by_role("link", name="Witnesses", exact=True).click()
    expect(tab.get_by_role("cell", name="No witnesses match.")).to_be_visible()
    with live_server.session() as db:
        refusal = db.scalar(
            select(AuditEvent).where(
                AuditEvent.action == "witness.refused", AuditEvent.witness_id == witness.id
            )
        )
        assert refusal is not None and refusal.actor_id == seed.ngo_worker.id

    # The pages of the file's forms are as closed as the file.
    for form in ("participations", "consents", "needs"):
        response = tab.goto(f"/witnesses/{witness.id}/{form}")
        assert response.status == 404, form
        expect(tab.get_by_role("heading", level=1)).to_have_text("Not found")
        expect(tab.get_by_text(witness.reference)).to_have_count(0)
