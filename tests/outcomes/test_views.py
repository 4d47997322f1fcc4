"""The outcome pages as an officer, a supervisor, an NGO worker and a stranger use them."""

from datetime import date

from sqlalchemy import func, select

from witness.audit.models import AuditEvent
from witness.notify.models import NotificationTask
from witness.outcomes import services
from witness.outcomes.models import EventKind, OutcomeEvent
from witness.people.models import Phase

VERDICT = {
    "kind": "verdict",
    "effective_date": "2026-03-09",
    "source": "court",
    "charge": "Trafficking for forced labour",
    "result": "guilty",
}


def _count(db, model):
    return db.scalar(select(func.count()).select_from(model))


def test_an_officer_records_a_verdict_through_the_form_and_the_page_shows_it(db, trial, login):
    client = login(trial.officer)
    url = f"/cases/{trial.case.id}/outcomes"
    page = client.get(url)
    assert page.status_code == 200 and "Record an event" in page.get_data(as_text=True)
    response = client.submit(url, {**VERDICT, "defendant_id": str(trial.defendant.id)})
    assert response.status_code == 302
    event = db.scalar(select(OutcomeEvent))
    assert (event.kind, event.charge, event.recorded_by_id) == (
        EventKind.verdict,
        "Trafficking for forced labour",
        trial.officer.id,
    )
    assert {p.phase for p in trial.case_participations()} == {Phase.post_trial}
    assert _count(db, NotificationTask) == 2
    text = client.get(url).get_data(as_text=True)
    assert "Trafficking for forced labour · Guilty" in text
    assert "Dan Fendant" in text


def test_bad_input_answers_400_with_the_message_and_changes_nothing(db, trial, login):
    client = login(trial.officer)
    url = f"/cases/{trial.case.id}/outcomes"
    # a verdict without its charge
    response = client.submit(
        url, {**VERDICT, "charge": "", "defendant_id": str(trial.defendant.id)}
    )
    assert response.status_code == 400
    assert "Name the charge." in response.get_data(as_text=True)
    # a defendant of another case, a malformed date, a kind that does not exist
    for bad in (
        {"defendant_id": str(trial.other_defendant.id)},
        {"defendant_id": str(trial.defendant.id), "effective_date": "09/03/2026"},
        {"defendant_id": str(trial.defendant.id), "kind": "acquitted-ish"},
        {"defendant_id": "99999999999999999999"},
        {"defendant_id": str(trial.defendant.id), "sentence_months": "\uff11\uff12"},
    ):
        response = client.submit(url, {**VERDICT, **bad})
        assert response.status_code == 400, bad
    assert _count(db, OutcomeEvent) == 0
    assert {p.phase for p in trial.case_participations()} == {Phase.pre_trial, Phase.trial}


def test_an_ngo_worker_reads_a_shared_case_but_may_not_record(db, trial, login, share):
    share(trial.assigned, trial.ngo)
    client = login(trial.ngo_worker)
    url = f"/cases/{trial.case.id}/outcomes"
    page = client.get(url)
    assert page.status_code == 200 and "Record an event" not in page.get_data(as_text=True)
    response = client.submit(url, {**VERDICT, "defendant_id": str(trial.defendant.id)})
    assert response.status_code == 404
    assert _count(db, OutcomeEvent) == 0
    refused = db.scalar(
        select(AuditEvent).where(AuditEvent.action == "outcome_event.record_refused")
    )
    assert refused is not None and refused.actor_id == trial.ngo_worker.id


def test_an_ngo_worker_without_a_sharing_witness_in_the_case_gets_404(db, trial, login):
    client = login(trial.ngo_worker)
    assert client.get(f"/cases/{trial.case.id}/outcomes").status_code == 404
    assert client.get(f"/witnesses/{trial.assigned.id}/outcomes").status_code == 404
    assert db.scalar(select(AuditEvent).where(AuditEvent.action == "case.refused")) is not None


def test_a_correction_strikes_the_old_event_through_with_the_reason(db, trial, login):
    first = services.record_event(
        db,
        trial.officer,
        case=trial.case,
        defendant=trial.defendant,
        kind=EventKind.release_date_set,
        effective_date=date(2026, 3, 1),
        source="prison",
        release_date="2027-05-01",
    )
    client = login(trial.supervisor)
    form = client.get(f"/outcomes/{first.id}/correct")
    assert form.status_code == 200
    response = client.submit(
        f"/outcomes/{first.id}/correct",
        {
            "kind": "release_date_set",
            "defendant_id": str(trial.defendant.id),
            "effective_date": "2026-03-01",
            "source": "prison",
            "release_date": "2028-05-01",
            "reason": "The prison sent the wrong year",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    fixed = db.scalar(select(OutcomeEvent).where(OutcomeEvent.supersedes_id == first.id))
    assert fixed.release_date == date(2028, 5, 1)
    text = client.get(f"/cases/{trial.case.id}/outcomes").get_data(as_text=True)
    assert "<del>Expected release date</del>" in text
    assert "The prison sent the wrong year" in text
    # the witness page shows the same, to those who may see the witness
    page = login(trial.officer).get(f"/witnesses/{trial.assigned.id}/outcomes")
    assert page.status_code == 200 and "01 May 2028" in page.get_data(as_text=True)


def test_a_correction_without_a_reason_is_refused(db, trial, login):
    first = services.record_event(
        db,
        trial.officer,
        case=trial.case,
        defendant=trial.defendant,
        kind=EventKind.transferred,
        effective_date=date(2026, 3, 1),
        source="prison",
        institution="HMP Leeds",
    )
    client = login(trial.officer)
    response = client.submit(
        f"/outcomes/{first.id}/correct",
        {
            "kind": "transferred",
            "defendant_id": str(trial.defendant.id),
            "effective_date": "2026-03-01",
            "source": "prison",
            "institution": "HMP Hull",
            "reason": "",
        },
    )
    assert response.status_code == 400
    assert _count(db, OutcomeEvent) == 1
    assert login(trial.ngo_worker).get(f"/outcomes/{first.id}/correct").status_code == 404
