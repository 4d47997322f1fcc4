"""Every kind of .ics Witness makes, read back by ical.js — the parser Thunderbird uses — and
compared with what the database holds: the same instant for every event, in summer and in
winter, north and south of the equator, in zones with and without daylight saving."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar, Event, Timezone

from witness.calendar.ics import Identity, Organizer, Person, render_appointment, render_feed
from witness.calendar.vtimezone import onsets, vtimezone
from witness.scheduling.models import AppointmentKind
from witness.scheduling.services import Booking, book_appointment, cancel_appointment

from .conftest import AFTER_DST, BEFORE_DST

IDENTITY = Identity(
    prodid="-//Appointments//Calendar 1.0//EN",
    staff=Organizer("no-reply@office.example"),
    witness=Organizer("no-reply@neutral.example"),
)
ZONES = [
    "Europe/London",
    "Australia/Sydney",  # southern hemisphere: summer time from October to April
    "Asia/Bangkok",  # no daylight saving
    "America/New_York",
    "Australia/Lord_Howe",  # a half-hour change
    "America/Sao_Paulo",  # daylight saving abolished in 2019
]


def iso(instant: datetime) -> str:
    return instant.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


@pytest.mark.slow
@pytest.mark.parametrize("zone", ZONES)
def test_our_vtimezone_reads_the_same_in_icaljs_as_in_zoneinfo(zone, icaljs):
    """7,000 instants over five years per zone; icalendar's own VTIMEZONE packed several
    dates into one RDATE line, which ical.js reads as its first date only (2,103 of 7,074
    instants an hour out across these zones)."""
    calendar = Calendar()
    calendar.add("prodid", "-//test//EN")
    calendar.add("version", "2.0")
    calendar.add_component(Timezone.from_ical(vtimezone(zone, 2024, 2028)))
    instants = []
    instant = datetime(2024, 1, 1, tzinfo=UTC)
    while instant < datetime(2029, 1, 1, tzinfo=UTC):
        event = Event()
        event.add("uid", str(len(instants)))
        event.add("dtstamp", instant)
        event.add("dtstart", instant.astimezone(ZoneInfo(zone)))
        calendar.add_component(event)
        instants.append(instant)
        instant += timedelta(hours=37, minutes=13)
    (read,) = icaljs(calendar.to_ical())
    wrong = [
        (event["start_local"], event["start"], iso(want))
        for event, want in zip(read["events"], instants, strict=True)
        if event["start"] != iso(want)
    ]
    assert wrong == []


def test_onsets_name_every_change_with_its_wall_clock_start():
    london = onsets("Europe/London", date(2026, 1, 1), date(2027, 1, 1))
    assert [(o.local_start, o.name, o.is_dst) for o in london] == [
        (datetime(2026, 1, 1), "GMT", False),
        (datetime(2026, 3, 29, 1, 0), "BST", True),  # 01:00 GMT: the clocks go forward
        (datetime(2026, 10, 25, 2, 0), "GMT", False),  # 02:00 BST: they go back
    ]
    assert len(onsets("Asia/Bangkok", date(2026, 1, 1), date(2030, 1, 1))) == 1


def _book(cal, start, **kw):
    return cal.book(start, **kw)


def test_every_single_invite_reads_the_same_in_icaljs(cal, db, icaljs):
    """Staff copy, discreet and full witness copies, an update, a removal and a cancellation,
    either side of London's change to summer time."""
    before = cal.book(BEFORE_DST, hearing_id=cal.hearing.id)
    after = cal.book(AFTER_DST, kind=AppointmentKind.counselling, address="Flat 2, 14 Elm St")
    files, expected = [], []
    for appointment in (before, after):
        for audience in ("staff", "witness"):
            files.append(render_appointment(appointment, audience=audience, identity=IDENTITY))
            expected.append((appointment, appointment.ical_sequence, "REQUEST", audience))
    files.append(
        render_appointment(
            after,
            audience="staff",
            identity=IDENTITY,
            notice="removal",
            removed=Person(cal.officer2.name, cal.officer2.email),
        )
    )
    expected.append((after, after.ical_sequence, "CANCEL", "removal"))
    cancel_appointment(db, cal.supervisor, before, "Witness unwell")
    for audience in ("staff", "witness"):
        files.append(render_appointment(before, audience=audience, identity=IDENTITY))
        expected.append((before, before.ical_sequence, "CANCEL", audience))

    for read, (appointment, sequence, method, audience) in zip(
        icaljs(*files), expected, strict=True
    ):
        assert read["method"] == method
        assert read["prodid"] == IDENTITY.prodid
        assert read["timezones"] == ["Europe/London"]
        (event,) = read["events"]
        assert event["uid"] == appointment.ical_uid
        assert event["sequence"] == sequence
        assert event["tzid"] == "Europe/London"
        assert event["start"] == iso(appointment.start_dt)
        assert event["end"] == iso(appointment.end_dt)
        if audience == "witness":
            assert event["organizer"]["cn"] == "Appointments"
            assert "Elm" not in (event["location"] or "")
    assert icaljs(files[0])[0]["events"][0]["start_local"] == "2026-03-27T10:00:00"
    assert icaljs(files[2])[0]["events"][0]["start_local"] == "2026-03-30T10:00:00"


