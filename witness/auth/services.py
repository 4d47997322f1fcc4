"""Users and sign-in, with throttling of repeated failures."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from witness.audit.services import record_event
from witness.auth.models import LoginAttempt, Organisation, Role, User
from witness.core.errors import DomainError
from witness.core.time import now_utc


class SignInThrottled(DomainError):
    """Too many recent failures for this account or address."""


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
        raise DomainError(f"A user with e-mail {email} already exists.", field="email")
    if len(password) < 10:
        raise DomainError("Passwords must have at least 10 characters.", field="password")
    user = User(email=email, name=name, role=role, organisation=organisation)
    user.set_password(password)
    session.add(user)
    session.flush()
    return user


def authenticate(
    session: Session,
    email: str,
    password: str,
    remote_addr: str | None,
    *,
    max_failures: int,
    window,
) -> User | None:
    """The user if the credentials are right and sign-in is not throttled; records the attempt.

    Raises ``SignInThrottled`` after ``max_failures`` failures for the account, or ten times as
    many from the address, within ``window`` — without checking the password, so guessing
    stops even when a guess would be right.
    """
    email = email.strip().lower()
    since = now_utc() - window
    failures = select(func.count()).where(
        LoginAttempt.attempted_dt >= since, LoginAttempt.succeeded.is_(False)
    )
    by_account = session.scalar(failures.where(LoginAttempt.email == email))
    by_address = session.scalar(failures.where(LoginAttempt.remote_addr == remote_addr))
    if by_account >= max_failures or by_address >= 10 * max_failures:
        record_event(session, None, "auth.throttled", object_type="user", email=email)
        minutes = int(window.total_seconds() // 60)
        raise SignInThrottled(
            f"Too many failed sign-in attempts. Try again in {minutes} minutes, "
            "or ask your supervisor to check your account."
        )
    user = session.scalar(select(User).where(User.email == email))
    ok = user is not None and user.is_enabled and user.check_password(password)
    session.add(LoginAttempt(email=email, remote_addr=remote_addr, succeeded=ok))
    if not ok:
        record_event(session, None, "auth.login_failed", object_type="user", email=email)
        return None
    user.last_login_dt = now_utc()
    record_event(session, user, "auth.login", user)
    return user


def staff_choices(session: Session, *roles: Role, organisation_id: int | None = None):
    """Enabled users with one of ``roles``, optionally of one organisation, by name."""
    query = select(User).where(User.is_enabled.is_(True), User.role.in_(roles)).order_by(User.name)
    if organisation_id is not None:
        query = query.where(User.organisation_id == organisation_id)
    return list(session.scalars(query))
