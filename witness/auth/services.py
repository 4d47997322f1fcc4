"""Users, sign-in with throttling of repeated failures, passwords and sessions."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta
from functools import cache

from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session

from witness.audit.services import record_event
from witness.auth.models import (
    LoginAttempt,
    Organisation,
    Role,
    User,
    hash_password,
    password_matches,
)
from witness.core.errors import DomainError, RecordedRefusal
from witness.core.i18n import UI_LANGUAGES, gettext
from witness.core.time import now_utc

PASSWORD_MIN = 10
PASSWORD_MAX = 200


class SignInThrottled(RecordedRefusal):
    """Too many recent failures for this account or address; the throttled attempt is audited,
    so the caller commits rather than rolls back."""


class WrongPassword(RecordedRefusal):
    """The current password given to change it is wrong; the failure is recorded, so the
    caller commits rather than rolls back."""


@dataclass(frozen=True)
class Throttle:
    """How many failures, within what window, stop sign-in; see ``check_throttle``."""

    max_failures: int
    window: timedelta
    #: an address the account signed in from within this time is the account's own
    known_for: timedelta = timedelta(days=90)

    @classmethod
    def from_config(cls, config) -> Throttle:
        return cls(
            config["LOGIN_MAX_FAILURES"], config["LOGIN_WINDOW"], config["LOGIN_KNOWN_ADDRESS"]
        )


def check_new_password(password: str, field: str = "password") -> None:
    """Refuse a password too short to resist guessing, or too long to be a password."""
    if len(password) < PASSWORD_MIN:
        raise DomainError(
            gettext(
                "Passwords must have at least %(PASSWORD_MIN)s characters.",
                PASSWORD_MIN=PASSWORD_MIN,
            ),
            field=field,
        )
    if len(password) > PASSWORD_MAX:
        raise DomainError(
            gettext(
                "Use at most %(PASSWORD_MAX)s characters for a password.", PASSWORD_MAX=PASSWORD_MAX
            ),
            field=field,
        )


def create_user(
    session: Session,
    *,
    email: str,
    name: str,
    password: str,
    role: Role,
    organisation: Organisation,
) -> User:
    """Add a user; e-mail addresses are unique regardless of case."""
    email = email.strip().lower()
    if session.scalar(select(User.id).where(User.email == email)) is not None:
        raise DomainError(
            gettext("A user with e-mail %(email)s already exists.", email=email), field="email"
        )
    check_new_password(password)
    user = User(email=email, name=name, role=role, organisation=organisation)
    user.set_password(password)
    session.add(user)
    session.flush()
    return user


@cache
def dummy_password_hash() -> str:
    """The hash of a random password, made as new passwords are: an unknown or disabled
    account's password is checked against it, so it costs what a real account's check costs."""
    return hash_password(secrets.token_urlsafe(24))


def check_throttle(session: Session, email: str, remote_addr: str | None, throttle: Throttle):
    """Raise ``SignInThrottled`` when sign-in to ``email`` from ``remote_addr`` must wait.

    Failures within the window count three ways. For the pair of account and address, they
    stop at ``max_failures``: one machine guessing one password. Over the whole account (every
    address) and over the whole address (ten times as many, every account) they stop too, but
    not from an address this account signed in from within ``known_for``: someone who knows a
    colleague's e-mail can lock it only for places it is not used from, never at its own desk.
    """
    since = now_utc() - throttle.window
    failures = select(func.count()).where(
        LoginAttempt.attempted_dt >= since, LoginAttempt.succeeded.is_(False)
    )
    same_pair = failures.where(LoginAttempt.email == email, LoginAttempt.remote_addr == remote_addr)
    reason = None
    if session.scalar(same_pair) >= throttle.max_failures:
        reason = "account_and_address"
    elif not _known_address(session, email, remote_addr, throttle.known_for):
        if session.scalar(failures.where(LoginAttempt.email == email)) >= throttle.max_failures:
            reason = "account"
        elif session.scalar(failures.where(LoginAttempt.remote_addr == remote_addr)) >= (
            10 * throttle.max_failures
        ):
            reason = "address"
    if reason is None:
        return
    record_event(session, None, "auth.throttled", object_type="user", email=email, reason=reason)
    minutes = int(throttle.window.total_seconds() // 60)
    raise SignInThrottled(
        gettext(
            "Too many failed sign-in attempts. Try again in %(minutes)s minutes, or from a "
            "computer you have signed in from before, or ask your supervisor to check your "
            "account.",
            minutes=minutes,
        )
    )


def _known_address(session: Session, email: str, remote_addr: str | None, known_for) -> bool:
    if remote_addr is None:
        return False
    return bool(
        session.scalar(
            select(
                exists().where(
                    LoginAttempt.email == email,
                    LoginAttempt.remote_addr == remote_addr,
                    LoginAttempt.succeeded.is_(True),
                    LoginAttempt.attempted_dt >= now_utc() - known_for,
                )
            )
        )
    )


def authenticate(
    session: Session, email: str, password: str, remote_addr: str | None, throttle: Throttle
) -> User | None:
    """The user if the credentials are right and sign-in is not throttled; records the attempt.
    A user with a second factor is returned but not yet signed in: the caller asks for a code.

    A throttled attempt raises ``SignInThrottled`` without checking the password, so guessing
    stops even when a guess would be right. An unknown or disabled account is checked against
    a dummy hash: it takes as long as a real one, so timing does not tell which e-mails exist.
    """
    email = email.strip().lower()
    check_throttle(session, email, remote_addr, throttle)
    user = session.scalar(select(User).where(User.email == email))
    # a system account (a court's or prison's system) signs in only by API token
    if user is not None and user.is_enabled and user.role is not Role.system:
        ok = user.check_password(password)
    else:
        password_matches(dummy_password_hash(), password)
        ok = False
    if ok and user.has_second_factor:
        # not signed in yet: the attempt succeeds (and the address becomes known) only with
        # the code (``second_factor.complete_sign_in``)
        record_event(session, user, "auth.password_accepted", user)
        return user
    session.add(LoginAttempt(email=email, remote_addr=remote_addr, succeeded=ok))
    if not ok:
        record_event(session, None, "auth.login_failed", object_type="user", email=email)
        return None
    user.last_login_dt = now_utc()
    record_event(session, user, "auth.login", user)
    return user


def end_sessions(session: Session, user: User) -> None:
    """End every session of ``user``, on every device: the version their cookies carry is
    no longer the user's. Atomic in the database, so two at once both count."""
    user.session_version = User.session_version + 1
    session.flush()
    session.refresh(user, ["session_version"])


