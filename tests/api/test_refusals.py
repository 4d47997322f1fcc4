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


@pytest.mark.parametrize(
    ("method", "url", "detail", "action", "kind"),
    [
        ("get", "/api/v1/support-items/999999", "No such entry.", "support.refused",
         "support_item"),
        ("post", "/api/v1/measures/999999/apply", "No such special measure.", "measure.refused",
         "special_measure"),
        ("get", "/api/v1/hearings/999999", "No such hearing.", "hearing.refused", "hearing"),
        ("get", "/api/v1/appointments/999999", "No such appointment.", "appointment.refused",
         "appointment"),
        ("get", "/api/v1/cases/999999", "No such case.", "case.refused", "case"),
    ],
)  # fmt: skip
def test_a_record_that_is_not_there_is_named_and_audited_on_its_kind(
    api, world, db, method, url, detail, action, kind
):
    """The problem says what was not found; the audit row names the kind of record and the id
    asked for (found by mutation testing: both could be lost unnoticed)."""
    body = assert_problem(getattr(api(world.officer), method)(url), 404)
    assert body["detail"] == detail
    (row,) = refusals(db, world.officer)
    assert (row.action, row.object_type, row.object_id) == (action, kind, 999999)


def test_an_entry_of_a_hidden_witness_reads_as_one_that_is_not_there(api, world, db):
    """Asking for another office's ledger entry gets the same answer as asking for one that
    does not exist, so ids cannot be probed; the refusal is audited on the hidden witness."""
    from ..ledger.conftest import record

    item = record(db, world.officer, world.assigned, world.case)
    db.commit()
    body = assert_problem(api(world.ngo_worker).get(f"/api/v1/support-items/{item.id}"), 404)
    assert body["detail"] == "No such entry."
    (row,) = refusals(db, world.ngo_worker)
    assert (row.action, row.witness_id) == ("witness.refused", world.assigned.id)
