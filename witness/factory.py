"""The application factory without the ``flask`` commands.

``witness.create_app`` is this plus the commands. A command that needs an app of its own (the
benchmark's twin, ``witness.bench.benchmark``) builds it here: importing ``create_app`` would
import the commands, and so the command itself, back.
"""

from __future__ import annotations

from pathlib import Path

from flask import Flask

from witness.paths import ROOT


def build_app(test_config: dict | None = None) -> Flask:
    """The app without its ``flask`` commands: configuration, database, sign-in, CSRF,
    blueprints, the API and (in the development server) the scheduler."""
    app = Flask(
        "witness",
        instance_path=str(ROOT / "instance"),
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
    )
    from witness.config import build_config, load_or_create_secret

    app.config.from_mapping(build_config(Path(app.instance_path)) | (test_config or {}))
    if not app.config["SECRET_KEY"]:
        app.config["SECRET_KEY"] = load_or_create_secret(Path(app.instance_path))

    from witness.db import Database

    Database(app.config["DATABASE_URL"]).init_app(app)

    from witness.ledger import keys

    keys.init_app(app)  # the ledger's HMAC keys, for the app and every session it opens

    from witness.core import crypto

    crypto.init_app(app)  # the data keys that encrypt the most sensitive fields at rest

    from witness.core import figures, i18n, web

    web.init_app(app)
    figures.init_app(app)
    i18n.init_app(app)  # gettext for pages, letters, e-mails and call scripts

    _register_pages(app)

    from witness.api import init_app as init_api

    init_api(app)  # the JSON API and its OpenAPI document, under /api/v1
    if app.config.get("BENCHMARK_ROUTES"):
        # Only for `flask benchmark` and the load test; never part of the served product.
        from witness.bench.views import bp as bench_bp

        app.register_blueprint(bench_bp)

    if app.config["RUN_SCHEDULER"] and not app.testing:
        # Development server only (see README); production runs `flask scheduler` instead.
        from witness.jobs import run_in_server

        run_in_server(app)
    return app


def _register_pages(app: Flask) -> None:
    """Every feature's pages (its blueprint)."""
    from witness.admin.views import bp as admin_bp
    from witness.audit.views import bp as audit_bp
    from witness.auth.views import bp as auth_bp
    from witness.calendar.views import bp as calendar_bp
    from witness.cases.views import bp as cases_bp
    from witness.dashboard.views import bp as dashboard_bp
    from witness.hearings.views import bp as hearings_bp
    from witness.ledger.disclosure_views import bp as disclosure_bp
    from witness.ledger.flag_views import bp as ledger_flags_bp
    from witness.ledger.views import bp as ledger_bp
    from witness.letters.views import bp as letters_bp
    from witness.notify.channel_views import calls_bp as notify_calls_bp
    from witness.notify.channel_views import prefs_bp as notify_prefs_bp
    from witness.notify.task_views import bp as notify_tasks_bp
    from witness.notify.views import bp as notify_bp
    from witness.outcomes.views import bp as outcomes_bp
    from witness.people.views import bp as people_bp
    from witness.posttrial.views import bp as posttrial_bp
    from witness.protection.views import bp as protection_bp
    from witness.retention.views import bp as retention_bp
    from witness.risk.views import bp as risk_bp
    from witness.rooms.views import bp as rooms_bp
    from witness.scheduling.views import bp as scheduling_bp
    from witness.subject_access.views import bp as subject_access_bp

    for blueprint in (
        auth_bp,
        dashboard_bp,
        cases_bp,
        people_bp,
        audit_bp,
        admin_bp,
        notify_bp,
        notify_tasks_bp,
        notify_prefs_bp,
        notify_calls_bp,
        calendar_bp,
        hearings_bp,
        rooms_bp,
        scheduling_bp,
        ledger_bp,
        ledger_flags_bp,
        disclosure_bp,
        letters_bp,
        posttrial_bp,
        protection_bp,
        retention_bp,
        outcomes_bp,
        risk_bp,
        subject_access_bp,
    ):
        app.register_blueprint(blueprint)
