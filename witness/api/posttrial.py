"""After the trial: a witness's impact statement, compensation, property held as evidence and
closing checklist in one case, and the same changes as the pages.

Reading needs the right to see the witness (an NGO worker: a current sharing consent);
changing needs the witness's own office (403 otherwise, audited). A step the rules do not
allow is a 409 naming the allowed ones; a refused value a 422 naming its field."""

from __future__ import annotations

import marshmallow as ma
from flask.views import MethodView
from marshmallow import fields

from witness.api.auth import api_user
from witness.api.blueprint import ApiBlueprint
from witness.api.common import committing
from witness.api.ledger import GivenAmount
from witness.api.schemas import Amount, Choice, Day, Id, InputSchema, Line, Text
from witness.audit.services import record_event
from witness.core.access import get_case, get_witness
from witness.core.errors import NotFound
from witness.db import db_session
from witness.people.models import Phase
from witness.posttrial import closure, evidence, queries, services
from witness.posttrial.models import (
    ClaimRoute,
    ClaimStatus,
    CompensationClaim,
    PropertyStatus,
    StatementStatus,
)

bp = ApiBlueprint(
    "api_posttrial",
    __name__,
    tag="After the trial",
    description="Victim impact statements, compensation (lodged, ordered, paid in "
    "instalments), property held as evidence, and the checklist before a witness's part in a "
    "case is closed.",
)


class StatementSchema(ma.Schema):
    id = fields.Integer(required=True)
    witness_id = fields.Integer(required=True)
    case_id = fields.Integer(required=True)
    status = Choice(StatementStatus, required=True)
    offered_date = fields.Date(allow_none=True)
    written_date = fields.Date(allow_none=True)
    submitted_date = fields.Date(allow_none=True)
    considered_date = fields.Date(allow_none=True)
    sentence_event_id = fields.Integer(allow_none=True)
    note = fields.String()


class PaymentSchema(ma.Schema):
    id = fields.Integer(required=True)
    paid_date = fields.Date(required=True)
    amount = Amount(required=True)


class ClaimSchema(ma.Schema):
    id = fields.Integer(required=True)
    witness_id = fields.Integer(required=True)
    case_id = fields.Integer(required=True)
    route = Choice(ClaimRoute, required=True)
    status = Choice(ClaimStatus, required=True)
    lodged_date = fields.Date(allow_none=True)
    amount_claimed = Amount(allow_none=True)
    order_event_id = fields.Integer(allow_none=True)
    amount_ordered = Amount(allow_none=True)
    currency = fields.String(allow_none=True)
    payments = fields.List(fields.Nested(PaymentSchema), required=True)
    paid = fields.Method("_paid", metadata={"type": "string"})
    outstanding = fields.Method(
        "_outstanding",
        allow_none=True,
        metadata={"type": "string", "description": "Still owed of the order; null before it."},
    )
    note = fields.String()

    def _paid(self, claim: CompensationClaim) -> str:
        return str(queries.paid_total(claim))

    def _outstanding(self, claim: CompensationClaim) -> str | None:
        balance = queries.outstanding(claim)
        return None if balance is None else str(balance)


class PropertySchema(ma.Schema):
    id = fields.Integer(required=True)
    witness_id = fields.Integer(required=True)
    case_id = fields.Integer(required=True)
    description = fields.String(required=True)
    status = Choice(PropertyStatus, required=True)
    held_at = fields.String()
    held_since = fields.Date(allow_none=True)
    returned_date = fields.Date(allow_none=True)
    returned_to = fields.String()
    returned_by = fields.String()
    disposal_order = fields.String()
    note = fields.String()


class CheckSchema(ma.Schema):
    key = fields.String(required=True)
    label = fields.String(required=True)
    done = fields.Boolean(required=True)
    detail = fields.String(required=True)


class AfterTrialSchema(ma.Schema):
    witness_id = fields.Integer(required=True)
    case_id = fields.Integer(required=True)
    phase = Choice(Phase, required=True)
    statements = fields.List(fields.Nested(StatementSchema), required=True)
    claims = fields.List(fields.Nested(ClaimSchema), required=True)
    property = fields.List(fields.Nested(PropertySchema), required=True)
    checklist = fields.List(fields.Nested(CheckSchema), required=True)
    can_close = fields.Boolean(required=True, metadata={"description": "Every item is done."})


class ClosureSchema(ma.Schema):
    witness_id = fields.Integer(required=True)
    case_id = fields.Integer(required=True)
    phase = Choice(Phase, required=True)


# --- inputs ------------------------------------------------------------------------------------


class OfferInput(InputSchema):
    offered_date = Day(required=True)
    note = Text(2000, load_default="")


