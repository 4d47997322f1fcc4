"""The witness's own data (``/witnesses/<id>/own-data``): record an access request and download
the export (JSON and PDF) that answers it; record a correction request and its outcome.

Who: a supervisor of the witness's office, or the officer assigned to them; anyone else is an
audited 404 (``witness.data_request_refused``, or ``witness.refused`` for a witness they may
not see at all)."""

from __future__ import annotations

import re

from flask import Response, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from witness.core.access_after import can_answer_data_request
from witness.core.i18n import gettext
from witness.core.time import now_utc, today_in
from witness.core.web import Page, form_transaction, load_or_404, page_arg, record_view, refuse
from witness.db import db_session
from witness.notify.queries import office_timezone
from witness.people.models import Witness
from witness.subject_access import bp, queries, services
from witness.subject_access.forms import (
    AccessRequestForm,
    CorrectionOutcomeForm,
    CorrectionRequestForm,
)
from witness.subject_access.models import AccessRequest, CorrectionRequest

#: the correction form's fields are named apart from the access form's on the same page (two
#: inputs with one id would leave a label pointing at the wrong one)
CORRECTION = "correction"
MEDIA_TYPES = {"json": "application/json", "pdf": "application/pdf"}


def _witness(witness_id: int) -> Witness:
    return load_or_404(
        Witness, witness_id, can_answer_data_request, refusal="witness.data_request_refused"
    )


def _request_of(witness: Witness, model, ident: int):
    return load_or_404(
        lambda session, actor, i: queries.record_of(session, actor, witness, model, i), ident
    )


def _page(witness: Witness, status: int = 200, **forms):
    db = db_session()
    return (
        render_template(
            "subject_access/page.html",
            witness=witness,
            summary=queries.summary(db, current_user, witness),
            access_form=forms.get("access_form") or AccessRequestForm(formdata=None),
            correction_form=forms.get("correction_form")
            or CorrectionRequestForm(formdata=None, prefix=CORRECTION),
            due_months=current_app.config["CORRECTION_DUE_MONTHS"],
        ),
        status,
    )


@bp.route("/witnesses/<int:witness_id>/own-data")
def page(witness_id: int):
    """The witness's access and correction requests, and the forms to record new ones."""
    witness = _witness(witness_id)
    record_view("witness.data_requests_view", witness, witness_id=witness.id)
    return _page(witness)


@bp.route("/witnesses/<int:witness_id>/own-data/access-requests", methods=["POST"])
def record_access(witness_id: int):
    witness = _witness(witness_id)
    form = AccessRequestForm()
    if form.validate_on_submit():
        with form_transaction(form, obj=witness, witness_id=witness.id):
            asked = services.record_access_request(
                db_session(),
                current_user,
                witness,
                form.received_date.data,
                form.identity_check.data,
            )
        if form.succeeded:
            flash(gettext("Access request recorded: download the witness's data below."))
            return redirect(
                url_for("subject_access.page", witness_id=witness.id, _anchor=f"access-{asked.id}")
            )
    return _page(witness, 400, access_form=form)


def _filename(witness: Witness, asked: AccessRequest, fmt: str) -> str:
    safe = re.sub(r"[^A-Za-z0-9_-]+", "-", witness.reference).strip("-") or "witness"
    return f"data-held-{safe}-request-{asked.id}-{now_utc():%Y-%m-%d}.{fmt}"


def _export(witness_id: int, request_id: int, fmt: str):
    witness = _witness(witness_id)
    asked = _request_of(witness, AccessRequest, request_id)
    with form_transaction(obj=witness, witness_id=witness.id) as outcome:
        body = services.export_data(db_session(), current_user, witness, asked, fmt, now_utc())
    if not outcome.succeeded:
        return redirect(url_for("subject_access.page", witness_id=witness.id))
    response = Response(body, content_type=MEDIA_TYPES[fmt])
    response.headers["Content-Disposition"] = (
        f'attachment; filename="{_filename(witness, asked, fmt)}"'
    )
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/witnesses/<int:witness_id>/own-data/access-requests/<int:request_id>.json")
def export_json(witness_id: int, request_id: int):
    """Everything held about the witness, as JSON (audited)."""
    return _export(witness_id, request_id, "json")


