"""Web plumbing shared by every blueprint: sign-in, CSRF, idle timeout, errors, headers, and
the one way a view loads a record (``load_or_404``) and changes something
(``form_transaction``)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, datetime
from math import ceil
from typing import NoReturn
from urllib.parse import unquote_to_bytes
from zoneinfo import ZoneInfo

from flask import (
    Flask,
    Request,
    Response,
    abort,
    current_app,
    flash,
    g,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import LoginManager, current_user, login_user, logout_user
from flask_wtf.csrf import CSRFError, CSRFProtect
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter
from werkzeug.utils import cached_property
from werkzeug.wsgi import LimitedStream

from witness.audit.services import audit_refusal, audit_type, record_event
from witness.auth.models import User
from witness.core import access
from witness.core.errors import AccessDenied, DomainError, NotFound, RecordedRefusal
from witness.core.i18n import N_, format_when, gettext, reader
from witness.core.text import MAX_ID, ascii_int
from witness.core.time import check_year, now_utc, parse_local
from witness.db import db_session

_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")

login_manager = LoginManager()
csrf = CSRFProtect()

#: endpoints an anonymous visitor may reach (``auth.second_factor`` only with a sign-in whose
#: password was right, ``auth.views``)
PUBLIC_ENDPOINTS = frozenset(
    {"auth.login", "auth.second_factor", "static", "health", "calendar.feed"}
)
#: all a user who must have a second factor but has none may reach until they enrol
ENROLMENT_ENDPOINTS = frozenset({"auth.second_factor_setup", "auth.logout", "static"})
#: URLs of the JSON API (``witness.api``), which signs each request in with an API token,
#: never with the session, and answers for itself when it cannot
API_PREFIX = "/api/"


#: the session key holding the user's ``session_version`` from when they signed in
SESSION_VERSION = "session_version"


@login_manager.user_loader
def _load_user(user_id: str) -> User | None:
    """The signed-in user, if the account is enabled and the session was not ended since."""
    if not (user_id.isascii() and user_id.isdigit()):
        return None
    user = db_session().get(User, int(user_id))
    if user is None or not user.is_enabled:
        return None
    if session.get(SESSION_VERSION) != user.session_version:
        g.ended_session_of = user  # signed out elsewhere, new password, or ended by an admin
        return None
    return user


def start_session(user: User) -> None:
    """Sign ``user`` in to a fresh session (no fixation) carrying their session version."""
    session.clear()
    session[SESSION_VERSION] = user.session_version
    login_user(user)


class IdConverter(IntegerConverter):
    """``<int:...>`` in URLs, bounded so an absurd id is a 404 rather than a database error,
    and in ASCII digits: werkzeug's ``\\d`` also matches fullwidth "12", which int() reads as 12."""

    regex = r"[0-9]+"

    def __init__(self, map, *args, **kwargs) -> None:
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)


class _BodyAtMost(LimitedStream):
    """A streamed (chunked) body read up to the size limit, and refused (413) beyond it.

    Werkzeug bounds such a body at ``MAX_CONTENT_LENGTH`` but, read whole, returns its first
    bytes silently cut there: a form would arrive without its token ("form expired") and JSON
    broken ("not valid JSON"), instead of "too large"."""

    def readall(self) -> bytes:
        data = super().readall()
        if self.is_exhausted and self._stream.read(1):
            raise RequestEntityTooLarge()
        return data


class WitnessRequest(Request):
    """Flask's request, with streamed bodies held to the size limit (``_BodyAtMost``)."""

    @cached_property
    def stream(self):
        limit = self.max_content_length
        if (
            "wsgi.input_terminated" in self.environ
            and self.content_length is None
            and limit is not None
        ):
            return _BodyAtMost(self.environ["wsgi.input"], limit, is_max=True)
        return super().stream


def init_app(app: Flask) -> None:
    app.request_class = WitnessRequest
    hops = app.config.get("TRUSTED_PROXY_HOPS", 0)
    if hops:
        # Behind that many proxies the client's address is the one they add to
        # X-Forwarded-For; without them the header is anyone's to write, and ignored.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)
    app.url_map.converters["int"] = IdConverter
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = N_("Please sign in to continue.")
    login_manager.localize_callback = gettext  # flashed in the visitor's language
    login_manager.session_protection = "strong"
    app.before_request(_refuse_unreadable_input)
    # Sign-in is checked before CSRF, so an anonymous post is sent to sign in, not told off.
    app.before_request(_require_login)
    csrf.init_app(app)
    app.after_request(_security_headers)
    app.add_url_rule("/health", "health", _health)
    for code in (400, 403, 404, 405, 413, 500):
        app.register_error_handler(code, _http_error)
    app.register_error_handler(CSRFError, _csrf_error)
    app.jinja_env.filters["local_dt"] = local_dt
    app.jinja_env.filters["date"] = format_date
    app.jinja_env.globals["now_utc"] = now_utc


