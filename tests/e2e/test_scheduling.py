"""Scheduling in the browser: a trial day for a child witness proposes the standard measures,
the officer books the video-link session, sees the clash when double-booking, downloads the
invite and opens it as a calendar program would."""

from __future__ import annotations

import itertools
import re
from datetime import date, timedelta
from zoneinfo import ZoneInfo

import icalendar
from playwright.sync_api import Page, expect
from sqlalchemy import func, select

from witness.auth.models import User
from witness.cases.models import CaseStatus, OffenceCategory
from witness.cases.services import create_case
from witness.people.models import ParticipationRole, Witness
from witness.people.services import add_participation, create_witness
from witness.rooms.models import Resource, ResourceKind
from witness.scheduling.models import Appointment

_n = itertools.count(1)


def _next_weekday(days_ahead: int) -> date:
    day = date.today() + timedelta(days=days_ahead)
    while day.isoweekday() > 5:
        day += timedelta(days=1)
    return day


def _seed_case(live_server, seed):
    """A trafficking case with a child and an adult complainant, and a video-link suite."""
    n = next(_n)
    with live_server.session() as db:
        officer = db.get(User, seed.officer.id)
        case = create_case(
            db,
            officer,
            court_id=seed.court_id,
            reference=f"SCHED{n:04d}",
            title=f"R v Scheduled {n}",
            offences=[OffenceCategory.child_trafficking],
            status=CaseStatus.trial,
        )
        witnesses = []
        for kind, born in (("CHILD", date(2012, 4, 1)), ("ADULT", date(1991, 6, 1))):
            witness = create_witness(
                db,
                officer,
                reference=f"VW-{kind}-{n:03d}",
                legal_name=f"{kind.title()} Legal Name {n}",
                date_of_birth=born,
                languages=["English"],
            )
            add_participation(
                db, officer, witness, case.id, ParticipationRole.victim_witness, "Identified"
            )
            witnesses.append(witness.reference)
        db.add(
            Resource(
                court_id=seed.court_id,
                kind=ResourceKind.video_link_suite,
                name=f"Video suite {n}",
            )
        )
        db.commit()
        return case.id, case.reference, witnesses, f"Video suite {n}"


def test_officer_books_video_link_testimony_for_a_child_and_gets_the_invite(
    tab: Page, live_server, seed, sign_in, tmp_path
):
    case_id, case_reference, (child, adult), suite = _seed_case(live_server, seed)
    trial = _next_weekday(21)
    sign_in(seed.officer)

    # A trial day is listed: the standard measures are proposed for both complainants.
    tab.goto(f"/cases/{case_id}")
    tab.get_by_role("link", name="List a hearing").click()
    tab.get_by_label("Type").select_option(label="Trial day")
    tab.get_by_label("Date").fill(trial.isoformat())
    tab.get_by_label("Starts at").fill("10:00")
    tab.get_by_label("Ends at").fill("16:00")
    tab.get_by_role("button", name="List hearing").click()
    expect(tab.get_by_role("status")).to_contain_text("proposed for 2 witnesses")
    # each witness's measures and actions in a disclosure of their own: open the child's
    child_section = tab.locator("details.witness-measures").filter(has_text=child)
    child_section.locator("> summary").click()
    expect(child_section.get_by_role("row", name=re.compile("Video or live link"))).to_contain_text(
        "Proposed"
    )
    expect(child_section.get_by_role("row", name=re.compile("Intermediary"))).to_be_visible()
    hearing_url = tab.url

    # Book the video-link session from the hearing: the form is filled in from it.
    child_section.get_by_role("link", name="Book video-link session").click()
    expect(tab.get_by_label("Appointment")).to_have_value("video_link")
    expect(tab.get_by_label("Date")).to_have_value(trial.isoformat())
    tab.get_by_label("Room or site").select_option(label=f"{suite} — Video-link suite")
    tab.get_by_role("button", name="Book", exact=True).click()
    expect(tab.get_by_role("status")).to_contain_text(
        f"Video-link testimony session booked for {child}"
    )

    # The staff invite downloads and reads back as a calendar program would.
    with tab.expect_download() as download_info:
        tab.get_by_role("link", name=re.compile("Staff invite")).click()
    path = tmp_path / "invite.ics"
    download_info.value.save_as(path)
    calendar = icalendar.Calendar.from_ical(path.read_bytes())
    assert calendar["METHOD"] == "REQUEST"
    (event,) = calendar.walk("VEVENT")
    start = event.decoded("DTSTART")
    assert start.tzinfo is not None
    assert start.astimezone(ZoneInfo("Europe/London")).date() == trial
    assert event["DTSTART"].params["TZID"] == "Europe/London"
    assert calendar.walk("VTIMEZONE"), "the invite carries its timezone"

    # The witness's own copy is discreet: no court, no case.
    with tab.expect_download() as download_info:
        tab.get_by_role("link", name=re.compile("Witness's invite")).click()
    witness_copy = tab_download_text(download_info.value, tmp_path / "witness.ics")
    assert case_reference not in witness_copy
    assert "court" not in witness_copy.lower()

    # The same officer, the same time, for the other witness: the clash is named, with
    # free times offered instead, and nothing is booked.
    tab.goto(hearing_url)
    adult_section = tab.locator("details.witness-measures").filter(has_text=adult)
    adult_section.locator("> summary").click()
    adult_section.get_by_role("link", name="Book accompaniment").click()
    tab.get_by_label("Address (when no room is booked)").fill("Witness service entrance")
    tab.get_by_role("button", name="Book", exact=True).click()
    clashes = tab.get_by_role("alert").filter(has_text="already taken")
    expect(clashes).to_contain_text(f"{seed.officer.name} is already booked")
    expect(tab.locator(".suggestions").get_by_role("button").first).to_be_visible()
    with live_server.session() as db:
        booked = db.scalar(
            select(func.count(Appointment.id))
            .join(Witness, Witness.id == Appointment.witness_id)
            .where(Witness.reference.in_([child, adult]))
        )
    assert booked == 1


def tab_download_text(download, path) -> str:
    download.save_as(path)
    return path.read_text(encoding="utf-8")
