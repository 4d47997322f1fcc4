"""The daily retention sweep and its setting."""

from datetime import UTC, datetime

import pytest

from witness.config import ConfigError, build_config
from witness.jobs import SWEEPS
from witness.people.models import Witness
from witness.retention import services
from witness.retention.jobs import retention_sweep
from witness.retention.runs import Verdict


def test_the_retention_sweep_is_scheduled_daily():
    assert ("retention", retention_sweep, 86400) in SWEEPS


def test_the_sweep_anonymises_what_is_due_with_the_configured_period(
    app, db, world, frozen_clock, monkeypatch
):
    monkeypatch.setitem(app.config, "RETENTION_YEARS", 2)
    services.close_file(db, world.officer, world.assigned, "Support ended")
    db.flush()
    frozen_clock(datetime(2027, 3, 10, 9, tzinfo=UTC))
    [candidate] = retention_sweep(app)
    assert candidate.verdict is Verdict.not_due  # one year on, two are configured
    frozen_clock(datetime(2028, 3, 10, 9, tzinfo=UTC))
    [candidate] = retention_sweep(app)
    assert candidate.verdict is Verdict.due
    db.expire_all()
    assert db.get(Witness, world.assigned.id).anonymised_dt is not None


def test_the_period_is_read_from_the_environment_and_checked(tmp_path, monkeypatch):
    assert build_config(tmp_path)["RETENTION_YEARS"] == 6
    monkeypatch.setenv("WITNESS_RETENTION_YEARS", "10")
    assert build_config(tmp_path)["RETENTION_YEARS"] == 10
    for bad in ("0", "-1", "six", "1.5"):
        monkeypatch.setenv("WITNESS_RETENTION_YEARS", bad)
        with pytest.raises(ConfigError, match="WITNESS_RETENTION_YEARS"):
            build_config(tmp_path)


def test_the_demo_has_a_closed_file_and_a_held_one(runner, db, frozen_clock):
    from sqlalchemy import select

    from witness.retention.models import FileClosure, LegalHold
    from witness.retention.runs import plan

    assert runner.invoke(args=["demo-data"]).exit_code == 0
    closures = db.scalars(select(FileClosure)).all()
    [hold] = db.scalars(select(LegalHold)).all()
    assert len(closures) == 2 and hold.lifted_dt is None
    verdicts = {c.witness_id: c.verdict for c in plan(db, frozen_clock.now(), 6)}
    assert verdicts[hold.witness_id] is Verdict.held
    assert sorted(v.value for v in verdicts.values()) == ["held", "not_due"]
