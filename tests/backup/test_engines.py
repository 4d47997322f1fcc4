"""The PostgreSQL tools are handed the owner's password in their environment only, never on
their command line (which every user of the machine can read in the process list)."""

from __future__ import annotations

import subprocess

import pytest
from sqlalchemy import make_url

from witness.backup import engines


def test_the_password_goes_in_the_environment_not_the_command_line(monkeypatch, tmp_path):
    seen = {}

    def run(args, env, **kwargs):
        seen.update(args=args, env=env)
        return subprocess.CompletedProcess(args, 0, "", "")

    monkeypatch.setattr(engines.subprocess, "run", run)
    monkeypatch.setattr(engines.shutil, "which", lambda name: f"/usr/bin/{name}")
    monkeypatch.setenv("PGPASSWORD", "someone-elses")
    url = "postgresql+psycopg://owner:s3cret%27pw@db.internal:5433/witness?sslmode=require"
    engines._run(
        ["/usr/bin/pg_dump", f"--dbname={engines._conninfo(make_url(url))}"], make_url(url)
    )
    assert "s3cret" not in " ".join(seen["args"])
    assert seen["env"]["PGPASSWORD"] == "s3cret'pw"
    assert seen["args"][1] == (
        "--dbname=host='db.internal' port='5433' user='owner' dbname='witness' sslmode='require'"
    )


def test_a_url_without_a_password_passes_none_on(monkeypatch):
    seen = {}
    monkeypatch.setattr(
        engines.subprocess,
        "run",
        lambda args, env, **kw: seen.update(env=env) or subprocess.CompletedProcess(args, 0),
    )
    monkeypatch.setenv("PGPASSWORD", "someone-elses")
    engines._run(["pg_restore"], make_url("postgresql://app@db/witness"))
    assert "PGPASSWORD" not in seen["env"]


def test_a_failing_tool_is_a_refusal_with_its_message(monkeypatch):
    monkeypatch.setattr(
        engines.subprocess,
        "run",
        lambda args, **kw: subprocess.CompletedProcess(
            args, 1, "", "pg_dump: error: aborting because of server version mismatch\n"
        ),
    )
    with pytest.raises(engines.BackupError, match=r"pg_dump failed: .*server version mismatch"):
        engines._run(["/usr/bin/pg_dump"], make_url("postgresql://o@db/w"))


def test_a_missing_tool_says_what_to_install(monkeypatch):
    monkeypatch.setattr(engines.shutil, "which", lambda name: None)
    with pytest.raises(engines.BackupError, match=r"pg_dump is not installed.*postgresql-client"):
        engines.dump_postgresql("postgresql+psycopg://o@127.0.0.1:1/w", None)
