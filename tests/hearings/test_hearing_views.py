"""Hearings through the pages: listing in the court's timezone, the hearing page for each kind of
user, moving (history kept, appointments flagged, news to tell), vacating, marking held."""

from __future__ import annotations

import html
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select

from witness.audit.models import AuditEvent
from witness.cases.models import Hearing, HearingChange, HearingStatus, HearingType
from witness.hearings.models import SpecialMeasure
from witness.hearings.services import create_hearing, move_hearing
from witness.notify.models import News
from witness.scheduling.models import Appointment, AppointmentKind
from witness.scheduling.services import book_appointment

from ..factories import at, booking

pytestmark = pytest.mark.usefixtures("frozen_clock")


def text_of(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def count(db, model, *where) -> int:
    return db.scalar(select(func.count()).select_from(model).where(*where))


def audited(db, action: str, actor, object_id: int) -> int:
    return count(
        db,
        AuditEvent,
        AuditEvent.action == action,
        AuditEvent.actor_id == actor.id,
        AuditEvent.object_id == object_id,
    )


def listing(**overrides) -> dict:
    return {
        "type": "trial_day",
        "day": "2026-03-12",
        "start": "10:00",
        "end": "16:00",
        "courtroom_id": "",
        "external_ref": "",
        "notes": "",
    } | overrides


@pytest.fixture
def hearing(db, world, rooms):
    """A trial day of ``world.case`` on Thursday 12 March 2026, 10:00-16:00 London (= UTC)."""
    return create_hearing(
        db,
        world.officer,
        world.case,
        type=HearingType.trial_day,
        start=at(12, 10),
        end=at(12, 16),
        courtroom_id=rooms.courtroom.id,
    )


# --- listing ---------------------------------------------------------------------------------


def test_officer_lists_a_hearing_in_the_courts_timezone(login, world, db, make_case, make_court):
    court = make_court("America/New_York")
    case = make_case(court=court, offences=[])
    client = login(world.officer)
    assert "List a hearing" in text_of(client.get(f"/cases/{case.id}"))
    form = text_of(client.get(f"/cases/{case.id}/hearings/new"))
    assert "America/New_York" in form
    response = client.submit(
        f"/cases/{case.id}/hearings/new",
        listing(type="sentencing", external_ref="NY-123", notes="Bring the file"),
    )
    assert response.status_code == 302
    hearing = db.scalar(select(Hearing).where(Hearing.case_id == case.id))
    # New York is on daylight time from 8 March: 10:00 EDT is 14:00 UTC.
    assert hearing.start_dt == datetime(2026, 3, 12, 14, 0, tzinfo=UTC)
    assert hearing.end_dt == datetime(2026, 3, 12, 20, 0, tzinfo=UTC)
    assert (hearing.type, hearing.external_ref) == (HearingType.sentencing, "NY-123")
    page = text_of(client.get(response.headers["Location"]))
    assert "Sentencing listed for 12 Mar 2026 10:00 EDT." in page
    assert "Thu 12 Mar 2026 10:00 EDT" in page and "NY-123" in page
    assert "Sentencing" in text_of(client.get(f"/cases/{case.id}"))
    trial = client.submit(
        f"/cases/{case.id}/hearings/new", listing(day="2026-03-13"), follow_redirects=True
    )
    assert "No child or trafficking complainant needs standard measures." in text_of(trial)


def test_listing_a_trial_day_for_a_child_proposes_the_standard_measures(
    login, world, db, make_witness
):
    child = make_witness(case=world.case, officer=world.officer, date_of_birth=date(2014, 6, 1))
    client = login(world.officer)
    url = f"/cases/{world.case.id}/hearings/new"
    response = client.submit(url, listing(), follow_redirects=True)
    page = text_of(response)
    hearing = db.scalar(select(Hearing).where(Hearing.case_id == world.case.id))
    # The case is one of trafficking: its two adult complainants get four measures each, the
    # child the seven for children and evidence in private.
    assert count(db, SpecialMeasure, SpecialMeasure.witness_id == child.id) == 8
    assert count(db, SpecialMeasure, SpecialMeasure.hearing_id == hearing.id) == 16
    assert "16 standard special measures proposed for 3 witnesses." in page
    assert child.reference in page and "Intermediary" in page
    assert "Removal of wigs and gowns" in page
    witness_page = text_of(client.get(f"/witnesses/{child.id}"))
    assert "Coming up" in witness_page and "Intermediary" in witness_page
    assert "Pre-recorded cross-examination" in witness_page
    measures_page = text_of(client.get(f"/witnesses/{child.id}/measures"))
    assert measures_page.count("standard</span>") == 8


@pytest.mark.parametrize(
    "overrides, field, message",
    [
        ({"end": "09:00"}, "end", "The end must be after the start."),
        ({"end": "10:00"}, "end", "The end must be after the start."),
        # London's clocks go forward at 01:00 on 29 March 2026: 01:30 never happens.
        (
            {"day": "2026-03-29", "start": "01:30", "end": "03:00"},
            "start",
            "01:30 on 29 Mar 2026 in Europe/London does not exist: at 01:00 GMT the clocks go "
            "forward to 02:00 BST (01:00 UTC).",
        ),
        # ... and back at 02:00 on 25 October: 01:30 happens twice.
        (
            {"day": "2026-10-25", "start": "01:30", "end": "03:00"},
            "start",
            "01:30 on 25 Oct 2026 in Europe/London happens twice: the clocks go back then, so it "
            "could be 01:30 BST (00:30 UTC) or 01:30 GMT (01:30 UTC).",
        ),
        ({"day": "2026-02-30"}, "day", "Give the date as YYYY-MM-DD."),
        ({"day": "1066-10-14"}, "day", "Enter a date between 1900 and 2100."),
        ({"day": ""}, "day", "Give the date."),
        ({"start": "25:00"}, "start", "Give the time as HH:MM, for example 09:30."),
        ({"type": "coronation"}, "type", "Invalid Choice: could not coerce."),
        ({"courtroom_id": "999999"}, "courtroom_id", "Not a valid choice."),
        ({"courtroom_id": "abc"}, "courtroom_id", "Invalid Choice: could not coerce."),
        ({"notes": "Ring \x07 the bell"}, "notes", "Remove the control characters"),
        ({"external_ref": "A\nB"}, "external_ref", "Use one line of plain text"),
    ],
)
def test_listing_refuses_bad_input_and_changes_nothing(
    login, world, db, rooms, overrides, field, message
):
    client = login(world.officer)
    response = client.submit(f"/cases/{world.case.id}/hearings/new", listing(**overrides))
    assert response.status_code == 400
    page = text_of(response)
    assert f'id="{field}-error">' in page
    assert message in page.split(f'id="{field}-error">')[1].split("</p>")[0]
    assert count(db, Hearing) == 0
    assert count(db, SpecialMeasure) == 0


def test_courtroom_of_another_court_is_not_offered(login, world, db, rooms, make_case):
    other = make_case()  # at another court
    client = login(world.officer)
    assert "Courtroom 1" in text_of(client.get(f"/cases/{world.case.id}/hearings/new"))
    assert "Courtroom 1" not in text_of(client.get(f"/cases/{other.id}/hearings/new"))
    response = client.submit(
        f"/cases/{other.id}/hearings/new", listing(courtroom_id=rooms.courtroom.id)
    )
    assert response.status_code == 400
    assert count(db, Hearing) == 0


def test_a_listing_number_is_unique_at_the_court(login, world, db, hearing):
    hearing.external_ref = "L-1"
    db.flush()
    client = login(world.officer)
    response = client.submit(f"/cases/{world.case.id}/hearings/new", listing(external_ref="L-1"))
    assert response.status_code == 400
    assert "The court already lists a hearing as 'L-1'." in text_of(response)
    assert count(db, Hearing) == 1


# --- who sees what -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "who, status, can_edit",
    [
        ("officer", 200, True),
        ("supervisor", 200, True),
        ("prosecutor", 200, True),  # leads the case, in the same office
        ("ngo_worker", 404, False),  # the NGO sees no witness of this case
        ("other_prosecutor", 404, False),
        ("foreign_admin", 404, False),
    ],
)
def test_hearing_page_by_user(login, world, db, hearing, who, status, can_edit):
    user = getattr(world, who)
    client = login(user)
    response = client.get(f"/hearings/{hearing.id}")
    assert response.status_code == status
    new_form = client.get(f"/cases/{world.case.id}/hearings/new")
    assert new_form.status_code == (200 if can_edit else 404)
    if status == 404:
        assert audited(db, "hearing.refused", user, hearing.id) == 1
        assert audited(db, "case.refused", user, world.case.id) == 1
        return
    page = text_of(response)
    assert "Trial day" in page and "Courtroom 1" in page and "Thu 12 Mar 2026 10:00 GMT" in page
    assert ("Move hearing" in page) is can_edit
    assert ("Vacate hearing" in page) is can_edit


