"""The outbox: the office's e-mails, how each went, and a retry for those that did not."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from witness.core.access import can_see_outbox
from witness.core.i18n import gettext
from witness.core.web import Page, form_transaction, page_arg
from witness.db import db_session
from witness.letters.models import LetterStatus
from witness.notify.mail import mask_address, outbox_query, retry_email
from witness.notify.models import MailStatus
from witness.notify.queries import office_timezone, outbox_letters, outbox_tasks
from witness.people.models import Channel

bp = Blueprint("notify", __name__)


@bp.route("/outbox")
def outbox():
    """Everything the office sends a witness, by channel: e-mails (by status), letters (by
    status) and the calls, visits and NGO tellings waiting for a person."""
    if not can_see_outbox(current_user):
        abort(404)  # audited by core.web's net under every refusal ("page.refused")
    channel = next((c for c in Channel if c.value == request.args.get("channel")), Channel.email)
    session = db_session()
    context = dict(
        channel=channel,
        channels=list(Channel),
        tz=office_timezone(session, current_user.organisation_id),
        mask=mask_address,
        status=None,
        statuses=[],
        page=None,
        tasks=[],
    )
    size = current_app.config["PAGE_SIZE"]
    if channel is Channel.email:
        status = next((s for s in MailStatus if s.value == request.args.get("status")), None)
        query = outbox_query(current_user, status)
        context.update(status=status, statuses=list(MailStatus))
        context["page"] = Page(session, query, page_arg(), size)
    elif channel is Channel.post:
        status = next((s for s in LetterStatus if s.value == request.args.get("status")), None)
        query = outbox_letters(current_user, status)
        context.update(status=status, statuses=list(LetterStatus))
        context["page"] = Page(session, query, page_arg(), size)
    else:
        context["tasks"] = outbox_tasks(session, current_user, channel)
    return render_template("notify/outbox.html", **context)


@bp.route("/outbox/<int:email_id>/retry", methods=["POST"])
def retry(email_id: int):
    """Send a pending or failed e-mail at the next sweep; another office's, or none, is an
    audited 404 (``retry_email``), one already sent is refused with a message."""
    with form_transaction() as outcome:
        retry_email(db_session(), current_user, email_id)
    if outcome.succeeded:
        flash(gettext("The e-mail is due again; it goes out with the next send."))
    return redirect(url_for("notify.outbox", status=request.args.get("status") or None))
