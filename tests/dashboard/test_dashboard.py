"""The dashboard of today, per role: each count is the length of the list it links to, nobody
is counted a witness they may not see, today's and the week's appointments and hearings are
there, and "My cases" pages through every case, soonest next date first."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from witness.auth.models import Role
from witness.cases.models import Hearing, HearingStatus, HearingType
from witness.dashboard import counts
from witness.dashboard.services import build_dashboard
from witness.ledger.models import LedgerFlag, SupportCategory
from witness.ledger.services import record_item
from witness.risk.models import ReviewSource, RiskReview
from witness.scheduling.services import book_appointment

from ..factories import at, booking

pytestmark = pytest.mark.usefixtures("frozen_clock")  # Tuesday 10 March 2026, 09:00 UTC

COUNT = re.compile(r'id="count-([a-z-]+)" href="([^"]+)">\s*<span class="count">(\d+)</span>')
IN_ALL = re.compile(r"(\d+) in all")


def counts_on(client) -> dict[str, tuple[str, int]]:
    """The dashboard's counts: key -> (link, number)."""
    page = client.get("/")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    return {k: (href.replace("&amp;", "&"), int(n)) for k, href, n in COUNT.findall(html)}


def listed(client, href: str) -> int:
    """How many the list at ``href`` says it holds ("N in all" under every paged list)."""
    page = client.get(href)
    assert page.status_code == 200, href
    return int(IN_ALL.search(page.get_data(as_text=True)).group(1))


def _review(db, witness, due: date) -> RiskReview:
    review = RiskReview(
        witness_id=witness.id,
        source=ReviewSource.scheduled,
        key=f"test-{witness.id}-{due}",
        due_date=due,
        reason="Scheduled by the last level",
    )
    db.add(review)
    db.flush()
    return review


def _item(db, officer, witness, case, category=SupportCategory.witness_expenses, value="25.00"):
    """An item given; a cash-like one (the default) awaits a supervisor's approval and raises
    an inducement flag."""
    return record_item(
        db,
        officer,
        witness,
        case_id=case.id,
        category=category,
        description="Given for the day at court",
        quantity="1",
        unit="day",
        value=value,
        currency="GBP",
        date_provided=date(2026, 3, 9),
        rationale="Lost a day's wages",
    )


_cash = _item


@pytest.fixture
def desk(db, world, make_case, make_user, make_witness, make_task):
    """Work waiting in the office, and the same kinds of work in another office.

    - tasks to tell: ``assigned`` one overdue and one due later; ``shared`` (officer2's) one
      overdue; another office's witness one overdue
    - reviews: ``assigned`` overdue and due this week; ``unassigned`` overdue; the other
      office's witness overdue
    - cash awaiting approval (and flagged): ``assigned``'s; the other office's witness's
    - a bus fare that counts (12.50 GBP, pre-trial): ``assigned``'s
    """
    world.foreign_case = make_case(organisation=world.other_office)
    world.foreign_officer = make_user(Role.liaison_officer, organisation=world.other_office)
    world.foreign_witness = make_witness(
        case=world.foreign_case, officer=world.foreign_officer, organisation=world.other_office
    )
    make_task(world.assigned, world.case, due_dt=at(3, 23, 59))
    make_task(world.assigned, world.case, due_dt=at(20, 23, 59))
    make_task(world.shared, world.other_case, due_dt=at(5, 23, 59))
    make_task(world.foreign_witness, world.foreign_case, due_dt=at(4, 23, 59))
    _review(db, world.assigned, date(2026, 3, 5))
    _review(db, world.assigned, date(2026, 3, 12))
    _review(db, world.unassigned, date(2026, 3, 1))
    _review(db, world.foreign_witness, date(2026, 3, 2))
    _cash(db, world.officer, world.assigned, world.case)
    _item(db, world.officer, world.assigned, world.case, SupportCategory.transport, "12.50")
    _cash(db, world.foreign_officer, world.foreign_witness, world.foreign_case)
    db.flush()
    return world


EXPECTED = {
    "officer": {"tasks-open": 2, "tasks-overdue": 1, "reviews-overdue": 1, "reviews-week": 1},
    "supervisor": {
        "approvals": 1,
        "breaches": 2,
        "office-reviews-overdue": 2,
        "tasks-open": 3,
        "tasks-overdue": 2,
        "reviews-week": 1,
    },
    "ngo_worker": {"tasks-open": 0, "tasks-overdue": 0, "reviews-overdue": 0, "reviews-week": 0},
    # the prosecutor leads the case of ``assigned`` and ``unassigned``
    "prosecutor": {"reviews-overdue": 2, "reviews-week": 1},
}


