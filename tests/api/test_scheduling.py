"""Scheduling through the API as an integration would: rooms of a court, hearings and their
moves (a court system's included), booking appointments without double booking, special
measures. Every refusal is a problem, changes nothing, and a record the caller may not see is a
404 that is audited, exactly as on the pages."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from witness.cases.models import Hearing, HearingChange, HearingStatus, HearingType
from witness.hearings.models import MeasureKind, MeasureStatus, SpecialMeasure
from witness.notify.models import News, NewsKind
from witness.rooms.models import Resource, ResourceKind, ResourceWithdrawal
from witness.scheduling.models import Appointment, AppointmentKind, AppointmentStatus
from witness.scheduling.services import Booking, book_appointment

from .conftest import PROBLEM, assert_problem, audit_count, nothing_changes

pytestmark = pytest.mark.usefixtures("frozen_clock")  # Tuesday 10 March 2026, 09:00 UTC

API = "/api/v1"
# London is on GMT until Sunday 29 March 2026, then on BST (+01:00).
THU_10 = "2026-03-12T10:00:00+00:00"
THU_11 = "2026-03-12T11:00:00+00:00"


@pytest.fixture
def rooms(db, service):
    """Rooms of the court of ``service.case`` (Europe/London), open 08:00-18:00 on weekdays."""

    class Rooms:
        pass

    r = Rooms()
    for attr, kind, name in [
        ("courtroom", ResourceKind.courtroom, "Courtroom 1"),
        ("suite", ResourceKind.video_link_suite, "Video suite A"),
        ("remote", ResourceKind.remote_site, "Remote site North"),
        ("waiting", ResourceKind.waiting_room, "Witness waiting room"),
    ]:
        resource = Resource(
            court=service.case.court, kind=kind, name=name, location=f"{name}, 1 Quiet Lane"
        )
        db.add(resource)
        setattr(r, attr, resource)
    db.flush()
    return r


@pytest.fixture
def hearing(db, service, rooms):
    """A trial day of ``service.case`` on Monday 30 March, listed by the court as L/2026/001."""
    hearing = Hearing(
        case_id=service.case.id,
        court_id=service.case.court_id,
        type=HearingType.trial_day,
        courtroom_id=rooms.courtroom.id,
        start_dt=datetime(2026, 3, 30, 9, 0, tzinfo=UTC),
        end_dt=datetime(2026, 3, 30, 15, 0, tzinfo=UTC),
        external_ref="L/2026/001",
    )
    db.add(hearing)
    db.flush()
    return hearing


def book(db, actor, witness, start: datetime, minutes: int = 60, **kw) -> Appointment:
    """An appointment booked through the service, as the pages would."""
    kw.setdefault("kind", AppointmentKind.pre_trial_meeting)
    if "resource_id" not in kw:
        kw.setdefault("address", "Safe house office")
    kw.setdefault("staff_ids", [actor.id])
    appointment = book_appointment(
        db, actor, witness, Booking(start=start, end=start + timedelta(minutes=minutes), **kw)
    )
    db.flush()
    return appointment


def booking(staff, start: str = THU_10, end: str = THU_11, **kw) -> dict:
    body = {
        "kind": "pre_trial_meeting",
        "start": start,
        "end": end,
        "staff_ids": [u.id for u in staff],
        "address": "Safe house office",
    }
    return body | kw


def count(db, model, *where) -> int:
    return db.scalar(select(func.count()).select_from(model).where(*where))


# --- sign-in and need to know ------------------------------------------------------------------


@pytest.mark.parametrize(
    "method, path",
    [
        ("GET", "/courts/1/resources"),
        ("GET", "/hearings/1"),
        ("POST", "/courts/1/listings/L-1/moves"),
        ("GET", "/me/appointments"),
        ("POST", "/witnesses/1/appointments"),
        ("GET", "/witnesses/1/measures"),
    ],
)
def test_every_operation_needs_a_token(client, method, path):
    response = client.open(f"{API}{path}", method=method, json={})
    body = assert_problem(response, 401)
    assert "token" in body["detail"]
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize("who", ["ngo_worker", "foreign_admin"])
def test_what_the_caller_may_not_see_is_404_and_audited(api, db, service, hearing, who):
    """The NGO sees only `shared` (in `other_case`); the other office sees none of this."""
    appointment = book(db, service.officer, service.assigned, datetime(2026, 3, 12, 10, tzinfo=UTC))
    measure = SpecialMeasure(
        witness_id=service.assigned.id, hearing_id=hearing.id, kind=MeasureKind.screens
    )
    db.add(measure)
    db.flush()
    user = getattr(service, who)
    client = api(user)
    witness_id = service.assigned.id
    with nothing_changes(db):
        for path, action, object_id in [
            (f"/witnesses/{witness_id}/appointments", "witness.refused", witness_id),
            (f"/witnesses/{witness_id}/measures", "witness.refused", witness_id),
            (f"/appointments/{appointment.id}", "appointment.refused", appointment.id),
            (f"/cases/{service.case.id}/hearings", "case.refused", service.case.id),
            (f"/hearings/{hearing.id}", "hearing.refused", hearing.id),
        ]:
            before = audit_count(db, action, user, object_id=object_id)
            body = assert_problem(client.get(f"{API}{path}"), 404)
            assert "No such" in body["detail"]
            assert audit_count(db, action, user, object_id=object_id) == before + 1, path
        posts = [
            (f"/witnesses/{witness_id}/appointments", booking([user])),
            (f"/appointments/{appointment.id}/cancel", {"reason": "Not needed"}),
            (f"/appointments/{appointment.id}/confirm", None),
            (f"/hearings/{hearing.id}/moves", {"start": THU_10, "end": THU_11, "reason": "X"}),
            (f"/measures/{measure.id}/apply", None),
            (f"/witnesses/{witness_id}/measures", {"hearing_id": hearing.id, "kind": "screens"}),
        ]
        for path, body in posts:
            assert_problem(client.post(f"{API}{path}", json=body), 404)
        court = service.case.court_id
        moved = {"start": THU_10, "end": THU_11, "reason": "Court list changed"}
        response = client.post(f"{API}/courts/{court}/listings/L%2F2026%2F001/moves", json=moved)
        assert "No such listing" in assert_problem(response, 404)["detail"]
    db.expire_all()
    assert appointment.status is AppointmentStatus.scheduled
    assert measure.status is MeasureStatus.proposed


def test_an_ngo_worker_the_witness_shares_with_sees_but_may_not_book(api, db, service):
    client = api(service.ngo_worker)
    witness = service.shared
    assert client.get(f"{API}/witnesses/{witness.id}/appointments").status_code == 200
    with nothing_changes(db):
        response = client.post(
            f"{API}/witnesses/{witness.id}/appointments", json=booking([service.ngo_worker])
        )
    assert_problem(response, 403)
    assert audit_count(db, "appointment.change_refused", service.ngo_worker) == 1


# --- resources ---------------------------------------------------------------------------------


def test_rooms_of_a_court_hide_where_a_remote_site_is(api, service, rooms):
    court = service.case.court_id
    listed = api(service.officer).get(f"{API}/courts/{court}/resources").get_json()
    remote = next(r for r in listed if r["kind"] == "remote_site")
    assert remote["name"] == "Remote site North"
    assert remote["location_visible"] is False
    assert "location" not in remote
    assert remote["opens_at"] == "08:00" and remote["open_weekdays"] == "12345"

    shown = api(service.supervisor).get(f"{API}/resources/{rooms.remote.id}").get_json()
    assert shown["location"] == "Remote site North, 1 Quiet Lane"
    assert shown["withdrawals"] == []
    assert_problem(api(service.officer).get(f"{API}/courts/999999/resources"), 404)
    assert_problem(api(service.officer).get(f"{API}/resources/999999"), 404)


def test_a_supervisor_adds_a_room_and_withdraws_it(api, db, service):
    client = api(service.supervisor)
    court = service.case.court_id
    response = client.post(
        f"{API}/courts/{court}/resources",
        json={
            "kind": "video_link_suite",
            "name": " Suite C ",
            "opens_at": "09:30",
            "closes_at": "17:00",
            "open_weekdays": "135",
        },
    )
    assert response.status_code == 201, response.get_json()
    created = response.get_json()
    resource = db.get(Resource, created["id"])
    assert response.headers["Location"].endswith(f"/api/v1/resources/{resource.id}")
    assert (resource.name, resource.open_weekdays) == ("Suite C", "135")
    assert created["opens_at"] == "09:30"

    response = client.post(
        f"{API}/resources/{resource.id}/withdrawals",
        json={
            "start": "2026-04-01T08:00:00+01:00",
            "end": "2026-04-03T18:00:00+01:00",
            "reason": "New screens fitted",
        },
    )
    assert response.status_code == 201, response.get_json()
    withdrawal = response.get_json()
    assert withdrawal["start"] == "2026-04-01T08:00:00+01:00"  # the court's clock, BST
    row = db.get(ResourceWithdrawal, withdrawal["id"])
    assert row.start_dt == datetime(2026, 4, 1, 7, 0, tzinfo=UTC)
    shown = client.get(f"{API}/resources/{resource.id}").get_json()
    assert [w["reason"] for w in shown["withdrawals"]] == ["New screens fitted"]


def test_a_room_name_is_unique_at_its_court_and_officers_may_not_add_rooms(api, db, service, rooms):
    court = service.case.court_id
    with nothing_changes(db):
        response = api(service.supervisor).post(
            f"{API}/courts/{court}/resources", json={"kind": "courtroom", "name": "Courtroom 1"}
        )
        assert "already has a room" in assert_problem(response, 409)["detail"]
        response = api(service.officer).post(
            f"{API}/courts/{court}/resources", json={"kind": "courtroom", "name": "Courtroom 9"}
        )
        assert_problem(response, 403)
    assert audit_count(db, "resource.change_refused", service.officer) == 1


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"start": "2026-04-01T08:00:00"}, "start"),  # no offset
        ({"end": "2026-03-31T08:00:00+01:00"}, "end"),  # before the start
        ({"reason": "Broken\x07"}, "reason"),
        ({"reason": "  "}, "reason"),
    ],
)
def test_a_bad_withdrawal_changes_nothing(api, db, service, rooms, changes, field):
    body = {
        "start": "2026-04-01T08:00:00+01:00",
        "end": "2026-04-02T08:00:00+01:00",
        "reason": "Repairs",
    } | changes
    with nothing_changes(db):
        response = api(service.supervisor).post(
            f"{API}/resources/{rooms.suite.id}/withdrawals", json=body
        )
    assert field in assert_problem(response, 422)["errors"]


# --- hearings ----------------------------------------------------------------------------------


def test_listing_a_trial_day_proposes_the_standard_measures(api, db, service, rooms):
    client = api(service.officer)
    response = client.post(
        f"{API}/cases/{service.case.id}/hearings",
        json={
            "type": "trial_day",
            "start": "2026-03-30T10:00:00+01:00",
            "end": "2026-03-30T16:00:00+01:00",
            "courtroom_id": rooms.courtroom.id,
            "external_ref": "L-77",
        },
    )
    assert response.status_code == 201, response.get_json()
    created = response.get_json()
    assert created["start"] == "2026-03-30T10:00:00+01:00"
    assert created["timezone"] == "Europe/London"
    assert created["courtroom_name"] == "Courtroom 1"
    assert created["status"] == "listed" and created["changes"] == []
    # `assigned` and `unassigned` are trafficking complainants: four measures each.
    assert created["measures_proposed"] == 8
    assert count(db, SpecialMeasure, SpecialMeasure.hearing_id == created["id"]) == 8
    hearing = db.get(Hearing, created["id"])
    assert hearing.start_dt == datetime(2026, 3, 30, 9, 0, tzinfo=UTC)

    listed = client.get(f"{API}/cases/{service.case.id}/hearings").get_json()
    assert [h["id"] for h in listed] == [hearing.id]

    with nothing_changes(db):  # the court's listing number is taken now
        again = client.post(
            f"{API}/cases/{service.case.id}/hearings",
            json={"type": "sentencing", "start": THU_10, "end": THU_11, "external_ref": "L-77"},
        )
    assert assert_problem(again, 409)["errors"] == {
        "external_ref": ["The court already lists a hearing as 'L-77'."]
    }


def test_moving_a_hearing_keeps_its_history_and_flags_its_appointments(api, db, service, hearing):
    appointment = book(
        db,
        service.officer,
        service.assigned,
        datetime(2026, 3, 30, 8, 0, tzinfo=UTC),
        hearing_id=hearing.id,
        kind=AppointmentKind.accompaniment,
    )
    db.flush()
    client = api(service.officer)
    response = client.post(
        f"{API}/hearings/{hearing.id}/moves",
        json={
            "start": "2026-04-02T10:00:00+01:00",
            "end": "2026-04-02T16:00:00+01:00",
            "reason": "Judge unavailable",
        },
    )
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["flagged_appointment_ids"] == [appointment.id] and body["flagged"] == 1
    moved = body["hearing"]
    assert moved["status"] == "moved"
    assert moved["start"] == "2026-04-02T10:00:00+01:00"
    [change] = moved["changes"]
    assert change["from_start"] == "2026-03-30T10:00:00+01:00"
    assert change["to_start"] == "2026-04-02T10:00:00+01:00"
    assert change["actor_name"] == service.officer.name
    assert change["reason"] == "Judge unavailable"
    db.expire_all()
    assert appointment.needs_reschedule is True
    assert count(db, News, News.kind == NewsKind.hearing_moved) == 2  # both witnesses of the case

    shown = client.get(f"{API}/hearings/{hearing.id}").get_json()
    assert [c["to_status"] for c in shown["changes"]] == ["moved"]
    assert client.get(f"{API}/appointments/{appointment.id}").get_json()["needs_reschedule"]


def test_vacating_a_hearing(api, db, service, hearing):
    client = api(service.officer)
    response = client.post(f"{API}/hearings/{hearing.id}/vacate", json={"reason": "Plea"})
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["hearing"]["status"] == "vacated"
    with nothing_changes(db):
        again = client.post(f"{API}/hearings/{hearing.id}/vacate", json={"reason": "Plea"})
        assert "already vacated" in assert_problem(again, 409)["detail"]
        moved = client.post(
            f"{API}/hearings/{hearing.id}/moves",
            json={"start": THU_10, "end": THU_11, "reason": "x"},
        )
        assert_problem(moved, 409)


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"start": "2026-04-02T10:00:00"}, "start"),  # no offset
        ({"end": "2026-04-02T09:00:00+01:00"}, "end"),  # before the start
        ({"reason": "Judge\x00ill"}, "reason"),
        ({"courtroom_id": 2**31 - 1}, "courtroom_id"),  # no such courtroom
        ({"start": "0001-01-01T00:00:00+01:00"}, "start"),
    ],
)
def test_a_bad_move_changes_nothing(api, db, service, hearing, changes, field):
    body = {
        "start": "2026-04-02T10:00:00+01:00",
        "end": "2026-04-02T16:00:00+01:00",
        "reason": "Judge unavailable",
    } | changes
    with nothing_changes(db):
        response = api(service.officer).post(f"{API}/hearings/{hearing.id}/moves", json=body)
    problem = assert_problem(response, 422)
    assert field in problem["errors"]
    if field == "start" and "0001" not in body["start"]:
        assert "offset" in problem["errors"]["start"][0]


def test_a_court_system_posts_a_moved_hearing_by_its_listing_number(api, db, service, hearing):
    """The court's listing system acts through a token of an account of the office."""
    appointment = book(
        db,
        service.officer,
        service.assigned,
        datetime(2026, 3, 30, 8, 0, tzinfo=UTC),
        hearing_id=hearing.id,
        kind=AppointmentKind.accompaniment,
    )
    court_system = api(service.supervisor)
    url = f"{API}/courts/{service.case.court_id}/listings/L%2F2026%2F001/moves"
    moved = {
        "start": "2026-04-08T10:00:00+01:00",
        "end": "2026-04-08T13:00:00+01:00",
        "reason": "Relisted by the court",
    }
    response = court_system.post(url, json=moved)
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["flagged_appointment_ids"] == [appointment.id]
    assert body["hearing"]["start"] == "2026-04-08T10:00:00+01:00"
    db.expire_all()
    assert appointment.needs_reschedule is True
    assert hearing.status is HearingStatus.moved
    assert hearing.start_dt == datetime(2026, 4, 8, 9, 0, tzinfo=UTC)
    assert audit_count(db, "hearing.move", service.supervisor, object_id=hearing.id) == 1

    # A retry after a lost answer moves nothing again.
    with nothing_changes(db):
        retry = court_system.post(url, json=moved)
    assert retry.status_code == 200
    assert count(db, HearingChange, HearingChange.hearing_id == hearing.id) == 1

    # An NGO worker sees `other_case` through the witnesses it shares, and moves nothing.
    db.add(
        Hearing(
            case_id=service.other_case.id,
            court_id=service.other_case.court_id,
            type=HearingType.sentencing,
            start_dt=datetime(2026, 4, 1, 9, tzinfo=UTC),
            end_dt=datetime(2026, 4, 1, 12, tzinfo=UTC),
            external_ref="L-2026-002",
        )
    )
    db.flush()
    ngo_system = api(service.ngo_worker)
    with nothing_changes(db):
        unknown = court_system.post(url.replace("L%2F2026%2F001", "L-404"), json=moved)
        assert "No such listing" in assert_problem(unknown, 404)["detail"]
        odd = court_system.post(url.replace("L%2F2026%2F001", "L%07x"), json=moved)
        assert_problem(odd, 404)
        other_court = service.other_case.court_id
        refused = ngo_system.post(
            f"{API}/courts/{other_court}/listings/L-2026-002/moves", json=moved
        )
        assert_problem(refused, 403)
    assert audit_count(db, "hearing.change_refused", service.ngo_worker) == 1


