"""What a backup file stops: reading it without the key, and restoring one that was altered,
cut short, reordered or opened with the wrong key. Each is refused with a clear message and
exit status 1, and the database is left as it was."""

from __future__ import annotations

import io
import os
import stat
from pathlib import Path

import pytest

from witness.backup import crypto
from witness.backup.crypto import CHUNK_SIZE, TAG_SIZE, BackupFileError, open_backup, seal_backup

from .conftest import BACKUP_KEY, make_app

SEALED = CHUNK_SIZE + TAG_SIZE


def _header_length(path) -> int:
    with path.open("rb") as source:
        return len(crypto.read_header(source)[-1])


def _refused(installation, path, *words, app=None) -> None:
    """Restoring and verifying ``path`` are both refused, naming ``words``; nothing changed."""
    before = installation.facts()
    for command in (("restore", "--yes", str(path)), ("backup-verify", str(path))):
        result = installation.run(*command, app=app)
        assert result.exit_code == 1, result.output
        assert "Traceback" not in result.output
        for word in words:
            assert word in result.output
    assert installation.facts() == before


def test_the_backup_is_not_readable_plaintext(installation):
    good = installation.good.read_bytes()
    probes = [
        # a witness's reference (their name is encrypted in the database already)
        installation.scalar("SELECT reference FROM witnesses ORDER BY id LIMIT 1"),
        installation.scalar("SELECT email FROM users ORDER BY id LIMIT 1"),
        installation.scalar("SELECT description FROM support_items ORDER BY id LIMIT 1"),
        "CREATE TABLE",
        "alembic_version",
    ]
    if installation.engine == "sqlite":
        # the probes are there to be found in an unencrypted copy
        raw = installation.owner_url.removeprefix("sqlite:///")
        plain = b"".join(
            Path(name).read_bytes() for name in (raw, raw + "-wal") if os.path.exists(name)
        )
        assert all(probe.encode() in plain for probe in probes)
    for probe in probes:
        assert probe.encode() not in good
        assert probe.encode("utf-16-le") not in good


def test_a_backup_key_from_another_installation_is_refused(installation, tmp_path):
    other = make_app(
        installation.owner_url,
        installation.app_url,
        tmp_path,
        BACKUP_KEY=BACKUP_KEY.split(":")[0] + ":" + "0" * 64,
    )
    _refused(installation, installation.good, "wrong key", app=other)


def test_a_ring_without_the_backups_key_names_the_key_it_needs(installation, tmp_path):
    other = make_app(
        installation.owner_url, installation.app_url, tmp_path, BACKUP_KEY="newer:" + "1" * 64
    )
    _refused(installation, installation.good, "'bk-2026'", "not in the key ring", app=other)


def test_a_rotated_ring_still_opens_older_backups(installation, tmp_path):
    rotated = make_app(
        installation.owner_url,
        installation.app_url,
        tmp_path,
        BACKUP_KEY="bk-2027:" + "2" * 64,
        BACKUP_OLD_KEYS=BACKUP_KEY,
    )
    result = installation.run("backup-verify", str(installation.good), app=rotated)
    assert result.exit_code == 0, result.output
    newer = tmp_path / "newer.backup"
    assert installation.run("backup", "--out", str(newer), app=rotated).exit_code == 0
    with newer.open("rb") as source:
        assert crypto.read_header(source)[0] == "bk-2027"
    # the old ring alone cannot open what the new key sealed
    _refused(installation, newer, "'bk-2027'", "not in the key ring")


@pytest.mark.parametrize("where", ["header", "first chunk", "middle", "last byte"])
def test_one_flipped_byte_is_refused(installation, tmp_path, where):
    data = bytearray(installation.good.read_bytes())
    header = _header_length(installation.good)
    at = {
        "header": header - 10,  # in the salt or key check
        "first chunk": header + 5,
        "middle": len(data) // 2,
        "last byte": len(data) - 1,
    }[where]
    data[at] ^= 0x01
    altered = tmp_path / "altered.backup"
    altered.write_bytes(bytes(data))
    _refused(installation, altered, "Error:")