@pytest.mark.parametrize("role", sorted(EXPECTED))
def test_every_count_is_the_length_of_the_list_it_links_to(desk, login, role):
    client = login(getattr(desk, role))
    counts = counts_on(client)
    numbers = {key: n for key, (_, n) in counts.items()}
    expected = EXPECTED[role]
    # what was counted, and no more: other offices' and hidden witnesses' work is left out
    assert {k: numbers[k] for k in expected} == expected
    if role == "supervisor":
        assert numbers["flags"] >= 1  # the cash item's flag; the other office's is not theirs
    for key, (href, number) in counts.items():
        assert listed(client, href) == number, (key, href)


def test_the_supervisors_counts_leave_other_offices_out(desk, db, login):
    """The other office's administrator counts their own office's cash, flags and breach."""
    foreign = login(desk.foreign_admin)
    numbers = {k: n for k, (_, n) in counts_on(foreign).items()}
    assert numbers["approvals"] == 1
    assert numbers["breaches"] == 1
    assert numbers["office-reviews-overdue"] == 1
    theirs = select(func.count()).where(LedgerFlag.witness_id == desk.foreign_witness.id)
    assert numbers["flags"] == db.scalar(theirs) > 0


def test_phase_counts_are_the_witness_lists_they_link_to(desk, login, make_case, db):
    """A witness in two cases in the same phase is one witness on the list, so one in the
    count."""
    second = make_case()
    from witness.people.models import Participation, ParticipationRole, Phase

    db.add(
        Participation(
            witness=desk.assigned,
            case=second,
            role=ParticipationRole.victim_witness,
            phase=Phase.reflection,
        )
    )
    db.flush()
    client = login(desk.officer)
    html = client.get("/").get_data(as_text=True)
    cards = re.findall(r'href="(/witnesses/\?phase=[a-z_]+)">\s*<span class="count">(\d+)', html)
    assert cards
    for href, number in cards:
        assert listed(client, href) == int(number), href


def test_need_to_know_an_ngo_worker_sees_no_counts_of_witnesses_hidden_from_them(desk, login):
    ngo = login(desk.ngo_worker)
    html = ngo.get("/").get_data(as_text=True)
    # the office's tasks, reviews, cash and flags exist, but none is of a witness they see
    assert "count-approvals" not in html and "count-flags" not in html
    assert {n for _, n in counts_on(ngo).values()} == {0}
    # their charts show no support given to witnesses they may not see
    assert "chart-support-gbp" not in html
    assert desk.assigned.reference not in html and desk.unassigned.reference not in html
    office = login(desk.supervisor).get("/").get_data(as_text=True)
    assert "chart-support-gbp" in office and "12.50 GBP" in office


def test_todays_and_this_weeks_appointments_and_hearings(db, world, login):
    today = book_appointment(
        db, world.officer, world.assigned, booking([world.officer], at(10, 14))
    )
    later = book_appointment(
        db, world.officer, world.assigned, booking([world.officer], at(13, 10))
    )
    beyond = book_appointment(
        db, world.officer, world.assigned, booking([world.officer], at(17, 10))
    )
    hearing = Hearing(
        case_id=world.case.id,
        court_id=world.case.court_id,
        type=HearingType.trial_day,
        start_dt=at(12, 10),
        end_dt=at(12, 16),
        status=HearingStatus.listed,
    )
    db.add(hearing)
    db.flush()

    html = login(world.officer).get("/").get_data(as_text=True)
    today_part = html[html.index('id="today"') : html.index('id="this-week"')]
    week_part = html[html.index('id="this-week"') : html.index("The week's calendar")]
    assert f'data-appointment="{today.id}"' in today_part
    assert "Tue 10 Mar 14:00" in today_part  # London, the court's time
    assert f'data-appointment="{later.id}"' in week_part
    assert f'data-hearing="{hearing.id}"' in week_part  # a hearing of the officer's witness
    assert f'data-appointment="{beyond.id}"' not in html  # a week away
    # the prosecutor leads the case: the hearing is theirs; another officer has neither
    assert f'data-hearing="{hearing.id}"' in login(world.prosecutor).get("/").get_data(as_text=True)
    other = login(world.officer2).get("/").get_data(as_text=True)
    assert f'data-appointment="{today.id}"' not in other and "data-hearing" not in other


