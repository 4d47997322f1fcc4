"""Recording and correcting outcome and custody events: what each kind needs, who may record,
what a verdict does to the case's witnesses, and how a correction keeps the history."""

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from witness.audit.models import AuditEvent
from witness.cases.models import CustodyStatus
from witness.core.errors import AccessDenied, DomainError
from witness.notify.models import News, NewsKind, NotificationTask, TaskStatus
from witness.outcomes import services
from witness.outcomes.custody import picture
from witness.outcomes.models import EventKind, EventResult, OutcomeEvent
from witness.people.models import Phase, PhaseTransition


def record(db, world, actor=None, kind=EventKind.verdict, defendant=None, **fields):
    fields.setdefault("effective_date", date(2026, 3, 9))
    fields.setdefault("source", "court")
    return services.record_event(
        db,
        actor or world.officer,
        case=world.case,
        defendant=world.defendant if defendant is None else (defendant or None),
        kind=kind,
        **fields,
    )


def verdict(db, world, **kw):
    kw.setdefault("charge", "Trafficking for forced labour")
    kw.setdefault("result", EventResult.guilty)
    return record(db, world, **kw)


def count(db, model, *where):
    return db.scalar(select(func.count()).select_from(model).where(*where))


# --- what each kind needs ---------------------------------------------------------------------

REFUSED = [
    (EventKind.verdict, {"result": "guilty"}, "charge"),
    (EventKind.verdict, {"charge": "Theft"}, "result"),
    (EventKind.verdict, {"charge": "Theft", "result": "appeal_allowed"}, "result"),
    (EventKind.plea, {"charge": "Theft", "result": "no_verdict"}, "result"),
    (EventKind.sentence, {}, "sentence_kind"),
    (EventKind.sentence, {"sentence_kind": "custody"}, "sentence_months"),
    (EventKind.sentence, {"sentence_kind": "fine", "sentence_months": 3}, "sentence_months"),
    (
        EventKind.sentence,
        {"sentence_kind": "suspended_custody", "sentence_months": 12},
        "suspended_months",
    ),
    (
        EventKind.sentence,
        {"sentence_kind": "custody", "sentence_months": 12, "suspended_months": 6},
        "suspended_months",
    ),
    (
        EventKind.sentence,
        {"sentence_kind": "custody", "sentence_months": 12, "compensation_amount": "100"},
        "compensation_currency",
    ),
    (
        EventKind.sentence,
        {
            "sentence_kind": "custody",
            "sentence_months": 12,
            "compensation_amount": "100.005",
            "compensation_currency": "GBP",
        },
        "compensation_amount",
    ),
    (
        EventKind.sentence,
        {
            "sentence_kind": "custody",
            "sentence_months": 12,
            "compensation_amount": "1e3",
            "compensation_currency": "GBP",
        },
        "compensation_amount",
    ),
    (
        EventKind.sentence,
        {"sentence_kind": "custody", "sentence_months": 12, "orders": [{"kind": "compensation"}]},
        "compensation_amount",
    ),
    (
        EventKind.sentence,
        {
            "sentence_kind": "custody",
            "sentence_months": 12,
            "orders": [{"kind": "no_contact", "until": "2020-01-01"}],
        },
        "orders",
    ),
    (EventKind.sentence, {"sentence_kind": "custody", "sentence_months": -1}, "sentence_months"),
    (EventKind.release_date_set, {}, "release_date"),
    (EventKind.release_date_set, {"release_date": "2301-01-01"}, "release_date"),
    (EventKind.release_date_set, {"release_date": "01/02/2027"}, "release_date"),
    (EventKind.remanded, {}, "conditions"),
    (EventKind.bailed, {}, "conditions"),
    (EventKind.transferred, {}, "institution"),
    (EventKind.parole_hearing, {}, "hearing_date"),
    (EventKind.parole_eligible, {}, "deadline_date"),
    (EventKind.appeal_decided, {"result": "guilty"}, "result"),
    (
        EventKind.verdict,
        {"charge": "T", "result": "guilty", "release_date": "2027-01-01"},
        "release_date",
    ),
    (EventKind.released, {"conditions": "ok\u202etxt"}, "conditions"),
]


@pytest.mark.parametrize(("kind", "fields", "field"), REFUSED)
def test_each_kind_refuses_what_it_lacks_and_nothing_is_written(db, trial, kind, fields, field):
    with pytest.raises(DomainError) as refused:
        record(db, trial, kind=kind, **fields)
    assert refused.value.field == field
    assert count(db, OutcomeEvent) == 0
    assert count(db, NotificationTask) == 0


def test_a_date_out_of_range_and_a_defendant_of_another_case_are_refused(db, trial):
    with pytest.raises(DomainError) as refused:
        verdict(db, trial, effective_date=date(1850, 1, 1))
    assert refused.value.field == "effective_date"
    with pytest.raises(DomainError) as refused:
        verdict(db, trial, defendant=trial.other_defendant)
    assert refused.value.field == "defendant_id"
    with pytest.raises(DomainError) as refused:
        record(db, trial, kind=EventKind.verdict, defendant=False, charge="T", result="guilty")
    assert count(db, OutcomeEvent) == 0


