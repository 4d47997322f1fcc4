"""Encryption at rest of the most sensitive fields: the data key ring, authenticated
encryption, and keyed blind indexes for the few exact lookups.

AES-256-GCM (``cryptography``'s ``AESGCM``), not Fernet: GCM authenticates *associated data*,
and every value is bound to its column ("witnesses.legal_name"), so a ciphertext copied into
another column does not decrypt; Fernet has no associated data. Each value carries the id of
the key that encrypted it and a random 96-bit nonce; a ring keeps the older keys so what they
encrypted still decrypts until ``flask rotate-keys`` has re-encrypted it.

The ring comes from, first found wins (as the ledger's keys do, ``witness.ledger.keys``):

- ``WITNESS_DATA_KEY=<id>:<secret>`` (encrypts), ``WITNESS_DATA_OLD_KEYS=<id>:<secret>,...``
  and ``WITNESS_DATA_INDEX_KEY=<secret>`` (the blind indexes' key);
- ``WITNESS_DATA_KEY_FILE``: a file of ``<id> <secret>`` lines, the last of which encrypts,
  and one ``index <secret>`` line;
- ``instance/data_keys``, that file generated on first start (mode 0600).

The index key never rotates: a blind index is looked up by recomputing it, so a new key would
have to recompute every row's first (and it is only an HMAC, never a way back to the value).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import Flask, current_app, has_app_context

from witness.config import ConfigError
from witness.core.keyring import KEY_ID, KEY_LINE, MIN_SECRET, new_key, old_keys, parse_key

DEFAULT_FILE = "data_keys"
#: the id of the blind indexes' key in the key file (never a data key's)
INDEX_ID = "index"
FILE_HEADER = (
    "# Witness data keys: one '<id> <secret>' a line; the last data key encrypts new values.\n"
    "# 'index <secret>' keys the blind indexes and never changes. Keep every key that still\n"
    "# holds values (flask rotate-keys --check); never edit a line, add one.\n"
)
#: text ciphertexts: ``enc1:<key id>:<base64 of nonce + ciphertext + tag>``
TEXT_PREFIX = "enc1:"
#: binary ciphertexts: these bytes, the key id's length (one byte), the id, nonce + ciphertext
BINARY_PREFIX = b"WENC1"
NONCE_BYTES = 12


class DecryptionError(RuntimeError):
    """A stored value that does not decrypt: tampered with, moved from another column, or
    encrypted under a key the ring lacks. Never returned as garbage."""


class UnknownKeyError(DecryptionError):
    """A value encrypted under a key this ring does not hold (yet: see ``refreshed_ring``)."""


def _derive(secret: str, purpose: bytes) -> bytes:
    """A 256-bit key for ``purpose`` from a configured secret (any printable text of at least
    32 characters, as the ledger's keys are)."""
    hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"witness " + purpose)
    return hkdf.derive(secret.encode())


