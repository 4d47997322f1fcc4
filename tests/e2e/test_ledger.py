"""The support ledger in the browser: an officer records a cash item with its rationale, a
supervisor approves it so it counts, and the officer reverses it so it nets out; the case's
disclosure PDF downloaded from the case ledger lists the item and its reversal."""

from __future__ import annotations

import io
import itertools
from datetime import date

from playwright.sync_api import Page, expect
from pypdf import PdfReader
from sqlalchemy import select
from werkzeug.security import generate_password_hash

from witness.auth.models import Role, User
from witness.cases.models import Case

from .conftest import PASSWORD, Account

_n = itertools.count(1)


def _supervisor(live_server, seed) -> Account:
    n = next(_n)
    with live_server.session() as db:
        officer = db.get(User, seed.officer.id)
        supervisor = User(
            email=f"ledger.supervisor{n}@witness.example",
            name=f"Lee Supervisor {n}",
            role=Role.supervisor,
            organisation_id=officer.organisation_id,
            password_hash=generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000"),
        )
        db.add(supervisor)
        db.commit()
        return Account(supervisor.id, supervisor.email, supervisor.name)


def _sign_out(tab: Page) -> None:
    """Forget the session. Only once the page has finished loading: a response still on its way
    (the favicon, the stylesheet) carries the session cookie and would set it again."""
    tab.wait_for_load_state("networkidle")
    tab.context.clear_cookies()


def test_record_approve_and_reverse_a_cash_item(
    tab: Page, live_server, seed, sign_in, open_witness_file
):
    witness = open_witness_file()
    supervisor = _supervisor(live_server, seed)
    sign_in(seed.officer)

    tab.goto(f"/witnesses/{witness.id}")
    tab.get_by_role("link", name="Support ledger").click()
    tab.get_by_role("link", name="Record support").click()
    tab.get_by_label("Category").select_option(label="Witness expenses")
    tab.get_by_label("What was given").fill("Meal allowance for the trial week")
    tab.get_by_label("Unit", exact=True).fill("days")
    tab.get_by_label("Total value").fill("45.00")
    tab.get_by_label("Date provided").fill(date.today().isoformat())
    tab.get_by_label("Rationale").fill("She cannot afford meals on the days she attends court")
    tab.get_by_role("button", name="Record").click()

    expect(tab.get_by_role("status")).to_contain_text("needs a supervisor's approval")
    row = tab.locator("tr", has_text="Meal allowance for the trial week")
    expect(row).to_contain_text("needs approval")
    expect(row).to_contain_text("She cannot afford meals")
    expect(tab.locator("#total-counted")).to_have_text("0.00")
    expect(tab.locator("#total-pending")).to_have_text("45.00 GBP")
    expect(row.get_by_role("button", name="Approve")).to_have_count(0)

    # a second person, a supervisor of the office, approves it
    _sign_out(tab)
    sign_in(supervisor)
    tab.goto(f"/witnesses/{witness.id}/ledger")
    row = tab.locator("tr", has_text="Meal allowance for the trial week")
    row.get_by_label("Note (optional)").fill("Receipts seen")
    row.get_by_role("button", name="Approve").click()
    expect(tab.get_by_role("status")).to_contain_text("now counts in the totals")
    expect(tab.locator("#total-counted")).to_have_text("45.00 GBP")
    row = tab.locator("tr", has_text="Meal allowance for the trial week").first
    expect(row).to_contain_text(f"approved by {supervisor.name}")

    # the officer finds it was a mistake and reverses it
    _sign_out(tab)
    sign_in(seed.officer)
    tab.goto(f"/witnesses/{witness.id}/ledger")
    row = tab.locator("tr", has_text="Meal allowance for the trial week").first
    row.get_by_role("link", name="Reverse…").click()
    expect(tab.get_by_role("heading", name="Reverse entry")).to_be_visible()
    expect(tab.locator("dl")).to_contain_text("Meal allowance for the trial week")
    tab.get_by_label("Reason").fill("Paid by the court instead")
    tab.get_by_role("button", name="Record the reversal").click()
    expect(tab.get_by_role("status")).to_contain_text("Reversed")
    expect(tab.locator("#total-counted")).to_have_text("0.00 GBP")
    expect(tab.get_by_text("Paid by the court instead").first).to_be_visible()
    # the item, its approval and its reversal: three entries of the chain, all the officer's
    expect(
        tab.get_by_text("Chain intact (every entry checked; 3 of witnesses you may see)")
    ).to_be_visible()

    # the case's disclosure PDF, one click from the case ledger, lists the item and its reversal
    with live_server.session() as db:
        case_id = db.scalar(select(Case.id).where(Case.reference == witness.case_reference))
    tab.goto(f"/cases/{case_id}/ledger")
    expect(tab.get_by_role("link", name="Disclosure reports")).to_be_visible()
    with tab.expect_download() as download_info:
        tab.get_by_role("button", name="Disclosure PDF").click()
    download = download_info.value
    assert download.suggested_filename.startswith(f"support-ledger-case-{witness.case_reference}-")
    with open(download.path(), "rb") as pdf:
        reader = PdfReader(io.BytesIO(pdf.read()))
    text = " ".join(" ".join(page.extract_text().split()) for page in reader.pages)
    assert f"case {witness.case_reference}" in text
    assert text.count("Meal allowance for the trial week") == 2  # the item and its reversal
    assert "reverses entry" in text and "Paid by the court instead" in text
    assert f"approved by {supervisor.name}" in text
    assert f"Generated by {seed.officer.name}" in text