def test_a_sentence_with_orders_and_compensation_is_kept_as_given(db, trial):
    event = record(
        db,
        trial,
        kind=EventKind.sentence,
        sentence_kind="suspended_custody",
        sentence_months=18,
        suspended_months=24,
        orders=[
            {"kind": "no_contact", "detail": "No contact with the victim", "until": "2031-01-01"},
            {"kind": "compensation", "detail": ""},
        ],
        compensation_amount="2500.50",
        compensation_currency="gbp",
        release_date=date(2027, 9, 1),
    )
    db.expire_all()
    assert event.compensation_amount == Decimal("2500.50")
    assert event.compensation_currency == "GBP"
    assert event.orders[0] == {
        "kind": "no_contact",
        "detail": "No contact with the victim",
        "until": "2031-01-01",
    }
    assert event.defendant.expected_release_date == date(2027, 9, 1)


# --- who may record ---------------------------------------------------------------------------


def test_an_ngo_worker_may_not_record_and_the_refusal_is_kept_by_the_caller(db, trial):
    with pytest.raises(AccessDenied):
        verdict(db, trial, actor=trial.ngo_worker)
    with pytest.raises(AccessDenied):
        verdict(db, trial, actor=trial.foreign_admin)
    assert count(db, OutcomeEvent) == 0


@pytest.mark.parametrize("who", ["officer", "supervisor", "prosecutor", "admin"])
def test_the_case_offices_staff_record(db, trial, who):
    event = verdict(db, trial, actor=getattr(trial, who))
    assert event.recorded_by_id == getattr(trial, who).id


def test_a_system_account_of_the_office_records(db, trial, make_user):
    from witness.auth.models import Role

    system = make_user(Role.system)
    assert verdict(db, trial, actor=system).recorded_by_id == system.id


# --- a verdict ends the trial -----------------------------------------------------------------


def test_a_verdict_moves_the_witnesses_to_post_trial_raises_news_and_tasks(db, trial):
    event = verdict(db, trial, actor=trial.prosecutor)
    reason = "Verdict recorded on 09 Mar 2026: Guilty on Trafficking for forced labour"
    for participation in trial.case_participations():
        assert participation.phase is Phase.post_trial
        moved = db.scalar(
            select(PhaseTransition)
            .where(PhaseTransition.participation_id == participation.id)
            .order_by(PhaseTransition.id.desc())
        )
        assert (moved.to_phase, moved.reason) == (Phase.post_trial, reason)
    news = db.scalars(select(News).where(News.case_id == trial.case.id)).all()
    assert {n.witness_id for n in news} == {trial.assigned.id, trial.unassigned.id}
    assert {(n.kind, n.summary) for n in news} == {(NewsKind.case_outcome, reason)}
    tasks = db.scalars(select(NotificationTask).where(NotificationTask.event_id == event.id)).all()
    assert {t.witness_id for t in tasks} == {trial.assigned.id, trial.unassigned.id}
    assert all(t.enhanced for t in tasks)  # a trafficking case: 1 working day
    audit = db.scalar(
        select(AuditEvent).where(
            AuditEvent.action == "outcome_event.record", AuditEvent.object_id == event.id
        )
    )
    assert audit is not None and audit.actor_id == trial.prosecutor.id


def _second_defendant(db, trial):
    from witness.cases.models import Defendant

    second = Defendant(
        case_id=trial.case.id, name="Sam Second", custody_status=CustodyStatus.on_bail
    )
    db.add(second)
    db.flush()
    return second


def test_the_trial_goes_on_while_another_defendant_still_awaits_a_verdict(db, trial):
    """Two defendants: the case dropped against one (or a verdict for one) does not end the
    trial the witnesses still give evidence in; the other's verdict does."""
    second = _second_defendant(db, trial)
    record(db, trial, kind=EventKind.discontinued, defendant=second)
    verdict_first = verdict(db, trial, actor=trial.prosecutor, result=EventResult.no_verdict)
    assert {p.phase for p in trial.case_participations()} == {Phase.pre_trial, Phase.trial}
    # each event is still news, and still a task to tell them
    assert count(db, News) == 4
    assert count(db, NotificationTask, NotificationTask.event_id == verdict_first.id) == 2
    verdict(db, trial, actor=trial.prosecutor, effective_date=date(2026, 3, 10))
    assert {p.phase for p in trial.case_participations()} == {Phase.post_trial}


def test_a_hung_jury_does_not_end_the_trial(db, trial):
    verdict(db, trial, result=EventResult.no_verdict)
    assert {p.phase for p in trial.case_participations()} == {Phase.pre_trial, Phase.trial}


def test_the_whole_case_discontinued_ends_the_trial_for_every_defendant(db, trial):
    _second_defendant(db, trial)
    record(db, trial, kind=EventKind.discontinued, defendant=False)
    assert {p.phase for p in trial.case_participations()} == {Phase.post_trial}


