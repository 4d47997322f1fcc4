"""The backup file: a database dump encrypted and authenticated in fixed-size chunks (pure: no
database, no app).

Layout::

    header  = MAGIC | version (1 byte) | key id length (1) | key id | salt (32)
              | key check (16) | chunk size (4, big-endian)
    chunks  = AES-256-GCM(chunk key, nonce = counter (11 bytes, big-endian) | final flag (1),
                          plaintext chunk, associated data = header) + tag (16), ...
    plaintext stream = manifest length (4) | manifest (JSON, UTF-8) | the dump

Why this construction (the STREAM construction of Hoang, Reyhanitabar, Rogaway and Vizár,
"Online Authenticated-Encryption and its Nonce-Reuse Misuse-Resistance", 2015, as *age* and
Tink's streaming AEAD use it):

- A dump may be gigabytes, so it is sealed a chunk at a time; each chunk is an AES-GCM message
  of its own, so nothing is ever released from a chunk whose tag fails.
- The chunk key is HKDF-SHA256 of the backup key and a random 256-bit salt fresh for every
  file: no two files share a key, so the counter nonce never repeats under a key.
- The chunk's position is in its nonce: a chunk moved, repeated or swapped fails its tag.
- The last chunk alone carries the final flag: a file cut short at a chunk boundary ends on a
  chunk sealed as not final, whose tag fails when it is opened as the last; bytes added after
  the final chunk fail as a chunk of their own.
- The header (version, key id, salt, chunk size) is every chunk's associated data, so changing
  any of it fails the first chunk. The key id names which key of the ring sealed the file, so a
  rotated ring still opens old backups; the key check (a second HKDF output, independent of the
  chunk key) tells a wrong key from a damaged file without trying to decrypt.

The manifest travels inside the encryption: the row counts and revision it records are neither
readable nor changeable without the key. A caller must not act on the manifest or the dump
until ``open_backup`` has returned: only then has the final chunk been authenticated.
"""

from __future__ import annotations

import hmac
import json
import os
import struct
from collections.abc import Callable
from typing import BinaryIO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

MAGIC = b"WITNESS-BACKUP\n"
VERSION = 1
CHUNK_SIZE = 64 * 1024
TAG_SIZE = 16
SALT_SIZE = 32
CHECK_SIZE = 16
#: a manifest is a few kilobytes; anything far larger is not one
MAX_MANIFEST = 1024 * 1024
#: chunk sizes a reader accepts (a writer always uses CHUNK_SIZE)
MAX_CHUNK = 16 * 1024 * 1024


class BackupFileError(ValueError):
    """A backup file that cannot be opened: not a backup, a key the ring lacks, a wrong key,
    or a file changed, reordered or cut short. The message says which."""


def _derive(secret: bytes, salt: bytes, purpose: bytes, length: int = 32) -> bytes:
    return HKDF(
        algorithm=hashes.SHA256(), length=length, salt=salt, info=b"witness-backup:" + purpose
    ).derive(secret)


def _nonce(counter: int, final: bool) -> bytes:
    return counter.to_bytes(11, "big") + (b"\x01" if final else b"\x00")


def _header(key_id: str, salt: bytes, check: bytes, chunk_size: int) -> bytes:
    raw_id = key_id.encode("ascii")
    return (
        MAGIC
        + bytes([VERSION, len(raw_id)])
        + raw_id
        + salt
        + check
        + struct.pack(">I", chunk_size)
    )


class _Sealer:
    """Buffers plaintext and writes it out as sealed chunks, the last one flagged final."""

    def __init__(self, out: BinaryIO, key_id: str, secret: bytes) -> None:
        salt = os.urandom(SALT_SIZE)
        self.out, self.counter, self.buffer = out, 0, bytearray()
        self.aead = AESGCM(_derive(secret, salt, b"chunks"))
        self.header = _header(key_id, salt, _derive(secret, salt, b"check", CHECK_SIZE), CHUNK_SIZE)
        out.write(self.header)

    def write(self, data: bytes) -> None:
        self.buffer += data
        # keep at least one byte back: the final chunk is only known when the input ends
        while len(self.buffer) > CHUNK_SIZE:
            self._seal(bytes(self.buffer[:CHUNK_SIZE]), final=False)
            del self.buffer[:CHUNK_SIZE]

    def close(self) -> None:
        self._seal(bytes(self.buffer), final=True)
        self.buffer.clear()

    def _seal(self, chunk: bytes, final: bool) -> None:
        self.out.write(self.aead.encrypt(_nonce(self.counter, final), chunk, self.header))
        self.counter += 1


