"""``trial``: ``world`` with a defendant on remand in ``world.case`` (custody number A1234BC),
another in ``world.other_case``, and the case's victims (``assigned``, ``unassigned``) in
pre-trial and trial."""

import pytest
from sqlalchemy import select

from witness.cases.models import CustodyStatus, Defendant
from witness.people.models import Participation, Phase


@pytest.fixture
def trial(db, world, frozen_clock):
    def case_participations():
        query = select(Participation).where(Participation.case_id == world.case.id)
        return list(db.scalars(query.order_by(Participation.id)))

    world.case_participations = case_participations
    for participation, phase in zip(
        case_participations(), (Phase.pre_trial, Phase.trial), strict=True
    ):
        participation.phase = phase
    world.defendant = Defendant(
        case_id=world.case.id,
        name="Dan Fendant",
        custody_status=CustodyStatus.remanded,
        custody_number="A1234BC",
    )
    world.other_defendant = Defendant(
        case_id=world.other_case.id,
        name="Other Fendant",
        custody_status=CustodyStatus.on_bail,
        custody_number="Z9999ZZ",
    )
    db.add_all([world.defendant, world.other_defendant])
    db.flush()
    return world
