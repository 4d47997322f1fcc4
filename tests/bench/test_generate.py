"""The national-scale generator at a tiny size: consistent data that the app serves."""

from __future__ import annotations

from array import array
from collections import Counter, defaultdict
from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import and_, func, select
from sqlalchemy.orm import aliased, selectinload

from witness import create_app
from witness.auth.models import Organisation, OrganisationKind, Role, User
from witness.bench.ledger import allocate
from witness.bench.vocabulary import BENCH_PASSWORD
from witness.cases.models import Case, Court, Hearing, HearingChange, HearingStatus, HearingType
from witness.core.access import visible_witnesses
from witness.core.time import now_utc
from witness.hearings.models import SpecialMeasure
from witness.ledger.chain import case_ids_with_chains, chain_length
from witness.ledger.models import SupportApproval, SupportItem
from witness.ledger.money import CENT
from witness.ledger.services import approval_threshold, verify_chain
from witness.ledger.totals import totals
from witness.people.models import (
    Assignment,
    Consent,
    ConsentKind,
    NeedsAssessment,
    Participation,
    Phase,
    PhaseTransition,
    Witness,
)
from witness.people.phases import is_allowed
from witness.rooms.models import Resource, ResourceKind
from witness.scheduling.conflicts import plan_slots
from witness.scheduling.models import (
    Appointment,
    AppointmentKind,
    AppointmentSlot,
    AppointmentStaff,
    AppointmentStatus,
    Interpreter,
)

TINY = [
    "--witnesses", "200", "--cases", "100", "--courts", "4", "--ngos", "6",
    "--hearings", "300", "--appointments", "1500",
    "--ledger-entries", "3000", "--disclosure-case-entries", "600",
]  # fmt: skip
LEDGER_ENTRIES, DISCLOSURE_ENTRIES = 3000, 600


@pytest.fixture
def generated(runner, db_owner):
    # generate-data sets the id sequences (setval): the tables' owner runs it, as the README says
    result = runner.invoke(args=["generate-data", *TINY])
    assert result.exit_code == 0, result.output
    return result.output


def _count(db, model) -> int:
    return db.scalar(select(func.count()).select_from(model))


def test_sizes_and_printed_sign_ins(generated, db):
    assert _count(db, Witness) == 200
    assert _count(db, Case) == 100
    assert "Wrote" in generated and "witnesses" in generated
    for role in ("Admin", "Supervisor", "Liaison officer", "NGO worker", "Prosecutor"):
        assert role in generated
    assert BENCH_PASSWORD in generated
    kinds = Counter(db.scalars(select(Organisation.kind)))
    assert kinds[OrganisationKind.ngo] == 6 and kinds[OrganisationKind.court_service] == 1
    assert kinds[OrganisationKind.prosecution] >= 1


def test_every_witness_has_one_officer_of_their_office(generated, db):
    rows = db.execute(
        select(Witness.id, Witness.organisation_id, User.organisation_id)
        .join(Assignment, Assignment.witness_id == Witness.id)
        .join(User, User.id == Assignment.user_id)
        .where(Assignment.ended_dt.is_(None), User.role == Role.liaison_officer)
    ).all()
    per_witness = Counter(wid for wid, _, _ in rows)
    assert len(per_witness) == 200 and set(per_witness.values()) == {1}
    assert all(w_org == u_org for _, w_org, u_org in rows)


def test_an_officer_sees_exactly_their_assigned_witnesses(generated, db, app):
    officers = db.scalars(select(User).where(User.role == Role.liaison_officer)).all()
    for officer in officers:
        assigned = set(
            db.scalars(
                select(Assignment.witness_id).where(
                    Assignment.user_id == officer.id, Assignment.ended_dt.is_(None)
                )
            )
        )
        visible = set(db.scalars(select(Witness.id).where(visible_witnesses(officer))))
        assert visible == assigned
    # And the pages agree, signed in with the printed password.
    officer = max(officers, key=lambda o: len(_assigned(db, o)))
    client = app.test_client()
    response = client.submit("/login", {"email": officer.email, "password": BENCH_PASSWORD})
    assert response.status_code == 302
    mine = sorted(_assigned(db, officer))
    page = client.get("/witnesses/").get_data(as_text=True)
    assert f"{len(mine)} in all" in page
    assert client.get(f"/witnesses/{mine[0]}").status_code == 200
    other = db.scalar(select(Witness.id).where(Witness.id.not_in(mine)).limit(1))
    assert client.get(f"/witnesses/{other}").status_code == 404


