"""Phase rules of a participation: reflection → pre-trial → trial → post-trial → closed.

Allowed: forward one step; back from post-trial to trial (a retrial); to closed from any open
phase; reopening a closed participation into the phase it was closed from. Every move needs a
reason and is kept with who made it; anything else is refused and changes nothing.
"""

from __future__ import annotations

import html
import re
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from witness.core.errors import DomainError, InvalidTransition
from witness.people.models import Participation, Phase, PhaseTransition, Witness
from witness.people.services import change_phase, closed_from

R, PRE, TRIAL, POST, CLOSED = (
    Phase.reflection,
    Phase.pre_trial,
    Phase.trial,
    Phase.post_trial,
    Phase.closed,
)

#: written out by hand from the rules, not derived from the code under test; the participation
#: in ``closed`` was closed from trial, so reopening may only go back to trial
ALLOWED = {
    (R, PRE),
    (PRE, TRIAL),
    (TRIAL, POST),
    (POST, TRIAL),  # retrial
    (R, CLOSED),
    (PRE, CLOSED),
    (TRIAL, CLOSED),
    (POST, CLOSED),
    (CLOSED, TRIAL),  # reopen into the phase it was closed from
}

#: legitimate moves from a fresh participation (in reflection) to each starting phase
ROUTE = {
    R: [],
    PRE: [PRE],
    TRIAL: [PRE, TRIAL],
    POST: [PRE, TRIAL, POST],
    CLOSED: [PRE, TRIAL, CLOSED],
}

ALL_PAIRS = [(a, b) for a in Phase for b in Phase]


def _participation(world) -> Participation:
    (participation,) = world.assigned.participations
    return participation


def _move_to(db, actor, participation: Participation, phase: Phase) -> None:
    for step in ROUTE[phase]:
        change_phase(db, actor, participation, step, f"Setting up: to {step.value}")
    assert participation.phase is phase


def _transitions(db, participation: Participation) -> list[PhaseTransition]:
    return list(
        db.scalars(
            select(PhaseTransition)
            .where(PhaseTransition.participation_id == participation.id)
            .order_by(PhaseTransition.id)
        )
    )


def _stored_phase(db, participation: Participation) -> Phase:
    return db.scalar(select(Participation.phase).where(Participation.id == participation.id))


def _count_transitions(db, participation: Participation) -> int:
    return db.scalar(
        select(func.count())
        .select_from(PhaseTransition)
        .where(PhaseTransition.participation_id == participation.id)
    )


def _phase_url(witness: Witness, participation: Participation) -> str:
    return f"/witnesses/{witness.id}/participations/{participation.id}/phase"


def _text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def test_the_expected_table_has_every_pair():
    """Sanity of the table itself: 25 pairs, 9 of them allowed."""
    assert len(ALL_PAIRS) == 25
    assert set(ALL_PAIRS) >= ALLOWED
    assert len(ALLOWED) == 9


@pytest.mark.parametrize(
    ("source", "target"), ALL_PAIRS, ids=[f"{a.value}->{b.value}" for a, b in ALL_PAIRS]
)
def test_every_phase_pair_is_allowed_or_refused(db, world, source, target):
    """An allowed move changes the phase and keeps a transition with from, to, actor and reason;
    a refused one raises InvalidTransition and leaves the phase and the history untouched."""
    participation = _participation(world)
    _move_to(db, world.officer, participation, source)
    before = _count_transitions(db, participation)
    reason = f"Court listing changed ({source.value} to {target.value})"

    if (source, target) in ALLOWED:
        change_phase(db, world.officer, participation, target, reason)
        assert _stored_phase(db, participation) is target
        assert _count_transitions(db, participation) == before + 1
        last = _transitions(db, participation)[-1]
        assert (last.from_phase, last.to_phase) == (source, target)
        assert last.actor_id == world.officer.id
        assert last.reason == reason
    else:
        with pytest.raises(InvalidTransition) as refused:
            change_phase(db, world.officer, participation, target, reason)
        assert refused.value.field == "phase"
        assert f"from {source.label} to {target.label}" in refused.value.message
        assert _stored_phase(db, participation) is source
        assert participation.phase is source
        assert _count_transitions(db, participation) == before


@pytest.mark.parametrize("closed_in", [R, PRE, TRIAL, POST], ids=lambda p: p.value)
def test_a_closed_participation_reopens_only_into_the_phase_it_was_closed_from(
    db, world, closed_in
):
    """Closing from any open phase remembers it; reopening must return there and nowhere else."""
    participation = _participation(world)
    _move_to(db, world.officer, participation, closed_in)
    change_phase(db, world.officer, participation, CLOSED, "Witness withdrew")
    assert closed_from(participation) is closed_in

    for target in Phase:
        if target is closed_in:
            continue
        with pytest.raises(InvalidTransition):
            change_phase(db, world.officer, participation, target, "Reopen attempt")
        assert _stored_phase(db, participation) is CLOSED

    change_phase(db, world.officer, participation, closed_in, "Witness agreed to continue")
    assert _stored_phase(db, participation) is closed_in


