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

from witness.auth.forms import (
    ApiTokenForm,
    ChangePasswordForm,
    CodeForm,
    LanguageForm,
    LoginForm,
)
from witness.auth.models import TokenScope
from witness.auth.second_factor import (
    PendingSignIn,
    complete_sign_in,
    confirm_enrolment,
    enrolment_secret,
    grouped,
    qr_svg,
    renew_recovery_codes,
    unused_recovery_codes,
)
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
from witness.core.time import now_utc
from witness.core.web import SESSION_VERSION, form_page, form_transaction, start_session
from witness.db import db_session

bp = Blueprint("auth", __name__)

#: the session key of a sign-in whose password was right and which waits for a code: the user,
#: their session version and until when (``PENDING_SECONDS``) it may be finished
PENDING = "pending_sign_in"
PENDING_SECONDS = 300
#: the session key of the secret shown on the enrolment page, until a code confirms it


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
        if user is not None and user.has_second_factor:
            # not signed in: a fresh session holds only the half-finished sign-in
            session.clear()
            session[PENDING] = {
                "user": user.id,
                "version": user.session_version,
                "until": now_utc().timestamp() + PENDING_SECONDS,
                "next": _safe_next(request.args.get("next")),
            }
            return redirect(url_for("auth.second_factor"))
        if user is not None:
            start_session(user)
            flash(gettext("Signed in as %(name)s.", name=user.name))
            return redirect(_safe_next(request.args.get("next")))
        flash(gettext("That e-mail and password do not match an active account."), "error")
        status = 401
    elif request.method == "POST":
        status = 400
    return render_template("auth/login.html", form=form), status


@bp.route("/login/code", methods=["GET", "POST"])
def second_factor():
    """The second step of signing in: a code from the authenticator app or a recovery code.
    Reached only from a sign-in whose password was right, within ``PENDING_SECONDS``; until
    then nothing else is open (the user is not signed in). Wrong codes are kept as failed
    sign-ins (``RecordedRefusal``) and throttled like passwords."""
    if current_user.is_authenticated:
        return redirect(url_for("dashboard.index"))
    pending = session.get(PENDING)
    if not isinstance(pending, dict) or now_utc().timestamp() > pending.get("until", 0):
        session.pop(PENDING, None)
        flash(gettext("Sign in with your e-mail and password first."))
        return redirect(url_for("auth.login"))
    form = CodeForm()
    if form.validate_on_submit():
        with form_transaction(form) as outcome:
            user = complete_sign_in(
                db_session(),
                pending["user"],
                pending["version"],
                pending["until"],
                form.code.data,
                request.remote_addr,
                Throttle.from_config(current_app.config),
            )
        if isinstance(outcome.error, PendingSignIn):
            session.pop(PENDING, None)
            flash(outcome.error.message, "error")
            return redirect(url_for("auth.login"))
        if isinstance(outcome.error, SignInThrottled):
            return render_template("auth/code.html", form=form), 429
        if form.succeeded:
            start_session(user)  # a new session: the half-finished one is gone
            flash(gettext("Signed in as %(name)s.", name=user.name))
            return redirect(pending["next"])
        return render_template("auth/code.html", form=form), 401
    return form_page("auth/code.html", form=form)


@bp.route("/account/second-factor", methods=["GET", "POST"])
def second_factor_setup():
    """Turn on one's second factor: scan the key, prove it with a current code, and receive
    the recovery codes, shown on this one response only. With a factor on: its state, and a
    new set of recovery codes (proven with a current code)."""
    db = db_session()
    form = CodeForm()
    if current_user.has_second_factor:
        return form_page(
            "auth/second_factor.html",
            form=form,
            unused=unused_recovery_codes(db, current_user),
            codes=None,
        )
    if form.validate_on_submit():
        with form_transaction(form):
            codes = confirm_enrolment(db, current_user, form.code.data)
        if form.succeeded:
            flash(gettext("Your second factor is on. You will need a code each time you sign in."))
            return render_template("auth/recovery_codes.html", codes=codes)
    with form_transaction():
        secret = enrolment_secret(current_user)
    return form_page(
        "auth/second_factor.html",
        form=form,
        qr=qr_svg(current_user, secret),
        secret=grouped(secret),
    )


@bp.route("/account/second-factor/recovery-codes", methods=["POST"])
def recovery_codes():
    """A new set of recovery codes; the old ones stop working. Needs a current code."""
    form = CodeForm()
    db = db_session()
    if form.validate_on_submit():
        with form_transaction(form) as outcome:
            codes = renew_recovery_codes(
                db,
                current_user,
                form.code.data,
                request.remote_addr,
                Throttle.from_config(current_app.config),
            )
        if form.succeeded:
            return render_template("auth/recovery_codes.html", codes=codes)
        status = 429 if isinstance(outcome.error, SignInThrottled) else 400
    else:
        status = 400
    page = render_template(
        "auth/second_factor.html", form=form, unused=unused_recovery_codes(db, current_user)
    )
    return page, status


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
            token, plaintext = create_token(
                db_session(),
                current_user,
                form.name.data,
                scope=TokenScope(form.scope.data),
                days=form.days.data,
            )
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
