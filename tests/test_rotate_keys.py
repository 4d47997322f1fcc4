"""``flask rotate-keys``: values written under the old key read after rotation, every one is
re-encrypted under the new key, and the old key can then leave the ring."""

import os

import pytest
from sqlalchemy import func, select, text

from tests.conftest import CsrfClient
from witness import create_app
from witness.audit.models import AuditEvent
from witness.core import crypto
from witness.core.crypto import DataKeyRing, DecryptionError
from witness.migrate import upgrade
from witness.people.models import Witness

SECRET_A = "a" * 64
SECRET_B = "b" * 64
INDEX = "i" * 64

on_postgres = pytest.mark.skipif(
    bool(os.environ.get("WITNESS_TEST_DATABASE_URL")), reason="a SQLite file of its own"
)


@pytest.fixture
def file_app(tmp_path):
    """An app on a database of its own whose data keys are in a key file holding key A (the
    ring of the other tests' writes outside an app context is put back after)."""
    before = crypto._process_ring
    url = f"sqlite:///{tmp_path / 'rotate.sqlite3'}"
    upgrade(url)
    keys = tmp_path / "data_keys"
    keys.write_text(f"index {INDEX}\nkey-a {SECRET_A}\n")
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "rotate",
            "DATABASE_URL": url,
            "DATA_KEY": None,
            "DATA_KEY_FILE": str(keys),
        }
    )
    app.test_client_class = CsrfClient
    yield app
    app.extensions["witness.db"].engine.dispose()
    crypto._process_ring = before


def _stored_key_ids(session) -> set:
    rows = session.execute(text("SELECT legal_name, date_of_birth, address FROM witnesses"))
    return {crypto.key_id_of(value) for row in rows for value in row if value is not None}


def _add_witnesses(app, count: int) -> None:
    from datetime import date

    from witness.auth.models import Organisation, OrganisationKind

    with app.app_context(), app.extensions["witness.db"].sessionmaker() as session:
        office = Organisation(name="Rotation Office", kind=OrganisationKind.prosecution)
        session.add(office)
        session.add_all(
            Witness(
                organisation=office,
                reference=f"ROT-{n}",
                legal_name=f"Rotated Person {n}",
                date_of_birth=date(1990, 1, 1 + n % 28),
                address=f"{n} Rotation Street",
                email=f"person{n}@example.org",
            )
            for n in range(count)
        )
        session.commit()


@on_postgres
def test_rotation_re_encrypts_every_value_under_the_new_key(file_app, tmp_path):
    _add_witnesses(file_app, 7)
    sessionmaker = file_app.extensions["witness.db"].sessionmaker
    with file_app.app_context(), sessionmaker() as session:
        assert _stored_key_ids(session) == {"key-a"}

    result = file_app.test_cli_runner().invoke(args=["rotate-keys", "--batch-size", "3"])
    assert result.exit_code == 0, result.output
    new_id = file_app.extensions["witness.data_keys"].current_id
    assert new_id != "key-a"
    assert "witnesses: 3/7 rows" in result.output and "witnesses: 7/7 rows" in result.output
    # the new key is in the file, after the old one: it encrypts from the next start too
    assert (tmp_path / "data_keys").read_text().splitlines()[-1].startswith(new_id + " ")

    with file_app.app_context(), sessionmaker() as session:
        assert _stored_key_ids(session) == {new_id}
        names = session.scalars(select(Witness.legal_name).order_by(Witness.id)).all()
        assert names == [f"Rotated Person {n}" for n in range(7)]
        events = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "data_keys.rotate")
        ).all()
        assert len(events) == 1 and events[0].detail["reencrypted"]["witnesses"] == 7 * 4
        # the blind index still finds the witness (its key never rotates)
        found = session.scalar(
            select(func.count())
            .select_from(Witness)
            .where(Witness.email_index == crypto.email_index("PERSON3@example.org"))
        )
        assert found == 1

    check = file_app.test_cli_runner().invoke(args=["rotate-keys", "--check"])
    assert "key-a: 0" in check.output and f"{new_id}: " in check.output

    # key A can now leave the ring: every value still reads without it
    lines = (tmp_path / "data_keys").read_text().splitlines()
    (tmp_path / "data_keys").write_text(
        "\n".join(line for line in lines if not line.startswith("key-a ")) + "\n"
    )
    without_a = crypto.load_data_keyring(file_app.config, tmp_path)
    assert list(without_a.keys) == [new_id]
    crypto.set_ring(file_app, without_a)
    with file_app.app_context(), sessionmaker() as session:
        assert session.scalar(select(Witness.address).where(Witness.reference == "ROT-2")) == (
            "2 Rotation Street"
        )


