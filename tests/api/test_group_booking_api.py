"""Group bookings through the API: several witnesses in one booking, the booking's other
appointments listed only for witnesses the caller may see, and a witness not of the case or
not seen refused as a 422 that changes nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from witness.scheduling.models import Appointment

from .conftest import assert_problem, nothing_changes

pytestmark = pytest.mark.usefixtures("frozen_clock")  # Tuesday 10 March 2026, 09:00 UTC

API = "/api/v1"


def body(world, *others) -> dict:
    return {
        "kind": "accompaniment",
        "start": "2026-03-12T09:00:00+00:00",
        "end": "2026-03-12T16:00:00+00:00",
        "staff_ids": [world.officer2.id],
        "address": "Crown Court, side entrance",
        "other_witness_ids": [w.id for w in others],
    }


def test_one_call_books_two_witnesses_and_each_sees_only_what_it_may(api, db, world):
    response = api(world.supervisor).post(
        f"{API}/witnesses/{world.assigned.id}/appointments", json=body(world, world.unassigned)
    )
    assert response.status_code == 201, response.get_json()
    answer = response.get_json()
    ids = answer["booking_appointment_ids"]
    assert len(ids) == 2 and answer["id"] in ids
    witnesses = db.scalars(select(Appointment.witness_id).where(Appointment.id.in_(ids))).all()
    assert sorted(witnesses) == sorted([world.assigned.id, world.unassigned.id])
    # world.officer sees only world.assigned: the booking's other appointment is not listed
    seen = api(world.officer).get(f"{API}/appointments/{answer['id']}").get_json()
    assert seen["booking_appointment_ids"] == [answer["id"]]
    assert world.unassigned.reference not in str(seen)


@pytest.mark.parametrize("who", ["unseen", "foreign", "missing"])
def test_a_witness_not_of_the_case_or_not_seen_is_refused(api, db, world, who):
    other = {"unseen": world.unassigned.id, "foreign": world.foreign.id, "missing": 999_999}
    request = body(world) | {"other_witness_ids": [other[who]], "staff_ids": [world.officer.id]}
    before = db.scalar(select(func.count(Appointment.id)))
    with nothing_changes(db):
        response = api(world.officer).post(
            f"{API}/witnesses/{world.assigned.id}/appointments", json=request
        )
    problem = assert_problem(response, 422)
    assert "whose file you may see" in problem["errors"]["other_witness_ids"][0]
    assert db.scalar(select(func.count(Appointment.id))) == before