@dataclass(frozen=True)
class DataKeyRing:
    """Every data key by id (oldest first), the id of the one that encrypts, the index key."""

    current_id: str
    keys: Mapping[str, AESGCM] = field(repr=False)
    index_key: bytes = field(repr=False)
    source: str = ""

    @classmethod
    def of(cls, keys: list[tuple[str, str]], index_secret: str, source: str = "") -> DataKeyRing:
        if not keys:
            raise ConfigError(f"The data key ring ({source}) holds no data key.")
        ring: dict[str, AESGCM] = {}
        seen: dict[str, str] = {}
        for key_id, secret in keys:
            if key_id == INDEX_ID:
                raise ConfigError(f"'{INDEX_ID}' is the index key's id, not a data key's.")
            if key_id in seen and seen[key_id] != secret:
                raise ConfigError(f"The data key id {key_id!r} is given twice ({source}).")
            seen[key_id] = secret
            ring[key_id] = AESGCM(_derive(secret, b"data"))
        return cls(keys[-1][0], ring, _derive(index_secret, b"blind index"), source)

    # -- values ---------------------------------------------------------------------------------

    def encrypt(self, plaintext: bytes, context: str) -> tuple[str, bytes]:
        """``(key id, nonce + ciphertext)`` of ``plaintext`` bound to ``context``."""
        nonce = secrets.token_bytes(NONCE_BYTES)
        sealed = self.keys[self.current_id].encrypt(nonce, plaintext, context.encode())
        return self.current_id, nonce + sealed

    def decrypt(self, key_id: str, sealed: bytes, context: str) -> bytes:
        key = self.keys.get(key_id)
        if key is None:
            raise UnknownKeyError(
                f"{context}: a value is encrypted under key {key_id!r}, which the data key "
                f"ring ({self.source}) does not hold."
            )
        try:
            return key.decrypt(sealed[:NONCE_BYTES], sealed[NONCE_BYTES:], context.encode())
        except (InvalidTag, ValueError):
            raise DecryptionError(
                f"{context}: a stored value fails its integrity check: it was changed in the "
                "database or moved there from another column."
            ) from None

    def encrypt_text(self, value: str, context: str) -> str:
        key_id, sealed = self.encrypt(value.encode(), context)
        return f"{TEXT_PREFIX}{key_id}:{base64.b64encode(sealed).decode()}"

    def decrypt_text(self, stored: str, context: str) -> str:
        key_id, sealed = _split_text(stored, context)
        return self.decrypt(key_id, sealed, context).decode()

    def encrypt_bytes(self, value: bytes, context: str) -> bytes:
        key_id, sealed = self.encrypt(value, context)
        return BINARY_PREFIX + bytes([len(key_id)]) + key_id.encode() + sealed

    def decrypt_bytes(self, stored: bytes, context: str) -> bytes:
        key_id, sealed = _split_bytes(bytes(stored), context)
        return self.decrypt(key_id, sealed, context)

    # -- blind indexes --------------------------------------------------------------------------

    def blind_index(self, kind: str, normalised: str) -> str:
        """HMAC-SHA256 of a normalised value under the index key (hex): equal values give equal
        indexes, and the index says nothing of the value without the key."""
        message = f"{kind}\x00{normalised}".encode()
        return hmac.new(self.index_key, message, hashlib.sha256).hexdigest()


def _split_text(stored: str, context: str) -> tuple[str, bytes]:
    head, _, rest = stored.partition(":")
    key_id, _, body = rest.partition(":")
    if head + ":" != TEXT_PREFIX or not KEY_ID.fullmatch(key_id):
        raise DecryptionError(f"{context}: a stored value is not encrypted (or is damaged).")
    try:
        return key_id, base64.b64decode(body, validate=True)
    except ValueError:
        raise DecryptionError(f"{context}: a stored value is damaged.") from None


def _split_bytes(stored: bytes, context: str) -> tuple[str, bytes]:
    if not stored.startswith(BINARY_PREFIX) or len(stored) < len(BINARY_PREFIX) + 1:
        raise DecryptionError(f"{context}: a stored value is not encrypted (or is damaged).")
    start = len(BINARY_PREFIX) + 1
    length = stored[start - 1]
    key_id = stored[start : start + length].decode("ascii", "replace")
    if not KEY_ID.fullmatch(key_id):
        raise DecryptionError(f"{context}: a stored value is damaged.")
    return key_id, stored[start + length :]


def key_id_of(stored: str | bytes | None) -> str | None:
    """The id of the key a stored value was encrypted under (None: no value, or not one)."""
    if stored is None:
        return None
    try:
        if isinstance(stored, str):
            return _split_text(stored, "")[0]
        return _split_bytes(bytes(stored), "")[0]
    except DecryptionError:
        return None


# -- the ring's sources ---------------------------------------------------------------------------


def new_index_secret() -> str:
    return secrets.token_hex(32)


def key_file(config: Mapping, instance_path: Path) -> Path:
    return Path(config.get("DATA_KEY_FILE") or instance_path / DEFAULT_FILE)


def read_key_file(path: Path) -> tuple[list[tuple[str, str]], str | None]:
    """The data keys (oldest first) and the index secret a key file holds."""
    setting = f"the data key file {path}"
    keys, index = [], None
    for line in path.read_text().splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        key_id, secret = parse_key(line, setting, KEY_LINE)
        if key_id == INDEX_ID:
            index = secret
        else:
            keys.append((key_id, secret))
    return keys, index


