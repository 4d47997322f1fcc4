"""Sign-in and sign-out, and the user's own API tokens."""

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
from flask_login import current_user, logout_user

from witness.auth.forms import ApiTokenForm, ChangePasswordForm, LanguageForm, LoginForm
from witness.auth.services import (
    SignInThrottled,
    Throttle,
    authenticate,
    change_password,
    set_language,
    sign_out,
)
from witness.auth.tokens import create_token, live_token_count, revoke_token, user_tokens
from witness.core.i18n import gettext, refresh
from witness.core.web import SESSION_VERSION, form_page, form_transaction, start_session
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
    """Sign in. A failed or throttled attempt is kept (it counts towards throttling): the
    services raise ``RecordedRefusal``, which ``form_transaction`` commits, not rolls back."""
    if current_user.is_authenticated:
        return redirect(url_for("dashboard.index"))
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        throttle = Throttle.from_config(current_app.config)
        # no form: a throttled sign-in is flashed, as a wrong password is below
        with form_transaction() as outcome:
            user = authenticate(
                db_session(), form.email.data, form.password.data, request.remote_addr, throttle
            )
        if not outcome.succeeded:
            status = 429 if isinstance(outcome.error, SignInThrottled) else 400
            return render_template("auth/login.html", form=form), status
        if user is not None:
            start_session(user)
            flash(gettext("Signed in as %(name)s.", name=user.name))
            return redirect(_safe_next(request.args.get("next")))
        flash(gettext("That e-mail and password do not match an active account."), "error")
        status = 401
    elif request.method == "POST":
        status = 400
    return render_template("auth/login.html", form=form), status


@bp.route("/logout", methods=["POST"])
def logout():
    """Sign out here and everywhere else: every session of the user ends at once."""
    with form_transaction():
        sign_out(db_session(), current_user)
    logout_user()
    session.clear()
    flash(
        gettext(
            "You are signed out, here and on every other computer or phone where you were "
            "signed in to Witness."
        )
    )
    return redirect(url_for("auth.login"))


@bp.route("/account/password", methods=["GET", "POST"])
def password():
    """Change one's own password; this browser stays signed in, every other session ends.
    A wrong current password and a throttled attempt are kept (``RecordedRefusal``)."""
    form = ChangePasswordForm()
    if form.validate_on_submit():
        with form_transaction(form) as outcome:
            change_password(
                db_session(),
                current_user,
                form.current_password.data,
                form.new_password.data,
                request.remote_addr,
                Throttle.from_config(current_app.config),
            )
        if isinstance(outcome.error, SignInThrottled):
            return render_template("auth/password.html", form=form), 429
        if form.succeeded:
            session[SESSION_VERSION] = current_user.session_version
            kept = live_token_count(db_session(), current_user)
            message = "Password changed. You stay signed in here; every other session has ended."
            if kept:
                message += (
                    f" Your {kept} API token{'s' if kept > 1 else ''} still work: revoke "
                    "any that someone else may have seen."
                )
            flash(message)
            return redirect(url_for("dashboard.index"))
    return form_page("auth/password.html", form=form)


@bp.route("/account/language", methods=["GET", "POST"])
def language():
    """The language of one's own pages (letters stay in each witness's language)."""
    form = LanguageForm(data={"locale": current_user.locale or ""})
    if form.validate_on_submit():
        with form_transaction(form):
            set_language(db_session(), current_user, form.locale.data or None)
        if form.succeeded:
            refresh()  # the message below already in the language chosen
            flash(gettext("Your pages are now in the language you chose."))
            return redirect(url_for("auth.language"))
    return form_page("auth/language.html", form=form)


@bp.route("/account/tokens", methods=["GET", "POST"])
def tokens():
    """The user's API tokens; a new token's value is shown on this one response only."""
    form = ApiTokenForm()
    created = None
    if form.validate_on_submit():
        with form_transaction(form):
            token, plaintext = create_token(db_session(), current_user, form.name.data)
        if form.succeeded:
            created = (token, plaintext)
            form = ApiTokenForm(formdata=None)
    return form_page(
        "auth/tokens.html",
        form=form,
        tokens=user_tokens(db_session(), current_user),
        created=created,
    )


@bp.route("/account/tokens/<int:token_id>/revoke", methods=["POST"])
def revoke(token_id: int):
    """Revoke one's own token; another user's, or none, is an audited 404 (``revoke_token``)."""
    with form_transaction() as outcome:
        token = revoke_token(db_session(), current_user, token_id)
    if outcome.succeeded:
        flash(
            gettext(
                "Token %(name)s revoked: programs using it are refused from now on.",
                name=repr(token.name),
            )
        )
    return redirect(url_for("auth.tokens"))
