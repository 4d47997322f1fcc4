"""Every refusal the API answers is audited, once: an id that is not there as well as a record
the caller may not see."""

import pytest
from sqlalchemy import select

from witness.audit.models import AuditEvent

from .conftest import assert_problem


def refusals(db, actor) -> list[AuditEvent]:
    rows = db.scalars(select(AuditEvent).where(AuditEvent.actor_id == actor.id))
    return [row for row in rows if row.action.endswith("refused")]


@pytest.mark.parametrize(
    "url",
    ["/api/v1/participations/999999", "/api/v1/defendants/999999", "/api/v1/resources/999999"],
)
def test_an_id_that_is_not_there_is_audited(api, world, db, url):
    assert_problem(api(world.officer).get(url), 404)
    (row,) = refusals(db, world.officer)
    assert row.action == "api.refused"
    assert (row.detail["status"], row.detail["path"], row.detail["method"]) == (404, url, "GET")


def test_a_hidden_witness_is_audited_once(api, world, db):
    assert_problem(api(world.officer).get(f"/api/v1/witnesses/{world.foreign.id}"), 404)
    (row,) = refusals(db, world.officer)
    assert (row.action, row.witness_id) == ("witness.refused", world.foreign.id)