def _assigned(db, user) -> set[int]:
    return set(
        db.scalars(
            select(Assignment.witness_id).where(
                Assignment.user_id == user.id, Assignment.ended_dt.is_(None)
            )
        )
    )


def test_phase_histories_follow_the_rules(generated, db):
    transitions = defaultdict(list)
    for t in db.scalars(select(PhaseTransition).order_by(PhaseTransition.id)):
        transitions[t.participation_id].append(t)
    participations = db.scalars(select(Participation)).all()
    assert len(participations) >= 200
    for p in participations:
        history = transitions[p.id]
        assert history[0].from_phase is None and history[0].to_phase is Phase.reflection
        assert history[-1].to_phase is p.phase
        for before, after in pairwise(history):
            assert after.from_phase is before.to_phase
            assert is_allowed(after.from_phase, after.to_phase)
            assert after.transition_dt >= before.transition_dt
    phases = Counter(p.phase for p in participations)
    assert len(phases) >= 4  # a spread of phases, not everyone in one


def test_consents_are_plausible(generated, db):
    ngos = set(db.scalars(select(Organisation.id).where(Organisation.kind == OrganisationKind.ngo)))
    consents = db.scalars(select(Consent)).all()
    current = Counter(
        (c.witness_id, c.kind, c.case_id, c.organisation_id, c.channel)
        for c in consents
        if c.is_current
    )
    assert max(current.values()) == 1  # one current decision per scope
    shares = [c for c in consents if c.kind is ConsentKind.share]
    assert shares and all(c.organisation_id in ngos for c in shares)
    sharing = {c.witness_id for c in shares if c.is_current and c.is_granted}
    assert 0.1 < len(sharing) / 200 < 0.6  # "about a third"
    # Past reflection and not withdrawn: the witness agreed to take part in that case.
    participating = {
        (c.witness_id, c.case_id)
        for c in consents
        if c.kind is ConsentKind.participate and c.is_current and c.is_granted
    }
    for p in db.scalars(
        select(Participation).where(Participation.phase.in_([Phase.pre_trial, Phase.trial]))
    ):
        assert (p.witness_id, p.case_id) in participating


def test_ngo_workers_only_on_witnesses_who_share(generated, db):
    rows = db.execute(
        select(Assignment.witness_id, User)
        .join(User, User.id == Assignment.user_id)
        .where(User.role == Role.ngo_worker)
    ).all()
    for witness_id, worker in rows:
        visible = db.scalar(
            select(Witness.id).where(Witness.id == witness_id, visible_witnesses(worker))
        )
        assert visible == witness_id
    assert db.scalar(select(func.count()).select_from(NeedsAssessment)) > 0


def test_refuses_a_database_with_witnesses_unless_forced(generated, runner, db):
    again = runner.invoke(args=["generate-data", *TINY])
    assert again.exit_code == 1
    assert "already has witnesses" in again.output
    assert _count(db, Witness) == 200
    forced = runner.invoke(args=["generate-data", *TINY, "--force"])
    assert forced.exit_code == 0, forced.output
    assert _count(db, Witness) == 400
    assert db.scalar(select(Organisation.id).where(Organisation.name.like("% (2)")))


def test_refuses_a_database_without_schema(tmp_path):
    app = create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'empty.sqlite3'}"})
    try:
        result = app.test_cli_runner().invoke(args=["generate-data", *TINY])
    finally:
        app.extensions["witness.db"].engine.dispose()
    assert result.exit_code == 1
    assert "init-db" in result.output


def test_more_ngos_than_names_each_sign_in_as_their_own_workers(runner, db_owner, db):
    # 10 names x 3 kinds: the 31st NGO is the first "Harbour Light Shelter" again, numbered 2;
    # its workers' e-mails once repeated the first one's, and the command died on the clash.
    small = [
        "--witnesses", "40", "--cases", "20", "--courts", "2", "--ngos", "31",
        "--hearings", "30", "--appointments", "60",
        "--ledger-entries", "60", "--disclosure-case-entries", "10",
    ]  # fmt: skip
    result = runner.invoke(args=["generate-data", *small])
    assert result.exit_code == 0, result.output
    ngos = db.scalars(select(Organisation).where(Organisation.kind == OrganisationKind.ngo)).all()
    assert len(ngos) == 31
    workers = {
        org.name: sorted(
            u.email
            for u in db.scalars(
                select(User).where(User.organisation_id == org.id, User.role == Role.ngo_worker)
            )
        )
        for org in ngos
    }
    assert workers["Harbour Light Shelter 2"] == ["worker.1.harbour-light-shelter-2@scale.example"]
    assert workers["Harbour Light Shelter"] == ["worker.1.harbour-light-shelter@scale.example"]
    assert all(workers.values())


