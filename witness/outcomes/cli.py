"""``flask import-release-list FILE --source "HMP X" --user EMAIL [--dry-run]``."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from witness.auth.models import User
from witness.core.errors import DomainError
from witness.db import db_session
from witness.outcomes.imports import MAX_BYTES, import_release_list


@click.command("import-release-list")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--source", required=True, help="Who sent the list, e.g. 'HMP Leeds'.")
@click.option("--user", "email", required=True, help="The supervisor or administrator importing.")
@click.option("--dry-run", is_flag=True, help="Show what each row would do; change nothing.")
@with_appcontext
def import_release_list_command(file: Path, source: str, email: str, dry_run: bool) -> None:
    """Import a prison's release list (CSV); each row's events get their notification tasks.
    Rows with errors are listed and not imported; the same file again changes nothing."""
    db = db_session()
    user = db.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None or not user.is_enabled:
        raise click.UsageError(f"No active user with e-mail {email!r}.")
    if file.stat().st_size > MAX_BYTES:
        raise click.UsageError(f"{file} is larger than {MAX_BYTES // 1024 // 1024} MB.")
    try:
        report = import_release_list(db, user, file.read_bytes(), source, dry_run=dry_run)
    except DomainError as exc:
        db.rollback()
        raise click.UsageError(exc.message) from exc
    for row in report.rows:
        said = "; ".join(row.errors) if row.action == "error" else row.detail
        click.echo(f"line {row.line}: {row.action}: {said}")
    if dry_run:
        db.rollback()
    else:
        db.commit()
    verb = "would create" if dry_run else "created"
    click.echo(
        f"{report.created} row(s) {verb}, {report.unchanged} unchanged, {report.errors} with "
        f"errors{' (dry run: nothing changed)' if dry_run else ''}."
    )
    if report.errors:
        raise SystemExit(1)
