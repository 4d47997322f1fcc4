"""The audit log viewer for supervisors and administrators."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template, request
from flask_login import current_user
from sqlalchemy import select

from witness.audit.models import AuditEvent
from witness.audit.services import type_label
from witness.auth.models import Role, User
from witness.core.web import Page, id_arg, page_arg, refuse
from witness.db import db_session

bp = Blueprint("audit", __name__, url_prefix="/audit")

# Rows written as "witnesse" or "new" before audit types were named stay as written (the log
# is append-only); the viewer reads them as "witness" and "news".
bp.app_template_filter("audit_type")(type_label)


@bp.route("/")
def index():
    """Events by people of the viewer's organisation, newest first, filterable by witness."""
    if current_user.role not in (Role.admin, Role.supervisor):
        refuse("audit.refused", object_type="page", path=request.path)
    query = (
        select(AuditEvent)
        .join(User, AuditEvent.actor_id == User.id)
        .where(User.organisation_id == current_user.organisation_id)
        .order_by(AuditEvent.id.desc())
    )
    witness_id = id_arg("witness_id")
    if witness_id:
        query = query.where(AuditEvent.witness_id == witness_id)
    action = request.args.get("action", "").strip()
    if action:
        query = query.where(AuditEvent.action == action)
    page = Page(db_session(), query, page_arg(), current_app.config["PAGE_SIZE"] * 2)
    return render_template("audit/index.html", page=page, witness_id=witness_id, action=action)