# --- scheduling (issue 4) ---------------------------------------------------------------------


def test_scheduling_sizes_and_no_double_booking(generated, db):
    assert _count(db, Hearing) == 300
    assert _count(db, Appointment) == 1500
    offices = db.scalar(
        select(func.count())
        .select_from(Organisation)
        .where(Organisation.kind == OrganisationKind.prosecution)
    )
    assert _count(db, Interpreter) == 20 * offices
    rooms = Counter(db.scalars(select(Resource.kind)))
    assert rooms == {
        ResourceKind.courtroom: 16,
        ResourceKind.video_link_suite: 8,
        ResourceKind.remote_site: 4,
        ResourceKind.waiting_room: 8,
    }
    assert _count(db, AppointmentStaff) >= 1500
    assert _count(db, AppointmentSlot) > 2 * 1500
    assert _count(db, SpecialMeasure) > 0
    for table in ("hearings", "appointments", "appointment_slots", "special_measures"):
        assert table in generated
    # Nobody and no room is in two places at once.
    a, b = aliased(AppointmentSlot), aliased(AppointmentSlot)
    overlapping = db.scalar(
        select(func.count())
        .select_from(a)
        .join(
            b,
            and_(
                a.subject == b.subject,
                a.id < b.id,
                a.blocked_start_dt < b.blocked_end_dt,
                a.blocked_end_dt > b.blocked_start_dt,
            ),
        )
    )
    assert overlapping == 0
    # The check is not vacuous: people have several appointments on their slot rows.
    busiest = db.scalar(
        select(func.count())
        .select_from(AppointmentSlot)
        .group_by(AppointmentSlot.subject)
        .order_by(func.count().desc())
        .limit(1)
    )
    assert busiest > 20


def test_slots_are_what_booking_writes(generated, db):
    slots = defaultdict(set)
    for slot in db.scalars(select(AppointmentSlot)):
        slots[slot.appointment_id].add((slot.subject, slot.blocked_start_dt, slot.blocked_end_dt))
    appointments = db.scalars(select(Appointment).options(selectinload(Appointment.staff_links)))
    statuses = Counter()
    for appointment in appointments:
        statuses[appointment.status] += 1
        expected = set()
        if appointment.status is not AppointmentStatus.cancelled:  # cancelling frees the time
            planned = plan_slots(
                witness_id=appointment.witness_id,
                staff_ids=[link.user_id for link in appointment.staff_links],
                interpreter_id=appointment.interpreter_id,
                resource_id=appointment.resource_id,
                start=appointment.start_dt,
                end=appointment.end_dt,
                travel_minutes=appointment.travel_minutes,
            )
            expected = {(s.subject, s.start, s.end) for s in planned}
        assert slots[appointment.id] == expected, appointment.id
    assert set(statuses) == set(AppointmentStatus)


def test_staff_attend_only_witnesses_they_may_see(generated, db):
    attended = defaultdict(set)
    for user_id, witness_id in db.execute(
        select(AppointmentStaff.user_id, Appointment.witness_id).join(
            Appointment, Appointment.id == AppointmentStaff.appointment_id
        )
    ):
        attended[user_id].add(witness_id)
    roles = Counter()
    for user in db.scalars(select(User).where(User.id.in_(attended))):
        roles[user.role] += 1
        visible = set(
            db.scalars(
                select(Witness.id).where(Witness.id.in_(attended[user.id]), visible_witnesses(user))
            )
        )
        assert visible == attended[user.id], user.email
    assert roles[Role.liaison_officer] and roles[Role.ngo_worker] and roles[Role.supervisor]


def _local(instant, tz: str):
    return instant.astimezone(ZoneInfo(tz))


