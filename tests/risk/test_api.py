"""The risk API: read-only, need to know as the pages, in the OpenAPI document."""

from __future__ import annotations

from sqlalchemy import select

from witness.audit.models import AuditEvent
from witness.risk import services as s

from ..api.conftest import assert_problem
from .conftest import answers_with


def _assessed(db, w):
    draft = s.start_assessment(db, w.officer, w.witness, "v1")
    return s.complete_assessment(
        db,
        w.officer,
        draft,
        answers=answers_with({"threats"}, notes={"threats": "Calls"}),
        own_view="Afraid",
        confirmed=True,
    )


def test_the_office_reads_assessments_with_notes(db, risk, api):
    done = _assessed(db, risk)
    client = api(risk.officer)
    body = client.get(f"/api/v1/witnesses/{risk.witness.id}/risk-assessments").get_json()
    assert body["total"] == 1
    (item,) = body["items"]
    assert (item["level"], item["instrument"], item["own_view"]) == ("high", "v1", "Afraid")
    threats = next(a for a in item["answers"] if a["factor"] == "threats")
    assert threats == {"factor": "threats", "answer": "present", "note": "Calls"}
    one = client.get(f"/api/v1/risk-assessments/{done.id}").get_json()
    assert one["id"] == done.id and one["status"] == "completed"


def test_a_prosecutor_reads_the_level_without_notes(db, risk, api):
    done = _assessed(db, risk)
    one = api(risk.prosecutor).get(f"/api/v1/risk-assessments/{done.id}").get_json()
    assert one["level"] == "high" and one["own_view"] is None
    assert all(a["note"] is None for a in one["answers"])


def test_others_get_a_recorded_404(db, risk, api):
    done = _assessed(db, risk)
    assert_problem(api(risk.ngo_worker).get(f"/api/v1/risk-assessments/{done.id}"), 404)
    refused = db.scalar(
        select(AuditEvent.action).where(
            AuditEvent.actor_id == risk.ngo_worker.id, AuditEvent.action.like("%refused")
        )
    )
    assert refused == "risk_assessment.refused"


def test_no_write_is_offered_and_the_document_lists_the_reads(db, risk, api, client):
    done = _assessed(db, risk)
    response = api(risk.officer).post(f"/api/v1/risk-assessments/{done.id}", json={})
    assert_problem(response, 405)
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert set(paths["/api/v1/risk-assessments/{assessment_id}"]) - {"parameters"} == {"get"}
    methods = set(paths["/api/v1/witnesses/{witness_id}/risk-assessments"])
    assert methods - {"parameters"} == {"get"}
