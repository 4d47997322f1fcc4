"""Group bookings through the pages: the form offers the case's other witnesses the user may
see, one post books them all, the appointment page lists only the witnesses the viewer may see,
and a bad witness id is a form error that saves nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from witness.scheduling.models import Appointment, AppointmentKind, AppointmentSlot
from witness.scheduling.services import book_appointment

from ..factories import at, booking
from .test_booking_views import count, form, text_of

pytestmark = pytest.mark.usefixtures("frozen_clock")


def group_form(world, *others, **overrides) -> dict:
    return form(
        [world.officer],
        kind="accompaniment",
        other_witness_ids=[str(w.id) for w in others],
        **overrides,
    )


def test_the_form_offers_only_the_cases_witnesses_the_user_may_see(db, login, world):
    url = f"/witnesses/{world.assigned.id}/appointments/new"
    page = text_of(login(world.supervisor).get(url))
    assert 'name="other_witness_ids"' in page
    assert world.unassigned.reference in page
    for elsewhere in (world.shared, world.foreign):  # another case, another office
        assert elsewhere.reference not in page
    # a liaison officer sees only their own witnesses: nobody else of the case is offered
    page = text_of(login(world.officer).get(url))
    assert world.unassigned.reference not in page
    assert 'name="other_witness_ids"' not in page


def test_one_post_books_two_witnesses_in_one_booking(db, login, world):
    client = login(world.supervisor)
    response = client.submit(
        f"/witnesses/{world.assigned.id}/appointments/new", group_form(world, world.unassigned)
    )
    assert response.status_code == 302, text_of(response)[:2000]
    rows = db.scalars(select(Appointment).order_by(Appointment.id)).all()
    assert [a.witness_id for a in rows] == [world.assigned.id, world.unassigned.id]
    assert rows[0].group_id == rows[1].group_id == rows[0].id
    page = text_of(client.get(response.headers["Location"]))
    assert world.assigned.reference in page and world.unassigned.reference in page
    assert "In the same booking" in page


def test_the_page_names_only_the_witnesses_the_viewer_may_see(db, world, login):
    first = book_appointment(
        db,
        world.supervisor,
        world.assigned,
        booking(
            [world.officer2],
            kind=AppointmentKind.accompaniment,
            other_witness_ids=[world.unassigned.id],
        ),
    )
    second = db.scalar(select(Appointment).where(Appointment.id != first.id))
    officer = login(world.officer)  # assigned to world.assigned only, not attending
    page = text_of(officer.get(f"/appointments/{first.id}"))
    assert world.assigned.reference in page
    assert world.unassigned.reference not in page
    assert "In the same booking" not in page
    assert officer.get(f"/appointments/{second.id}").status_code == 404
    # the member of staff attending both sees both
    page = text_of(login(world.officer2).get(f"/appointments/{first.id}"))
    assert world.unassigned.reference in page


@pytest.mark.parametrize("bad", ["foreign", "unseen", "abc", "0"])
def test_a_witness_not_of_the_case_or_not_seen_is_a_form_error(db, login, world, bad):
    ids = {
        "foreign": str(world.foreign.id),
        "unseen": str(world.unassigned.id),  # the officer may not see this file
        "abc": "abc",
        "0": "0",
    }
    client = login(world.officer)
    before = (count(db), count(db, AppointmentSlot))
    data = form([world.officer], kind="accompaniment", other_witness_ids=[ids[bad]])
    response = client.submit(f"/witnesses/{world.assigned.id}/appointments/new", data)
    assert response.status_code == 400, text_of(response)[:2000]
    page = text_of(response)
    # said beside the field, even where the form offered nobody to add
    assert 'id="other_witness_ids-error"' in page
    if bad in ("foreign", "unseen"):
        assert "Choose other witnesses of this case whose file you may see." in page
    assert world.unassigned.reference not in page and world.foreign.reference not in page
    assert (count(db), count(db, AppointmentSlot)) == before


def test_a_clash_with_another_booking_keeps_the_group_in_the_suggestions(db, login, world):
    book_appointment(
        db, world.supervisor, world.shared, booking([world.officer], start=at(12, 9, 30))
    )
    client = login(world.supervisor)
    response = client.submit(
        f"/witnesses/{world.assigned.id}/appointments/new", group_form(world, world.unassigned)
    )
    assert response.status_code == 409
    page = text_of(response)
    # the officer clashes once, and each suggestion button sends both witnesses again
    assert page.count(f"{world.officer.name} is already booked") == 1
    assert f'name="other_witness_ids" value="{world.unassigned.id}"' in page
    assert 'name="start" value="10:30"' in page


def test_moving_a_booking_through_the_form_moves_both_and_adds_a_third(
    db, login, world, make_witness
):
    first = book_appointment(
        db,
        world.supervisor,
        world.assigned,
        booking(
            [world.officer],
            kind=AppointmentKind.accompaniment,
            other_witness_ids=[world.unassigned.id],
        ),
    )
    third = make_witness(case=world.case)
    client = login(world.supervisor)
    url = f"/appointments/{first.id}/edit"
    page = text_of(client.get(url))
    # only a witness not yet in the booking is offered
    assert third.reference in page and world.unassigned.reference not in page.split("<form")[1]
    response = client.submit(
        url,
        group_form(world, third, start="13:00", end="14:00", reason="Listed for the afternoon"),
    )
    assert response.status_code == 302, text_of(response)[:2000]
    db.expire_all()  # the request changed the rows this session holds
    rows = db.scalars(select(Appointment).where(Appointment.group_id == first.id)).all()
    assert sorted(a.witness_id for a in rows) == sorted(
        [world.assigned.id, world.unassigned.id, third.id]
    )
    assert {a.start_dt for a in rows} == {at(12, 13)}
