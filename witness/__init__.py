"""Witness: courtroom victim-witness support."""

from __future__ import annotations

from flask import Flask

from witness.factory import build_app


def create_app(test_config: dict | None = None) -> Flask:
    """Build the app: configuration, database, sign-in, CSRF, blueprints and CLI."""
    app = build_app(test_config)
    from witness.cli import register_cli

    register_cli(app)
    return app


# Every model, whichever module is imported first: relationships name classes of other features
# by string (a hearing's courtroom is a scheduling resource), and all must be known when the
# mappers are configured.
from witness import models as _models  # noqa: E402, F401
