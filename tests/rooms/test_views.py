"""Court rooms through the pages: the list, adding and changing rooms, withdrawing one for a
period, a room's day, and the office's interpreters."""

from __future__ import annotations

import html
from datetime import time

import pytest
from sqlalchemy import func, select

from witness.rooms.models import Resource, ResourceKind, ResourceWithdrawal
from witness.scheduling.models import Appointment, AppointmentKind, Interpreter
from witness.scheduling.services import book_appointment

from ..factories import at, booking

pytestmark = pytest.mark.usefixtures("frozen_clock")


def text_of(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def count(db, model) -> int:
    return db.scalar(select(func.count()).select_from(model))


def room_form(**overrides) -> dict:
    data = {
        "name": "Live link room 2",
        "kind": "video_link_suite",
        "location": "Second floor, east wing",
        "opens_at": "09:00",
        "closes_at": "17:00",
        "open_weekdays": ["1", "2", "3", "4", "5"],
    }
    data.update(overrides)
    return data


def test_everyone_sees_the_rooms_but_only_supervisors_add_them(db, login, world, rooms):
    court = world.case.court
    url = f"/courts/{court.id}/resources"
    officer = login(world.officer)
    page = text_of(officer.get(url))
    assert "Video suite A" in page and "Video-link suite" in page
    assert "Add a room" not in page
    assert "Remote site North, 1 Quiet Lane" not in page  # a remote site's place is restricted
    assert "Courtroom 1, 1 Quiet Lane" in page

    before = count(db, Resource)
    assert officer.get(f"/courts/{court.id}/resources/new").status_code == 403
    assert officer.submit(f"/courts/{court.id}/resources/new", room_form()).status_code == 403
    assert officer.get(f"/resources/{rooms.suite.id}/edit").status_code == 403
    assert officer.get(f"/resources/{rooms.suite.id}/withdraw").status_code == 403
    assert count(db, Resource) == before

    supervisor = login(world.supervisor)
    assert "Remote site North, 1 Quiet Lane" in text_of(supervisor.get(url))
    response = supervisor.submit(f"/courts/{court.id}/resources/new", room_form())
    assert response.status_code == 302
    room = db.scalar(select(Resource).where(Resource.name == "Live link room 2"))
    assert room.court_id == court.id and room.kind is ResourceKind.video_link_suite
    assert (room.opens_at, room.closes_at, room.open_weekdays) == (time(9), time(17), "12345")
    page = text_of(supervisor.get(response.headers["Location"]))
    assert (
        "Live link room 2 added to" in page
        and "09:00\N{EN DASH}17:00, Mon, Tue, Wed, Thu, Fri" in page
    )


ROOM_ERRORS = [
    ({"closes_at": "08:00"}, "Closing time must be after opening time."),
    ({"open_weekdays": []}, "Choose the days it is open."),
    ({"open_weekdays": ["8"]}, "'8' is not a valid choice"),
    ({"name": ""}, "This field is required."),
    ({"name": "Video suite A"}, "This court already has a room called 'Video suite A'."),
    ({"name": "Room\n2"}, "Use one line of plain text"),
    ({"location": "A\x07"}, "Use one line of plain text"),
    ({"kind": "ballroom"}, "Invalid Choice"),
    ({"opens_at": "9am"}, "Give the time as HH:MM"),
]


@pytest.mark.parametrize("overrides, message", ROOM_ERRORS)
def test_bad_rooms_are_refused(db, login, world, rooms, overrides, message):
    before = count(db, Resource)
    response = login(world.supervisor).submit(
        f"/courts/{world.case.court_id}/resources/new", room_form(**overrides)
    )
    assert response.status_code == 400
    assert message in text_of(response)
    assert count(db, Resource) == before


def test_a_room_taken_out_of_use_cannot_be_booked(db, login, world, rooms):
    supervisor = login(world.supervisor)
    url = f"/resources/{rooms.suite.id}/edit"
    page = text_of(supervisor.get(url))
    assert 'value="Video suite A"' in page and 'checked id="open_weekdays-0"' in page
    response = supervisor.submit(
        url,
        room_form(name="Video suite A (old)", opens_at="08:00", closes_at="18:00"),  # unticked
    )
    assert response.status_code == 302
    db.refresh(rooms.suite)
    assert rooms.suite.name == "Video suite A (old)" and rooms.suite.is_active is False

    officer = login(world.officer)
    response = officer.submit(
        f"/witnesses/{world.assigned.id}/appointments/new",
        {
            "kind": "video_link",
            "date": "2026-03-12",
            "start": "10:00",
            "end": "11:00",
            "staff_ids": str(world.officer.id),
            "resource_id": str(rooms.suite.id),
        },
    )
    assert response.status_code == 400
    assert "Video suite A (old) is no longer in use." in text_of(response)
    assert count(db, Appointment) == 0


def test_withdrawal_then_booking_in_that_period_is_refused(db, login, world, rooms):
    supervisor = login(world.supervisor)
    url = f"/resources/{rooms.suite.id}/withdraw"
    assert "Europe/London" in text_of(supervisor.get(url))
    period = {
        "start_date": "2026-03-12",
        "start_time": "09:00",
        "end_date": "2026-03-12",
        "end_time": "17:00",
        "reason": "Camera repairs",
    }
    response = supervisor.submit(url, period | {"end_time": "08:00"})
    assert response.status_code == 400
    assert "The end must be after the start." in text_of(response)
    response = supervisor.submit(url, period | {"reason": ""})
    assert response.status_code == 400
    assert "Say why the room is withdrawn." in text_of(response)
    assert count(db, ResourceWithdrawal) == 0

    response = supervisor.submit(url, period)
    assert response.status_code == 302
    withdrawal = db.scalar(select(ResourceWithdrawal))
    assert (withdrawal.start_dt, withdrawal.end_dt) == (at(12, 9), at(12, 17))
    page = text_of(supervisor.get(response.headers["Location"]))
    assert "Video suite A withdrawn from use." in page and "Camera repairs" in page

    officer = login(world.officer)
    response = officer.submit(
        f"/witnesses/{world.assigned.id}/appointments/new",
        {
            "kind": "video_link",
            "date": "2026-03-12",
            "start": "14:00",
            "end": "15:00",
            "staff_ids": str(world.officer.id),
            "resource_id": str(rooms.suite.id),
        },
    )
    assert response.status_code == 400
    assert "Video suite A is withdrawn from use until 12 Mar 2026 17:00." in text_of(response)
    assert count(db, Appointment) == 0


def test_withdrawing_a_booked_room_says_what_must_move(db, login, world, rooms):
    book_appointment(
        db,
        world.officer,
        world.assigned,
        booking([world.officer], resource_id=rooms.suite.id, kind=AppointmentKind.video_link),
    )
    db.flush()
    supervisor = login(world.supervisor)
    response = supervisor.submit(
        f"/resources/{rooms.suite.id}/withdraw",
        {
            "start_date": "2026-03-12",
            "start_time": "08:00",
            "end_date": "2026-03-13",
            "end_time": "18:00",
            "reason": "Flood",
        },
    )
    assert response.status_code == 302
    page = text_of(supervisor.get(response.headers["Location"]))
    assert "1 booking(s) of Video suite A fall in that period and must be moved" in page
    day = text_of(supervisor.get(f"/resources/{rooms.suite.id}/day?date=2026-03-12"))
    assert "in a withdrawn period: move it" in day and "Flood" in day


def test_withdrawal_at_a_time_the_clocks_skip_is_refused(db, login, world, rooms):
    response = login(world.supervisor).submit(
        f"/resources/{rooms.suite.id}/withdraw",
        {
            "start_date": "2026-03-29",
            "start_time": "01:15",
            "end_date": "2026-03-29",
            "end_time": "05:00",
            "reason": "Maintenance",
        },
    )
    assert response.status_code == 400
    assert "01:15 on 29 Mar 2026 in Europe/London does not exist" in text_of(response)


def test_a_rooms_day(db, login, world, rooms, make_witness):
    other = make_witness(case=world.case)  # nobody but the office sees this one
    book_appointment(
        db,
        world.officer,
        world.assigned,
        booking([world.officer], resource_id=rooms.remote.id, kind=AppointmentKind.video_link),
    )
    book_appointment(
        db,
        world.supervisor,
        other,
        booking(
            [world.supervisor],
            start=at(12, 14),
            resource_id=rooms.remote.id,
            kind=AppointmentKind.video_link,
        ),
    )
    db.flush()
    url = f"/resources/{rooms.remote.id}/day?date=2026-03-12"

    page = text_of(login(world.officer).get(url))
    assert "Remote site North · Thursday 12 Mar 2026" in page
    assert "08:00\N{EN DASH}18:00, Mon, Tue, Wed, Thu, Fri" in page
    assert "10:00\N{EN DASH}11:00" in page and "14:00\N{EN DASH}15:00" in page
    # a witness the officer may not know of: the room is taken then, and nothing more
    assert world.assigned.reference in page and other.reference not in page
    assert "14:00\N{EN DASH}15:00 GMT" in page and page.count("Booked") == 1
    assert page.count("Video-link testimony session") == 1
    assert world.officer.name not in page.split("<main>")[1]  # references only, no names
    assert "Remote site North, 1 Quiet Lane" in page  # the officer attends that day

    page = text_of(login(world.officer2).get(url))
    assert "Remote site North, 1 Quiet Lane" not in page
    assert "Shown only to supervisors" in page
    assert "/appointments/" not in page  # officer2 may not open either appointment
    assert world.assigned.reference not in page and other.reference not in page
    assert page.count("Booked") == 2

    page = text_of(login(world.supervisor).get(url))
    assert "Remote site North, 1 Quiet Lane" in page

    saturday = text_of(
        login(world.officer).get(f"/resources/{rooms.remote.id}/day?date=2026-03-14")
    )
    assert "closed on this day" in saturday and "Nothing booked." in saturday

    assert (
        login(world.officer).get(f"/resources/{rooms.remote.id}/day?date=12-03").status_code == 400
    )
    assert login(world.officer).get("/resources/999999/day").status_code == 404


def test_courts_list_links_to_rooms(login, world, rooms):
    page = text_of(login(world.supervisor).get("/resources"))
    assert world.case.court.name in page
    assert f"/courts/{world.case.court_id}/resources" in page


def test_office_adds_interpreters(db, login, world):
    client = login(world.officer)
    response = client.submit(
        "/interpreters",
        {"name": "Ana Pop", "languages": "Romanian, Moldovan", "email": "ana@example.org"},
    )
    assert response.status_code == 302
    interpreter = db.scalar(select(Interpreter))
    assert interpreter.languages == ["Romanian", "Moldovan"]
    assert interpreter.organisation_id == world.office.id
    page = text_of(client.get("/interpreters"))
    assert "Interpreter Ana Pop added." in page and "Romanian, Moldovan" in page

    for data, message in [
        ({"name": "X", "languages": " , "}, "Give at least one language."),
        ({"name": "X", "languages": "Thai", "email": "not-an-address"}, "Invalid email"),
        ({"name": "X\ny", "languages": "Thai"}, "Use one line of plain text"),
    ]:
        response = client.submit("/interpreters", data)
        assert response.status_code == 400
        assert message in text_of(response)
    assert count(db, Interpreter) == 1

    assert login(world.ngo_worker).get("/interpreters").status_code == 403
    assert login(world.prosecutor).submit("/interpreters", {"name": "Y"}).status_code == 403
    assert count(db, Interpreter) == 1
