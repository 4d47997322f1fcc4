"""'Who looked at this witness': the supervisors and administrators of the witness's office
see every reading of the file (who, role, organisation, when in the court's time, from where,
what), paged and filtered; anyone else gets an audited 404; reading the page is audited."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from witness.audit.models import AuditEvent
from witness.audit.services import record_event
from witness.auth.models import Role


def url(witness) -> str:
    return f"/audit/witnesses/{witness.id}"


def rows(page: str) -> list[str]:
    body = page.split('<table class="access-log">', 1)[1].split("</table>", 1)[0]
    return [r for r in body.split("<tr")[2:]]


def refusals(db, user, action="witness.access_log_refused"):
    return db.scalars(
        select(AuditEvent).where(AuditEvent.actor_id == user.id, AuditEvent.action == action)
    ).all()


def test_the_supervisor_sees_who_opened_the_file_when_and_from_where(db, world, login):
    login(world.officer).get(
        f"/witnesses/{world.assigned.id}", environ_base={"REMOTE_ADDR": "10.1.2.3"}
    )
    login(world.officer).get(f"/witnesses/{world.unassigned.id}")  # refused: not theirs
    page = login(world.supervisor).get(url(world.assigned))
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    found = rows(text)
    opened = [r for r in found if "Opened the witness&#39;s file" in r]
    assert len(opened) == 1
    assert world.officer.name in opened[0] and "Liaison officer" in opened[0]
    assert world.office.name in opened[0] and "10.1.2.3" in opened[0]
    # reading this page is itself recorded, and shown
    assert any("Read who looked at this witness" in r for r in found)
    # another witness's refusal is not this witness's
    assert not any("refused" in r for r in found)


def test_times_are_the_courts_and_days_are_filtered_in_its_zone(
    db, world, make_court, make_case, make_witness, login, frozen_clock
):
    court = make_court("Asia/Bangkok")
    witness = make_witness(case=make_case(court=court), officer=world.officer)
    frozen_clock(datetime(2026, 3, 10, 20, 0, tzinfo=UTC))  # 11 March 03:00 in Bangkok
    record_event(db, world.officer, "witness.view", witness, witness_id=witness.id)
    db.flush()  # its time is taken when it is written
    frozen_clock(datetime(2026, 3, 12, 9, 0, tzinfo=UTC))
    record_event(db, world.officer2, "witness.view", witness, witness_id=witness.id)
    db.flush()
    client = login(world.supervisor)
    page = client.get(url(witness) + "?from=2026-03-11&to=2026-03-11").get_data(as_text=True)
    found = [r for r in rows(page) if "Opened" in r]
    assert len(found) == 1 and "11 Mar 2026 03:00" in found[0] and world.officer.name in found[0]
    page = client.get(url(witness) + "?to=2026-03-10").get_data(as_text=True)
    assert not [r for r in rows(page) if "Opened" in r]
    page = client.get(url(witness) + f"?user_id={world.officer2.id}").get_data(as_text=True)
    found = [r for r in rows(page) if "Opened" in r]
    assert len(found) == 1 and world.officer2.name in found[0]


def test_fifty_a_page(db, world, login):
    for _ in range(60):
        record_event(
            db, world.officer, "witness.view", world.assigned, witness_id=world.assigned.id
        )
    db.flush()
    client = login(world.admin)
    first = client.get(url(world.assigned)).get_data(as_text=True)
    assert len(rows(first)) == 50 and "Page 1 of 2" in first
    assert f"/audit/witnesses/{world.assigned.id}?page=2" in first
    second = client.get(url(world.assigned) + "?page=2").get_data(as_text=True)
    assert len(rows(second)) == 12  # 60 views and the two readings of this page


def test_changes_are_not_readings(db, world, login):
    record_event(db, world.officer, "witness.updated", world.assigned, witness_id=world.assigned.id)
    db.flush()
    page = login(world.supervisor).get(url(world.assigned)).get_data(as_text=True)
    assert "witness.updated" not in page


@pytest.mark.parametrize("who", ["officer", "ngo_worker", "prosecutor"])
def test_anyone_but_the_offices_supervisors_and_admins_gets_an_audited_404(db, world, login, who):
    user = getattr(world, who)
    witness = world.shared if who == "ngo_worker" else world.assigned
    assert login(user).get(url(witness)).status_code == 404
    assert len(refusals(db, user)) == 1
    assert not db.scalars(
        select(AuditEvent).where(
            AuditEvent.actor_id == user.id, AuditEvent.action == "witness.access_log_view"
        )
    ).all()


def test_another_organisations_supervisor_gets_a_404(db, world, make_user, share, login):
    """Even one the file is shared with (who may read the file itself) sees no access log."""
    ngo_supervisor = make_user(Role.supervisor, organisation=world.ngo)
    assert login(ngo_supervisor).get(f"/witnesses/{world.shared.id}").status_code == 200
    assert login(ngo_supervisor).get(url(world.shared)).status_code == 404
    assert len(refusals(db, ngo_supervisor)) == 1
    assert login(world.foreign_admin).get(url(world.assigned)).status_code == 404
    assert len(refusals(db, world.foreign_admin, "witness.refused")) == 1


def test_the_witness_page_links_to_it_for_supervisors_only(db, world, login):
    link = url(world.assigned)
    assert link in login(world.supervisor).get(f"/witnesses/{world.assigned.id}").get_data(True)
    assert link not in login(world.officer).get(f"/witnesses/{world.assigned.id}").get_data(True)


@pytest.mark.parametrize(
    "query", ["?from=2026-13-01", "?to=yesterday", "?from=2026-03-12&to=2026-03-11"]
)
def test_bad_dates_are_a_clear_400(db, world, login, query):
    response = login(world.supervisor).get(url(world.assigned) + query)
    assert response.status_code == 400
    assert "YYYY-MM-DD" in response.get_data(True) or "comes after" in response.get_data(True)
