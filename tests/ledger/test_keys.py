"""The ledger's key ring (issue 11, item 14): from the environment or a key file outside the
database, generated on first start by default, rotated by appending a key."""

from __future__ import annotations

import stat

import pytest

from witness import create_app
from witness.config import ConfigError
from witness.ledger.keys import KEY_LINE, KEY_SETTING, KeyRing, load_keyring, parse_key

SECRET = "s" * 40


def test_the_environment_ring_signs_with_its_key_and_keeps_the_old_ones(tmp_path):
    ring = load_keyring(
        {"LEDGER_KEY": f"2027:{SECRET}", "LEDGER_OLD_KEYS": f"2026:{'o' * 40}, 2025:{'p' * 40}"},
        tmp_path,
    )
    assert ring.signing_id == "2027" and set(ring.secrets) == {"2025", "2026", "2027"}
    assert ring.mac("2026", b"x") != ring.mac("2027", b"x") and ring.mac("gone", b"x") is None
    assert not list(tmp_path.iterdir())  # no key file written


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ({"LEDGER_KEY": "short:abc"}, "at least 32"),
        ({"LEDGER_KEY": SECRET}, "'<id>:<secret>'"),
        ({"LEDGER_KEY": f"bad id:{SECRET}"}, "^WITNESS_LEDGER_KEY must hold keys"),
        ({"LEDGER_KEY": f"a:{SECRET}", "LEDGER_OLD_KEYS": "b:short"}, "WITNESS_LEDGER_OLD_KEYS"),
        ({"LEDGER_KEY": f"a:{SECRET}", "LEDGER_OLD_KEYS": f"a:{'x' * 40}"}, "given twice"),
        ({"LEDGER_KEY_FILE": "{tmp}/missing/ledger_keys"}, "does not exist"),
    ],
)
def test_a_bad_key_setting_stops_start_up_naming_it(tmp_path, config, message):
    config = {key: value.replace("{tmp}", str(tmp_path)) for key, value in config.items()}
    with pytest.raises(ConfigError, match=message):
        load_keyring(config, tmp_path / "instance")
    assert not (tmp_path / "missing").exists()  # a named file is never made up


def test_the_default_ring_is_generated_once_into_the_instance_folder(tmp_path):
    ring = load_keyring({}, tmp_path)
    path = tmp_path / "ledger_keys"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert load_keyring({}, tmp_path) == ring  # kept, not generated again
    assert len(ring.secrets[ring.signing_id]) == 64


def test_rotating_the_key_file_adds_a_signing_key_and_keeps_the_old(
    tmp_path, monkeypatch, database_url
):
    monkeypatch.delenv("WITNESS_LEDGER_KEY", raising=False)
    monkeypatch.setenv("WITNESS_LEDGER_KEY_FILE", str(tmp_path / "keys"))
    (tmp_path / "keys").write_text(f"# ring\nfirst {SECRET}\n")

    def app():
        return create_app({"SECRET_KEY": "x", "DATABASE_URL": database_url, "TESTING": True})

    before = app()
    assert before.extensions["witness.ledger_keys"].signing_id == "first"
    result = before.test_cli_runner().invoke(args=["ledger-keys", "rotate"])
    assert result.exit_code == 0 and "Added ledger key" in result.output
    after = app().extensions["witness.ledger_keys"]
    assert after.signing_id != "first" and set(after.secrets) == {"first", after.signing_id}
    shown = app().test_cli_runner().invoke(args=["ledger-keys", "show"]).output
    assert f"{after.signing_id}  (signs new entries)" in shown and SECRET not in shown
    assert shown.splitlines()[0] == f"Key ring: {tmp_path / 'keys'}"  # where to find it


def test_rotating_keys_from_the_environment_prints_what_to_set(app, runner):
    result = runner.invoke(args=["ledger-keys", "rotate"])
    assert result.exit_code == 0
    assert "WITNESS_LEDGER_OLD_KEYS" in result.output and "WITNESS_LEDGER_KEY=" in result.output
    assert app.extensions["witness.ledger_keys"].source == "environment"


def test_a_ring_of_no_key_is_refused():
    with pytest.raises(ConfigError, match="holds no key"):
        KeyRing.of([], "empty file")


def test_a_bad_line_in_the_key_file_stops_start_up_naming_the_file(tmp_path):
    path = tmp_path / "keys"
    path.write_text(f"first {SECRET}\nsecond short\n")
    with pytest.raises(ConfigError, match=f"the ledger key file {path} must hold keys"):
        load_keyring({"LEDGER_KEY_FILE": str(path)}, tmp_path)


def test_the_default_ring_is_made_in_an_instance_folder_not_made_yet(tmp_path):
    """A fresh deployment's instance folder may be two levels short: both are made."""
    instance = tmp_path / "var" / "witness-instance"
    ring = load_keyring({}, instance)
    assert (instance / "ledger_keys").exists() and ring.signing_id in ring.secrets


def test_old_keys_are_split_at_commas_and_the_ring_says_where_it_came_from(tmp_path):
    ring = load_keyring(
        {"LEDGER_KEY": f"2027:{SECRET}", "LEDGER_OLD_KEYS": f"2026:{'o' * 40},2025:{'p' * 40}"},
        tmp_path,
    )
    assert dict(ring.secrets) == {
        "2025": b"p" * 40,
        "2026": b"o" * 40,
        "2027": SECRET.encode(),
    }
    assert ring.source == "environment"


def test_a_secret_of_exactly_the_shortest_length_is_taken():
    assert parse_key("k:" + "s" * 32, "WITNESS_LEDGER_KEY") == ("k", "s" * 32)


@pytest.mark.parametrize(
    ("text", "setting", "pattern", "form"),
    [
        ("k:short", "WITNESS_LEDGER_KEY", KEY_SETTING, "<id>:<secret>"),
        ("k short", "the ledger key file keys", KEY_LINE, "<id> <secret>"),
    ],
)
def test_a_bad_key_is_refused_with_the_whole_way_to_write_one(text, setting, pattern, form):
    """The message an operator reads at start-up, whole: where, what form, and how to make one."""
    with pytest.raises(ConfigError) as refused:
        parse_key(text, setting, pattern)
    assert str(refused.value) == (
        f"{setting} must hold keys as '{form}': an id of letters, digits, '.', '_' or '-' "
        "(at most 40) and a secret of at least 32 printable ASCII characters without spaces "
        "(e.g. 64 hex digits: `python -c 'import secrets; print(secrets.token_hex(32))'`)."
    )


def test_an_app_without_key_settings_keeps_its_ring_in_its_instance_folder(
    tmp_path, monkeypatch, database_url
):
    """A fresh install (no key in the environment, no key file named) generates its ring
    into its own instance folder, and every session the app opens signs with it, even one
    opened outside a request (the scheduler's jobs)."""
    from witness import factory
    from witness.core.keyring import keyring

    monkeypatch.delenv("WITNESS_LEDGER_KEY", raising=False)
    monkeypatch.delenv("WITNESS_LEDGER_KEY_FILE", raising=False)
    monkeypatch.setattr(factory, "ROOT", tmp_path)
    app = create_app({"SECRET_KEY": "x", "DATABASE_URL": database_url, "TESTING": True})
    ring = app.extensions["witness.ledger_keys"]
    assert ring.source == str(tmp_path / "instance" / "ledger_keys")
    assert load_keyring({}, tmp_path / "instance") == ring
    with app.extensions["witness.db"].sessionmaker() as session:  # no app context here
        assert keyring(session) is ring
