"""Several witnesses at one hearing, in the browser: the officer books two witnesses of a case
to the trial day in one booking, with one interpreter, and each witness's appointment page
shows the booking."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, time, timedelta

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from witness.auth.models import User
from witness.cases.models import CaseStatus, HearingType, OffenceCategory
from witness.cases.services import create_case
from witness.hearings.services import create_hearing
from witness.people.models import ParticipationRole
from witness.people.services import add_participation, create_witness
from witness.scheduling.models import Appointment, Interpreter

pytestmark = pytest.mark.browser

_n = itertools.count(1)


def _trial_day() -> date:
    # browser tests share one database and one officer: a day no other test books them on
    day = date.today() + timedelta(days=40)
    while day.isoweekday() > 5:
        day += timedelta(days=1)
    return day


def _seed(live_server, seed):
    """A case at trial with two Thai-speaking complainants the officer opened, a Thai
    interpreter, and a trial day 10:00-16:00 (UTC, within court hours in London all year)."""
    n = next(_n)
    with live_server.session() as db:
        officer = db.get(User, seed.officer.id)
        case = create_case(
            db,
            officer,
            court_id=seed.court_id,
            reference=f"GROUP{n:04d}",
            title=f"R v Together {n}",
            offences=[OffenceCategory.trafficking_forced_labour],
            status=CaseStatus.trial,
        )
        references = []
        for who in ("A", "B"):
            witness = create_witness(
                db,
                officer,
                reference=f"VW-GRP{n:03d}-{who}",
                legal_name=f"Group Witness {who} {n}",
                date_of_birth=date(1990, 1, 1),
                languages=["Thai"],
                needs_interpreter=True,
            )
            add_participation(
                db, officer, witness, case.id, ParticipationRole.victim_witness, "Identified"
            )
            references.append((witness.id, witness.reference))
        db.add(
            Interpreter(
                organisation_id=officer.organisation_id,
                name=f"Interpreter Group {n}",
                languages=["Thai"],
            )
        )
        day = _trial_day()
        hearing = create_hearing(
            db,
            officer,
            case,
            type=HearingType.trial_day,
            start=datetime.combine(day, time(10), UTC),
            end=datetime.combine(day, time(16), UTC),
        )
        db.commit()
        return hearing.id, references


def test_officer_books_two_witnesses_in_one_booking(tab: Page, live_server, seed, sign_in):
    hearing_id, ((first_id, first), (second_id, second)) = _seed(live_server, seed)
    sign_in(seed.officer)

    # The booking form, as the hearing's "Book accompaniment" opens it for the first witness:
    # the interpreter is filled in, and the case's other witness can be added.
    tab.goto(f"/witnesses/{first_id}/appointments/new?hearing_id={hearing_id}&kind=accompaniment")
    expect(tab.get_by_label("Appointment")).to_have_value("accompaniment")
    tab.get_by_label("Address (when no room is booked)").fill("Witness service entrance")
    tab.get_by_role("checkbox", name=second).check()
    tab.get_by_role("button", name="Book", exact=True).click()

    # Both are booked together, and the officer and interpreter did not clash with themselves.
    expect(tab.get_by_role("status")).to_contain_text(
        f"Accompaniment to a hearing booked for {first}, {second}"
    )
    together = tab.locator("#booking-witnesses")
    expect(together).to_contain_text(first)
    together.get_by_role("link", name=second).click()
    expect(tab.get_by_role("heading", level=1)).to_contain_text(second)
    expect(tab.locator("#booking-witnesses")).to_contain_text(first)

    with live_server.session() as db:
        rows = db.execute(
            select(Appointment.witness_id, Appointment.group_id, Appointment.interpreter_id).where(
                Appointment.hearing_id == hearing_id
            )
        ).all()
    assert sorted(r.witness_id for r in rows) == sorted([first_id, second_id])
    assert len({r.group_id for r in rows}) == 1
    assert all(r.interpreter_id is not None for r in rows)
