"""The ledger's keys: HMAC-SHA256 keys kept outside the database, so that someone with a copy of
the database (or write access to it) cannot forge an entry or a checkpoint whose hash passes.

A key ring holds every key still needed: the newest signs what is recorded from now on, the
older ones verify what they signed (each entry records its key's id). It comes from, first
found wins:

- ``WITNESS_LEDGER_KEY=<id>:<secret>`` (signs) and ``WITNESS_LEDGER_OLD_KEYS=<id>:<secret>,...``;
- ``WITNESS_LEDGER_KEY_FILE``: a file of ``<id> <secret>`` lines, the last of which signs;
- ``instance/ledger_keys``, that file generated on first start (as the secret key is).

Rotating appends a key (``flask ledger-keys rotate``); a key is never removed while entries it
signed must be verified, or they are reported as unverifiable.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from flask import Flask, current_app, has_app_context
from sqlalchemy.orm import Session

from witness.config import ConfigError
from witness.core.time import now_utc

KEY_ID = re.compile(r"[A-Za-z0-9._-]{1,40}", re.ASCII)
#: ``<id>:<secret>`` in the environment, ``<id> <secret>`` in a file; a secret of printable
#: ASCII without spaces
KEY_SETTING = re.compile(r"([^:\s]+):([!-~]+)", re.ASCII)
KEY_LINE = re.compile(r"([^:\s]+)\s+([!-~]+)", re.ASCII)
MIN_SECRET = 32
DEFAULT_FILE = "ledger_keys"
FILE_HEADER = (
    "# Witness ledger keys: one '<id> <secret>' a line; the last line signs new entries.\n"
    "# Keep every key whose entries must still be verified. Never edit a line; add one.\n"
)


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


def parse_key(text: str, setting: str, pattern: re.Pattern = KEY_SETTING) -> tuple[str, str]:
    """``<id>:<secret>`` (``<id> <secret>`` in a file) as ``(id, secret)``; a bad one stops
    start-up with a message naming ``setting``."""
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


def read_key_file(path: Path) -> list[tuple[str, str]]:
    setting = f"the ledger key file {path}"
    lines = path.read_text().splitlines()
    return [
        parse_key(line, setting, KEY_LINE)
        for line in lines
        if line.strip() and not line.startswith("#")
    ]


def append_key(path: Path, key: tuple[str, str]) -> None:
    """Add ``key`` to the ring file as its signing key (created, readable by its owner only)."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(FILE_HEADER)
        path.chmod(0o600)
    with path.open("a") as out:
        out.write(f"{key[0]} {key[1]}\n")


def key_file(config: Mapping, instance_path: Path) -> Path:
    return Path(config.get("LEDGER_KEY_FILE") or instance_path / DEFAULT_FILE)


def load_keyring(config: Mapping, instance_path: Path) -> KeyRing:
    """The ring the configuration names: the environment's keys, else the key file (the default
    one generated when missing; a named one must exist)."""
    signing = config.get("LEDGER_KEY")
    if signing:
        old = [
            parse_key(part, "WITNESS_LEDGER_OLD_KEYS")
            for part in (config.get("LEDGER_OLD_KEYS") or "").split(",")
            if part.strip()
        ]
        return KeyRing.of([*old, parse_key(signing, "WITNESS_LEDGER_KEY")], "environment")
    path = key_file(config, instance_path)
    if not path.exists():
        if config.get("LEDGER_KEY_FILE"):
            raise ConfigError(f"WITNESS_LEDGER_KEY_FILE names {path}, which does not exist.")
        append_key(path, new_key())
    return KeyRing.of(read_key_file(path), str(path))


def init_app(app: Flask) -> None:
    """Load the ring once, for the app and for every session it opens (services sign with it
    without reaching for the app)."""
    ring = load_keyring(app.config, Path(app.instance_path))
    app.extensions["witness.ledger_keys"] = ring
    app.extensions["witness.db"].sessionmaker.configure(info={"ledger_keys": ring})


def keyring(session: Session) -> KeyRing:
    """The ring of the app that opened ``session``."""
    ring = session.info.get("ledger_keys")
    if ring is None and has_app_context():
        ring = current_app.extensions.get("witness.ledger_keys")
    if ring is None:
        raise RuntimeError("no ledger key ring: open the session from the app (create_app)")
    return ring