def test_hearings_are_their_cases_at_their_court_in_working_hours(generated, db):
    rows = db.execute(
        select(Hearing, Case.court_id, Court.timezone)
        .join(Case, Case.id == Hearing.case_id)
        .join(Court, Court.id == Hearing.court_id)
    ).all()
    types, statuses = Counter(), Counter()
    for hearing, case_court, tz in rows:
        assert hearing.court_id == case_court
        start, end = _local(hearing.start_dt, tz), _local(hearing.end_dt, tz)
        assert start.date() == end.date() and start.isoweekday() <= 5
        assert time(8) <= start.time() < end.time() <= time(18)
        types[hearing.type] += 1
        statuses[hearing.status] += 1
    assert types[HearingType.trial_day] > types[HearingType.sentencing] > 0
    assert statuses[HearingStatus.listed] > statuses[HearingStatus.moved] > 0
    assert statuses[HearingStatus.held] > statuses[HearingStatus.vacated] > 0
    # A move or a vacated listing keeps its history.
    changed = set(db.scalars(select(HearingChange.hearing_id)))
    assert changed == {
        h.id for h, _, _ in rows if h.status in (HearingStatus.moved, HearingStatus.vacated)
    }


def test_appointments_and_measures_fit_witness_case_room_and_interpreter(generated, db):
    participations = set(db.execute(select(Participation.witness_id, Participation.case_id)))
    witness_office = dict(db.execute(select(Witness.id, Witness.organisation_id)).all())
    rooms = {r.id: r for r in db.scalars(select(Resource))}
    interpreters = {i.id: i for i in db.scalars(select(Interpreter))}
    hearings = {h.id: h for h in db.scalars(select(Hearing))}
    case_court = dict(db.execute(select(Case.id, Case.court_id)).all())
    kinds = Counter()
    for a in db.scalars(select(Appointment)):
        kinds[a.kind] += 1
        assert a.organisation_id == witness_office[a.witness_id]
        assert (a.witness_id, a.case_id) in participations
        local_start, local_end = (
            _local(a.start_dt, "Europe/London"),
            _local(a.end_dt, "Europe/London"),
        )
        assert local_start.isoweekday() <= 5 and local_start.date() == local_end.date()
        assert timedelta(hours=1) <= a.end_dt - a.start_dt <= timedelta(hours=3)
        assert 0 <= a.travel_minutes <= 60
        if a.hearing_id is not None:
            assert a.kind in (AppointmentKind.accompaniment, AppointmentKind.video_link)
            hearing = hearings[a.hearing_id]
            assert hearing.case_id == a.case_id
            if hearing.status is HearingStatus.vacated:
                assert a.status is AppointmentStatus.cancelled
            if hearing.status is HearingStatus.moved:
                assert a.needs_reschedule  # still at the old time, flagged
        if a.resource_id is not None:
            room = rooms[a.resource_id]
            assert room.court_id == case_court[a.case_id] and not a.address
            assert room.opens_at <= local_start.time() and local_end.time() <= room.closes_at
        else:
            assert a.address
        if a.kind is AppointmentKind.video_link:
            assert rooms[a.resource_id].kind in (
                ResourceKind.video_link_suite,
                ResourceKind.remote_site,
            )
        if a.interpreter_id is not None:
            interpreter = interpreters[a.interpreter_id]
            assert interpreter.organisation_id == a.organisation_id
            assert a.language in interpreter.languages
    assert set(kinds) == set(AppointmentKind)
    with_room = sum(1 for a in db.scalars(select(Appointment.resource_id)) if a is not None)
    assert 0.25 < with_room / 1500 < 0.55  # "about 40%"
    # Special measures: at trial days of the witness's own case.
    measures = db.scalars(select(SpecialMeasure).options(selectinload(SpecialMeasure.hearing)))
    for measure in measures:
        assert measure.hearing.type is HearingType.trial_day
        assert (measure.witness_id, measure.hearing.case_id) in participations
        decided = measure.status.value in ("granted", "refused", "withdrawn")
        assert (measure.decided_dt is not None) == decided
        assert measure.proposed_dt <= (measure.applied_dt or measure.proposed_dt)


# --- support ledger (issue 5) -----------------------------------------------------------------


