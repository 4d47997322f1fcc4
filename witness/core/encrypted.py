"""Column types that encrypt on the way in and decrypt on the way out (``core.crypto``), so
models, services and templates keep plain attributes.

Each column names itself ("witnesses.legal_name"): the name is the ciphertext's associated
data, so a value moved to another column fails to decrypt (``tests/core/test_encrypted.py``
checks every encrypted column names itself rightly). An encrypted column cannot be filtered,
sorted or searched in SQL; where an exact lookup is needed, a blind index column beside it
serves (``core.crypto.email_index``).
"""

from __future__ import annotations

import json
from datetime import date

from sqlalchemy import LargeBinary, Text
from sqlalchemy.types import TypeDecorator

from witness.core.crypto import UnknownKeyError, current_ring, refreshed_ring


def _open(decrypt):
    """``decrypt(ring)``; once more with the key file read again when the value's key is not
    in the ring (another process rotated the keys since this one started)."""
    try:
        return decrypt(current_ring())
    except UnknownKeyError:
        ring = refreshed_ring()
        if ring is None:
            raise
        return decrypt(ring)


class EncryptedText(TypeDecorator):
    """A string, stored encrypted as text."""

    impl = Text
    cache_ok = True

    def __init__(self, context: str) -> None:
        super().__init__()
        #: "table.column": the associated data every value of the column is bound to
        self.context = context

    def encode(self, value) -> str:
        return value

    def decode(self, text: str):
        return text

    def process_bind_param(self, value, dialect) -> str | None:
        if value is None:
            return None
        return current_ring().encrypt_text(self.encode(value), self.context)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return self.decode(_open(lambda ring: ring.decrypt_text(value, self.context)))


class EncryptedDate(EncryptedText):
    """A date, stored encrypted (its ISO form)."""

    cache_ok = True

    def encode(self, value: date) -> str:
        if not isinstance(value, date):
            raise TypeError(f"{self.context} takes a date, not {type(value).__name__}")
        return value.isoformat()

    def decode(self, text: str) -> date:
        return date.fromisoformat(text)


class EncryptedJSON(EncryptedText):
    """A JSON document, stored encrypted."""

    cache_ok = True

    def encode(self, value) -> str:
        return json.dumps(value, ensure_ascii=False, sort_keys=True)

    def decode(self, text: str):
        return json.loads(text)


class EncryptedBytes(TypeDecorator):
    """Bytes (a PDF), stored encrypted."""

    impl = LargeBinary
    cache_ok = True

    def __init__(self, context: str) -> None:
        super().__init__()
        self.context = context

    def process_bind_param(self, value, dialect) -> bytes | None:
        if value is None:
            return None
        return current_ring().encrypt_bytes(bytes(value), self.context)

    def process_result_value(self, value, dialect) -> bytes | None:
        if value is None:
            return None
        return _open(lambda ring: ring.decrypt_bytes(value, self.context))


ENCRYPTED_TYPES = (EncryptedText, EncryptedBytes)


def encrypted_columns(metadata) -> list[tuple[str, list[str]]]:
    """Every table with encrypted columns and their names, in the metadata's order."""
    found = []
    for table in metadata.sorted_tables:
        names = [c.name for c in table.columns if isinstance(c.type, ENCRYPTED_TYPES)]
        if names:
            found.append((table.name, names))
    return found
