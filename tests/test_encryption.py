"""Encryption at rest: a copy of the database holds none of the sensitive values, a value
changed or moved in the database fails loudly, and e-mail and phone are found by blind index."""

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import select, text

import witness.models  # noqa: F401
from tests.conftest import PASSWORD, CsrfClient
from witness import create_app
from witness.auth.models import Organisation, OrganisationKind, Role, User
from witness.auth.services import hash_password
from witness.core import crypto
from witness.core.crypto import DataKeyRing, DecryptionError
from witness.core.encrypted import encrypted_columns
from witness.db import Base
from witness.letters.models import Letter
from witness.migrate import upgrade
from witness.notify.models.outbox import OutboundEmail
from witness.notify.models.preferences import ContactPreference
from witness.people.models import Witness
from witness.people.queries import witnesses_with_contact
from witness.protection.models import ActionKind, ProtectionAction
from witness.risk.models import AssessmentStatus, IncidentKind, RiskAssessment, RiskIncident
from witness.scheduling.models import Appointment, AppointmentKind

#: distinctive values, each of which must appear nowhere in the stored bytes
SECRETS = {
    "legal_name": "Zephyrine Quillfeather",
    "date_of_birth": "1987-04-23",
    "phone": "+44 7700 913457",
    "email": "zephyrine.q@example.org",
    "address": "17 Marigold Lane, Thornbury",
    "guardian_name": "Octavia Brambleworth",
    "guardian_contact": "07700 955321",
    "own_view": "afraid that Kestrel Valdane finds the hostel",
    "factor_note": "Valdane has her sister's number",
    "override": "Valdane released on bail last Tuesday",
    "incident": "a grey van parked outside Wrenfield hostel",
    "reported_by": "Bartholomew Inchcape",
    "postal": "PO Box 4412 Quillhaven",
    "safe_email": "safe.box.quill@example.net",
    "appointment": "Room 5, Larkspur Centre",
    "mail_body": "Dear Zephyrine, your hearing moves",
    "letter_pdf": "Marigold Lane letter body",
    "protection": "moved to the Hollyhock Street safe house",
}


def _fill(session, office, officer) -> Witness:
    """One witness with every kind of sensitive value, as the app stores them."""
    witness = session.scalar(select(Witness).where(Witness.reference == "ENC-1"))
    witness.guardian_name = SECRETS["guardian_name"]
    witness.guardian_contact = SECRETS["guardian_contact"]
    at = datetime(2026, 3, 12, 10, tzinfo=UTC)
    session.add_all(
        [
            RiskAssessment(
                witness=witness,
                instrument="v1",
                status=AssessmentStatus.completed,
                answers={"threats": {"answer": "present", "note": SECRETS["factor_note"]}},
                own_view=SECRETS["own_view"],
                override_reason=SECRETS["override"],
                created_by_id=officer.id,
            ),
            RiskIncident(
                witness=witness,
                kind=IncidentKind.sighting,
                reported_by=SECRETS["reported_by"],
                occurred_dt=at,
                description=SECRETS["incident"],
                recorded_by_id=officer.id,
            ),
            ContactPreference(
                witness=witness,
                channels=["post", "email"],
                postal_address=SECRETS["postal"],
                email=SECRETS["safe_email"],
                recorded_by_id=officer.id,
            ),
            Appointment(
                organisation_id=office.id,
                witness=witness,
                kind=AppointmentKind.familiarisation,
                start_dt=at,
                end_dt=at.replace(hour=11),
                address=SECRETS["appointment"],
                created_by_id=officer.id,
            ),
            OutboundEmail(
                organisation_id=office.id,
                to_address=SECRETS["email"],
                subject="Your appointment",
                body=SECRETS["mail_body"],
                attachment=SECRETS["letter_pdf"].encode(),
                witness_id=witness.id,
            ),
            ProtectionAction(
                witness=witness,
                kind=ActionKind.relocation,
                detail=SECRETS["protection"],
                created_by_id=officer.id,
                updated_by_id=officer.id,
            ),
            Letter(
                organisation_id=office.id,
                witness=witness,
                kind="hearing_date",
                language="en",
                recipient_name=SECRETS["legal_name"],
                recipient_address=SECRETS["address"],
                pdf=b"%PDF-1.4 " + SECRETS["letter_pdf"].encode(),
                sha256="0" * 64,
            ),
        ]
    )
    return witness