def test_ledger_chains_are_intact_and_the_disclosure_case_is_the_biggest(generated, db):
    assert _count(db, SupportItem) == LEDGER_ENTRIES
    cases = case_ids_with_chains(db)
    assert len(cases) > 50
    approvals = dict(
        db.execute(
            select(SupportApproval.case_id, func.count()).group_by(SupportApproval.case_id)
        ).all()
    )
    assert sum(approvals.values()) == _count(db, SupportApproval) > 0  # all in their chains
    for case_id in cases:
        status = verify_chain(db, case_id)
        assert status.state == "intact", (case_id, [str(p) for p in status.broken])
        items = db.scalar(select(func.count()).where(SupportItem.case_id == case_id))
        assert status.entries == status.length == chain_length(db, case_id)
        assert status.length == items + approvals.get(case_id, 0)
    sizes = dict(
        db.execute(select(SupportItem.case_id, func.count()).group_by(SupportItem.case_id)).all()
    )
    biggest = max(sizes, key=sizes.get)
    assert sizes[biggest] == DISCLOSURE_ENTRIES
    assert sorted(sizes.values())[-2] < DISCLOSURE_ENTRIES
    assert f"case id {biggest}" in generated


def test_ledger_items_are_plausible(generated, db, app):
    now = now_utc()
    threshold = approval_threshold("GBP", app.config)  # as the forms decide
    items = db.scalars(select(SupportItem).where(SupportItem.reverses_id.is_(None))).all()
    witnesses = {w.id: w for w in db.scalars(select(Witness))}
    joined = {(p.witness_id, p.case_id): p.created_dt for p in db.scalars(select(Participation))}
    needs = {n.id: n.witness_id for n in db.scalars(select(NeedsAssessment))}
    users = {u.id: u for u in db.scalars(select(User))}
    categories = Counter(i.category for i in items)
    assert len(categories) >= 10 and categories.most_common(1)[0][1] < len(items) / 2
    linked = 0
    for item in items:
        witness = witnesses[item.witness_id]
        assert item.currency == "GBP" and item.quantity > 0 and item.value > 0
        assert item.value == item.value.quantize(CENT)
        assert item.recorded_dt <= now and item.date_provided <= now.date()
        assert item.recorded_dt >= joined[(item.witness_id, item.case_id)]
        assert item.date_provided >= joined[(item.witness_id, item.case_id)].date()
        if item.category.is_cash_like:
            assert item.is_cash
        assert item.needs_approval == (item.is_cash or item.value > threshold)
        if item.need_id is not None:
            assert needs[item.need_id] == item.witness_id
            linked += 1
        assert item.rationale
        recorder = users[item.recorded_by_id]
        if recorder.role is Role.liaison_officer:
            assert item.provider_organisation_id == witness.organisation_id
            assert recorder.organisation_id == witness.organisation_id
        else:
            assert recorder.role is Role.ngo_worker
            assert item.provider_organisation_id == recorder.organisation_id
    assert linked > len(items) / 2


def test_approvals_by_another_supervisor_of_the_office(generated, db):
    rows = db.execute(
        select(SupportApproval, SupportItem, User, Witness)
        .join(SupportItem, SupportItem.id == SupportApproval.item_id)
        .join(User, User.id == SupportApproval.approved_by_id)
        .join(Witness, Witness.id == SupportItem.witness_id)
    ).all()
    for approval, item, approver, witness in rows:
        assert item.needs_approval and item.reverses_id is None
        assert approver.role is Role.supervisor
        assert approver.organisation_id == witness.organisation_id
        assert approver.id != item.recorded_by_id
        assert approval.approved_dt >= item.recorded_dt
        assert approval.case_id == item.case_id and approval.chain_seq > item.chain_seq
    needing = db.scalar(
        select(func.count())
        .select_from(SupportItem)
        .where(SupportItem.needs_approval.is_(True), SupportItem.reverses_id.is_(None))
    )
    assert 0.8 * needing <= len(rows) < needing  # most approved, some pending


def test_reversals_cancel_an_earlier_entry_of_the_case(generated, db):
    original = aliased(SupportItem)
    pairs = db.execute(
        select(SupportItem, original).join(original, original.id == SupportItem.reverses_id)
    ).all()
    assert LEDGER_ENTRIES * 0.005 <= len(pairs) <= LEDGER_ENTRIES * 0.02
    approved = set(db.scalars(select(SupportApproval.item_id)))
    for reversal, item in pairs:
        assert reversal.case_id == item.case_id and reversal.witness_id == item.witness_id
        assert reversal.chain_seq > item.chain_seq and reversal.id > item.id
        assert reversal.recorded_dt >= item.recorded_dt
        assert (reversal.quantity, reversal.value) == (-item.quantity, -item.value)
        assert not reversal.needs_approval and reversal.reversal_reason
        assert reversal.description == f"Reversal of entry {item.chain_seq}: {item.description}"
        if item.id in approved:  # approved before it was reversed, as approve_item requires
            approval = db.scalar(select(SupportApproval).where(SupportApproval.item_id == item.id))
            assert approval.chain_seq < reversal.chain_seq
        assert reversal.date_provided == reversal.recorded_dt.date()
        both = totals([item, reversal], approved)
        assert sum(both.total.values()) == 0
        assert sum(both.pending.values()) == 0  # a reversed item awaits no approval


