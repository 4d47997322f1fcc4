"""The witness page leads to booking and to the witness's own calendar feed, for the office."""

from __future__ import annotations


def test_the_office_sees_booking_and_feed_links(login, world):
    page = login(world.officer).get(f"/witnesses/{world.assigned.id}").get_data(as_text=True)
    assert f'href="/witnesses/{world.assigned.id}/appointments/new"' in page
    assert f'href="/witnesses/{world.assigned.id}/feeds"' in page


def test_an_ngo_worker_sees_neither(login, world):
    page = login(world.ngo_worker).get(f"/witnesses/{world.shared.id}").get_data(as_text=True)
    assert "/appointments/new" not in page
    assert f"/witnesses/{world.shared.id}/feeds" not in page
