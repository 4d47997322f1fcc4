"""Scheduling knows risk: a critical or high-risk witness booked into a court the accused
attends that day is warned about until a separate waiting room and an escort are booked; the
hearing page shows each witness's level to those who may see it, and the same warning."""

from __future__ import annotations

import html
import re
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from witness.audit.models import AuditEvent
from witness.cases.models import Hearing, HearingType
from witness.protection.models import ActionKind, ActionStatus, ProtectionAction
from witness.risk import services as s
from witness.scheduling.models import Appointment, AppointmentKind
from witness.scheduling.services import book_appointment, reschedule_appointment

from ..factories import at, booking
from .conftest import answers_with

HEAD = "is at critical risk and the accused attends"
NO_ROOM = "No separate waiting room is booked for the witness that day."
NO_ESCORT = "No escort is in place"


def text_of(response) -> str:
    """The page's words, tags left out."""
    return " ".join(re.sub(r"<[^>]+>", " ", html.unescape(response.get_data(as_text=True))).split())


def assess(db, officer, witness, present=("threats", "accused_at_large")):
    draft = s.start_assessment(db, officer, witness, "v1")
    return s.complete_assessment(
        db, officer, draft, answers=answers_with(present), own_view="", confirmed=True
    )


def hearing_on(db, case, start: datetime) -> Hearing:
    hearing = Hearing(
        case_id=case.id,
        court_id=case.court_id,
        type=HearingType.trial_day,
        start_dt=start,
        end_dt=start + timedelta(hours=3),
    )
    db.add(hearing)
    db.flush()
    return hearing


def escort(db, w, witness, status=ActionStatus.in_place, kind=ActionKind.escort):
    action = ProtectionAction(
        witness_id=witness.id,
        kind=kind,
        owner_other="Local police",
        status=status,
        created_by_id=w.officer.id,
        updated_by_id=w.officer.id,
    )
    db.add(action)
    db.flush()
    return action


@pytest.fixture
def trial(db, risk, rooms):
    """``risk.witness`` assessed critical; a trial day of their case at the court on Thursday
    12 March 2026, 10:00-13:00 London."""
    risk.rooms = rooms
    assess(db, risk.officer, risk.witness)
    risk.hearing = hearing_on(db, risk.case, at(12, 10))
    return risk


def accompaniment_form(w) -> dict:
    return {
        "kind": "accompaniment",
        "hearing_id": str(w.hearing.id),
        "date": "2026-03-12",
        "start": "09:00",
        "end": "13:00",
        "travel_minutes": "0",
        "staff_ids": [str(w.officer.id)],
        "resource_id": "",
        "address": "Court entrance",
        "interpreter_id": "",
        "language": "",
        "notes": "",
    }


def test_booking_warns_until_a_waiting_room_and_an_escort_are_booked(login, db, trial):
    client = login(trial.officer)
    url = f"/witnesses/{trial.witness.id}/appointments/new"
    form_page = text_of(client.get(f"{url}?hearing_id={trial.hearing.id}&kind=accompaniment"))
    assert HEAD in form_page and NO_ROOM in form_page and NO_ESCORT in form_page

    response = client.submit(url, accompaniment_form(trial))
    assert response.status_code == 302
    page = text_of(client.get(response.headers["Location"]))
    assert f"{trial.witness.reference} {HEAD} {trial.case.court.name} on Thu 12 Mar 2026" in page
    assert NO_ROOM in page and NO_ESCORT in page
    appointment = db.scalar(select(Appointment).where(Appointment.hearing_id == trial.hearing.id))

    # the witness waits in a separate waiting room that day: only the escort is missing
    reschedule_appointment(
        db,
        trial.officer,
        appointment,
        booking(
            [trial.officer],
            start=at(12, 9),
            minutes=240,
            kind=AppointmentKind.accompaniment,
            resource_id=trial.rooms.waiting.id,
            hearing_id=trial.hearing.id,
        ),
        "The witness waits in the separate waiting room",
    )
    db.flush()
    page = text_of(client.get(f"/appointments/{appointment.id}"))
    assert HEAD in page and NO_ROOM not in page and NO_ESCORT in page

    # a planned escort is not yet one; once in place, the warning goes
    action = escort(db, trial, trial.witness, status=ActionStatus.planned)
    assert NO_ESCORT in text_of(client.get(f"/appointments/{appointment.id}"))
    action.status = ActionStatus.in_place
    db.flush()
    page = text_of(client.get(f"/appointments/{appointment.id}"))
    assert HEAD not in page and NO_ESCORT not in page
    assert HEAD not in text_of(client.get(f"/hearings/{trial.hearing.id}"))


def test_an_escort_in_place_leaves_only_the_waiting_room_to_book(login, db, trial):
    escort(db, trial, trial.witness, kind=ActionKind.separate_entrance)
    page = text_of(login(trial.officer).get(f"/hearings/{trial.hearing.id}"))
    assert HEAD in page and NO_ROOM in page and NO_ESCORT not in page


def test_no_warning_at_medium_risk_another_day_or_by_video_from_a_remote_site(login, db, trial):
    client = login(trial.officer)
    friday = book_appointment(
        db,
        trial.officer,
        trial.witness,
        booking([trial.officer], at(13, 10), resource_id=trial.rooms.waiting.id),
    )
    remote = book_appointment(
        db,
        trial.officer,
        trial.witness,
        booking(
            [trial.officer],
            at(12, 10),
            kind=AppointmentKind.video_link,
            resource_id=trial.rooms.remote.id,
            hearing_id=trial.hearing.id,
        ),
    )
    db.flush()
    assert HEAD not in text_of(client.get(f"/appointments/{friday.id}"))
    assert HEAD not in text_of(client.get(f"/appointments/{remote.id}"))
    assert HEAD in text_of(client.get(f"/hearings/{trial.hearing.id}"))

    assess(db, trial.officer, trial.witness, present=())
    page = text_of(client.get(f"/hearings/{trial.hearing.id}"))
    assert HEAD not in page and "is at high risk" not in page
    assert "Risk: Low" in page


def test_the_hearing_page_shows_the_level_to_those_who_may_see_it(login, db, trial, share):
    level_line = "Risk: Critical"

    def line(user) -> str:
        response = login(user).get(f"/hearings/{trial.hearing.id}")
        assert response.status_code == 200
        return text_of(response)

    assert level_line in line(trial.officer) and HEAD in line(trial.officer)
    # the prosecutor leading the case sees the level (not the notes)
    assert level_line in line(trial.prosecutor) and HEAD in line(trial.prosecutor)
    # an NGO worker sees it only under a consent that covers the whole file
    share(trial.witness, trial.ngo)
    ngo_page = line(trial.ngo_worker)
    assert f"{trial.witness.reference} (Victim-witness)" in ngo_page  # the page, not a 404
    assert "Risk:" not in ngo_page and HEAD not in ngo_page
    share(trial.witness, trial.ngo, identity=True)
    ngo_page = line(trial.ngo_worker)
    assert level_line in ngo_page and HEAD in ngo_page
    # each level shown is an audited read; the refused NGO worker's first visit wrote none
    shown = db.scalars(
        select(AuditEvent.actor_id).where(
            AuditEvent.action == "risk.level_view", AuditEvent.witness_id == trial.witness.id
        )
    ).all()
    assert sorted(shown) == sorted(
        [trial.officer.id] * 2 + [trial.prosecutor.id] * 2 + [trial.ngo_worker.id]
    )