class StepInput(InputSchema):
    status = Choice(StatementStatus, required=True)
    on = Day(load_default=None, allow_none=True)
    sentence_event_id = Id(load_default=None, allow_none=True)
    note = Text(2000, load_default="")


class CorrectionInput(InputSchema):
    status = Choice(StatementStatus, required=True)
    reason = Text(2000, required=True)
    on = Day(load_default=None, allow_none=True)


class ClaimInput(InputSchema):
    route = Choice(ClaimRoute, required=True)
    lodged_date = Day(required=True)
    amount_claimed = GivenAmount(load_default=None, allow_none=True)
    currency = Line(3, load_default=None, allow_none=True)
    note = Text(2000, load_default="")


class OrderInput(InputSchema):
    order_event_id = Id(load_default=None, allow_none=True)
    amount = GivenAmount(load_default=None, allow_none=True)
    currency = Line(3, load_default=None, allow_none=True)


class PaymentInput(InputSchema):
    paid_date = Day(required=True)
    amount = GivenAmount(required=True)


class EndInput(InputSchema):
    status = Choice(ClaimStatus, required=True)
    reason = Text(2000, required=True)


class PropertyInput(InputSchema):
    description = Line(500, required=True)
    held_at = Line(200, load_default="")
    held_since = Day(load_default=None, allow_none=True)
    note = Text(2000, load_default="")


class PropertyStatusInput(InputSchema):
    status = Choice(PropertyStatus, required=True)
    on = Day(load_default=None, allow_none=True)
    returned_to = Line(200, load_default="")
    returned_by = Line(200, load_default="")
    order = Line(300, load_default="")
    note = Text(2000, load_default="")


class CloseInput(InputSchema):
    reason = Text(2000, required=True)
    override = fields.Boolean(
        load_default=False,
        metadata={"description": "A supervisor closes with items outstanding (audited)."},
    )


# --- views -------------------------------------------------------------------------------------


def _scope(db, user, witness_id: int, case_id: int):
    """The witness and a case they are in, as the caller may see them (audited 404)."""
    witness = get_witness(db, user, witness_id)
    case = get_case(db, user, case_id)
    if queries.participation_of(db, witness.id, case.id) is None:
        record_event(db, user, "posttrial.refused", witness, witness_id=witness.id, case_id=case_id)
        raise NotFound("That witness is not in that case.")
    return witness, case


PREFIX = "/witnesses/<int:witness_id>/cases/<int:case_id>"


@bp.route(f"{PREFIX}/after-trial")
class AfterTrial(MethodView):
    @bp.response(200, AfterTrialSchema)
    @bp.problems(404)
    def get(self, witness_id: int, case_id: int):
        """The witness's post-trial matters in the case and the closing checklist."""
        db, user = db_session(), api_user()
        witness, case = _scope(db, user, witness_id, case_id)
        matters = queries.matters_of(db, witness.id, case.id)
        checklist = closure.closure_checklist(db, witness, case, matters)
        record_event(db, user, "posttrial.view", witness, witness_id=witness.id, case_id=case.id)
        db.commit()
        return {
            "witness_id": witness.id,
            "case_id": case.id,
            "phase": queries.participation_of(db, witness.id, case.id).phase,
            "statements": matters.statements,
            "claims": matters.claims,
            "property": matters.property,
            "checklist": checklist,
            "can_close": all(c.done for c in checklist),
        }


@bp.route(f"{PREFIX}/impact-statements")
class Statements(MethodView):
    @bp.arguments(OfferInput)
    @bp.response(201, StatementSchema)
    @bp.problems(403, 404)
    def post(self, data, witness_id: int, case_id: int):
        """Record that the victim was offered an impact statement (one per witness and case)."""
        db, user = db_session(), api_user()
        witness, case = _scope(db, user, witness_id, case_id)
        with committing(db, user, "impact_statement", witness_id=witness.id):
            return services.offer_impact_statement(db, user, witness, case, **data)


@bp.route("/impact-statements/<int:statement_id>/steps")
class StatementSteps(MethodView):
    @bp.arguments(StepInput)
    @bp.response(201, StatementSchema)
    @bp.problems(403, 404)
    def post(self, data, statement_id: int):
        """Move the statement one step on: offered → written or declined, written → submitted
        or declined, submitted → considered (tied to the sentence), declined → offered."""
        db, user = db_session(), api_user()
        statement = queries.get_statement(db, user, statement_id)
        target = data.pop("status")
        with committing(db, user, "impact_statement", statement, witness_id=statement.witness_id):
            return services.advance_impact_statement(db, user, statement, target, **data)