def test_feeds_in_many_zones_read_the_same_in_icaljs(
    cal, db, login, app, icaljs, make_case, make_court, make_witness, frozen_clock
):
    """A staff feed and a witness feed with appointments at courts in six zones, in summer
    and winter of both hemispheres, over a year: every instant as the database holds it,
    and the feed asks to be fetched again every hour."""
    frozen_clock(datetime(2026, 1, 5, 9, 0, tzinfo=UTC))
    booked = []
    witness = None
    for n, zone in enumerate(ZONES):
        court = make_court(zone)
        case = make_case(court=court)
        witness = make_witness(case=case, officer=cal.officer)
        for month in (1, 4, 7, 10):
            # 10:00 on the court's wall clock, on a weekday of that month
            local = datetime(2026, month, 12 + n, 10, 0, tzinfo=ZoneInfo(zone))
            booking = Booking(
                kind=AppointmentKind.pre_trial_meeting,
                start=local,
                end=local + timedelta(hours=1),
                staff_ids=[cal.officer.id],
                address="Office",
                case_id=case.id,
            )
            booked.append(book_appointment(db, cal.supervisor, witness, booking))
    db.flush()
    staff_feed = render_feed(booked, audience="staff", identity=IDENTITY, name="Mine")
    witness_feed = render_feed(
        [a for a in booked if a.witness_id == witness.id],
        audience="witness",
        identity=IDENTITY,
        name="Appointments",
    )

    staff_read, witness_read = icaljs(staff_feed, witness_feed)

    assert staff_read["method"] == "PUBLISH"
    assert staff_read["refresh_interval"] == staff_read["published_ttl"] == "PT1H"
    assert sorted(staff_read["timezones"]) == sorted(ZONES)
    by_uid = {a.ical_uid: a for a in booked}
    assert len(staff_read["events"]) == len(booked)
    for event in staff_read["events"]:
        appointment = by_uid[event["uid"]]
        assert event["start"] == iso(appointment.start_dt), event["start_local"]
        assert event["start_local"].endswith("T10:00:00")
    assert [e["start"] for e in witness_read["events"]] == [
        iso(a.start_dt) for a in booked if a.witness_id == witness.id
    ]


def test_the_feed_url_serves_what_icaljs_reads(cal, db, login, app, icaljs):
    before, after = cal.book(BEFORE_DST), cal.book(AFTER_DST)
    client = login(cal.officer)
    page = client.submit("/account/feeds").get_data(as_text=True)
    token = page.split("/feeds/")[1].split(".ics")[0]
    (read,) = icaljs(app.test_client().get(f"/feeds/{token}.ics").data)
    assert read["refresh_interval"] == read["published_ttl"] == "PT1H"
    assert [e["start"] for e in read["events"]] == [iso(before.start_dt), iso(after.start_dt)]
