"""The audit log viewer for supervisors and administrators."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template, request
from flask_login import current_user

from witness.audit.queries import office_events
from witness.audit.services import type_label
from witness.core.access import can_read_audit_log
from witness.core.web import Page, id_arg, page_arg, refuse
from witness.db import db_session

bp = Blueprint("audit", __name__, url_prefix="/audit")

# Rows written as "witnesse" or "new" before audit types were named stay as written (the log
# is append-only); the viewer reads them as "witness" and "news".
bp.app_template_filter("audit_type")(type_label)


@bp.route("/")
def index():
    """Events by people of the viewer's organisation, newest first, filterable by witness."""
    if not can_read_audit_log(current_user):
        refuse("audit.refused", object_type="page", path=request.path)
    witness_id = id_arg("witness_id")
    action = request.args.get("action", "").strip()
    query = office_events(current_user, witness_id=witness_id, action=action)
    page = Page(db_session(), query, page_arg(), current_app.config["PAGE_SIZE"] * 2)
    return render_template("audit/index.html", page=page, witness_id=witness_id, action=action)
