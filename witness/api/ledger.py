"""The support ledger: list and record items, approve, reverse, and check a case's chain.

There is no update and no delete: the ledger is append-only, a mistake is corrected by a
reversal, and the chain check proves nothing was altered behind the application's back.
"""

from __future__ import annotations

from decimal import Decimal

import marshmallow as ma
from flask import current_app
from flask.views import MethodView
from marshmallow import fields
from sqlalchemy import select

from witness.api import ApiBlueprint
from witness.api.auth import api_user
from witness.api.common import committing, paginate
from witness.api.schemas import (
    Amount,
    Choice,
    Day,
    Id,
    InputSchema,
    Line,
    PageArgs,
    PageMeta,
    Text,
)
from witness.core.access import get_case, get_witness
from witness.core.errors import NotFound
from witness.db import db_session
from witness.ledger import services
from witness.ledger.models import SupportCategory, SupportItem
from witness.people.models import Phase

bp = ApiBlueprint(
    "api_ledger",
    __name__,
    tag="Support ledger",
    description="Every item given to a witness, with its rationale, recorder and approver. "
    "Append-only: no update or delete; corrections are reversals.",
)

AMOUNT = {"description": 'A decimal with at most two places, as a string, e.g. "12.50".'}
QUANTITY = {"description": 'A decimal, as a string, e.g. "2" or "1.5".'}


class SupportItemSchema(ma.Schema):
    id = fields.Integer(required=True)
    case_id = fields.Integer(required=True)
    witness_id = fields.Integer(required=True)
    category = Choice(SupportCategory, required=True)
    description = fields.String(required=True)
    quantity = Amount(required=True, metadata=QUANTITY)
    unit = fields.String(required=True)
    value = Amount(required=True, metadata={"description": "Negative for a reversal."})
    currency = fields.String(required=True)
    is_cash = fields.Boolean(required=True)
    date_provided = fields.Date(required=True)
    provider_organisation_id = fields.Integer(required=True)
    recorded_by_id = fields.Integer(required=True)
    recorded_dt = fields.AwareDateTime(required=True)
    rationale = fields.String(required=True)
    need_id = fields.Integer(required=True, allow_none=True)
    phase = Choice(Phase, required=True)
    needs_approval = fields.Boolean(required=True)
    approved_by_id = fields.Method(
        "_approver", required=True, allow_none=True, metadata={"type": "integer"}
    )
    approved_dt = fields.Method(
        "_approved_dt",
        required=True,
        allow_none=True,
        metadata={"type": "string", "format": "date-time"},
    )
    reverses_id = fields.Integer(required=True, allow_none=True)
    reversal_reason = fields.String(required=True)
    chain_seq = fields.Integer(required=True)
    entry_hash = fields.String(required=True)

    def _approver(self, item: SupportItem) -> int | None:
        return item.approval.approved_by_id if item.approval else None

    def _approved_dt(self, item: SupportItem) -> str | None:
        return item.approval.approved_dt.isoformat() if item.approval else None


class SupportItemPage(PageMeta):
    items = fields.List(fields.Nested(SupportItemSchema), required=True)


class SupportListArgs(PageArgs):
    case_id = Id(strict=False, metadata={"description": "Only items of this case."})


def _amount(**kwargs) -> Amount:
    # The range and the places are checked by the service (its message names the field; money
    # beyond its minor unit is refused, not rounded); a Decimal bound here would reach the
    # OpenAPI document as a string, which is not a valid maximum.
    return Amount(metadata=AMOUNT, **kwargs)


class SupportItemInput(InputSchema):
    case_id = Id(required=True)
    category = Choice(SupportCategory, required=True)
    description = Line(500, required=True)
    quantity = Amount(required=True, metadata=QUANTITY)
    unit = Line(40, required=True)
    value = _amount(required=True)
    currency = Line(3, required=True, metadata={"description": "ISO 4217, e.g. GBP."})
    is_cash = fields.Boolean(load_default=False)
    date_provided = Day(required=True)
    rationale = Text(4000, required=True)
    need_id = Id(load_default=None, allow_none=True)