@on_postgres
def test_a_stopped_rotation_resumes_and_skips_what_is_done(file_app):
    _add_witnesses(file_app, 5)
    sessionmaker = file_app.extensions["witness.db"].sessionmaker
    both = DataKeyRing.of([("key-a", SECRET_A), ("key-b", SECRET_B)], INDEX, "test")
    with file_app.app_context(), sessionmaker() as session:
        # half done: the first two witnesses already under key B
        for witness in session.scalars(select(Witness).order_by(Witness.id).limit(2)):
            for column in ("legal_name", "address"):
                context = f"witnesses.{column}"
                stored = session.scalar(
                    text(f"SELECT {column} FROM witnesses WHERE id = :id"), {"id": witness.id}
                )
                moved = both.encrypt_text(both.decrypt_text(stored, context), context)
                session.execute(
                    text(f"UPDATE witnesses SET {column} = :v WHERE id = :id"),
                    {"v": moved, "id": witness.id},
                )
        session.commit()
    crypto.set_ring(file_app, both)
    result = file_app.test_cli_runner().invoke(args=["rotate-keys", "--resume"])
    assert result.exit_code == 0, result.output
    with file_app.app_context(), sessionmaker() as session:
        event = session.scalar(select(AuditEvent).where(AuditEvent.action == "data_keys.rotate"))
        # 5 witnesses x 4 values, less the 2 x 2 already under key B
        assert event.detail["reencrypted"]["witnesses"] == 20 - 4
        assert _stored_key_ids(session) == {"key-b"}


def test_a_value_under_a_key_the_ring_lacks_fails_clearly(db, make_witness, app):
    witness = make_witness(legal_name="Keyless Person")
    db.flush()
    other = DataKeyRing.of([("elsewhere", SECRET_B)], INDEX)
    sealed = other.encrypt_text("Keyless Person", "witnesses.legal_name")
    db.execute(
        text("UPDATE witnesses SET legal_name = :v WHERE id = :id"), {"v": sealed, "id": witness.id}
    )
    db.expire_all()
    with app.app_context(), pytest.raises(DecryptionError, match="'elsewhere'"):
        db.get(Witness, witness.id).legal_name  # noqa: B018


def test_rotation_with_keys_in_the_environment_says_what_to_set(runner):
    result = runner.invoke(args=["rotate-keys"])
    assert result.exit_code != 0
    assert "WITNESS_DATA_OLD_KEYS" in result.output and "--resume" in result.output


def test_resuming_re_encrypts_under_the_current_key_on_any_database(app, db, runner, make_witness):
    """Keys from the environment: after the operator made key B current, ``--resume`` moves
    every value under it, in batches, and the values read the same."""
    from tests.conftest import TEST_DATA_INDEX_KEY, TEST_DATA_KEY

    for n in range(5):
        make_witness(reference=f"RES-{n}", legal_name=f"Resumed {n}", address=f"{n} Key Road")
    db.flush()
    old_id, old_secret = TEST_DATA_KEY.split(":")
    before = app.extensions["witness.data_keys"], crypto._process_ring
    both = DataKeyRing.of([(old_id, old_secret), ("key-b", SECRET_B)], TEST_DATA_INDEX_KEY, "t")
    try:
        crypto.set_ring(app, both)
        result = runner.invoke(args=["rotate-keys", "--resume", "--batch-size", "2"])
        assert result.exit_code == 0, result.output
        assert "witnesses: 2/5 rows" in result.output and "witnesses: 5/5 rows" in result.output
        with app.app_context():
            assert _stored_key_ids(db) == {"key-b"}
            db.expire_all()
            names = db.scalars(
                select(Witness.legal_name)
                .where(Witness.reference.like("RES-%"))
                .order_by(Witness.id)
            ).all()
            assert names == [f"Resumed {n}" for n in range(5)]
    finally:
        app.extensions["witness.data_keys"], crypto._process_ring = before


@on_postgres
def test_a_running_process_reads_values_under_a_key_added_since_it_started(file_app, tmp_path):
    """Another process rotated (its key is in the file now) and wrote under the new key: this
    one, started before, reads the key file again instead of failing."""
    _add_witnesses(file_app, 1)
    keys = tmp_path / "data_keys"
    crypto.append_key(keys, ("key-c", "c" * 64))
    newer = crypto.load_data_keyring(file_app.config, tmp_path)
    sessionmaker = file_app.extensions["witness.db"].sessionmaker
    with file_app.app_context(), sessionmaker() as session:
        sealed = newer.encrypt_text("Written Elsewhere", "witnesses.legal_name")
        session.execute(text("UPDATE witnesses SET legal_name = :v"), {"v": sealed})
        session.commit()
        assert "key-c" not in file_app.extensions["witness.data_keys"].keys
        assert session.scalar(select(Witness.legal_name)) == "Written Elsewhere"
        assert file_app.extensions["witness.data_keys"].current_id == "key-c"
