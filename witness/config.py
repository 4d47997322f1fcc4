"""Settings read from the environment (``WITNESS_*``); embedded SQLite by default."""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path


def _flag(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def load_or_create_secret(instance_path: Path) -> str:
    """A per-installation secret kept in the instance folder, so sessions survive restarts."""
    path = instance_path / "secret_key"
    if path.exists():
        return path.read_text().strip()
    instance_path.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    path.write_text(key)
    path.chmod(0o600)
    return key


def build_config(instance_path: Path) -> dict:
    """Return the app configuration for this environment."""
    database_url = os.environ.get("WITNESS_DATABASE_URL") or (
        f"sqlite:///{instance_path / 'witness.sqlite3'}"
    )
    return {
        #: None here means: use (or create) the installation's key file; see create_app
        "SECRET_KEY": os.environ.get("WITNESS_SECRET_KEY"),
        "DATABASE_URL": database_url,
        # Sessions: cookies never readable by scripts, not sent cross-site, and (behind TLS in
        # production) only over HTTPS. Idle sessions end; see auth.views.enforce_idle_timeout.
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": _flag("WITNESS_SECURE_COOKIES", False),
        "SESSION_COOKIE_NAME": "witness_session",
        "PERMANENT_SESSION_LIFETIME": timedelta(
            minutes=int(os.environ.get("WITNESS_IDLE_TIMEOUT_MINUTES", "30"))
        ),
        "REMEMBER_COOKIE_DURATION": timedelta(seconds=0),
        "WTF_CSRF_TIME_LIMIT": None,  # the session's idle timeout already bounds a token's life
        "MAX_CONTENT_LENGTH": 2 * 1024 * 1024,
        # Sign-in throttling: after this many failures for one account (or ten times as many from
        # one address) within the window, further attempts are refused until the window passes.
        "LOGIN_MAX_FAILURES": int(os.environ.get("WITNESS_LOGIN_MAX_FAILURES", "5")),
        "LOGIN_WINDOW": timedelta(
            minutes=int(os.environ.get("WITNESS_LOGIN_WINDOW_MINUTES", "15"))
        ),
        "PAGE_SIZE": 25,
        "BENCHMARK_ROUTES": _flag("WITNESS_BENCHMARK_ROUTES", False),
    }