class ReversalInput(InputSchema):
    reason = Text(2000, required=True)


class ApprovalInput(InputSchema):
    note = Text(2000, load_default="")


class ChainSchema(ma.Schema):
    case_id = fields.Integer(required=True)
    intact = fields.Boolean(required=True)
    entries = fields.Integer(
        required=True, metadata={"description": "Entries checked (up to the first broken one)."}
    )
    first_broken_id = fields.Integer(required=True, allow_none=True)
    problem = fields.String(required=True)


def _item(db, user, item_id: int) -> SupportItem:
    """The entry if the caller may see its witness (audited 404 otherwise)."""
    item = db.get(SupportItem, item_id)
    if item is None:
        raise NotFound("No such support item.")
    get_witness(db, user, item.witness_id)
    return item


def _threshold(currency: str) -> Decimal:
    return services.approval_threshold(currency, current_app.config)


@bp.route("/witnesses/<int:witness_id>/support-items")
class WitnessSupportItems(MethodView):
    @bp.arguments(SupportListArgs, location="query")
    @bp.response(200, SupportItemPage)
    @bp.problems(404, 422)
    def get(self, args, witness_id: int):
        """The witness's ledger, in the order it was recorded."""
        db = db_session()
        witness = get_witness(db, api_user(), witness_id)
        query = select(SupportItem).where(SupportItem.witness_id == witness.id)
        if args.get("case_id"):
            query = query.where(SupportItem.case_id == args["case_id"])
        page = paginate(db, query.order_by(SupportItem.id), args["page"], args["per_page"])
        db.commit()  # the audit row of the read, if any
        return page

    @bp.arguments(SupportItemInput)
    @bp.response(201, SupportItemSchema)
    @bp.problems(403, 404, 409, 422)
    def post(self, data, witness_id: int):
        """Record an item given to the witness. Cash and cash-like items, and items above the
        office's threshold, count only once a supervisor other than the recorder approves."""
        db, user = db_session(), api_user()
        witness = get_witness(db, user, witness_id)
        with committing(db, user, "support", witness_id=witness.id):
            item = services.record_item(
                db, user, witness, approval_threshold=_threshold(data["currency"]), **data
            )
        return item


@bp.route("/support-items/<int:item_id>")
class SupportItemOne(MethodView):
    @bp.response(200, SupportItemSchema)
    @bp.problems(404)
    def get(self, item_id: int):
        """One entry."""
        return _item(db_session(), api_user(), item_id)


@bp.route("/support-items/<int:item_id>/approval")
class SupportItemApproval(MethodView):
    @bp.arguments(ApprovalInput)
    @bp.response(201, SupportItemSchema)
    @bp.problems(403, 404, 409, 422)
    def post(self, data, item_id: int):
        """Approve an item that needs it: a supervisor of the witness's office who did not
        record it (409 for the recorder, or an item already approved or not needing it)."""
        db, user = db_session(), api_user()
        item = _item(db, user, item_id)
        with committing(db, user, "support", item, witness_id=item.witness_id):
            services.approve_item(db, user, item, data["note"])
        return item


@bp.route("/support-items/<int:item_id>/reversals")
class SupportItemReversals(MethodView):
    @bp.arguments(ReversalInput)
    @bp.response(201, SupportItemSchema)
    @bp.problems(403, 404, 409, 422)
    def post(self, data, item_id: int):
        """Correct a mistake: a new entry that cancels the item and gives the reason. An item
        is reversed once; a reversal is not reversed (409)."""
        db, user = db_session(), api_user()
        item = _item(db, user, item_id)
        with committing(db, user, "support", item, witness_id=item.witness_id):
            reversal = services.reverse_item(db, user, item, data["reason"])
        return reversal


@bp.route("/cases/<int:case_id>/ledger-chain")
class CaseLedgerChain(MethodView):
    @bp.response(200, ChainSchema)
    @bp.problems(404)
    def get(self, case_id: int):
        """Recompute every hash of the case's ledger; names the first entry that does not
        match (altered behind the application's back)."""
        db = db_session()
        case = get_case(db, api_user(), case_id)
        return services.verify_chain(db, case.id)
