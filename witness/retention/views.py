"""A witness's retention page (``/witnesses/<id>/retention``: close, reopen, legal hold) and the
office's Retention list (``/retention``: what the next run would anonymise, and what it skips).

Who: the witness's office closes and reopens; its supervisors and administrators hold and see
the list. Anyone else is an audited 404."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, url_for
from flask_login import current_user

from witness.core import access
from witness.core.i18n import gettext
from witness.core.time import now_utc
from witness.core.web import form_transaction, load_or_404, record_view, refuse
from witness.db import db_session
from witness.notify.queries import office_timezone
from witness.people.models import Witness
from witness.retention import bp, queries, runs, services
from witness.retention.forms import CloseForm, HoldForm, LiftForm, ReopenForm

FORMS = {"close_form": CloseForm, "reopen_form": ReopenForm, "hold_form": HoldForm}


def _may_see(actor, witness: Witness) -> bool:
    return access.can_manage_witness(actor, witness) or access.can_hold_witness(actor, witness)


def _page(witness: Witness, status: int = 200, **bound):
    db = db_session()
    forms = {
        "close_form": bound.get("close_form") or CloseForm(formdata=None, prefix="close"),
        "reopen_form": bound.get("reopen_form") or ReopenForm(formdata=None, prefix="reopen"),
        "hold_form": bound.get("hold_form") or HoldForm(formdata=None, prefix="hold"),
        "lift_form": bound.get("lift_form") or LiftForm(formdata=None, prefix="lift"),
    }
    closure = services.current_closure(db, witness.id)
    page = render_template(
        "retention/witness.html",
        witness=witness,
        closure=closure,
        closures=queries.closures_of(db, witness.id),
        hold=services.active_hold(db, witness.id),
        holds=queries.holds_of(db, witness.id),
        due_date=(
            runs.add_years(closure.closed_dt.date(), current_app.config["RETENTION_YEARS"])
            if closure
            else None
        ),
        can_manage=access.can_manage_witness(current_user, witness),
        can_hold=access.can_hold_witness(current_user, witness),
        tz=office_timezone(db, witness.organisation_id),
        **forms,
    )
    return page, status


def _done(witness_id: int, message: str):
    flash(message)
    return redirect(url_for("retention.witness", witness_id=witness_id))


@bp.route("/witnesses/<int:witness_id>/retention")
def witness(witness_id: int):
    """The file's closing, holds and when it is due for anonymisation."""
    witness = load_or_404(Witness, witness_id, _may_see, refusal="retention.refused")
    record_view("retention.view", witness, witness_id=witness.id)
    return _page(witness)


@bp.route("/witnesses/<int:witness_id>/retention/close", methods=["POST"])
def close(witness_id: int):
    witness = load_or_404(Witness, witness_id, access.can_manage_witness)
    form = CloseForm(prefix="close")
    if form.validate_on_submit():
        with form_transaction(form, obj=witness, witness_id=witness.id):
            closure = services.close_file(
                db_session(),
                current_user,
                witness,
                form.reason.data,
                office_phone=current_app.config.get("OFFICE_PHONE", ""),
            )
        if form.succeeded:
            if closure.no_notice_reason:
                return _done(witness.id, gettext("File closed. No final notice was sent."))
            return _done(witness.id, gettext("File closed. The final notice is on its way."))
    return _page(witness, 400, close_form=form)


@bp.route("/witnesses/<int:witness_id>/retention/reopen", methods=["POST"])
def reopen(witness_id: int):
    witness = load_or_404(Witness, witness_id, access.can_manage_witness)
    form = ReopenForm(prefix="reopen")
    if form.validate_on_submit():
        with form_transaction(form, obj=witness, witness_id=witness.id):
            services.reopen_file(db_session(), current_user, witness, form.reason.data)
        if form.succeeded:
            return _done(witness.id, gettext("File reopened."))
    return _page(witness, 400, reopen_form=form)


@bp.route("/witnesses/<int:witness_id>/retention/hold", methods=["POST"])
def hold(witness_id: int):
    witness = load_or_404(Witness, witness_id, access.can_hold_witness)
    form = HoldForm(prefix="hold")
    if form.validate_on_submit():
        with form_transaction(form, obj=witness, witness_id=witness.id):
            services.place_hold(db_session(), current_user, witness, form.reason.data)
        if form.succeeded:
            return _done(witness.id, gettext("Legal hold placed: the file will not be anonymised."))
    return _page(witness, 400, hold_form=form)


@bp.route("/witnesses/<int:witness_id>/retention/lift", methods=["POST"])
def lift(witness_id: int):
    witness = load_or_404(Witness, witness_id, access.can_hold_witness)
    form = LiftForm(prefix="lift")
    if form.validate_on_submit():
        with form_transaction(form, obj=witness, witness_id=witness.id):
            services.lift_hold(db_session(), current_user, witness, form.reason.data)
        if form.succeeded:
            return _done(witness.id, gettext("Legal hold lifted."))
    return _page(witness, 400, lift_form=form)


@bp.route("/retention")
def office():
    """What the next retention run would do with the office's closed files (a dry run)."""
    if not access.can_read_audit_log(current_user):  # the office's supervisors and admins
        refuse("retention.refused", object_type="retention")
    db = db_session()
    years = current_app.config["RETENTION_YEARS"]
    candidates = runs.plan(db, now_utc(), years, organisation_id=current_user.organisation_id)
    record_view("retention.list_view", object_type="retention")
    return render_template(
        "retention/office.html",
        candidates=candidates,
        years=years,
        tz=office_timezone(db, current_user.organisation_id),
    )
