"""The most sensitive fields encrypted at rest, and blind indexes of e-mail and phone

Legal names, dates of birth, addresses, phone numbers, e-mail addresses, the risk
assessments' answers and notes, incident descriptions, contact preferences, the e-mails and
letters going out (their PDFs too), appointment addresses and the protection plans' actions
and what the witness agreed to and objected to are stored AES-GCM encrypted
(``witness.core.crypto``). Their columns become text (a ciphertext is longer than the value, and
PostgreSQL would refuse it in a ``varchar(n)``); every existing value is encrypted here, in
batches, under the app's data key (the one ``flask init-db`` loads). ``witnesses`` gains keyed
blind indexes of its e-mail address and phone number.

On SQLite the rebuilt tables and the overwritten values leave plaintext in free pages:
``secure_delete`` zeroes them as they are freed, and ``witness.migrate.upgrade`` then runs
``VACUUM`` and truncates the write-ahead log (``config.attributes["vacuum"]``). Rebuilding
``witnesses`` drops the triggers that keep its reference search (0026); they are made again.

Downgrading decrypts every value back into its old column type.

Revision ID: 0034_encryption
Revises: 0033_chain_check_counts
Create Date: 2026-12-07 01:30:00.000000
"""

import json

import sqlalchemy as sa
from alembic import op

revision = "0034_encryption"
down_revision = "0033_chain_check_counts"
branch_labels = None
depends_on = None

BATCH = 500

#: table -> {column: (kind, type before)}; kinds: text, date, json, bytes
COLUMNS = {
    "witnesses": {
        "legal_name": ("text", sa.String(200)),
        "date_of_birth": ("date", sa.Date()),
        "phone": ("text", sa.String(40)),
        "email": ("text", sa.String(254)),
        "address": ("text", sa.String(500)),
        "guardian_name": ("text", sa.String(200)),
        "guardian_contact": ("text", sa.String(300)),
    },
    "risk_assessments": {
        "answers": ("json", sa.JSON()),
        "own_view": ("text", sa.Text()),
        "override_reason": ("text", sa.Text()),
    },
    "risk_incidents": {
        "reported_by": ("text", sa.String(200)),
        "description": ("text", sa.Text()),
    },
    "contact_preferences": {
        "postal_name": ("text", sa.String(200)),
        "postal_address": ("text", sa.Text()),
        "email": ("text", sa.String(254)),
        "phone": ("text", sa.String(40)),
        "contact_person": ("text", sa.String(200)),
        "note": ("text", sa.Text()),
    },
    "outbound_emails": {
        "to_address": ("text", sa.String(254)),
        "body": ("text", sa.Text()),
        "attachment": ("bytes", sa.LargeBinary()),
    },
    "letters": {
        "recipient_name": ("text", sa.String(200)),
        "recipient_address": ("text", sa.Text()),
        "pdf": ("bytes", sa.LargeBinary()),
    },
    "print_batches": {"pdf": ("bytes", sa.LargeBinary())},
    "appointments": {"address": ("text", sa.String(500))},
    "protection_actions": {
        "detail": ("text", sa.Text()),
        "closed_reason": ("text", sa.Text()),
    },
    "plan_consultations": {
        "agreed": ("text", sa.Text()),
        "objected": ("text", sa.Text()),
    },
    # a second factor's key (0031), and what a witness asked to see or to correct (0032)
    "users": {
        "totp_secret": ("text", sa.Text()),
        "totp_pending_secret": ("text", sa.Text()),
    },
    "access_requests": {"identity_check": ("text", sa.Text())},
    "correction_requests": {"request": ("text", sa.Text())},
}

SEARCH_TABLE = "witness_reference_trigrams"
SEARCH_TRIGGERS = {
    "witness_reference_trigrams_insert": f"""
        AFTER INSERT ON witnesses BEGIN
            INSERT INTO {SEARCH_TABLE} (rowid, reference) VALUES (new.id, new.reference);
        END""",
    "witness_reference_trigrams_delete": f"""
        AFTER DELETE ON witnesses BEGIN
            INSERT INTO {SEARCH_TABLE} ({SEARCH_TABLE}, rowid, reference)
            VALUES ('delete', old.id, old.reference);
        END""",
    "witness_reference_trigrams_update": f"""
        AFTER UPDATE OF reference ON witnesses BEGIN
            INSERT INTO {SEARCH_TABLE} ({SEARCH_TABLE}, rowid, reference)
            VALUES ('delete', old.id, old.reference);
            INSERT INTO {SEARCH_TABLE} (rowid, reference) VALUES (new.id, new.reference);
        END""",
}


def _sqlite() -> bool:
    return op.get_bind().dialect.name == "sqlite"


