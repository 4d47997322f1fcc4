"""Risk assessments of a witness, read-only: a completed assessment never changes (a
correction is a new assessment, made in Witness), so nothing here writes.

Need to know as the pages (``core.access_risk``): the witness's office sees everything; a
prosecutor of the case the level and answers without notes unless assigned to the witness; an
NGO worker only under a sharing consent that covers the whole file. Anything else is a 404,
recorded; every read is recorded."""

from __future__ import annotations

import marshmallow as ma
from flask.views import MethodView
from marshmallow import fields

from witness.api.auth import api_user
from witness.api.blueprint import ApiBlueprint
from witness.api.common import paginate
from witness.api.schemas import Choice, PageArgs, PageMeta
from witness.audit.services import record_event
from witness.core.access_risk import RiskView, get_risk_assessment, get_risk_witness, risk_view
from witness.db import db_session
from witness.risk import queries
from witness.risk.instrument import RiskLevel
from witness.risk.models import AssessmentStatus

bp = ApiBlueprint(
    "api_risk",
    __name__,
    tag="Risk",
    description="Risk assessments of a witness (read-only): the instrument's version, each "
    "factor's answer (present, absent, unknown) and note, the level by the rule and the level "
    "that stands (an override gives its reason). Notes and the witness's own words are null "
    "for readers who see only the level.",
)


class AnswerSchema(ma.Schema):
    factor = fields.String(required=True)
    answer = fields.String(required=True, metadata={"enum": ["present", "absent", "unknown"]})
    note = fields.String(allow_none=True)


class AssessmentSchema(ma.Schema):
    id = fields.Integer(required=True)
    witness_id = fields.Integer(required=True)
    instrument = fields.String(required=True)
    status = Choice(AssessmentStatus, required=True)
    level = Choice(RiskLevel, allow_none=True)
    rule_level = Choice(RiskLevel, allow_none=True)
    override_reason = fields.String(allow_none=True)
    answers = fields.List(fields.Nested(AnswerSchema), required=True)
    own_view = fields.String(allow_none=True)
    is_current = fields.Boolean(required=True)
    created_dt = fields.DateTime(required=True)
    completed_dt = fields.DateTime(allow_none=True)


class AssessmentPage(PageMeta):
    items = fields.List(fields.Nested(AssessmentSchema), required=True)


def _shown(assessment, full: bool) -> dict:
    """The assessment as the reader may see it: notes only for a full view."""
    answers = [
        {"factor": key, "answer": value["answer"], "note": value["note"] if full else None}
        for key, value in assessment.answers.items()
    ]
    return {
        "id": assessment.id,
        "witness_id": assessment.witness_id,
        "instrument": assessment.instrument,
        "status": assessment.status,
        "level": assessment.level,
        "rule_level": assessment.rule_level,
        "override_reason": assessment.override_reason if full else None,
        "answers": answers,
        "own_view": assessment.own_view if full else None,
        "is_current": assessment.is_current,
        "created_dt": assessment.created_dt,
        "completed_dt": assessment.completed_dt,
    }


@bp.route("/witnesses/<int:witness_id>/risk-assessments")
class WitnessAssessments(MethodView):
    @bp.arguments(PageArgs, location="query")
    @bp.response(200, AssessmentPage)
    @bp.problems(404)
    def get(self, args, witness_id: int):
        """The witness's assessments, newest first (drafts included)."""
        db, user = db_session(), api_user()
        witness = get_risk_witness(db, user, witness_id)
        full = risk_view(db, user, witness) is RiskView.full
        result = paginate(db, queries.assessments_query(witness.id), args["page"], args["per_page"])
        result["items"] = [_shown(a, full) for a in result["items"]]
        record_event(db, user, "risk.view", witness, witness_id=witness.id)
        db.commit()
        return result


@bp.route("/risk-assessments/<int:assessment_id>")
class Assessment(MethodView):
    @bp.response(200, AssessmentSchema)
    @bp.problems(404)
    def get(self, assessment_id: int):
        """One assessment."""
        db, user = db_session(), api_user()
        assessment = get_risk_assessment(db, user, assessment_id)
        full = risk_view(db, user, assessment.witness) is RiskView.full
        record_event(db, user, "risk_assessment.view", assessment, witness_id=assessment.witness_id)
        db.commit()
        return _shown(assessment, full)