def test_ngo_worker_sees_the_hearing_of_a_shared_witness_without_actions(
    login, world, db, make_witness
):
    hearing = create_hearing(
        db,
        world.officer,
        world.other_case,
        type=HearingType.trial_day,
        start=at(12, 10),
        end=at(12, 16),
    )
    client = login(world.ngo_worker)
    page = text_of(client.get(f"/hearings/{hearing.id}"))
    # Both shared witnesses are trafficking complainants; the NGO sees their references and
    # measures, never the names, and cannot change anything.
    assert world.shared.reference in page and world.shared_identity.reference in page
    assert world.shared.legal_name not in page
    assert "Video or live link" in page
    assert "Mark applied for" not in page and "Move hearing" not in page
    assert "Book accompaniment" not in page
    response = client.submit(
        f"/hearings/{hearing.id}/move",
        {"day": "2026-03-13", "start": "10:00", "end": "16:00", "reason": "No"},
    )
    assert response.status_code == 403
    assert audited(db, "hearing.change_refused", world.ngo_worker, hearing.id) == 1
    db.expire_all()
    assert hearing.status is HearingStatus.listed
    assert hearing.start_dt == at(12, 10)


def test_officer_sees_booking_links_per_witness(login, world, hearing):
    page = text_of(login(world.officer).get(f"/hearings/{hearing.id}"))
    assert f"/witnesses/{world.assigned.id}/appointments/new?" in page
    assert f"hearing_id={hearing.id}&kind=accompaniment" in page
    assert f"hearing_id={hearing.id}&kind=video_link" in page
    assert "Book video-link session" in page
    # The officer sees only the witness assigned to them, not the other in the case.
    assert world.assigned.reference in page
    assert world.unassigned.reference not in page