# --- appointments ------------------------------------------------------------------------------


def test_booking_an_appointment(api, db, service, rooms, hearing):
    client = api(service.officer)
    response = client.post(
        f"{API}/witnesses/{service.assigned.id}/appointments",
        json={
            "kind": "video_link",
            "start": "2026-03-30T10:00:00+01:00",
            "end": "2026-03-30T12:00:00+01:00",
            "staff_ids": [service.officer.id],
            "resource_id": rooms.suite.id,
            "travel_minutes": 30,
            "hearing_id": hearing.id,
            "notes": "Bring the tablet.\nAsk for the usher.",
        },
    )
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    appointment = db.get(Appointment, body["id"])
    assert response.headers["Location"].endswith(f"/api/v1/appointments/{appointment.id}")
    assert appointment.start_dt == datetime(2026, 3, 30, 9, 0, tzinfo=UTC)
    assert appointment.case_id == service.case.id  # from the hearing
    assert body["start"] == "2026-03-30T10:00:00+01:00"
    assert body["end"] == "2026-03-30T12:00:00+01:00"
    assert body["timezone"] == "Europe/London"
    assert body["status"] == "scheduled" and body["needs_reschedule"] is False
    assert body["ical_uid"] == appointment.ical_uid and body["ical_sequence"] == 0
    assert body["staff"] == [
        {
            "id": service.officer.id,
            "name": service.officer.name,
            "organisation_id": service.office.id,
        }
    ]
    assert (body["resource_id"], body["resource_name"]) == (rooms.suite.id, "Video suite A")
    assert body["location_visible"] is True
    assert body["resource_location"] == "Video suite A, 1 Quiet Lane"
    assert body["witness_reference"] == service.assigned.reference
    assert body["notes"] == "Bring the tablet.\nAsk for the usher."
    assert audit_count(db, "appointment.book", service.officer, object_id=appointment.id) == 1


