"""The support ledger's pages: a witness's ledger, recording an item, approving and reversing
it, and a case's ledger with its totals and the state of its hash chain."""

from __future__ import annotations

from decimal import Decimal

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

from witness.cases.models import Case
from witness.core.forms import EMPTY_CHOICE, options
from witness.core.i18n import gettext
from witness.core.web import (
    Page,
    bad_request,
    date_arg,
    form_page,
    form_transaction,
    id_arg,
    load_or_404,
    page_arg,
    record_view,
    refuse,
)
from witness.db import db_session
from witness.ledger import queries, services
from witness.ledger.flags import may_review
from witness.ledger.forms import ApproveForm, ReverseForm, SupportItemForm
from witness.ledger.models import SupportCategory, SupportItem
from witness.people.models import NeedsAssessment, Witness

bp = Blueprint("ledger", __name__)

PER_PAGE = 50
#: a witness's ledger shows this many entries a page; running totals cover them all
WITNESS_PER_PAGE = 100


# --- helpers ---------------------------------------------------------------------------------


def _entry(item_id: int) -> SupportItem:
    """The entry if the user may see its witness; otherwise an audited 404."""
    return load_or_404(SupportItem, item_id)


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


def need_label(need: NeedsAssessment) -> str:
    """A need as the form's list offers it: its area and the start of its notes."""
    notes = " ".join(need.notes.split())
    return f"{need.area.label}: {notes[:80]}{'…' if len(notes) > 80 else ''}"


def suggested_rationale(need: NeedsAssessment) -> str:
    """The rationale an item meeting ``need`` is given unless the user writes their own."""
    return f"Meets the assessed {need.area.label.lower()} need: {need.notes.strip()}"


def _to_ledger(witness_id: int):
    return redirect(url_for("ledger.witness_ledger", witness_id=witness_id))


# --- a witness's ledger ----------------------------------------------------------------------


def _filters() -> queries.Filters:
    """The page's filters from the query string; one it cannot read is a 400 page."""
    category = request.args.get("category", "")
    if category and category not in SupportCategory.__members__:
        abort(make_response(bad_request("Choose one of the categories.")))
    status = request.args.get("status", "all") or "all"
    if status not in queries.STATUSES:
        abort(make_response(bad_request("Choose pending, approved or all.")))
    return queries.Filters(category, status, date_arg("from"), date_arg("to"))


def _witness_context(witness: Witness, row_errors: dict[int, str] | None = None) -> dict:
    """The witness's ledger page: the entries the filters let through, a page of them, the
    totals over all, and the buttons the user is offered (the services' rules)."""
    filters = _filters()
    db = db_session()
    ledger = queries.witness_ledger(db, witness, filters, page_arg(), WITNESS_PER_PAGE)
    can_record = services.can_record_support(current_user, witness)
    return dict(
        witness=witness,
        items=ledger.items,
        page=ledger.page,
        all_count=ledger.all_count,
        approved=ledger.approved,
        reversed_by=ledger.reversed_by,
        number=ledger.number,
        several_cases=ledger.several_cases,
        case_refs={p.case_id: p.case.reference for p in witness.participations},
        running=ledger.running,
        figures=ledger.figures,
        chains=queries.chain_badges(db, current_user, (p.case_id for p in witness.participations)),
        can_record=can_record,
        can_approve={
            i.id: services.can_approve(
                current_user,
                witness,
                i,
                approved=i.id in ledger.approved,
                reversed_=i.id in ledger.reversed_by,
            )
            for i in ledger.items
        },
        can_reverse={
            i.id: services.can_reverse(
                current_user, witness, i, reversed_=i.id in ledger.reversed_by
            )
            for i in ledger.items
        },
        categories=list(SupportCategory),
        filters=filters,
        row_errors=row_errors or {},
        approve_form=ApproveForm(formdata=None),
    )


@bp.route("/witnesses/<int:witness_id>/ledger")
def witness_ledger(witness_id: int):
    witness = load_or_404(Witness, witness_id)
    context = _witness_context(witness)
    record_view("support.view", witness, witness_id=witness.id)
    return render_template("ledger/witness.html", **context)


# --- recording, approving, reversing ---------------------------------------------------------


def _record_form(witness: Witness, needs: list[NeedsAssessment]) -> SupportItemForm:
    """The form with the witness's cases and open needs to choose from (on a GET, filled in
    with the defaults and the need asked for with ``?need_id=``)."""
    form = SupportItemForm()
    form.case_id.choices = options((p.case_id, p.case.reference) for p in witness.participations)
    form.need_id.choices = [EMPTY_CHOICE, *options((n.id, need_label(n)) for n in needs)]
    form.category.choices = options((c.value, c.label) for c in SupportCategory)
    if request.method == "GET":
        case_id, form.currency.data, form.date_provided.data = services.record_defaults(
            witness, _default_currency()
        )
        form.case_id.data = case_id
        form.quantity.data = "1"
        chosen = next((n for n in needs if n.id == id_arg("need_id")), None)
        if chosen is not None:
            form.need_id.data = chosen.id
            form.rationale.data = suggested_rationale(chosen)
    return form


