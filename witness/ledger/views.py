"""The support ledger's pages: a witness's ledger, recording an item, approving and reversing
it, and a case's ledger with its totals and the state of its hash chain."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import NoReturn

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from witness.audit.services import record_event
from witness.cases.models import Case
from witness.core.access import get_case, get_witness, sees_every_witness_of, visible_witnesses
from witness.core.errors import AccessDenied, DomainError, NotFound
from witness.core.forms import EMPTY_CHOICE, options
from witness.core.web import (
    Page,
    apply_domain_error,
    bad_request,
    date_arg,
    form_page,
    id_arg,
    page_arg,
)
from witness.db import db_session
from witness.ledger import services
from witness.ledger.forms import ApproveForm, ReverseForm, SupportItemForm
from witness.ledger.models import SupportApproval, SupportCategory, SupportItem
from witness.people.models import NeedsAssessment, Witness

bp = Blueprint("ledger", __name__)

PER_PAGE = 50
#: a witness's ledger shows this many entries a page; running totals cover them all
WITNESS_PER_PAGE = 100
STATUSES = ("all", "pending", "approved")


# --- helpers ---------------------------------------------------------------------------------


def _load_witness(witness_id: int) -> Witness:
    """The witness if the user may see them; otherwise an audited 404."""
    db = db_session()
    try:
        return get_witness(db, current_user, witness_id)
    except NotFound:
        db.commit()
        abort(404)


def _load_item(item_id: int) -> tuple[SupportItem, Witness]:
    db = db_session()
    item = db.get(SupportItem, item_id)
    if item is None:
        record_event(
            db, current_user, "support.refused", object_type="support_item", object_id=item_id
        )
        db.commit()
        abort(404)
    return item, _load_witness(item.witness_id)


def _threshold(currency: str) -> Decimal:
    return services.approval_threshold(currency, current_app.config)


def _threshold_hint(currency: str | None) -> str:
    """The approval threshold for the form's currency, for the hint beside the value."""
    code = (currency or "").strip().upper()
    if len(code) != 3 or not code.isalpha():
        return ""
    return f"{_threshold(code).quantize(Decimal('0.01'))} {code}"


def _default_currency() -> str:
    return current_app.config.get("LEDGER_DEFAULT_CURRENCY") or "GBP"


def _open_needs(witness: Witness) -> list[NeedsAssessment]:
    return list(
        db_session().scalars(
            select(NeedsAssessment)
            .where(NeedsAssessment.witness_id == witness.id, NeedsAssessment.is_open.is_(True))
            .order_by(NeedsAssessment.review_date, NeedsAssessment.id)
        )
    )


def need_label(need: NeedsAssessment) -> str:
    notes = " ".join(need.notes.split())
    return f"{need.area.label}: {notes[:80]}{'…' if len(notes) > 80 else ''}"


def suggested_rationale(need: NeedsAssessment) -> str:
    return f"Meets the assessed {need.area.label.lower()} need: {need.notes.strip()}"


def can_approve(item: SupportItem, witness: Witness, approved: set[int]) -> bool:
    return (
        current_user.role in services.APPROVER_ROLES
        and current_user.organisation_id == witness.organisation_id
        and item.recorded_by_id != current_user.id
        and item.needs_approval
        and item.reverses_id is None
        and item.id not in approved
    )


@dataclass
class ChainBadge:
    """A chain's state as a page shows it to the current user: the number of entries is the
    chain's length only for someone who sees every witness of the case (the count must not
    include entries of witnesses the user may not see)."""

    case: Case
    status: services.ChainStatus
    whole: bool
    shown: int


def _chain_badges(case_ids) -> list[ChainBadge]:
    db = db_session()
    badges = []
    for case_id in case_ids:
        case = db.get(Case, case_id)
        status = services.page_chain_status(db, case_id)
        whole = sees_every_witness_of(current_user, case)
        shown = (
            status.length if whole else services.visible_chain_entries(db, current_user, case_id)
        )
        badges.append(ChainBadge(case, status, whole, shown))
    return badges


