"""``flask rotate-keys``: a new data key encrypts from now on, and every value encrypted under an
older one is re-encrypted under it, in batches, so the older key can then be retired.

Restartable: a value already under the newest key is skipped, and each batch is committed, so a
run stopped half way is finished by ``flask rotate-keys --resume``. ``--check`` reports how many
values each key still holds: a key may leave the ring once it holds none.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import LargeBinary, Text, bindparam, func, select, text, type_coerce
from sqlalchemy.orm import Session

import witness.models  # noqa: F401  (registers every table on Base.metadata)
from witness.audit.services import record_event
from witness.core import crypto
from witness.core.encrypted import EncryptedBytes, encrypted_columns
from witness.db import Base, db_session


def _raw(table, name: str):
    """The column's stored value (the ciphertext), not the decrypted one."""
    column = table.c[name]
    return type_coerce(column, LargeBinary if isinstance(column.type, EncryptedBytes) else Text)


def _batches(session: Session, table, names: list[str], size: int):
    """The table's rows (id and stored values), ``size`` at a time, by id."""
    after = 0
    query = select(table.c.id, *(_raw(table, n).label(n) for n in names)).order_by(table.c.id)
    while True:
        rows = session.execute(query.where(table.c.id > after).limit(size)).all()
        if not rows:
            return
        yield rows
        after = rows[-1].id


def key_counts(session: Session, batch_size: int = 1000) -> dict[str, Counter]:
    """How many stored values each key id holds, by table (``None``: not encrypted)."""
    counts: dict[str, Counter] = {}
    for name, columns in encrypted_columns(Base.metadata):
        table = Base.metadata.tables[name]
        found = counts[name] = Counter()
        for rows in _batches(session, table, columns, batch_size):
            for row in rows:
                for column in columns:
                    stored = getattr(row, column)
                    if stored is not None:
                        found[crypto.key_id_of(stored)] += 1
    return counts


def reencrypt(
    session: Session,
    ring: crypto.DataKeyRing,
    batch_size: int,
    progress: Callable[[str, int, int], None] = lambda table, done, total: None,
) -> dict[str, int]:
    """Re-encrypt every value not under ``ring``'s current key; commits after each batch.
    Returns the values re-encrypted, by table."""
    changed: dict[str, int] = {}
    for name, columns in encrypted_columns(Base.metadata):
        table = Base.metadata.tables[name]
        total = session.scalar(select(func.count()).select_from(table)) or 0
        binary = [c for c in columns if isinstance(table.c[c].type, EncryptedBytes)]
        done = changed[name] = 0
        for rows in _batches(session, table, columns, batch_size):
            for row in rows:
                values = {}
                for column in columns:
                    stored = getattr(row, column)
                    if stored is None or crypto.key_id_of(stored) == ring.current_id:
                        continue
                    context = f"{name}.{column}"
                    if column in binary:
                        plain = ring.decrypt_bytes(stored, context)
                        values[column] = ring.encrypt_bytes(plain, context)
                    else:
                        values[column] = ring.encrypt_text(
                            ring.decrypt_text(stored, context), context
                        )
                if values:
                    # plain SQL: an ORM or Core update would also move ``updated_dt``
                    sets = ", ".join(f"{c} = :{c}" for c in values)
                    statement = text(f"UPDATE {name} SET {sets} WHERE id = :id").bindparams(
                        *(bindparam(c, type_=LargeBinary) for c in values if c in binary)
                    )
                    session.execute(statement, {**values, "id": row.id})
                    changed[name] += len(values)
            session.commit()
            done += len(rows)
            progress(name, done, total)
        if not total:
            progress(name, 0, 0)
    return changed


@click.command("rotate-keys")
@click.option("--batch-size", default=500, show_default=True, type=click.IntRange(1, 100_000))
@click.option("--check", is_flag=True, help="Only report how many values each key holds.")
@click.option(
    "--resume",
    is_flag=True,
    help="Add no key: re-encrypt under the current one (after a stopped run, or after setting "
    "WITNESS_DATA_KEY to a new key).",
)
@with_appcontext
def rotate_keys(batch_size: int, check: bool, resume: bool) -> None:
    """Add a new data key that encrypts from now on and re-encrypt every value under it."""
    session = db_session()
    ring: crypto.DataKeyRing = current_app.extensions["witness.data_keys"]
    if check:
        _report(ring, key_counts(session, batch_size))
        return
    if not resume:
        if ring.source == "environment":
            key_id, secret = crypto.new_key()
            raise click.ClickException(
                "The data keys come from the environment. Move the current WITNESS_DATA_KEY "
                "into WITNESS_DATA_OLD_KEYS (comma-separated), set "
                f"WITNESS_DATA_KEY={key_id}:{secret} , restart every Witness process and run "
                "`flask rotate-keys --resume`."
            )
        path = crypto.key_file(current_app.config, Path(current_app.instance_path))
        key_id, secret = crypto.new_key()
        crypto.append_key(path, (key_id, secret))
        ring = crypto.load_data_keyring(current_app.config, Path(current_app.instance_path))
        crypto.set_ring(current_app, ring)
        click.echo(f"Added data key {key_id} to {path}; it encrypts from now on.")

    def progress(table: str, done: int, total: int) -> None:
        click.echo(f"  {table}: {done}/{total} rows")

    click.echo(f"Re-encrypting every value under key {ring.current_id} ...")
    changed = reencrypt(session, ring, batch_size, progress)
    record_event(
        session,
        None,
        "data_keys.rotate",
        object_type="data_keys",
        key=ring.current_id,
        added=not resume,
        reencrypted=changed,
    )
    session.commit()
    click.echo(
        f"Done: {sum(changed.values())} values re-encrypted. Restart every Witness process "
        "so they encrypt under the new key; then `flask rotate-keys --check` shows which "
        "older keys still hold values (run --resume again if any do)."
    )


def _report(ring: crypto.DataKeyRing, counts: dict[str, Counter]) -> None:
    click.echo(f"Data key ring: {ring.source}; key {ring.current_id} encrypts.")
    overall: Counter = Counter()
    for table, found in counts.items():
        overall.update(found)
        held = ", ".join(f"{k or 'not encrypted'}: {n}" for k, n in sorted(found.items(), key=str))
        click.echo(f"  {table}: {held or 'no values'}")
    click.echo("Values per key:")
    for key_id in ring.keys:
        click.echo(f"  {key_id}: {overall.get(key_id, 0)}")
    for key_id in sorted(set(overall) - set(ring.keys), key=str):
        click.echo(f"  {key_id or 'not encrypted'}: {overall[key_id]} (not in the ring)")
