from flask import Blueprint, current_app, redirect, render_template, url_for
from flask_login import current_user

from witness.core.charts import drawn
from witness.core.figures import figures
from witness.core.time import now_utc
from witness.core.web import form_transaction, page_arg
from witness.dashboard.services import build_dashboard
from witness.db import db_session
from witness.notify.task_services import mark_alert_seen

bp = Blueprint("dashboard", __name__)


@bp.route("/")
def index():
    now = now_utc()
    size = current_app.config["PAGE_SIZE"]
    board = build_dashboard(db_session(), current_user, now, page_arg(), size, figures())
    return render_template("dashboard/index.html", board=board, today=now.date(), svg=drawn)


@bp.route("/alerts/<int:alert_id>/seen", methods=["POST"])
def alert_seen(alert_id: int):
    """Mark one of the user's alerts seen; anyone else's is an audited 404."""
    with form_transaction():
        mark_alert_seen(db_session(), current_user, alert_id)
    return redirect(url_for("dashboard.index"))
