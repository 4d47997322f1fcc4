"""The scheduler, `flask send-mail`, `flask scheduler` and the SMTP settings."""

from __future__ import annotations

from datetime import timedelta

import pytest

from witness import create_app
from witness.api.jobs import idempotency_sweep
from witness.audit.jobs import seal_sweep, verify_sweep
from witness.config import ConfigError, build_config
from witness.jobs import SWEEPS, build_scheduler
from witness.ledger.exports import disclosure_sweep
from witness.ledger.jobs import chain_sweep, ledger_sweep
from witness.notify.breaches import breach_sweep
from witness.notify.jobs import send_mail_sweep
from witness.notify.models import MailStatus
from witness.notify.reminders import reminder_sweep

from ..mailserver import free_port


def test_send_mail_command_prints_what_happened(db, runner, smtp_server, make_mail, frozen_clock):
    smtp_server.rejected.add("gone@example.org")
    delivered = make_mail(to_address="here@example.org")
    refused = make_mail(to_address="gone@example.org")

    result = runner.invoke(args=["send-mail"])

    assert result.exit_code == 0, result.output
    assert "Sent 1 e-mail(s); 1 failed and will be retried; 0 failed for good; 0 withheld" in (
        result.output
    )
    assert "550 5.1.1 Mailbox unavailable" in result.output
    db.expire_all()
    assert delivered.status is MailStatus.sent
    assert refused.status is MailStatus.pending and refused.attempts == 1

    result = runner.invoke(args=["send-mail"])
    assert "Sent 0 e-mail(s); 0 failed" in result.output  # the refused one is not due yet
    assert len(smtp_server.messages) == 1


def test_send_mail_command_when_no_server_listens(app, db, runner, make_mail, frozen_clock):
    make_mail()
    port = free_port()
    saved = app.config["SMTP_PORT"], app.config["SMTP_HOST"]
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=port)
    try:
        result = runner.invoke(args=["send-mail"])
    finally:
        app.config["SMTP_PORT"], app.config["SMTP_HOST"] = saved
    assert result.exit_code == 0
    assert "1 failed and will be retried" in result.output
    assert f"Could not connect to the mail server at 127.0.0.1:{port}" in result.output


def test_the_sweep_works_through_a_backlog(app, db, smtp_server, make_mail, frozen_clock):
    for n in range(120):
        make_mail(to_address=f"person{n}@example.org")
    report = send_mail_sweep(app)
    assert report.sent == 120
    assert len(smtp_server.messages) == 120


def test_scheduler_runs_mail_disclosure_reports_and_the_ledger_checks(app):
    scheduler = build_scheduler(app)
    jobs = {job.id: job for job in scheduler.get_jobs()}
    assert set(jobs) == {
        "send-mail",
        "deliver-news",
        "disclosure-reports",
        "ledger-flags",
        "ledger-chains",
        "idempotency-keys",
        "print-batches",
        "reminders",
        "breaches",
        "risk",
        "audit-seal",
        "audit-chain",
        "retention",
    }
    assert jobs["audit-seal"].func is seal_sweep
    assert jobs["audit-seal"].trigger.interval == timedelta(seconds=5)
    assert jobs["audit-chain"].func is verify_sweep
    assert jobs["audit-chain"].trigger.interval == timedelta(days=1)
    assert jobs["send-mail"].func is send_mail_sweep
    assert jobs["disclosure-reports"].func is disclosure_sweep
    assert jobs["ledger-flags"].func is ledger_sweep
    assert jobs["send-mail"].trigger.interval == timedelta(seconds=60)
    assert jobs["disclosure-reports"].trigger.interval == timedelta(seconds=30)
    assert jobs["ledger-flags"].trigger.interval == timedelta(hours=1)
    assert jobs["ledger-chains"].func is chain_sweep
    assert jobs["ledger-chains"].trigger.interval == timedelta(days=1)
    assert jobs["idempotency-keys"].func is idempotency_sweep
    assert jobs["idempotency-keys"].trigger.interval == timedelta(hours=1)
    assert jobs["reminders"].func is reminder_sweep
    assert jobs["reminders"].trigger.interval == timedelta(hours=1)
    assert jobs["breaches"].func is breach_sweep
    assert jobs["breaches"].trigger.interval == timedelta(minutes=5)
    for job in jobs.values():
        assert job.args == (app,)
        assert job.coalesce is True and job.max_instances == 1


def test_scheduler_command_is_there(runner):
    result = runner.invoke(args=["scheduler", "--help"])
    assert result.exit_code == 0
    assert "Run the sweeps in the foreground" in result.output


