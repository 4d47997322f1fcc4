"""The risk pages in the browser's terms: an officer assesses and reassesses, an incident makes
a review due today, the lists show it; each role sees what need to know allows, audited."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from witness.audit.models import AuditEvent
from witness.cases.models import Hearing, HearingType
from witness.people.models import Assignment
from witness.risk import services as s
from witness.risk.instrument import factors_of
from witness.risk.models import RiskAssessment

from .conftest import answers_with


def _form(present=(), **extra):
    data = {f"a_{f.key}": "present" if f.key in present else "absent" for f in factors_of("v1")}
    return data | extra


def _assessed(db, w, present=("threats",), notes=None):
    draft = s.start_assessment(db, w.officer, w.witness, "v1")
    return s.complete_assessment(
        db,
        w.officer,
        draft,
        answers=answers_with(present, notes=notes or {}),
        own_view="I do not go out alone",
        confirmed=True,
    )


def _actions(db, user):
    return [a.action for a in db.scalars(select(AuditEvent).where(AuditEvent.actor_id == user.id))]


def test_an_officer_assesses_then_reassesses_from_the_last_answers(login, db, risk):
    client = login(risk.officer)
    response = client.submit(f"/risk/witnesses/{risk.witness.id}/assessments", {"instrument": "v1"})
    assert response.status_code == 302
    url = response.headers["Location"]
    page = client.get(url).get_data(as_text=True)
    assert "Threats or intimidation received" in page and "Complete the assessment" in page
    response = client.submit(
        url,
        _form({"threats", "accused_at_large"}, n_threats="Messages on social media", complete="1"),
    )
    assert response.status_code == 302
    page = client.get(f"/risk/witnesses/{risk.witness.id}").get_data(as_text=True)
    assert "Critical" in page and "Risk review due by 17 Mar 2026" in page
    # reassess: the form comes back with the last answers, and asks to confirm them
    response = client.submit(f"/risk/witnesses/{risk.witness.id}/assessments", {"instrument": "v1"})
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Messages on social media" in page and "confirm or change each" in page
    refused = client.submit(response.headers["Location"], _form(complete="1"))
    assert refused.status_code == 400
    assert "Confirm that each answer" in refused.get_data(as_text=True)


def test_a_completed_assessment_cannot_be_posted_to(login, db, risk):
    done = _assessed(db, risk)
    client = login(risk.officer)
    response = client.submit(f"/risk/assessments/{done.id}", _form(complete="1"))
    assert response.status_code == 404
    assert "risk_assessment.change_refused" in _actions(db, risk.officer)
    page = client.get(f"/risk/assessments/{done.id}").get_data(as_text=True)
    assert "Complete the assessment" not in page and "A correction is a new assessment" in page


def test_an_override_without_a_reason_is_refused_beside_its_field(login, db, risk):
    client = login(risk.officer)
    url = client.submit(
        f"/risk/witnesses/{risk.witness.id}/assessments", {"instrument": "v1"}
    ).headers["Location"]
    response = client.submit(url, _form(override_level="high", complete="1"))
    assert response.status_code == 400
    assert "Give the reason for changing the level." in response.get_data(as_text=True)
    response = client.submit(
        url, _form(override_level="high", override_reason="Seen nearby", complete="1")
    )
    assert response.status_code == 302
    query = select(RiskAssessment).where(RiskAssessment.witness_id == risk.witness.id)
    assessment = db.scalar(query)
    assert (assessment.rule_level.value, assessment.level.value) == ("low", "high")


def test_an_incident_from_the_page_makes_a_review_due_today(login, db, risk):
    client = login(risk.officer)
    response = client.submit(
        f"/risk/witnesses/{risk.witness.id}/incidents",
        {
            "kind": "contact_attempt",
            "reported_by": "The witness",
            "day": "2026-03-09",
            "time": "21:30",
            "description": "A call from a withheld number",
            "police_told": "y",
            "police_reference": "MPS-1",
        },
    )
    assert response.status_code == 302
    page = client.get(f"/risk/witnesses/{risk.witness.id}").get_data(as_text=True)
    assert "Risk review due by 10 Mar 2026: Incident: contact attempt" in page
    witness_page = client.get(f"/witnesses/{risk.witness.id}").get_data(as_text=True)
    assert "Risk review due by 10 Mar 2026" in witness_page


def test_a_future_incident_is_refused_without_a_500(login, db, risk):
    client = login(risk.officer)
    response = client.submit(
        f"/risk/witnesses/{risk.witness.id}/incidents",
        {
            "kind": "threat",
            "reported_by": "Police",
            "day": "2026-03-20",
            "time": "10:00",
            "description": "Not yet",
        },
    )
    assert response.status_code == 400
    assert "cannot be in the future" in response.get_data(as_text=True)


def test_the_lists_show_overdue_and_this_week_and_high_risk_before_a_hearing(
    login, db, risk, frozen_clock
):
    s.ask_for_review(db, risk.officer, risk.witness, "Feels watched")  # due 12 March
    client = login(risk.officer)
    week = client.get("/risk/?which=week").get_data(as_text=True)
    assert risk.witness.reference in week and "Feels watched" in week
    assert risk.witness.reference not in client.get("/risk/?which=overdue").get_data(as_text=True)
    frozen_clock(datetime(2026, 3, 14, 9, tzinfo=UTC))
    client = login(risk.officer)  # four days on: the idle session has ended
    overdue = client.get("/risk/?which=overdue").get_data(as_text=True)
    assert risk.witness.reference in overdue
    # the supervisor's office list has it; another officer's "mine" does not
    assert risk.witness.reference in login(risk.supervisor).get(
        "/risk/?which=overdue&scope=office"
    ).get_data(as_text=True)
    assert risk.witness.reference not in login(risk.officer2).get("/risk/?which=overdue").get_data(
        as_text=True
    )
    _assessed(db, risk)  # threats: high
    start = datetime(2026, 3, 24, 10, tzinfo=UTC)
    db.add(
        Hearing(
            case_id=risk.case.id,
            court_id=risk.case.court_id,
            type=HearingType.trial_day,
            start_dt=start,
            end_dt=start + timedelta(hours=5),
        )
    )
    db.flush()
    page = client.get("/risk/?which=hearing").get_data(as_text=True)
    assert risk.witness.reference in page and "High" in page


def test_a_bad_filter_falls_back_rather_than_failing(login, risk):
    response = login(risk.officer).get("/risk/?which=%00x&scope=everyone&page=-3")
    assert response.status_code in (200, 400)


# --- need to know ---------------------------------------------------------------------------


@pytest.fixture
def assessed(db, risk):
    risk.assessment = _assessed(db, risk, notes={"threats": "Brother of the accused calls"})
    return risk


def test_the_prosecutor_sees_the_level_but_not_the_notes(login, db, assessed):
    client = login(assessed.prosecutor)
    page = client.get(f"/risk/assessments/{assessed.assessment.id}").get_data(as_text=True)
    assert "High" in page and "Present" in page
    assert "Brother of the accused calls" not in page and "I do not go out alone" not in page
    assert "risk_assessment.view" in _actions(db, assessed.prosecutor)


def test_an_assigned_prosecutor_sees_the_notes(login, db, assessed):
    db.add(
        Assignment(
            witness_id=assessed.witness.id,
            user_id=assessed.prosecutor.id,
            assigned_by_id=assessed.supervisor.id,
        )
    )
    db.flush()
    page = login(assessed.prosecutor).get(f"/risk/assessments/{assessed.assessment.id}")
    assert "Brother of the accused calls" in page.get_data(as_text=True)


def test_an_ngo_worker_sees_risk_only_under_a_consent_covering_the_whole_file(
    login, db, risk, share
):
    share(risk.shared_identity, risk.ngo, identity=True)
    for witness in (risk.shared, risk.shared_identity):
        draft = s.start_assessment(db, risk.supervisor, witness, "v1")
        s.complete_assessment(
            db,
            risk.supervisor,
            draft,
            answers=answers_with({"debts"}),
            own_view="Owes money",
            confirmed=True,
        )
    client = login(risk.ngo_worker)
    assert client.get(f"/risk/witnesses/{risk.shared.id}").status_code == 404
    assert "risk.refused" in _actions(db, risk.ngo_worker)
    page = client.get(f"/risk/witnesses/{risk.shared_identity.id}").get_data(as_text=True)
    assert "Medium" in page and "Record an incident" in page and "Reassess" not in page


@pytest.mark.parametrize("who", ["officer2", "foreign_admin", "other_prosecutor"])
def test_others_get_an_audited_404(login, db, assessed, who):
    user = getattr(assessed, who)
    client = login(user)
    assert client.get(f"/risk/assessments/{assessed.assessment.id}").status_code == 404
    assert client.get(f"/risk/witnesses/{assessed.witness.id}").status_code == 404
    actions = _actions(db, user)
    assert "risk_assessment.refused" in actions
    assert "witness.refused" in actions


def test_only_the_office_assesses_and_a_prosecutor_records_no_incident(login, db, assessed):
    client = login(assessed.prosecutor)
    url = f"/risk/witnesses/{assessed.witness.id}"
    assert client.submit(f"{url}/assessments", {"instrument": "v1"}).status_code == 404
    assert client.submit(f"{url}/ask", {"note": ""}).status_code == 404
    assert _actions(db, assessed.prosecutor).count("witness.change_refused") == 2


def test_the_witness_page_shows_nothing_of_risk_to_who_may_not_see_it(login, db, risk, share):
    _assessed(db, risk)
    assert "Risk review due by" in login(risk.officer).get(
        f"/witnesses/{risk.witness.id}"
    ).get_data(as_text=True)
    s.ask_for_review(db, risk.supervisor, risk.shared)
    page = login(risk.ngo_worker).get(f"/witnesses/{risk.shared.id}").get_data(as_text=True)
    assert "Risk review due by" not in page