@pytest.mark.parametrize(
    "url", ["/hearings/999999", "/hearings/99999999999", "/cases/999999/hearings/new"]
)
def test_unknown_ids_are_404(login, world, url):
    assert login(world.officer).get(url).status_code == 404


# --- moving, vacating, held ------------------------------------------------------------------


def test_moving_flags_appointments_keeps_history_and_tells_the_witness(
    login, world, db, hearing, rooms
):
    appointment = book_appointment(
        db,
        world.officer,
        world.assigned,
        booking(
            [world.officer],
            start=at(12, 9),
            minutes=8 * 60,
            kind=AppointmentKind.accompaniment,
            hearing_id=hearing.id,
            resource_id=rooms.waiting.id,
        ),
    )
    client = login(world.officer)
    response = client.submit(
        f"/hearings/{hearing.id}/move",
        {"day": "2026-03-19", "start": "11:00", "end": "15:30", "reason": "Judge unwell"},
        follow_redirects=True,
    )
    assert response.status_code == 200
    page = text_of(response)
    assert "Hearing moved to 19 Mar 2026 11:00 GMT. 1 appointment flagged for rescheduling." in (
        page
    )
    db.expire_all()
    assert hearing.status is HearingStatus.moved
    assert (hearing.start_dt, hearing.end_dt) == (at(19, 11), at(19, 15, 30))
    assert appointment.needs_reschedule is True
    change = db.scalar(select(HearingChange).where(HearingChange.hearing_id == hearing.id))
    assert (change.from_start_dt, change.to_start_dt) == (at(12, 10), at(19, 11))
    # The history says from when to when, who and why; the appointment is flagged.
    assert "12 Mar 2026 10:00 GMT" in page and "19 Mar 2026 11:00 GMT" in page
    assert world.officer.name in page and "Judge unwell" in page
    assert "Needs rescheduling" in page
    # The witness's page lists the news to tell them and the flagged appointment.
    witness_page = text_of(client.get(f"/witnesses/{world.assigned.id}"))
    # ... saying when it now is, in the court's time
    assert "Trial day moved to Thu 19 Mar 2026 11:00\N{EN DASH}15:30 GMT: Judge unwell" in (
        witness_page
    )
    assert "Needs rescheduling" in witness_page
    assert f"/appointments/{appointment.id}" in witness_page