def test_a_double_booking_says_who_clashes_and_when_is_free(api, db, service):
    """`officer` attends a meeting of `assigned`; `officer2` then books `shared` with
    `officer` at the same time. `officer2` may not see the other appointment: its id is
    left out."""
    taken = book(db, service.officer, service.assigned, datetime(2026, 3, 12, 10, tzinfo=UTC))
    body = booking(
        [service.officer, service.officer2],
        start="2026-03-12T10:30:00+00:00",
        end="2026-03-12T11:30:00+00:00",
    )
    with nothing_changes(db):
        response = api(service.officer2).post(
            f"{API}/witnesses/{service.shared.id}/appointments", json=body
        )
    assert response.status_code == 409
    assert response.mimetype == PROBLEM
    problem = response.get_json()
    assert problem["status"] == 409
    assert f"{service.officer.name} is already booked" in problem["detail"]
    assert problem["clashes"] == [
        {
            "who": service.officer.name,
            "start": "2026-03-12T10:00:00+00:00",
            "end": "2026-03-12T11:00:00+00:00",
        }
    ]
    assert problem["suggestions"][0] == "2026-03-12T11:00:00+00:00"
    assert len(problem["suggestions"]) == 3

    # The office's officer who booked it sees which appointment it is.
    mine = booking([service.officer], start="2026-03-12T10:30:00+00:00")
    mine["end"] = "2026-03-12T11:30:00+00:00"
    response = api(service.officer).post(
        f"{API}/witnesses/{service.assigned.id}/appointments", json=mine
    )
    clashes = response.get_json()["clashes"]
    assert {c["who"] for c in clashes} == {
        service.officer.name,
        f"Witness {service.assigned.reference}",
    }
    assert {c["appointment_id"] for c in clashes} == {taken.id}


