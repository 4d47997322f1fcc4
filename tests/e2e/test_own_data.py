"""A witness's own data in the browser: the officer records an access request (refused until
they say how the requester's identity was checked), downloads the PDF of everything held, and
records a correction request with its due date."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from playwright.sync_api import expect
from sqlalchemy import select

from tests import pdf_read
from witness.audit.models import AuditEvent


def test_officer_answers_an_access_request_and_records_a_correction(
    tab, live_server, seed, sign_in, open_witness_file
):
    witness = open_witness_file()
    sign_in(seed.officer)
    tab.goto(f"/witnesses/{witness.id}")
    tab.get_by_role("link", name="Access and correction requests").click()
    expect(tab.get_by_role("heading", level=1)).to_have_text(
        f"The witness's own data · {witness.reference}"
    )

    yesterday = (datetime.now(UTC) - timedelta(days=1)).date().isoformat()
    access = tab.locator("#access")
    access.get_by_text("Record an access request").click()
    access.get_by_label("Received on").fill(yesterday)
    access.get_by_role("button", name="Record the request").click()
    expect(
        tab.locator("#access").get_by_text(
            "Say how you checked that the request comes from the witness."
        )
    ).to_be_visible()
    tab.locator("#access").get_by_label("How you checked the requester is the witness").fill(
        "Seen in person with her passport"
    )
    tab.locator("#access").get_by_role("button", name="Record the request").click()
    expect(tab.get_by_role("status")).to_contain_text("Access request recorded")

    with tab.expect_download() as download_info:
        tab.locator("#access").get_by_role("link", name="PDF").click()
    download = download_info.value
    assert download.suggested_filename.startswith(f"data-held-{witness.reference}-request-")
    with open(download.path(), "rb") as pdf:
        text = pdf_read.text(pdf.read())
    assert "Data held about you" in text and witness.legal_name in text
    assert "Seen in person with her passport" in text

    corrections = tab.locator("#corrections")
    corrections.get_by_text("Record a correction request").click()
    corrections.get_by_label("Received on").fill(yesterday)
    corrections.get_by_label("What the witness says is wrong").fill("My first language is Thai")
    corrections.get_by_role("button", name="Record the request").click()
    expect(tab.get_by_role("status")).to_contain_text("Correction request recorded")
    expect(tab.locator("#corrections").get_by_text("My first language is Thai")).to_be_visible()

    with live_server.session() as db:
        exported = db.scalar(
            select(AuditEvent).where(
                AuditEvent.action == "witness.data_exported", AuditEvent.witness_id == witness.id
            )
        )
        assert exported is not None and exported.detail["format"] == "pdf"
