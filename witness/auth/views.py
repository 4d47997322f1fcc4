"""Sign-in and sign-out."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_user, logout_user

from witness.audit.services import record_event
from witness.auth.forms import LoginForm
from witness.auth.services import SignInThrottled, authenticate
from witness.db import db_session

bp = Blueprint("auth", __name__)


def _safe_next(target: str | None) -> str:
    """Only same-site paths: an open redirect after sign-in would be a phishing aid."""
    if target and target.startswith("/") and not target.startswith("//"):
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc:
            return target
    return url_for("dashboard.index")


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("dashboard.index"))
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        db = db_session()
        try:
            user = authenticate(
                db,
                form.email.data,
                form.password.data,
                request.remote_addr,
                max_failures=current_app.config["LOGIN_MAX_FAILURES"],
                window=current_app.config["LOGIN_WINDOW"],
            )
        except SignInThrottled as exc:
            db.commit()
            flash(exc.message, "error")
            return render_template("auth/login.html", form=form), 429
        db.commit()
        if user is not None:
            session.clear()  # a fresh session on sign-in: no fixation
            login_user(user)
            flash(f"Signed in as {user.name}.")
            return redirect(_safe_next(request.args.get("next")))
        flash("That e-mail and password do not match an active account.", "error")
        status = 401
    elif request.method == "POST":
        status = 400
    return render_template("auth/login.html", form=form), status


@bp.route("/logout", methods=["POST"])
def logout():
    db = db_session()
    record_event(db, current_user, "auth.logout", current_user)
    db.commit()
    logout_user()
    session.clear()
    flash("You are signed out.")
    return redirect(url_for("auth.login"))
