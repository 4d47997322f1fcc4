"""Several witnesses at one hearing: one booking, one officer and one interpreter for them all;
real double-booking still refused; suggestions inside court hours and a child's hours."""

from __future__ import annotations

from datetime import date, time

import pytest
from sqlalchemy import func, select

from witness.cases.models import HearingType
from witness.config import ConfigError, build_config
from witness.core.errors import DomainError
from witness.hearings.services import create_hearing
from witness.notify.models import OutboundEmail
from witness.people.models import Channel, Consent, ConsentKind
from witness.scheduling import services
from witness.scheduling.conflicts import BookingConflict
from witness.scheduling.models import (
    Appointment,
    AppointmentKind,
    AppointmentSlot,
    AppointmentStatus,
    Interpreter,
)
from witness.scheduling.services import book_appointment

from ..factories import at, booking

pytestmark = pytest.mark.usefixtures("frozen_clock")


def _count(db) -> int:
    return db.scalar(select(func.count(Appointment.id)))


@pytest.fixture
def trial(db, world, make_witness):
    """A trial day of ``world.case`` on Thursday 12 March, 10:00-16:00 London, two witnesses of
    the case who need a Thai interpreter, and the office's Thai interpreter."""
    world.hearing = create_hearing(
        db,
        world.supervisor,
        world.case,
        type=HearingType.trial_day,
        start=at(12, 10),
        end=at(12, 16),
    )
    for witness in (world.assigned, world.unassigned):
        witness.languages, witness.needs_interpreter = ["Thai", "English"], True
    world.interpreter = Interpreter(
        organisation_id=world.office.id, name="I. Tolmach", languages=["Thai", "Khmer"]
    )
    db.add(world.interpreter)
    db.flush()
    return world


def accompaniment(world, **kw):
    kw.setdefault("kind", AppointmentKind.accompaniment)
    kw.setdefault("hearing_id", world.hearing.id)
    kw.setdefault("interpreter_id", world.interpreter.id)
    kw.setdefault("language", "Thai")
    kw.setdefault("start", at(12, 9))
    return booking([world.officer], minutes=7 * 60, **kw)


def test_two_separate_bookings_of_one_officer_and_interpreter_still_clash(db, trial):
    """What officers met before: the second witness's own booking is refused (rightly: they
    are two bookings), which is why the witnesses go in one booking."""
    book_appointment(db, trial.supervisor, trial.assigned, accompaniment(trial))
    with pytest.raises(BookingConflict) as raised:
        book_appointment(db, trial.supervisor, trial.unassigned, accompaniment(trial))
    assert {c.who for c in raised.value.clashes} == {
        trial.officer.name,
        "Interpreter I. Tolmach",
    }


def test_one_booking_accompanies_two_witnesses_with_one_officer_and_interpreter(db, trial):
    first = book_appointment(
        db,
        trial.supervisor,
        trial.assigned,
        accompaniment(trial, other_witness_ids=[trial.unassigned.id]),
    )
    rows = db.scalars(select(Appointment).where(Appointment.group_id == first.id)).all()
    assert sorted(a.witness_id for a in rows) == sorted([trial.assigned.id, trial.unassigned.id])
    assert {(a.hearing_id, a.interpreter_id, a.language, a.start_dt) for a in rows} == {
        (trial.hearing.id, trial.interpreter.id, "Thai", at(12, 9))
    }
    assert all([link.user_id for link in a.staff_links] == [trial.officer.id] for a in rows)
    # each appointment holds its own witness's slot and the shared staff and interpreter ones
    second = next(a for a in rows if a.id != first.id)
    subjects = set(
        db.scalars(
            select(AppointmentSlot.subject).where(AppointmentSlot.appointment_id == second.id)
        )
    )
    assert subjects == {
        f"witness:{trial.unassigned.id}",
        f"user:{trial.officer.id}",
        f"interpreter:{trial.interpreter.id}",
    }


def test_another_booking_of_the_officer_still_clashes_once(db, trial, make_witness):
    book_appointment(
        db,
        trial.supervisor,
        trial.assigned,
        accompaniment(trial, other_witness_ids=[trial.unassigned.id]),
    )
    third = make_witness(case=trial.other_case)
    before = _count(db)
    with pytest.raises(BookingConflict) as raised:
        book_appointment(db, trial.supervisor, third, booking([trial.officer], start=at(12, 12)))
    assert _count(db) == before
    # the group holds the officer's slot once per witness; the clash is named once
    assert [c.who for c in raised.value.clashes] == [trial.officer.name]


def test_one_interpreter_cannot_serve_two_languages_at_once(db, trial):
    trial.unassigned.languages = ["Khmer"]
    before = _count(db)
    with pytest.raises(DomainError) as raised:
        book_appointment(
            db,
            trial.supervisor,
            trial.assigned,
            accompaniment(trial, other_witness_ids=[trial.unassigned.id]),
        )
    assert raised.value.field == "interpreter_id"
    assert "one language" in raised.value.message
    assert "Khmer" in raised.value.message and "Thai" in raised.value.message
    assert _count(db) == before