def test_outcomes_and_their_tasks_fit_the_cases_and_the_due_list_shows_them(generated, db, app):
    """Verdicts in cases that reached one, a task per witness of the case for each event, the
    open ones on the officer's due list, none done before the office learned of the news."""
    from witness.notify.models import NotificationTask, TaskStatus
    from witness.notify.task_queries import due_list
    from witness.outcomes.models import EventKind, OutcomeEvent

    events = db.scalars(select(OutcomeEvent)).all()
    assert {e.kind for e in events} <= {EventKind.verdict, EventKind.sentence}
    verdict_cases = {e.case_id for e in events if e.kind is EventKind.verdict}
    assert verdict_cases
    statuses = set(db.scalars(select(Case.status).where(Case.id.in_(verdict_cases))))
    assert {s.value for s in statuses} <= {"trial", "sentenced", "appeal", "closed"}
    tasks = db.scalars(select(NotificationTask)).all()
    by_event = defaultdict(set)
    for t in tasks:
        by_event[t.event_id].add(t.witness_id)
        assert t.due_dt > t.learned_dt
        if t.status is TaskStatus.done:
            assert t.learned_dt <= t.done_dt and t.done_by_id is not None
    for e in events:
        in_case = set(
            db.scalars(select(Participation.witness_id).where(Participation.case_id == e.case_id))
        )
        assert by_event[e.id] == in_case
    open_tasks = [t for t in tasks if t.status is TaskStatus.open]
    assert open_tasks and len(open_tasks) < len(tasks) / 2
    officer = db.get(
        User,
        db.scalar(
            select(Assignment.user_id).where(Assignment.witness_id == open_tasks[0].witness_id)
        ),
    )
    assert open_tasks[0].id in set(db.scalars(due_list(officer, now_utc())))


def test_allocation_keeps_every_other_case_below_the_cap():
    counts, left = allocate(array("d", [1, 8, 1, 0, 2]), 20, 6)
    assert (sum(counts), left) == (20, 0)
    assert max(counts) <= 6 and counts[3] == 0
    counts, left = allocate(array("d", [1, 1]), 20, 6)
    assert (list(counts), left) == ([6, 6], 8)


@pytest.mark.parametrize("moment", [time(0, 0, 24), time(9, 30), time(23, 59)])
def test_no_outcome_is_learned_or_told_after_the_data_is_generated(
    runner, db_owner, db, frozen_clock, moment
):
    """Whatever the time of day it runs: no verdict or sentence recorded later than now (a
    sentence is only recorded once passed), no task learned later, none told before it was
    learned or after now. Run just after midnight, the data once held sentences a week ahead,
    already told."""
    from witness.notify.models import NotificationTask
    from witness.outcomes.models import OutcomeEvent

    now = datetime.combine(date(2026, 12, 7), moment, UTC)
    frozen_clock(now)
    result = runner.invoke(args=["generate-data", *TINY])
    assert result.exit_code == 0, result.output
    events = db.scalars(select(OutcomeEvent)).all()
    assert events
    assert all(e.recorded_dt <= now and e.effective_date <= now.date() for e in events)
    for task in db.scalars(select(NotificationTask)):
        assert task.learned_dt <= now
        if task.done_dt is not None:
            assert task.learned_dt <= task.done_dt <= now


def test_generated_witnesses_are_encrypted_and_found_by_blind_index(generated, db, app):
    """The generator writes past the ORM, yet its sensitive values are stored encrypted, read
    back through the models, and carry the blind indexes the ORM would have set."""
    from sqlalchemy import text

    from witness.core.crypto import email_index, key_id_of

    rows = db.execute(text("SELECT legal_name, address, email FROM witnesses LIMIT 50")).all()
    assert rows and all(key_id_of(v) for row in rows for v in row if v is not None)
    with app.app_context():
        witness = db.scalar(select(Witness).where(Witness.email.is_not(None)).limit(1))
        assert witness.email_index == email_index(witness.email)
        assert "@" in witness.email and witness.legal_name.strip()