@pytest.mark.parametrize(
    "changes, field, message",
    [
        ({"start": "2026-03-12T10:00:00"}, "start", "offset"),
        ({"end": "2026-03-12T09:00:00+00:00"}, "end", "after the start"),
        (
            {"start": "2026-03-09T10:00:00+00:00", "end": "2026-03-09T11:00:00+00:00"},
            "start",
            "in the past",
        ),
        ({"address": "Flat 2\r\nBEGIN:VEVENT"}, "address", "one line"),
        ({"notes": "Bell\x07"}, "notes", "control characters"),
        ({"resource_id": 2**31 - 1, "address": None}, "resource_id", "resource that exists"),
        ({"staff_ids": []}, "staff_ids", "one to 20"),
        ({"kind": "party"}, "kind", ""),
        ({"travel_minutes": 241}, "travel_minutes", ""),
    ],
)
def test_a_bad_booking_is_refused_and_changes_nothing(api, db, service, changes, field, message):
    body = booking([service.officer]) | changes
    with nothing_changes(db):
        response = api(service.officer).post(
            f"{API}/witnesses/{service.assigned.id}/appointments", json=body
        )
    problem = assert_problem(response, 422)
    assert message in " ".join(problem["errors"][field])


def test_staff_the_witness_does_not_share_with_may_not_attend(api, db, service):
    body = booking([service.officer, service.ngo_worker])
    with nothing_changes(db):
        response = api(service.officer).post(
            f"{API}/witnesses/{service.assigned.id}/appointments", json=body
        )
    assert "has not consented" in assert_problem(response, 422)["errors"]["staff_ids"][0]


