"""``flask backup``, ``flask restore`` and ``flask backup-verify``: each refusal is one clear
line on stderr and exit status 1."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from witness.backup.crypto import BackupFileError
from witness.backup.engines import BackupError
from witness.config import ConfigError


def _refusals(command: Callable) -> Callable:
    """A refusal (a wrong key, a damaged file, a database that may not be overwritten, a tool
    that failed) ends the command with its message and exit status 1, never a traceback."""

    @wraps(command)
    def run(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except (BackupError, BackupFileError, ConfigError) as error:
            raise click.ClickException(str(error)) from None

    return run


def _describe(manifest: dict) -> str:
    rows = sum(manifest.get("tables", {}).values())
    return (
        f"{manifest['engine']} database at revision {manifest['revision']}, made "
        f"{manifest['created']}, {len(manifest.get('tables', {}))} tables, {rows} rows"
    )


@click.command("backup")
@click.option(
    "--out",
    type=click.Path(),
    help="File, or directory ending in /, to write to (default: instance/backups).",
)
@with_appcontext
@_refusals
def backup(out: str | None) -> None:
    """Write an encrypted backup of the database (consistent while Witness runs)."""
    from witness.backup.services import make_backup

    path, manifest = make_backup(current_app.config, Path(current_app.instance_path), out)
    click.echo(f"Backup written to {path}")
    click.echo(f"  {_describe(manifest)}")


@click.command("restore")
@click.argument("path", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--yes", is_flag=True, help="Replace a database that already holds data.")
@with_appcontext
@_refusals
def restore(path: Path, yes: bool) -> None:
    """Restore an encrypted backup over this installation's database. Stop Witness (web and
    scheduler) first; a database holding data is only replaced with --yes."""
    from witness.backup.services import restore_backup

    manifest = restore_backup(current_app.config, Path(current_app.instance_path), path, yes)
    click.echo(f"Restored {path}")
    click.echo(f"  {_describe(manifest)}")
    click.echo("Run flask init-db if this version of Witness is newer than the backup.")


@click.command("backup-verify")
@click.argument("path", type=click.Path(path_type=Path, dir_okay=False))
@with_appcontext
@_refusals
def backup_verify(path: Path) -> None:
    """Restore a backup into a scratch database and check its row counts, revision and every
    ledger chain with its checkpoints; exit 1 on any mismatch."""
    from witness.backup.services import verify_backup

    ring = current_app.extensions["witness.ledger_keys"]
    report = verify_backup(current_app.config, Path(current_app.instance_path), path, ring)
    click.echo(f"{path}: {_describe(report.manifest)}")
    click.echo(f"  restored into a scratch database: {report.tables} tables, {report.rows} rows")
    click.echo(f"  {report.chains} ledger chains checked")
    for problem in report.problems:
        click.echo(f"  MISMATCH: {problem}", err=True)
    if not report.ok:
        raise click.ClickException(f"Backup NOT verified: {len(report.problems)} problem(s).")
    click.echo("Backup verified: counts, revision and ledger chains as recorded.")


def register_backup_cli(app: Flask) -> None:
    app.cli.add_command(backup)
    app.cli.add_command(restore)
    app.cli.add_command(backup_verify)
