"""The audit log viewer for supervisors and administrators: the office's events, who looked at
one witness, and the state of the audit chain."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template, request
from flask_login import current_user

from witness.audit.chain import UNSEALED_GRACE, verify
from witness.audit.queries import office_events, witness_readers, witness_reads
from witness.audit.services import type_label
from witness.audit.words import action_words
from witness.core.access import can_read_audit_log, can_see_access_log
from witness.core.i18n import gettext
from witness.core.time import day_bounds
from witness.core.web import (
    Page,
    bad_request,
    date_arg,
    id_arg,
    load_or_404,
    page_arg,
    record_view,
    refuse,
)
from witness.db import db_session
from witness.people.models import Witness

bp = Blueprint("audit", __name__, url_prefix="/audit")

#: readings shown a page at a time on "who looked at this witness"
READS_PER_PAGE = 50

# Rows written as "witnesse" or "new" before audit types were named stay as written (the log
# is append-only); the viewer reads them as "witness" and "news".
bp.app_template_filter("audit_type")(type_label)
bp.app_template_filter("action_words")(action_words)


@bp.route("/")
def index():
    """Events by people of the viewer's organisation, newest first, filterable by witness,
    action and person."""
    if not can_read_audit_log(current_user):
        refuse("audit.refused", object_type="page", path=request.path)
    witness_id = id_arg("witness_id")
    user_id = id_arg("user_id")
    action = request.args.get("action", "").strip()
    query = office_events(current_user, witness_id=witness_id, action=action, user_id=user_id)
    page = Page(db_session(), query, page_arg(), current_app.config["PAGE_SIZE"] * 2)
    return render_template(
        "audit/index.html", page=page, witness_id=witness_id, action=action, user_id=user_id
    )


@bp.route("/witnesses/<int:witness_id>")
def witness_log(witness_id: int):
    """Who looked at this witness's file, when (the court's time) and from where; by person
    and date range. Its supervisors' and administrators' page; reading it is audited."""
    witness = load_or_404(
        Witness, witness_id, can_see_access_log, refusal="witness.access_log_refused"
    )
    user_id = id_arg("user_id")
    first, last = date_arg("from"), date_arg("to")
    if first and last and first > last:
        return bad_request(gettext("The first day comes after the last. Nothing was shown."))
    tz = witness.timezone
    since = day_bounds(first, tz)[0] if first else None
    until = day_bounds(last, tz)[1] if last else None
    session = db_session()
    record_view("witness.access_log_view", witness, witness_id=witness.id)
    query = witness_reads(witness.id, user_id=user_id, since=since, until=until)
    return render_template(
        "audit/witness.html",
        witness=witness,
        page=Page(session, query, page_arg(), READS_PER_PAGE),
        readers=witness_readers(session, witness.id),
        user_id=user_id,
        first=first,
        last=last,
        tz=tz,
    )


@bp.route("/chain")
def chain():
    """Whether the audit log's chain is intact: walked in full now (audited)."""
    if not can_read_audit_log(current_user):
        refuse("audit.refused", object_type="page", path=request.path)
    status = verify(db_session())
    record_view("audit.chain_view", object_type="page", state=status.state)
    minutes = int(UNSEALED_GRACE.total_seconds() // 60)
    return render_template("audit/chain.html", status=status, minutes=minutes)
