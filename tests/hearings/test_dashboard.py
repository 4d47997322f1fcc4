"""The dashboard lists the appointments a person attends whose hearing moved."""

from __future__ import annotations

import pytest

from witness.cases.models import HearingType
from witness.hearings.services import create_hearing, move_hearing
from witness.scheduling.models import AppointmentKind
from witness.scheduling.services import book_appointment

from ..factories import at, booking

pytestmark = pytest.mark.usefixtures("frozen_clock")


def test_a_moved_hearing_puts_its_appointments_on_the_dashboard(db, world, login):
    hearing = create_hearing(
        db,
        world.supervisor,
        world.case,
        type=HearingType.trial_day,
        start=at(16, 10),
        end=at(16, 16),
    )
    book_appointment(
        db,
        world.officer,
        world.assigned,
        booking(
            [world.officer],
            start=at(16, 9),
            minutes=420,
            hearing_id=hearing.id,
            kind=AppointmentKind.accompaniment,
        ),
    )
    db.flush()
    officer = login(world.officer)
    assert "Appointments to reschedule" not in officer.get("/").get_data(as_text=True)

    move_hearing(db, world.supervisor, hearing, start=at(18, 10), end=at(18, 16), reason="Ill")
    db.flush()
    page = officer.get("/").get_data(as_text=True)
    assert "Appointments to reschedule" in page
    assert world.assigned.reference in page
    # only for those attending
    other = login(world.officer2).get("/").get_data(as_text=True)
    assert "Appointments to reschedule" not in other
