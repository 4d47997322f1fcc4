"""A due reassessment booked as a risk review meeting: from the risk page through the ordinary
booking form (its clash check and suggestions), with the witness's officer and an interpreter
of their language, a witness's copy that never says "risk", and completing the meeting opening
the reassessment with the last answers."""

from __future__ import annotations

import html
from datetime import date

import pytest
from sqlalchemy import func, select

from witness.calendar.ics import view_of
from witness.calendar.invites import subject_for, witness_body
from witness.risk import services as s
from witness.risk.models import AssessmentStatus, RiskAssessment, RiskReview
from witness.scheduling.models import Appointment, AppointmentKind, AppointmentStatus, Interpreter
from witness.scheduling.services import book_appointment

from ..factories import at, booking
from ..sql_plan import sqlite_plan
from .conftest import answers_with

#: the witness's review falls due by this day (critical: 7 days after Tue 10 March 2026)
DUE = date(2026, 3, 17)


def text_of(response) -> str:
    return html.unescape(response.get_data(as_text=True))


@pytest.fixture
def meet(db, risk):
    """``risk.witness`` needs a Tigrinya interpreter, was assessed critical today (its next
    review due by 17 March) with a note; the office has a Tigrinya and an Arabic interpreter."""
    w = risk
    w.witness.languages = ["Tigrinya", "English"]
    w.witness.needs_interpreter = True
    draft = s.start_assessment(db, w.officer, w.witness, "v1")
    w.first = s.complete_assessment(
        db,
        w.officer,
        draft,
        answers=answers_with(
            {"threats", "accused_at_large"}, notes={"threats": "Messages on social media"}
        ),
        own_view="I do not go out alone",
        confirmed=True,
    )
    w.review = db.scalar(
        select(RiskReview).where(
            RiskReview.witness_id == w.witness.id, RiskReview.done_dt.is_(None)
        )
    )
    w.tigrinya = Interpreter(organisation_id=w.office.id, name="Selam T.", languages=["Tigrinya"])
    w.arabic = Interpreter(organisation_id=w.office.id, name="Omar A.", languages=["Arabic"])
    db.add_all([w.tigrinya, w.arabic])
    db.flush()
    return w


def meeting_form(w, **overrides) -> dict:
    """What the pre-filled form posts: Tue 17 March 2026, 10:00-11:00 London."""
    data = {
        "kind": "risk_review",
        "risk_review_id": str(w.review.id),
        "hearing_id": "",
        "date": DUE.isoformat(),
        "start": "10:00",
        "end": "11:00",
        "travel_minutes": "0",
        "staff_ids": [str(w.officer.id)],
        "resource_id": "",
        "address": "Safe house office",
        "interpreter_id": str(w.tigrinya.id),
        "language": "Tigrinya",
        "witness_meeting_point": "",
        "notes": "Review after the threats",
    }
    return data | overrides


def meetings(db) -> list[Appointment]:
    return list(
        db.scalars(select(Appointment).where(Appointment.kind == AppointmentKind.risk_review))
    )


def book_meeting(db, w, start=None) -> Appointment:
    from witness.risk.meetings import book_review_meeting

    request = booking(
        [w.officer],
        start=start or at(17, 10),
        kind=AppointmentKind.risk_review,
        interpreter_id=w.tigrinya.id,
        risk_review_id=w.review.id,
    )
    appointment = book_review_meeting(db, w.officer, w.witness, request)
    db.flush()
    return appointment


