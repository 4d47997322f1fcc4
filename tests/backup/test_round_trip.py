"""Backups restore: the demo data (witnesses, cases, the support ledger) backed up, changed and
deleted, restored whole, with every ledger chain intact; on SQLite and on PostgreSQL."""

from __future__ import annotations

import stat
import tempfile
import threading
from datetime import date

from sqlalchemy import select

from witness.auth.models import User
from witness.backup.crypto import MAGIC
from witness.ledger.models import SupportCategory, SupportItem
from witness.ledger.services import record_item
from witness.people.models import Witness

from .conftest import make_app


def test_a_backup_is_written_encrypted_readable_by_its_owner_only(installation):
    path = installation.good
    assert path.read_bytes().startswith(MAGIC)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    revision, counts = installation.facts()
    result = installation.run("backup-verify", str(path))
    assert result.exit_code == 0, result.output
    assert f"revision {revision}" in result.output
    assert f"{sum(counts.values())} rows" in result.output
    assert "Backup verified" in result.output


def test_the_default_file_names_engine_and_time_and_no_plaintext_copy_is_left(
    installation, tmp_path, monkeypatch
):
    (tmp_path / "tmp").mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))
    result = installation.run("backup", "--out", f"{tmp_path / 'out'}/")
    assert result.exit_code == 0, result.output
    (written,) = (tmp_path / "out").iterdir()
    assert written.name.startswith(f"witness-{installation.engine}-")
    assert written.name.endswith("Z.backup")
    assert list((tmp_path / "tmp").iterdir()) == []  # the dump's private folder is gone


def test_restore_brings_back_changed_and_deleted_data_and_the_ledger_verifies(installation):
    revision, before = installation.facts()
    reference = installation.scalar("SELECT reference FROM witnesses ORDER BY id LIMIT 1")
    try:
        # after the backup: a reference changed, rows deleted, a ledger entry added
        installation.execute(
            "UPDATE witnesses SET reference = 'CHANGED-1' WHERE id = "
            "(SELECT min(id) FROM witnesses)",
            "DELETE FROM consents",
        )
        _record_one_more_item(installation)
        _, changed = installation.facts()
        assert changed["consents"] == 0 < before["consents"]
        assert changed["support_items"] == before["support_items"] + 1

        result = installation.run("restore", "--yes", str(installation.good))
        assert result.exit_code == 0, result.output

        assert installation.facts() == (revision, before)
        assert (
            installation.scalar("SELECT reference FROM witnesses ORDER BY id LIMIT 1") == reference
        )
        verify = installation.run("ledger-verify")
        assert verify.exit_code == 0, verify.output
        assert ", 0 broken, 0 not verifiable" in verify.output
        # the application's role (it owns nothing) may work again after the restore
        assert installation.scalar("SELECT count(*) FROM witnesses", url=installation.app_url)
    finally:
        installation.reset()


def _record_one_more_item(installation, description: str = "Taxi after the hearing") -> None:
    """A support item recorded through the service, by someone who recorded one before."""
    with installation.app.app_context():
        from witness.db import db_session

        session = db_session()
        earlier = session.scalars(select(SupportItem).order_by(SupportItem.id).limit(1)).one()
        record_item(
            session,
            session.get(User, earlier.recorded_by_id),
            session.get(Witness, earlier.witness_id),
            case_id=earlier.case_id,
            category=SupportCategory.transport,
            description=description,
            quantity="1",
            unit="trip",
            value="9.00",
            currency=earlier.currency,
            date_provided=date(2026, 3, 9),
            rationale="Late finish",
        )
        session.commit()


def test_restore_refuses_a_database_holding_data_without_yes(installation):
    installation.execute("UPDATE organisations SET name = 'Renamed ' || id")
    try:
        _, now = installation.facts()
        result = installation.run("restore", str(installation.good))
        assert result.exit_code == 1
        assert "already holds data" in result.output and "--yes" in result.output
        assert installation.facts()[1] == now
        assert installation.scalar(
            "SELECT count(*) FROM organisations WHERE name = 'Renamed ' || id"
        )
    finally:
        installation.reset()