def _suggest(form: SupportItemForm, needs: list[NeedsAssessment]) -> None:
    """No JavaScript needed: the form comes back with the rationale filled in from the need."""
    chosen = None
    if not form.need_id.errors:
        chosen = next((n for n in needs if n.id == form.need_id.data), None)
    form.rationale.raw_data = None
    if chosen is not None:
        form.rationale.data = suggested_rationale(chosen)
    else:
        form.need_id.errors = ["Choose an open need to suggest a rationale from."]


def _record_item(witness: Witness, form: SupportItemForm) -> SupportItem | None:
    """Record the item the form describes; None when refused (the reason beside its field,
    and a form naming another witness's need or a case they are not in audited as a probe)."""
    item = None
    with form_transaction(form, refusal="support.record_refused", witness_id=witness.id) as done:
        item = services.record_item(
            db_session(),
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
    if isinstance(done.error, services.RefusedReference):
        record_view(**done.error.audit)  # written after the rollback, and kept
    return item


@bp.route("/witnesses/<int:witness_id>/ledger/new", methods=["GET", "POST"])
def record(witness_id: int):
    witness = load_or_404(Witness, witness_id)
    if not services.can_record_support(current_user, witness):
        refuse("support.record_refused", witness, status=403, witness_id=witness.id)
    needs = queries.open_needs(db_session(), witness)
    form = _record_form(witness, needs)
    if request.method == "POST" and form.suggest.data:
        _suggest(form, needs)
    elif request.method == "POST" and form.validate():
        item = _record_item(witness, form)
        if item is not None:
            if item.needs_approval:
                flash(
                    gettext(
                        "Recorded: %(description)s. It needs a supervisor's approval before it "
                        "counts in the totals.",
                        description=item.description,
                    )
                )
            else:
                flash(
                    gettext(
                        "Recorded: %(description)s. No approval is needed.",
                        description=item.description,
                    )
                )
            return _to_ledger(witness.id)
    return form_page(
        "ledger/record.html",
        form=form,
        witness=witness,
        needs=needs,
        threshold=_threshold_hint(form.currency.data),
    )


@bp.route("/ledger/items/<int:item_id>/approve", methods=["POST"])
def approve(item_id: int):
    item = _entry(item_id)
    witness = item.witness
    if not services.may_approve(current_user, witness):
        refuse("support.approve_refused", item, status=403, witness_id=witness.id)
    form = ApproveForm()
    if not form.validate():
        flash(" ".join(e for errors in form.errors.values() for e in errors))
        return _to_ledger(witness.id)
    with form_transaction(
        form, refusal="support.approve_refused", obj=item, witness_id=witness.id
    ) as outcome:
        services.approve_item(db_session(), current_user, item, form.note.data or "")
    if outcome.error is not None:
        # four eyes, an item that needs no approval, already approved or reversed: said on
        # the entry's row of the ledger
        context = _witness_context(witness, row_errors={item.id: outcome.error.message})
        return render_template("ledger/witness.html", **context), 400
    flash(
        gettext(
            "Approved: %(description)s. It now counts in the totals.", description=item.description
        )
    )
    return _to_ledger(witness.id)


@bp.route("/ledger/items/<int:item_id>/reverse", methods=["GET", "POST"])
def reverse(item_id: int):
    """A reversal is asked for on a page of its own: the entry as it stands, and the reason."""
    item = _entry(item_id)
    witness = item.witness
    if not services.can_record_support(current_user, witness):
        refuse("support.reverse_refused", item, status=403, witness_id=witness.id)
    form = ReverseForm()
    if form.validate_on_submit():
        with form_transaction(
            form, refusal="support.reverse_refused", obj=item, witness_id=witness.id
        ):
            services.reverse_item(db_session(), current_user, item, form.reason.data)
        if form.succeeded:
            flash(gettext("Reversed: %(description)s.", description=item.description))
            return _to_ledger(witness.id)
    return form_page("ledger/reverse.html", form=form, item=item, witness=witness)


# --- the office's items awaiting approval -----------------------------------------------------


@bp.route("/ledger/approvals")
def approvals():
    """The office's items awaiting a second person's approval, longest waiting first: what the
    dashboard counts as "approvals pending"."""
    if not may_review(current_user):
        refuse("support.approvals_refused", object_type="support_item", status=403)
    query = queries.pending_approvals(current_user)
    page = Page(db_session(), query, page_arg(), PER_PAGE)
    return render_template("ledger/approvals.html", page=page)


# --- a case's ledger -------------------------------------------------------------------------


@bp.route("/cases/<int:case_id>/ledger")
def case_ledger(case_id: int):
    case = load_or_404(Case, case_id)
    db = db_session()
    page = Page(db, queries.case_entries(current_user, case), page_arg(), PER_PAGE)
    shown = queries.case_figures(db, current_user, case, page.items)
    context = dict(
        case=case,
        page=page,
        approved=shown.approved,
        approval_entries=shown.approval_entries,
        reversed_ids=shown.reversed_ids,
        figures=shown.figures,
        by_category=shown.by_category,
        by_phase=shown.by_phase,
        chains=queries.chain_badges(db, current_user, [case.id]),
    )
    record_view("support.view", case)
    return render_template("ledger/case.html", **context)