FORM_BODY = "application/x-www-form-urlencoded"


def _is_utf8(encoded: bytes) -> bool:
    """Whether a query string or form body, once its %-escapes are decoded, is UTF-8 text."""
    try:
        unquote_to_bytes(encoded.replace(b"+", b" ")).decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def unreadable_input() -> str | None:
    """Why the query string or form body cannot be taken as text, or None.

    A NUL byte (PostgreSQL cannot store one and no person types it), or bytes that are not
    UTF-8: werkzeug would keep them as "%FF" or drop the form, and the person would be told
    the form expired. Raises ``RequestEntityTooLarge`` for a form body over the size limit."""
    checked = [request.query_string]
    if request.mimetype == FORM_BODY:
        checked.append(request.get_data(cache=True))
    if not all(_is_utf8(part) for part in checked):
        return gettext(
            "What you sent is not valid UTF-8 text, so it cannot be read. Nothing was changed; "
            "send it again from the page, or have the program that sent it encode text as "
            "UTF-8."
        )
    values = [*request.args.keys(), *request.args.values()]
    values += [*request.form.keys(), *request.form.values()]
    if any("\x00" in value for value in values):
        return gettext(
            "What you sent contains an invisible NUL character. Remove it and try again."
        )
    return None


def _refuse_unreadable_input():
    message = unreadable_input()
    if message:
        return render_template("error.html", code=400, message=message), 400
    return None


def _require_login():
    """Every page needs a signed-in user, and a session idle too long is ended."""
    if request.endpoint in PUBLIC_ENDPOINTS or request.path.startswith(API_PREFIX):
        return None
    if not current_user.is_authenticated:
        ended = g.pop("ended_session_of", None)
        if ended is not None:
            return _ended_session(ended)
        return login_manager.unauthorized()
    now = now_utc().timestamp()
    last_seen = session.get("last_seen")
    limit = current_app.config["PERMANENT_SESSION_LIFETIME"].total_seconds()
    if last_seen is not None and now - last_seen > limit:
        logout_user()
        session.clear()
        flash(gettext("You were signed out after a period without activity. Please sign in again."))
        return redirect(url_for("auth.login", next=request.full_path))
    session.permanent = True
    session["last_seen"] = now
    if (
        request.endpoint not in ENROLMENT_ENDPOINTS
        and not current_user.has_second_factor
        and current_user.second_factor_required(current_app.config["REQUIRE_SECOND_FACTOR"])
    ):
        flash(gettext("Set up your second factor before you go on: your account needs one."))
        return redirect(url_for("auth.second_factor_setup"))
    return None


def _ended_session(user: User):
    """A cookie of a session that was ended: audited (it may be a copy), then sign in again."""
    db = db_session()
    record_event(db, None, "auth.session_refused", user)
    db.commit()
    session.clear()
    flash(
        gettext(
            "Your session has ended: you signed out, your password was changed, or an "
            "administrator ended your sessions. Please sign in again."
        )
    )
    return redirect(url_for("auth.login", next=request.full_path))


def _security_headers(response):
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Referrer-Policy", "no-referrer")
    response.headers.setdefault(
        "Content-Security-Policy", "default-src 'self'; frame-ancestors 'none'; form-action 'self'"
    )
    if current_user.is_authenticated:
        # Witness data must not linger in shared or browser caches.
        response.headers["Cache-Control"] = "no-store"
    return response


def _health():
    db_session().execute(select(1))
    return {"status": "ok"}


_MESSAGES = {
    400: N_("The request could not be understood. Check what you entered and try again."),
    403: N_("You may not do that."),
    404: N_("There is nothing here, or you do not have access to it."),
    405: N_("That action is not available here."),
    413: N_("What you sent is too large."),
    500: N_("Something went wrong on our side. Nothing was changed; please try again."),
}


