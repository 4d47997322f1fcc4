"""A ring of HMAC-SHA256 keys kept outside the database: the newest signs, the older ones still
verify what they signed (each signed record names its key's id). The ledger's keys
(``ledger.keys`` loads them) sign the ledger and the audit log; it lives here, below both, so
that the audit log (low in the stack) signs with it without importing the ledger."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field

from flask import current_app, has_app_context
from sqlalchemy.orm import Session

from witness.config import ConfigError
from witness.core.time import now_utc


@dataclass(frozen=True)
class KeyRing:
    """The signing key's id and every key's secret, by id."""

    signing_id: str
    secrets: Mapping[str, bytes] = field(repr=False)
    #: where the ring came from, for ``flask ledger-keys show``
    source: str = ""

    @classmethod
    def of(cls, keys: list[tuple[str, str]], source: str = "") -> KeyRing:
        """A ring of ``(id, secret)`` pairs, oldest first: the last signs."""
        if not keys:
            raise ConfigError(f"The ledger key ring ({source}) holds no key.")
        ring: dict[str, bytes] = {}
        for key_id, secret in keys:
            if key_id in ring and ring[key_id] != secret.encode():
                raise ConfigError(f"The ledger key id {key_id!r} is given twice ({source}).")
            ring[key_id] = secret.encode()
        return cls(keys[-1][0], ring, source)

    def mac(self, key_id: str, message: bytes) -> str | None:
        """HMAC-SHA256 of ``message`` under key ``key_id``; None when the ring lacks it."""
        secret = self.secrets.get(key_id)
        if secret is None:
            return None
        return hmac.new(secret, message, hashlib.sha256).hexdigest()

    def sign(self, message: bytes) -> str:
        """HMAC-SHA256 of ``message`` under the signing key."""
        return hmac.new(self.secrets[self.signing_id], message, hashlib.sha256).hexdigest()


def keyring(session: Session) -> KeyRing:
    """The ring of the app that opened ``session`` (``ledger.keys.init_app`` puts it in every
    session's ``info``)."""
    ring = session.info.get("ledger_keys")
    if ring is None and has_app_context():
        ring = current_app.extensions.get("witness.ledger_keys")
    if ring is None:
        raise RuntimeError("no ledger key ring: open the session from the app (create_app)")
    return ring


#: a key's id: what each signed or encrypted value names (it must not change)
KEY_ID = re.compile(r"[A-Za-z0-9._-]{1,40}", re.ASCII)
#: ``<id>:<secret>`` in the environment, ``<id> <secret>`` in a file; a secret of printable
#: ASCII without spaces
KEY_SETTING = re.compile(r"([^:\s]+):([!-~]+)", re.ASCII)
KEY_LINE = re.compile(r"([^:\s]+)\s+([!-~]+)", re.ASCII)
MIN_SECRET = 32


def parse_key(text: str, setting: str, pattern: re.Pattern = KEY_SETTING) -> tuple[str, str]:
    """``<id>:<secret>`` (``<id> <secret>`` in a file) as ``(id, secret)``; a bad one stops
    start-up with a message naming ``setting`` (the ledger's, the data's and the backups' keys
    are written alike)."""
    match = pattern.fullmatch(text.strip())
    key_id, secret = match.groups() if match else ("", "")
    if not KEY_ID.fullmatch(key_id) or len(secret) < MIN_SECRET:
        form = "<id>:<secret>" if pattern is KEY_SETTING else "<id> <secret>"
        raise ConfigError(
            f"{setting} must hold keys as '{form}': an id of letters, digits, '.', '_' or '-' "
            f"(at most 40) and a secret of at least {MIN_SECRET} printable ASCII characters "
            "without spaces (e.g. 64 hex digits: "
            "`python -c 'import secrets; print(secrets.token_hex(32))'`)."
        )
    return key_id, secret


def new_key() -> tuple[str, str]:
    """A fresh key: an id that says when it was made, and 256 random bits."""
    return f"{now_utc():%Y%m%d}-{secrets.token_hex(3)}", secrets.token_hex(32)


def old_keys(config: Mapping, name: str) -> list[tuple[str, str]]:
    """The earlier keys an ``<NAME>_OLD_KEYS`` setting lists, ``<id>:<secret>`` apart by
    commas, as ``(id, secret)`` pairs (kept to verify or decrypt what they signed)."""
    return [
        parse_key(part, f"WITNESS_{name}")
        for part in (config.get(name) or "").split(",")
        if part.strip()
    ]
