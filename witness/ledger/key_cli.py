"""``flask ledger-keys``: which keys sign and verify the ledger, and rotating to a new one."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from witness.ledger.keys import append_key, key_file, new_key


@click.group("ledger-keys")
def ledger_keys() -> None:
    """The ledger's HMAC keys (kept outside the database)."""


@ledger_keys.command("show")
@with_appcontext
def show() -> None:
    """Print where the key ring comes from and its key ids (never a secret)."""
    ring = current_app.extensions["witness.ledger_keys"]
    click.echo(f"Key ring: {ring.source}")
    for key_id in ring.secrets:
        click.echo(f"  {key_id}{'  (signs new entries)' if key_id == ring.signing_id else ''}")


@ledger_keys.command("rotate")
@with_appcontext
def rotate() -> None:
    """Add a new signing key to the key file; the old ones stay to verify what they signed.
    Restart every Witness process afterwards. With keys from the environment, print the new
    key to set instead."""
    ring = current_app.extensions["witness.ledger_keys"]
    key_id, secret = new_key()
    if ring.source == "environment":
        click.echo(
            "The keys come from the environment. Move the current WITNESS_LEDGER_KEY into "
            "WITNESS_LEDGER_OLD_KEYS (comma-separated) and set:\n"
            f"WITNESS_LEDGER_KEY={key_id}:{secret}"
        )
        return
    path = key_file(current_app.config, Path(current_app.instance_path))
    append_key(path, (key_id, secret))
    click.echo(
        f"Added ledger key {key_id} to {path}; it signs from the next start. "
        f"Keep the file's older keys: entries signed with them are verified with them."
    )
