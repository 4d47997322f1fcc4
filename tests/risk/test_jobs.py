"""The risk sweep's alerts: an overdue review alerts the officer once; after the escalation
days the supervisors too, once; the witness is never sent anything."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from witness.config import ConfigError, build_config
from witness.jobs import SWEEPS
from witness.notify.models import OutboundEmail, StaffAlert
from witness.risk import services as s
from witness.risk.jobs import risk_sweep, sweep


def _alerts(db, witness):
    rows = db.scalars(
        select(StaffAlert).where(StaffAlert.witness_id == witness.id).order_by(StaffAlert.id)
    )
    return [(a.user.role.value, a.key.split(":")[1]) for a in rows]


def test_overdue_alerts_the_officer_then_escalates_to_supervisors_once(db, risk, frozen_clock):
    s.ask_for_review(db, risk.officer, risk.witness)  # due 12 March
    assert sweep(db, datetime(2026, 3, 12, 9, tzinfo=UTC)).alerts == 0  # due today: not late
    report = sweep(db, datetime(2026, 3, 13, 9, tzinfo=UTC))
    assert (report.alerts, report.escalations) == (1, 0)
    assert _alerts(db, risk.witness) == [("liaison_officer", "overdue")]
    assert sweep(db, datetime(2026, 3, 14, 9, tzinfo=UTC)).alerts == 0  # once
    report = sweep(db, datetime(2026, 3, 15, 9, tzinfo=UTC))  # 3 days overdue
    assert report.escalations >= 1
    assert ("supervisor", "escalate") in _alerts(db, risk.witness)
    again = sweep(db, datetime(2026, 3, 16, 9, tzinfo=UTC))
    assert (again.alerts, again.escalations) == (0, 0)
    mail = db.scalars(select(OutboundEmail.to_address)).all()
    assert risk.officer.email in mail and risk.supervisor.email in mail
    assert all(a != risk.witness.email for a in mail)


def test_review_and_escalation_days_are_read_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("WITNESS_RISK_REVIEW_DAYS", "critical=3, low=60")
    monkeypatch.setenv("WITNESS_RISK_ESCALATE_DAYS", "5")
    config = build_config(tmp_path)
    days = config["WITNESS_RISK_REVIEW_DAYS"]
    assert days == {"critical": 3, "high": 14, "medium": 30, "low": 60}
    assert config["WITNESS_RISK_ESCALATE_DAYS"] == 5
    monkeypatch.setenv("WITNESS_RISK_REVIEW_DAYS", "severe=3")
    with pytest.raises(ConfigError, match="WITNESS_RISK_REVIEW_DAYS"):
        build_config(tmp_path)


def test_a_completed_assessment_stops_the_alerts(db, risk):
    s.ask_for_review(db, risk.officer, risk.witness)
    from .conftest import answers_with

    draft = s.start_assessment(db, risk.officer, risk.witness, "v1")
    s.complete_assessment(
        db, risk.officer, draft, answers=answers_with(), own_view="", confirmed=True
    )
    assert sweep(db, datetime(2026, 3, 20, 9, tzinfo=UTC)).alerts == 0  # next: low, in 90 days


def test_the_risk_sweep_is_scheduled():
    assert ("risk", risk_sweep, 3600) in SWEEPS


def test_the_demo_has_a_critical_witness_before_a_trial_an_incident_and_an_overdue_review(
    runner, db, frozen_clock
):
    from witness.risk.models import RiskAssessment, RiskIncident, RiskReview

    assert runner.invoke(args=["demo-data"]).exit_code == 0
    today = frozen_clock.now().date()
    current = db.scalars(select(RiskAssessment).where(RiskAssessment.is_current.is_(True))).all()
    assert [a.level.value for a in current] == ["critical"]
    from witness.auth.models import Role, User
    from witness.risk.queries import high_risk_query

    supervisor = db.scalar(select(User).where(User.role == Role.supervisor))
    listed = db.scalars(high_risk_query(supervisor, "office", frozen_clock.now())).all()
    assert [w.id for w in listed] == [current[0].witness_id]  # a trial within 14 days
    assert len(db.scalars(select(RiskIncident)).all()) == 1
    open_reviews = db.scalars(select(RiskReview).where(RiskReview.done_dt.is_(None))).all()
    assert any(r.due_date < today for r in open_reviews)
    report = sweep(db, frozen_clock.now())
    assert report.alerts >= 1  # the overdue review's officer is alerted
