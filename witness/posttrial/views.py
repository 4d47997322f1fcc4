"""The "After the trial" page of a witness in a case (impact statement, compensation,
property, the closure checklist, the history), its forms, and the office's open matters.

Who sees it: whoever may see the witness (an NGO worker only under a current sharing consent,
as ``core.access.visible_witnesses`` decides), read-only; changes are the owning office's
(``access.can_manage_witness``). Anything else is an audited 404."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from witness.auth.models import Role
from witness.cases.models import Case
from witness.core import access
from witness.core.forms import EMPTY_CHOICE, options
from witness.core.i18n import gettext
from witness.core.web import form_transaction, load_or_404, record_view, refuse
from witness.db import db_session
from witness.people.models import Witness
from witness.posttrial import bp, closure, evidence, queries, services
from witness.posttrial.forms import (
    ClaimEndForm,
    ClaimForm,
    CloseForm,
    OrderForm,
    PaymentForm,
    PropertyForm,
    PropertyStatusForm,
    StatementCorrectionForm,
    StatementOfferForm,
    StatementStepForm,
)

#: who opens the office's list of open post-trial matters
OFFICE_LIST_ROLES = (Role.admin, Role.supervisor)
FORMS = {
    "offer_form": StatementOfferForm,
    "step_form": StatementStepForm,
    "correction_form": StatementCorrectionForm,
    "claim_form": ClaimForm,
    "order_form": OrderForm,
    "payment_form": PaymentForm,
    "end_form": ClaimEndForm,
    "property_form": PropertyForm,
    "property_status_form": PropertyStatusForm,
    "close_form": CloseForm,
}


def _scope(witness_id: int, case_id: int, *, manage: bool) -> tuple[Witness, Case]:
    """The witness (managed by the user's office when ``manage``) and a case they are in;
    otherwise an audited 404."""
    witness = load_or_404(Witness, witness_id, access.can_manage_witness if manage else None)
    case = load_or_404(Case, case_id)
    if queries.participation_of(db_session(), witness.id, case.id) is None:
        refuse("posttrial.refused", witness, witness_id=witness.id, case_id=case_id)
    return witness, case


def _of(loader, ident: int, witness: Witness, case: Case):
    """A record named in the URL, of this witness in this case; otherwise an audited 404."""
    record = load_or_404(loader, ident)
    if record.witness_id != witness.id or record.case_id != case.id:
        refuse("posttrial.refused", record, witness_id=witness.id, case_id=case.id)
    return record


def _sentence_choices(case: Case, only_orders: bool = False):
    events = queries.sentence_events(db_session(), case.id)
    if only_orders:
        events = [e for e in events if e.compensation_amount]
    labels = (
        (
            e.id,
            f"{e.effective_date.isoformat()} · {e.sentence_kind.label if e.sentence_kind else ''}"
            + (f" · {e.compensation_amount} {e.compensation_currency}" if only_orders else ""),
        )
        for e in events
    )
    return [EMPTY_CHOICE, *options(labels)]


def _context(witness: Witness, case: Case, **bound) -> dict:
    db = db_session()
    matters = queries.matters_of(db, witness.id, case.id)
    participation = queries.participation_of(db, witness.id, case.id)
    manage = access.can_manage_witness(current_user, witness)
    context = dict(
        witness=witness,
        case=case,
        participation=participation,
        matters=matters,
        outstanding=queries.outstanding,
        paid_total=queries.paid_total,
        checklist=closure.closure_checklist(db, witness, case, matters),
        history=queries.history(db, witness.id, matters, participation.id),
        can_manage=manage,
        can_override=current_user.role in closure.OVERRIDERS,
    )
    if manage:
        forms = {name: bound.get(name) or cls(formdata=None) for name, cls in FORMS.items()}
        forms["step_form"].sentence_event_id.choices = _sentence_choices(case)
        forms["order_form"].order_event_id.choices = _sentence_choices(case, only_orders=True)
        context.update(forms)
    return context


@bp.route("/witnesses/<int:witness_id>/cases/<int:case_id>")
def page(witness_id: int, case_id: int):
    """A witness's post-trial matters in one case."""
    witness, case = _scope(witness_id, case_id, manage=False)
    context = _context(witness, case)
    record_view("posttrial.view", witness, witness_id=witness.id, case_id=case.id)
    return render_template("posttrial/page.html", **context)


def _done(witness: Witness, case: Case, message: str):
    flash(message)
    return redirect(url_for("posttrial.page", witness_id=witness.id, case_id=case.id))


def _again(witness: Witness, case: Case, name: str, form):
    """The page again with the form's errors beside its fields (400); nothing was saved."""
    flash(gettext("Nothing was saved: correct the highlighted field."), "error")
    return render_template("posttrial/page.html", **_context(witness, case, **{name: form})), 400


def _change(witness_id: int, case_id: int, name: str, run, message: str, loader=None, ident=None):
    """The shape of every change on the page: a GET shows the page; a POST validates the
    form ``name``, runs ``run(db, form, record)`` as one transaction, and redirects, or shows
    the page again with the refusal beside its field."""
    if request.method == "GET":
        return redirect(url_for("posttrial.page", witness_id=witness_id, case_id=case_id))
    witness, case = _scope(witness_id, case_id, manage=True)
    record = _of(loader, ident, witness, case) if loader is not None else None
    form = FORMS[name]()
    if name == "step_form":
        form.sentence_event_id.choices = _sentence_choices(case)
    if name == "order_form":
        form.order_event_id.choices = _sentence_choices(case, only_orders=True)
    if form.validate():
        with form_transaction(form, refusal="posttrial.change_refused", witness_id=witness.id):
            run(db_session(), form, record, witness, case)
        if form.succeeded:
            return _done(witness, case, message)
    return _again(witness, case, name, form)


PREFIX = "/witnesses/<int:witness_id>/cases/<int:case_id>"
METHODS = ["GET", "POST"]


@bp.route(f"{PREFIX}/statement", methods=METHODS)
def offer_statement(witness_id: int, case_id: int):
    def run(db, form, _record, witness, case):
        services.offer_impact_statement(db, current_user, witness, case, **form.values())

    return _change(witness_id, case_id, "offer_form", run, "Impact statement offered.")


@bp.route(f"{PREFIX}/statement/<int:statement_id>/step", methods=METHODS)
def statement_step(witness_id: int, case_id: int, statement_id: int):
    def run(db, form, statement, *_):
        services.advance_impact_statement(db, current_user, statement, **form.values())

    return _change(
        witness_id,
        case_id,
        "step_form",
        run,
        "Impact statement updated.",
        queries.get_statement,
        statement_id,
    )


@bp.route(f"{PREFIX}/statement/<int:statement_id>/correction", methods=METHODS)
def statement_correction(witness_id: int, case_id: int, statement_id: int):
    def run(db, form, statement, *_):
        values = form.values()
        services.correct_impact_statement(
            db, current_user, statement, values["target"], values["reason"], on=values["on"]
        )

    return _change(
        witness_id,
        case_id,
        "correction_form",
        run,
        "Impact statement corrected.",
        queries.get_statement,
        statement_id,
    )


@bp.route(f"{PREFIX}/claims", methods=METHODS)
def lodge_claim(witness_id: int, case_id: int):
    def run(db, form, _record, witness, case):
        services.lodge_compensation_claim(db, current_user, witness, case, **form.values())

    return _change(witness_id, case_id, "claim_form", run, "Compensation claim recorded.")


@bp.route(f"{PREFIX}/claims/<int:claim_id>/order", methods=METHODS)
def order_claim(witness_id: int, case_id: int, claim_id: int):
    def run(db, form, claim, *_):
        services.order_compensation(db, current_user, claim, **form.values())

    return _change(
        witness_id,
        case_id,
        "order_form",
        run,
        "Compensation order recorded.",
        queries.get_claim,
        claim_id,
    )


@bp.route(f"{PREFIX}/claims/<int:claim_id>/payments", methods=METHODS)
def record_payment(witness_id: int, case_id: int, claim_id: int):
    def run(db, form, claim, *_):
        services.record_compensation_payment(db, current_user, claim, **form.values())

    return _change(
        witness_id,
        case_id,
        "payment_form",
        run,
        "Instalment recorded.",
        queries.get_claim,
        claim_id,
    )


@bp.route(f"{PREFIX}/claims/<int:claim_id>/end", methods=METHODS)
def end_claim(witness_id: int, case_id: int, claim_id: int):
    def run(db, form, claim, *_):
        values = form.values()
        services.end_compensation_claim(db, current_user, claim, values["target"], values["reason"])

    return _change(
        witness_id,
        case_id,
        "end_form",
        run,
        "Compensation claim closed.",
        queries.get_claim,
        claim_id,
    )


@bp.route(f"{PREFIX}/property", methods=METHODS)
def record_property(witness_id: int, case_id: int):
    def run(db, form, _record, witness, case):
        evidence.record_property_item(db, current_user, witness, case, **form.values())

    return _change(witness_id, case_id, "property_form", run, "Property recorded.")


@bp.route(f"{PREFIX}/property/<int:item_id>/status", methods=METHODS)
def property_status(witness_id: int, case_id: int, item_id: int):
    def run(db, form, item, *_):
        evidence.change_property_status(db, current_user, item, **form.values())

    return _change(
        witness_id,
        case_id,
        "property_status_form",
        run,
        "Property updated.",
        queries.get_property,
        item_id,
    )


@bp.route(f"{PREFIX}/close", methods=METHODS)
def close(witness_id: int, case_id: int):
    def run(db, form, _record, witness, case):
        values = form.values()
        closure.close_participation(
            db, current_user, witness, case, values["reason"], override=values["override"]
        )

    return _change(witness_id, case_id, "close_form", run, "Closed.")


@bp.route("/")
def office():
    """Open post-trial matters of the office: compensation still owed, property awaiting
    return. Supervisors and administrators."""
    if current_user.role not in OFFICE_LIST_ROLES:
        refuse("posttrial.office_refused", object_type="page")
    matters = queries.office_matters(db_session(), current_user)
    record_view("posttrial.office_view", object_type="page")
    return render_template("posttrial/office.html", **matters)