def test_restore_into_an_empty_database_needs_no_yes(installation, tmp_path_factory):
    from ..live import own_database

    empty = own_database(tmp_path_factory, "backup_empty")
    app = make_app(empty, empty, tmp_path_factory.mktemp("empty-instance"))
    try:
        result = installation.run("restore", str(installation.good), app=app)
        assert result.exit_code == 0, result.output
        assert installation.facts(empty) == installation.facts()
        verify = installation.run("ledger-verify", app=app)
        assert verify.exit_code == 0, verify.output
    finally:
        app.extensions["witness.db"].engine.dispose()


def test_verify_reports_a_ledger_tampered_before_the_backup(installation):
    """Someone with database access rewrote a support item; the backup taken afterwards carries
    the tampering, and verifying it says so (and exits non-zero)."""
    if installation.engine == "postgresql":
        guard = "DROP TRIGGER support_items_append_only ON support_items"
    else:
        guard = "DROP TRIGGER support_items_no_update"
    try:
        installation.execute(
            guard,
            "UPDATE support_items SET value = '999.00' "
            "WHERE id = (SELECT min(id) FROM support_items)",
        )
        tampered = installation.backup("tampered.backup")
        result = installation.run("backup-verify", str(tampered))
        assert result.exit_code == 1
        assert "BROKEN at entry" in result.output
        assert "content was changed" in result.output
        assert "Backup NOT verified" in result.output
    finally:
        installation.reset()


def test_verify_reports_row_counts_unlike_the_manifest(installation, monkeypatch):
    """A dump whose rows differ from what its manifest recorded (as a torn copy would)."""
    from witness.backup import services

    name = "dump_sqlite" if installation.engine == "sqlite" else "dump_postgresql"
    dump = getattr(services, name)

    def miscounted(url, path):
        revision, counts = dump(url, path)
        return revision, {**counts, "witnesses": counts["witnesses"] + 1}

    monkeypatch.setattr(services, name, miscounted)
    torn = installation.backup("torn.backup")
    monkeypatch.undo()
    result = installation.run("backup-verify", str(torn))
    assert result.exit_code == 1
    assert "table witnesses:" in result.output and "the manifest says" in result.output


def test_a_backup_taken_while_the_ledger_is_written_is_consistent(installation):
    """A thread records support items, each committed, while the backup is taken: the backup
    holds some of them, its counts are its own, and every chain verifies."""
    _, before = installation.facts()
    written, stop, failures = threading.Event(), threading.Event(), []

    def writer() -> None:
        count = 0
        try:
            while not stop.is_set():
                _record_one_more_item(installation, f"Bus fare {count}")
                count += 1
                if count == 3:
                    written.set()
        except Exception as error:  # reported by the test, not lost in the thread
            failures.append(error)
            written.set()

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        assert written.wait(120)
        busy = installation.backup("busy.backup")
    finally:
        stop.set()
        thread.join()
    try:
        assert failures == []
        result = installation.run("backup-verify", str(busy))
        assert result.exit_code == 0, result.output
        restored = installation.run("restore", "--yes", str(busy))
        assert restored.exit_code == 0, restored.output
        _, counts = installation.facts()
        assert counts["support_items"] >= before["support_items"] + 3
        assert installation.run("ledger-verify").exit_code == 0
    finally:
        installation.reset()


def test_restore_refuses_a_backup_of_the_other_engine(installation, tmp_path):
    other = (
        "postgresql+psycopg://nobody@127.0.0.1:1/none"
        if installation.engine == "sqlite"
        else f"sqlite:///{tmp_path / 'w.sqlite3'}"
    )
    app = make_app(other, other, tmp_path)
    result = installation.run("restore", "--yes", str(installation.good), app=app)
    assert result.exit_code == 1
    assert f"backup of a {installation.engine} database" in result.output
    assert not (tmp_path / "w.sqlite3").exists()


def test_restore_over_a_newer_schema(installation):
    """A table the backup lacks (a later migration's): on PostgreSQL the restore is refused and
    changes nothing (it would leave the table behind, at odds with the restored revision); on
    SQLite the whole file is replaced, the table with it."""
    installation.execute("CREATE TABLE later_feature (id integer PRIMARY KEY)")
    try:
        result = installation.run("restore", "--yes", str(installation.good))
        tables = installation.facts()[1]
        if installation.engine == "postgresql":
            assert result.exit_code == 1
            assert "tables the backup lacks (later_feature)" in result.output
            assert "later_feature" in tables
        else:
            assert result.exit_code == 0, result.output
            assert "later_feature" not in tables
    finally:
        installation.execute("DROP TABLE IF EXISTS later_feature")
