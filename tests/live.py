"""The app served for real (werkzeug's threaded server on a free loopback port), on a database of
its own: tests that need real HTTP (concurrent clients, chunked bodies) use it. The suite's
other tests roll back inside one connection, which a server in another thread cannot share.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from flask import Flask
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from werkzeug.serving import BaseWSGIServer, make_server

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

from witness import create_app
from witness.migrate import upgrade


def own_database(tmp_path_factory, name: str) -> str:
    """A fresh, migrated database: a SQLite file, or ``<suite database>_<name>`` on the
    PostgreSQL server of ``WITNESS_TEST_DATABASE_URL`` (dropped and created anew)."""
    suite_url = os.environ.get("WITNESS_TEST_DATABASE_URL")
    if not suite_url:
        url = f"sqlite:///{tmp_path_factory.mktemp(name) / 'witness.sqlite3'}"
    else:
        base = make_url(suite_url)
        own = base.set(database=f"{base.database}_{name}")
        admin = create_engine(base.set(database="postgres"), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f"DROP DATABASE IF EXISTS {own.database} WITH (FORCE)"))
            conn.execute(text(f"CREATE DATABASE {own.database}"))
        admin.dispose()
        url = own.render_as_string(hide_password=False)
    upgrade(url)
    return url


def served_app(tmp_path_factory, url: str) -> Flask:
    """The app on ``url``, configured as in production apart from its key: not TESTING, so a
    server error reaches the client as the 500 it would be."""
    # admins and supervisors sign in with a password only here (tests/auth test the factor)
    app = create_app(
        {"SECRET_KEY": "live-secret", "DATABASE_URL": url, "REQUIRE_SECOND_FACTOR": False}
    )
    app.instance_path = str(tmp_path_factory.mktemp("live-instance"))
    return app


def whole_bodies(app: WSGIApplication) -> WSGIApplication:
    """``app`` with each response read whole and closed before it is sent.

    werkzeug's development server leaves a response's file open when the client drops the
    connection: its clean-up reads the dropped socket, which raises, before it closes the body.
    Chromium drops connections for stylesheets it already has, and the unclosed file surfaces later
    as a ResourceWarning in whichever test is running. Production servers close the body."""

    def wsgi(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        body = app(environ, start_response)
        try:
            return [b"".join(body)]
        finally:
            close = getattr(body, "close", None)
            if close is not None:
                close()

    return wsgi


def start_server(app: Flask) -> BaseWSGIServer:
    """werkzeug's threaded server for ``app`` on a free loopback port, already serving."""
    server = make_server("127.0.0.1", 0, whole_bodies(app), threaded=True)
    threading.Thread(target=server.serve_forever, name="live-server", daemon=True).start()
    return server


@contextmanager
def serving(app: Flask) -> Iterator[str]:
    """Serve ``app`` until the block ends; yields its base URL."""
    server = start_server(app)
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        app.extensions["witness.db"].engine.dispose()
