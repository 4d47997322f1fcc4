"""The "After the trial" page: the office changes, an NGO worker under a sharing consent
reads, anyone else gets an audited 404; bad input is a 400 with the message and changes
nothing; the supervisors' list of open matters."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import func, select

from witness.audit.models import AuditEvent
from witness.people.models import Phase
from witness.posttrial import evidence
from witness.posttrial import services as s
from witness.posttrial.models import (
    ClaimRoute,
    ClaimStatus,
    CompensationClaim,
    CompensationPayment,
    ImpactStatement,
    PropertyItem,
    StatementStatus,
)


def _url(w, witness=None, case=None, tail=""):
    witness = witness or w.witness
    return f"/after-trial/witnesses/{witness.id}/cases/{(case or w.case).id}{tail}"


def _refusals(db, action_like: str) -> int:
    return db.scalar(select(func.count(AuditEvent.id)).where(AuditEvent.action.like(action_like)))


def test_officer_records_the_four_parts_through_the_page(db, after, login):
    w = after
    client = login(w.officer)
    page = client.get(_url(w))
    assert page.status_code == 200
    assert "Closing checklist" in page.get_data(as_text=True)
    r = client.submit(_url(w, tail="/statement"), {"offered_date": "2026-03-01"})
    assert r.status_code == 302
    statement = db.scalar(select(ImpactStatement).filter_by(witness_id=w.witness.id))
    assert statement.status is StatementStatus.offered
    r = client.submit(
        _url(w, tail="/claims"),
        {"route": "court_order", "lodged_date": "2026-02-01", "amount_claimed": "", "currency": ""},
    )
    assert r.status_code == 302
    claim = db.scalar(select(CompensationClaim).filter_by(witness_id=w.witness.id))
    assert client.submit(_url(w, tail=f"/claims/{claim.id}/order"), {}).status_code == 302
    r = client.submit(
        _url(w, tail=f"/claims/{claim.id}/payments"),
        {"paid_date": "2026-03-06", "amount": "250.00"},
    )
    assert r.status_code == 302
    db.refresh(claim)
    assert claim.status is ClaimStatus.paying
    r = client.submit(
        _url(w, tail="/property"), {"description": "Two phones", "held_at": "Police store"}
    )
    assert r.status_code == 302
    text = client.get(_url(w)).get_data(as_text=True)
    assert "750.00 GBP" in text  # the outstanding balance
    assert "Two phones" in text and "payment recorded" in text


def test_an_instalment_above_the_order_is_a_400_with_the_message(db, after, login):
    w = after
    claim = s.lodge_compensation_claim(
        db,
        w.officer,
        w.witness,
        w.case,
        route=ClaimRoute.court_order,
        lodged_date=date(2026, 2, 1),
    )
    s.order_compensation(db, w.officer, claim, amount="100")
    client = login(w.officer)
    r = client.submit(
        _url(w, tail=f"/claims/{claim.id}/payments"),
        {"paid_date": "2026-03-06", "amount": "100.01"},
    )
    assert r.status_code == 400
    assert "Only 100.00 GBP is still owed" in r.get_data(as_text=True)
    assert db.scalar(select(func.count(CompensationPayment.id))) == 0


def test_a_skipped_step_is_refused_with_the_allowed_ones(db, after, login):
    w = after
    st = s.offer_impact_statement(db, w.officer, w.witness, w.case, offered_date=date(2026, 3, 1))
    r = login(w.officer).submit(
        _url(w, tail=f"/statement/{st.id}/step"), {"target": "considered", "sentence_event_id": ""}
    )
    assert r.status_code == 400
    assert "allowed next: written, declined" in r.get_data(as_text=True)
    db.refresh(st)
    assert st.status is StatementStatus.offered


def test_bad_input_is_a_400_never_a_500(db, after, login):
    w = after
    client = login(w.officer)
    for tail, data in (
        ("/statement", {"offered_date": "yesterday"}),
        ("/statement", {"offered_date": "2026-13-45"}),
        ("/claims", {"route": "lottery", "lodged_date": "2026-02-01"}),
        ("/claims", {"route": "scheme", "lodged_date": "2026-02-01", "amount_claimed": "1e9"}),
        ("/property", {"description": "a\u202ebag"}),
        ("/property", {"description": ""}),
        ("/close", {"reason": ""}),
    ):
        r = client.submit(_url(w, tail=tail), data)
        assert r.status_code == 400, (tail, data, r.status_code)
    assert db.scalar(select(func.count(PropertyItem.id))) == 0
    assert db.scalar(select(func.count(CompensationClaim.id))) == 0


def test_close_through_the_page_refused_then_overridden_by_a_supervisor(db, after, login):
    w = after
    r = login(w.officer).submit(_url(w, tail="/close"), {"reason": "Done"})
    assert r.status_code == 400
    assert "Not closed: impact statement resolved" in r.get_data(as_text=True)
    participation = w.witness.participations[0]
    db.refresh(participation)
    assert participation.phase is Phase.reflection
    r = login(w.supervisor).submit(
        _url(w, tail="/close"), {"reason": "Left the country", "override": "y"}
    )
    assert r.status_code == 302
    db.refresh(participation)
    assert participation.phase is Phase.closed
    assert _refusals(db, "posttrial.closure_override") == 1


def test_ngo_worker_reads_a_shared_witness_but_changes_nothing(db, after, login):
    w = after
    shared = w.shared  # in other_case, shares with the NGO
    url = _url(w, witness=shared, case=w.other_case)
    client = login(w.ngo_worker)
    page = client.get(url)
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "You can read this page" in text and "Record the offer" not in text
    r = client.submit(f"{url}/statement", {"offered_date": "2026-03-01"})
    assert r.status_code == 404
    assert db.scalar(select(func.count(ImpactStatement.id))) == 0
    assert _refusals(db, "witness.change_refused") == 1


def test_need_to_know_404s_are_audited(db, after, login):
    w = after
    # an NGO worker and a witness that does not share with them
    r = login(w.ngo_worker).get(_url(w))
    assert r.status_code == 404
    assert _refusals(db, "witness.refused") == 1
    # another office's administrator
    r = login(w.foreign_admin).submit(_url(w, tail="/property"), {"description": "Bag"})
    assert r.status_code == 404
    # the right witness in a case they are not in
    r = login(w.supervisor).get(_url(w, case=w.other_case))
    assert r.status_code == 404
    assert _refusals(db, "posttrial.refused") == 1


def test_a_record_of_another_witness_is_a_404(db, after, login):
    w = after
    other = s.offer_impact_statement(
        db, w.supervisor, w.unassigned, w.case, offered_date=date(2026, 3, 1)
    )
    r = login(w.supervisor).submit(
        _url(w, tail=f"/statement/{other.id}/step"), {"target": "declined"}
    )
    assert r.status_code == 404
    db.refresh(other)
    assert other.status is StatementStatus.offered
    assert _refusals(db, "posttrial.refused") == 1


def test_office_list_for_supervisors_only(db, after, login):
    w = after
    claim = s.lodge_compensation_claim(
        db,
        w.officer,
        w.witness,
        w.case,
        route=ClaimRoute.court_order,
        lodged_date=date(2026, 2, 1),
    )
    s.order_compensation(db, w.officer, claim)
    s.record_compensation_payment(
        db, w.officer, claim, paid_date=date(2026, 3, 6), amount=Decimal("400")
    )
    evidence.record_property_item(
        db, w.officer, w.witness, w.case, description="Passport", held_at="Court exhibits"
    )
    text = login(w.supervisor).get("/after-trial/").get_data(as_text=True)
    assert "600.00 GBP" in text and "Passport" in text and w.witness.reference in text
    assert login(w.officer).get("/after-trial/").status_code == 404
    assert _refusals(db, "posttrial.office_refused") == 1
    assert "Passport" not in login(w.foreign_admin).get("/after-trial/").get_data(as_text=True)


def test_the_witness_page_links_to_after_the_trial(after, login):
    w = after
    text = login(w.officer).get(f"/witnesses/{w.witness.id}").get_data(as_text=True)
    assert _url(w) in text