def test_a_withdrawn_room_cannot_be_booked(api, db, service, rooms):
    db.add(
        ResourceWithdrawal(
            resource_id=rooms.suite.id,
            start_dt=datetime(2026, 3, 12, 0, tzinfo=UTC),
            end_dt=datetime(2026, 3, 13, 0, tzinfo=UTC),
            reason="Repairs",
            recorded_by_id=service.supervisor.id,
        )
    )
    db.flush()
    body = booking([service.officer], kind="video_link", resource_id=rooms.suite.id)
    with nothing_changes(db):
        response = api(service.officer).post(
            f"{API}/witnesses/{service.assigned.id}/appointments", json=body
        )
    assert "withdrawn" in assert_problem(response, 422)["errors"]["resource_id"][0]


def test_lists_of_a_witness_and_of_my_own(api, db, service):
    first = book(db, service.officer, service.assigned, datetime(2026, 3, 12, 10, tzinfo=UTC))
    second = book(db, service.officer, service.assigned, datetime(2026, 3, 13, 10, tzinfo=UTC))
    later = book(db, service.officer, service.assigned, datetime(2026, 3, 25, 10, tzinfo=UTC))
    client = api(service.officer)
    url = f"{API}/witnesses/{service.assigned.id}/appointments"

    page = client.get(url, query_string={"per_page": 2}).get_json()
    assert [a["id"] for a in page["items"]] == [first.id, second.id]
    assert (page["total"], page["pages"]) == (3, 2)
    window = {"from": "2026-03-13T00:00:00+00:00", "to": "2026-03-20T00:00:00+00:00"}
    assert [a["id"] for a in client.get(url, query_string=window).get_json()["items"]] == [
        second.id
    ]
    # An offset's '+' that was not percent-encoded arrives as a space; it is understood.
    raw = client.get(f"{url}?from=2026-03-13T00:00:00+00:00&status=scheduled").get_json()
    assert [a["id"] for a in raw["items"]] == [second.id, later.id]
    refused = client.get(url, query_string={"from": "2026-03-13T00:00:00"})
    assert "offset" in assert_problem(refused, 422)["errors"]["from"][0]
    assert "status" in assert_problem(client.get(url, query_string={"status": "x"}), 422)["errors"]

    mine = client.get(f"{API}/me/appointments").get_json()  # the coming week
    assert [a["id"] for a in mine] == [first.id, second.id]
    assert api(service.officer2).get(f"{API}/me/appointments").get_json() == []
    too_long = client.get(
        f"{API}/me/appointments",
        query_string={"from": "2026-03-10T00:00:00Z", "to": "2026-12-31T00:00:00Z"},
    )
    assert "at most 92 days" in assert_problem(too_long, 422)["detail"]