def sign_out(session: Session, user: User) -> None:
    """Sign the user out everywhere: this browser, and any other holding one of their sessions."""
    end_sessions(session, user)
    record_event(session, user, "auth.logout", user)


def change_password(
    session: Session,
    user: User,
    current: str,
    new: str,
    remote_addr: str | None,
    throttle: Throttle,
) -> None:
    """Change one's own password, proving the current one; every other session ends.

    A wrong current password counts as a failed sign-in (a stolen session must not become a
    way to guess the password), and throttling applies as at sign-in.
    """
    check_throttle(session, user.email, remote_addr, throttle)
    if not user.check_password(current):
        session.add(LoginAttempt(email=user.email, remote_addr=remote_addr, succeeded=False))
        record_event(session, user, "user.password_change_refused", user)
        raise WrongPassword(gettext("That is not your current password."), field="current_password")
    check_new_password(new, field="new_password")
    if new == current:
        raise DomainError(
            gettext("Choose a new password, different from the current one."), field="new_password"
        )
    user.set_password(new)
    end_sessions(session, user)
    record_event(session, user, "user.password_change", user)


def set_language(session: Session, user: User, locale: str | None) -> None:
    """The language of ``user``'s own pages: one Witness's pages are written in, or None (their
    browser's choice, else English)."""
    if locale is not None and locale not in UI_LANGUAGES:
        raise DomainError(
            gettext("Witness's pages are not written in that language."), field="locale"
        )
    if user.locale != locale:
        user.locale = locale
        record_event(session, user, "user.language", user, locale=locale)


def staff_choices(session: Session, *roles: Role, organisation_id: int | None = None):
    """Enabled users with one of ``roles``, optionally of one organisation, by name."""
    query = select(User).where(User.is_enabled.is_(True), User.role.in_(roles)).order_by(User.name)
    if organisation_id is not None:
        query = query.where(User.organisation_id == organisation_id)
    return list(session.scalars(query))
