"""API tokens: created by their user, shown once, kept as a hash, revocable.

A token is ``wit_`` followed by 43 URL-safe characters (32 random bytes). Only its SHA-256 is
stored, with its first characters for display; whoever reads the table cannot use it.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from witness.audit.services import record_event
from witness.auth.models import ApiToken, Role, TokenScope, User
from witness.core.errors import AccessDenied, DomainError, NotFound
from witness.core.i18n import gettext
from witness.core.time import now_utc

TOKEN_PREFIX = "wit_"
#: characters of the token kept in clear, to recognise it in a list (prefix + 8 random ones)
SHOWN_CHARS = len(TOKEN_PREFIX) + 8
NAME_MAX = 100
#: how stale ``last_used_dt`` may get before a request refreshes it
LAST_USED_RESOLUTION = timedelta(minutes=1)
#: the lifetimes a token may be given, in days; every token expires
LIFETIME_DAYS = (30, 90, 180, 365)
DEFAULT_LIFETIME_DAYS = 90
#: the scopes a user gives their own token (``events`` is for system accounts only)
OWN_SCOPES = (TokenScope.full, TokenScope.read)


def hash_token(plaintext: str) -> str:
    """The stored form of a token."""
    return hashlib.sha256(plaintext.encode("utf-8", "surrogatepass")).hexdigest()


def create_token(
    session: Session,
    actor: User,
    name: str,
    *,
    scope: TokenScope = TokenScope.full,
    days: int = DEFAULT_LIFETIME_DAYS,
) -> tuple[ApiToken, str]:
    """Create a token for ``actor`` (everything they may do, or read only), expiring after
    ``days``; returns it with its plaintext, which is never kept."""
    if scope not in OWN_SCOPES:
        raise DomainError(gettext("Choose what the token may do."), field="scope")
    token, plaintext = _new_token(session, actor, name, scope, days)
    record_event(
        session,
        actor,
        "api_token.create",
        token,
        name=token.name,
        prefix=token.prefix,
        scope=scope.value,
        expires=token.expires_dt.isoformat(),
    )
    return token, plaintext


def create_system_token(
    session: Session, actor: User, system: User, name: str, days: int = DEFAULT_LIFETIME_DAYS
) -> tuple[ApiToken, str]:
    """An administrator creates a token for a system account (a court's or prison's system)
    of their organisation; it may only post and read case events (``TokenScope.events``)."""
    if actor.role is not Role.admin or system.organisation_id != actor.organisation_id:
        raise AccessDenied("Only administrators create tokens for their system accounts.")
    if system.role is not Role.system:
        raise DomainError(
            gettext("Only a system account gets a token scoped to case events."), "name"
        )
    token, plaintext = _new_token(session, system, name, TokenScope.events, days)
    record_event(
        session,
        actor,
        "api_token.create",
        token,
        name=token.name,
        prefix=token.prefix,
        scope=TokenScope.events.value,
        for_user=system.id,
        expires=token.expires_dt.isoformat(),
    )
    return token, plaintext


def _new_token(session: Session, owner: User, name: str, scope: TokenScope, days: int):
    if days not in LIFETIME_DAYS:
        raise DomainError(
            gettext("A token lasts 30, 90, 180 or 365 days; choose one of them."), field="days"
        )
    name = " ".join((name or "").split())
    if not name:
        raise DomainError(gettext("Give the token a name, e.g. what will use it."), field="name")
    if len(name) > NAME_MAX:
        raise DomainError(
            gettext("Use at most %(NAME_MAX)s characters for the name.", NAME_MAX=NAME_MAX),
            field="name",
        )
    plaintext = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        user_id=owner.id,
        name=name,
        token_hash=hash_token(plaintext),
        prefix=plaintext[:SHOWN_CHARS],
        scope=scope,
        expires_dt=now_utc() + timedelta(days=days),
    )
    session.add(token)
    session.flush()
    return token, plaintext


def revoke_token(session: Session, actor: User, token_id: int) -> ApiToken:
    """Revoke one of the actor's own tokens; it is refused from then on. Another user's token,
    or none, is ``NotFound`` (the same answer for both) and the attempt is audited."""
    token = session.scalar(
        select(ApiToken).where(ApiToken.id == token_id, ApiToken.user_id == actor.id)
    )
    if token is None:
        record_event(
            session, actor, "api_token.revoke_refused", object_type="api_token", object_id=token_id
        )
        raise NotFound("No such token.")
    if token.revoked_dt is not None:
        raise DomainError(gettext("The token %(name)s is already revoked.", name=repr(token.name)))
    token.revoked_dt = now_utc()
    record_event(session, actor, "api_token.revoke", token, name=token.name, prefix=token.prefix)
    return token


def revoke_all_tokens(session: Session, actor: User, user: User, reason: str) -> int:
    """Revoke every live token of ``user`` (an account disabled); returns how many."""
    tokens = session.scalars(
        select(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_dt.is_(None))
    ).all()
    for token in tokens:
        token.revoked_dt = now_utc()
        record_event(
            session,
            actor,
            "api_token.revoke",
            token,
            name=token.name,
            prefix=token.prefix,
            reason=reason,
        )
    return len(tokens)


def live_token_count(session: Session, user: User) -> int:
    """How many of the user's tokens still work."""
    return session.scalar(
        select(func.count()).where(
            ApiToken.user_id == user.id,
            ApiToken.revoked_dt.is_(None),
            ApiToken.expires_dt > now_utc(),
        )
    )


def user_tokens(session: Session, user: User) -> list[ApiToken]:
    """The user's tokens, newest first, revoked ones included (they are history)."""
    return list(
        session.scalars(
            select(ApiToken)
            .where(ApiToken.user_id == user.id)
            .order_by(ApiToken.created_dt.desc(), ApiToken.id.desc())
        )
    )


def user_for_token(session: Session, plaintext: str) -> User | None:
    """The enabled user a live token acts for, or None; notes when the token was last used."""
    token = live_token(session, plaintext)
    return token.user if token is not None else None


def live_token(session: Session, plaintext: str) -> ApiToken | None:
    """The live token of an enabled user (``token.user``, ``token.scope``), or None; notes when
    the token was last used."""
    token, _ = check_token(session, plaintext)
    return token


def check_token(session: Session, plaintext: str) -> tuple[ApiToken | None, ApiToken | None]:
    """``(live, expired)``: the live token of an enabled user, noting when it was last used;
    or the token that would be, had it not expired (the caller says so); or neither."""
    if not plaintext.startswith(TOKEN_PREFIX):
        return None, None
    row = session.execute(
        select(ApiToken, User)
        .join(User, ApiToken.user_id == User.id)
        .where(ApiToken.token_hash == hash_token(plaintext))
    ).first()
    if row is None:
        return None, None
    token, user = row
    if token.revoked_dt is not None or not user.is_enabled:
        return None, None
    now = now_utc()
    if token.expires_dt <= now:
        return None, token
    if token.last_used_dt is None or now - token.last_used_dt >= LAST_USED_RESOLUTION:
        token.last_used_dt = now
    return token, None