def _http_error(error):
    code = error.code if isinstance(error, HTTPException) else 500
    if code == 500:
        db_session().rollback()
    elif code in (403, 404) and request.url_rule is not None and current_user.is_authenticated:
        _audit_unrecorded_refusal(code)
    message = gettext(_MESSAGES[code]) if code in _MESSAGES else gettext("Error")
    return render_template("error.html", code=code, message=message), code


def _audit_unrecorded_refusal(code: int) -> None:
    """Every refusal of a route to a signed-in user is audited: most routes audit their own,
    by name; this catches any that does not (a URL that matches no route refuses nothing)."""
    args = request.view_args or {}
    witness_id = args.get("witness_id")
    audit_refusal(
        db_session(),
        current_user,
        "page.refused",
        object_type="page",
        witness_id=witness_id if isinstance(witness_id, int) else None,
        status=code,
        method=request.method,
        path=request.path,
        endpoint=request.endpoint,
    )


def refuse(action: str, obj=None, *, status: int = 404, **kwargs) -> NoReturn:
    """Answer ``status`` (404: as if the record did not exist) and audit it as ``action``;
    nothing the request changed is kept. ``kwargs`` go to ``record_event``."""
    db = db_session()
    db.rollback()
    record_event(db, current_user, action, obj, **kwargs)
    db.commit()
    abort(status)


def record_view(action: str, obj=None, **detail) -> None:
    """Audit what the signed-in user is shown (a witness file, an appointment) and keep it:
    a page that only reads still writes its audit row."""
    session = db_session()
    record_event(session, current_user, action, obj, **detail)
    session.commit()


class Outcome:
    """What ``form_transaction`` did: ``succeeded`` once committed; ``error`` is the service's
    refusal when it refused (a ``BookingConflict`` carries its clashes and suggestions)."""

    def __init__(self) -> None:
        self.succeeded = False
        self.error: DomainError | None = None


@contextmanager
def form_transaction(
    form=None, *, refusal: str | None = None, obj=None, **audit
) -> Iterator[Outcome]:
    """The one way a page changes something: run the service calls of the ``with`` block as
    the request's transaction, and

    - commit when they succeed (``form.succeeded`` / ``outcome.succeeded``);
    - on a refusal to the user (``AccessDenied``), roll back, audit it as ``refusal`` (default
      ``<endpoint>.refused``) with ``obj`` and ``audit`` (``witness_id=...``), answer 404; a
      ``NotFound`` (a record hidden from them, already audited) is answered 404 too;
    - on a ``RecordedRefusal`` (a wrong password, a throttled sign-in), commit what it recorded
      and show it as below;
    - on any other domain error, roll back and show it: beside its field on ``form``, or as a
      flashed message when there is no form; the view then renders its page again;
    - on a clash with a row saved at the same moment (a unique key), the same, with a message
      asking to try again.

    Services never commit; views never commit, roll back or catch a ``DomainError``."""
    outcome = Outcome()
    session = db_session()
    try:
        yield outcome
        session.commit()
    except AccessDenied:
        refuse(refusal or f"{request.endpoint}.refused", obj, **audit)
    except NotFound:
        # a service found the record hidden from the user and audited it (core.access's
        # loaders): nothing else was changed before, so the audit row is what is kept
        session.commit()
        abort(404)
    except RecordedRefusal as exc:
        session.commit()  # the failed attempt it recorded is kept (it counts towards throttling)
        outcome.error = exc
    except DomainError as exc:
        session.rollback()
        outcome.error = exc
    except IntegrityError:
        session.rollback()
        outcome.error = DomainError(
            gettext(
                "Someone else changed the same records at the same moment. Nothing was saved: "
                "look again and try once more."
            )
        )
    else:
        outcome.succeeded = True
    if outcome.error is not None:
        if form is not None:
            apply_domain_error(form, outcome.error)
        else:
            flash(outcome.error.message, "error")
    if form is not None:
        form.succeeded = outcome.succeeded


def load_or_404(what, ident: int, rule: Callable | None = None, *, refusal: str | None = None):
    """The record the signed-in user asks for, through need to know: ``what`` is a model that
    ``core.access.LOADERS`` knows (Witness, Case, Appointment, Hearing, ...) or a loader
    ``(session, actor, ident)``. A record they may not see is answered 404, the refusal audited
    by the loader; one they see but that fails ``rule(actor, record)`` (may they change it?) is
    answered 404 too, audited as ``refusal`` (default ``<kind>.change_refused``)."""
    session = db_session()
    try:
        if isinstance(what, type):
            record = access.load(session, current_user, what, ident)
        else:
            record = what(session, current_user, ident)
    except NotFound:
        session.commit()  # keep the audited refusal
        abort(404)
    if rule is not None and not rule(current_user, record):
        kind = audit_type(record)
        witness_id = record.id if kind == "witness" else getattr(record, "witness_id", None)
        refuse(refusal or f"{kind}.change_refused", record, witness_id=witness_id)
    return record


