"""The Alembic history builds exactly the schema the models describe, on this run's database."""

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, insert, inspect, make_url, text
from sqlalchemy.orm import Session

import witness.models  # noqa: F401
from witness.auth.models import Organisation, OrganisationKind, Role, User
from witness.core.crypto import email_index
from witness.db import Base
from witness.migrate import alembic_config, upgrade
from witness.people.models import Witness
from witness.people.search import SEARCH_TABLES, described_by_models


def test_migrations_match_models(database_url):
    engine = create_engine(database_url)
    with engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "include_object": described_by_models}
        )
        diff = compare_metadata(context, Base.metadata)
    engine.dispose()
    assert diff == []


def test_every_table_is_migrated(database_url):
    engine = create_engine(database_url)
    tables = set(inspect(engine).get_table_names()) - SEARCH_TABLES
    engine.dispose()
    assert set(Base.metadata.tables) | {"alembic_version"} == tables


def _scratch_database(database_url: str, tmp_path) -> str:
    """A database of its own beside this run's (the shared one must stay at head)."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        return f"sqlite:///{tmp_path / 'roundtrip.sqlite3'}"
    name = f"{url.database}_roundtrip"
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return url.set(database=name).render_as_string(hide_password=False)


def _checks(url: str) -> dict[str, set[str]]:
    engine = create_engine(url)
    found = {
        table: {
            check["sqltext"].replace('"', "")
            for check in inspect(engine).get_check_constraints(table)
        }
        for table in ("users", "organisations", "consents", "api_tokens")
    }
    engine.dispose()
    return found


def test_every_revision_downgrades_and_upgrades_again(database_url, tmp_path):
    """Down to nothing and back up: the schema and its CHECKs come back as the models describe
    (a revision that narrows or widens an enum must rebuild the CHECK both ways)."""
    url = _scratch_database(database_url, tmp_path)
    upgrade(url)
    at_head = _checks(url)
    command.downgrade(alembic_config(url), "base")
    engine = create_engine(url)
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    engine.dispose()
    upgrade(url)
    assert _checks(url) == at_head
    assert any("'system'" in check for check in at_head["users"])
    assert any("'in_person'" in check for check in at_head["consents"])
    test_migrations_match_models(url)


def _old_witness(session: Session, office_id: int, reference: str, name: str, **more) -> int:
    """A witness as the columns before 0030 hold it (plaintext, no blind indexes); its id."""
    values = {
        "organisation_id": office_id,
        "reference": reference,
        "legal_name": name,
        "languages": "[]",
        "needs_interpreter": False,
        "is_presumed_child": False,
        "invites_full_detail": False,
        "created_dt": datetime(2026, 1, 5, tzinfo=UTC),
        "updated_dt": datetime(2026, 1, 5, tzinfo=UTC),
        **more,
    }
    return session.execute(
        text(
            f"INSERT INTO witnesses ({', '.join(values)}) "
            f"VALUES ({', '.join(':' + k for k in values)}) RETURNING id"
        ),
        values,
    ).scalar_one()


def test_group_bookings_backfill_every_existing_appointment_as_its_own(database_url, tmp_path):
    """0024: appointments booked before groups each become a booking of their own."""
    url = _scratch_database(database_url, tmp_path)
    config = alembic_config(url)
    command.upgrade(config, "0023_covering_indexes")
    engine = create_engine(url)
    with Session(engine) as session:
        # the columns organisations and witnesses had at 0023 (later revisions add more than
        # the models of 0023 held, and change how a witness's name is stored)
        office_id = session.execute(
            text(
                "INSERT INTO organisations (name, kind) VALUES ('Backfill Office', :kind) "
                "RETURNING id"
            ),
            {"kind": OrganisationKind.prosecution.value},
        ).scalar_one()
        witnesses = [_old_witness(session, office_id, f"BF-{n}", f"Name {n}") for n in range(2)]
        # the columns users had at 0023 (a later revision adds more than the model of 0023)
        user_id = session.execute(
            insert(User.__table__)
            .values(
                email="backfill@test.example",
                name="Backfill Officer",
                password_hash="x",
                role=Role.liaison_officer.value,
                organisation_id=office_id,
            )
            .returning(User.__table__.c.id)
        ).scalar_one()
        at = datetime(2026, 3, 12, 10, tzinfo=UTC)
        for n, witness in enumerate(witnesses):
            session.execute(
                text(
                    "INSERT INTO appointments (organisation_id, witness_id, kind, status, "
                    "start_dt, end_dt, travel_minutes, address, notes, witness_meeting_point, "
                    "needs_reschedule, status_reason, ical_uid, ical_sequence, created_by_id, "
                    "created_dt, updated_dt) VALUES (:org, :witness, 'accompaniment', "
                    "'scheduled', :start, :end, 0, 'Court', '', '', :no, '', :uid, 0, :user, "
                    ":start, :start)"
                ),
                {
                    "org": office_id,
                    "witness": witness,
                    "start": at,
                    "end": at.replace(hour=16),
                    "no": False,
                    "uid": f"backfill-{n}",
                    "user": user_id,
                },
            )
        session.commit()
    command.upgrade(config, "0024_group_bookings")
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT id, group_id FROM appointments")).all()
    engine.dispose()
    assert len(rows) == 2 and all(group_id == id_ for id_, group_id in rows)
    command.downgrade(config, "0023_covering_indexes")
    upgrade(url)


def test_second_factor_gives_tokens_already_issued_an_expiry(database_url, tmp_path):
    """0031: a token issued before expiry existed keeps working for 90 days after the
    migration, then expires; users have no second factor and organisations require none."""
    url = _scratch_database(database_url, tmp_path)
    config = alembic_config(url)
    command.upgrade(config, "0028_appointments_case_start")
    engine = create_engine(url)
    with engine.begin() as connection:
        office_id = connection.execute(
            text("INSERT INTO organisations (name, kind) VALUES ('Old Office', 'ngo') RETURNING id")
        ).scalar_one()
        user_id = connection.execute(
            text(
                "INSERT INTO users (email, name, password_hash, role, organisation_id, "
                "is_enabled, created_dt, session_version) VALUES ('old@test.example', 'Old', "
                "'x', 'admin', :org, :yes, :now, 1) RETURNING id"
            ),
            {"org": office_id, "yes": True, "now": datetime(2026, 1, 1, tzinfo=UTC)},
        ).scalar_one()
        connection.execute(
            text(
                "INSERT INTO api_tokens (user_id, name, token_hash, prefix, created_dt, scope) "
                "VALUES (:user, 'old sync', :hash, 'wit_old', :now, 'full')"
            ),
            {"user": user_id, "hash": "0" * 64, "now": datetime(2026, 1, 1, tzinfo=UTC)},
        )
    before = datetime.now(UTC)
    command.upgrade(config, "0031_second_factor")
    with engine.connect() as connection:
        expires = connection.execute(text("SELECT expires_dt FROM api_tokens")).scalar_one()
        user = connection.execute(
            text("SELECT totp_secret, totp_last_step FROM users WHERE id = :id"), {"id": user_id}
        ).one()
        required = connection.execute(
            text("SELECT require_second_factor FROM organisations")
        ).scalar_one()
    engine.dispose()
    if isinstance(expires, str):  # SQLite hands back text
        expires = datetime.fromisoformat(expires)
    expires = expires if expires.tzinfo else expires.replace(tzinfo=UTC)
    assert timedelta(days=90) <= expires - before < timedelta(days=90, minutes=5)
    assert tuple(user) == (None, None)
    assert not required


def test_encryption_encrypts_the_values_already_there_and_downgrades_back(
    database_url, tmp_path, app
):
    """0034: plaintext rows are encrypted, read back as they were, get blind indexes, and leave
    no plaintext in a SQLite file; downgrading gives the plaintext back."""
    url = _scratch_database(database_url, tmp_path)
    config = alembic_config(url)
    command.upgrade(config, "0033_chain_check_counts")
    engine = create_engine(url)
    with Session(engine) as session:
        office = Organisation(name="Plain Office", kind=OrganisationKind.prosecution)
        session.add(office)
        session.flush()
        witness_id = _old_witness(
            session,
            office.id,
            "PLAIN-1",
            "Wilhelmina Thornquist",
            date_of_birth=date(1979, 11, 30),
            email="W.Thornquist@Example.org",
            address="88 Juniper Court, Elmsworth",
        )
        session.commit()
    engine.dispose()
    upgrade(url)
    engine = create_engine(url)
    with engine.connect() as connection:
        raw = connection.execute(
            text("SELECT legal_name, date_of_birth, address, email_index FROM witnesses")
        ).one()
    assert raw.legal_name.startswith("enc1:") and raw.date_of_birth.startswith("enc1:")
    with app.app_context(), Session(engine) as session:
        witness = session.get(Witness, witness_id)
        assert (witness.legal_name, witness.date_of_birth, witness.address) == (
            "Wilhelmina Thornquist",
            date(1979, 11, 30),
            "88 Juniper Court, Elmsworth",
        )
        assert raw.email_index == email_index("w.thornquist@example.org")
    engine.dispose()
    if url.startswith("sqlite"):
        stored = Path(make_url(url).database).read_bytes()
        assert b"Thornquist" not in stored and b"Juniper" not in stored
    with app.app_context():
        command.downgrade(config, "0033_chain_check_counts")
    engine = create_engine(url)
    with engine.connect() as connection:
        name, born = connection.execute(
            text("SELECT legal_name, date_of_birth FROM witnesses")
        ).one()
    engine.dispose()
    assert name == "Wilhelmina Thornquist" and str(born) == "1979-11-30"
    upgrade(url)
