"""The letters pages as an officer, a supervisor and an outsider would use them: print a
batch, follow its progress, download it, mark it posted, record a returned letter; need to
know on every letter and batch (an audited 404); bad input answered 4xx, never 500."""

from __future__ import annotations

import pytest
from sqlalchemy import select, update

from witness.audit.models import AuditEvent
from witness.letters import jobs, services
from witness.letters.models import Letter, LetterStatus, PrintBatch
from witness.notify.models import NotificationTask, TaskStatus

from .conftest import pdf_text

pytestmark = pytest.mark.usefixtures("frozen_clock")


def actions(db, action: str) -> list[AuditEvent]:
    return list(db.scalars(select(AuditEvent).where(AuditEvent.action == action)))


@pytest.fixture
def letter(db, post):
    return services.letter_for_task(db, post.world.officer, post.task())


def test_an_officer_prints_posts_and_records_a_return(db, post, letter, login):
    client = login(post.world.officer)
    page = client.get("/letters/").get_data(as_text=True)
    assert services.reference(letter) in page and "Make a print batch" in page
    response = client.submit("/letters/batches")
    assert response.status_code == 302
    batch = db.scalars(select(PrintBatch)).one()
    page = client.get(f"/letters/batches/{batch.id}")
    assert page.headers.get("Refresh") == "3"
    assert client.get(f"/letters/batches/{batch.id}/progress").get_json() == {
        "status": "queued",
        "done": 0,
        "total": 1,
        "eta_seconds": None,
        "ready": False,
    }
    jobs.run_due(db)
    progress = client.get(f"/letters/batches/{batch.id}/progress").get_json()
    assert progress["ready"] and progress["done"] == 1
    download = client.get(f"/letters/batches/{batch.id}/letters.pdf")
    assert download.status_code == 200 and download.mimetype == "application/pdf"
    assert "Mai Tran" in pdf_text(download.data)
    assert actions(db, "print_batch.downloaded")
    assert client.submit(f"/letters/batches/{batch.id}/posted").status_code == 302
    db.refresh(letter)
    task = db.get(NotificationTask, letter.task_id)
    assert letter.status is LetterStatus.posted and task.status is TaskStatus.done
    # returned without a reason: the form again, nothing changed
    bad = client.submit(f"/letters/{letter.id}/returned", {"reason": ""})
    assert bad.status_code == 400 and "Say why it came back" in bad.get_data(as_text=True)
    db.refresh(letter)
    assert letter.status is LetterStatus.posted
    ok = client.submit(f"/letters/{letter.id}/returned", {"reason": "Moved away"})
    assert ok.status_code == 302
    db.refresh(letter)
    db.refresh(task)
    assert letter.status is LetterStatus.returned and task.status is TaskStatus.open


def test_the_letter_downloads_as_made_and_a_tampered_one_is_refused(db, post, letter, login):
    client = login(post.world.officer)
    response = client.get(f"/letters/{letter.id}/letter.pdf")
    assert response.status_code == 200 and response.data == letter.pdf
    assert actions(db, "letter.reprinted")
    db.execute(update(Letter).where(Letter.id == letter.id).values(pdf=b"%PDF-1.4 forged"))
    db.expire(letter)
    refused = client.get(f"/letters/{letter.id}/letter.pdf")
    assert refused.status_code == 409
    assert "changed after it was made" in refused.get_data(as_text=True)
    assert actions(db, "letter.reprint_refused")


@pytest.mark.parametrize("who", ["officer2", "foreign_admin", "ngo_worker", "prosecutor"])
def test_a_letter_is_seen_only_by_who_may_see_its_witness(db, post, letter, login, who):
    user = getattr(post.world, who)
    client = login(user)
    if who == "prosecutor":  # leads the case: sees the witness, but does not post letters
        assert client.get(f"/letters/{letter.id}").status_code == 200
        assert client.submit(f"/letters/{letter.id}/posted").status_code == 404
        return
    for url in (f"/letters/{letter.id}", f"/letters/{letter.id}/letter.pdf"):
        assert client.get(url).status_code == 404
    refusals = [e for e in actions(db, "letter.refused") if e.actor_id == user.id]
    # on the letter and its witness: the witness's "who looked" page lists the attempt
    assert {(e.object_type, e.object_id, e.witness_id) for e in refusals} == {
        ("letter", letter.id, letter.witness_id)
    }


def test_an_ngo_worker_has_no_print_room_and_a_batch_is_its_office_s(db, post, letter, login):
    assert login(post.world.ngo_worker).get("/letters/").status_code == 404
    batch = services.request_batch(db, post.world.officer)
    db.commit()
    assert login(post.world.foreign_admin).get(f"/letters/batches/{batch.id}").status_code == 404
    assert login(post.world.officer2).get(f"/letters/batches/{batch.id}").status_code == 404
    assert login(post.world.supervisor).get(f"/letters/batches/{batch.id}").status_code == 200
    assert actions(db, "print_batch.refused")


def test_bad_input_is_never_a_500(db, post, letter, login):
    client = login(post.world.supervisor)
    assert client.submit("/letters/batches").status_code == 302
    assert client.submit("/letters/batches").status_code == 302  # nothing waiting: a message
    for url in ("/letters/999999", "/letters/batches/999999", "/letters/batches/999999/progress"):
        assert client.get(url).status_code == 404
    long = client.submit(f"/letters/{letter.id}/returned", {"reason": "x" * 600})
    assert long.status_code == 400
    control = client.submit(f"/letters/{letter.id}/returned", {"reason": "moved\u202eaway"})
    assert control.status_code == 400
    early = client.submit(f"/letters/{letter.id}/posted")  # queued, not printed: refused
    assert early.status_code == 302
    db.refresh(letter)
    assert letter.status is LetterStatus.queued


def test_the_batch_page_says_which_letters_go_in_a_plain_envelope(db, post, letter, login):
    """The witness's "discreet envelope" choice reaches whoever stuffs the envelopes: a plain
    one (no office name, logo or franking) unless the preferences in force allow the office's."""
    client = login(post.world.officer)
    client.submit("/letters/batches")
    batch = db.scalars(select(PrintBatch)).one()
    jobs.run_due(db)
    assert post.preference.discreet_envelope is True  # the default
    page = client.get(f"/letters/batches/{batch.id}").get_data(as_text=True)
    assert "1 letter goes in a plain envelope" in page
    row = page[page.index(services.reference(letter)) :]
    assert row.index("Plain") < row.index("</tr>")
    post.preference.discreet_envelope = False
    db.flush()
    page = client.get(f"/letters/batches/{batch.id}").get_data(as_text=True)
    assert "plain envelope" not in page
    row = page[page.index(services.reference(letter)) :]
    assert row.index("The office&#39;s own") < row.index("</tr>")
