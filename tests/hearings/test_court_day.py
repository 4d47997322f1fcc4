"""A court's day list: the day is the court's, from midnight to midnight in its timezone; it shows
only what the user may see, witnesses by reference; its query count does not grow with rows."""

from __future__ import annotations

import html
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import event

from witness.cases.models import HearingType
from witness.hearings.services import create_hearing
from witness.scheduling.models import Appointment, AppointmentKind
from witness.scheduling.services import book_appointment

from ..factories import at, booking

pytestmark = pytest.mark.usefixtures("frozen_clock")


def text_of(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def list_hearing(db, actor, case, start, hours=2, **kw):
    return create_hearing(
        db,
        actor,
        case,
        type=kw.pop("type", HearingType.trial_day),
        start=start,
        end=start + timedelta(hours=hours),
        **kw,
    )


def test_the_day_lists_visible_hearings_and_appointments(
    login, world, db, rooms, make_case, make_witness
):
    court = world.case.court
    room = rooms.courtroom.id
    listed = list_hearing(db, world.officer, world.case, at(12, 10), courtroom_id=room)
    foreign = make_case(court=court, organisation=world.other_office, reference="FOREIGN-1")
    list_hearing(db, world.foreign_admin, foreign, at(12, 11))
    later = make_case(court=court, reference="NEXT-DAY")
    list_hearing(db, world.officer, later, at(13, 10))
    book_appointment(
        db,
        world.officer,
        world.assigned,
        booking(
            [world.officer],
            start=at(12, 9),
            kind=AppointmentKind.accompaniment,
            hearing_id=listed.id,
            resource_id=rooms.waiting.id,
        ),
    )
    client = login(world.officer)
    response = client.get(f"/courts/{court.id}/day?date=2026-03-12")
    assert response.status_code == 200
    page = text_of(response)
    assert court.name in page and "Thursday 12 March 2026" in page
    assert world.case.reference in page and "Trial day" in page and "Courtroom 1" in page
    assert "10:00 GMT\N{EN DASH}12:00 GMT" in page and "Listed" in page
    assert "FOREIGN-1" not in page and "NEXT-DAY" not in page
    # The appointment in the waiting room: the witness by reference, never by name.
    assert "Witness waiting room" in page and "Accompaniment to a hearing" in page
    assert world.assigned.reference in page and world.assigned.legal_name not in page
    assert "date=2026-03-11" in page and "date=2026-03-13" in page
    # The NGO worker sees no witness of this case: neither the hearing nor the appointment.
    ngo_page = text_of(login(world.ngo_worker).get(f"/courts/{court.id}/day?date=2026-03-12"))
    assert world.case.reference not in ngo_page and world.assigned.reference not in ngo_page
    assert "No hearings you can see are listed this day." in ngo_page
    # The prosecutor leading the case sees its hearing and the appointment of its witness.
    prosecutor_page = text_of(
        login(world.prosecutor).get(f"/courts/{court.id}/day?date=2026-03-12")
    )
    assert world.case.reference in prosecutor_page and world.assigned.reference in prosecutor_page


def test_the_day_runs_from_midnight_to_midnight_at_the_court(
    login, world, db, make_case, make_court
):
    court = make_court("America/New_York")
    case = make_case(court=court, offences=[])
    # New York is UTC-4 from 8 March 2026.
    early = list_hearing(db, world.officer, case, datetime(2026, 3, 12, 4, 30, tzinfo=UTC))
    late = list_hearing(db, world.officer, case, datetime(2026, 3, 13, 3, 30, tzinfo=UTC), hours=1)
    day_before = list_hearing(db, world.officer, case, datetime(2026, 3, 12, 3, 59, tzinfo=UTC))
    page = text_of(login(world.officer).get(f"/courts/{court.id}/day?date=2026-03-12"))
    assert f"/hearings/{early.id}" in page and "00:30 EDT" in page
    assert f"/hearings/{late.id}" in page and "23:30 EDT" in page
    assert f"/hearings/{day_before.id}" not in page
    assert "Times in America/New_York" in page


def test_the_day_the_clocks_go_forward_has_23_hours(login, world, db):
    court = world.case.court  # London: 29 March 2026 runs from 00:00 UTC to 23:00 UTC
    first = list_hearing(db, world.officer, world.case, datetime(2026, 3, 29, 0, 30, tzinfo=UTC))
    after = list_hearing(db, world.officer, world.case, datetime(2026, 3, 29, 23, 30, tzinfo=UTC))
    client = login(world.officer)
    sunday = text_of(client.get(f"/courts/{court.id}/day?date=2026-03-29"))
    monday = text_of(client.get(f"/courts/{court.id}/day?date=2026-03-30"))
    assert f"/hearings/{first.id}" in sunday and "00:30 GMT" in sunday
    assert f"/hearings/{after.id}" not in sunday
    assert f"/hearings/{after.id}" in monday and "00:30 BST" in monday


def test_without_a_date_it_is_today_at_the_court(login, world, make_court, frozen_clock):
    frozen_clock(at(10, 12))  # 12:00 UTC on 10 March is 01:00 on 11 March in Auckland
    auckland = make_court("Pacific/Auckland")
    london = world.case.court
    client = login(world.officer)
    assert "Wednesday 11 March 2026" in text_of(client.get(f"/courts/{auckland.id}/day"))
    assert "Tuesday 10 March 2026" in text_of(client.get(f"/courts/{london.id}/day?date="))


@pytest.mark.parametrize(
    "value, message",
    [
        *((v, "Give the date as YYYY-MM-DD") for v in ("2026-02-30", "tomorrow", "20260310")),
        *((v, "Give the date as YYYY-MM-DD") for v in ("2026-3-1", "é")),
        ("9999-12-31", "Give a date between 1900 and 2100."),
        ("0001-01-01", "Give a date between 1900 and 2100."),
    ],
)
def test_a_bad_date_is_400_with_a_message(login, world, value, message):
    response = login(world.officer).get(
        f"/courts/{world.case.court.id}/day", query_string={"date": value}
    )
    assert response.status_code == 400
    assert message in text_of(response)


@pytest.mark.parametrize("url", ["/courts/999999/day", "/courts/99999999999/day"])
def test_an_unknown_court_is_404(login, world, url):
    assert login(world.officer).get(url).status_code == 404


def test_the_chooser_links_each_court_to_its_day(login, world, make_court):
    other = make_court(name="Northgate Crown Court")
    page = text_of(login(world.supervisor).get("/courts/day"))
    assert "Northgate Crown Court" in page and f"/courts/{other.id}/day" in page
    assert f"/courts/{world.case.court.id}/day" in page


@contextmanager
def counting_queries(app):
    engine = app.extensions["witness.db"].engine
    statements: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)