def test_a_custody_event_moves_no_one_and_raises_no_news(db, trial):
    record(db, trial, kind=EventKind.release_date_set, release_date="2027-05-01", source="prison")
    assert {p.phase for p in trial.case_participations()} == {Phase.pre_trial, Phase.trial}
    assert count(db, News) == 0
    assert count(db, NotificationTask) == 2
    assert trial.defendant.expected_release_date == date(2027, 5, 1)


# --- corrections ------------------------------------------------------------------------------


def test_a_correction_supersedes_keeps_history_and_moves_the_tasks(db, trial):
    first = record(db, trial, kind=EventKind.release_date_set, release_date="2027-05-01")
    old_tasks = db.scalars(select(NotificationTask).where(NotificationTask.event_id == first.id))
    old_tasks = list(old_tasks)
    fixed = services.correct_event(
        db,
        trial.supervisor,
        first,
        reason="The prison gave the wrong year",
        release_date="2028-05-01",
    )
    assert (fixed.supersedes_id, fixed.correction_reason) == (
        first.id,
        "The prison gave the wrong year",
    )
    assert (fixed.kind, fixed.effective_date, fixed.source) == (
        first.kind,
        first.effective_date,
        first.source,
    )
    assert first.release_date == date(2027, 5, 1)  # the old event is unchanged
    assert {t.status for t in old_tasks} == {TaskStatus.cancelled}
    new = db.scalars(select(NotificationTask).where(NotificationTask.event_id == fixed.id)).all()
    assert {t.witness_id for t in new} == {trial.assigned.id, trial.unassigned.id}
    assert {t.status for t in new} == {TaskStatus.open}
    current = picture(db, trial.defendant)
    assert current.expected_release == date(2028, 5, 1)
    assert [c.release_date for c in current.release_changes] == [date(2028, 5, 1)]
    assert trial.defendant.expected_release_date == date(2028, 5, 1)
    with pytest.raises(DomainError, match="already corrected"):
        services.correct_event(db, trial.officer, first, reason="again", release_date="2029-01-01")


def test_a_correction_needs_a_reason_and_a_change(db, trial):
    first = verdict(db, trial)
    with pytest.raises(DomainError) as refused:
        services.correct_event(db, trial.officer, first, reason=" ", result="not_guilty")
    assert refused.value.field == "reason"
    with pytest.raises(DomainError, match="Nothing was changed"):
        services.correct_event(db, trial.officer, first, reason="typo")
    with pytest.raises(AccessDenied):
        services.correct_event(db, trial.ngo_worker, first, reason="x", result="not_guilty")
    assert count(db, OutcomeEvent) == 1


def test_the_custody_picture_follows_the_standing_events(db, trial):
    record(
        db, trial, kind=EventKind.remanded, conditions="No contact", effective_date=date(2026, 1, 5)
    )
    record(
        db,
        trial,
        kind=EventKind.sentence,
        sentence_kind="custody",
        sentence_months=48,
        release_date="2029-03-01",
        effective_date=date(2026, 3, 20),
    )
    record(
        db,
        trial,
        kind=EventKind.transferred,
        institution="HMP Leeds",
        effective_date=date(2026, 4, 1),
    )
    record(db, trial, kind=EventKind.parole_eligible, deadline_date="2028-01-01")
    record(
        db,
        trial,
        kind=EventKind.release_date_set,
        release_date="2028-11-15",
        effective_date=date(2026, 6, 1),
    )
    current = picture(db, trial.defendant)
    assert current.status == "In custody"
    assert current.institution == "HMP Leeds"
    assert current.expected_release == date(2028, 11, 15)
    assert [c.release_date for c in current.release_changes] == [
        date(2029, 3, 1),
        date(2028, 11, 15),
    ]
    assert current.parole_eligible == date(2028, 1, 1)
    assert trial.defendant.custody_status is CustodyStatus.serving_sentence
    record(
        db,
        trial,
        kind=EventKind.released,
        conditions="Licence: no contact",
        effective_date=date(2026, 7, 1),
    )
    current = picture(db, trial.defendant)
    assert (current.status, current.expected_release, current.conditions) == (
        "Released",
        None,
        "Licence: no contact",
    )
    assert trial.defendant.custody_status is CustodyStatus.released


def test_the_same_external_id_twice_is_one_event_and_other_content_conflicts(db, trial):
    args = dict(kind=EventKind.released, source="prison", source_system="HMP X", external_id="r-1")
    first, created = services.post_event(
        db,
        trial.officer,
        case=trial.case,
        defendant=trial.defendant,
        effective_date="2026-03-09",
        **args,
    )
    again, created_again = services.post_event(
        db,
        trial.officer,
        case=trial.case,
        defendant=trial.defendant,
        effective_date="2026-03-09",
        **args,
    )
    assert (created, created_again, again.id) == (True, False, first.id)
    assert count(db, NotificationTask) == 2
    with pytest.raises(services.EventConflict):
        services.post_event(
            db,
            trial.officer,
            case=trial.case,
            defendant=trial.defendant,
            effective_date="2026-03-10",
            **args,
        )
    assert count(db, OutcomeEvent) == 1
