from flask import Blueprint, render_template
from flask_login import current_user

from witness.core.time import now_utc
from witness.dashboard.services import build_dashboard
from witness.db import db_session

bp = Blueprint("dashboard", __name__)


@bp.route("/")
def index():
    today = now_utc().date()
    board = build_dashboard(db_session(), current_user, today)
    return render_template("dashboard/index.html", board=board, today=today)
