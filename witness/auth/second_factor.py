"""The second factor: a TOTP authenticator app (RFC 6238) and one-time recovery codes.

A user enrols by scanning a secret and proving it with a current code; only then does it take
effect, and they get ten recovery codes, shown once and kept only as salted hashes. At sign-in,
after the password, a code from the app (or an unused recovery code) completes the sign-in. A
code is never accepted twice (the last accepted time step is kept), and wrong codes count as
failed sign-ins for the throttle (``auth.services.check_throttle``).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

import pyotp
import segno
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from witness.audit.services import record_event
from witness.auth.models import LoginAttempt, RecoveryCode, User
from witness.auth.services import Throttle, check_throttle
from witness.core.errors import DomainError, RecordedRefusal
from witness.core.i18n import gettext
from witness.core.time import now_utc

#: seconds per code (what every authenticator app uses)
PERIOD = 30
#: steps either side of now a code is accepted for (a phone's clock a little off)
VALID_WINDOW = 1
RECOVERY_CODES = 10
#: recovery code characters: no 0/O or 1/l/I to misread when typing it from paper
_RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
_RECOVERY_LENGTH = 10
#: PBKDF2 rounds for a recovery code: the code is random (about 49 bits), so this only slows
#: guessing from a stolen copy of the table, while ten checks at sign-in stay quick
_RECOVERY_ROUNDS = 20_000
ISSUER = "Witness"


class WrongCode(RecordedRefusal):
    """A wrong, reused or used-up code at sign-in: recorded as a failed attempt, so the caller
    commits rather than rolls back."""


def new_secret() -> str:
    """A fresh TOTP secret (160 random bits, base32)."""
    return pyotp.random_base32()


def grouped(secret: str) -> str:
    """The secret in groups of four, for typing into an app by hand."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def qr_svg(user: User, secret: str) -> str:
    """The ``otpauth://`` address of ``secret`` as an inline SVG QR code, for the app to scan."""
    uri = pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=ISSUER)
    return segno.make(uri, error="m").svg_inline(scale=5, title=gettext("QR code to scan"))


def _current_step() -> int:
    return int(now_utc().timestamp()) // PERIOD


def _matching_step(secret: str, code: str) -> int | None:
    """The time step (within the window around now) that ``code`` is the code of, or None.
    Every candidate is compared in constant time."""
    totp = pyotp.TOTP(secret)
    now = _current_step()
    found = None
    for step in range(now - VALID_WINDOW, now + VALID_WINDOW + 1):
        if hmac.compare_digest(totp.generate_otp(step), code):
            found = step
    return found


def _clean(code: str) -> str:
    return "".join((code or "").split()).replace("-", "").lower()


def is_totp_code(code: str) -> bool:
    cleaned = _clean(code)
    return len(cleaned) == 6 and cleaned.isascii() and cleaned.isdigit()


def _hash_recovery(code: str, salt: str) -> str:
    return hashlib.pbkdf2_hmac("sha256", code.encode(), bytes.fromhex(salt), _RECOVERY_ROUNDS).hex()


def new_recovery_codes(session: Session, user: User) -> list[str]:
    """A fresh set of recovery codes for ``user``, returned in plain this once; every code of
    the old set stops working."""
    session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = []
    for _ in range(RECOVERY_CODES):
        code = "".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(_RECOVERY_LENGTH))
        salt = secrets.token_hex(16)
        session.add(RecoveryCode(user_id=user.id, salt=salt, code_hash=_hash_recovery(code, salt)))
        codes.append(f"{code[:5]}-{code[5:]}")
    session.flush()
    return codes


def unused_recovery_codes(session: Session, user: User) -> int:
    return session.scalar(
        select(func.count()).where(RecoveryCode.user_id == user.id, RecoveryCode.used_dt.is_(None))
    )


def _use_recovery_code(session: Session, user: User, code: str) -> bool:
    """Mark the unused recovery code ``code`` used; False when there is none. Every unused code
    is checked, whichever matches, so the time taken does not say which."""
    cleaned = _clean(code)
    match = None
    for row in session.scalars(
        select(RecoveryCode).where(RecoveryCode.user_id == user.id, RecoveryCode.used_dt.is_(None))
    ):
        if hmac.compare_digest(_hash_recovery(cleaned, row.salt), row.code_hash):
            match = row
    if match is None:
        return False
    match.used_dt = now_utc()
    return True


def enrolment_secret(user: User) -> str:
    """The key ``user`` is setting up: the one shown before (the page may be reloaded, or the
    app scanned on another visit), else a new one, kept on the user until confirmed."""
    if user.totp_pending_secret is None:
        user.totp_pending_secret = new_secret()
    return user.totp_pending_secret