def test_where_it_takes_place_is_shown_only_to_those_who_need_it(api, db, service):
    appointment = book(db, service.officer, service.assigned, datetime(2026, 3, 12, 10, tzinfo=UTC))
    shown = api(service.officer).get(f"{API}/appointments/{appointment.id}").get_json()
    assert shown["address"] == "Safe house office" and shown["location_visible"] is True
    # The prosecutor leads the case and sees the appointment, not the safe house.
    seen = api(service.prosecutor).get(f"{API}/appointments/{appointment.id}").get_json()
    assert seen["location_visible"] is False
    assert "address" not in seen and "resource_location" not in seen
    assert "witness_meeting_point" not in seen


def test_a_booking_names_the_meeting_point_for_the_witness_copy(api, db, service):
    body = {
        "kind": "pre_trial_meeting",
        "start": "2026-03-12T10:00:00+00:00",
        "end": "2026-03-12T11:00:00+00:00",
        "staff_ids": [service.officer.id],
        "address": "Flat 2, 14 Elm Street",
        "witness_meeting_point": "The café by the station",
    }
    response = api(service.officer).post(
        f"{API}/witnesses/{service.assigned.id}/appointments", json=body
    )
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["witness_meeting_point"] == "The café by the station"
    appointment = db.get(Appointment, response.get_json()["id"])
    assert appointment.witness_meeting_point == "The café by the station"


