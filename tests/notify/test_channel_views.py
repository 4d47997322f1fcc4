"""The contact preferences page and the call list, as an officer, an NGO worker and an outsider
would use them."""

from sqlalchemy import select

from witness.audit.models import AuditEvent
from witness.core.access import accepts_channel, current_preference
from witness.notify.models import AttemptOutcome, ContactAttempt, TaskStatus
from witness.notify.preferences import record_preferences
from witness.people.models import Channel

FORM = {
    "news_wanted": "everything",
    "channel_0": "phone",
    "channel_1": "email",
    "email": "safe@example.org",
    "email_detail": "call_me",
    "phone": "+44 7700 900333",
    "safe_times": "18:00-20:00",
    "language": "th",
    "ngo_organisation_id": "",
}


def test_an_officer_records_preferences_on_the_page(db, world, login):
    client = login(world.officer)
    url = f"/witnesses/{world.assigned.id}/contact-preferences"
    page = client.get(url)
    assert page.status_code == 200 and "Record the witness" in page.get_data(as_text=True)
    response = client.submit(url, FORM)
    assert response.status_code == 302
    pref = current_preference(db, world.assigned.id)
    assert pref.channels == ["phone", "email"] and pref.language == "th"
    assert accepts_channel(db, world.assigned.id, Channel.phone)
    page = client.get(url).get_data(as_text=True)
    assert "+44 7700 900333" in page and "in force" in page
    detail = client.get(f"/witnesses/{world.assigned.id}").get_data(as_text=True)
    assert "Contact preferences" in detail


def test_bad_input_shows_the_form_again_and_changes_nothing(db, world, login):
    client = login(world.officer)
    url = f"/witnesses/{world.assigned.id}/contact-preferences"
    response = client.submit(url, FORM | {"email": "nope", "channel_2": "fax"})
    assert response.status_code == 400
    response = client.submit(url, FORM | {"email": "not-an-address"})
    assert response.status_code == 400
    assert "Give one e-mail address" in response.get_data(as_text=True)
    assert current_preference(db, world.assigned.id) is None


def test_the_language_is_named_never_coded(db, world, login):
    """The officer names the language ("Khmer", or as the witness writes it); the form shows
    it by name when it comes back; a language nobody knows is refused beside its field."""
    client = login(world.officer)
    url = f"/witnesses/{world.assigned.id}/contact-preferences"
    refused = client.submit(url, FORM | {"language": "Klingonese"})
    assert refused.status_code == 400
    assert "Name the language (for example Thai" in refused.get_data(as_text=True)
    assert current_preference(db, world.assigned.id) is None
    assert client.submit(url, FORM | {"language": "Khmer"}).status_code == 302
    assert current_preference(db, world.assigned.id).language == "km"
    page = client.get(url).get_data(as_text=True)
    assert 'name="language" required type="text" value="Khmer"' in page
    assert client.submit(url, FORM | {"language": "ไทย"}).status_code == 302  # Thai, in Thai
    assert current_preference(db, world.assigned.id).language == "th"


def test_an_ngo_worker_reads_but_cannot_change(db, world, login):
    record_preferences(db, world.supervisor, world.shared_identity, channels=["in_person"])
    client = login(world.ngo_worker)
    url = f"/witnesses/{world.shared_identity.id}/contact-preferences"
    page = client.get(url)
    assert page.status_code == 200
    assert "Record the witness" not in page.get_data(as_text=True)
    assert client.submit(url, FORM).status_code == 404
    # without identity shared: not even reading (the safe address is identity)
    assert client.get(f"/witnesses/{world.shared.id}/contact-preferences").status_code == 404
    assert login(world.foreign_admin).get(url).status_code == 404
    refused = db.scalars(
        select(AuditEvent.action).where(AuditEvent.witness_id == world.shared.id)
    ).all()
    assert "contact_preference.refused" in refused


def test_an_officer_works_the_call_list(db, world, login, make_task, frozen_clock):
    record_preferences(
        db, world.officer, world.assigned, channels=["phone"], phone="+44 7700 900444"
    )
    task = make_task(world.assigned, world.case)
    client = login(world.officer)
    listing = client.get("/calls/").get_data(as_text=True)
    assert world.assigned.reference in listing and "+44 7700 900444" in listing
    page = client.get(f"/calls/{task.id}").get_data(as_text=True)
    first = world.assigned.legal_name.split()[0]
    assert f"Am I speaking to {first}?" in page
    response = client.submit(f"/calls/{task.id}", {"outcome": "message_left"})
    assert response.status_code == 400 and "did not allow messages" in response.get_data(
        as_text=True
    )
    response = client.submit(f"/calls/{task.id}", {"outcome": "spoke_to_witness"})
    assert response.status_code == 302
    db.expire_all()
    assert task.status is TaskStatus.done
    [attempt] = db.scalars(select(ContactAttempt).where(ContactAttempt.task_id == task.id))
    assert attempt.outcome is AttemptOutcome.spoke_to_witness
    assert login(world.officer2).get(f"/calls/{task.id}").status_code == 404
    assert login(world.ngo_worker).get(f"/calls/{task.id}").status_code == 404