def test_the_risk_page_books_a_meeting_prefilled_with_officer_interpreter_and_due_day(
    login, db, meet, frozen_clock
):
    client = login(meet.officer)
    page = text_of(client.get(f"/risk/witnesses/{meet.witness.id}"))
    link = (
        f"/witnesses/{meet.witness.id}/appointments/new?kind=risk_review&review_id={meet.review.id}"
    )
    assert "Book a risk review meeting" in page and link in page

    form = text_of(client.get(link))
    assert f'name="risk_review_id" type="hidden" value="{meet.review.id}"' in form
    assert '<option selected value="risk_review">' in form
    assert f'<option selected value="{meet.officer.id}">' in form
    assert f'<option selected value="{meet.tigrinya.id}">' in form
    assert 'value="2026-03-17"' in form and 'value="10:00"' in form
    assert "Risk review meeting for the review due by 17 Mar 2026" in form

    response = client.submit(link, meeting_form(meet))
    assert response.status_code == 302
    (appointment,) = meetings(db)
    assert appointment.risk_review_id == meet.review.id
    assert appointment.interpreter_id == meet.tigrinya.id
    assert appointment.language == "Tigrinya"
    assert [u.id for u in appointment.staff] == [meet.officer.id]

    page = text_of(client.get(f"/risk/witnesses/{meet.witness.id}"))
    assert "Meeting booked Tue 17 Mar 2026 10:00" in page
    assert "Book a risk review meeting" not in page
    frozen_clock(at(12, 9))  # the review is due this week (signed in again: sessions idle out)
    listed = text_of(login(meet.officer).get("/risk/?which=week"))
    assert f"/appointments/{appointment.id}" in listed


def test_an_interpreter_of_another_language_is_refused(login, db, meet):
    client = login(meet.officer)
    url = f"/witnesses/{meet.witness.id}/appointments/new"
    response = client.submit(url, meeting_form(meet, interpreter_id=str(meet.arabic.id)))
    assert response.status_code == 400
    assert "Omar A. does not interpret Tigrinya, English" in text_of(response)
    response = client.submit(url, meeting_form(meet, interpreter_id="", language=""))
    assert response.status_code == 400
    assert "needs an interpreter (Tigrinya, English): choose one." in text_of(response)
    assert meetings(db) == []


def test_the_meeting_is_held_with_the_witnesss_officer(login, db, meet):
    response = login(meet.officer).submit(
        f"/witnesses/{meet.witness.id}/appointments/new",
        meeting_form(meet, staff_ids=[str(meet.supervisor.id)]),
    )
    assert response.status_code == 400
    assert f"held with the witness's officer: add {meet.officer.name}" in text_of(response)
    assert meetings(db) == []


def test_booking_refuses_a_clash_and_offers_free_times_that_keep_the_review(login, db, meet):
    book_appointment(db, meet.officer, meet.unassigned, booking([meet.officer], start=at(17, 10)))
    db.flush()
    client = login(meet.officer)
    url = f"/witnesses/{meet.witness.id}/appointments/new"
    response = client.submit(url, meeting_form(meet))
    assert response.status_code == 409
    page = text_of(response)
    assert f"{meet.officer.name} is already booked from Tue 17 Mar 10:00 to 11:00" in page
    assert meetings(db) == []
    assert f'name="risk_review_id" value="{meet.review.id}"' in page  # carried by the buttons

    response = client.submit(url, meeting_form(meet, start="11:00", end="12:00"))
    assert response.status_code == 302
    (appointment,) = meetings(db)
    assert appointment.risk_review_id == meet.review.id


def test_no_meeting_without_an_open_review(login, db, meet):
    meet.review.done_dt = at(10, 8)
    db.flush()
    response = login(meet.officer).submit(
        f"/witnesses/{meet.witness.id}/appointments/new", meeting_form(meet)
    )
    assert response.status_code == 400
    assert "No open risk review of" in text_of(response)
    assert meetings(db) == []


@pytest.mark.parametrize("full_detail", [False, True])
def test_the_witnesss_copy_says_nothing_about_risk(login, db, meet, icaljs, full_detail):
    meet.witness.invites_full_detail = full_detail
    appointment = book_meeting(db, meet)
    response = login(meet.officer).get(f"/appointments/{appointment.id}/invite-witness.ics")
    assert response.status_code == 200
    (read,) = icaljs(response.data)
    (event,) = read["events"]
    assert event["summary"] == "Meeting with your support worker"
    words = " ".join(str(event.get(k) or "") for k in ("summary", "description", "location"))
    assert "risk" not in words.lower() and "review" not in words.lower()
    view = view_of(appointment)
    mail = subject_for(view, notice="invite") + witness_body(view, notice="invite")
    assert "risk" not in mail.lower()
    # the staff copy names it for what it is
    staff = login(meet.officer).get(f"/appointments/{appointment.id}/invite.ics")
    (staff_read,) = icaljs(staff.data)
    assert staff_read["events"][0]["summary"].startswith("Risk review meeting")


