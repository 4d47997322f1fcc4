"""A Thai letter in the browser: a supervisor records that a Thai reader checked the verdict
letter's translation; the verdict makes the task; the officer opens it from the "To tell" list,
sees its letter is in Thai, prints it in a batch and posts it. The printed PDF is read back
with poppler: the Thai words come back and the Thai font is embedded."""

from __future__ import annotations

from flask_babel import gettext
from playwright.sync_api import Page, expect
from sqlalchemy import select

from tests import pdf_read
from witness.auth.models import User
from witness.cases.models import CustodyStatus
from witness.cases.services import add_defendant
from witness.core.i18n import in_language
from witness.core.time import now_utc
from witness.letters.jobs import run_due
from witness.letters.models import Letter
from witness.notify.delivery import deliver_due
from witness.notify.models import NotificationTask, TaskStatus
from witness.notify.preferences import record_preferences
from witness.outcomes.models import EventKind, EventResult, EventSource
from witness.outcomes.services import record_event
from witness.people.models import Witness

from .test_ledger import _sign_out, _supervisor

THAI_ADDRESS = "บ้านเลขที่ 9 ถนนเงียบ\nกรุงเทพมหานคร 10200"


def _verdict_for_a_thai_reader(live_server, seed, witness_id: int) -> int:
    """The witness wants news by post, in Thai; the court finds the defendant guilty. Returns
    the notification task's id."""
    with live_server.session() as db:
        officer = db.get(User, seed.officer.id)
        witness = db.get(Witness, witness_id)
        case = witness.participations[0].case
        defendant = add_defendant(db, officer, case, "Somchai Defendant", CustodyStatus.remanded,
                                  None)  # fmt: skip
        record_preferences(
            db, officer, witness, channels=["post"], postal_address=THAI_ADDRESS, language="th"
        )
        record_event(
            db, officer, case=case, defendant=defendant, kind=EventKind.verdict,
            effective_date=now_utc().date(), source=EventSource.court,
            charge="Trafficking for forced labour", result=EventResult.guilty,
        )  # fmt: skip
        db.commit()
        task = db.scalars(
            select(NotificationTask).where(NotificationTask.witness_id == witness_id)
        ).one()
        return task.id


def test_a_thai_letter_is_printed_from_the_task_list(
    tab: Page, live_server, seed, sign_in, open_witness_file, tmp_path
):
    witness = open_witness_file()
    supervisor = _supervisor(live_server, seed)

    # a supervisor records the reader's check of the Thai verdict letter
    sign_in(supervisor)
    tab.goto("/letters/translations")
    row = tab.locator("#review-th-verdict")
    row.get_by_label("Who read it").fill("Native speaker, registered court interpreter")
    row.get_by_role("button", name="Record as reviewed").click()
    expect(tab.locator("#review-th-verdict")).to_contain_text("Reviewed")
    _sign_out(tab)

    task_id = _verdict_for_a_thai_reader(live_server, seed, witness.id)
    app = live_server.app
    with app.app_context():
        deliver_due(app.extensions["witness.db"].sessionmaker, app.config)

    # the officer finds the task on "To tell" and sees its letter is in Thai
    sign_in(seed.officer)
    tab.goto("/tasks")
    tab.get_by_role("row").filter(has_text=witness.reference).get_by_role(
        "link", name="Open"
    ).click()
    letters = tab.locator("#letters")
    expect(letters).to_contain_text("Thai")
    expect(letters).to_contain_text("Queued")
    letters.get_by_role("link", name="Print letters").click()
    tab.get_by_role("button", name="Make a print batch").click()
    with live_server.session() as db:
        run_due(db)
        db.commit()
    tab.reload()
    with tab.expect_download() as download:
        tab.get_by_role("link", name="Download the batch to print (PDF)").click()
    download.value.save_as(tmp_path / "batch.pdf")
    pdf = (tmp_path / "batch.pdf").read_bytes()

    # what a Thai reader reads: the title and the verdict in Thai, in the embedded Thai font
    with app.app_context(), in_language("th"):
        title = gettext("The verdict in your case")
    assert title != "The verdict in your case"
    text = pdf_read.squeezed(pdf_read.text(pdf))
    assert pdf_read.squeezed(title) in text
    assert pdf_read.squeezed("กรุงเทพมหานคร 10200") in text
    thai = [f for f in pdf_read.fonts(pdf) if "NotoSansThai" in f["name"]]
    assert thai and all(f["emb"] == "yes" and f["uni"] == "yes" for f in thai)

    tab.get_by_role("button", name="Mark every printed letter posted").click()
    tab.goto(f"/tasks/{task_id}")
    expect(tab.locator("#status")).to_contain_text("Done")
    expect(tab.locator("#letters")).to_contain_text("Posted")
    with live_server.session() as db:
        letter = db.scalars(select(Letter).where(Letter.task_id == task_id)).one()
        assert letter.language == "th"
        assert db.get(NotificationTask, task_id).status is TaskStatus.done
