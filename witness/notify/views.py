"""The outbox: the office's e-mails, how each went, and a retry for those that did not."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from witness.core.access import can_see_outbox
from witness.core.web import Page, form_transaction, page_arg
from witness.db import db_session
from witness.notify.mail import mask_address, outbox_query, retry_email
from witness.notify.models import MailStatus
from witness.notify.queries import office_timezone

bp = Blueprint("notify", __name__)


@bp.route("/outbox")
def outbox():
    """The office's e-mails, newest first, filterable by status."""
    if not can_see_outbox(current_user):
        abort(404)  # audited by core.web's net under every refusal ("page.refused")
    status = next((s for s in MailStatus if s.value == request.args.get("status")), None)
    query = outbox_query(current_user, status)
    page = Page(db_session(), query, page_arg(), current_app.config["PAGE_SIZE"])
    return render_template(
        "notify/outbox.html",
        page=page,
        status=status,
        statuses=list(MailStatus),
        tz=office_timezone(db_session(), current_user.organisation_id),
        mask=mask_address,
    )


@bp.route("/outbox/<int:email_id>/retry", methods=["POST"])
def retry(email_id: int):
    """Send a pending or failed e-mail at the next sweep; another office's, or none, is an
    audited 404 (``retry_email``), one already sent is refused with a message."""
    with form_transaction() as outcome:
        retry_email(db_session(), current_user, email_id)
    if outcome.succeeded:
        flash("The e-mail is due again; it goes out with the next send.")
    return redirect(url_for("notify.outbox", status=request.args.get("status") or None))