def test_completing_the_meeting_opens_the_reassessment_with_the_last_answers(
    login, db, meet, frozen_clock
):
    appointment = book_meeting(db, meet)
    frozen_clock(at(17, 11))
    client = login(meet.officer)
    page = text_of(client.get(f"/appointments/{appointment.id}"))
    assert "Start the reassessment" in page and "review due by 17 Mar 2026" in page

    response = client.submit(f"/appointments/{appointment.id}/complete", {"note": "Met"})
    assert response.status_code == 302
    draft = db.scalar(select(RiskAssessment).where(RiskAssessment.status == AssessmentStatus.draft))
    assert response.headers["Location"].endswith(f"/risk/assessments/{draft.id}")
    db.refresh(appointment)
    assert appointment.status is AppointmentStatus.completed
    assert draft.previous_id == meet.first.id
    assert draft.answers == meet.first.answers
    page = text_of(client.get(response.headers["Location"]))
    assert "Messages on social media" in page and "confirm or change each" in page

    # the button on the meeting's page opens the same draft, not a second one
    again = client.submit(f"/risk/meetings/{appointment.id}/reassess")
    assert again.headers["Location"].endswith(f"/risk/assessments/{draft.id}")
    assert db.scalar(select(func.count(RiskAssessment.id))) == 2


def test_only_the_witnesss_office_starts_a_reassessment_from_a_meeting(login, db, meet):
    appointment = book_meeting(db, meet)
    client = login(meet.prosecutor)
    page = text_of(client.get(f"/appointments/{appointment.id}"))
    assert "Start the reassessment" not in page
    assert client.submit(f"/risk/meetings/{appointment.id}/reassess").status_code == 404
    other = book_appointment(db, meet.officer, meet.witness, booking([meet.officer], at(18, 10)))
    db.flush()
    assert login(meet.officer).submit(f"/risk/meetings/{other.id}/reassess").status_code == 404
    assert db.scalar(select(func.count(RiskAssessment.id))) == 1


def test_the_api_books_a_risk_review_meeting_by_the_same_rules(db, meet, api):
    """A booking system posting a ``risk_review`` goes through the meeting's rules too: an open
    review, the witness's officer, an interpreter of their language."""
    client = api(meet.officer)
    url = f"/api/v1/witnesses/{meet.witness.id}/appointments"
    body = {
        "kind": "risk_review",
        "start": "2026-03-17T10:00:00+00:00",
        "end": "2026-03-17T11:00:00+00:00",
        "staff_ids": [meet.officer.id],
        "address": "Safe house office",
        "interpreter_id": meet.arabic.id,
        "language": "Arabic",
    }
    refused = client.post(url, json=body)
    assert refused.status_code == 422, refused.get_data(as_text=True)
    assert "does not interpret Tigrinya" in refused.get_data(as_text=True)
    assert meetings(db) == []
    booked = client.post(url, json=body | {"interpreter_id": meet.tigrinya.id, "language": None})
    assert booked.status_code == 201, booked.get_data(as_text=True)
    [meeting] = meetings(db)
    assert meeting.risk_review_id == meet.review.id


def test_the_risk_lists_find_meetings_through_the_index_among_many_other_appointments(db, meet):
    """Nearly every appointment has no risk review. After ANALYZE, SQLite counted those NULLs
    as one value and judged the index on ``risk_review_id`` useless: every risk list page
    scanned all appointments for the meetings booked (20 ms at national scale). The partial
    index holds only the meetings, and the planner uses it."""
    from witness.risk.meetings import meetings_for, meetings_query

    meeting = book_meeting(db, meet)
    table = Appointment.__table__
    row = db.execute(select(table).where(table.c.id == meeting.id)).mappings().one()
    others = [
        {**row, "id": None, "risk_review_id": None, "ical_uid": f"other-{n}@example"}
        for n in range(300)
    ]
    db.execute(table.insert(), [{k: v for k, v in o.items() if k != "id"} for o in others])
    page = [meet.review.id, *range(10**6, 10**6 + 24)]  # a page of the list: 25 reviews
    plan = sqlite_plan(db, meetings_query(page))
    assert "USING INDEX ix_appointments_risk_review_id" in plan, plan
    assert meetings_for(db, [meet.review.id]) == {meet.review.id: meeting}
