"""Sign-in and sign-out, and the user's own API tokens."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import (
    Blueprint,
    abort,
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
from witness.auth.forms import ApiTokenForm, LoginForm
from witness.auth.services import SignInThrottled, authenticate
from witness.auth.tokens import create_token, revoke_token, user_tokens
from witness.core.errors import DomainError, NotFound
from witness.core.web import form_page
from witness.db import db_session

bp = Blueprint("auth", __name__)


def _safe_next(target: str | None) -> str:
    """Only same-site paths: an open redirect after sign-in would be a phishing aid. A path
    with a control character or a space (a line break would split the Location header) or a
    backslash (browsers read "/\\evil.example" as "//evil.example") goes to the dashboard."""
    if (
        target
        and target.startswith("/")
        and not target.startswith("//")
        and target.isprintable()
        and not any(c.isspace() or c == "\\" for c in target)
    ):
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


@bp.route("/account/tokens", methods=["GET", "POST"])
def tokens():
    """The user's API tokens; a new token's value is shown on this one response only."""
    form = ApiTokenForm()
    db = db_session()
    created = None
    if form.validate_on_submit():
        try:
            token, plaintext = create_token(db, current_user, form.name.data)
        except DomainError as exc:
            db.rollback()
            form.name.errors = [*form.name.errors, exc.message]
        else:
            db.commit()
            created = (token, plaintext)
            form = ApiTokenForm(formdata=None)
    return form_page(
        "auth/tokens.html", form=form, tokens=user_tokens(db, current_user), created=created
    )


@bp.route("/account/tokens/<int:token_id>/revoke", methods=["POST"])
def revoke(token_id: int):
    db = db_session()
    try:
        token = revoke_token(db, current_user, token_id)
    except NotFound:
        abort(404)
    except DomainError as exc:
        flash(exc.message, "error")
    else:
        db.commit()
        flash(f"Token {token.name!r} revoked: programs using it are refused from now on.")
    return redirect(url_for("auth.tokens"))
