"""The retention pages: the witness's (close, reopen, hold) and the office's list; refusals are
audited 404s; bad input is refused with a clear message and changes nothing."""

from datetime import UTC, datetime

from sqlalchemy import func, select

from witness.audit.models import AuditEvent
from witness.people.models import Phase
from witness.retention import services
from witness.retention.models import FileClosure, LegalHold


def _audits(db, action):
    return db.scalar(select(func.count(AuditEvent.id)).where(AuditEvent.action == action))


def test_the_officer_closes_the_file_from_its_page(db, world, login):
    client = login(world.officer)
    url = f"/witnesses/{world.assigned.id}/retention"
    page = client.get(url)
    assert page.status_code == 200 and "Close the file" in page.get_data(as_text=True)
    response = client.submit(f"{url}/close", {"close-reason": "Support ended"})
    assert response.status_code == 302
    db.expire_all()
    assert world.assigned.participations[0].phase is Phase.closed
    page = client.get(url).get_data(as_text=True)
    assert "File closed. No final notice was sent." in page
    assert "No channel is consented to" in page and "Reopen the file" in page


def test_an_empty_reason_is_refused_beside_the_field_and_changes_nothing(db, world, login):
    client = login(world.officer)
    url = f"/witnesses/{world.assigned.id}/retention"
    response = client.submit(f"{url}/close", {"close-reason": ""})
    assert response.status_code == 400
    assert "Give a reason." in response.get_data(as_text=True)
    response = client.submit(f"{url}/close", {"close-reason": "   "})
    assert response.status_code == 400
    assert "Give a reason for closing the file." in response.get_data(as_text=True)
    assert db.scalar(select(func.count(FileClosure.id))) == 0


def test_another_office_and_an_ngo_worker_get_an_audited_404(db, world, login):
    url = f"/witnesses/{world.assigned.id}/retention"
    assert login(world.foreign_admin).get(url).status_code == 404
    assert _audits(db, "witness.refused") == 1
    shared = f"/witnesses/{world.shared.id}/retention"
    ngo = login(world.ngo_worker)
    assert ngo.get(shared).status_code == 404
    assert _audits(db, "retention.refused") == 1
    assert ngo.submit(f"{shared}/close", {"close-reason": "x"}).status_code == 404
    assert ngo.get("/retention").status_code == 404
    assert _audits(db, "retention.refused") == 2
    db.expire_all()
    assert world.shared.participations[0].phase is not Phase.closed


def test_an_officer_may_not_place_a_legal_hold(db, world, login):
    client = login(world.officer)
    url = f"/witnesses/{world.assigned.id}/retention/hold"
    assert client.submit(url, {"hold-reason": "Appeal pending"}).status_code == 404
    assert _audits(db, "witness.change_refused") == 1
    assert db.scalar(select(func.count(LegalHold.id))) == 0


def test_a_supervisor_holds_a_file_and_sees_the_office_list(
    db, world, login, make_witness, frozen_clock
):
    held = make_witness(case=world.case, officer=world.officer)
    services.close_file(db, world.officer, held, "Support ended")
    services.close_file(db, world.officer, world.assigned, "Support ended")
    client = login(world.supervisor)
    response = client.submit(
        f"/witnesses/{held.id}/retention/hold", {"hold-reason": "Civil claim pending"}
    )
    assert response.status_code == 302
    frozen_clock(datetime(2033, 1, 1, tzinfo=UTC))
    client = login(world.supervisor)  # years later: a new session
    page = client.get("/retention").get_data(as_text=True)
    assert "Skipped: on legal hold" in page and "Due: would be anonymised" in page
    assert world.assigned.reference in page and held.reference in page
    assert "legal_name" in page and world.assigned.legal_name not in page
    db.expire_all()
    assert world.assigned.anonymised_dt is None  # the page changes nothing


def test_an_anonymised_file_is_shown_as_such_and_offers_no_changes(db, world, login, frozen_clock):
    from witness.retention.runs import run

    services.close_file(db, world.officer, world.assigned, "Support ended")
    frozen_clock(datetime(2033, 1, 1, tzinfo=UTC))
    run(db, frozen_clock.now(), 6, apply=True)
    db.flush()
    client = login(world.supervisor)
    page = client.get(f"/witnesses/{world.assigned.id}").get_data(as_text=True)
    assert '<span class="badge">Anonymised</span>' in page
    assert "Edit file" not in page
    page = client.get(f"/witnesses/{world.assigned.id}/retention").get_data(as_text=True)
    assert "the personal data was removed" in page
    assert "Reopen the file" not in page and "Place a legal hold" not in page
    response = client.submit(f"/witnesses/{world.assigned.id}/edit", {"legal_name": "X"})
    assert response.status_code == 404
    assert _audits(db, "witness.change_refused") == 1