@bp.route("/impact-statements/<int:statement_id>/corrections")
class StatementCorrections(MethodView):
    @bp.arguments(CorrectionInput)
    @bp.response(201, StatementSchema)
    @bp.problems(403, 404)
    def post(self, data, statement_id: int):
        """Put a mistake right: the status it should have, with the reason."""
        db, user = db_session(), api_user()
        statement = queries.get_statement(db, user, statement_id)
        with committing(db, user, "impact_statement", statement, witness_id=statement.witness_id):
            return services.correct_impact_statement(
                db, user, statement, data["status"], data["reason"], on=data["on"]
            )


@bp.route(f"{PREFIX}/compensation-claims")
class Claims(MethodView):
    @bp.arguments(ClaimInput)
    @bp.response(201, ClaimSchema)
    @bp.problems(403, 404)
    def post(self, data, witness_id: int, case_id: int):
        """Record a compensation claim lodged with the court or a scheme."""
        db, user = db_session(), api_user()
        witness, case = _scope(db, user, witness_id, case_id)
        with committing(db, user, "compensation_claim", witness_id=witness.id):
            return services.lodge_compensation_claim(db, user, witness, case, **data)


def _claim_change(claim_id: int, change):
    db, user = db_session(), api_user()
    claim = queries.get_claim(db, user, claim_id)
    with committing(db, user, "compensation_claim", claim, witness_id=claim.witness_id):
        change(db, user, claim)
    db.refresh(claim)
    return claim


@bp.route("/compensation-claims/<int:claim_id>/order")
class ClaimOrder(MethodView):
    @bp.arguments(OrderInput)
    @bp.response(201, ClaimSchema)
    @bp.problems(403, 404)
    def post(self, data, claim_id: int):
        """The claim was granted: a court order ties it to the sentence's compensation order
        (its amount, or this victim's share of it); a scheme gives amount and currency."""
        return _claim_change(
            claim_id, lambda db, user, claim: services.order_compensation(db, user, claim, **data)
        )


@bp.route("/compensation-claims/<int:claim_id>/payments")
class ClaimPayments(MethodView):
    @bp.arguments(PaymentInput)
    @bp.response(201, ClaimSchema)
    @bp.problems(403, 404)
    def post(self, data, claim_id: int):
        """An instalment received. The total never exceeds the order (422 naming what is still
        owed); the last instalment marks the claim paid."""
        return _claim_change(
            claim_id,
            lambda db, user, claim: services.record_compensation_payment(db, user, claim, **data),
        )


@bp.route("/compensation-claims/<int:claim_id>/end")
class ClaimEnd(MethodView):
    @bp.arguments(EndInput)
    @bp.response(201, ClaimSchema)
    @bp.problems(403, 404)
    def post(self, data, claim_id: int):
        """The claim was refused (while lodged) or withdrawn (until paid), with the reason."""
        return _claim_change(
            claim_id,
            lambda db, user, claim: services.end_compensation_claim(
                db, user, claim, data["status"], data["reason"]
            ),
        )


@bp.route(f"{PREFIX}/property")
class Property(MethodView):
    @bp.arguments(PropertyInput)
    @bp.response(201, PropertySchema)
    @bp.problems(403, 404)
    def post(self, data, witness_id: int, case_id: int):
        """Record an item held as evidence (described without what identifies the witness)."""
        db, user = db_session(), api_user()
        witness, case = _scope(db, user, witness_id, case_id)
        with committing(db, user, "property_item", witness_id=witness.id):
            return evidence.record_property_item(db, user, witness, case, **data)


@bp.route("/property/<int:item_id>/status")
class PropertyStatusChange(MethodView):
    @bp.arguments(PropertyStatusInput)
    @bp.response(201, PropertySchema)
    @bp.problems(403, 404)
    def post(self, data, item_id: int):
        """Ready for return, returned (when, to whom, by whom), retained or destroyed (the
        court's order)."""
        db, user = db_session(), api_user()
        item = queries.get_property(db, user, item_id)
        target = data.pop("status")
        with committing(db, user, "property_item", item, witness_id=item.witness_id):
            return evidence.change_property_status(db, user, item, target, **data)


@bp.route(f"{PREFIX}/closure")
class Closure(MethodView):
    @bp.arguments(CloseInput)
    @bp.response(201, ClosureSchema)
    @bp.problems(403, 404)
    def post(self, data, witness_id: int, case_id: int):
        """Close the witness's part in the case: refused (409) while checklist items are
        open, unless a supervisor overrides with the reason."""
        db, user = db_session(), api_user()
        witness, case = _scope(db, user, witness_id, case_id)
        with committing(db, user, "participation", witness_id=witness.id):
            transition = closure.close_participation(
                db, user, witness, case, data["reason"], override=data["override"]
            )
        return {"witness_id": witness.id, "case_id": case.id, "phase": transition.to_phase}
