"""Every API token expires (30, 90, 180 or 365 days), and a read-only token may only read."""

from __future__ import annotations

import html
import re
from datetime import timedelta

from sqlalchemy import func, select

from witness.auth.models import ApiToken, Role, TokenScope
from witness.auth.tokens import create_system_token, create_token
from witness.cases.models import Case

from .conftest import ApiClient, assert_problem, audit_count

_TOKEN = re.compile(r"wit_[A-Za-z0-9_-]{43}")


def test_a_token_works_until_it_expires_then_is_refused_saying_so(app, db, make_user, frozen_clock):
    user = make_user()
    token, plaintext = create_token(db, user, "nightly sync", days=30)
    db.flush()
    assert token.expires_dt == frozen_clock.now() + timedelta(days=30)
    api = ApiClient(app.test_client(), plaintext)
    frozen_clock(frozen_clock.now() + timedelta(days=29, hours=23))
    assert api.get("/api/v1/me").status_code == 200
    frozen_clock(frozen_clock.now() + timedelta(hours=1))
    body = assert_problem(api.get("/api/v1/me"), 401)
    assert "expired" in body["detail"]
    assert audit_count(db, "auth.api_token_expired", object_id=token.id) == 1


def test_new_tokens_last_90_days_unless_told_and_no_other_lifetime(db, make_user, frozen_clock):
    user = make_user()
    token, _ = create_token(db, user, "default")
    assert token.expires_dt == frozen_clock.now() + timedelta(days=90)
    for days in (0, 7, 1000):
        try:
            create_token(db, user, "odd", days=days)
        except Exception as exc:
            assert getattr(exc, "field", None) == "days"
        else:
            raise AssertionError(f"{days} days was accepted")


def test_a_system_accounts_event_token_expires_too(db, make_user, frozen_clock):
    admin = make_user(Role.admin)
    system = make_user(Role.system)
    token, _ = create_system_token(db, admin, system, "prison feed", 365)
    assert token.scope is TokenScope.events
    assert token.expires_dt == frozen_clock.now() + timedelta(days=365)


def test_a_read_only_token_reads(app, db, make_user, world):
    _, plaintext = create_token(db, world.officer, "dashboard", scope=TokenScope.read)
    db.flush()
    api = ApiClient(app.test_client(), plaintext)
    assert api.get("/api/v1/witnesses").status_code == 200
    assert api.get(f"/api/v1/witnesses/{world.assigned.id}").status_code == 200


def test_a_read_only_token_cannot_change_anything(app, db, make_user, world):
    _, plaintext = create_token(db, world.officer, "dashboard", scope=TokenScope.read)
    db.flush()
    api = ApiClient(app.test_client(), plaintext)
    cases = db.scalar(select(func.count()).select_from(Case))
    post = api.post("/api/v1/cases", json={"reference": "NEW-1"}, headers={"Idempotency-Key": "k1"})
    assert "may only read" in assert_problem(post, 403)["detail"]
    patch = api.patch(f"/api/v1/witnesses/{world.assigned.id}", json={"notes": "changed"})
    assert_problem(patch, 403)
    assert db.scalar(select(func.count()).select_from(Case)) == cases
    assert audit_count(db, "api_token.scope_refused", world.officer) == 2


def test_the_api_documents_403_on_every_change(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            if method in {"post", "patch", "put", "delete"}:
                assert "403" in operation["responses"], (method, path)
    assert "expire" in spec["info"]["description"]


def test_the_token_page_creates_a_read_only_token_and_shows_its_expiry(
    login, make_user, db, frozen_clock
):
    user = make_user()
    browser = login(user)
    page = browser.submit("/account/tokens", {"name": "reports", "scope": "read", "days": "180"})
    assert page.status_code == 200
    assert len(_TOKEN.findall(html.unescape(page.get_data(as_text=True)))) == 1
    token = db.scalar(select(ApiToken).where(ApiToken.user_id == user.id))
    assert token.scope is TokenScope.read
    assert token.expires_dt == frozen_clock.now() + timedelta(days=180)
    text = page.get_data(as_text=True)
    assert "Expires" in text and "06 Sep 2026" in text
    # a lifetime or scope not offered is refused, and makes nothing
    for bad in ({"days": "3650"}, {"scope": "events"}):
        response = browser.submit("/account/tokens", {"name": "forever", **bad})
        assert response.status_code == 400
    assert db.scalar(select(func.count()).where(ApiToken.user_id == user.id)) == 1
    # once expired, the list says so and offers no revoke
    token.expires_dt = frozen_clock.now() - timedelta(minutes=1)
    db.flush()
    listing = browser.get("/account/tokens").get_data(as_text=True)
    assert "Expired" in listing and "Revoke token reports" not in listing


def test_create_token_command_takes_a_lifetime_and_read_only(
    app, runner, make_user, db, frozen_clock
):
    user = make_user(email="reader@example.org")
    result = runner.invoke(
        args=[
            "create-token",
            "--email",
            user.email,
            "--name",
            "report",
            "--days",
            "30",
            "--read-only",
        ]
    )
    assert result.exit_code == 0, result.output
    token = db.scalar(select(ApiToken).where(ApiToken.user_id == user.id))
    assert token.scope is TokenScope.read
    assert token.expires_dt == frozen_clock.now() + timedelta(days=30)
    assert "expiring 2026-04-09" in result.output