@pytest.fixture
def cases_ahead(db, world, make_case):
    """Four cases of the officer's witness: one with a hearing on the 20th, one with an
    appointment on the 12th, one with nothing ahead, one whose hearing has been held."""
    from witness.people.models import Participation, ParticipationRole, Phase

    hearing_case, meeting_case, quiet_case = world.case, make_case(), make_case()
    held_case = make_case()
    for case in (meeting_case, quiet_case, held_case):
        db.add(
            Participation(
                witness=world.assigned,
                case=case,
                role=ParticipationRole.victim_witness,
                phase=Phase.pre_trial,
            )
        )
    for case, start, status in (
        (hearing_case, at(20, 10), HearingStatus.listed),
        (held_case, at(2, 10), HearingStatus.held),
        (held_case, at(25, 10), HearingStatus.vacated),
    ):
        db.add(
            Hearing(
                case_id=case.id,
                court_id=case.court_id,
                type=HearingType.trial_day,
                start_dt=start,
                end_dt=start.replace(hour=16),
                status=status,
            )
        )
    db.flush()
    book_appointment(
        db,
        world.officer,
        world.assigned,
        booking([world.officer], at(12, 10), case_id=meeting_case.id),
    )
    db.flush()
    nothing_ahead = sorted([quiet_case, held_case], key=lambda c: c.reference)
    return [meeting_case, hearing_case, *nothing_ahead]


def test_my_cases_are_sorted_by_their_next_date_with_none_last(
    db, world, cases_ahead, frozen_clock
):
    board = build_dashboard(db, world.officer, frozen_clock.now(), page=1, per_page=10)
    assert [c.id for c in board.cases.items] == [c.id for c in cases_ahead]
    assert board.next_dates == {cases_ahead[0].id: at(12, 10), cases_ahead[1].id: at(20, 10)}


def test_my_cases_shows_every_case_page_by_page(app, db, world, cases_ahead, login, monkeypatch):
    monkeypatch.setitem(app.config, "PAGE_SIZE", 3)
    client = login(world.officer)
    first = client.get("/").get_data(as_text=True)
    second = client.get("/?page=2").get_data(as_text=True)

    def shown(html: str) -> list[int]:
        return [int(i) for i in re.findall(r'<tr data-case="(\d+)">', html)]

    assert shown(first) == [c.id for c in cases_ahead[:3]]
    assert shown(second) == [cases_ahead[3].id]
    assert "Page 1 of 2 · 4 in all" in first
    assert "12 Mar 2026 10:00" in first  # the next date, in the court's time


def test_approvals_pending_is_for_supervisors_and_lists_only_what_awaits(desk, db, login):
    from witness.ledger.services import approve_item

    supervisor = login(desk.supervisor)
    page = supervisor.get("/ledger/approvals").get_data(as_text=True)
    assert desk.assigned.reference in page and desk.foreign_witness.reference not in page
    item = _cash(db, desk.officer, desk.assigned, desk.case)
    approve_item(db, desk.supervisor, item, "Receipt seen")
    db.flush()
    assert counts_on(supervisor)["approvals"][1] == 1  # the approved one no longer waits
    assert login(desk.officer).get("/ledger/approvals").status_code == 403
    assert Decimal(item.value) == Decimal("25.00")


def test_a_backlog_past_the_cap_shows_as_more_and_its_list_counts_it_all(desk, login, monkeypatch):
    """A card stops counting past its cap ("1+" here, "99+" in use): an office's thousands of
    items awaiting approval are a backlog to open, not a number to read to the last one."""
    monkeypatch.setattr(counts, "CAP", 1)
    client = login(desk.supervisor)
    html = client.get("/").get_data(as_text=True)
    card = re.search(
        r'id="count-tasks-open" href="([^"]+)">\s*<span class="count">([^<]+)</span>', html
    )
    assert card.group(2) == "1+"
    assert listed(client, card.group(1).replace("&amp;", "&")) == 3
    approvals = re.search(
        r'id="count-approvals" href="[^"]+">\s*<span class="count">([^<]+)<', html
    )
    assert approvals.group(1) == "1"  # at the cap: the number itself
