"""Who answers a witness's requests for their own data: one test per clause of
``core.access_after.can_answer_data_request`` and of the services' check."""

from __future__ import annotations

from datetime import date

import pytest

from witness.auth.models import Role
from witness.core.access_after import can_answer_data_request
from witness.core.errors import AccessDenied
from witness.subject_access import services


def test_a_supervisor_of_the_office_and_the_assigned_officer(world):
    assert can_answer_data_request(world.supervisor, world.assigned)
    assert can_answer_data_request(world.officer, world.assigned)


@pytest.mark.parametrize("who", ["admin", "prosecutor", "ngo_worker", "foreign_admin"])
def test_not_an_administrator_prosecutor_partner_or_other_office(world, who):
    assert not can_answer_data_request(getattr(world, who), world.assigned)


def test_not_a_supervisor_of_another_office(world, make_user):
    other = make_user(Role.supervisor, organisation=world.other_office)
    assert not can_answer_data_request(other, world.assigned)
    assert can_answer_data_request(other, world.foreign)


def test_the_services_refuse_an_officer_not_assigned(db, world):
    """An officer of the office passes the role clause, but not the need to know."""
    with pytest.raises(AccessDenied):
        services.record_access_request(
            db, world.officer2, world.assigned, date(2026, 3, 5), "Seen in person"
        )
    with pytest.raises(AccessDenied):
        services.record_correction_request(
            db, world.officer2, world.assigned, date(2026, 3, 5), "Wrong name"
        )
    asked = services.record_access_request(
        db, world.officer, world.assigned, date(2026, 3, 5), "Seen in person"
    )
    with pytest.raises(AccessDenied):
        services.export_data(db, world.officer2, world.assigned, asked, "json", None)