def _open_a_file(client: CsrfClient) -> None:
    response = client.submit(
        "/witnesses/new",
        {
            "reference": "ENC-1",
            "legal_name": SECRETS["legal_name"],
            "date_of_birth": SECRETS["date_of_birth"],
            "languages": "English",
            "phone": SECRETS["phone"],
            "email": SECRETS["email"],
            "address": SECRETS["address"],
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)


@pytest.mark.skipif(
    bool(__import__("os").environ.get("WITNESS_TEST_DATABASE_URL")), reason="reads a SQLite file"
)
def test_the_database_file_holds_none_of_the_sensitive_values(tmp_path):
    """Through the app into a database file of its own, committed; then the file's bytes (and
    its write-ahead log's) are searched for every value."""
    before = crypto._process_ring
    path = tmp_path / "copy.sqlite3"
    url = f"sqlite:///{path}"
    upgrade(url)
    app = create_app({"TESTING": True, "SECRET_KEY": "enc-test", "DATABASE_URL": url})
    app.test_client_class = CsrfClient
    database = app.extensions["witness.db"]
    with app.app_context(), database.sessionmaker() as session:
        office = Organisation(name="Encrypted Office", kind=OrganisationKind.prosecution)
        officer = User(
            email="officer@enc.example",
            name="Officer",
            password_hash=hash_password(PASSWORD),
            role=Role.liaison_officer,
            organisation=office,
        )
        session.add_all([office, officer])
        session.commit()
    client = app.test_client()
    client.submit("/login", {"email": "officer@enc.example", "password": PASSWORD})
    client.fetch_token("/")
    _open_a_file(client)
    with app.app_context(), database.sessionmaker() as session:
        witness = _fill(session, session.merge(office), session.merge(officer))
        session.commit()
        assert session.get(Witness, witness.id).date_of_birth == date(1987, 4, 23)
    # the app reads them back as they were given
    page = client.get(f"/witnesses/{witness.id}").get_data(as_text=True)
    assert SECRETS["legal_name"] in page and SECRETS["address"] in page

    stored = b"".join(p.read_bytes() for p in (path, Path(f"{path}-wal")) if p.exists())
    assert len(stored) > 10_000
    found = [name for name, value in SECRETS.items() if value.encode() in stored]
    assert found == []
    # and they are in the file in their encrypted form
    assert b"enc1:" in stored and crypto.BINARY_PREFIX in stored
    database.engine.dispose()
    crypto._process_ring = before
    found = [name for name, value in SECRETS.items() if value.encode() in path.read_bytes()]
    assert found == []


def test_the_columns_hold_ciphertext_on_any_database(db, office, make_user, login):
    """Read as text straight from the database (as a copy of it would be), every encrypted
    column holds ciphertext, and no sensitive value."""
    officer = make_user(Role.liaison_officer)
    _open_a_file(login(officer))
    _fill(db, office, officer)
    db.flush()
    stored = []
    for table, columns in encrypted_columns(Base.metadata):
        for column in columns:
            for (value,) in db.execute(text(f"SELECT {column} FROM {table}")):
                if isinstance(value, bytes | memoryview):
                    value = bytes(value).decode("latin-1")  # any byte sequence, unchanged
                if value is not None:
                    stored.append(value)
    everything = "\n".join(stored)
    assert [name for name, value in SECRETS.items() if value in everything] == []
    assert "enc1:" in everything


def test_a_changed_ciphertext_fails_loudly(db, make_witness):
    witness = make_witness(legal_name="Ilse Marchbank", address="4 Thistle Row")
    db.flush()
    stored = db.scalar(text("SELECT legal_name FROM witnesses WHERE id = :id"), {"id": witness.id})
    flipped = stored[:-6] + ("A" if stored[-6] != "A" else "B") + stored[-5:]
    db.execute(
        text("UPDATE witnesses SET legal_name = :v WHERE id = :id"),
        {"v": flipped, "id": witness.id},
    )
    db.expire_all()
    with pytest.raises(DecryptionError, match=r"witnesses\.legal_name.*integrity check"):
        db.get(Witness, witness.id).legal_name  # noqa: B018


def test_a_ciphertext_moved_to_another_column_does_not_decrypt(db, make_witness):
    """The phone number's ciphertext copied over the address: it is bound to its column."""
    witness = make_witness(phone="+44 7700 900777", address="4 Thistle Row")
    db.flush()
    db.execute(text("UPDATE witnesses SET address = phone WHERE id = :id"), {"id": witness.id})
    db.expire_all()
    with pytest.raises(DecryptionError, match=r"witnesses\.address"):
        db.get(Witness, witness.id).address  # noqa: B018


def test_a_plaintext_value_in_an_encrypted_column_is_refused(db, make_witness):
    witness = make_witness()
    db.flush()
    db.execute(
        text("UPDATE witnesses SET email = 'planted@example.org' WHERE id = :id"),
        {"id": witness.id},
    )
    db.expire_all()
    with pytest.raises(DecryptionError, match="not encrypted"):
        db.get(Witness, witness.id).email  # noqa: B018


def test_every_encrypted_column_is_bound_to_its_own_name():
    for table, columns in encrypted_columns(Base.metadata):
        for column in columns:
            assert Base.metadata.tables[table].c[column].type.context == f"{table}.{column}"


def test_a_witness_is_found_by_email_or_phone_however_written(db, make_witness, make_user, office):
    officer = make_user(Role.liaison_officer)
    witness = make_witness(officer=officer, email="Mai.Tran@Example.org", phone="+44 7700 900 123")
    make_witness(officer=officer, email="someone.else@example.org", phone="+44 7700 900 999")
    db.flush()
    assert witness.email_index and witness.email_index != witness.phone_index
    assert [w.id for w in witnesses_with_contact(db, officer, " mai.tran@example.org ")] == [
        witness.id
    ]
    assert [w.id for w in witnesses_with_contact(db, officer, "0044 7700-900-123")] == [witness.id]
    assert witnesses_with_contact(db, officer, "mai.tran@example.com") == []
    # the index holds no trace of the value
    assert "mai" not in witness.email_index and "7700" not in witness.phone_index


def test_the_blind_index_depends_on_its_key():
    one = DataKeyRing.of([("a", "x" * 32)], "i" * 32)
    other = DataKeyRing.of([("a", "x" * 32)], "j" * 32)
    assert crypto.email_index("a@b.org", one) == crypto.email_index("A@B.org ", one)
    assert crypto.email_index("a@b.org", one) != crypto.email_index("a@b.org", other)


def test_the_key_ring_needs_an_index_key_and_refuses_a_short_key():
    from witness.config import ConfigError

    with pytest.raises(ConfigError, match="WITNESS_DATA_INDEX_KEY"):
        crypto.load_data_keyring({"DATA_KEY": "k1:" + "s" * 32}, Path("/nonexistent"))
    with pytest.raises(ConfigError, match="WITNESS_DATA_KEY"):
        crypto.load_data_keyring(
            {"DATA_KEY": "k1:short", "DATA_INDEX_KEY": "i" * 32}, Path("/nonexistent")
        )


def test_the_key_file_is_made_on_first_start_for_its_owner_only(tmp_path):
    ring = crypto.load_data_keyring({}, tmp_path)
    path = tmp_path / crypto.DEFAULT_FILE
    assert path.stat().st_mode & 0o777 == 0o600
    again = crypto.load_data_keyring({}, tmp_path)
    sealed = ring.encrypt_text("same", "t.c")
    assert again.decrypt_text(sealed, "t.c") == "same"


def test_the_witness_search_finds_an_exact_email_or_phone(db, make_witness, make_user, login):
    officer = make_user(Role.supervisor)
    make_witness(reference="BLIND-1", email="Kim.Sang@example.org", phone="+66 81 234 5678")
    make_witness(reference="BLIND-2", email="other@example.org")
    client = login(officer)
    page = client.get("/witnesses/?q=kim.sang@EXAMPLE.org").get_data(as_text=True)
    assert "BLIND-1" in page and "BLIND-2" not in page
    page = client.get("/witnesses/?q=0066 81-234-5678").get_data(as_text=True)
    assert "BLIND-1" in page and "BLIND-2" not in page
    # part of an address is no match: the values cannot be searched, only looked up whole
    page = client.get("/witnesses/?q=kim.sang").get_data(as_text=True)
    assert "BLIND-1" not in page


def test_the_service_refuses_a_value_longer_than_its_field(db, world):
    """The columns hold ciphertext of any length now: the service keeps the fields' limits."""
    from witness.core.errors import DomainError
    from witness.people.services import update_witness

    with pytest.raises(DomainError) as refused:
        update_witness(db, world.officer, world.assigned, address="x" * 501)
    assert refused.value.field == "address"
    assert update_witness(db, world.officer, world.assigned, address="x" * 500) == ["address"]