def _refuse(action: str, item: SupportItem) -> NoReturn:
    """A change the user may not make to the witness's ledger: audited, then 403."""
    db = db_session()
    db.rollback()
    record_event(db, current_user, action, item, witness_id=item.witness_id)
    db.commit()
    abort(403)


# --- a witness's ledger ----------------------------------------------------------------------


class _Shown:
    """One page of the filtered entries (the page's items loaded in full), with the counts
    the pager shows."""

    def __init__(self, items: list[SupportItem], total: int, page: int, per_page: int) -> None:
        self.items, self.total, self.page, self.per_page = items, total, page, per_page
        self.pages = max(1, -(-total // per_page))
        self.has_prev, self.has_next = page > 1, page < self.pages


def _witness_context(witness: Witness, row_errors: dict[int, str] | None = None) -> dict:
    """The witness's ledger: one light pass over every entry for the running totals and the
    filters, then only the shown page loaded in full (a witness in a long case can have
    thousands of entries)."""
    db = db_session()
    category = request.args.get("category", "")
    if category and category not in SupportCategory.__members__:
        abort(make_response(bad_request("Choose one of the categories.")))
    status = request.args.get("status", "all") or "all"
    if status not in STATUSES:
        abort(make_response(bad_request("Choose pending, approved or all.")))
    start, end = date_arg("from"), date_arg("to")

    entries = db.execute(
        select(
            SupportItem.id,
            SupportItem.category,
            SupportItem.date_provided,
            SupportItem.currency,
            SupportItem.value,
            SupportItem.needs_approval,
            SupportItem.reverses_id,
            SupportItem.reversal_reason,
            SupportItem.phase,
            SupportItem.chain_seq,
            SupportItem.case_id,
            SupportApproval.id.is_not(None).label("approved"),
        )
        .outerjoin(SupportApproval, SupportApproval.item_id == SupportItem.id)
        .where(SupportItem.witness_id == witness.id)
        .order_by(SupportItem.date_provided, SupportItem.id)
    ).all()
    approved = {e.id for e in entries if e.approved}
    # counts(): an original counts once approved or when it needs no approval; a reversal
    # when its original does
    counted = {e.id: not e.needs_approval or e.approved for e in entries if e.reverses_id is None}
    running: dict[int, Decimal] = {}
    cumulative: dict[str, Decimal] = defaultdict(Decimal)
    reversed_by: dict[int, tuple[int, str]] = {}
    #: each entry's number: its position in its case's chain
    number = {e.id: e.chain_seq for e in entries}
    for e in entries:
        if e.reverses_id is not None:
            reversed_by[e.reverses_id] = (e.id, e.reversal_reason)
        if counted.get(e.reverses_id or e.id, False):
            cumulative[e.currency] += e.value
        running[e.id] = cumulative[e.currency]
    shown_ids = [
        e.id
        for e in entries
        if (not category or e.category.value == category)
        and (start is None or e.date_provided >= start)
        and (end is None or e.date_provided <= end)
        and (
            status == "all"
            or (
                status == "pending"
                and e.needs_approval
                and e.reverses_id is None
                and e.id not in reversed_by
                and not e.approved
            )
            or (status == "approved" and e.approved)
        )
    ]
    pages = max(1, -(-len(shown_ids) // WITNESS_PER_PAGE))
    page_number = min(max(page_arg(), 1), pages)
    page_ids = shown_ids[(page_number - 1) * WITNESS_PER_PAGE : page_number * WITNESS_PER_PAGE]
    loaded = {
        item.id: item
        for item in db.scalars(
            select(SupportItem)
            .where(SupportItem.id.in_(page_ids))
            .options(  # one query: each is at most one row per entry
                joinedload(SupportItem.need),
                joinedload(SupportItem.provider),
                joinedload(SupportItem.recorded_by),
                joinedload(SupportItem.approval).joinedload(SupportApproval.approved_by),
            )
        )
    }
    shown = _Shown([loaded[i] for i in page_ids], len(shown_ids), page_number, WITNESS_PER_PAGE)
    can_record = services.can_record_support(current_user, witness)
    return dict(
        witness=witness,
        items=shown.items,
        page=shown,
        all_count=len(entries),
        approved=approved,
        reversed_by=reversed_by,
        number=number,
        several_cases=len({e.case_id for e in entries}) > 1,
        case_refs={p.case_id: p.case.reference for p in witness.participations},
        running=running,
        figures=services.totals(entries, approved),  # the light rows answer as items do
        chains=_chain_badges(p.case_id for p in witness.participations),
        can_record=can_record,
        can_approve={
            i.id: i.id not in reversed_by and can_approve(i, witness, approved) for i in shown.items
        },
        can_reverse={
            i.id: can_record and i.reverses_id is None and i.id not in reversed_by
            for i in shown.items
        },
        categories=list(SupportCategory),
        filters=dict(category=category, status=status, start=start, end=end),
        row_errors=row_errors or {},
        approve_form=ApproveForm(formdata=None),
    )


def _audit_view(witness: Witness | None = None, case=None) -> None:
    db = db_session()
    if witness is not None:
        record_event(db, current_user, "support.view", witness, witness_id=witness.id)
    else:
        record_event(db, current_user, "support.view", case)
    db.commit()


@bp.route("/witnesses/<int:witness_id>/ledger")
def witness_ledger(witness_id: int):
    witness = _load_witness(witness_id)
    context = _witness_context(witness)
    _audit_view(witness)
    return render_template("ledger/witness.html", **context)


@bp.route("/witnesses/<int:witness_id>/ledger/new", methods=["GET", "POST"])
def record(witness_id: int):
    witness = _load_witness(witness_id)
    db = db_session()
    if not services.can_record_support(current_user, witness):
        record_event(
            db,
            current_user,
            "support.record_refused",
            object_type="witness",
            object_id=witness.id,
            witness_id=witness.id,
        )
        db.commit()
        abort(403)
    needs = _open_needs(witness)
    form = SupportItemForm()
    form.case_id.choices = options((p.case_id, p.case.reference) for p in witness.participations)
    form.need_id.choices = [EMPTY_CHOICE, *options((n.id, need_label(n)) for n in needs)]
    form.category.choices = options((c.value, c.label) for c in SupportCategory)
    needs_by_id = {n.id: n for n in needs}
    if request.method == "GET":
        form.currency.data = _default_currency()
        form.quantity.data = "1"
        chosen = needs_by_id.get(id_arg("need_id"))
        if chosen is not None:
            form.need_id.data = chosen.id
            form.rationale.data = suggested_rationale(chosen)
    elif form.suggest.data:
        # no JavaScript needed: the form comes back with the rationale filled in from the need
        chosen = needs_by_id.get(form.need_id.data) if not form.need_id.errors else None
        form.rationale.raw_data = None
        if chosen is not None:
            form.rationale.data = suggested_rationale(chosen)
        else:
            form.need_id.errors = ["Choose an open need to suggest a rationale from."]
        return form_page(
            "ledger/record.html",
            form=form,
            witness=witness,
            needs=needs,
            threshold=_threshold_hint(form.currency.data),
        )
    elif form.validate():
        try:
            item = services.record_item(
                db,
                current_user,
                witness,
                case_id=form.case_id.data,
                category=form.category.data,
                description=form.description.data,
                quantity=form.quantity.data,
                unit=form.unit.data,
                value=form.value.data,
                currency=form.currency.data,
                date_provided=form.date_provided.data,
                rationale=form.rationale.data,
                is_cash=form.is_cash.data,
                need_id=form.need_id.data,
                approval_threshold=_threshold(form.currency.data),
            )
        except AccessDenied:
            db.rollback()
            abort(403)
        except DomainError as exc:
            db.rollback()
            services.audit_refusal(db, current_user, exc)  # another witness's need or case
            db.commit()
            apply_domain_error(form, exc)
        else:
            db.commit()
            if item.needs_approval:
                flash(
                    f"Recorded: {item.description}. It needs a supervisor's approval before it "
                    "counts in the totals."
                )
            else:
                flash(f"Recorded: {item.description}. No approval is needed.")
            return redirect(url_for("ledger.witness_ledger", witness_id=witness.id))
    return form_page(
        "ledger/record.html",
        form=form,
        witness=witness,
        needs=needs,
        threshold=_threshold_hint(form.currency.data),
    )


@bp.route("/ledger/items/<int:item_id>/approve", methods=["POST"])
def approve(item_id: int):
    item, witness = _load_item(item_id)
    db = db_session()
    form = ApproveForm()
    if not form.validate():
        flash(" ".join(e for errors in form.errors.values() for e in errors))
        return redirect(url_for("ledger.witness_ledger", witness_id=witness.id))
    try:
        services.approve_item(db, current_user, item, form.note.data or "")
    except AccessDenied:
        _refuse("support.approve_refused", item)
    except DomainError as exc:
        db.rollback()
        context = _witness_context(witness, row_errors={item.id: exc.message})
        return render_template("ledger/witness.html", **context), 400
    db.commit()
    flash(f"Approved: {item.description}. It now counts in the totals.")
    return redirect(url_for("ledger.witness_ledger", witness_id=witness.id))


@bp.route("/ledger/items/<int:item_id>/reverse", methods=["GET", "POST"])
def reverse(item_id: int):
    """A reversal is asked for on a page of its own: the entry as it stands, and the reason."""
    item, witness = _load_item(item_id)
    db = db_session()
    if not services.can_record_support(current_user, witness):
        _refuse("support.reverse_refused", item)
    form = ReverseForm()
    if request.method == "POST" and form.validate():
        try:
            services.reverse_item(db, current_user, item, form.reason.data)
        except AccessDenied:
            _refuse("support.reverse_refused", item)
        except DomainError as exc:
            db.rollback()
            apply_domain_error(form, exc)
        else:
            db.commit()
            flash(f"Reversed: {item.description}.")
            return redirect(url_for("ledger.witness_ledger", witness_id=witness.id))
    return form_page("ledger/reverse.html", form=form, item=item, witness=witness)


# --- a case's ledger -------------------------------------------------------------------------


@bp.route("/cases/<int:case_id>/ledger")
def case_ledger(case_id: int):
    db = db_session()
    try:
        case = get_case(db, current_user, case_id)
    except NotFound:
        db.commit()
        abort(404)
    visible = (
        select(SupportItem)
        .join(Witness, Witness.id == SupportItem.witness_id)
        .where(SupportItem.case_id == case.id, visible_witnesses(current_user))
    )
    figures = services.summed_totals(
        db,
        SupportItem.case_id == case.id,
        visible_witnesses(current_user),
    )
    page = Page(
        db,
        visible.options(
            selectinload(SupportItem.witness), selectinload(SupportItem.recorded_by)
        ).order_by(SupportItem.chain_seq),
        page_arg(),
        PER_PAGE,
    )
    approval_entries = services.approval_entries(db, [i.id for i in page.items])
    context = dict(
        case=case,
        page=page,
        approved=set(approval_entries),
        approval_entries=approval_entries,
        reversed_ids=set(
            db.scalars(
                select(SupportItem.reverses_id).where(
                    SupportItem.reverses_id.in_([i.id for i in page.items])
                )
            )
        ),
        figures=figures,
        by_category=sorted(figures.by_category.items(), key=lambda kv: (kv[0][0].label, kv[0][1])),
        by_phase=sorted(figures.by_phase.items(), key=lambda kv: (kv[0][0].label, kv[0][1])),
        chains=_chain_badges([case.id]),
    )
    _audit_view(case=case)
    return render_template("ledger/case.html", **context)
