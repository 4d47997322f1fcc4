"""Each post-trial change that matters to the victim queues its letter, only when they accept
post; the letter says what happened (read back with pdftotext); otherwise the reason it was
not queued is audited and the change is kept."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from witness.audit.models import AuditEvent
from witness.letters.models import Letter, LetterStatus
from witness.notify.models import ContactPreference, NewsWanted
from witness.posttrial import evidence
from witness.posttrial import services as s
from witness.posttrial.closure import close_participation
from witness.posttrial.models import ClaimRoute, ClaimStatus, PropertyStatus

from ..letters.conftest import SAFE_ADDRESS, consent_post, pdf_text


@pytest.fixture
def posted(db, after):
    """``after``'s witness accepts post at a safe address (preferences: post, then phone)."""
    w = after
    consent_post(db, w.witness, w.supervisor)
    db.add(
        ContactPreference(
            witness_id=w.witness.id,
            channels=["post", "phone"],
            postal_name="Mai Tran",
            postal_address=SAFE_ADDRESS,
            recorded_by_id=w.officer.id,
        )
    )
    db.flush()
    return w


def _letters(db, witness) -> list[Letter]:
    return list(
        db.scalars(select(Letter).where(Letter.witness_id == witness.id).order_by(Letter.id))
    )


def test_every_change_that_matters_queues_its_letter(db, posted):
    w = posted
    s.offer_impact_statement(db, w.officer, w.witness, w.case, offered_date=date(2026, 3, 1))
    claim = s.lodge_compensation_claim(
        db,
        w.officer,
        w.witness,
        w.case,
        route=ClaimRoute.court_order,
        lodged_date=date(2026, 2, 1),
    )
    s.order_compensation(db, w.officer, claim)
    s.record_compensation_payment(db, w.officer, claim, paid_date=date(2026, 3, 6), amount="400.00")
    item = evidence.record_property_item(
        db, w.officer, w.witness, w.case, description="Passport and two phones"
    )
    evidence.change_property_status(db, w.officer, item, PropertyStatus.ready_for_return)
    close_participation(db, w.supervisor, w.witness, w.case, "Moving on", override=True)
    letters = _letters(db, w.witness)
    assert [letter.kind for letter in letters] == [
        "impact_statement_invitation",
        "compensation_ordered",
        "compensation_payment",
        "property_return",
        "case_closed",
    ]
    assert all(
        letter.status is LetterStatus.queued
        and letter.case_id == w.case.id
        and letter.recipient_address == SAFE_ADDRESS
        for letter in letters
    )
    by_kind = {letter.kind: " ".join(pdf_text(letter.pdf).split()) for letter in letters}
    assert "1,000.00" in by_kind["compensation_ordered"]
    assert "400.00" in by_kind["compensation_payment"]
    assert "600.00" in by_kind["compensation_payment"]  # still to be paid
    assert "Passport and two phones" in by_kind["property_return"]
    assert "impact statement" in by_kind["impact_statement_invitation"]


def test_no_consent_to_post_no_letter_and_the_reason_is_audited(db, posted):
    w = posted
    consent_post(db, w.witness, w.supervisor, granted=False)
    claim = s.lodge_compensation_claim(
        db,
        w.officer,
        w.witness,
        w.case,
        route=ClaimRoute.court_order,
        lodged_date=date(2026, 2, 1),
    )
    s.order_compensation(db, w.officer, claim)
    assert claim.status is ClaimStatus.ordered  # the change is kept
    assert _letters(db, w.witness) == []
    row = db.scalar(select(AuditEvent).where(AuditEvent.action == "posttrial.letter_not_queued"))
    assert row.detail == {
        "case_id": w.case.id,
        "kind": "compensation_ordered",
        "reason": "consent_withdrawn",
    }


@pytest.mark.parametrize(
    ("change", "reason"),
    [("opted_out", "opted_out"), ("phone_only", "channel_not_chosen")],
)
def test_opted_out_or_post_not_chosen_no_letter(db, posted, change, reason):
    w = posted
    preference = db.scalar(select(ContactPreference).filter_by(witness_id=w.witness.id))
    if change == "opted_out":
        preference.news_wanted = NewsWanted.nothing
    else:
        preference.channels = ["phone"]
    db.flush()
    s.offer_impact_statement(db, w.officer, w.witness, w.case, offered_date=date(2026, 3, 1))
    assert _letters(db, w.witness) == []
    row = db.scalar(select(AuditEvent).where(AuditEvent.action == "posttrial.letter_not_queued"))
    assert row.detail["reason"] == reason


def test_a_witness_without_any_address_gets_no_letter(db, after):
    w = after
    consent_post(db, w.witness, w.supervisor)  # consents, but no address anywhere
    s.offer_impact_statement(db, w.officer, w.witness, w.case, offered_date=date(2026, 3, 1))
    assert _letters(db, w.witness) == []