def test_a_group_without_a_language_takes_the_one_they_share(db, trial):
    trial.assigned.languages = ["Lao", "Thai"]
    first = book_appointment(
        db,
        trial.supervisor,
        trial.assigned,
        accompaniment(trial, language=None, other_witness_ids=[trial.unassigned.id]),
    )
    assert first.language == "Thai"


@pytest.mark.parametrize("who", ["unseen", "foreign", "other_case", "missing"])
def test_witnesses_the_booker_may_not_see_or_not_of_the_case_are_refused(
    db, trial, make_witness, who
):
    ids = {
        # a liaison officer sees only the witnesses assigned to them
        "unseen": trial.unassigned.id,
        "foreign": trial.foreign.id,
        "other_case": make_witness(case=trial.other_case, officer=trial.officer).id,
        "missing": 999_999,
    }
    before = _count(db)
    with pytest.raises(DomainError) as raised:
        book_appointment(
            db, trial.officer, trial.assigned, accompaniment(trial, other_witness_ids=[ids[who]])
        )
    assert raised.value.field == "other_witness_ids"
    assert raised.value.message == "Choose other witnesses of this case whose file you may see."
    assert _count(db) == before


def test_only_going_to_court_is_a_group(db, trial):
    with pytest.raises(DomainError) as raised:
        book_appointment(
            db,
            trial.supervisor,
            trial.assigned,
            booking(
                [trial.officer],
                kind=AppointmentKind.counselling,
                other_witness_ids=[trial.unassigned.id],
            ),
        )
    assert raised.value.field == "other_witness_ids"


def test_each_witness_is_invited_alone_and_never_told_of_the_other(db, trial):
    for witness in (trial.assigned, trial.unassigned):
        witness.email = f"{witness.reference.lower()}@mail.example"
        db.add(
            Consent(
                witness_id=witness.id,
                kind=ConsentKind.notify,
                channel=Channel.email,
                is_granted=True,
                recorded_by_id=trial.supervisor.id,
            )
        )
    db.flush()
    book_appointment(
        db,
        trial.supervisor,
        trial.assigned,
        accompaniment(trial, other_witness_ids=[trial.unassigned.id]),
    )
    mails = db.scalars(select(OutboundEmail).where(OutboundEmail.witness_id.is_not(None))).all()
    assert sorted(m.to_address for m in mails) == sorted(
        [trial.assigned.email, trial.unassigned.email]
    )
    for mail in mails:
        other = trial.unassigned if mail.witness_id == trial.assigned.id else trial.assigned
        text = mail.body + mail.subject + mail.attachment.decode()
        for secret in (other.reference, other.legal_name, other.email):
            assert secret not in text


def test_moving_the_booking_moves_every_witness_and_can_add_one(db, trial, make_witness):
    first = book_appointment(
        db,
        trial.supervisor,
        trial.assigned,
        accompaniment(trial, other_witness_ids=[trial.unassigned.id]),
    )
    late = make_witness(case=trial.case, languages=["Thai"], needs_interpreter=True)
    services.reschedule_appointment(
        db,
        trial.supervisor,
        first,
        accompaniment(trial, start=at(12, 8, 30), other_witness_ids=[late.id]),
        "Meet earlier at the station",
    )
    rows = db.scalars(select(Appointment).where(Appointment.group_id == first.id)).all()
    assert sorted(a.witness_id for a in rows) == sorted(
        [trial.assigned.id, trial.unassigned.id, late.id]
    )
    assert {a.start_dt for a in rows} == {at(12, 8, 30)}


def test_cancelling_one_witness_leaves_the_others_booked(db, trial):
    first = book_appointment(
        db,
        trial.supervisor,
        trial.assigned,
        accompaniment(trial, other_witness_ids=[trial.unassigned.id]),
    )
    second = db.scalar(
        select(Appointment).where(Appointment.group_id == first.id, Appointment.id != first.id)
    )
    services.cancel_appointment(db, trial.supervisor, second, "Excused by the judge")
    assert first.status is AppointmentStatus.scheduled
    # the officer is still taken by the booking for the witness still going
    with pytest.raises(BookingConflict):
        book_appointment(
            db, trial.supervisor, trial.unassigned, booking([trial.officer], start=at(12, 11))
        )


# --- suggestions inside court hours and a child's hours -----------------------------------------


def _busy_officer_until(db, world, end_hour: int, end_minute: int = 0) -> None:
    minutes = (end_hour - 10) * 60 + end_minute
    book_appointment(
        db, world.supervisor, world.assigned, booking([world.officer], minutes=minutes)
    )


def test_suggestions_for_an_adult_stay_inside_court_hours(db, world):
    _busy_officer_until(db, world, 14, 30)
    with pytest.raises(BookingConflict) as raised:
        book_appointment(
            db, world.supervisor, world.unassigned, booking([world.officer], start=at(12, 14))
        )
    # 14:30, 15:00 and 15:30 end by 16:30; 16:00-17:00 would not
    assert raised.value.suggestions == [at(12, 14, 30), at(12, 15), at(12, 15, 30)]


