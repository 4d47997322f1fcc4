"""The audit log viewer for supervisors and administrators."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, render_template, request
from flask_login import current_user
from sqlalchemy import select

from witness.audit.models import AuditEvent
from witness.auth.models import Role, User
from witness.core.web import Page, id_arg, page_arg
from witness.db import db_session

bp = Blueprint("audit", __name__, url_prefix="/audit")


@bp.route("/")
def index():
    """Events by people of the viewer's organisation, newest first, filterable by witness."""
    if current_user.role not in (Role.admin, Role.supervisor):
        abort(404)
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
