"""The ledger's key ring (issue 11, item 14): from the environment or a key file outside the
database, generated on first start by default, rotated by appending a key."""

from __future__ import annotations

import stat

import pytest

from witness import create_app
from witness.config import ConfigError
from witness.ledger.keys import KeyRing, load_keyring

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
        ({"LEDGER_KEY": f"bad id:{SECRET}"}, "WITNESS_LEDGER_KEY"),
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