def test_a_move_posted_by_the_court_system_shows_as_such(login, world, db, hearing):
    move_hearing(db, None, hearing, start=at(13, 10), end=at(13, 12), reason="Listing office")
    page = text_of(login(world.officer).get(f"/hearings/{hearing.id}"))
    assert "court system" in page and "Listing office" in page


@pytest.mark.parametrize(
    "data, message",
    [
        ({"end": "09:00"}, "The end must be after the start."),
        ({"day": "2026-03-12"}, "The hearing is already listed at that time."),
        ({"reason": ""}, "Give a reason for the change."),
        ({"reason": "bad \x1b escape"}, "Remove the control characters from this text."),
        (
            {"day": "2026-03-29", "start": "01:15"},
            "does not exist: at 01:00 GMT the clocks go forward to 02:00 BST",
        ),
        ({"day": "not a day"}, "Give the date as YYYY-MM-DD."),
    ],
)
def test_move_refuses_bad_input_and_changes_nothing(login, world, db, hearing, data, message):
    client = login(world.officer)
    form = {"day": "2026-03-19", "start": "10:00", "end": "16:00", "reason": "Moved"} | data
    response = client.submit(f"/hearings/{hearing.id}/move", form)
    assert response.status_code == 400
    page = text_of(response)
    assert message in page
    assert "Nothing was changed" in page
    db.expire_all()
    assert hearing.status is HearingStatus.listed and hearing.start_dt == at(12, 10)
    assert count(db, HearingChange) == 0 and count(db, News) == 0


def test_vacate_needs_a_reason_then_ends_the_hearing(login, world, db, hearing):
    client = login(world.officer)
    refused = client.submit(f"/hearings/{hearing.id}/vacate", {"reason": "  "})
    assert refused.status_code == 400
    assert "Give a reason for the change." in text_of(refused)
    db.expire_all()
    assert hearing.status is HearingStatus.listed
    response = client.submit(
        f"/hearings/{hearing.id}/vacate", {"reason": "Defendant pleaded guilty"}
    )
    assert response.status_code == 302
    db.expire_all()
    assert hearing.status is HearingStatus.vacated
    page = text_of(client.get(f"/hearings/{hearing.id}"))
    assert "Vacated" in page and "Defendant pleaded guilty" in page
    assert "Move hearing" not in page  # nothing left to change
    again = client.submit(f"/hearings/{hearing.id}/held", {})
    assert again.status_code == 400
    assert "already vacated" in text_of(again)
    db.expire_all()
    assert hearing.status is HearingStatus.vacated


def test_mark_held(login, world, db, hearing):
    client = login(world.officer)
    response = client.submit(f"/hearings/{hearing.id}/held", {}, follow_redirects=True)
    assert "Hearing marked as held." in text_of(response)
    db.expire_all()
    assert hearing.status is HearingStatus.held
    assert count(db, HearingChange, HearingChange.to_status == HearingStatus.held) == 1


def test_open_move_and_vacate_addresses_lead_back_to_the_hearing(login, world, hearing):
    client = login(world.officer)
    for action in ("move", "vacate"):
        response = client.get(f"/hearings/{hearing.id}/{action}")
        assert response.status_code == 302
        assert response.headers["Location"].endswith(f"/hearings/{hearing.id}")


def test_appointments_of_the_hearing_are_listed_for_those_who_may_see_them(
    login, world, db, hearing, rooms
):
    book_appointment(
        db,
        world.officer,
        world.assigned,
        booking(
            [world.officer],
            start=at(12, 9),
            kind=AppointmentKind.accompaniment,
            hearing_id=hearing.id,
            resource_id=rooms.waiting.id,
        ),
    )
    assert count(db, Appointment) == 1
    officer_page = text_of(login(world.officer).get(f"/hearings/{hearing.id}"))
    assert "Accompaniment to a hearing" in officer_page
    # The second officer sees the case (their office's) but not the witness or appointment.
    other_page = text_of(login(world.officer2).get(f"/hearings/{hearing.id}"))
    assert "Accompaniment to a hearing" not in other_page
    assert world.assigned.reference not in other_page
