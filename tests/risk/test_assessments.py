"""Assessments: a draft until completed, read-only after; the level by the rule or an audited
override; the next one starts from the last one's answers and must be confirmed."""

from __future__ import annotations

from datetime import date

import pytest

from witness.core.errors import AccessDenied, DomainError
from witness.risk import instrument, queries
from witness.risk import services as s
from witness.risk.instrument import Factor, RiskLevel
from witness.risk.models import AssessmentStatus

from .conftest import answers_with


def _complete(db, w, present=(), **kw):
    draft = s.start_assessment(db, w.officer, w.witness, "v1")
    return s.complete_assessment(
        db,
        w.officer,
        draft,
        answers=kw.pop("answers", None) or answers_with(present),
        own_view=kw.pop("own_view", "I feel safe at the shelter."),
        confirmed=kw.pop("confirmed", True),
        **kw,
    )


def test_a_draft_keeps_answers_and_completing_sets_the_level_and_next_review(
    db, risk, open_reviews, audit_actions
):
    w = risk
    draft = s.start_assessment(db, w.officer, w.witness, "v1")
    assert draft.status is AssessmentStatus.draft and draft.level is None
    s.save_assessment(
        db,
        w.officer,
        draft,
        answers=answers_with({"threats"}, notes={"threats": "Texts from an unknown number"}),
        own_view="Scared to go out",
    )
    assert draft.status is AssessmentStatus.draft
    assert draft.answers["threats"] == {"answer": "present", "note": "Texts from an unknown number"}
    done = s.complete_assessment(
        db,
        w.officer,
        draft,
        answers=answers_with({"threats", "accused_at_large"}),
        own_view="Scared to go out",
        confirmed=False,  # nothing carried over: nothing to confirm
    )
    assert (done.level, done.rule_level, done.is_current) == (
        RiskLevel.critical,
        RiskLevel.critical,
        True,
    )
    # critical: reviewed again within 7 days of 10 March
    assert open_reviews(w.witness) == [
        ("scheduled", date(2026, 3, 17), "Critical risk: reviewed every 7 days")
    ]
    actions = audit_actions(w.witness.id)
    assert "risk_assessment.complete" in actions and "risk_assessment.override" not in actions


def test_review_days_follow_the_configured_table(db, risk, open_reviews):
    _complete(db, risk, (), review_days={lvl.value: 1 + lvl.rank for lvl in RiskLevel})
    assert open_reviews(risk.witness)[0][1] == date(2026, 3, 11)  # low: 1 day here


def test_a_completed_assessment_is_read_only(db, risk):
    done = _complete(db, risk, {"debts"})
    with pytest.raises(DomainError, match="cannot be changed"):
        s.save_assessment(db, risk.officer, done, answers=answers_with(), own_view="")
    with pytest.raises(DomainError, match="cannot be changed"):
        s.complete_assessment(
            db, risk.officer, done, answers=answers_with(), own_view="", confirmed=True
        )
    assert done.level is RiskLevel.medium


def test_the_next_assessment_starts_from_the_last_and_must_be_confirmed(db, risk):
    first = _complete(db, risk, {"debts"}, own_view="Worried about money")
    draft = s.start_assessment(db, risk.officer, risk.witness, "v1")
    assert draft.previous_id == first.id
    assert draft.answers["debts"]["answer"] == "present"
    assert draft.own_view == "Worried about money"
    with pytest.raises(DomainError, match="Confirm") as refused:
        s.complete_assessment(
            db, risk.officer, draft, answers=answers_with({"debts"}), own_view="", confirmed=False
        )
    assert refused.value.field == "confirmed"
    second = s.complete_assessment(
        db, risk.officer, draft, answers=answers_with(), own_view="", confirmed=True
    )
    db.refresh(first)
    assert (first.is_current, second.is_current) == (False, True)
    assert [a.id for a in queries.history(db, risk.witness.id)] == [second.id, first.id]


def test_completing_closes_the_open_reviews(db, risk, open_reviews):
    s.ask_for_review(db, risk.officer, risk.witness)
    assert [r[0] for r in open_reviews(risk.witness)] == ["witness_asked"]
    _complete(db, risk)
    assert [r[0] for r in open_reviews(risk.witness)] == ["scheduled"]


def test_an_override_needs_a_reason_and_is_audited(db, risk, audit_actions):
    with pytest.raises(DomainError, match="reason") as refused:
        _complete(db, risk, {"debts"}, override_level=RiskLevel.high)
    assert refused.value.field == "override_reason"
    draft = queries.draft_of(db, risk.witness.id)
    done = s.complete_assessment(
        db,
        risk.officer,
        draft,
        answers=answers_with({"debts"}),
        own_view="",
        confirmed=True,
        override_level=RiskLevel.high,
        override_reason="The trafficker's cousin moved to the same street.",
    )
    assert (done.rule_level, done.level, done.is_overridden) == (
        RiskLevel.medium,
        RiskLevel.high,
        True,
    )
    assert done.override_reason.startswith("The trafficker's cousin")
    assert "risk_assessment.override" in audit_actions(risk.witness.id)


def test_an_old_assessment_keeps_its_version_when_a_new_one_is_published(db, risk, monkeypatch):
    old = _complete(db, risk, {"threats"})
    v2 = (*instrument.RISK_INSTRUMENTS["v1"], Factor("new_factor", "Something new"))
    monkeypatch.setitem(instrument.RISK_INSTRUMENTS, "v2", v2)
    assert old.instrument == "v1"
    assert "new_factor" not in old.answers
    assert old.level is RiskLevel.high


def test_only_the_witness_office_assesses(db, risk):
    for someone in (risk.ngo_worker, risk.prosecutor, risk.foreign_admin):
        with pytest.raises(AccessDenied):
            s.start_assessment(db, someone, risk.witness, "v1")


def test_an_unknown_instrument_or_answer_is_refused(db, risk):
    with pytest.raises(DomainError, match="instruments") as refused:
        s.start_assessment(db, risk.officer, risk.witness, "v9")
    assert refused.value.field == "instrument"
    draft = s.start_assessment(db, risk.officer, risk.witness, "v1")
    bad = {**answers_with(), "threats": ("maybe", "")}
    with pytest.raises(DomainError, match="present, absent or unknown") as refused:
        s.save_assessment(db, risk.officer, draft, answers=bad, own_view="")
    assert refused.value.field == "a_threats"


def test_one_draft_at_a_time(db, risk):
    first = s.start_assessment(db, risk.officer, risk.witness, "v1")
    assert s.start_assessment(db, risk.officer, risk.witness, "v1").id == first.id
    with pytest.raises(DomainError, match="draft"):
        s.start_assessment(db, risk.officer, risk.witness, "return-v1")
