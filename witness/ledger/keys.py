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

from collections.abc import Mapping
from pathlib import Path

from flask import Flask

from witness.config import ConfigError
from witness.core.keyring import (  # noqa: F401 - names stay importable from here
    KEY_ID,
    KEY_LINE,
    KEY_SETTING,
    MIN_SECRET,
    KeyRing,
    keyring,
    new_key,
    old_keys,
    parse_key,
)

#: the ring and its lookup live in ``core.keyring`` (the audit log signs with them too); these
#: names stay importable from here
__all__ = ["KeyRing", "init_app", "keyring", "load_keyring", "new_key", "parse_key"]

DEFAULT_FILE = "ledger_keys"
FILE_HEADER = (
    "# Witness ledger keys: one '<id> <secret>' a line; the last line signs new entries.\n"
    "# Keep every key whose entries must still be verified. Never edit a line; add one.\n"
)


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
        old = old_keys(config, "LEDGER_OLD_KEYS")
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
