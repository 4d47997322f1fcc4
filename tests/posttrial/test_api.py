"""The API of post-trial matters: the same rules as the pages, in problem details."""

from __future__ import annotations

from sqlalchemy import func, select

from witness.audit.models import AuditEvent
from witness.people.models import Phase
from witness.posttrial.models import CompensationPayment, ImpactStatement, PropertyItem

PROBLEM = "application/problem+json"


def _base(w, witness=None, case=None) -> str:
    return f"/api/v1/witnesses/{(witness or w.witness).id}/cases/{(case or w.case).id}"


def test_offer_step_and_read_back(db, after, api):
    w = after
    client = api(w.officer)
    r = client.post(f"{_base(w)}/impact-statements", json={"offered_date": "2026-03-01"})
    assert r.status_code == 201, r.json
    sid = r.json["id"]
    for status, day in (("written", "2026-03-02"), ("submitted", "2026-03-03")):
        r = client.post(
            f"/api/v1/impact-statements/{sid}/steps", json={"status": status, "on": day}
        )
        assert r.status_code == 201, r.json
    r = client.post(f"/api/v1/impact-statements/{sid}/steps", json={"status": "considered"})
    assert r.json["sentence_event_id"] == w.sentence.id
    assert r.json["considered_date"] == "2026-03-05"
    body = client.get(f"{_base(w)}/after-trial").json
    assert body["statements"][0]["status"] == "considered"
    checks = {c["key"]: c["done"] for c in body["checklist"]}
    assert checks["statement"] is True and body["can_close"] is False


def test_a_skipped_step_is_a_409_and_changes_nothing(db, after, api):
    w = after
    client = api(w.officer)
    sid = client.post(f"{_base(w)}/impact-statements", json={"offered_date": "2026-03-01"}).json[
        "id"
    ]
    r = client.post(f"/api/v1/impact-statements/{sid}/steps", json={"status": "considered"})
    assert r.status_code == 409 and r.content_type == PROBLEM
    assert "allowed next: written, declined" in r.json["detail"]
    assert db.get(ImpactStatement, sid).status.value == "offered"


def test_instalments_never_exceed_the_order(db, after, api):
    w = after
    client = api(w.officer)
    claim = client.post(
        f"{_base(w)}/compensation-claims",
        json={"route": "court_order", "lodged_date": "2026-02-01"},
    ).json
    r = client.post(f"/api/v1/compensation-claims/{claim['id']}/order", json={})
    assert r.status_code == 201 and r.json["amount_ordered"] == "1000.00"
    url = f"/api/v1/compensation-claims/{claim['id']}/payments"
    r = client.post(url, json={"paid_date": "2026-03-06", "amount": "999.99"})
    assert r.status_code == 201 and r.json["outstanding"] == "0.01"
    r = client.post(url, json={"paid_date": "2026-03-06", "amount": "0.02"})
    assert r.status_code == 422 and "amount" in r.json["errors"]
    r = client.post(url, json={"paid_date": "2026-03-06", "amount": "0.01"})
    assert r.json["status"] == "paid" and r.json["outstanding"] == "0.00"
    assert db.scalar(select(func.count(CompensationPayment.id))) == 2


def test_bad_bodies_are_4xx_problems(db, after, api):
    w = after
    client = api(w.officer)
    for path, body in (
        ("/impact-statements", {"offered_date": "not a date"}),
        ("/impact-statements", {"offered_date": "2026-03-01", "extra": 1}),
        (
            "/compensation-claims",
            {
                "route": "court_order",
                "lodged_date": "2026-02-01",
                "amount_claimed": 12.5,
                "currency": "GBP",
            },
        ),
        (
            "/compensation-claims",
            {
                "route": "court_order",
                "lodged_date": "2026-02-01",
                "amount_claimed": "12.345",
                "currency": "GBP",
            },
        ),
        ("/property", {"description": f"Bag of {w.witness.legal_name}"}),
        ("/property", {"description": ["list"]}),
        ("/closure", {}),
    ):
        r = client.post(f"{_base(w)}{path}", json=body)
        assert 400 <= r.status_code < 500 and r.content_type == PROBLEM, (path, r.status_code)
    assert db.scalar(select(func.count(PropertyItem.id))) == 0


def test_ngo_reads_shared_but_may_not_change_and_others_get_404(db, after, api):
    w = after
    ngo = api(w.ngo_worker)
    shared = _base(w, witness=w.shared, case=w.other_case)
    assert ngo.get(f"{shared}/after-trial").status_code == 200
    r = ngo.post(f"{shared}/property", json={"description": "Bag"})
    assert r.status_code == 403
    assert db.scalar(select(func.count(PropertyItem.id))) == 0
    assert ngo.get(f"{_base(w)}/after-trial").status_code == 404
    assert api(w.foreign_admin).get(f"{_base(w)}/after-trial").status_code == 404
    assert api(w.supervisor).get(f"{_base(w, case=w.other_case)}/after-trial").status_code == 404
    refusals = db.scalars(select(AuditEvent.action).where(AuditEvent.action.like("%refused"))).all()
    assert "property_item.change_refused" in refusals
    assert "posttrial.refused" in refusals and "witness.refused" in refusals


def test_close_refused_then_overridden(db, after, api):
    w = after
    r = api(w.officer).post(f"{_base(w)}/closure", json={"reason": "Done"})
    assert r.status_code == 409 and "Not closed" in r.json["detail"]
    r = api(w.supervisor).post(
        f"{_base(w)}/closure", json={"reason": "Returned home", "override": True}
    )
    assert r.status_code == 201 and r.json["phase"] == "closed"
    db.refresh(w.witness.participations[0])
    assert w.witness.participations[0].phase is Phase.closed


def test_a_statement_claim_or_item_out_of_sight_is_named_in_the_404_and_audited(db, after, api):
    """The problem says which kind of record was not found; the refusal is audited on that
    kind of record, and on its witness when there is one (their "who looked" page lists it)."""
    w = after
    client = api(w.officer)
    sid = client.post(f"{_base(w)}/impact-statements", json={"offered_date": "2026-03-01"})
    sid = sid.json["id"]
    r = client.post("/api/v1/impact-statements/999999/steps", json={"status": "declined"})
    assert r.status_code == 404 and r.json["detail"] == "No such impact statement."
    r = api(w.foreign_admin).post(
        f"/api/v1/impact-statements/{sid}/steps", json={"status": "declined"}
    )
    assert r.status_code == 404 and r.json["detail"] == "No such impact statement."
    events = db.scalars(
        select(AuditEvent).where(AuditEvent.action == "impact_statement.refused")
    ).all()
    assert {(e.actor_id, e.object_type, e.object_id, e.witness_id) for e in events} == {
        (w.officer.id, "impact_statement", 999999, None),
        (w.foreign_admin.id, "impact_statement", sid, w.assigned.id),
    }