@pytest.mark.parametrize("cut", ["at a chunk boundary", "inside a chunk", "to the header"])
def test_a_truncated_file_is_refused(installation, tmp_path, cut):
    data = installation.good.read_bytes()
    header = _header_length(installation.good)
    assert len(data) > header + 3 * SEALED  # several chunks to cut between
    keep = {
        "at a chunk boundary": header + 2 * SEALED,
        "inside a chunk": header + 2 * SEALED + 100,
        "to the header": header,
    }[cut]
    short = tmp_path / "short.backup"
    short.write_bytes(data[:keep])
    _refused(installation, short, "cut short")


def test_swapped_chunks_are_refused(installation, tmp_path):
    data = installation.good.read_bytes()
    header = _header_length(installation.good)
    first, second = (data[header + n * SEALED : header + (n + 1) * SEALED] for n in (1, 2))
    swapped = tmp_path / "swapped.backup"
    swapped.write_bytes(data[: header + SEALED] + second + first + data[header + 3 * SEALED :])
    _refused(installation, swapped, "reordered")


def test_bytes_added_after_the_end_are_refused(installation, tmp_path):
    longer = tmp_path / "longer.backup"
    longer.write_bytes(installation.good.read_bytes() + os.urandom(64))
    _refused(installation, longer, "Error:")


def test_a_file_that_is_no_backup_is_refused(installation, tmp_path):
    other = tmp_path / "dump.sql"
    other.write_bytes(b"CREATE TABLE witnesses (id integer);\n")
    _refused(installation, other, "not a Witness backup")


def test_the_key_file_is_made_once_readable_by_its_owner_only_and_never_on_restore(
    installation, tmp_path
):
    no_key = {"BACKUP_KEY": None}
    making = make_app(installation.owner_url, installation.app_url, tmp_path / "a", **no_key)
    path = tmp_path / "own-key.backup"
    assert installation.run("backup", "--out", str(path), app=making).exit_code == 0
    key_file = tmp_path / "a" / "backup_key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    first = key_file.read_text()
    assert installation.run("backup", "--out", str(tmp_path / "again.backup"), app=making)
    assert key_file.read_text() == first  # made once, kept
    assert installation.run("backup-verify", str(path), app=making).exit_code == 0
    elsewhere = make_app(installation.owner_url, installation.app_url, tmp_path / "b", **no_key)
    _refused(installation, path, "No backup key", app=elsewhere)
    assert not (tmp_path / "b" / "backup_key").exists()


# --- the format itself, on small dumps ------------------------------------------------------


def _seal(dump: bytes) -> bytes:
    out = io.BytesIO()
    seal_backup(out, "k1", b"s" * 32, {"engine": "sqlite"}, io.BytesIO(dump))
    return out.getvalue()


def _open(sealed: bytes, secret: bytes = b"s" * 32) -> tuple[dict, bytes]:
    out = io.BytesIO()
    manifest = open_backup(io.BytesIO(sealed), {"k1": secret}.get, out)
    return manifest, out.getvalue()


@pytest.mark.parametrize("size", [0, 1, CHUNK_SIZE - 30, CHUNK_SIZE, 3 * CHUNK_SIZE + 7])
def test_every_size_of_dump_round_trips_and_every_cut_is_found(size):
    dump = os.urandom(size)
    sealed = _seal(dump)
    assert _open(sealed) == ({"engine": "sqlite"}, dump)
    header = len(crypto.read_header(io.BytesIO(sealed))[-1])
    for keep in range(header, len(sealed), SEALED):
        with pytest.raises(BackupFileError):
            _open(sealed[:keep])
    with pytest.raises(BackupFileError, match="wrong key"):
        _open(sealed, b"t" * 32)


def test_two_backups_of_the_same_dump_share_no_ciphertext():
    """A fresh salt per file: a new key every time, so the counter nonces never repeat."""
    dump = b"A" * (2 * CHUNK_SIZE)
    one, two = _seal(dump), _seal(dump)
    assert one[:19] == two[:19]  # the magic, version and key id
    assert one[-100:] != two[-100:] and one[200:300] != two[200:300]