def confirm_enrolment(session: Session, user: User, code: str) -> list[str]:
    """Turn on the second factor being set up once ``code`` proves the app holds its key;
    returns the new recovery codes (shown once)."""
    if user.has_second_factor:
        raise DomainError(gettext("Your second factor is already on."))
    secret = user.totp_pending_secret
    if secret is None:
        raise DomainError(gettext("Open the set-up page again: it shows the key to scan."))
    step = _matching_step(secret, _clean(code)) if is_totp_code(code) else None
    if step is None:
        raise DomainError(
            gettext(
                "That is not the current code of this key. Check the app shows Witness and "
                "your e-mail, and type the 6 digits it shows now."
            ),
            field="code",
        )
    user.totp_secret, user.totp_pending_secret = secret, None
    user.totp_last_step = step
    user.totp_enrolled_dt = now_utc()
    codes = new_recovery_codes(session, user)
    record_event(session, user, "user.second_factor_enrolled", user)
    return codes


def _refuse(session, user, remote_addr, action: str, message: str, **detail) -> None:
    session.add(LoginAttempt(email=user.email, remote_addr=remote_addr, succeeded=False))
    record_event(session, user, action, user, **detail)
    raise WrongCode(message, field="code")


def check_code(
    session: Session, user: User, code: str, remote_addr: str | None, throttle: Throttle
) -> str:
    """Check a code of ``user``'s second factor: from the app (not used before) or an unused
    recovery code, which is then used up. Returns "totp" or "recovery_code"; a wrong or reused
    code raises ``WrongCode`` after recording a failed attempt (throttled as sign-in)."""
    check_throttle(session, user.email, remote_addr, throttle)
    if is_totp_code(code):
        step = _matching_step(user.totp_secret, _clean(code))
        if step is not None and user.totp_last_step is not None and step <= user.totp_last_step:
            _refuse(
                session,
                user,
                remote_addr,
                "auth.second_factor_replayed",
                gettext("That code was already used. Wait for the next code and type it."),
            )
        if step is None:
            _refuse(
                session,
                user,
                remote_addr,
                "auth.second_factor_failed",
                gettext("That code is not right. Type the 6 digits your app shows now."),
            )
        user.totp_last_step = step
        return "totp"
    if not _use_recovery_code(session, user, code):
        _refuse(
            session,
            user,
            remote_addr,
            "auth.second_factor_failed",
            gettext("That code is not right, or that recovery code was already used."),
            kind="recovery_code",
        )
    record_event(
        session, user, "auth.recovery_code_used", user, left=unused_recovery_codes(session, user)
    )
    return "recovery_code"


class PendingSignIn(DomainError):
    """The half-finished sign-in is no longer good (expired, ended, account changed)."""


def complete_sign_in(
    session: Session,
    user_id: int,
    session_version: int,
    expires: float,
    code: str,
    remote_addr: str | None,
    throttle: Throttle,
) -> User:
    """Finish a sign-in whose password was right: ``code`` is checked (``check_code``) for the
    user it was begun for, while it has not expired and their sessions were not ended since."""
    user = session.get(User, user_id)
    if (
        user is None
        or not user.is_enabled
        or not user.has_second_factor
        or user.session_version != session_version
        or now_utc().timestamp() > expires
    ):
        raise PendingSignIn(gettext("Your sign-in took too long or was ended. Sign in again."))
    method = check_code(session, user, code, remote_addr, throttle)
    session.add(LoginAttempt(email=user.email, remote_addr=remote_addr, succeeded=True))
    user.last_login_dt = now_utc()
    record_event(session, user, "auth.login", user, second_factor=method)
    return user


def renew_recovery_codes(
    session: Session, user: User, code: str, remote_addr: str | None, throttle: Throttle
) -> list[str]:
    """A new set of recovery codes, proven with a current code of the app (a borrowed session
    alone must not mint them); the old set stops working."""
    if not user.has_second_factor:
        raise DomainError(gettext("Turn on a second factor first."))
    if not is_totp_code(code):
        raise DomainError(gettext("Type the 6 digits your app shows now."), field="code")
    check_code(session, user, code, remote_addr, throttle)
    codes = new_recovery_codes(session, user)
    record_event(session, user, "user.recovery_codes_renewed", user)
    return codes


def remove_second_factor(session: Session, user: User) -> None:
    """Take away ``user``'s second factor and recovery codes (the caller audits and ends their
    sessions)."""
    user.totp_secret = user.totp_pending_secret = None
    user.totp_last_step = None
    user.totp_enrolled_dt = None
    session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
