"""A witness's protection plan page (``/witnesses/<id>/protection``): the actions, whether the
plan as it stands was agreed with the witness, the consultations, and the forms to change it.

Who sees it: whoever may see the witness (an NGO worker only under a current sharing consent);
the witness's office changes it; an action's owner moves their own action on. Anything else is
an audited 404."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_login import current_user

from witness.core import access
from witness.core.access_after import can_change_protection_action
from witness.core.web import form_transaction, load_or_404, record_view
from witness.db import db_session
from witness.notify.queries import office_timezone
from witness.people.models import Witness
from witness.protection import bp, queries, services
from witness.protection.forms import ActionChangeForm, ActionForm, ConsultationForm
from witness.protection.models import ProtectionAction


def _forms(witness: Witness, **bound) -> dict:
    options = services.owner_options(db_session(), witness)
    action_form = bound.get("action_form") or ActionForm(formdata=None)
    action_form.owner.choices = [("", "Choose…"), *options]
    change_form = bound.get("change_form") or ActionChangeForm(formdata=None)
    change_form.owner.choices = [("", "Keep the owner"), *options]
    consult_form = bound.get("consult_form") or ConsultationForm(formdata=None)
    return dict(action_form=action_form, change_form=change_form, consult_form=consult_form)


def _page(witness: Witness, status: int = 200, **bound):
    db = db_session()
    actions = queries.actions_of(db, witness.id)
    manage = access.can_manage_witness(current_user, witness)
    page = render_template(
        "protection/page.html",
        witness=witness,
        actions=actions,
        consultations=queries.consultations_of(db, witness.id),
        state=services.plan_state(db, witness.id),
        can_manage=manage,
        may_change={a.id for a in actions if can_change_protection_action(current_user, a)},
        changing=bound.pop("changing", None),
        tz=office_timezone(db, witness.organisation_id),
        **_forms(witness, **bound),
    )
    return page, status


def _done(witness_id: int, message: str):
    flash(message)
    return redirect(url_for("protection.page", witness_id=witness_id))


@bp.route("/witnesses/<int:witness_id>/protection")
def page(witness_id: int):
    """The plan, its state and its history."""
    witness = load_or_404(Witness, witness_id)
    record_view("protection.view", witness, witness_id=witness.id)
    return _page(witness)


@bp.route("/witnesses/<int:witness_id>/protection/actions", methods=["POST"])
def add_action(witness_id: int):
    witness = load_or_404(Witness, witness_id, access.can_manage_witness)
    form = ActionForm()
    form.owner.choices = services.owner_options(db_session(), witness)
    if form.validate_on_submit():
        with form_transaction(form, obj=witness, witness_id=witness.id):
            services.add_action(
                db_session(),
                current_user,
                witness,
                kind=form.kind.data,
                owner=services.parse_owner(form.owner.data, form.owner_other.data),
                detail=form.detail.data,
                due_date=form.due_date.data,
            )
        if form.succeeded:
            return _done(witness.id, "Action added. Talk the plan through with the witness.")
    return _page(witness, 400, action_form=form)


@bp.route("/protection/actions/<int:action_id>", methods=["POST"])
def change_action(action_id: int):
    action = load_or_404(ProtectionAction, action_id, can_change_protection_action)
    form = ActionChangeForm()
    form.owner.choices = [("", ""), *services.owner_options(db_session(), action.witness)]
    if form.validate_on_submit():
        with form_transaction(form, obj=action, witness_id=action.witness_id):
            owner = (
                services.parse_owner(form.owner.data, form.owner_other.data)
                if form.owner.data
                else None
            )
            services.change_action(
                db_session(),
                current_user,
                action,
                status=form.status.data,
                due_date=form.due_date.data,
                owner=owner,
                reason=form.reason.data,
            )
        if form.succeeded:
            return _done(action.witness_id, "Action updated.")
    return _page(action.witness, 400, change_form=form, changing=action.id)


@bp.route("/witnesses/<int:witness_id>/protection/consultations", methods=["POST"])
def consult(witness_id: int):
    witness = load_or_404(Witness, witness_id, access.can_manage_witness)
    form = ConsultationForm()
    if form.validate_on_submit():
        with form_transaction(form, obj=witness, witness_id=witness.id):
            services.record_consultation(
                db_session(),
                current_user,
                witness,
                consulted_on=form.consulted_on.data,
                method=form.method.data,
                agreed=form.agreed.data,
                objected=form.objected.data,
                interpreter_language=form.interpreter_language.data,
                interpreter_name=form.interpreter_name.data,
            )
        if form.succeeded:
            return _done(witness.id, "Consultation recorded: the plan is agreed as it stands.")
    return _page(witness, 400, consult_form=form)
