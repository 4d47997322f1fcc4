"""Impact statements, compensation and property: every step allowed or refused with a clear
message, and a refused step changes nothing."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from witness.core.errors import AccessDenied, DomainError, InvalidTransition
from witness.outcomes.models import EventKind
from witness.posttrial import evidence
from witness.posttrial import services as s
from witness.posttrial.models import (
    ClaimRoute,
    ClaimStatus,
    CompensationPayment,
    PropertyStatus,
    StatementStatus,
)


def _statement(db, w, **kw):
    return s.offer_impact_statement(
        db, w.officer, w.witness, w.case, offered_date=kw.pop("offered", date(2026, 3, 1)), **kw
    )


# --- impact statement --------------------------------------------------------------------------


def test_statement_walks_offered_written_submitted_considered_tied_to_sentence(
    db, after, audit_actions
):
    w = after
    st = _statement(db, w)
    s.advance_impact_statement(db, w.officer, st, StatementStatus.written, on=date(2026, 3, 2))
    s.advance_impact_statement(db, w.officer, st, StatementStatus.submitted, on=date(2026, 3, 3))
    s.advance_impact_statement(db, w.officer, st, StatementStatus.considered)
    db.refresh(st)
    assert st.status is StatementStatus.considered
    assert (st.written_date, st.submitted_date) == (date(2026, 3, 2), date(2026, 3, 3))
    # tied to the sentence, considered on its day
    assert st.sentence_event_id == w.sentence.id
    assert st.considered_date == date(2026, 3, 5)
    actions = audit_actions(w.witness.id)
    assert actions.count("posttrial.statement_step") == 3
    assert "posttrial.statement_offered" in actions


def test_statement_cannot_skip_a_step_and_nothing_changes(db, after):
    w = after
    st = _statement(db, w)
    with pytest.raises(InvalidTransition) as refused:
        s.advance_impact_statement(db, w.officer, st, StatementStatus.considered)
    assert "offered cannot become considered" in refused.value.message
    assert "allowed next: written, declined" in refused.value.message
    db.refresh(st)
    assert st.status is StatementStatus.offered and st.considered_date is None


def test_considered_is_final_but_a_correction_with_a_reason_moves_it_back(db, after, audit_actions):
    w = after
    st = _statement(db, w)
    for step, day in ((StatementStatus.written, None), (StatementStatus.submitted, None)):
        s.advance_impact_statement(db, w.officer, st, step, on=day or date(2026, 3, 3))
    s.advance_impact_statement(db, w.officer, st, StatementStatus.considered)
    with pytest.raises(InvalidTransition):
        s.advance_impact_statement(
            db, w.officer, st, StatementStatus.submitted, on=date(2026, 3, 4)
        )
    with pytest.raises(DomainError) as no_reason:
        s.correct_impact_statement(db, w.officer, st, StatementStatus.submitted, "  ")
    assert no_reason.value.field == "reason"
    s.correct_impact_statement(
        db,
        w.officer,
        st,
        StatementStatus.submitted,
        "Recorded on the wrong file",
        on=date(2026, 3, 3),
    )
    db.refresh(st)
    assert st.status is StatementStatus.submitted
    assert st.considered_date is None and st.sentence_event_id is None
    assert "posttrial.statement_corrected" in audit_actions(w.witness.id)


def test_statement_dates_in_order_and_never_in_the_future(db, after):
    w = after
    st = _statement(db, w, offered=date(2026, 3, 4))
    with pytest.raises(DomainError, match="before 2026-03-04"):
        s.advance_impact_statement(db, w.officer, st, StatementStatus.written, on=date(2026, 3, 1))
    with pytest.raises(DomainError, match="future"):
        s.advance_impact_statement(db, w.officer, st, StatementStatus.written, on=date(2026, 4, 1))
    with pytest.raises(DomainError, match="Give the date"):
        s.advance_impact_statement(db, w.officer, st, StatementStatus.declined)
        s.advance_impact_statement(db, w.officer, st, StatementStatus.offered)


def test_one_statement_per_witness_and_case(db, after):
    _statement(db, after)
    with pytest.raises(DomainError, match="already recorded"):
        _statement(db, after)


def test_only_the_owning_office_changes_a_statement(db, after):
    w = after
    st = _statement(db, w)
    for outsider in (w.ngo_worker, w.prosecutor, w.foreign_admin):
        with pytest.raises(AccessDenied):
            s.advance_impact_statement(db, outsider, st, StatementStatus.declined)
    assert st.status is StatementStatus.offered


def test_a_witness_not_in_the_case_has_no_statement_in_it(db, after):
    w = after
    with pytest.raises(DomainError, match="not a witness in case"):
        s.offer_impact_statement(
            db, w.supervisor, w.witness, w.other_case, offered_date=date(2026, 3, 1)
        )


# --- compensation ------------------------------------------------------------------------------


def _claim(db, w, **kw):
    kw.setdefault("route", ClaimRoute.court_order)
    kw.setdefault("lodged_date", date(2026, 2, 1))
    return s.lodge_compensation_claim(db, w.officer, w.witness, w.case, **kw)


def test_claim_ordered_from_the_sentence_paid_in_instalments_to_paid(db, after, audit_actions):
    w = after
    claim = _claim(db, w, amount_claimed="1500.00", currency="gbp")
    assert claim.amount_claimed == Decimal("1500.00") and claim.currency == "GBP"
    s.order_compensation(db, w.officer, claim)
    assert claim.status is ClaimStatus.ordered
    assert claim.order_event_id == w.sentence.id and claim.amount_ordered == Decimal("1000.00")
    s.record_compensation_payment(db, w.officer, claim, paid_date=date(2026, 3, 6), amount="400")
    assert claim.status is ClaimStatus.paying
    s.record_compensation_payment(db, w.officer, claim, paid_date=date(2026, 3, 9), amount="600.00")
    assert claim.status is ClaimStatus.paid
    actions = audit_actions(w.witness.id)
    assert actions.count("posttrial.payment_recorded") == 2


def test_instalments_never_exceed_the_order(db, after):
    w = after
    claim = _claim(db, w)
    s.order_compensation(db, w.officer, claim, amount="300")
    s.record_compensation_payment(db, w.officer, claim, paid_date=date(2026, 3, 6), amount="250")
    with pytest.raises(DomainError) as refused:
        s.record_compensation_payment(
            db, w.officer, claim, paid_date=date(2026, 3, 7), amount="50.01"
        )
    assert refused.value.field == "amount"
    assert "Only 50.00 GBP is still owed of the 300.00 ordered" in refused.value.message
    total = db.scalar(
        select(func.sum(CompensationPayment.amount)).where(CompensationPayment.claim_id == claim.id)
    )
    assert total == Decimal("250.00")


def test_paid_claim_takes_no_more_instalments(db, after):
    w = after
    claim = _claim(db, w)
    s.order_compensation(db, w.officer, claim, amount="10")
    s.record_compensation_payment(db, w.officer, claim, paid_date=date(2026, 3, 6), amount="10")
    with pytest.raises(InvalidTransition, match="this one is paid"):
        s.record_compensation_payment(db, w.officer, claim, paid_date=date(2026, 3, 6), amount="1")


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ("12.345", "decimal"),
        ("-5", "without a sign"),
        ("1e3", ""),
        ("0", "above zero"),
        ("\uff11\uff12", ""),  # fullwidth digits
    ],
)
def test_amounts_are_parsed_strictly(db, after, amount, message):
    w = after
    claim = _claim(db, w)
    s.order_compensation(db, w.officer, claim)
    with pytest.raises(DomainError) as refused:
        s.record_compensation_payment(
            db, w.officer, claim, paid_date=date(2026, 3, 6), amount=amount
        )
    assert refused.value.field == "amount"
    assert message in refused.value.message
    assert claim.payments == []


def test_an_order_cannot_exceed_the_courts_and_needs_a_sentence_with_one(
    db, world, after, make_event
):
    w = after
    claim = _claim(db, w)
    with pytest.raises(DomainError, match="cannot be more"):
        s.order_compensation(db, w.officer, claim, amount="1000.01")
    other = s.lodge_compensation_claim(
        db,
        w.supervisor,
        w.unassigned,
        w.case,
        route=ClaimRoute.court_order,
        lodged_date=date(2026, 2, 1),
    )
    with pytest.raises(DomainError, match="Choose a sentence"):
        s.order_compensation(db, w.supervisor, other, order_event_id=w.verdict.id)
    # a corrected sentence is replaced by its correction, which orders nothing
    make_event(
        w.case,
        EventKind.sentence,
        supersedes_id=w.sentence.id,
        correction_reason="typo",
        effective_date=date(2026, 3, 5),
    )
    with pytest.raises(DomainError, match="Record the sentence with its compensation order"):
        s.order_compensation(db, w.officer, claim)
    assert claim.status is ClaimStatus.lodged


def test_a_scheme_award_gives_its_amount_and_currency(db, after):
    w = after
    claim = _claim(db, w, route=ClaimRoute.scheme)
    with pytest.raises(DomainError, match="amount the scheme awarded"):
        s.order_compensation(db, w.officer, claim)
    with pytest.raises(DomainError, match="not a currency"):
        s.order_compensation(db, w.officer, claim, amount="100", currency="XYZ")
    s.order_compensation(db, w.officer, claim, amount="2500", currency="EUR")
    assert (claim.amount_ordered, claim.currency, claim.order_event_id) == (
        Decimal("2500"),
        "EUR",
        None,
    )


def test_refused_only_while_lodged_withdrawn_until_paid(db, after):
    w = after
    claim = _claim(db, w)
    s.order_compensation(db, w.officer, claim)
    with pytest.raises(InvalidTransition, match="ordered cannot be refused"):
        s.end_compensation_claim(db, w.officer, claim, ClaimStatus.refused, "Court said no")
    with pytest.raises(DomainError, match="reason"):
        s.end_compensation_claim(db, w.officer, claim, ClaimStatus.withdrawn, "")
    s.end_compensation_claim(db, w.officer, claim, ClaimStatus.withdrawn, "She chose to stop")
    assert claim.status is ClaimStatus.withdrawn
    with pytest.raises(InvalidTransition):
        s.record_compensation_payment(db, w.officer, claim, paid_date=date(2026, 3, 6), amount="1")


def test_a_claimed_amount_needs_its_currency(db, after):
    with pytest.raises(DomainError) as refused:
        _claim(db, after, amount_claimed="100")
    assert refused.value.field == "currency"


# --- property ----------------------------------------------------------------------------------


def _item(db, w, **kw):
    kw.setdefault("description", "Passport and two phones")
    kw.setdefault("held_at", "Police exhibits store")
    return evidence.record_property_item(db, w.officer, w.witness, w.case, **kw)


def test_property_ready_then_returned_when_to_whom_by_whom(db, after, audit_actions):
    w = after
    item = _item(db, w, held_since=date(2025, 6, 1))
    evidence.change_property_status(db, w.officer, item, PropertyStatus.ready_for_return)
    with pytest.raises(DomainError) as missing:
        evidence.change_property_status(
            db, w.officer, item, PropertyStatus.returned, on=date(2026, 3, 9)
        )
    assert missing.value.field == "returned_to"
    evidence.change_property_status(
        db,
        w.officer,
        item,
        PropertyStatus.returned,
        on=date(2026, 3, 9),
        returned_to="The witness, at the shelter",
        returned_by="PC Evans",
    )
    assert (item.status, item.returned_date, item.returned_by) == (
        PropertyStatus.returned,
        date(2026, 3, 9),
        "PC Evans",
    )
    assert audit_actions(w.witness.id).count("posttrial.property_status") == 2


def test_property_cannot_be_returned_straight_from_held_and_returned_is_final(db, after):
    w = after
    item = _item(db, w)
    with pytest.raises(InvalidTransition, match="held as evidence cannot become returned"):
        evidence.change_property_status(
            db,
            w.officer,
            item,
            PropertyStatus.returned,
            on=date(2026, 3, 9),
            returned_to="x",
            returned_by="y",
        )
    assert item.status is PropertyStatus.held and item.returned_date is None


def test_retained_or_destroyed_only_with_the_order(db, after):
    w = after
    item = _item(db, w)
    with pytest.raises(DomainError) as refused:
        evidence.change_property_status(db, w.officer, item, PropertyStatus.destroyed)
    assert refused.value.field == "order"
    evidence.change_property_status(
        db, w.officer, item, PropertyStatus.retained, order="Order T00001/7 of 5 March 2026"
    )
    assert item.disposal_order == "Order T00001/7 of 5 March 2026"


@pytest.mark.parametrize("field", ["legal_name", "phone", "dob"])
def test_a_description_that_identifies_the_witness_is_refused(db, after, field):
    w = after
    said = {
        "legal_name": f"Bag belonging to {w.witness.legal_name.upper()}",
        "phone": f"Phone ({w.witness.phone})",
        "dob": "ID card, born 1990-01-01",
    }[field]
    with pytest.raises(DomainError) as refused:
        _item(db, w, description=said)
    assert refused.value.message == evidence.IDENTIFYING