def test_reschedule_confirm_complete_and_cancel(api, db, service, frozen_clock):
    appointment = book(db, service.officer, service.assigned, datetime(2026, 3, 12, 10, tzinfo=UTC))
    client = api(service.officer)
    url = f"{API}/appointments/{appointment.id}"

    response = client.post(
        f"{url}/reschedule",
        json=booking(
            [service.officer, service.officer2],
            start="2026-03-12T14:00:00+00:00",
            end="2026-03-12T15:00:00+00:00",
            reason="The witness works mornings",
        ),
    )
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["start"] == "2026-03-12T14:00:00+00:00"
    assert body["ical_sequence"] == 1
    assert [s["id"] for s in body["staff"]] == sorted([service.officer.id, service.officer2.id])
    assert body["status_reason"] == "The witness works mornings"

    assert client.post(f"{url}/confirm").get_json()["status"] == "confirmed"
    with nothing_changes(db):
        early = client.post(f"{url}/complete", json={"note": "Went well"})
    assert "not started" in assert_problem(early, 409)["detail"]

    frozen_clock(datetime(2026, 3, 12, 16, tzinfo=UTC))
    done = client.post(f"{url}/complete", json={"note": "Went well"})
    assert done.status_code == 200, done.get_json()
    assert done.get_json()["status"] == "completed"
    with nothing_changes(db):
        late = client.post(f"{url}/cancel", json={"reason": "Too late"})
    assert "already completed" in assert_problem(late, 409)["detail"]

    other = book(db, service.officer, service.assigned, datetime(2026, 3, 20, 10, tzinfo=UTC))
    with nothing_changes(db):
        blank = client.post(f"{API}/appointments/{other.id}/cancel", json={"reason": " "})
    assert "reason" in assert_problem(blank, 422)["errors"]
    response = client.post(f"{API}/appointments/{other.id}/cancel", json={"reason": "Ill"})
    assert response.get_json()["status"] == "cancelled"
    assert response.get_json()["status_reason"] == "Ill"
    assert response.get_json()["ical_sequence"] == 1  # the cancellation is an update


def test_staff_attending_may_confirm_but_not_cancel(api, db, service):
    appointment = book(
        db,
        service.officer2,
        service.shared,
        datetime(2026, 3, 12, 10, tzinfo=UTC),
        staff_ids=[service.officer2.id, service.ngo_worker.id],
    )
    client = api(service.ngo_worker)
    assert client.post(f"{API}/appointments/{appointment.id}/confirm").status_code == 200
    with nothing_changes(db):
        response = client.post(
            f"{API}/appointments/{appointment.id}/cancel", json={"reason": "Busy"}
        )
    assert_problem(response, 403)
    assert audit_count(db, "appointment.change_refused", service.ngo_worker) == 1
    mine = client.get(f"{API}/me/appointments").get_json()
    assert [a["id"] for a in mine] == [appointment.id]


# --- special measures --------------------------------------------------------------------------


def test_a_measure_from_proposal_to_the_courts_decision(api, db, service, hearing):
    client = api(service.officer)
    url = f"{API}/witnesses/{service.assigned.id}/measures"
    response = client.post(url, json={"hearing_id": hearing.id, "kind": "video_link"})
    assert response.status_code == 201, response.get_json()
    measure = response.get_json()
    assert (measure["kind"], measure["status"], measure["is_standard"]) == (
        "video_link",
        "proposed",
        False,
    )
    assert measure["hearing_start"] == "2026-03-30T10:00:00+01:00"
    with nothing_changes(db):
        twice = client.post(url, json={"hearing_id": hearing.id, "kind": "video_link"})
        assert "already proposed" in assert_problem(twice, 409)["detail"]
        early = client.post(
            f"{API}/measures/{measure['id']}/decision", json={"granted": True, "note": ""}
        )
        assert_problem(early, 409)
        not_a_flag = client.post(f"{API}/measures/{measure['id']}/decision", json={"granted": 1})
        assert "granted" in assert_problem(not_a_flag, 422)["errors"]

    applied = client.post(f"{API}/measures/{measure['id']}/apply").get_json()
    assert applied["status"] == "applied" and applied["applied_dt"]
    decided = client.post(
        f"{API}/measures/{measure['id']}/decision", json={"granted": True, "note": "By consent"}
    ).get_json()
    assert decided["status"] == "granted" and decided["decision_note"] == "By consent"
    assert decided["video_link_to_book"] is True  # granted, and no session booked yet
    assert (
        count(
            db,
            News,
            News.witness_id == service.assigned.id,
            News.kind == NewsKind.special_measure_decision,
        )
        == 1
    )
    assert [m["id"] for m in client.get(url).get_json()] == [measure["id"]]


