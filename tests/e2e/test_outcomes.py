"""After the trial in the browser: an officer records a verdict, prints the letter it made and
logs a call to the other victim; a supervisor sees the deadline that passed on the first page.
The sweeps the scheduler runs (delivery, print batches, breaches) are run here by hand."""

from __future__ import annotations

import subprocess
from datetime import timedelta

from playwright.sync_api import Page, expect
from sqlalchemy import select

from witness.auth.models import User
from witness.cases.models import Case, CustodyStatus
from witness.cases.services import add_defendant
from witness.core.time import now_utc
from witness.letters.jobs import run_due
from witness.notify.breaches import alert_breaches
from witness.notify.delivery import deliver_due
from witness.notify.models import NotificationTask, TaskStatus
from witness.notify.preferences import record_preferences
from witness.people.models import ParticipationRole, Witness
from witness.people.services import add_participation, create_witness

from .test_ledger import _sign_out, _supervisor


def _second_victim_and_preferences(live_server, seed, witness_id: int) -> tuple[int, str]:
    """The case gets a defendant and a second victim; the first wants letters, the second a
    call. Returns the case id and the second victim's reference."""
    with live_server.session() as db:
        officer = db.get(User, seed.officer.id)
        first = db.get(Witness, witness_id)
        case = first.participations[0].case
        add_defendant(db, officer, case, "Seeded Defendant", CustodyStatus.remanded, None)
        second = create_witness(
            db, officer, reference=f"{first.reference}-B", legal_name="Second Victim"
        )
        add_participation(
            db, officer, second, case.id, ParticipationRole.victim_witness, "Identified"
        )
        record_preferences(
            db, officer, first, channels=["post"], postal_address="PO Box 77, Leeds LS2 9ZZ"
        )
        record_preferences(
            db, officer, second, channels=["phone"], phone="+44 7700 900555", safe_times=""
        )
        db.commit()
        return case.id, second.reference


def _run(live_server, sweep) -> None:
    with live_server.app.app_context():
        sweep()


def test_record_a_verdict_print_its_letter_log_a_call_and_see_a_breach(
    tab: Page, live_server, seed, sign_in, open_witness_file, tmp_path
):
    witness = open_witness_file()
    case_id, second_reference = _second_victim_and_preferences(live_server, seed, witness.id)
    supervisor = _supervisor(live_server, seed)
    sign_in(seed.officer)

    # the officer records the verdict on the case's Outcomes page
    tab.goto(f"/cases/{case_id}/outcomes")
    tab.get_by_label("Event", exact=True).select_option(label="Verdict")
    tab.get_by_label("Defendant").select_option(label="Seeded Defendant")
    tab.get_by_label("Date it took effect").fill((now_utc().date()).isoformat())
    tab.get_by_label("Told by").select_option(label="Court")
    tab.get_by_label("Charge (plea, verdict)").fill("Requiring a person to perform forced labour")
    tab.get_by_label("Result (plea, verdict, appeal decided)").select_option(label="Guilty")
    tab.get_by_role("button", name="Record the event").click()
    expect(tab.locator("body")).to_contain_text("Requiring a person to perform forced labour")
    expect(tab.locator("body")).to_contain_text("Guilty")

    # the delivery sweep makes the first victim's letter; the officer prints and posts it
    app = live_server.app
    _run(live_server, lambda: deliver_due(app.extensions["witness.db"].sessionmaker, app.config))
    tab.get_by_role("link", name="Print letters").click()
    tab.get_by_role("button", name="Make a print batch").click()
    with live_server.session() as db:
        run_due(db)
        db.commit()
    tab.reload()
    download_link = tab.get_by_role("link", name="Download the batch to print (PDF)")
    with tab.expect_download() as download:
        download_link.click()
    pdf = tmp_path / "batch.pdf"
    download.value.save_as(pdf)
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout
    assert "PO Box 77" in text and "guilty" in text.lower()
    tab.get_by_role("button", name="Mark every printed letter posted").click()
    with live_server.session() as db:
        told = db.scalars(select(NotificationTask).where(NotificationTask.case_id == case_id)).all()
        by_witness = {t.witness_id: t.status for t in told}
    assert by_witness[witness.id] is TaskStatus.done

    # the officer calls the second victim: no answer, logged
    tab.goto("/calls/")
    row = tab.get_by_role("row").filter(has_text=second_reference)
    row.get_by_role("link", name="Call").click()
    expect(tab.get_by_role("heading", level=1)).to_contain_text(f"Call {second_reference}")
    tab.get_by_label("No answer").check()
    tab.get_by_role("button", name="Log the call").click()
    expect(tab.get_by_role("status")).to_contain_text("Call logged.")
    row = tab.get_by_role("row").filter(has_text=second_reference)
    expect(row.get_by_role("cell").nth(7)).to_have_text("1")  # calls so far

    # nobody reached the second victim in time: the supervisor sees the breach
    with live_server.session() as db:
        case = db.get(Case, case_id)
        task = db.scalars(
            select(NotificationTask).where(
                NotificationTask.case_id == case.id,
                NotificationTask.status == TaskStatus.open,
            )
        ).one()
        task.due_dt = now_utc() - timedelta(hours=2)
        db.commit()
        alert_breaches(db, now_utc())
        db.commit()
    _sign_out(tab)
    sign_in(supervisor)
    tab.goto("/")
    expect(tab.locator("body")).to_contain_text(f"Deadline passed: tell {second_reference}")
