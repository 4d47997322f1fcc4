"""An officer's week: the grid, its timezones, whose week one may open, and its cost."""

from __future__ import annotations

import html
import re
from contextlib import contextmanager

import pytest
from sqlalchemy import event, func, select

from witness.audit.models import AuditEvent
from witness.auth.models import Role
from witness.cases.models import Hearing, HearingType
from witness.scheduling.models import AppointmentKind
from witness.scheduling.services import book_appointment, cancel_appointment

from ..factories import at, booking

pytestmark = pytest.mark.usefixtures("frozen_clock")

DASH = "\N{EN DASH}"


def text_of(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def columns(page: str) -> list[str]:
    """The seven day cells of the week grid, as text."""
    body = page[page.index('<table class="week">') :]
    cells = re.findall(r"<td[^>]*>(.*?)</td>", body[: body.index("</table>")], re.S)
    assert len(cells) == 7
    return [" ".join(re.sub(r"<[^>]+>", " ", c).split()) for c in cells]


def book(db, actor, witness, request):
    appointment = book_appointment(db, actor, witness, request)
    db.flush()
    return appointment


def test_week_lays_appointments_out_by_day(db, login, world, rooms):
    book(db, world.officer, world.assigned, booking([world.officer], start=at(12, 10)))
    book(
        db,
        world.officer,
        world.assigned,
        booking(
            [world.officer],
            start=at(13, 14),
            resource_id=rooms.suite.id,
            kind=AppointmentKind.video_link,
        ),
    )
    cancelled = book(db, world.officer, world.assigned, booking([world.officer], start=at(11, 9)))
    cancel_appointment(db, world.officer, cancelled, "No longer needed")
    db.flush()
    flagged = book(db, world.officer, world.assigned, booking([world.officer], start=at(16, 9)))
    flagged.needs_reschedule = True
    db.flush()

    client = login(world.officer)
    page = text_of(client.get("/calendar/week?date=2026-03-12"))
    assert "My week · 09 Mar \N{EN DASH} 15 Mar 2026" in page
    _, _, wed, thu, fri, _, _ = columns(page)
    ref = world.assigned.reference
    kind, place = "Pre-trial meeting or interview", "Safe house office"
    assert thu == f"10:00{DASH}11:00 GMT {kind} {ref} · {place} Scheduled"
    kind, place = "Video-link testimony session", "Video suite A"
    assert fri == f"14:00{DASH}15:00 GMT {kind} {ref} · {place} Scheduled"
    assert wed == "—"  # cancelled appointments are not shown
    assert 'href="/calendar/week?date=2026-03-02&amp;tz=Europe/London"' in client.get(
        "/calendar/week?date=2026-03-12"
    ).get_data(as_text=True)

    page = text_of(client.get("/calendar/week?date=2026-03-16"))
    assert "Needs rescheduling" in columns(page)[0]


def test_week_across_the_clock_change_in_local_time(db, login, world):
    # Sunday 29 March 2026: London moves to BST at 01:00 UTC.
    book(db, world.officer, world.assigned, booking([world.officer], start=at(29, 9)))
    book(db, world.officer, world.assigned, booking([world.officer], start=at(28, 9)))
    client = login(world.officer)
    cells = columns(text_of(client.get("/calendar/week?date=2026-03-25")))
    assert cells[5].startswith("09:00\N{EN DASH}10:00 GMT")  # Saturday
    assert cells[6].startswith("10:00\N{EN DASH}11:00 BST")  # Sunday


def test_week_puts_each_appointment_on_its_own_courts_day(
    db, login, world, make_case, make_court, make_witness
):
    witness = make_witness(case=make_case(court=make_court("Asia/Bangkok")), officer=world.officer)
    # 23:30 UTC on Wednesday is 06:30 on Thursday in Bangkok: Thursday, whatever zone the
    # page is read in (it was Wednesday in a London week: a day the witness never goes)
    book(db, world.officer, witness, booking([world.officer], start=at(11, 23, 30)))
    client = login(world.officer)
    london = columns(text_of(client.get("/calendar/week?date=2026-03-12")))
    assert london[2] == "—"
    assert london[3].startswith("06:30\N{EN DASH}07:30 +07 (Asia/Bangkok)")
    bangkok = columns(text_of(client.get("/calendar/week?date=2026-03-12&tz=Asia/Bangkok")))
    assert bangkok[3].startswith("06:30\N{EN DASH}07:30 +07")
    assert "(Asia/Bangkok)" not in bangkok[3]


def test_week_puts_a_sydney_night_time_event_on_its_sydney_day(
    db, login, world, make_case, make_court, make_witness
):
    witness = make_witness(
        case=make_case(court=make_court("Australia/Sydney")), officer=world.officer
    )
    # 15:30 UTC on Sunday 15 March is 02:30 on Monday 16 March in Sydney (AEDT, +11): the
    # next week's Monday, not this week's Sunday
    book(db, world.officer, witness, booking([world.officer], start=at(15, 15, 30)))
    client = login(world.officer)
    this_week = columns(text_of(client.get("/calendar/week?date=2026-03-12")))
    assert this_week[6] == "—"
    next_week = columns(text_of(client.get("/calendar/week?date=2026-03-16")))
    assert next_week[0].startswith("02:30\N{EN DASH}03:30 AEDT (Australia/Sydney)")


def test_bad_week_arguments_are_refused(login, world):
    client = login(world.officer)
    response = client.get("/calendar/week?date=2026-13-01")
    assert response.status_code == 400
    assert "Give the date as YYYY-MM-DD" in text_of(response)
    response = client.get("/calendar/week?tz=Mars/Olympus")
    assert response.status_code == 400
    assert "Unknown timezone 'Mars/Olympus'" in text_of(response)
    assert client.get("/calendar/week?user_id=abc").status_code == 200  # ignored: one's own


def _refusals(db, actor, user_id) -> int:
    return db.scalar(
        select(func.count(AuditEvent.id)).where(
            AuditEvent.action == "calendar.refused",
            AuditEvent.actor_id == actor.id,
            AuditEvent.object_id == user_id,
        )
    )


def test_whose_week_one_may_open(db, login, world, make_user):
    book(db, world.officer, world.assigned, booking([world.officer]))
    url = f"/calendar/week?date=2026-03-12&user_id={world.officer.id}"

    officer2 = login(world.officer2)
    assert officer2.get(url).status_code == 404
    assert _refusals(db, world.officer2, world.officer.id) == 1

    foreign_supervisor = make_user(Role.supervisor, organisation=world.other_office)
    assert login(foreign_supervisor).get(url).status_code == 404
    assert _refusals(db, foreign_supervisor, world.officer.id) == 1

    page = text_of(login(world.supervisor).get(url))
    assert f"{world.officer.name}\N{RIGHT SINGLE QUOTATION MARK}s week" in page
    assert world.assigned.reference in page
    assert f'<option value="{world.officer.id}" selected>' in page  # the staff chooser

    assert login(world.supervisor).get("/calendar/week?user_id=99999").status_code == 404


@contextmanager
def statements(app):
    seen: list[str] = []
    engine = app.extensions["witness.db"].engine

    def record(conn, cursor, statement, *args):
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


def test_the_week_costs_the_same_few_queries_however_full(
    app, db, login, world, rooms, make_case, make_court, make_witness
):
    client = login(world.officer)
    url = "/calendar/week?date=2026-03-18"
    book(db, world.officer, world.assigned, booking([world.officer], start=at(16, 10)))
    with statements(app) as one:
        assert client.get(url).status_code == 200

    # Many more, each reaching its zone another way: a room, a hearing, a case, the witness.
    hearing = Hearing(
        case_id=world.case.id,
        court_id=world.case.court_id,
        type=HearingType.trial_day,
        start_dt=at(20, 10),
        end_dt=at(20, 13),
    )
    db.add(hearing)
    db.flush()
    for day in (17, 18):
        case = make_case(court=make_court("Europe/Paris"))
        other = make_witness(case=case, officer=world.officer)
        for hour in (12, 15):
            book(
                db,
                world.officer,
                other,
                booking([world.officer], start=at(day, hour), case_id=case.id),
            )
    book(
        db,
        world.officer,
        world.assigned,
        booking([world.officer], start=at(19, 9), resource_id=rooms.courtroom.id),
    )
    book(
        db,
        world.officer,
        world.assigned,
        booking([world.officer], start=at(20, 9), hearing_id=hearing.id),
    )
    db.expire_all()
    with statements(app) as many:
        page = client.get(url).get_data(as_text=True)
    assert page.count('class="week-item"') == 7
    # the zones' courts, hearings and cases are read once each, whatever the number
    assert len(many) <= len(one) + 3, "\n\n".join(many)
