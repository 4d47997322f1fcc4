"""The witness's contact preferences page, and the call list with a call's script and log."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, url_for
from flask_login import current_user

from witness.core import access, access_after
from witness.core.forms import EMPTY_CHOICE, options
from witness.core.i18n import gettext
from witness.core.time import now_utc, to_local
from witness.core.web import form_page, form_transaction, load_or_404, record_view
from witness.db import db_session
from witness.notify import calls
from witness.notify.channel_forms import CallLogForm, PreferencesForm
from witness.notify.delivery import facts_for
from witness.notify.models import AttemptOutcome
from witness.notify.preferences import preference_history, record_preferences
from witness.notify.queries import sharing_organisation_options
from witness.people.models import Witness

prefs_bp = Blueprint("notify_prefs", __name__, url_prefix="/witnesses")
calls_bp = Blueprint("notify_calls", __name__, url_prefix="/calls")


def _readable(actor, witness: Witness) -> bool:
    return access_after.can_read_preferences(db_session(), actor, witness)


@prefs_bp.route("/<int:witness_id>/contact-preferences", methods=["GET", "POST"])
def preferences(witness_id: int):
    """The witness's contact preferences: those in force, the form (the owning office only) and
    the history. NGO workers the witness shares identity with read them."""
    witness = load_or_404(Witness, witness_id, _readable, refusal="contact_preference.refused")
    can_manage = access.can_manage_witness(current_user, witness)
    session = db_session()
    current = access.current_preference(session, witness.id)
    form = PreferencesForm()
    form.ngo_organisation_id.choices = [
        EMPTY_CHOICE,
        *options(sharing_organisation_options(session, witness.id)),
    ]
    if form.is_submitted():
        witness = load_or_404(Witness, witness_id, access.can_manage_witness)
        if form.validate():
            with form_transaction(form, refusal="witness.change_refused", witness_id=witness.id):
                record_preferences(session, current_user, witness, **form.values())
            if form.succeeded:
                flash(gettext("Contact preferences recorded; the witness's consents follow them."))
                return redirect(url_for("notify_prefs.preferences", witness_id=witness.id))
    else:
        form.fill(current)
        record_view("contact_preference.view", witness, witness_id=witness.id)
    return form_page(
        "notify/preferences/page.html",
        witness=witness,
        form=form,
        current=current,
        history=preference_history(session, witness.id),
        can_manage=can_manage,
        is_child=witness.is_child_on(to_local(now_utc(), witness.timezone).date()),
    )


@calls_bp.route("/")
def call_list():
    """Calls to make: news to tell by phone, soonest deadline first."""
    rows = calls.call_list(db_session(), current_user)
    return form_page("notify/calls/list.html", rows=rows, form=CallLogForm())


def _call_task(task_id: int):
    return load_or_404(
        calls.load_task, task_id, lambda actor, t: access_after.can_call(actor, t.witness)
    )


@calls_bp.route("/<int:task_id>", methods=["GET", "POST"])
def call(task_id: int):
    """One call: the safe phone and times, the script in the witness's language with English
    beside it, and the log of how it went."""
    task = _call_task(task_id)
    session = db_session()
    form = CallLogForm()
    if form.validate_on_submit():
        with form_transaction(form, refusal="notification_task.change_refused", obj=task):
            calls.log_call(
                session, current_user, task, AttemptOutcome(form.outcome.data), form.note.data
            )
        if form.succeeded:
            flash(gettext("Call logged."))
            return redirect(url_for("notify_calls.call_list"))
    with form_transaction() as outcome:
        row = calls.call_row(session, task)
    if not outcome.succeeded:
        return redirect(url_for("notify_calls.call_list"))
    if form.errors == {}:
        record_view("notification_task.call_view", task, witness_id=task.witness_id)
    facts = facts_for(session, task, current_app.config.get("OFFICE_PHONE", ""))
    return form_page(
        "notify/calls/call.html",
        task=task,
        row=row,
        form=form,
        lines=calls.script(task.event.kind, row.language, facts),
        message=calls.message_to_leave(row.language, facts),
        tz=task.case.court.timezone,
    )