def _csrf_error(error: CSRFError):
    message = gettext(
        "This form has expired or was not sent from Witness. Nothing was changed; "
        "go back, reload the page and try again."
    )
    return render_template("error.html", code=400, message=message), 400


def local_dt(instant: datetime | None, tz: str = "UTC", fmt: str = "%d %b %Y %H:%M") -> str:
    """Render a UTC instant in the given timezone, with the zone's abbreviation, in the
    reader's language (``core.i18n.format_when``)."""
    if instant is None:
        return ""
    local = instant.astimezone(ZoneInfo(tz))
    written = format_when(local, fmt, reader())
    return f"{written} {local.tzname()}" if "%H" in fmt else written


def format_date(day, fmt: str = "%d %b %Y") -> str:
    return format_when(day, fmt, reader()) if day else ""


class Page:
    """One page of a query's results, counted in SQL."""

    def __init__(self, session, query, page: int, per_page: int, count=None) -> None:
        """``count``: a query of the total, where counting ``query`` itself would do work
        only its order needs."""
        if count is None:
            count = select(func.count()).select_from(query.order_by(None).subquery())
        self.total = session.scalar(count)
        self.per_page = per_page
        self.pages = max(1, ceil(self.total / per_page))
        self.page = min(max(page, 1), self.pages)
        self.items = list(session.scalars(query.limit(per_page).offset((self.page - 1) * per_page)))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


def int_arg(name: str) -> int | None:
    """A whole number in ASCII digits from the query string, or None."""
    try:
        return ascii_int(request.args.get(name, "").strip())
    except ValueError:
        return None


def page_arg() -> int:
    """``?page=``; anything that is not a page number is the first page."""
    return int_arg("page") or 1


def id_arg(name: str) -> int | None:
    """An id from the query string; anything that cannot be an id is ignored."""
    value = int_arg(name)
    return value if value is not None and 0 < value <= MAX_ID else None


def bad_request(message: str):
    return render_template("error.html", code=400, message=message), 400


def date_arg(name: str) -> date | None:
    """A YYYY-MM-DD date from the query string; None when absent, a 400 page when malformed."""
    value = request.args.get(name, "").strip()
    if not value:
        return None
    try:
        # YYYY-MM-DD only: fromisoformat would also take 20260312 and 2026-W11-4
        day = date.fromisoformat(value) if _ISO_DAY.fullmatch(value) else None
    except ValueError:
        day = None
    if day is None:
        abort(
            make_response(
                bad_request(gettext("Give the date as YYYY-MM-DD, for example 2026-03-12."))
            )
        )
    try:
        return check_year(day)
    except DomainError as exc:
        abort(make_response(bad_request(exc.message)))


def instant_arg(name: str, tz: str) -> datetime | None:
    """An ISO 8601 date and time from the query string as a UTC instant, read in ``tz`` when
    it has no UTC offset (``core.time.parse_local``: a skipped or repeated local time is
    refused); None when absent, a 400 page when malformed or outside 1900-2100."""
    value = request.args.get(name, "").strip()
    if not value:
        return None
    try:
        return parse_local(value, tz, name)
    except DomainError as exc:
        abort(make_response(bad_request(exc.message)))


def apply_domain_error(form, exc) -> None:
    """Show a service's refusal beside the field it concerns, or as a message."""
    field = getattr(form, exc.field, None) if exc.field else None
    if field is not None:
        field.errors = [*field.errors, exc.message]
    else:
        form.form_errors.append(exc.message)


def form_page(template: str, **context):
    """Render a form page; a POST that failed validation answers 400, with the errors."""
    form = context["form"]
    status = 400 if request.method == "POST" and form.errors else 200
    return render_template(template, **context), status


def csv_download(body: str, filename: str) -> Response:
    """A CSV to save and open in a spreadsheet: UTF-8 with a byte-order mark, without which
    Excel reads Thai, Khmer or Vietnamese names as mojibake (LibreOffice and Python's
    ``utf-8-sig`` read it either way); not cached."""
    response = Response("\ufeff" + body, content_type="text/csv; charset=utf-8")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    return response
