"""Making, restoring and verifying encrypted backups.

The unencrypted dump only ever exists in a private temporary directory (mode 0700, removed in
``finally`` whatever happens); the backup file is written encrypted from the start, readable by
its owner only. Nothing is restored, and no manifest believed, before the whole file has been
authenticated (``crypto.open_backup``).
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from witness.backup import crypto
from witness.backup.engines import (
    BackupError,
    check_sqlite_dump,
    dump_postgresql,
    dump_sqlite,
    engine_name,
    holds_data,
    restore_postgresql,
    restore_sqlite,
    scratch_postgresql,
    snapshot_facts,
    sqlite_path,
)
from witness.backup.keys import BackupKeys, load_backup_keys
from witness.cases.models import Case
from witness.core.time import now_utc
from witness.ledger.chain import case_ids_with_chains, verify_chain
from witness.ledger.keys import KeyRing
from witness.migrate import alembic_config, app_role, grant_app_role

#: the manifest's own format; a restore refuses a manifest of a format it does not know
MANIFEST_FORMAT = 1
DEFAULT_DIR = "backups"


def owner_url(config: Mapping) -> str:
    """The tables' owner's URL: it reads everything to dump, and restores (drops, creates)."""
    return config.get("MIGRATION_DATABASE_URL") or config["DATABASE_URL"]


@contextmanager
def private_dir() -> Iterator[Path]:
    """A temporary directory only this user may enter, removed with everything in it."""
    with tempfile.TemporaryDirectory(prefix="witness-backup-") as name:
        os.chmod(name, 0o700)
        yield Path(name)


def _output_path(config: Mapping, instance_path: Path, out: str | None, name: str) -> Path:
    """``out`` itself, or ``name`` inside it when it is a directory or ends with a slash
    (default: the backup directory, made readable by its owner only)."""
    if out and not Path(out).is_dir() and not out.endswith(os.sep):
        Path(out).parent.mkdir(parents=True, exist_ok=True)
        return Path(out)
    folder = Path(out or config.get("BACKUP_DIR") or instance_path / DEFAULT_DIR)
    if not folder.exists():
        folder.mkdir(mode=0o700, parents=True)
    return folder / name


def _seal_to(path: Path, keys: BackupKeys, manifest: dict, dump: Path) -> None:
    """Write the encrypted file, created 0600 and never over an existing file; a file left
    half-written by a failure is removed."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise BackupError(f"{path} already exists; give another --out.") from None
    try:
        with os.fdopen(fd, "wb") as out, dump.open("rb") as source:
            crypto.seal_backup(out, keys.current_id, keys.current, manifest, source)
            out.flush()
            os.fsync(out.fileno())
    except BaseException:
        path.unlink(missing_ok=True)
        raise


def make_backup(config: Mapping, instance_path: Path, out: str | None = None) -> tuple[Path, dict]:
    """Dump the database, consistent while the application serves, and write it encrypted;
    returns the file and its manifest."""
    keys = load_backup_keys(config, instance_path, create=True)
    url = owner_url(config)
    engine = engine_name(url)
    now = now_utc()
    path = _output_path(config, instance_path, out, f"witness-{engine}-{now:%Y%m%dT%H%M%SZ}.backup")
    with private_dir() as folder:
        dump = folder / "dump"
        revision, counts = (dump_sqlite if engine == "sqlite" else dump_postgresql)(url, dump)
        manifest = {
            "format": MANIFEST_FORMAT,
            "engine": engine,
            "revision": revision,
            "tables": counts,
            "created": now.isoformat(),
        }
        _seal_to(path, keys, manifest, dump)
    return path, manifest


def _open(path: Path, keys: BackupKeys, dump: Path) -> dict:
    try:
        source = path.open("rb")
    except OSError as error:
        raise BackupError(f"Cannot read {path}: {error.strerror}.") from None
    with source, dump.open("wb") as out:
        return crypto.open_backup(source, keys.secrets.get, out)


def check_manifest(manifest: dict, engine: str | None = None) -> None:
    """The manifest is one this Witness reads, of ``engine``, at a revision it knows."""
    if manifest.get("format") != MANIFEST_FORMAT:
        raise BackupError(f"The backup's manifest has format {manifest.get('format')!r}.")
    if engine is not None and manifest.get("engine") != engine:
        raise BackupError(
            f"This is a backup of a {manifest.get('engine')} database; this installation's "
            f"database is {engine}. Restore it into a {manifest.get('engine')} database."
        )
    script = ScriptDirectory.from_config(alembic_config())
    try:
        known = manifest.get("revision") and script.get_revision(manifest["revision"])
    except CommandError:
        known = None
    if not known:
        raise BackupError(
            f"The backup is at database revision {manifest.get('revision')!r}, which this "
            "version of Witness does not know: restore it with the version that made it."
        )