def test_the_number_of_queries_does_not_grow_with_the_rows(
    app, login, world, db, rooms, make_case, make_witness
):
    """Every row's case, courtroom, room and witness come with the list: no query per row."""
    court = world.case.court
    client = login(world.supervisor)
    url = f"/courts/{court.id}/day?date=2026-03-12"

    def add_rows(n: int) -> None:
        for _ in range(n):
            case = make_case(court=court)
            witness = make_witness(case=case)
            start = at(12, 9)
            list_hearing(db, world.officer, case, start, courtroom_id=rooms.courtroom.id)
            db.add(
                Appointment(
                    organisation_id=witness.organisation_id,
                    witness_id=witness.id,
                    case_id=case.id,
                    kind=AppointmentKind.familiarisation,
                    start_dt=start,
                    end_dt=start + timedelta(hours=1),
                    resource_id=rooms.suite.id,
                    created_by_id=world.officer.id,
                )
            )
        db.flush()

    add_rows(2)
    with counting_queries(app) as few:
        page = text_of(client.get(url))
    assert page.count("Court familiarisation visit") == 2
    add_rows(10)
    with counting_queries(app) as many:
        page = text_of(client.get(url))
    assert page.count("Court familiarisation visit") == 12
    assert page.count("Trial day") == 12
    assert len(many) == len(few), (few, many)
    assert 0 < len(few) < 10, few