@bp.route("/witnesses/<int:witness_id>/own-data/access-requests/<int:request_id>.pdf")
def export_pdf(witness_id: int, request_id: int):
    """The same, as a readable PDF (audited)."""
    return _export(witness_id, request_id, "pdf")


@bp.route("/witnesses/<int:witness_id>/own-data/corrections", methods=["POST"])
def record_correction(witness_id: int):
    witness = _witness(witness_id)
    form = CorrectionRequestForm(prefix=CORRECTION)
    if form.validate_on_submit():
        with form_transaction(form, obj=witness, witness_id=witness.id):
            correction = services.record_correction_request(
                db_session(),
                current_user,
                witness,
                form.received_date.data,
                form.request.data,
                current_app.config["CORRECTION_DUE_MONTHS"],
            )
        if form.succeeded:
            flash(
                gettext(
                    "Correction request recorded: answer it by %(due)s.",
                    due=f"{correction.due_date:%d %b %Y}",
                )
            )
            return redirect(
                url_for(
                    "subject_access.page",
                    witness_id=witness.id,
                    _anchor=f"correction-{correction.id}",
                )
            )
    return _page(witness, 400, correction_form=form)


def _edit_label(event) -> str:
    fields = ", ".join((event.detail or {}).get("fields", []))
    who = event.actor.name if event.actor else "?"
    return f"{event.occurred_dt:%d %b %Y %H:%M} UTC · {who} · {fields}"


@bp.route(
    "/witnesses/<int:witness_id>/own-data/corrections/<int:correction_id>", methods=["GET", "POST"]
)
def correction(witness_id: int, correction_id: int):
    """A correction request and the form to record its outcome."""
    witness = _witness(witness_id)
    found = _request_of(witness, CorrectionRequest, correction_id)
    form = CorrectionOutcomeForm()
    edits = queries.edit_choices(db_session(), witness, found)
    form.edit_event_id.choices = [("", gettext("None"))] + [(e.id, _edit_label(e)) for e in edits]
    status = 200
    if form.validate_on_submit():
        with form_transaction(form, obj=found, witness_id=witness.id):
            services.decide_correction(
                db_session(),
                current_user,
                witness,
                found,
                form.outcome.data,
                form.reason.data,
                form.edit_event_id.data,
                now_utc(),
            )
        if form.succeeded:
            flash(gettext("Outcome recorded."))
            return redirect(
                url_for(
                    "subject_access.page", witness_id=witness.id, _anchor=f"correction-{found.id}"
                )
            )
        status = 400
    elif form.errors:
        status = 400
    today = today_in(witness.timezone)
    return render_template(
        "subject_access/correction.html",
        witness=witness,
        correction=found,
        form=form,
        edits=edits,
        today=today,
    ), status


@bp.route("/own-data/corrections")
def corrections():
    """Open correction requests the user answers, soonest due first; ``?overdue=1``: only
    those past their due date (the dashboard's card)."""
    if current_user.role not in queries.ANSWERERS:
        refuse("correction_request.list_refused", object_type="correction_request")
    db = db_session()
    overdue = request.args.get("overdue") == "1"
    today = office_today(db)
    query = queries.open_corrections(current_user, today, overdue=overdue)
    page = Page(db, query, page_arg(), current_app.config["PAGE_SIZE"])
    return render_template(
        "subject_access/corrections.html", page=page, overdue=overdue, today=today
    )


def office_today(db):
    """The office's day: that of the court of its latest case (as the outbox's times)."""
    return today_in(office_timezone(db, current_user.organisation_id))