def append_key(path: Path, key: tuple[str, str]) -> None:
    """Add ``key`` to the key file as the one that encrypts (the file created, with an index
    key, readable by its owner only)."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(FILE_HEADER + f"{INDEX_ID} {new_index_secret()}\n")
        path.chmod(0o600)
    with path.open("a") as out:
        out.write(f"{key[0]} {key[1]}\n")


def load_data_keyring(config: Mapping, instance_path: Path) -> DataKeyRing:
    """The ring the configuration names: the environment's keys, else the key file (the default
    one generated when missing; a named one must exist)."""
    current = config.get("DATA_KEY")
    if current:
        old = old_keys(config, "DATA_OLD_KEYS")
        index = (config.get("DATA_INDEX_KEY") or "").strip()
        if len(index) < MIN_SECRET or not index.isprintable() or " " in index:
            raise ConfigError(
                "WITNESS_DATA_INDEX_KEY must be set with WITNESS_DATA_KEY: a secret of at least "
                f"{MIN_SECRET} printable characters that never changes (it keys the blind "
                "indexes)."
            )
        return DataKeyRing.of([*old, parse_key(current, "WITNESS_DATA_KEY")], index, "environment")
    path = key_file(config, instance_path)
    if not path.exists():
        if config.get("DATA_KEY_FILE"):
            raise ConfigError(f"WITNESS_DATA_KEY_FILE names {path}, which does not exist.")
        append_key(path, new_key())
    keys, index = read_key_file(path)
    if index is None:
        raise ConfigError(f"The data key file {path} has no '{INDEX_ID} <secret>' line.")
    return DataKeyRing.of(keys, index, str(path))


#: the ring of the app started last in this process, for writes outside an app context (the
#: data generator's writer thread, the migrations run from ``flask init-db``)
_process_ring: DataKeyRing | None = None


def init_app(app: Flask) -> None:
    """Load the ring once, for the app (``current_ring``)."""
    global _process_ring
    ring = load_data_keyring(app.config, Path(app.instance_path))
    app.extensions["witness.data_keys"] = ring
    _process_ring = ring


def set_ring(app: Flask, ring: DataKeyRing) -> None:
    """Make ``ring`` the app's (after ``flask rotate-keys`` added a key)."""
    global _process_ring
    app.extensions["witness.data_keys"] = ring
    _process_ring = ring


def current_ring() -> DataKeyRing:
    """The running app's ring; outside an app context, that of the app started last."""
    ring = current_app.extensions.get("witness.data_keys") if has_app_context() else None
    ring = ring or _process_ring
    if ring is None:
        raise RuntimeError("no data key ring: start the app (create_app) before reading data")
    return ring


def refreshed_ring() -> DataKeyRing | None:
    """The ring read again from its key file, when another process (``flask rotate-keys``)
    may have added a key to it since this one started; None when it comes from the
    environment (a new key there needs a restart)."""
    if not has_app_context():
        return None
    app = current_app._get_current_object()
    ring = app.extensions.get("witness.data_keys")
    if ring is None or ring.source == "environment":
        return None
    fresh = load_data_keyring(app.config, Path(app.instance_path))
    set_ring(app, fresh)
    return fresh


def migration_ring() -> DataKeyRing:
    """The ring for a migration: the app's when one runs it, else loaded as the app would."""
    if has_app_context() or _process_ring is not None:
        return current_ring()
    from witness.config import build_config
    from witness.paths import ROOT

    instance = ROOT / "instance"
    return load_data_keyring(build_config(instance), instance)


# -- normalising for the blind indexes ----------------------------------------------------------


def normal_email(value: str | None) -> str | None:
    """An e-mail address as compared: trimmed, in lower case (None when empty)."""
    value = (value or "").strip().lower()
    return value or None


def normal_phone(value: str | None) -> str | None:
    """A phone number as compared: its digits only, a leading + kept, a leading 00 read as +
    (None when it has no digits)."""
    text = (value or "").strip()
    digits = "".join(c for c in text if c.isascii() and c.isdigit())
    if not digits:
        return None
    if text.startswith("+"):
        return "+" + digits
    if digits.startswith("00"):
        return "+" + digits[2:]
    return digits


def email_index(value: str | None, ring: DataKeyRing | None = None) -> str | None:
    normal = normal_email(value)
    return None if normal is None else (ring or current_ring()).blind_index("email", normal)


def phone_index(value: str | None, ring: DataKeyRing | None = None) -> str | None:
    normal = normal_phone(value)
    return None if normal is None else (ring or current_ring()).blind_index("phone", normal)
