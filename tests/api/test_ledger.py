"""The support ledger over the API: record, approve, reverse, chain status; nothing else."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select, text

from witness.ledger.models import SupportItem

from ..ledger.conftest import drop_update_guard
from .conftest import assert_problem, audit_count

pytestmark = pytest.mark.usefixtures("frozen_clock")


def _item(world, **kw):
    body = {
        "case_id": world.case.id,
        "category": "transport",
        "description": "Taxi to the hearing",
        "quantity": "1",
        "unit": "trip",
        "value": "35.00",
        "currency": "gbp",
        "date_provided": "2026-03-09",
        "rationale": "Intimidation risk on public transport",
    }
    body.update(kw)
    return body


def _count(db) -> int:
    return db.scalar(select(func.count(SupportItem.id)))


def test_record_list_and_fetch(api, world):
    officer = api(world.officer)
    created = officer.post(
        f"/api/v1/witnesses/{world.assigned.id}/support-items", json=_item(world)
    )
    assert created.status_code == 201, created.get_data(as_text=True)
    body = created.get_json()
    assert body["value"] == "35.00" and body["currency"] == "GBP"
    assert body["needs_approval"] is False and body["chain_seq"] == 1
    listed = officer.get(f"/api/v1/witnesses/{world.assigned.id}/support-items").get_json()
    assert [i["id"] for i in listed["items"]] == [body["id"]]
    one = officer.get(f"/api/v1/support-items/{body['id']}").get_json()
    assert one["rationale"] == "Intimidation risk on public transport"


def test_cash_waits_for_a_second_person(api, world):
    created = (
        api(world.officer)
        .post(
            f"/api/v1/witnesses/{world.assigned.id}/support-items",
            json=_item(world, is_cash=True, value="20"),
        )
        .get_json()
    )
    assert created["needs_approval"] is True and created["approved_by_id"] is None
    url = f"/api/v1/support-items/{created['id']}/approval"
    assert_problem(api(world.officer).post(url, json={}), 403)
    approved = api(world.supervisor).post(url, json={"note": "Receipt seen"})
    assert approved.status_code == 201
    assert approved.get_json()["approved_by_id"] == world.supervisor.id
    assert_problem(api(world.supervisor).post(url, json={}), 409)


def test_reversal_and_chain_status(api, world):
    officer = api(world.officer)
    created = officer.post(
        f"/api/v1/witnesses/{world.assigned.id}/support-items", json=_item(world)
    ).get_json()
    reversal = officer.post(
        f"/api/v1/support-items/{created['id']}/reversals", json={"reason": "Entered twice"}
    )
    assert reversal.status_code == 201
    assert reversal.get_json()["value"] == "-35.00"
    assert reversal.get_json()["reverses_id"] == created["id"]
    assert_problem(
        officer.post(f"/api/v1/support-items/{created['id']}/reversals", json={"reason": "x"}),
        409,
    )
    chain = api(world.prosecutor).get(f"/api/v1/cases/{world.case.id}/ledger-chain").get_json()
    assert chain == {
        "case_id": world.case.id,
        "state": "intact",
        "intact": True,
        "whole": True,
        "entries": 2,
        "head_hash": reversal.get_json()["entry_hash"],
        "broken": [],
        "unverifiable": [],
        "unkeyed": 0,
        "unchained_approvals": 0,
    }


def test_the_chain_endpoint_names_an_altered_entry(api, world, db, db_owner):
    created = (
        api(world.officer)
        .post(f"/api/v1/witnesses/{world.assigned.id}/support-items", json=_item(world))
        .get_json()
    )
    drop_update_guard(db)
    db.execute(text("UPDATE support_items SET value = 3 WHERE id = :id"), {"id": created["id"]})
    chain = api(world.supervisor).get(f"/api/v1/cases/{world.case.id}/ledger-chain").get_json()
    assert chain["intact"] is False and chain["state"] == "broken"
    assert [p["entry"] for p in chain["broken"]] == [created["entry"]] == [1]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"rationale": ""}, "rationale"),
        ({"value": "-1"}, "value"),
        ({"value": "NaN"}, "value"),
        ({"currency": "GB"}, "currency"),
        ({"date_provided": "2026-03-11"}, "date_provided"),
        ({"description": "a\nb"}, "description"),
    ],
)
def test_bad_items_are_422_and_change_nothing(api, world, db, change, field):
    before = _count(db)
    response = api(world.officer).post(
        f"/api/v1/witnesses/{world.assigned.id}/support-items", json=_item(world, **change)
    )
    body = assert_problem(response, 422)
    assert field in body["errors"]
    assert _count(db) == before


def test_no_update_or_delete_endpoints_exist(api, world):
    created = (
        api(world.officer)
        .post(f"/api/v1/witnesses/{world.assigned.id}/support-items", json=_item(world))
        .get_json()
    )
    for method in ("PATCH", "PUT", "DELETE"):
        response = api(world.officer).open(method, f"/api/v1/support-items/{created['id']}")
        assert_problem(response, 405)


def test_refused_witness_is_404_and_audited(api, world, db):
    response = api(world.ngo_worker).get(f"/api/v1/witnesses/{world.assigned.id}/support-items")
    assert_problem(response, 404)
    assert audit_count(db, "witness.refused", world.ngo_worker) == 1


# --- amounts (issue 11, item 12) ---

FULLWIDTH_12 = "\uff11\uff12"


@pytest.mark.parametrize(
    "value", ["-0", "-0.001", "1_000", FULLWIDTH_12, "12.345", "1e3", 12.5, "12.50 "]
)
def test_the_api_refuses_them_naming_the_field(api, world, db, value):
    response = api(world.officer).post(
        f"/api/v1/witnesses/{world.assigned.id}/support-items",
        json={
            "case_id": world.case.id,
            "category": "transport",
            "description": "Taxi",
            "quantity": "1",
            "unit": "trip",
            "value": value,
            "currency": "GBP",
            "date_provided": "2026-03-09",
            "rationale": "No bus",
        },
    )
    body = assert_problem(response, 422)
    assert list(body["errors"]) == ["value"]
    assert _count(db) == 0
    assert audit_count(db, "support.record") == 0


def test_the_api_documents_amounts_as_strings_of_digits(api, world):
    document = api(world.officer).get("/api/v1/openapi.json").get_json()
    value = document["components"]["schemas"]["SupportItemInput"]["properties"]["value"]
    assert value["type"] == "string" and value["pattern"] == "^[0-9]+(\\.[0-9]+)?$"


# --- refusals audited (issue 26), counts and anchors (issue 7, item 16) ---


def test_a_need_of_another_witness_is_422_and_audited(api, world, db):
    from datetime import date

    from witness.people.models import NeedArea, NeedsAssessment

    need = NeedsAssessment(
        witness_id=world.unassigned.id,
        area=NeedArea.transport,
        notes="x",
        review_date=date(2026, 4, 1),
        recorded_by_id=world.supervisor.id,
    )
    db.add(need)
    db.flush()
    response = api(world.officer).post(
        f"/api/v1/witnesses/{world.assigned.id}/support-items", json=_item(world, need_id=need.id)
    )
    body = assert_problem(response, 422)
    assert body["errors"] == {"need_id": ["Choose one of the witness's assessed needs."]}
    assert audit_count(db, "support.need_refused", world.officer) == 1
    assert _count(db) == 0


def test_an_unknown_entry_is_404_and_audited(api, world, db):
    assert_problem(api(world.officer).get("/api/v1/support-items/999999"), 404)
    assert audit_count(db, "support.refused", world.officer) == 1


def test_the_chain_gives_its_anchor_to_the_lead_prosecutor_only(api, world):
    officer = api(world.officer)
    mine = officer.post(
        f"/api/v1/witnesses/{world.assigned.id}/support-items", json=_item(world)
    ).get_json()
    api(world.supervisor).post(
        f"/api/v1/witnesses/{world.unassigned.id}/support-items", json=_item(world)
    )
    url = f"/api/v1/cases/{world.case.id}/ledger-chain"
    lead = api(world.prosecutor).get(url).get_json()
    assert (lead["whole"], lead["entries"], lead["state"]) == (True, 2, "intact")
    assert lead["head_hash"] is not None and lead["head_hash"] != mine["entry_hash"]
    partial = officer.get(url).get_json()
    assert (partial["whole"], partial["entries"], partial["head_hash"]) == (False, 1, None)
    assert partial["intact"] is True
