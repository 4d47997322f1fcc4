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

from witness.api.auth import api_user
from witness.api.blueprint import ApiBlueprint
from witness.api.common import committing, paginate
from witness.api.schemas import Amount as DecimalString
from witness.api.schemas import Choice, Day, Id, InputSchema, Line, PageArgs, PageMeta, Text
from witness.core.access import (
    get_case,
    get_support_item,
    get_witness,
    sees_every_witness_of,
)
from witness.db import db_session
from witness.ledger import services
from witness.ledger.models import SupportCategory, SupportItem
from witness.ledger.money import AMOUNT_PATTERN, PLAIN_AMOUNT
from witness.people.models import Phase

bp = ApiBlueprint(
    "api_ledger",
    __name__,
    tag="Support ledger",
    description="Every item given to a witness, with its rationale, recorder and approver. "
    "Append-only: no update or delete; corrections are reversals.",
)

AMOUNT = {
    "description": 'Plain digits with an optional decimal point, as a string, e.g. "12.50": no '
    "sign, exponent, underscore or non-ASCII digit, and no more decimal places than the "
    "currency's minor unit (JPY none, GBP two; never more than two). Never rounded.",
    "pattern": AMOUNT_PATTERN,
}
ENTRY = (
    "The entry's number: its position in the case's chain, as pages, CSV, PDF and CLI number it."
)


class SupportItemSchema(ma.Schema):
    id = fields.Integer(required=True)
    case_id = fields.Integer(required=True)
    witness_id = fields.Integer(required=True)
    category = Choice(SupportCategory, required=True)
    description = fields.String(required=True)
    quantity = DecimalString(required=True)
    unit = fields.String(required=True)
    value = DecimalString(required=True, metadata={"description": "Negative for a reversal."})
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
    entry = fields.Method(
        "_entry", required=True, metadata={"type": "integer", "description": ENTRY}
    )
    chain_seq = fields.Integer(required=True, metadata={"description": "The same as entry."})
    approval_entry = fields.Method(
        "_approval_entry",
        required=True,
        allow_none=True,
        metadata={"type": "integer", "description": "The approval's own number in the chain."},
    )
    entry_hash = fields.String(required=True)
    key_id = fields.String(
        required=True,
        allow_none=True,
        metadata={"description": "The ledger key whose HMAC entry_hash is (null: unkeyed)."},
    )

    def _entry(self, item: SupportItem) -> int:
        return item.chain_seq

    def _approval_entry(self, item: SupportItem) -> int | None:
        return item.approval.chain_seq if item.approval else None

    def _approver(self, item: SupportItem) -> int | None:
        return item.approval.approved_by_id if item.approval else None

    def _approved_dt(self, item: SupportItem) -> str | None:
        return item.approval.approved_dt.isoformat() if item.approval else None


class SupportItemPage(PageMeta):
    items = fields.List(fields.Nested(SupportItemSchema), required=True)


class SupportListArgs(PageArgs):
    case_id = Id(strict=False, metadata={"description": "Only items of this case."})


class GivenAmount(fields.String):
    """An amount given to the API, as a string of plain ASCII digits (``money.PLAIN_AMOUNT``).
    marshmallow's Decimal would read ``"1_000"``, fullwidth digits, ``"-0"`` and JSON numbers,
    and round ``12.345`` silently; the service checks the places for the currency and the
    range."""

    MESSAGE = (
        'Give an amount of plain digits with an optional decimal point, e.g. "12.50" '
        "(no sign, exponent, spaces or other characters)."
    )
    default_error_messages = {"invalid": MESSAGE}

    def __init__(self, **kwargs) -> None:
        super().__init__(validate=self.check, metadata=AMOUNT, **kwargs)

    @classmethod
    def check(cls, value: str) -> None:
        if not PLAIN_AMOUNT.fullmatch(value):
            raise ma.ValidationError(cls.MESSAGE)


def _amount(**kwargs) -> GivenAmount:
    return GivenAmount(**kwargs)


class SupportItemInput(InputSchema):
    case_id = Id(required=True)
    category = Choice(SupportCategory, required=True)
    description = Line(500, required=True)
    quantity = _amount(required=True)
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


class ChainProblemSchema(ma.Schema):
    entry = fields.Integer(required=True, metadata={"description": ENTRY})
    last = fields.Integer(
        required=True,
        allow_none=True,
        metadata={"description": "For a run of entries (missing ones): the last of them."},
    )
    message = fields.String(required=True)


class ChainSchema(ma.Schema):
    case_id = fields.Integer(required=True)
    state = fields.String(
        required=True,
        metadata={
            "enum": ["intact", "unkeyed", "unverifiable", "broken"],
            "description": "intact; unkeyed: consistent, but some entries were hashed before "
            "keyed hashes; unverifiable: signed with a key the server lacks; broken.",
        },
    )
    intact = fields.Boolean(required=True)
    whole = fields.Boolean(
        required=True,
        metadata={
            "description": "The caller sees every witness of the case (its lead prosecutor): "
            "entries is then the chain's length and head_hash its anchor."
        },
    )
    entries = fields.Integer(
        required=True,
        metadata={
            "description": "The chain's length (items, reversals and approvals) for a caller "
            "who sees every witness of the case; otherwise the entries they may see."
        },
    )
    head_hash = fields.String(
        required=True,
        allow_none=True,
        metadata={
            "description": "The hash of the chain's last entry, with entries its anchor: keep "
            "both, and a later copy of the ledger can be shown not to have been rewritten. "
            "Null unless whole and not broken."
        },
    )
    broken = fields.List(fields.Nested(ChainProblemSchema), required=True)
    unverifiable = fields.List(fields.Nested(ChainProblemSchema), required=True)
    unkeyed = fields.Integer(
        required=True, metadata={"description": "Entries hashed before keyed hashes."}
    )
    unchained_approvals = fields.Integer(required=True)


def _item(db, user, item_id: int) -> SupportItem:
    """The entry if the caller may see its witness (audited 404 otherwise)."""
    return get_support_item(db, user, item_id)


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
        try:
            with committing(db, user, "support", witness_id=witness.id):
                item = services.record_item(
                    db, user, witness, approval_threshold=_threshold(data["currency"]), **data
                )
        except services.RefusedReference as exc:  # another witness's need, or case: audited
            db.rollback()
            services.audit_refusal(db, user, exc)
            db.commit()
            raise
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
        """Recompute every hash of the case's ledger chain and compare it with its keyed
        checkpoints; lists every entry that does not match (altered, deleted or forged behind
        the application's back). The case's lead prosecutor also gets the chain's anchor."""
        db, user = db_session(), api_user()
        case = get_case(db, user, case_id)
        status = services.verify_chain(db, case.id)
        whole = sees_every_witness_of(user, case)
        return {
            "case_id": case.id,
            "state": status.state,
            "intact": status.intact,
            "whole": whole,
            "entries": status.length
            if whole
            else services.visible_chain_entries(db, user, case.id),
            "head_hash": status.last_hash if whole and not status.broken else None,
            "broken": status.broken,
            "unverifiable": status.unverifiable,
            "unkeyed": status.unkeyed,
            "unchained_approvals": status.unchained_approvals,
        }
