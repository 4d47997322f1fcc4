"""``flask`` commands: set up the database, load demo data, create users and API tokens."""

from __future__ import annotations

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from sqlalchemy import select

from witness.auth.models import Organisation, OrganisationKind, Role, User
from witness.auth.services import create_user
from witness.core.errors import DomainError
from witness.db import db_session


def register_cli(app: Flask) -> None:
    app.cli.add_command(init_db)
    app.cli.add_command(demo_data)
    app.cli.add_command(setup)
    app.cli.add_command(create_user_command)
    app.cli.add_command(create_organisation_command)
    app.cli.add_command(create_token_command)

    from witness.backup.cli import register_backup_cli

    register_backup_cli(app)

    from witness.rotation import rotate_keys

    app.cli.add_command(rotate_keys)

    from witness.bench.cli import register_bench_cli

    register_bench_cli(app)

    from witness.jobs import register_jobs_cli

    register_jobs_cli(app)

    from witness.ledger.cli import register_ledger_cli

    register_ledger_cli(app)

    from witness.audit.cli import register_audit_cli

    register_audit_cli(app)

    from witness.ledger.exports import disclosure_run
    from witness.outcomes.cli import import_release_list_command

    app.cli.add_command(import_release_list_command)

    app.cli.add_command(disclosure_run)

    from witness.letters.bench import letters_bench
    from witness.letters.jobs import letters_print

    app.cli.add_command(letters_print)
    app.cli.add_command(letters_bench)

    from witness.outcomes.bench import outcomes_bench

    app.cli.add_command(outcomes_bench)

    from witness.retention.cli import retention_cli

    app.cli.add_command(retention_cli)


@click.command("init-db")
@with_appcontext
def init_db() -> None:
    """Create or upgrade the database schema through the Alembic migrations, as the tables'
    owner (``WITNESS_MIGRATION_DATABASE_URL``, else ``WITNESS_DATABASE_URL``), and grant the
    application's role what it needs when that is another role (PostgreSQL)."""
    from witness.migrate import upgrade_and_grant

    app_url = current_app.config["DATABASE_URL"]
    owner_url = current_app.config.get("MIGRATION_DATABASE_URL") or app_url
    role = upgrade_and_grant(owner_url, app_url)
    click.echo("Database is at the newest revision.")
    if role is not None:
        click.echo(f"Granted the application's role {role} what it needs (it owns nothing).")


@click.command("demo-data")
@with_appcontext
def demo_data() -> None:
    """Load demo courts, cases, witnesses and one user per role; print the sign-ins."""
    from witness.demo import demo_second_factors, load_demo

    db = db_session()
    credentials = load_demo(db)
    if credentials is None:
        click.echo("Demo data is already loaded.")
        return
    factors = demo_second_factors(db)
    db.commit()
    _print_credentials(credentials)
    _print_second_factors(factors)


@click.command("setup")
@click.option("--demo", is_flag=True, help="Also load demo data (once).")
@click.pass_context
def setup(ctx: click.Context, demo: bool) -> None:
    """Upgrade the database and, with --demo, load demo data if it is not there yet."""
    ctx.invoke(init_db)
    if demo:
        ctx.invoke(demo_data)


def _print_credentials(credentials: list[tuple[str, str, str]]) -> None:
    click.echo("\nDemo sign-ins (demo only: change or remove before real use):")
    for role, email, password in credentials:
        click.echo(f"  {role:<16} {email:<32} {password}")


def _print_second_factors(factors: dict[str, tuple[str, list[str]]]) -> None:
    if not factors:
        return
    click.echo(
        "\nAdministrators and supervisors sign in with a second factor too. Add the key to an "
        "authenticator app (time-based, 6 digits), or type one of the recovery codes (each "
        "works once):"
    )
    for email, (secret, codes) in factors.items():
        click.echo(f"  {email:<32} key {secret}")
        click.echo(f"  {'':<32} recovery codes {' '.join(codes)}")


@click.command("create-user")
@with_appcontext
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option("--role", type=click.Choice([r.value for r in Role]), required=True)
@click.option("--organisation", required=True, help="Name of an existing organisation.")
@click.password_option(help="At least 10 characters; prompted for if not given.")
def create_user_command(email: str, name: str, role: str, organisation: str, password: str):
    """Create a user in an existing organisation."""
    db = db_session()
    org = db.scalar(select(Organisation).where(Organisation.name == organisation))
    if org is None:
        names = ", ".join(db.scalars(select(Organisation.name).order_by(Organisation.name)))
        raise click.UsageError(f"No organisation named {organisation!r}. Known: {names or 'none'}.")
    try:
        user = create_user(
            db, email=email, name=name, password=password, role=Role(role), organisation=org
        )
    except DomainError as exc:
        raise click.UsageError(exc.message) from exc
    db.commit()
    click.echo(f"Created {user.role.label.lower()} {user.email} in {org.name}.")


@click.command("create-organisation")
@with_appcontext
@click.option("--name", required=True)
@click.option("--kind", type=click.Choice([k.value for k in OrganisationKind]), required=True)
def create_organisation_command(name: str, kind: str) -> None:
    """Create an organisation (the first step on a new installation, before its first user)."""
    db = db_session()
    if db.scalar(select(Organisation.id).where(Organisation.name == name)) is not None:
        raise click.UsageError(f"An organisation named {name!r} already exists.")
    db.add(Organisation(name=name, kind=OrganisationKind(kind)))
    db.commit()
    click.echo(f"Created organisation {name}.")


@click.command("create-token")
@with_appcontext
@click.option("--email", required=True, help="The user the token acts as.")
@click.option("--name", required=True, help="What the token is for, e.g. 'court listing sync'.")
@click.option(
    "--days",
    type=click.Choice(["30", "90", "180", "365"]),
    default="90",
    show_default=True,
    help="Days until the token expires.",
)
@click.option("--read-only", is_flag=True, help="The token may only read (GET).")
def create_token_command(email: str, name: str, days: str, read_only: bool) -> None:
    """Create an API token for a user and print it; it is shown this once and never again."""
    from witness.auth.models import TokenScope
    from witness.auth.tokens import create_token

    db = db_session()
    user = db.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None or not user.is_enabled:
        raise click.UsageError(f"No active user with e-mail {email!r}.")
    try:
        scope = TokenScope.read if read_only else TokenScope.full
        token, plaintext = create_token(db, user, name, scope=scope, days=int(days))
    except DomainError as exc:
        raise click.UsageError(exc.message) from exc
    db.commit()
    click.echo(
        f"Created API token {token.name!r} for {user.email}, expiring "
        f"{token.expires_dt:%Y-%m-%d %H:%M} UTC. Copy it now; it is not shown again:"
    )
    click.echo(plaintext)
