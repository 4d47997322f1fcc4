"""One outbox for every channel: e-mails, letters and open call/visit tasks, filterable by
channel and status; every contact attempt on the witness's timeline."""

import pytest

from witness.letters.models import Letter, LetterStatus
from witness.notify.attempts import record_attempt
from witness.notify.models import AttemptOutcome
from witness.notify.preferences import record_preferences
from witness.people.models import Channel
from witness.people.services import witness_timeline


@pytest.fixture
def news(db, world, make_task):
    record_preferences(
        db, world.officer, world.assigned, channels=["phone", "in_person"], phone="+44 7700 900666"
    )
    call = make_task(world.assigned, world.case)
    record_preferences(db, world.officer, world.unassigned, channels=["in_person"])
    visit = make_task(world.unassigned, world.case)
    letter = Letter(
        organisation_id=world.office.id,
        witness_id=world.unassigned.id,
        case_id=world.case.id,
        kind="verdict",
        language="en",
        status=LetterStatus.returned,
        pdf=b"%PDF-1.4",
        sha256="0" * 64,
    )
    db.add(letter)
    db.flush()
    return call, visit, letter


def test_the_outbox_lists_every_channel(db, world, login, news):
    call, _, _ = news
    client = login(world.supervisor)
    calls = client.get("/outbox?channel=phone").get_data(as_text=True)
    assert world.assigned.reference in calls and f"/calls/{call.id}" in calls
    assert world.unassigned.reference not in calls
    visits = client.get("/outbox?channel=in_person").get_data(as_text=True)
    assert world.unassigned.reference in visits and world.assigned.reference not in visits
    letters = client.get("/outbox?channel=post&status=returned").get_data(as_text=True)
    assert world.unassigned.reference in letters and "Returned" in letters
    letters = client.get("/outbox?channel=post&status=posted").get_data(as_text=True)
    assert world.unassigned.reference not in letters
    assert client.get("/outbox?channel=email").status_code == 200
    assert client.get("/outbox?channel=nonsense&status=%00").status_code in (200, 400)
    # an officer sees the calls of the witnesses assigned to them only
    mine = login(world.officer).get("/outbox?channel=in_person").get_data(as_text=True)
    assert world.unassigned.reference not in mine
    assert login(world.ngo_worker).get("/outbox?channel=phone").status_code == 404


def test_every_contact_attempt_is_on_the_timeline(db, world, news):
    call, _, _ = news
    record_attempt(db, world.officer, call, channel=Channel.phone, outcome=AttemptOutcome.no_answer)
    entries = witness_timeline(db, world.assigned)
    [entry] = [e for e in entries if e.kind == "contact"]
    assert "Phone" in entry.title and "No answer" in entry.title
    assert entry.actor == world.officer.name


def test_the_timeline_page_shows_attempts(db, world, login, news):
    call, _, _ = news
    record_attempt(db, None, call, channel=Channel.phone, outcome=AttemptOutcome.withheld, note="x")
    page = login(world.officer).get(f"/witnesses/{world.assigned.id}").get_data(as_text=True)
    assert "Withheld" in page
