"""Booking and managing appointments through the pages: the form, its pre-filling from a
hearing, the clash box and its suggestions, bad input, reschedule, cancel, confirm, complete,
and who may see what."""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from witness.audit.models import AuditEvent
from witness.auth.models import OrganisationKind, Role
from witness.cases.models import CustodyStatus, Defendant, Hearing, HearingType
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


def form(staff, **overrides) -> dict:
    """What the booking form posts for Thursday 12 March 2026, 10:00-11:00 London time."""
    data = {
        "kind": "pre_trial_meeting",
        "hearing_id": "",
        "date": "2026-03-12",
        "start": "10:00",
        "end": "11:00",
        "travel_minutes": "0",
        "staff_ids": [str(u.id) for u in staff],
        "resource_id": "",
        "address": "Safe house office",
        "interpreter_id": "",
        "language": "",
        "notes": "",
    }
    data.update(overrides)
    return data


def text_of(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def count(db, model=Appointment) -> int:
    return db.scalar(select(func.count()).select_from(model))


def audit_count(db, action: str, actor, object_id: int) -> int:
    return db.scalar(
        select(func.count(AuditEvent.id)).where(
            AuditEvent.action == action,
            AuditEvent.actor_id == actor.id,
            AuditEvent.object_id == object_id,
        )
    )


def booked(db, actor, witness, request) -> Appointment:
    """Book through the service and write it out, so the pages' own session sees it."""
    appointment = book_appointment(db, actor, witness, request)
    db.flush()
    return appointment


def hearing_of(db, case, start: datetime, hours: int = 3, **kw) -> Hearing:
    hearing = Hearing(
        case_id=case.id,
        court_id=case.court_id,
        type=kw.pop("type", HearingType.trial_day),
        start_dt=start,
        end_dt=start + timedelta(hours=hours),
        **kw,
    )
    db.add(hearing)
    db.flush()
    return hearing


def suggestion_forms(page: str) -> list[dict]:
    """Each suggestion button's form in the clash box, as the fields it posts."""
    box = page[page.index('id="clashes"') :]
    box = box[: box.index("</div>")]
    forms = []
    for body in re.findall(r"<form[^>]*>(.*?)</form>", box, re.S):
        fields: dict[str, list[str]] = {}
        for name, value in re.findall(r'name="([^"]+)" value="([^"]*)"', body):
            fields.setdefault(name, []).append(html.unescape(value))
        label = re.search(r"<button[^>]*>(.*?)</button>", body, re.S).group(1)
        forms.append({"fields": fields, "label": " ".join(label.split())})
    return forms


# --- booking -----------------------------------------------------------------------------------


def test_officer_books_and_sees_it_on_the_page_the_week_and_the_witness_file(db, login, world):
    client = login(world.officer)
    url = f"/witnesses/{world.assigned.id}/appointments/new"
    page = text_of(client.get(url))
    assert "Europe/London" in page  # the zone the times are read in is shown
    assert f'<option selected value="{world.officer.id}">' in page  # attends by default

    response = client.submit(url, form([world.officer], notes="Bring the letter.\nAsk about bus."))
    assert response.status_code == 302
    appointment = db.scalar(select(Appointment).where(Appointment.witness_id == world.assigned.id))
    assert appointment.start_dt == at(12, 10) and appointment.end_dt == at(12, 11)
    assert appointment.kind is AppointmentKind.pre_trial_meeting
    assert appointment.notes == "Bring the letter.\nAsk about bus."
    assert response.headers["Location"].endswith(f"/appointments/{appointment.id}")

    page = text_of(client.get(response.headers["Location"]))
    assert "Pre-trial meeting or interview booked for " + world.assigned.reference in page
    assert "Thu 12 Mar 2026 10:00\N{EN DASH}11:00 GMT" in page
    assert "Safe house office" in page and world.officer.name in page
    assert f"/appointments/{appointment.id}/invite.ics" in page
    assert f"/appointments/{appointment.id}/invite-witness.ics" in page

    week = text_of(client.get("/calendar/week?date=2026-03-12"))
    assert world.assigned.reference in week and "10:00\N{EN DASH}11:00" in week

    file = text_of(client.get(f"/witnesses/{world.assigned.id}"))
    assert "Pre-trial meeting or interview" in file


def test_times_are_read_in_the_court_zone(db, login, world, make_case, make_court, make_witness):
    case = make_case(court=make_court("Asia/Bangkok"))
    witness = make_witness(case=case, officer=world.officer)
    client = login(world.officer)
    url = f"/witnesses/{witness.id}/appointments/new"
    assert "Asia/Bangkok" in text_of(client.get(url))
    response = client.submit(url, form([world.officer]))
    assert response.status_code == 302
    appointment = db.scalar(select(Appointment).where(Appointment.witness_id == witness.id))
    assert appointment.start_dt == at(12, 3)  # 10:00 at UTC+7
    assert "10:00\N{EN DASH}11:00 +07" in text_of(client.get(response.headers["Location"]))


def test_form_prefills_accompaniment_from_the_hearing(db, login, world, rooms):
    hearing = hearing_of(db, world.case, at(16, 10))  # Monday 16 March, 10:00-13:00
    client = login(world.officer)
    page = text_of(
        client.get(f"/witnesses/{world.assigned.id}/appointments/new?hearing_id={hearing.id}")
    )
    assert '<option selected value="accompaniment">' in page
    assert f'<option selected value="{hearing.id}">' in page
    assert 'value="2026-03-16"' in page
    assert 'id="start" name="start" required type="time" value="09:00"' in page  # 60 min before
    assert 'id="end" name="end" required type="time" value="13:00"' in page
    assert world.case.court.name in page  # meet at the court: its address is the place


def test_form_prefills_video_link_with_a_suite_and_an_interpreter(
    db, login, world, rooms, make_witness
):
    witness = make_witness(
        case=world.case, officer=world.officer, languages=["Romanian"], needs_interpreter=True
    )
    db.add(Interpreter(organisation_id=world.office.id, name="Ana Pop", languages=["Romanian"]))
    db.flush()
    interpreter = db.scalar(select(Interpreter).where(Interpreter.name == "Ana Pop"))
    hearing = hearing_of(db, world.case, at(16, 10))
    client = login(world.officer)
    page = text_of(
        client.get(
            f"/witnesses/{witness.id}/appointments/new?hearing_id={hearing.id}&kind=video_link"
        )
    )
    assert '<option selected value="video_link">' in page
    assert 'type="time" value="09:30"' in page  # 30 minutes before
    assert f'<option value="{rooms.suite.id}" selected>' in page
    assert f'<option selected value="{interpreter.id}">' in page
    assert re.search(r'name="language"[^>]*value="Romanian"', page)


def test_start_in_the_query_prefills_the_time(login, world):
    client = login(world.officer)
    page = text_of(
        client.get(
            f"/witnesses/{world.assigned.id}/appointments/new?start=2026-03-13T14:30:00%2B00:00"
        )
    )
    assert 'value="2026-03-13"' in page
    assert 'type="time" value="14:30"' in page and 'type="time" value="15:30"' in page


def test_waiting_room_warning_is_flashed_after_booking(db, login, world):
    db.add(Defendant(case_id=world.case.id, name="D", custody_status=CustodyStatus.on_bail))
    hearing = hearing_of(db, world.case, at(16, 10))
    client = login(world.officer)
    response = client.submit(
        f"/witnesses/{world.assigned.id}/appointments/new",
        form(
            [world.officer],
            kind="accompaniment",
            hearing_id=str(hearing.id),
            date="2026-03-16",
            start="09:00",
            end="13:00",
        ),
    )
    assert response.status_code == 302
    page = text_of(client.get(response.headers["Location"]))
    assert "Warning:" in page and "no separate waiting room is booked" in page
    assert f'href="/hearings/{hearing.id}"' in page


# --- double booking ----------------------------------------------------------------------------


def test_double_booking_names_the_clash_and_a_suggestion_books(db, login, world):
    booked(db, world.officer, world.assigned, booking([world.officer]))
    before = count(db)
    client = login(world.supervisor)
    url = f"/witnesses/{world.unassigned.id}/appointments/new"
    response = client.submit(url, form([world.officer], notes="Line one\nline two"))
    assert response.status_code == 409
    page = text_of(response)
    assert f"{world.officer.name} is already booked from Thu 12 Mar 10:00 to 11:00" in page
    assert count(db) == before

    suggestions = suggestion_forms(page)
    assert [s["label"] for s in suggestions] == [
        "Book Thu 12 Mar 11:00\N{EN DASH}12:00 GMT",
        "Book Thu 12 Mar 11:30\N{EN DASH}12:30 GMT",
        "Book Thu 12 Mar 12:00\N{EN DASH}13:00 GMT",
    ]
    first = suggestions[0]["fields"]
    assert first["staff_ids"] == [str(world.officer.id)]
    assert first["notes"] == ["Line one\nline two"]  # everything typed is sent again

    response = client.post(url, data=first)
    assert response.status_code == 302
    second = db.scalar(select(Appointment).where(Appointment.witness_id == world.unassigned.id))
    assert (second.start_dt, second.end_dt) == (at(12, 11), at(12, 12))
    assert second.notes == "Line one\nline two"


def test_a_clash_on_the_room_is_named(db, login, world, rooms):
    booked(
        db,
        world.officer,
        world.assigned,
        booking([world.officer], resource_id=rooms.suite.id, kind=AppointmentKind.video_link),
    )
    client = login(world.supervisor)
    response = client.submit(
        f"/witnesses/{world.unassigned.id}/appointments/new",
        form([world.supervisor], kind="video_link", resource_id=str(rooms.suite.id), address=""),
    )
    assert response.status_code == 409
    assert "Video suite A is already booked from Thu 12 Mar 10:00 to 11:00" in text_of(response)


# --- bad input ---------------------------------------------------------------------------------


@pytest.fixture
def outsider(make_org, make_user):
    """An NGO worker whose organisation the witness has not agreed to share with."""
    return make_user(Role.ngo_worker, organisation=make_org(OrganisationKind.ngo, "Elsewhere"))


BAD = [
    ("end before start", {"start": "11:00", "end": "10:00"}, "The end must be after the start."),
    ("past start", {"date": "2026-03-09"}, "That start is in the past"),
    ("unknown resource", {"resource_id": "999999"}, "Choose a resource that exists."),
    ("garbage resource", {"resource_id": "room-1"}, "Invalid Choice"),
    ("absurd resource id", {"resource_id": "99999999999"}, "Invalid Choice"),
    ("garbage staff id", {"staff_ids": ["x"]}, "Invalid choice"),
    ("no staff", {"staff_ids": []}, "Choose at least one member of staff to attend."),
    ("garbage hearing", {"hearing_id": "-4"}, "Invalid Choice"),
    ("foreign hearing", {"hearing_id": "999999"}, "Choose a hearing of one of the witness's"),
    ("garbage kind", {"kind": "party"}, "Invalid Choice"),
    ("bad date", {"date": "2026-02-30"}, "Give the date as YYYY-MM-DD."),
    ("no date", {"date": ""}, "Give the date."),
    ("bad time", {"start": "25:00"}, "Give the time as HH:MM (24-hour clock)."),
    (
        "garbage travel",
        {"travel_minutes": "lots"},
        "Give a whole number, written with the digits 0-9.",
    ),
    ("long travel", {"travel_minutes": "600"}, "Give a travel time between 0 and 240 minutes."),
    (
        "clocks go forward",
        {"date": "2026-03-29", "start": "01:30", "end": "03:00"},
        "01:30 on 29 Mar 2026 in Europe/London does not exist: at 01:00 GMT the clocks go "
        "forward to 02:00 BST (01:00 UTC)",
    ),
    # The booking form took the repeated hour silently (the hearing form refused it), and
    # icalendar and ical.js then read the invite an hour apart.
    (
        "clocks go back",
        {"date": "2026-10-25", "start": "01:30", "end": "03:00"},
        "01:30 on 25 Oct 2026 in Europe/London happens twice: the clocks go back then, so it "
        "could be 01:30 BST (00:30 UTC) or 01:30 GMT (01:30 UTC)",
    ),
    ("no place", {"address": ""}, "Choose a room or give an address."),
    ("newline in address", {"address": "Flat 1\nHigh St"}, "Use one line of plain text"),
    ("newline in language", {"language": "Thai\nX"}, "Use one line of plain text"),
    ("control in notes", {"notes": "Ring \x07 twice"}, "Remove the control characters"),
    ("long notes", {"notes": "x" * 4001}, "Field cannot be longer than 4000 characters."),
    ("unknown interpreter", {"interpreter_id": "999999"}, "Choose an active interpreter."),
]


@pytest.mark.parametrize("overrides, message", [b[1:] for b in BAD], ids=[b[0] for b in BAD])
def test_bad_input_is_refused_beside_the_field_and_saves_nothing(
    db, login, world, overrides, message
):
    client = login(world.officer)
    before = (count(db), count(db, AppointmentSlot))
    response = client.submit(
        f"/witnesses/{world.assigned.id}/appointments/new", form([world.officer], **overrides)
    )
    assert response.status_code == 400, text_of(response)[:2000]
    assert message in text_of(response)
    assert (count(db), count(db, AppointmentSlot)) == before


def test_rooms_closed_withdrawn_or_out_of_use_are_refused(db, login, world, rooms):
    rooms.suite2.is_active = False
    db.flush()
    client = login(world.officer)
    url = f"/witnesses/{world.assigned.id}/appointments/new"
    cases = [
        (
            {"resource_id": str(rooms.courtroom.id), "start": "18:00", "end": "19:00"},
            "Courtroom 1 is open from 08:00 to 18:00 (Europe/London).",
        ),
        (
            {"resource_id": str(rooms.courtroom.id), "date": "2026-03-14"},
            "Courtroom 1 is closed on Saturdays.",
        ),
        ({"resource_id": str(rooms.suite2.id)}, "Video suite B is no longer in use."),
        (
            {"kind": "video_link", "resource_id": str(rooms.courtroom.id)},
            "Book a video-link suite or a remote witness site for video-link testimony.",
        ),
    ]
    for overrides, message in cases:
        response = client.submit(url, form([world.officer], **overrides))
        assert response.status_code == 400
        assert message in text_of(response)
    assert count(db) == 0


def test_staff_who_may_not_see_the_witness_are_refused(db, login, world, outsider):
    client = login(world.officer)
    response = client.submit(
        f"/witnesses/{world.assigned.id}/appointments/new", form([world.officer, outsider])
    )
    assert response.status_code == 400
    assert f"{outsider.name} (Elsewhere) may not see {world.assigned.reference}'s file" in text_of(
        response
    )
    assert count(db) == 0


def test_ngo_worker_of_a_sharing_organisation_may_attend(db, login, world):
    client = login(world.supervisor)
    url = f"/witnesses/{world.shared.id}/appointments/new"
    assert world.ngo_worker.name in text_of(client.get(url))  # offered
    response = client.submit(url, form([world.supervisor, world.ngo_worker]))
    assert response.status_code == 302
    appointment = db.scalar(select(Appointment).where(Appointment.witness_id == world.shared.id))
    assert {u.id for u in appointment.staff} == {world.supervisor.id, world.ngo_worker.id}
    # the NGO worker sees it, and may confirm it, but not cancel it
    ngo = login(world.ngo_worker)
    assert ngo.get(f"/appointments/{appointment.id}").status_code == 200
    assert ngo.submit(f"/appointments/{appointment.id}/cancel", {"reason": "x"}).status_code == 404
    assert audit_count(db, "appointment.change_refused", world.ngo_worker, appointment.id) == 1
    assert ngo.submit(f"/appointments/{appointment.id}/confirm").status_code == 302
    db.refresh(appointment)
    assert appointment.status is AppointmentStatus.confirmed


# --- reschedule, cancel, confirm, complete -----------------------------------------------------


def test_reschedule_needs_a_reason_and_raises_the_sequence(db, login, world):
    appointment = booked(db, world.officer, world.assigned, booking([world.officer]))
    appointment.needs_reschedule = True
    db.flush()
    client = login(world.officer)
    url = f"/appointments/{appointment.id}/edit"
    page = text_of(client.get(url))
    assert 'type="time" value="10:00"' in page and "Safe house office" in page

    response = client.submit(url, form([world.officer], start="14:00", end="15:00"))
    assert response.status_code == 400
    assert "Give a reason for the change." in text_of(response)
    db.refresh(appointment)
    assert appointment.start_dt == at(12, 10) and appointment.ical_sequence == 0

    response = client.submit(
        url, form([world.officer], start="14:00", end="15:00", reason="Hearing moved")
    )
    assert response.status_code == 302
    db.refresh(appointment)
    assert appointment.start_dt == at(12, 14) and appointment.end_dt == at(12, 15)
    assert appointment.ical_sequence == 1
    assert appointment.status_reason == "Hearing moved"
    assert appointment.needs_reschedule is False
    page = text_of(client.get(f"/appointments/{appointment.id}"))
    assert "Rescheduled by " + world.officer.name in page and "Hearing moved" in page
    assert "Thu 12 Mar 2026 14:00\N{EN DASH}15:00 GMT" in page


def test_needs_reschedule_banner(db, login, world):
    appointment = booked(db, world.officer, world.assigned, booking([world.officer]))
    appointment.needs_reschedule = True
    db.flush()
    page = text_of(login(world.officer).get(f"/appointments/{appointment.id}"))
    assert "Needs rescheduling" in page


def test_reschedule_into_a_clash_offers_moves(db, login, world):
    booked(db, world.officer, world.assigned, booking([world.officer], start=at(12, 14)))
    appointment = booked(db, world.officer, world.assigned, booking([world.officer]))
    client = login(world.officer)
    url = f"/appointments/{appointment.id}/edit"
    response = client.submit(url, form([world.officer], start="14:00", end="15:00", reason="r"))
    assert response.status_code == 409
    page = text_of(response)
    assert f"Witness {world.assigned.reference} is already booked from Thu 12 Mar 14:00" in page
    move = suggestion_forms(page)[0]
    assert move["label"] == "Move to Thu 12 Mar 15:00\N{EN DASH}16:00 GMT"
    assert move["fields"]["reason"] == ["r"]
    assert client.post(url, data=move["fields"]).status_code == 302
    db.refresh(appointment)
    assert appointment.start_dt == at(12, 15)


def test_cancel_requires_a_reason(db, login, world):
    appointment = booked(db, world.officer, world.assigned, booking([world.officer]))
    client = login(world.officer)
    url = f"/appointments/{appointment.id}/cancel"
    response = client.submit(url, {"reason": ""})
    assert response.status_code == 400
    assert "Give a reason for cancelling." in text_of(response)
    db.refresh(appointment)
    assert appointment.status is AppointmentStatus.scheduled

    response = client.submit(url, {"reason": "Witness unwell"})
    assert response.status_code == 302
    db.refresh(appointment)
    assert appointment.status is AppointmentStatus.cancelled
    assert appointment.status_reason == "Witness unwell"
    assert count(db, AppointmentSlot) == 0
    page = text_of(client.get(f"/appointments/{appointment.id}"))
    assert "Cancelled by" in page and "Witness unwell" in page
    assert "Reschedule" not in page
    # cancelling twice says so
    response = client.submit(url, {"reason": "again"})
    assert response.status_code == 400
    assert "This appointment is already cancelled." in text_of(response)


def test_confirm_then_complete_once_started(db, login, world, frozen_clock):
    appointment = booked(db, world.officer, world.assigned, booking([world.officer]))
    client = login(world.officer)
    page = text_of(client.get(f"/appointments/{appointment.id}"))
    assert "Record as completed" not in page  # not started yet
    assert client.submit(f"/appointments/{appointment.id}/confirm").status_code == 302
    db.refresh(appointment)
    assert appointment.status is AppointmentStatus.confirmed

    response = client.submit(f"/appointments/{appointment.id}/complete", {"note": ""})
    assert response.status_code == 400
    assert "has not started yet" in text_of(response)

    frozen_clock(datetime(2026, 3, 12, 11, 30, tzinfo=UTC))
    client = login(world.officer)  # signed out after two idle days
    response = client.submit(f"/appointments/{appointment.id}/complete", {"note": "Went well"})
    assert response.status_code == 302
    db.refresh(appointment)
    assert appointment.status is AppointmentStatus.completed
    assert appointment.status_reason == "Went well"
    assert "Completed by" in text_of(client.get(f"/appointments/{appointment.id}"))


# --- access ------------------------------------------------------------------------------------


def test_who_may_see_an_appointment(db, login, world, make_user):
    appointment = booked(db, world.officer, world.assigned, booking([world.officer]))
    url = f"/appointments/{appointment.id}"
    other_office_officer = make_user(Role.liaison_officer, organisation=world.other_office)
    for user in (world.ngo_worker, other_office_officer, world.officer2):
        assert login(user).get(url).status_code == 404
        assert audit_count(db, "appointment.refused", user, appointment.id) == 1
    assert login(world.supervisor).get(url).status_code == 200
    assert login(world.officer).get(url).status_code == 200
    assert login(world.officer).get("/appointments/99999999999").status_code == 404


def test_only_the_office_books(db, login, world):
    url = f"/witnesses/{world.shared.id}/appointments/new"
    ngo = login(world.ngo_worker)
    assert ngo.get(url).status_code == 404  # sees the file, may not book
    assert audit_count(db, "appointment.book_refused", world.ngo_worker, world.shared.id) == 1
    assert ngo.submit(url, form([world.ngo_worker])).status_code == 404
    assert login(world.foreign_admin).get(url).status_code == 404
    assert count(db) == 0


def test_officer_of_the_office_who_may_not_manage_is_refused_changes(db, login, world):
    appointment = booked(db, world.officer, world.assigned, booking([world.officer]))
    prosecutor = login(world.prosecutor)  # leads the case: sees the witness, manages nothing
    assert prosecutor.get(f"/appointments/{appointment.id}").status_code == 200
    assert prosecutor.get(f"/appointments/{appointment.id}/edit").status_code == 404
    assert prosecutor.submit(f"/appointments/{appointment.id}/confirm").status_code == 404
    db.refresh(appointment)
    assert appointment.status is AppointmentStatus.scheduled