def test_withdrawing_a_measure_needs_a_note(api, db, service, hearing):
    measure = SpecialMeasure(
        witness_id=service.assigned.id, hearing_id=hearing.id, kind=MeasureKind.screens
    )
    db.add(measure)
    db.flush()
    client = api(service.officer)
    with nothing_changes(db):
        assert_problem(client.post(f"{API}/measures/{measure.id}/withdraw", json={}), 422)
    response = client.post(
        f"{API}/measures/{measure.id}/withdraw", json={"note": "The witness declined screens"}
    )
    assert response.get_json()["status"] == "withdrawn"


def test_a_measure_for_a_hearing_of_another_case_is_refused(api, db, service, make_case):
    other = Hearing(
        case_id=service.other_case.id,
        court_id=service.other_case.court_id,
        type=HearingType.trial_day,
        start_dt=datetime(2026, 4, 1, 9, tzinfo=UTC),
        end_dt=datetime(2026, 4, 1, 12, tzinfo=UTC),
    )
    db.add(other)
    db.flush()
    with nothing_changes(db):
        response = api(service.officer).post(
            f"{API}/witnesses/{service.assigned.id}/measures",
            json={"hearing_id": other.id, "kind": "screens"},
        )
    assert "hearing_id" in assert_problem(response, 422)["errors"]


# --- the document ------------------------------------------------------------------------------


def test_the_openapi_document_lists_the_scheduling_operations(client):
    spec = client.get(f"{API}/openapi.json").get_json()
    found = {
        (method.upper(), path.removeprefix(API))
        for path, item in spec["paths"].items()
        for method in item
        if method in {"get", "post"}
    }
    assert {
        ("GET", "/courts/{court_id}/resources"),
        ("POST", "/courts/{court_id}/resources"),
        ("GET", "/resources/{resource_id}"),
        ("POST", "/resources/{resource_id}/withdrawals"),
        ("GET", "/cases/{case_id}/hearings"),
        ("POST", "/cases/{case_id}/hearings"),
        ("GET", "/hearings/{hearing_id}"),
        ("POST", "/hearings/{hearing_id}/moves"),
        ("POST", "/hearings/{hearing_id}/vacate"),
        ("POST", "/courts/{court_id}/listings/{external_ref}/moves"),
        ("GET", "/witnesses/{witness_id}/appointments"),
        ("POST", "/witnesses/{witness_id}/appointments"),
        ("GET", "/me/appointments"),
        ("GET", "/appointments/{appointment_id}"),
        ("POST", "/appointments/{appointment_id}/reschedule"),
        ("POST", "/appointments/{appointment_id}/cancel"),
        ("POST", "/appointments/{appointment_id}/confirm"),
        ("POST", "/appointments/{appointment_id}/complete"),
        ("GET", "/witnesses/{witness_id}/measures"),
        ("POST", "/witnesses/{witness_id}/measures"),
        ("POST", "/measures/{measure_id}/apply"),
        ("POST", "/measures/{measure_id}/decision"),
        ("POST", "/measures/{measure_id}/withdraw"),
    } <= found
    schemas = spec["components"]["schemas"]
    assert schemas["Appointment"]["properties"]["status"]["enum"] == [
        "scheduled",
        "confirmed",
        "cancelled",
        "completed",
    ]
    assert "video_link" in schemas["MeasureInput"]["properties"]["kind"]["enum"]
    assert schemas["BookingInput"]["properties"]["start"]["format"] == "date-time"
    assert schemas["BookingInput"]["additionalProperties"] is False
    problem = schemas["Problem"]["properties"]
    assert problem["clashes"]["items"] == {"$ref": "#/components/schemas/Clash"}
    court_system = spec["paths"][f"{API}/courts/{{court_id}}/listings/{{external_ref}}/moves"]
    assert "court system" in court_system["post"]["summary"]
    assert "listing number" in court_system["post"]["description"]


def test_each_hearing_is_read_by_its_own_id(api, db, service, hearing, rooms):
    """With two hearings in sight, asking for the second gives the second (found by mutation
    testing: a loader that lost its id condition still passed, one hearing being all there was)."""
    later = Hearing(
        case_id=service.case.id,
        court_id=service.case.court_id,
        type=HearingType.sentencing,
        courtroom_id=rooms.courtroom.id,
        start_dt=datetime(2026, 4, 20, 9, 0, tzinfo=UTC),
        end_dt=datetime(2026, 4, 20, 12, 0, tzinfo=UTC),
        external_ref="L/2026/002",
    )
    db.add(later)
    db.flush()
    client = api(service.officer)
    for shown in (hearing, later):
        body = client.get(f"/api/v1/hearings/{shown.id}").get_json()
        assert (body["id"], body["external_ref"]) == (shown.id, shown.external_ref)
