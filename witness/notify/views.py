"""The outbox: the office's e-mails, how each went, and a retry for those that did not."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from witness.cases.models import Case, Court
from witness.core.errors import AccessDenied, DomainError, NotFound
from witness.core.web import Page, page_arg
from witness.db import db_session
from witness.notify.mail import mask_address, outbox_query, retry_email
from witness.notify.models import MailStatus

bp = Blueprint("notify", __name__)


def _office_timezone() -> str:
    """The zone the outbox shows times in: that of the court of the office's latest case."""
    zone = db_session().scalar(
        select(Court.timezone)
        .join(Case, Case.court_id == Court.id)
        .where(Case.organisation_id == current_user.organisation_id)
        .order_by(Case.id.desc())
        .limit(1)
    )
    return zone or "UTC"


@bp.route("/outbox")
def outbox():
    """The office's e-mails, newest first, filterable by status."""
    status = next((s for s in MailStatus if s.value == request.args.get("status")), None)
    try:
        query = outbox_query(current_user, status)
    except AccessDenied:
        abort(404)
    page = Page(db_session(), query, page_arg(), current_app.config["PAGE_SIZE"])
    return render_template(
        "notify/outbox.html",
        page=page,
        status=status,
        statuses=list(MailStatus),
        tz=_office_timezone(),
        mask=mask_address,
    )


@bp.route("/outbox/<int:email_id>/retry", methods=["POST"])
def retry(email_id: int):
    """Send a pending or failed e-mail at the next sweep."""
    db = db_session()
    try:
        retry_email(db, current_user, email_id)
    except NotFound:
        db.commit()  # the refusal is audited
        abort(404)
    except DomainError as exc:
        flash(exc.message, "error")
    else:
        db.commit()
        flash("The e-mail is due again; it goes out with the next send.")
    return redirect(url_for("notify.outbox", status=request.args.get("status") or None))