def _restore_dump(engine: str, dump: Path, manifest: dict, url: str) -> None:
    """Put the decrypted dump into the database at ``url`` and check it arrived."""
    if engine == "sqlite":
        revision, _ = check_sqlite_dump(dump)
        if revision != manifest["revision"]:
            raise BackupError("The backup's database is not at the revision its manifest says.")
        restore_sqlite(dump, url)
    else:
        restore_postgresql(dump, url)
    database = create_engine(url)
    try:
        with database.connect() as connection:
            revision, _ = snapshot_facts(connection)
    finally:
        database.dispose()
    if revision != manifest["revision"]:
        raise BackupError(f"After the restore the database is at revision {revision!r}.")


def restore_backup(config: Mapping, instance_path: Path, path: Path, overwrite: bool) -> dict:
    """Decrypt, check and restore ``path`` over this installation's database, as the tables'
    owner; grant the application's role afresh (PostgreSQL). A database holding data is only
    overwritten with ``overwrite``. Returns the manifest."""
    keys = load_backup_keys(config, instance_path)
    url = owner_url(config)
    engine = engine_name(url)
    with private_dir() as folder:
        dump = folder / "dump"
        manifest = _open(path, keys, dump)
        check_manifest(manifest, engine)
        exists = engine != "sqlite" or sqlite_path(url).exists()
        if not overwrite and exists and holds_data(url):
            raise BackupError(
                "The database already holds data; the restore would replace all of it. Stop "
                "Witness, make a backup of it first, then run again with --yes."
            )
        _restore_dump(engine, dump, manifest, url)
    role = app_role(url, config["DATABASE_URL"])
    if role is not None:
        database = create_engine(url)
        try:
            with database.begin() as connection:
                grant_app_role(connection, role)
        finally:
            database.dispose()
    return manifest


@dataclass
class VerifyReport:
    """What restoring a backup into a scratch database and checking it found."""

    manifest: dict
    tables: int = 0
    rows: int = 0
    chains: int = 0
    #: each mismatch or break, in words
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def _check_restored(url: str, manifest: dict, ring: KeyRing, report: VerifyReport) -> None:
    """Row counts and revision against the manifest; every ledger chain and its checkpoints."""
    database = create_engine(url)
    try:
        with Session(database, info={"ledger_keys": ring}) as session:
            revision, counts = snapshot_facts(session.connection())
            if revision != manifest["revision"]:
                report.problems.append(
                    f"revision {revision!r}, the manifest says {manifest['revision']!r}"
                )
            expected = manifest.get("tables", {})
            for table in sorted(set(counts) | set(expected)):
                if counts.get(table) != expected.get(table):
                    report.problems.append(
                        f"table {table}: {counts.get(table, 'missing')} rows, the manifest "
                        f"says {expected.get(table, 'no such table')}"
                    )
            report.tables, report.rows = len(counts), sum(counts.values())
            for case_id in case_ids_with_chains(session):
                report.chains += 1
                status = verify_chain(session, case_id)
                name = session.scalar(select(Case.reference).where(Case.id == case_id))
                for problem in status.broken:
                    report.problems.append(f"ledger of case {name}: BROKEN at {problem}")
                for problem in status.unverifiable:
                    report.problems.append(f"ledger of case {name}: NOT VERIFIABLE: {problem}")
            session.rollback()
    finally:
        database.dispose()


def verify_backup(config: Mapping, instance_path: Path, path: Path, ring: KeyRing) -> VerifyReport:
    """Restore ``path`` into a scratch database (a temporary SQLite file, or a new PostgreSQL
    database of a random name, dropped afterwards) and check it against its manifest; the
    ledger's chains with ``ring``, the installation's ledger keys."""
    keys = load_backup_keys(config, instance_path)
    with private_dir() as folder:
        dump = folder / "dump"
        manifest = _open(path, keys, dump)
        check_manifest(manifest)
        report = VerifyReport(manifest)
        if manifest["engine"] == "sqlite":
            scratch = f"sqlite:///{folder / 'scratch.sqlite3'}"
            _restore_dump("sqlite", dump, manifest, scratch)
            _check_restored(scratch, manifest, ring, report)
        else:
            url = owner_url(config)
            if engine_name(url) != "postgresql":
                raise BackupError(
                    "This is a backup of a PostgreSQL database: verify it on an installation "
                    "whose WITNESS_MIGRATION_DATABASE_URL is a PostgreSQL server."
                )
            with scratch_postgresql(url) as scratch:
                _restore_dump("postgresql", dump, manifest, scratch)
                _check_restored(scratch, manifest, ring, report)
    return report