def seal_backup(out: BinaryIO, key_id: str, secret: bytes, manifest: dict, dump: BinaryIO) -> None:
    """Write ``manifest`` and the whole of ``dump`` to ``out``, encrypted under ``secret``."""
    sealer = _Sealer(out, key_id, secret)
    text = json.dumps(manifest, sort_keys=True).encode()
    sealer.write(struct.pack(">I", len(text)) + text)
    while block := dump.read(CHUNK_SIZE):
        sealer.write(block)
    sealer.close()


def read_header(source: BinaryIO) -> tuple[str, bytes, bytes, int, bytes]:
    """The header's key id, salt, key check and chunk size, and the header's bytes."""
    magic = source.read(len(MAGIC))
    if magic != MAGIC:
        raise BackupFileError("This is not a Witness backup file.")
    fixed = source.read(2)
    if len(fixed) != 2 or fixed[0] != VERSION:
        raise BackupFileError(
            f"This backup file has format version {fixed[0] if fixed else '?'}; this Witness "
            f"reads version {VERSION}."
        )
    rest = source.read(fixed[1] + SALT_SIZE + CHECK_SIZE + 4)
    if len(rest) != fixed[1] + SALT_SIZE + CHECK_SIZE + 4:
        raise BackupFileError("The backup file is cut short: its header is incomplete.")
    key_id = rest[: fixed[1]].decode("ascii", "replace")
    salt = rest[fixed[1] : fixed[1] + SALT_SIZE]
    check = rest[fixed[1] + SALT_SIZE : fixed[1] + SALT_SIZE + CHECK_SIZE]
    (chunk_size,) = struct.unpack(">I", rest[-4:])
    if not 0 < chunk_size <= MAX_CHUNK:
        raise BackupFileError("The backup file's header is damaged (its chunk size).")
    return key_id, salt, check, chunk_size, MAGIC + fixed + rest


class _Opener:
    """Reads sealed chunks in order, each authenticated before any of it is used."""

    def __init__(self, source: BinaryIO, secret_for: Callable[[str], bytes | None]) -> None:
        key_id, salt, check, self.chunk_size, self.header = read_header(source)
        secret = secret_for(key_id)
        if secret is None:
            raise BackupFileError(
                f"This backup was encrypted with backup key {key_id!r}, which is not in the "
                "key ring: add that key (WITNESS_BACKUP_OLD_KEYS or a line of the key file)."
            )
        if not hmac.compare_digest(_derive(secret, salt, b"check", CHECK_SIZE), check):
            raise BackupFileError(
                f"The backup key {key_id!r} in the key ring is not the key this backup was "
                "encrypted with (wrong key)."
            )
        self.source, self.counter, self.finished = source, 0, False
        self.aead = AESGCM(_derive(secret, salt, b"chunks"))
        self.pending = source.read(self.chunk_size + TAG_SIZE)

    def chunks(self):
        """Each chunk's plaintext, in order; raises on the first that fails."""
        while not self.finished:
            sealed, self.pending = self.pending, self.source.read(self.chunk_size + TAG_SIZE)
            final = not self.pending
            try:
                plain = self.aead.decrypt(_nonce(self.counter, final), sealed, self.header)
            except (InvalidTag, ValueError):  # ValueError: shorter than a tag
                where = f"chunk {self.counter + 1}"
                if final:
                    raise BackupFileError(
                        f"The backup file is cut short or altered ({where}, its last, is not "
                        "the final chunk it was written with, or was changed)."
                    ) from None
                raise BackupFileError(
                    f"The backup file was altered or its chunks reordered ({where} fails its "
                    "authentication)."
                ) from None
            self.counter += 1
            self.finished = final
            yield plain


def open_backup(
    source: BinaryIO, secret_for: Callable[[str], bytes | None], dump_out: BinaryIO
) -> dict:
    """Decrypt ``source`` into ``dump_out`` and return its manifest, once every chunk up to and
    including the final one has been authenticated; raises ``BackupFileError`` otherwise (what
    was written to ``dump_out`` by then must be discarded)."""
    opener = _Opener(source, secret_for)
    head = bytearray()
    manifest_length: int | None = None
    for plain in opener.chunks():
        if manifest_length is not None:
            dump_out.write(plain)
            continue
        head += plain
        if len(head) < 4:
            continue
        length = struct.unpack(">I", head[:4])[0]
        if length > MAX_MANIFEST:
            raise BackupFileError("The backup file's manifest is damaged.")
        if len(head) >= 4 + length:
            manifest_length = length
            dump_out.write(bytes(head[4 + length :]))
    if manifest_length is None:
        raise BackupFileError("The backup file holds no manifest.")
    try:
        manifest = json.loads(bytes(head[4 : 4 + manifest_length]))
    except ValueError:
        raise BackupFileError("The backup file's manifest is damaged.") from None
    if not isinstance(manifest, dict):
        raise BackupFileError("The backup file's manifest is damaged.")
    return manifest