def test_closed_from_trial_reopens_to_trial_and_a_later_close_is_what_counts(db, world):
    """After a reopen, the most recent close decides where a second reopen may go."""
    participation = _participation(world)
    _move_to(db, world.officer, participation, TRIAL)
    change_phase(db, world.officer, participation, CLOSED, "Trial adjourned indefinitely")
    for target in (R, PRE, POST):
        with pytest.raises(InvalidTransition):
            change_phase(db, world.officer, participation, target, "Reopen")
    change_phase(db, world.officer, participation, TRIAL, "Trial relisted")
    change_phase(db, world.officer, participation, POST, "Verdict given")
    change_phase(db, world.officer, participation, CLOSED, "Support ended")

    with pytest.raises(InvalidTransition):
        change_phase(db, world.officer, participation, TRIAL, "Reopen to the old phase")
    change_phase(db, world.officer, participation, POST, "Appeal lodged")
    assert _stored_phase(db, participation) is POST


@pytest.mark.parametrize("reason", ["", "   ", "\n\t "], ids=["empty", "spaces", "whitespace"])
@pytest.mark.parametrize("target", [PRE, CLOSED], ids=lambda p: p.value)
def test_a_move_without_a_reason_is_refused(db, world, reason, target):
    """Even an allowed move needs a reason; without one the phase and history stay as they were."""
    participation = _participation(world)
    before = _count_transitions(db, participation)
    with pytest.raises(DomainError) as refused:
        change_phase(db, world.officer, participation, target, reason)
    assert refused.value.field == "reason"
    assert refused.value.message == "Give a reason for the change."
    assert _stored_phase(db, participation) is R
    assert _count_transitions(db, participation) == before


@pytest.mark.parametrize("reason", ["", "   "], ids=["empty", "spaces"])
def test_the_phase_form_refuses_an_empty_reason_beside_the_field(db, world, login, reason):
    """Through the page: 400, the error next to the reason field, and the phase unchanged."""
    participation = _participation(world)
    before = _count_transitions(db, participation)
    client = login(world.officer)
    response = client.submit(
        _phase_url(world.assigned, participation), {"phase": "pre_trial", "reason": reason}
    )
    assert response.status_code == 400
    page = _text(response)
    assert re.search(r'<p class="error" id="reason-error">Give a reason for the change\.</p>', page)
    assert _stored_phase(db, participation) is R
    assert _count_transitions(db, participation) == before


def test_the_phase_form_refuses_a_move_the_rules_do_not_allow(db, world, login):
    """A forged post for a phase that is not offered (reflection → trial) is refused with 400."""
    participation = _participation(world)
    before = _count_transitions(db, participation)
    client = login(world.officer)
    url = _phase_url(world.assigned, participation)
    offered = re.findall(r'<option[^>]*value="([^"]+)"', client.get(url).get_data(as_text=True))
    assert offered == ["pre_trial", "closed"]

    response = client.submit(url, {"phase": "trial", "reason": "Skipping ahead"})
    assert response.status_code == 400
    assert 'id="phase-error"' in response.get_data(as_text=True)
    assert _stored_phase(db, participation) is R
    assert _count_transitions(db, participation) == before


def test_history_is_kept_in_order_and_shown_on_the_timeline(frozen_clock, db, world, login):
    """Each move is a transition row in order; the witness page shows each with its reason,
    newest first. (The clock is frozen before the world is built, so "Identified" is oldest.)"""
    participation = _participation(world)
    moves = [
        (PRE, "Charging decision made"),
        (TRIAL, "Trial date fixed"),
        (POST, "Verdict: guilty"),
        (TRIAL, "Retrial ordered on appeal"),
    ]
    start = frozen_clock.now()
    for minutes, (target, reason) in enumerate(moves, start=1):
        frozen_clock(start + timedelta(minutes=minutes))
        change_phase(db, world.officer, participation, target, reason)

    history = [(t.from_phase, t.to_phase, t.reason) for t in _transitions(db, participation)]
    assert history == [
        (None, R, "Identified"),
        (R, PRE, "Charging decision made"),
        (PRE, TRIAL, "Trial date fixed"),
        (TRIAL, POST, "Verdict: guilty"),
        (POST, TRIAL, "Retrial ordered on appeal"),
    ]

    response = login(world.officer).get(f"/witnesses/{world.assigned.id}")
    assert response.status_code == 200
    page = _text(response)
    ref = world.case.reference
    shown = [
        f"{ref}: Post-trial → Trial",
        "Retrial ordered on appeal",
        f"{ref}: Trial → Post-trial",
        "Verdict: guilty",
        f"{ref}: Pre-trial → Trial",
        "Trial date fixed",
        f"{ref}: Reflection → Pre-trial",
        "Charging decision made",
        f"Joined {ref} in Reflection",
        "Identified",
    ]
    positions = [page.find(text) for text in shown]
    assert -1 not in positions, [t for t, p in zip(shown, positions, strict=True) if p == -1]
    assert positions == sorted(positions), "timeline not newest first"