def _retype(table: str, to_text: bool) -> None:
    """Every non-binary column of ``table`` to text (or back to its old type)."""
    with op.batch_alter_table(table) as batch:
        for column, (kind, before) in COLUMNS[table].items():
            if kind == "bytes" or isinstance(before, sa.Text):
                continue  # already able to hold a ciphertext
            old, new = (before, sa.Text()) if to_text else (sa.Text(), before)
            using = None
            if not _sqlite():
                if to_text and kind in ("date", "json"):
                    using = f"{column}::text"
                elif not to_text and kind in ("date", "json"):
                    using = f"{column}::{'date' if kind == 'date' else 'json'}"
            batch.alter_column(
                column, existing_type=old, type_=new, postgresql_using=using
            )
        if table == "witnesses" and to_text:
            batch.add_column(sa.Column("email_index", sa.String(64), nullable=True))
            batch.add_column(sa.Column("phone_index", sa.String(64), nullable=True))
            batch.create_index("ix_witnesses_email_index", ["email_index"])
            batch.create_index("ix_witnesses_phone_index", ["phone_index"])
        if table == "witnesses" and not to_text:
            batch.drop_index("ix_witnesses_email_index")
            batch.drop_index("ix_witnesses_phone_index")
            batch.drop_column("email_index")
            batch.drop_column("phone_index")


def _rewrite(table: str, change) -> None:
    """``change(table, row)`` -> new values, applied to every row in batches of ``BATCH``."""
    bind = op.get_bind()
    columns = COLUMNS[table]
    binary = {c for c, (kind, _) in columns.items() if kind == "bytes"}
    names = list(columns) + (["email_index", "phone_index"] if table == "witnesses" else [])
    select = sa.text(
        f"SELECT id, {', '.join(columns)} FROM {table} WHERE id > :after ORDER BY id LIMIT {BATCH}"
    )
    select = select.columns(
        sa.column("id", sa.Integer),
        *(sa.column(c, sa.LargeBinary if c in binary else sa.Text) for c in columns),
    )
    after = 0
    while True:
        rows = bind.execute(select.bindparams(after=after)).mappings().all()
        if not rows:
            return
        for row in rows:
            values = change(table, row)
            if values:
                sets = ", ".join(f"{name} = :{name}" for name in values if name in names)
                statement = sa.text(f"UPDATE {table} SET {sets} WHERE id = :id").bindparams(
                    *(sa.bindparam(c, type_=sa.LargeBinary) for c in values if c in binary)
                )
                bind.execute(statement, {**values, "id": row["id"]})
        after = rows[-1]["id"]


def _ring():
    from witness.core.crypto import migration_ring

    return migration_ring()


def _encrypt(ring):
    from witness.core.crypto import email_index, phone_index

    def change(table: str, row) -> dict:
        values = {}
        for column, (kind, _) in COLUMNS[table].items():
            value = row[column]
            if value is None:
                continue
            context = f"{table}.{column}"
            if kind == "bytes":
                values[column] = ring.encrypt_bytes(bytes(value), context)
            else:
                if kind == "json":
                    value = json.dumps(json.loads(value), ensure_ascii=False, sort_keys=True)
                values[column] = ring.encrypt_text(str(value), context)
        if table == "witnesses":
            values["email_index"] = email_index(row["email"], ring)
            values["phone_index"] = phone_index(row["phone"], ring)
        return values

    return change


def _decrypt(ring):
    def change(table: str, row) -> dict:
        values = {}
        for column, (kind, _) in COLUMNS[table].items():
            value = row[column]
            if value is None:
                continue
            context = f"{table}.{column}"
            if kind == "bytes":
                values[column] = ring.decrypt_bytes(value, context)
            else:
                values[column] = ring.decrypt_text(value, context)
        return values

    return change


def _has_rows() -> bool:
    bind = op.get_bind()
    return any(bind.execute(sa.text(f"SELECT 1 FROM {t} LIMIT 1")).first() for t in COLUMNS)


def _secure_delete() -> None:
    if _sqlite():
        op.execute("PRAGMA secure_delete=ON")
        config = getattr(op.get_context(), "config", None)
        if config is not None:
            config.attributes["vacuum"] = True


def _make_search_triggers() -> None:
    if _sqlite():
        for name, body in SEARCH_TRIGGERS.items():
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
            op.execute(f"CREATE TRIGGER {name} {body}")


def upgrade() -> None:
    _secure_delete()
    for table in COLUMNS:
        _retype(table, to_text=True)
    _make_search_triggers()
    if _has_rows():
        change = _encrypt(_ring())
        for table in COLUMNS:
            _rewrite(table, change)


def downgrade() -> None:
    _secure_delete()
    dates: dict[int, str] = {}
    if _has_rows():
        change = _decrypt(_ring())
        for table in COLUMNS:
            _rewrite(table, change)
        if _sqlite():
            # batch mode copies the column with CAST(... AS DATE), which SQLite reads as a
            # number ('1979-11-30' becomes 1979): the dates are put back after the copy
            rows = op.get_bind().execute(sa.text("SELECT id, date_of_birth FROM witnesses"))
            dates = {id_: born for id_, born in rows if born is not None}
    for table in COLUMNS:
        _retype(table, to_text=False)
    for id_, born in dates.items():
        op.get_bind().execute(
            sa.text("UPDATE witnesses SET date_of_birth = :born WHERE id = :id"),
            {"born": born, "id": id_},
        )
    _make_search_triggers()
