"""Organisations, users and roles, and the sign-in attempts that drive throttling."""

from __future__ import annotations

import enum
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from witness.core.encrypted import EncryptedText
from witness.core.i18n import gettext
from witness.core.time import now_utc
from witness.db import Base, enum_column, intpk, str200


class OrganisationKind(enum.Enum):
    prosecution = "prosecution"
    ngo = "ngo"
    court_service = "court_service"
    prison = "prison"
    probation = "probation"


class Role(enum.Enum):
    admin = "admin"
    supervisor = "supervisor"
    liaison_officer = "liaison_officer"
    ngo_worker = "ngo_worker"
    prosecutor = "prosecutor"
    #: another system (a court's, a prison's): signs in only by API token, posts events
    system = "system"

    @property
    def label(self) -> str:
        return {
            "admin": gettext("Admin"),
            "supervisor": gettext("Supervisor"),
            "liaison_officer": gettext("Liaison officer"),
            "ngo_worker": gettext("NGO worker"),
            "prosecutor": gettext("Prosecutor"),
            "system": gettext("System account"),
        }[self.value]


class Organisation(Base):
    __tablename__ = "organisations"

    id: Mapped[intpk]
    name: Mapped[str200] = mapped_column(unique=True)
    kind: Mapped[OrganisationKind] = enum_column(OrganisationKind)
    #: every user of the organisation must sign in with a second factor, whatever their role
    #: (set by the organisation's administrators; admins and supervisors always must)
    require_second_factor: Mapped[bool] = mapped_column(default=False)

    users: Mapped[list[User]] = relationship(back_populates="organisation")


def hash_password(password: str) -> str:
    """The stored form of a new password (werkzeug's default method and cost)."""
    return generate_password_hash(password)


def password_matches(stored_hash: str, password: str) -> bool:
    """Whether ``password`` is the one ``stored_hash`` was made from."""
    return check_password_hash(stored_hash, password)


class User(UserMixin, Base):
    __tablename__ = "users"

    id: Mapped[intpk]
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str200]
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[Role] = enum_column(Role)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    is_enabled: Mapped[bool] = mapped_column(default=True)
    created_dt: Mapped[datetime] = mapped_column(default=now_utc)
    last_login_dt: Mapped[datetime | None]
    #: carried in the session cookie at sign-in and compared on every request: raising it ends
    #: every session of the user at once (sign-out, password change, deactivation, an
    #: administrator's "End all sessions"), since a cookie cannot be recalled from a browser
    session_version: Mapped[int] = mapped_column(default=1, server_default="1")
    #: the language of their pages ("th"), or None: their browser's choice, else English
    locale: Mapped[str | None] = mapped_column(String(16))
    #: the base32 TOTP secret of their authenticator app, or None (no second factor); encrypted
    #: at rest, and loaded only when a code is checked (not with every request's user)
    totp_secret: Mapped[str | None] = mapped_column(
        EncryptedText("users.totp_secret"), deferred=True
    )
    #: the secret shown while they set the factor up, until a code proves their app holds it:
    #: kept here (encrypted), never in the session cookie, whose old copies would keep it
    totp_pending_secret: Mapped[str | None] = mapped_column(
        EncryptedText("users.totp_pending_secret"), deferred=True
    )
    #: the last 30-second time step a code was accepted for: a code is never accepted twice
    totp_last_step: Mapped[int | None]
    #: when the second factor was confirmed
    totp_enrolled_dt: Mapped[datetime | None]

    organisation: Mapped[Organisation] = relationship(back_populates="users", lazy="joined")

    def set_password(self, password: str) -> None:
        self.password_hash = hash_password(password)

    def check_password(self, password: str) -> bool:
        return password_matches(self.password_hash, password)

    @property
    def has_second_factor(self) -> bool:
        # the confirmation time, set and cleared with the secret: the secret itself stays
        # unloaded (and encrypted) until a code is checked
        return self.totp_enrolled_dt is not None

    def second_factor_required(self, for_roles: bool) -> bool:
        """Whether this user must sign in with a second factor: an admin or supervisor when
        ``for_roles`` (the ``REQUIRE_SECOND_FACTOR`` setting), anyone whose organisation asks
        it. A system account signs in only by API token and never needs one."""
        if self.role is Role.system:
            return False
        if for_roles and self.role in (Role.admin, Role.supervisor):
            return True
        return self.organisation.require_second_factor

    @property
    def is_active(self) -> bool:  # Flask-Login refuses disabled accounts
        return self.is_enabled

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email} {self.role.value}>"


class LoginAttempt(Base):
    """One sign-in attempt; recent failures throttle the account and the address."""

    __tablename__ = "login_attempts"
    __table_args__ = (
        Index("ix_login_attempts_email_dt", "email", "attempted_dt"),
        Index("ix_login_attempts_addr_dt", "remote_addr", "attempted_dt"),
    )

    id: Mapped[intpk]
    #: as typed, lower-cased: throttling must also cover addresses that match no account
    email: Mapped[str] = mapped_column(String(254))
    remote_addr: Mapped[str | None] = mapped_column(String(64))
    attempted_dt: Mapped[datetime] = mapped_column(default=now_utc)
    succeeded: Mapped[bool]


class RecoveryCode(Base):
    """A one-time code that stands in for the authenticator app (a lost phone); only a salted
    hash is kept, and a used code is marked, never reused."""

    __tablename__ = "recovery_codes"

    id: Mapped[intpk]
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    #: hex random salt, one per code
    salt: Mapped[str] = mapped_column(String(32))
    #: hex PBKDF2-SHA256 of the code with its salt
    code_hash: Mapped[str] = mapped_column(String(64))
    created_dt: Mapped[datetime] = mapped_column(default=now_utc)
    used_dt: Mapped[datetime | None]


class TokenScope(enum.Enum):
    """What a token may do: act as its user, only read (GET) as its user, or only post outcome
    and custody events (a court or prison system's account)."""

    full = "full"
    events = "events"
    read = "read"

    @property
    def label(self) -> str:
        return {
            "full": gettext("Everything its user may do"),
            "events": gettext("Post case events only"),
            "read": gettext("Read only"),
        }[self.value]


class ApiToken(Base):
    """A personal token for the JSON API, acting as its user; shown once, kept only as a hash."""

    __tablename__ = "api_tokens"

    id: Mapped[intpk]
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    #: what the holder calls it ("court listing sync"), to tell tokens apart
    name: Mapped[str] = mapped_column(String(100))
    #: hex SHA-256 of the token. A fast hash is enough for 256 random bits, and lets a request
    #: find its token by index; a copy of the table cannot be replayed against the API.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    #: the token's first characters, shown in lists so a holder can recognise it
    prefix: Mapped[str] = mapped_column(String(16))
    created_dt: Mapped[datetime] = mapped_column(default=now_utc)
    #: refreshed at most once a minute, so a busy integration does not write on every request
    last_used_dt: Mapped[datetime | None]
    #: set once; a revoked token is refused and never comes back
    revoked_dt: Mapped[datetime | None]
    scope: Mapped[TokenScope] = enum_column(TokenScope, default=TokenScope.full)
    #: refused from this instant on (every token expires; chosen when it is created)
    expires_dt: Mapped[datetime]

    user: Mapped[User] = relationship()
