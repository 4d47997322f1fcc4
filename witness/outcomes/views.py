"""Pages: a case's outcomes (events per defendant, corrections struck through, the custody
picture, "Record an event"), correcting an event, a witness's outcomes, and the import of a
prison's release list."""

from __future__ import annotations

from datetime import date

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from witness.cases.models import Case
from witness.core import access_after
from witness.core.forms import options
from witness.core.i18n import gettext
from witness.core.web import form_page, form_transaction, load_or_404, record_view, refuse
from witness.db import db_session
from witness.outcomes import bp, imports, queries, rules, services
from witness.outcomes.forms import CorrectionForm, EventForm, ImportForm
from witness.outcomes.models import OrderKind, OutcomeEvent
from witness.people.models import Witness

WHOLE_CASE = "The whole case (discontinued)"


def _defendant_choices(form: EventForm, case: Case) -> None:
    form.defendant_id.choices = options(
        [("", WHOLE_CASE), *((d.id, d.name) for d in case.defendants)]
    )


def _fields(form: EventForm, case: Case) -> dict:
    """The service's arguments from the form: every column, the first order, the defendant."""
    fields = {name: getattr(form, name).data for name in rules.COLUMNS if hasattr(form, name)}
    if form.order_kind.data is not None or form.order_detail.data:
        until = form.order_until.data
        fields["orders"] = [
            {
                "kind": form.order_kind.data,
                "detail": form.order_detail.data or "",
                "until": until.isoformat() if until else None,
            }
        ]
    defendant = next((d for d in case.defendants if d.id == form.defendant_id.data), None)
    if form.defendant_id.data is not None and defendant is None:
        fields["defendant"] = False  # an id from another case: refused by the service
    return {
        "kind": form.kind.data,
        "effective_date": form.effective_date.data,
        "source": form.source.data,
        "defendant": defendant,
        **fields,
    }


def _page(case: Case, form: EventForm, status: int = 200):
    db = db_session()
    outcomes = queries.case_outcomes(db, case)
    events = [e for group in outcomes for e in group.events]
    return render_template(
        "outcomes/case.html",
        case=case,
        outcomes=outcomes,
        corrections=queries.corrections_of(events),
        can_record=access_after.can_record_outcome(current_user, case),
        form=form,
    ), status


@bp.route("/cases/<int:case_id>/outcomes", methods=["GET", "POST"])
def case_outcomes(case_id: int):
    """A case's outcome and custody events; its office's staff record new ones here."""
    if request.method == "POST":
        case = load_or_404(
            Case, case_id, access_after.can_record_outcome, refusal="outcome_event.record_refused"
        )
    else:
        case = load_or_404(Case, case_id)
    form = EventForm()
    _defendant_choices(form, case)
    if request.method == "POST":
        if form.validate():
            fields = _fields(form, case)
            if fields.get("defendant") is False:
                form.defendant_id.errors.append("That defendant is not in this case.")
                return _page(case, form, 400)
            with form_transaction(form, refusal="outcome_event.record_refused", obj=case):
                event = services.record_event(db_session(), current_user, case=case, **fields)
            if form.succeeded:
                flash(
                    gettext(
                        "%(label)s recorded. The victims to be told have a task each.",
                        label=event.kind.label,
                    )
                )
                return redirect(url_for("outcomes.case_outcomes", case_id=case.id))
        return _page(case, form, 400)
    return _page(case, form)


def _event(event_id: int) -> OutcomeEvent:
    return load_or_404(
        lambda session, actor, ident: access_after.get_outcome_event(session, actor, ident),
        event_id,
    )


@bp.route("/outcomes/<int:event_id>/correct", methods=["GET", "POST"])
def correct(event_id: int):
    """Correct an event: a new event supersedes it, with the reason; the old one stays."""
    event = _event(event_id)
    case = event.case
    if not access_after.can_record_outcome(current_user, case):
        refuse("outcome_event.change_refused", event)
    form = CorrectionForm(obj=event if request.method == "GET" else None)
    _defendant_choices(form, case)
    if request.method == "GET":
        form.defendant_id.data = event.defendant_id
        if event.orders:
            first = event.orders[0]
            form.order_kind.data = OrderKind(first["kind"])
            form.order_detail.data = first.get("detail", "")
            until = first.get("until")
            form.order_until.data = date.fromisoformat(until) if until else None
    if form.validate_on_submit():
        fields = _fields(form, case)
        if event.orders and "orders" in fields:
            fields["orders"] = fields["orders"] + list(event.orders[1:])
        if fields.get("defendant") is False:
            form.defendant_id.errors.append("That defendant is not in this case.")
        else:
            with form_transaction(form, refusal="outcome_event.change_refused", obj=event):
                services.correct_event(
                    db_session(), current_user, event, reason=form.reason.data, **fields
                )
            if form.succeeded:
                flash(gettext("Event corrected. The victims will be told the corrected news."))
                return redirect(url_for("outcomes.case_outcomes", case_id=case.id))
    return form_page("outcomes/correct.html", form=form, event=event, case=case)


@bp.route("/witnesses/<int:witness_id>/outcomes")
def witness_outcomes(witness_id: int):
    """The outcomes of a witness's cases (only those cases the user may see)."""
    witness = load_or_404(Witness, witness_id)
    db = db_session()
    cases = [
        (c, queries.case_outcomes(db, c)) for c in queries.witness_cases(db, current_user, witness)
    ]
    record_view("witness.outcomes_view", witness, witness_id=witness.id)
    return render_template("outcomes/witness.html", witness=witness, cases=cases)


@bp.route("/outcomes/import", methods=["GET", "POST"])
def import_list():
    """Import a prison's release list: preview (dry run) first, then import."""
    if current_user.role not in imports.IMPORTERS:
        refuse("outcome_event.import_refused", object_type="outcome_event")
    form = ImportForm()
    report = None
    if form.validate_on_submit():
        dry_run = request.form.get("action") != "import"
        data = form.file.data.read(current_app.config["MAX_CONTENT_LENGTH"] + 1)
        with form_transaction(form, refusal="outcome_event.import_refused"):
            report = imports.import_release_list(
                db_session(), current_user, data, form.source.data, dry_run=dry_run
            )
        if form.succeeded and not dry_run:
            flash(
                gettext(
                    "Imported: %(created)s row(s) created, %(unchanged)s unchanged, %(errors)s "
                    "with errors (not imported).",
                    created=report.created,
                    unchanged=report.unchanged,
                    errors=report.errors,
                )
            )
    return form_page("outcomes/import.html", form=form, report=report)