def test_suggestions_for_a_13_year_old_offer_no_evening_and_end_by_three(db, world):
    world.unassigned.date_of_birth = date(2013, 1, 20)  # 13 on 12 March 2026
    _busy_officer_until(db, world, 14, 30)
    with pytest.raises(BookingConflict) as raised:
        book_appointment(
            db, world.supervisor, world.unassigned, booking([world.officer], start=at(12, 14))
        )
    # only 14:30-15:30 was left that day, past a child's 15:00: the next morning from 09:30
    assert raised.value.suggestions == [at(13, 9, 30), at(13, 10), at(13, 10, 30)]


def test_a_child_in_a_group_keeps_the_whole_group_to_a_childs_hours(db, trial):
    trial.unassigned.is_presumed_child = True
    _busy_officer_until(db, trial, 14, 30)
    with pytest.raises(BookingConflict) as raised:
        book_appointment(
            db,
            trial.supervisor,
            trial.assigned,
            booking(
                [trial.officer],
                start=at(12, 14),
                kind=AppointmentKind.accompaniment,
                other_witness_ids=[trial.unassigned.id],
            ),
        )
    assert raised.value.suggestions[0] == at(13, 9, 30)


def test_hours_are_configurable(db, world, app, monkeypatch):
    monkeypatch.setitem(app.config, "COURT_HOURS", (time(8, 0), time(18, 0)))
    monkeypatch.setitem(app.config, "CHILD_HOURS", (time(9, 0), time(16, 0)))
    world.unassigned.date_of_birth = date(2013, 1, 20)
    _busy_officer_until(db, world, 14, 30)
    with app.app_context(), pytest.raises(BookingConflict) as raised:
        book_appointment(
            db, world.supervisor, world.unassigned, booking([world.officer], start=at(12, 14))
        )
    assert raised.value.suggestions == [at(12, 14, 30), at(12, 15), at(13, 9)]


def test_hours_settings_are_read_and_checked(tmp_path, monkeypatch):
    monkeypatch.setenv("WITNESS_COURT_HOURS", "10:00-16:00")
    config = build_config(tmp_path)
    assert config["COURT_HOURS"] == (time(10), time(16))
    assert config["CHILD_HOURS"] == (time(9, 30), time(15))
    for bad in ("16:00-10:00", "9-5", "10:00"):
        monkeypatch.setenv("WITNESS_CHILD_HOURS", bad)
        with pytest.raises(ConfigError, match="WITNESS_CHILD_HOURS"):
            build_config(tmp_path)


def test_moving_a_booking_never_names_a_witness_the_mover_may_not_see(db, trial):
    first = book_appointment(
        db,
        trial.supervisor,
        trial.assigned,
        accompaniment(trial, other_witness_ids=[trial.unassigned.id]),
    )
    # the other witness has a meeting of their own the next day at 10:00
    book_appointment(
        db, trial.supervisor, trial.unassigned, booking([trial.officer2], start=at(13, 10))
    )
    # trial.officer sees only trial.assigned, yet (of the office) may move the booking
    with pytest.raises(BookingConflict) as raised:
        services.reschedule_appointment(
            db, trial.officer, first, accompaniment(trial, start=at(13, 9)), "Trial moved"
        )
    assert [c.who for c in raised.value.clashes] == ["Another witness of this booking"]
    assert trial.unassigned.reference not in raised.value.message
    trial.unassigned.languages = ["Khmer"]
    with pytest.raises(DomainError) as raised:
        services.reschedule_appointment(
            db, trial.officer, first, accompaniment(trial, start=at(12, 8)), "Earlier"
        )
    assert "another witness: Khmer" in raised.value.message
    assert trial.unassigned.reference not in raised.value.message


def test_staff_refused_beside_a_witness_the_mover_may_not_see_are_refused_unnamed(db, trial, share):
    first = book_appointment(
        db,
        trial.supervisor,
        trial.assigned,
        accompaniment(trial, other_witness_ids=[trial.unassigned.id]),
    )
    share(trial.assigned, trial.ngo)  # the NGO may attend with one witness, not the other
    move = accompaniment(trial)
    move.staff_ids = [trial.officer.id, trial.ngo_worker.id]
    with pytest.raises(DomainError) as raised:
        services.reschedule_appointment(db, trial.officer, first, move, "NGO comes along")
    assert raised.value.field == "staff_ids"
    assert "another witness of this booking" in raised.value.message
    assert trial.unassigned.reference not in raised.value.message


def test_a_witness_added_to_an_older_single_booking_joins_it(db, trial):
    first = book_appointment(db, trial.supervisor, trial.assigned, accompaniment(trial))
    first.group_id = None  # as a row written before bookings had groups (and not backfilled)
    db.flush()
    services.reschedule_appointment(
        db,
        trial.supervisor,
        first,
        accompaniment(trial, other_witness_ids=[trial.unassigned.id]),
        "The other witness comes too",
    )
    rows = db.scalars(select(Appointment).where(Appointment.group_id == first.id)).all()
    assert sorted(a.witness_id for a in rows) == sorted([trial.assigned.id, trial.unassigned.id])