def test_tests_never_start_the_scheduler(database_url):
    app = create_app(
        {"TESTING": True, "SECRET_KEY": "x", "DATABASE_URL": database_url, "RUN_SCHEDULER": True}
    )
    app.test_client().get("/health")
    assert "witness.scheduler" not in app.extensions
    app.extensions["witness.db"].engine.dispose()


def test_the_development_server_starts_the_scheduler_on_its_first_request(database_url):
    app = create_app({"SECRET_KEY": "x", "DATABASE_URL": database_url, "RUN_SCHEDULER": True})
    assert "witness.scheduler" not in app.extensions  # not by `flask` commands, not at import
    try:
        app.test_client().get("/health")
        scheduler = app.extensions["witness.scheduler"]
        assert scheduler.running
        assert {job.id for job in scheduler.get_jobs()} == {job_id for job_id, _, _ in SWEEPS}
        app.test_client().get("/health")
        assert app.extensions["witness.scheduler"] is scheduler  # only one
    finally:
        app.extensions["witness.scheduler"].shutdown(wait=True)
        app.extensions["witness.db"].engine.dispose()


def test_smtp_settings_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("WITNESS_SMTP_HOST", "mail.example.org")
    monkeypatch.setenv("WITNESS_SMTP_PORT", "587")
    monkeypatch.setenv("WITNESS_SMTP_SECURITY", "STARTTLS")
    monkeypatch.setenv("WITNESS_SMTP_USERNAME", "witness")
    monkeypatch.setenv("WITNESS_SMTP_PASSWORD", "secret")
    monkeypatch.setenv("WITNESS_MAIL_FROM", "Witness <no-reply@example.org>")
    monkeypatch.setenv("WITNESS_SMTP_TIMEOUT", "2.5")
    config = build_config(tmp_path)
    assert (config["SMTP_HOST"], config["SMTP_PORT"], config["SMTP_SECURITY"]) == (
        "mail.example.org",
        587,
        "starttls",
    )
    assert (config["SMTP_USERNAME"], config["SMTP_PASSWORD"]) == ("witness", "secret")
    assert config["MAIL_FROM"] == "Witness <no-reply@example.org>"
    assert config["SMTP_TIMEOUT"] == 2.5
    assert config["RUN_SCHEDULER"] is False


def test_smtp_defaults(monkeypatch, tmp_path):
    for name in ("HOST", "PORT", "SECURITY", "USERNAME", "PASSWORD", "TIMEOUT"):
        monkeypatch.delenv(f"WITNESS_SMTP_{name}", raising=False)
    monkeypatch.delenv("WITNESS_MAIL_FROM", raising=False)
    config = build_config(tmp_path)
    assert (config["SMTP_HOST"], config["SMTP_PORT"], config["SMTP_SECURITY"]) == (
        "localhost",
        25,
        "none",
    )
    assert config["SMTP_USERNAME"] is None and config["SMTP_TIMEOUT"] == 10
    assert config["MAIL_FROM"] == "no-reply@witness.invalid"


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"WITNESS_SMTP_PORT": "smtp"}, "WITNESS_SMTP_PORT must be a port number"),
        ({"WITNESS_SMTP_PORT": "70000"}, "WITNESS_SMTP_PORT must be a port number"),
        ({"WITNESS_SMTP_SECURITY": "tls"}, "WITNESS_SMTP_SECURITY must be none, starttls or ssl"),
        ({"WITNESS_SMTP_TIMEOUT": "soon"}, "WITNESS_SMTP_TIMEOUT must be a number of seconds"),
        ({"WITNESS_SMTP_TIMEOUT": "0"}, "WITNESS_SMTP_TIMEOUT must be a number of seconds"),
        ({"WITNESS_SMTP_USERNAME": "witness"}, "Set both WITNESS_SMTP_USERNAME"),
        ({"WITNESS_MAIL_FROM": "nobody"}, "WITNESS_MAIL_FROM must be one e-mail address"),
        ({"WITNESS_MAIL_FROM": "a@b.org\r\nBcc: c@d.org"}, "WITNESS_MAIL_FROM must be one"),
        ({"WITNESS_SMTP_HOST": "mail example"}, "WITNESS_SMTP_HOST must be a host name"),
    ],
)
def test_bad_smtp_settings_stop_start_up_with_a_clear_message(monkeypatch, tmp_path, env, message):
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError, match=message):
        build_config(tmp_path)
