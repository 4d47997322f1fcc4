"""Invite downloads and calendar feeds, through the web."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from sqlalchemy import event, select

from witness.audit.models import AuditEvent
from witness.calendar.feeds import feed_cache
from witness.calendar.models import CalendarFeed
from witness.scheduling.models import AppointmentKind
from witness.scheduling.services import Booking, cancel_appointment, reschedule_appointment

from .conftest import AFTER_DST, BEFORE_DST, parse, unfolded

FEED_URL = re.compile(r"http://localhost/feeds/([A-Za-z0-9_-]{43})\.ics")


def audit(db, action: str) -> list[AuditEvent]:
    return db.scalars(
        select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)
    ).all()


# --- downloads ---------------------------------------------------------------------------------


def test_staff_copy_downloads_as_a_calendar_file_and_is_audited(cal, db, login):
    appointment = cal.book(hearing_id=cal.hearing.id)
    response = login(cal.officer).get(f"/appointments/{appointment.id}/invite.ics")

    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8; method=REQUEST"
    assert response.headers["Content-Disposition"] == (
        'attachment; filename="appointment-2026-03-27.ics"'
    )
    event = parse(response.data).walk("VEVENT")[0]
    assert str(event["UID"]) == appointment.ical_uid
    assert "T20267788" in str(event["DESCRIPTION"])
    (row,) = audit(db, "appointment.invite_download")
    assert (row.actor_id, row.object_id, row.witness_id) == (
        cal.officer.id,
        appointment.id,
        cal.assigned.id,
    )
    assert row.detail["copy"] == "staff"


def test_witness_copy_download_is_discreet(cal, db, login):
    appointment = cal.book(hearing_id=cal.hearing.id, notes="Meet at the side door")
    response = login(cal.supervisor).get(f"/appointments/{appointment.id}/invite-witness.ics")

    assert response.status_code == 200
    text = unfolded(response.data)
    assert "court" not in text.lower()
    assert "T20267788" not in text
    assert "side door" not in text
    assert "court" not in response.headers["Content-Disposition"].lower()
    assert audit(db, "appointment.invite_download")[0].detail["copy"] == "witness"


def test_cancelled_appointment_downloads_as_a_cancel(cal, db, login):
    appointment = cal.book()
    cancel_appointment(db, cal.supervisor, appointment, "Not needed")
    response = login(cal.officer).get(f"/appointments/{appointment.id}/invite.ics")
    assert response.headers["Content-Type"].endswith("method=CANCEL")
    assert parse(response.data)["METHOD"] == "CANCEL"


def test_someone_who_may_not_see_the_witness_gets_404_and_the_refusal_is_audited(cal, db, login):
    appointment = cal.book()
    client = login(cal.ngo_worker)  # the NGO the witness has not shared their file with
    for url in (
        f"/appointments/{appointment.id}/invite.ics",
        f"/appointments/{appointment.id}/invite-witness.ics",
    ):
        response = client.get(url)
        assert response.status_code == 404
        assert b"BEGIN:VCALENDAR" not in response.data
    refusals = audit(db, "appointment.refused")
    assert [(r.actor_id, r.object_id) for r in refusals] == [
        (cal.ngo_worker.id, appointment.id)
    ] * 2
    assert audit(db, "appointment.invite_download") == []


def test_remote_site_address_is_left_out_for_someone_not_involved(cal, db, login):
    appointment = cal.book(kind=AppointmentKind.video_link, resource_id=cal.remote.id)
    assert "Elm Street" in unfolded(
        login(cal.officer).get(f"/appointments/{appointment.id}/invite.ics").data
    )
    # The case's prosecutor sees the witness through the case, but neither books nor attends.
    response = login(cal.prosecutor).get(f"/appointments/{appointment.id}/invite.ics")
    assert response.status_code == 200
    assert "Elm Street" not in unfolded(response.data)


def test_a_typed_address_is_shown_only_to_the_office_and_the_staff_attending(cal, db, login):
    """The API already hid it; the page and both files now follow the same rule."""
    appointment = cal.book(kind=AppointmentKind.counselling, address="Flat 2, 14 Elm Street")
    for user in (cal.officer, cal.supervisor):  # attending; the managing office
        page = login(user).get(f"/appointments/{appointment.id}").get_data(as_text=True)
        assert "Flat 2, 14 Elm Street" in page
    # the case's prosecutor sees the witness through the case, but neither books nor attends
    client = login(cal.prosecutor)
    page = client.get(f"/appointments/{appointment.id}").get_data(as_text=True)
    assert "Elm Street" not in page
    assert "Shown only to the office and the staff attending." in page
    staff_copy = client.get(f"/appointments/{appointment.id}/invite.ics")
    assert staff_copy.status_code == 200 and "Elm Street" not in unfolded(staff_copy.data)


def test_only_the_witness_office_hands_over_the_witness_copy(cal, db, login):
    appointment = cal.book(kind=AppointmentKind.counselling, address="Flat 2, 14 Elm Street")
    response = login(cal.prosecutor).get(f"/appointments/{appointment.id}/invite-witness.ics")
    assert response.status_code == 404
    assert b"BEGIN:VCALENDAR" not in response.data
    (refusal,) = audit(db, "appointment.invite_refused")
    assert (refusal.actor_id, refusal.object_id, refusal.detail["copy"]) == (
        cal.prosecutor.id,
        appointment.id,
        "witness",
    )
    assert audit(db, "appointment.invite_download") == []


def test_downloads_need_sign_in(cal, client):
    appointment = cal.book()
    response = client.get(f"/appointments/{appointment.id}/invite.ics")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


# --- staff feeds -------------------------------------------------------------------------------


def create_feed(client, url: str = "/account/feeds") -> str:
    page = client.submit(url)
    assert page.status_code == 200
    (token,) = set(FEED_URL.findall(page.get_data(as_text=True)))
    return token


def test_staff_feed_shows_its_url_once_and_serves_my_appointments_only(cal, db, login, app):
    mine = cal.book(BEFORE_DST)
    later = cal.book(AFTER_DST, hearing_id=cal.hearing.id)
    cancelled = cal.book(AFTER_DST + timedelta(days=1))
    cancel_appointment(db, cal.supervisor, cancelled, "No longer needed")
    others = cal.book(BEFORE_DST, witness=cal.shared, staff=[cal.officer2], address="Shelter")
    officer = login(cal.officer)

    token = create_feed(officer)
    page = officer.get("/account/feeds").get_data(as_text=True)
    assert token not in page  # shown once only
    assert "Active" in page
    feed = db.scalar(select(CalendarFeed).where(CalendarFeed.user_id == cal.officer.id))
    assert token not in feed.token_hash and len(feed.token_hash) == 64

    response = app.test_client().get(f"/feeds/{token}.ics")  # no sign-in
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert response.headers["Cache-Control"] == "no-store"
    calendar = parse(response.data)
    assert calendar["METHOD"] == "PUBLISH"
    uids = [str(e["UID"]) for e in calendar.walk("VEVENT")]
    assert uids == [mine.ical_uid, later.ical_uid]
    assert cancelled.ical_uid not in uids and others.ical_uid not in uids
    assert "T20267788" in unfolded(response.data)  # staff copies
    (fetch,) = audit(db, "calendar_feed.fetch")
    assert (fetch.actor_id, fetch.object_type, fetch.object_id) == (
        cal.officer.id,
        "calendar_feed",
        feed.id,
    )
    db.refresh(feed)
    assert feed.last_used_dt == datetime(2026, 3, 10, 9, 0, tzinfo=UTC)


def test_feed_window_is_thirty_days_back_to_a_year_ahead(cal, db, login, app, frozen_clock):
    cal.book(BEFORE_DST)
    token = create_feed(login(cal.officer))
    client = app.test_client()
    frozen_clock(datetime(2026, 4, 20, 9, 0, tzinfo=UTC))  # 24 days after the appointment
    assert len(parse(client.get(f"/feeds/{token}.ics").data).walk("VEVENT")) == 1
    frozen_clock(datetime(2026, 4, 30, 9, 0, tzinfo=UTC))  # 34 days after
    assert parse(client.get(f"/feeds/{token}.ics").data).walk("VEVENT") == []


def test_revoked_or_unknown_feed_answers_a_bare_404(cal, db, login, app):
    cal.book()
    officer = login(cal.officer)
    token = create_feed(officer)
    feed = db.scalar(select(CalendarFeed).where(CalendarFeed.user_id == cal.officer.id))
    response = officer.submit(f"/account/feeds/{feed.id}/revoke", follow_redirects=True)
    assert "Feed revoked" in response.get_data(as_text=True)
    db.refresh(feed)
    assert feed.revoked_dt is not None
    assert audit(db, "calendar_feed.revoke")[0].object_id == feed.id

    anonymous = app.test_client()
    for url in (f"/feeds/{token}.ics", f"/feeds/{'x' * 43}.ics", "/feeds/.ics.ics"):
        response = anonymous.get(url)
        assert response.status_code == 404
        assert response.mimetype == "text/plain"
        assert response.data == b"Not found\n"
    assert audit(db, "calendar_feed.fetch") == []


def test_i_cannot_revoke_someone_elses_feed(cal, db, login):
    token = create_feed(login(cal.officer))
    assert token
    feed = db.scalar(select(CalendarFeed).where(CalendarFeed.user_id == cal.officer.id))
    response = login(cal.officer2).submit(f"/account/feeds/{feed.id}/revoke")
    assert response.status_code == 404
    db.refresh(feed)
    assert feed.revoked_dt is None


def test_a_disabled_users_feed_stops(cal, db, login, app):
    token = create_feed(login(cal.officer))
    cal.officer.is_enabled = False
    db.flush()
    assert app.test_client().get(f"/feeds/{token}.ics").status_code == 404


def test_last_used_is_written_at_most_once_an_hour(cal, db, login, app, frozen_clock):
    token = create_feed(login(cal.officer))
    client = app.test_client()
    feed = db.scalar(select(CalendarFeed).where(CalendarFeed.user_id == cal.officer.id))
    start = frozen_clock.now()
    client.get(f"/feeds/{token}.ics")
    frozen_clock(start + timedelta(minutes=40))
    client.get(f"/feeds/{token}.ics")
    db.refresh(feed)
    assert feed.last_used_dt == start
    frozen_clock(start + timedelta(minutes=61))
    client.get(f"/feeds/{token}.ics")
    db.refresh(feed)
    assert feed.last_used_dt == start + timedelta(minutes=61)
    assert len(audit(db, "calendar_feed.fetch")) == 3


def test_feed_queries_do_not_grow_with_the_number_of_events(cal, db, login, app):
    """Rendering loads everything an event names up front: 2 or 12 events, the same
    statements (the rendered-feed cache is emptied so each fetch renders)."""
    token = create_feed(login(cal.officer))
    client = app.test_client()
    engine = app.extensions["witness.db"].engine
    statements: list[str] = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    def fetch() -> int:
        feed_cache.clear()
        statements.clear()
        event.listen(engine, "before_cursor_execute", count)
        try:
            assert client.get(f"/feeds/{token}.ics").status_code == 200
        finally:
            event.remove(engine, "before_cursor_execute", count)
        return len(statements)

    day = BEFORE_DST
    for n in range(2):
        cal.book(day + timedelta(days=7 * n), hearing_id=cal.hearing.id if n == 0 else None)
    fetch()  # the first fetch also notes when the feed was last used
    few = fetch()
    for n in range(2, 12):
        cal.book(day + timedelta(days=7 * n), travel_minutes=15)
    many = fetch()
    assert len(parse(client.get(f"/feeds/{token}.ics").data).walk("VEVENT")) == 12
    assert many == few


def test_a_change_shows_at_the_next_fetch(cal, db, login, app, frozen_clock):
    """Feeds are cached between fetches, never past a change to what they show."""
    moved = cal.book(BEFORE_DST)
    dropped = cal.book(AFTER_DST)
    token = create_feed(login(cal.officer))
    client = app.test_client()

    def events():
        calendar = parse(client.get(f"/feeds/{token}.ics").data)
        return {str(e["UID"]): e for e in calendar.walk("VEVENT")}

    assert set(events()) == {moved.ical_uid, dropped.ical_uid}
    assert set(events()) == {moved.ical_uid, dropped.ical_uid}  # served again, unchanged
    frozen_clock(frozen_clock.now() + timedelta(seconds=1))
    booking = Booking(
        kind=AppointmentKind.accompaniment,
        start=BEFORE_DST + timedelta(hours=3),
        end=BEFORE_DST + timedelta(hours=4),
        staff_ids=[cal.officer.id],
        resource_id=cal.courtroom.id,
    )
    reschedule_appointment(db, cal.supervisor, moved, booking, "Afternoon instead")
    cancel_appointment(db, cal.supervisor, dropped, "Not needed")
    db.flush()
    now = events()
    assert set(now) == {moved.ical_uid}
    assert now[moved.ical_uid]["DTSTART"].dt.astimezone(UTC) == datetime(
        2026, 3, 27, 13, 0, tzinfo=UTC
    )
    assert now[moved.ical_uid]["SEQUENCE"] == 1


def test_a_witness_going_back_to_discreet_invites_is_discreet_at_the_next_fetch(
    cal, db, login, app, frozen_clock
):
    cal.assigned.invites_full_detail = True
    cal.book(hearing_id=cal.hearing.id)
    token = create_feed(login(cal.supervisor), f"/witnesses/{cal.assigned.id}/feeds")
    client = app.test_client()
    assert "T20267788" in unfolded(client.get(f"/feeds/{token}.ics").data)
    frozen_clock(frozen_clock.now() + timedelta(seconds=1))
    cal.assigned.invites_full_detail = False
    db.flush()
    text = unfolded(client.get(f"/feeds/{token}.ics").data)
    assert "T20267788" not in text
    assert "court" not in text.lower()


# --- witness feeds -----------------------------------------------------------------------------


def test_office_sets_up_a_discreet_feed_for_the_witness(cal, db, login, app):
    mine = cal.book(hearing_id=cal.hearing.id, notes="Side door")
    other_witness = cal.book(AFTER_DST, witness=cal.unassigned, staff=[cal.officer])
    supervisor = login(cal.supervisor)
    url = f"/witnesses/{cal.assigned.id}/feeds"
    assert "discreet" in supervisor.get(url).get_data(as_text=True)

    token = create_feed(supervisor, url)
    feed = db.scalar(select(CalendarFeed).where(CalendarFeed.witness_id == cal.assigned.id))
    assert (feed.user_id, feed.created_by_id) == (None, cal.supervisor.id)
    response = app.test_client().get(f"/feeds/{token}.ics")
    assert response.status_code == 200
    text = unfolded(response.data)
    assert "court" not in text.lower()
    assert "T20267788" not in text and "Side door" not in text
    calendar = parse(response.data)
    assert str(calendar["X-WR-CALNAME"]) == "Appointments"
    assert [str(e["UID"]) for e in calendar.walk("VEVENT")] == [mine.ical_uid]
    assert other_witness.ical_uid not in text
    (fetch,) = audit(db, "calendar_feed.fetch")
    assert (fetch.actor_id, fetch.witness_id, fetch.object_id) == (None, cal.assigned.id, feed.id)

    supervisor.submit(f"{url}/{feed.id}/revoke")
    assert app.test_client().get(f"/feeds/{token}.ics").status_code == 404


def test_witness_feed_in_full_detail_when_the_witness_chose_it(cal, db, login, app):
    cal.assigned.invites_full_detail = True
    cal.book(hearing_id=cal.hearing.id, notes="Side door")
    token = create_feed(login(cal.supervisor), f"/witnesses/{cal.assigned.id}/feeds")
    text = unfolded(app.test_client().get(f"/feeds/{token}.ics").data)
    assert "T20267788" in text
    assert "Side door" not in text


def test_only_the_witness_office_manages_their_feeds(cal, db, login):
    url = f"/witnesses/{cal.assigned.id}/feeds"
    # An NGO worker who may not see the witness, and one who sees them but is not their office.
    assert login(cal.ngo_worker).get(url).status_code == 404
    assert login(cal.ngo_worker).submit(url).status_code == 404
    shared_url = f"/witnesses/{cal.shared.id}/feeds"
    assert login(cal.ngo_worker).get(shared_url).status_code == 404
    assert login(cal.foreign_admin).submit(url).status_code == 404
    assert db.scalars(select(CalendarFeed)).all() == []
    refused = {(e.actor_id, e.witness_id) for e in audit(db, "witness.refused")}
    assert refused == {
        (cal.ngo_worker.id, cal.assigned.id),
        (cal.foreign_admin.id, cal.assigned.id),
    }
    (change,) = audit(db, "witness.change_refused")
    assert (change.actor_id, change.witness_id) == (cal.ngo_worker.id, cal.shared.id)