def test_officer_moves_their_witness_to_trial_through_the_pages(frozen_clock, db, world, login):
    """Done when: the liaison officer signs in, opens their witness, moves them reflection →
    pre-trial → trial with a reason each time, sees the confirmation and the moves on the
    timeline."""
    witness, participation = world.assigned, _participation(world)
    client = login(world.officer)

    listing = client.get("/witnesses/").get_data(as_text=True)
    assert f'href="/witnesses/{witness.id}"' in listing
    detail = client.get(f"/witnesses/{witness.id}").get_data(as_text=True)
    url = _phase_url(witness, participation)
    assert f'href="{url}"' in detail

    steps = [(PRE, "Defendant charged; court date awaited"), (TRIAL, "Trial opens on Monday")]
    for minutes, (target, reason) in enumerate(steps, start=1):
        frozen_clock(frozen_clock.now() + timedelta(minutes=minutes))
        form = client.get(url)
        assert form.status_code == 200
        assert f'value="{target.value}"' in form.get_data(as_text=True)
        response = client.submit(
            url, {"phase": target.value, "reason": reason}, follow_redirects=True
        )
        assert response.status_code == 200
        assert response.request.path == f"/witnesses/{witness.id}"
        page = _text(response)
        assert f"{witness.reference} moved to {target.label} in {world.case.reference}." in page
        assert reason in page

    page = _text(client.get(f"/witnesses/{witness.id}"))
    assert f"{world.case.reference}: Reflection → Pre-trial" in page
    assert f"{world.case.reference}: Pre-trial → Trial" in page
    assert page.index("Trial opens on Monday") < page.index("Defendant charged; court date awaited")
    db.expire_all()
    assert _stored_phase(db, participation) is TRIAL
    moves = [(t.from_phase, t.to_phase, t.actor_id) for t in _transitions(db, participation)][1:]
    assert moves == [(R, PRE, world.officer.id), (PRE, TRIAL, world.officer.id)]


# --- the child rule -------------------------------------------------------------------------------

DAY = date(2026, 3, 10)


@pytest.mark.parametrize(
    ("dob", "presumed", "day", "is_child"),
    [
        (date(2008, 3, 11), False, DAY, True),  # 18th birthday is tomorrow
        (date(2008, 3, 10), False, DAY, False),  # 18th birthday is today
        (date(2008, 3, 9), False, DAY, False),
        (date(2015, 6, 1), False, DAY, True),
        (date(1990, 1, 1), False, DAY, False),
        (date(2008, 2, 29), False, date(2026, 2, 28), True),  # leap-day birthday not yet reached
        (date(2008, 2, 29), False, date(2026, 3, 1), False),
        (date(1990, 1, 1), True, DAY, True),  # presumed, whatever the recorded date of birth
        (None, True, DAY, True),  # presumed, age unknown
        (None, False, DAY, False),  # age unknown, not presumed
    ],
    ids=[
        "day-before-18th",
        "18th-birthday",
        "day-after-18th",
        "aged-10",
        "adult",
        "leap-day-before",
        "leap-day-after",
        "presumed-adult-dob",
        "presumed-no-dob",
        "no-dob",
    ],
)
def test_a_child_is_under_18_on_the_day_or_presumed_a_child(dob, presumed, day, is_child):
    """Under 18 on the day in question, or presumed a child while the age is unconfirmed."""
    witness = Witness(date_of_birth=dob, is_presumed_child=presumed)
    assert witness.is_child_on(day) is is_child


@pytest.mark.parametrize(
    ("dob", "presumed", "badge"),
    [
        (date(2008, 3, 11), False, "Child</span>"),
        (None, True, "Child (presumed)</span>"),
        (date(2008, 3, 10), False, None),
        (None, False, None),
    ],
    ids=["under-18", "presumed", "18-today", "unknown-age"],
)
def test_the_witness_page_shows_the_child_badge(
    frozen_clock, db, world, make_witness, login, dob, presumed, badge
):
    """The badge follows the child rule on today's date (the clock is frozen on 10 March 2026)."""
    frozen_clock(datetime(2026, 3, 10, 9, 0, tzinfo=UTC))
    witness = make_witness(
        case=world.case, officer=world.officer, date_of_birth=dob, is_presumed_child=presumed
    )
    page = login(world.officer).get(f"/witnesses/{witness.id}").get_data(as_text=True)
    if badge is None:
        assert 'class="badge child"' not in page
    else:
        assert f'<span class="badge child">{badge}' in page
