"""Special measures and news through the pages: propose, apply, decide (news to tell the
witness), withdraw; a granted video link leads to booking; marking news as told."""

from __future__ import annotations

import html
from datetime import date

import pytest
from sqlalchemy import func, select

from witness.audit.models import AuditEvent
from witness.cases.models import HearingType
from witness.hearings.models import MeasureKind, MeasureStatus, SpecialMeasure
from witness.hearings.services import create_hearing
from witness.notify.models import News, NewsKind

from ..factories import at

pytestmark = pytest.mark.usefixtures("frozen_clock")


def text_of(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def count(db, model, *where) -> int:
    return db.scalar(select(func.count()).select_from(model).where(*where))


def audited(db, action: str, actor, witness_id: int) -> int:
    return count(
        db,
        AuditEvent,
        AuditEvent.action == action,
        AuditEvent.actor_id == actor.id,
        AuditEvent.witness_id == witness_id,
    )


@pytest.fixture
def hearing(db, world):
    """A trial day of ``world.case``: its trafficking complainants get the standard measures."""
    return create_hearing(
        db,
        world.officer,
        world.case,
        type=HearingType.trial_day,
        start=at(12, 10),
        end=at(12, 16),
    )


def measure_of(db, witness, hearing, kind: MeasureKind) -> SpecialMeasure:
    return db.scalar(
        select(SpecialMeasure).where(
            SpecialMeasure.witness_id == witness.id,
            SpecialMeasure.hearing_id == hearing.id,
            SpecialMeasure.kind == kind,
        )
    )


def test_apply_decide_tell(login, world, db, hearing):
    """Applied for, refused by the court: the witness has news to be told, which leaves their
    page once someone records telling them."""
    client = login(world.officer)
    screens = measure_of(db, world.assigned, hearing, MeasureKind.screens)
    assert screens.status is MeasureStatus.proposed
    applied = client.submit(f"/measures/{screens.id}/apply?back=hearing", {})
    assert applied.status_code == 302
    # back to the hearing, with this witness's part open
    w = world.assigned.id
    assert applied.headers["Location"].endswith(f"/hearings/{hearing.id}?witness={w}#witness-{w}")
    opened = client.get(applied.headers["Location"]).get_data(as_text=True)
    assert f'id="witness-{w}" open>' in opened
    db.expire_all()
    assert screens.status is MeasureStatus.applied and screens.applied_dt is not None
    decided = client.submit(
        f"/measures/{screens.id}/decide",
        {"decision": "refused", "note": "Court prefers video link"},
        follow_redirects=True,
    )
    page = text_of(decided)
    assert "Screens refused. The witness must be told" in page
    assert "Court prefers video link" in page  # on the witness's measures page
    db.expire_all()
    assert screens.status is MeasureStatus.refused
    (news,) = db.scalars(select(News).where(News.witness_id == world.assigned.id)).all()
    witness_page = text_of(client.get(f"/witnesses/{world.assigned.id}"))
    assert "To tell the witness" in witness_page
    assert "Screens refused for trial day on 12 Mar 2026" in witness_page
    told = client.submit(f"/news/{news.id}/told", {"note": "By phone, with interpreter"})
    assert told.status_code == 302
    witness_page = text_of(client.get(told.headers["Location"]))
    assert "Recorded that " + world.assigned.reference + " was told" in witness_page
    assert "To tell the witness" not in witness_page
    db.expire_all()
    assert news.told_by_id == world.officer.id and news.told_note == "By phone, with interpreter"


def test_granting_a_video_link_leads_to_booking_the_session(login, world, db, hearing):
    client = login(world.officer)
    link = measure_of(db, world.assigned, hearing, MeasureKind.video_link)
    client.submit(f"/measures/{link.id}/apply", {})
    response = client.submit(f"/measures/{link.id}/decide", {"decision": "granted", "note": ""})
    assert response.status_code == 302
    location = response.headers["Location"]
    assert f"/witnesses/{world.assigned.id}/appointments/new?" in location
    assert f"hearing_id={hearing.id}" in location and "kind=video_link" in location
    page = text_of(client.get(f"/witnesses/{world.assigned.id}/measures"))
    assert "Video link granted: book the video-link session." in page
    assert "Book video-link session" in page
    db.expire_all()
    assert link.status is MeasureStatus.granted
    assert count(db, News, News.witness_id == world.assigned.id) == 1


def test_withdraw_needs_a_reason(login, world, db, hearing):
    client = login(world.officer)
    support = measure_of(db, world.assigned, hearing, MeasureKind.support_person)
    for note, message in [
        ("", "Say why the measure is withdrawn."),
        ("bell \x07", "Remove the control characters from this text."),
    ]:
        refused = client.submit(f"/measures/{support.id}/withdraw", {"note": note})
        assert refused.status_code == 400
        assert f"Nothing was changed: {message}" in text_of(refused)
        db.expire_all()
        assert support.status is MeasureStatus.proposed
    done = client.submit(
        f"/measures/{support.id}/withdraw?back=hearing",
        {"note": "Witness prefers to come alone"},
        follow_redirects=True,
    )
    assert "Support person present withdrawn." in text_of(done)
    db.expire_all()
    assert support.status is MeasureStatus.withdrawn
    assert support.decision_note == "Witness prefers to come alone"


def test_out_of_order_steps_are_refused_with_a_message(login, world, db, hearing):
    client = login(world.officer)
    measure = measure_of(db, world.assigned, hearing, MeasureKind.screens)
    early = client.submit(f"/measures/{measure.id}/decide", {"decision": "granted"})
    assert early.status_code == 400
    assert "Record the decision once the measure has been applied for." in text_of(early)
    client.submit(f"/measures/{measure.id}/apply", {})
    twice = client.submit(f"/measures/{measure.id}/apply?back=hearing", {})
    assert twice.status_code == 400
    assert "Only a proposed measure can be applied for (Screens)." in text_of(twice)
    no_decision = client.submit(f"/measures/{measure.id}/decide", {"decision": "maybe"})
    assert no_decision.status_code == 400
    assert "Not a valid choice" in text_of(no_decision)
    db.expire_all()
    assert measure.status is MeasureStatus.applied
    assert count(db, News) == 0


def test_officer_proposes_another_measure(login, world, db, hearing):
    client = login(world.officer)
    page = text_of(client.get(f"/witnesses/{world.assigned.id}/measures"))
    assert "Propose a measure" in page and "Trial day, " + world.case.reference in page
    response = client.submit(
        f"/witnesses/{world.assigned.id}/measures",
        {"hearing_id": hearing.id, "kind": "intermediary"},
    )
    assert response.status_code == 302
    added = measure_of(db, world.assigned, hearing, MeasureKind.intermediary)
    assert added.status is MeasureStatus.proposed and not added.is_standard
    # From the hearing page, and back to it.
    from_hearing = client.submit(
        f"/witnesses/{world.assigned.id}/measures?back=hearing",
        {"hearing_id": hearing.id, "kind": "communication_aids"},
    )
    w = world.assigned.id
    assert from_hearing.headers["Location"].endswith(
        f"/hearings/{hearing.id}?witness={w}#witness-{w}"
    )
    again = client.submit(
        f"/witnesses/{world.assigned.id}/measures?back=hearing",
        {"hearing_id": hearing.id, "kind": "intermediary"},
    )
    assert again.status_code == 400
    page = text_of(again)
    assert "Nothing was changed: Intermediary is already proposed." in page
    assert "Witnesses and special measures" in page  # the hearing page, shown again


@pytest.mark.parametrize(
    "data, message",
    [
        ({"kind": "screens"}, "Screens is already proposed."),
        ({"kind": "flying_carpet"}, "Invalid Choice: could not coerce."),
        ({"hearing_id": "999999"}, "Not a valid choice."),
        ({"hearing_id": "abc"}, "Invalid Choice: could not coerce."),
        ({"hearing_id": ""}, "Not a valid choice."),
    ],
)
def test_proposing_refuses_bad_input(login, world, db, hearing, data, message):
    before = count(db, SpecialMeasure)
    client = login(world.officer)
    response = client.submit(
        f"/witnesses/{world.assigned.id}/measures", {"hearing_id": hearing.id} | data
    )
    assert response.status_code == 400
    assert message in text_of(response)
    assert count(db, SpecialMeasure) == before


def test_a_hearing_of_another_case_cannot_be_chosen(login, world, db, hearing):
    other = create_hearing(
        db,
        world.officer,
        world.other_case,
        type=HearingType.sentencing,
        start=at(13, 10),
        end=at(13, 11),
    )
    client = login(world.officer)
    page = text_of(client.get(f"/witnesses/{world.assigned.id}/measures"))
    assert f'value="{other.id}"' not in page
    response = client.submit(
        f"/witnesses/{world.assigned.id}/measures", {"hearing_id": other.id, "kind": "screens"}
    )
    assert response.status_code == 400
    assert measure_of(db, world.assigned, other, MeasureKind.screens) is None


def test_past_hearings_are_not_offered_for_new_proposals(login, world, db, hearing, frozen_clock):
    frozen_clock(at(20, 9))
    page = text_of(login(world.officer).get(f"/witnesses/{world.assigned.id}/measures"))
    assert "Trial day, " + world.case.reference in page  # its measures are still listed
    assert f'<option value="{hearing.id}"' not in page


# --- who may do what -------------------------------------------------------------------------


@pytest.fixture
def shared_hearing(db, world):
    return create_hearing(
        db,
        world.officer,
        world.other_case,
        type=HearingType.trial_day,
        start=at(12, 10),
        end=at(12, 16),
    )


def test_ngo_worker_sees_a_shared_witness_measures_but_cannot_change_them(
    login, world, db, shared_hearing
):
    client = login(world.ngo_worker)
    page = text_of(client.get(f"/witnesses/{world.shared.id}/measures"))
    assert "Video or live link" in page
    assert "Propose a measure" not in page and "Mark applied for" not in page
    measure = measure_of(db, world.shared, shared_hearing, MeasureKind.screens)
    for url, data in [
        (f"/measures/{measure.id}/apply", {}),
        (f"/measures/{measure.id}/withdraw", {"note": "x"}),
        (f"/witnesses/{world.shared.id}/measures", {"hearing_id": shared_hearing.id}),
    ]:
        response = client.submit(url, data | {"kind": "intermediary"})
        assert response.status_code == 403, url
    assert audited(db, "measure.change_refused", world.ngo_worker, world.shared.id) == 3
    db.expire_all()
    assert measure.status is MeasureStatus.proposed
    assert measure_of(db, world.shared, shared_hearing, MeasureKind.intermediary) is None


def test_ngo_worker_not_shared_with_gets_404_and_an_audit_row(login, world, db, hearing):
    client = login(world.ngo_worker)
    measure = measure_of(db, world.assigned, hearing, MeasureKind.screens)
    assert client.get(f"/witnesses/{world.assigned.id}/measures").status_code == 404
    assert client.submit(f"/measures/{measure.id}/apply", {}).status_code == 404
    assert audited(db, "witness.refused", world.ngo_worker, world.assigned.id) == 2
    db.expire_all()
    assert measure.status is MeasureStatus.proposed


def test_prosecutor_leading_the_case_sees_measures_read_only(login, world, db, hearing):
    client = login(world.prosecutor)
    page = text_of(client.get(f"/witnesses/{world.assigned.id}/measures"))
    assert "Screens" in page and "Propose a measure" not in page
    hearing_page = text_of(client.get(f"/hearings/{hearing.id}"))
    assert world.assigned.reference in hearing_page and world.unassigned.reference in hearing_page
    measure = measure_of(db, world.assigned, hearing, MeasureKind.screens)
    assert client.submit(f"/measures/{measure.id}/apply", {}).status_code == 403


@pytest.mark.parametrize("url", ["/measures/999999/apply", "/measures/99999999999/decide"])
def test_unknown_measure_is_404(login, world, url):
    assert login(world.officer).submit(url, {}).status_code == 404


def test_get_on_an_action_is_not_allowed(login, world, db, hearing):
    measure = measure_of(db, world.assigned, hearing, MeasureKind.screens)
    assert login(world.officer).get(f"/measures/{measure.id}/apply").status_code == 405


# --- news to tell ----------------------------------------------------------------------------


@pytest.fixture
def news(db, world):
    item = News(witness_id=world.shared.id, kind=NewsKind.hearing_moved, summary="Trial day moved")
    db.add(item)
    db.flush()
    return item


def test_ngo_worker_shared_with_marks_news_told(login, world, db, news):
    client = login(world.ngo_worker)
    page = text_of(client.get(f"/witnesses/{world.shared.id}"))
    assert "Trial day moved" in page and "Mark as told" in page
    response = client.submit(f"/news/{news.id}/told", {"note": "In person at the shelter"})
    assert response.status_code == 302
    db.expire_all()
    assert news.told_by_id == world.ngo_worker.id


@pytest.mark.parametrize(
    "note, message",
    [
        ("", "Say how the witness was told (e.g. by phone)."),
        ("esc \x1b", "Remove the control characters from this text."),
    ],
)
def test_marking_told_needs_a_plain_note(login, world, db, news, note, message):
    client = login(world.officer2)
    response = client.submit(f"/news/{news.id}/told", {"note": note}, follow_redirects=True)
    assert f"Nothing was recorded: {message}" in text_of(response)
    db.expire_all()
    assert news.told_dt is None


def test_marking_told_twice_or_unseen_is_refused(login, world, db, news, make_witness):
    officer = login(world.officer2)
    officer.submit(f"/news/{news.id}/told", {"note": "By phone"})
    again = officer.submit(f"/news/{news.id}/told", {"note": "Again"}, follow_redirects=True)
    assert "The witness has already been told." in text_of(again)
    db.expire_all()
    assert news.told_note == "By phone"
    # An officer who does not see the witness: 404, audited.
    assert login(world.officer).submit(f"/news/{news.id}/told", {"note": "x"}).status_code == 404
    assert audited(db, "witness.refused", world.officer, world.shared.id) == 1
    assert officer.submit("/news/999999/told", {"note": "x"}).status_code == 404


def test_prosecutor_sees_the_news_but_does_not_record_telling(login, world, db, make_witness):
    item = News(witness_id=world.assigned.id, kind=NewsKind.hearing_moved, summary="Moved")
    db.add(item)
    db.flush()
    client = login(world.prosecutor)
    page = text_of(client.get(f"/witnesses/{world.assigned.id}"))
    assert "To tell the witness" in page and "Mark as told" not in page
    assert client.submit(f"/news/{item.id}/told", {"note": "By phone"}).status_code == 403
    assert audited(db, "news.change_refused", world.prosecutor, world.assigned.id) == 1
    db.expire_all()
    assert item.told_dt is None


def test_child_measures_show_on_the_witness_page(login, world, db, make_witness):
    child = make_witness(case=world.case, officer=world.officer, date_of_birth=date(2015, 1, 1))
    create_hearing(
        db,
        world.officer,
        world.case,
        type=HearingType.trial_day,
        start=at(12, 10),
        end=at(12, 16),
    )
    page = text_of(login(world.officer).get(f"/witnesses/{child.id}"))
    assert "Pre-recorded evidence-in-chief" in page and "Intermediary" in page
    assert f"/witnesses/{child.id}/measures" in page
