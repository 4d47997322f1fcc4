"""Sign-in throttling stops guessing without letting an attacker lock staff out, and behind a
reverse proxy it throttles the client's real address, not the proxy's."""

import re

import pytest
from sqlalchemy import select

from witness import create_app
from witness.auth.models import LoginAttempt, Role
from witness.config import ConfigError, build_config

from .factories import PASSWORD

ATTACKER = "203.0.113.66"
PROXY = "10.0.0.1"
ADMIN_DESK = "198.51.100.10"
SUPERVISOR_DESK = "198.51.100.11"


def _sign_in(app, email, password=PASSWORD, address="127.0.0.1", forwarded=None):
    """One attempt from a fresh browser at ``address`` (through a proxy: ``forwarded``)."""
    client = app.test_client()
    headers = {"X-Forwarded-For": forwarded} if forwarded else {}
    environ = {"REMOTE_ADDR": address}
    page = client.get("/login", headers=headers, environ_base=environ).get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    return client.post(
        "/login",
        data={"email": email, "password": password, "csrf_token": token},
        headers=headers,
        environ_base=environ,
    )


@pytest.fixture
def proxied_app(app, database_url):
    """The app as configured behind one reverse proxy, on the test's database session."""
    behind_proxy = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret",
            "DATABASE_URL": database_url,
            "TRUSTED_PROXY_HOPS": 1,
        }
    )
    own = behind_proxy.extensions["witness.db"]
    behind_proxy.extensions["witness.db"] = app.extensions["witness.db"]
    behind_proxy.test_client_class = app.test_client_class
    yield behind_proxy
    own.engine.dispose()


def _attack(app, emails, rounds=50, **where):
    """``rounds`` wrong passwords for each e-mail; the answers' statuses."""
    return {_sign_in(app, e, "guess 123456", **where).status_code for e in emails * rounds}


def test_fifty_failures_do_not_lock_staff_out_of_their_own_desks(app, world, db):
    assert _sign_in(app, world.admin.email, address=ADMIN_DESK).status_code == 302
    assert _sign_in(app, world.supervisor.email, address=SUPERVISOR_DESK).status_code == 302

    statuses = _attack(app, [world.admin.email, world.supervisor.email], address=ATTACKER)
    assert statuses == {401, 429}
    # The attacker's address is stopped, even with the right password ...
    assert _sign_in(app, world.admin.email, address=ATTACKER).status_code == 429
    # ... the staff sign in from their own desks ...
    assert _sign_in(app, world.admin.email, address=ADMIN_DESK).status_code == 302
    assert _sign_in(app, world.supervisor.email, address=SUPERVISOR_DESK).status_code == 302
    # ... and the account is closed to addresses it was never used from.
    assert _sign_in(app, world.admin.email, address="192.0.2.99").status_code == 429


def test_a_spray_from_one_address_locks_only_that_address(app, world, db):
    emails = [f"guess{n}@office.example" for n in range(50)]
    assert _attack(app, emails, rounds=1, address=ATTACKER) == {401}
    assert _sign_in(app, world.officer.email, address=ATTACKER).status_code == 429
    assert _sign_in(app, world.officer.email, address="192.0.2.50").status_code == 302


def test_behind_a_proxy_the_clients_real_address_is_throttled(proxied_app, world, db):
    """Everyone arrives from the proxy's address: throttling it locked out the whole office."""
    via_proxy = {"address": PROXY}
    first = _sign_in(proxied_app, world.admin.email, forwarded=ADMIN_DESK, **via_proxy)
    assert first.status_code == 302
    emails = [world.admin.email, world.supervisor.email] + [f"x{n}@e.example" for n in range(50)]
    _attack(proxied_app, emails, rounds=1, forwarded=ATTACKER, **via_proxy)

    attacker_rows = db.scalars(select(LoginAttempt.remote_addr).where(~LoginAttempt.succeeded))
    assert set(attacker_rows) == {ATTACKER}
    assert (
        _sign_in(proxied_app, world.admin.email, forwarded=ATTACKER, **via_proxy).status_code == 429
    )
    assert (
        _sign_in(proxied_app, world.admin.email, forwarded=ADMIN_DESK, **via_proxy).status_code
        == 302
    )
    colleague = _sign_in(proxied_app, world.officer.email, forwarded="198.51.100.20", **via_proxy)
    assert colleague.status_code == 302


def test_without_a_trusted_proxy_x_forwarded_for_is_ignored(app, make_user, db):
    """Anyone can write the header: believing it would let a guesser pick a fresh address
    for every attempt."""
    user = make_user(Role.supervisor)
    for n in range(5):
        response = _sign_in(app, user.email, "guess 123456", forwarded=f"192.0.2.{n}")
        assert response.status_code == 401
    right = _sign_in(app, user.email, forwarded="192.0.2.200")
    assert right.status_code == 429
    addresses = db.scalars(select(LoginAttempt.remote_addr).where(LoginAttempt.email == user.email))
    assert set(addresses) == {"127.0.0.1"}


def test_failures_from_the_accounts_own_address_still_throttle_it(app, make_user, db):
    user = make_user()
    assert _sign_in(app, user.email, address=ADMIN_DESK).status_code == 302
    for _ in range(5):
        assert _sign_in(app, user.email, "guess 123456", address=ADMIN_DESK).status_code == 401
    assert _sign_in(app, user.email, address=ADMIN_DESK).status_code == 429


@pytest.mark.parametrize("value", ["-1", "two", "1.5"])
def test_trusted_proxy_hops_must_be_a_whole_number(monkeypatch, tmp_path, value):
    monkeypatch.setenv("WITNESS_TRUSTED_PROXY_HOPS", value)
    with pytest.raises(ConfigError, match="WITNESS_TRUSTED_PROXY_HOPS"):
        build_config(tmp_path)
