"""Amounts (issue 11, item 12): plain ASCII digits with no more decimals than the currency's
minor unit, refused (never rounded) otherwise, by the form, the API and the service alike; and
the hash takes the stored form, so no accepted value can leave a chain reading broken."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import func, select

from witness.core.errors import DomainError
from witness.ledger import services
from witness.ledger.models import SupportItem

from .conftest import record

pytestmark = pytest.mark.usefixtures("frozen_clock")

FULLWIDTH_12 = "\uff11\uff12"


def _count(db) -> int:
    db.expire_all()
    return db.scalar(select(func.count(SupportItem.id)))


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"value": "-0"}, "value", "without a sign"),
        ({"value": "-0.001"}, "value", "without a sign"),
        ({"value": "12.345"}, "value", "at most 2 decimal places; 12.345 has 3"),
        ({"value": "1_000"}, "value", "Give a number"),
        ({"value": FULLWIDTH_12}, "value", "Give a number"),
        ({"value": "1e3"}, "value", "Give a number"),
        ({"value": "+5"}, "value", "Give a number"),
        ({"value": "12.5", "currency": "JPY"}, "value", "no decimal places"),
        ({"value": "10.234", "currency": "BHD"}, "value", "at most 2 decimal places"),
        ({"quantity": "1.005"}, "quantity", "at most 2 decimal places"),
        ({"quantity": "-0"}, "quantity", "above zero"),
        ({"quantity": "0.00"}, "quantity", "above zero"),
        ({"currency": "XQZ"}, "currency", "not a currency code"),
    ],
)
def test_the_service_refuses_what_decimal_would_read_and_records_nothing(
    db, world, change, field, message
):
    with pytest.raises(DomainError) as raised:
        record(db, world.officer, world.assigned, world.case, **change)
    assert raised.value.field == field and message in raised.value.message
    assert _count(db) == 0


def test_amounts_are_kept_exactly_as_given_in_the_currencys_minor_unit(db, world):
    yen = record(db, world.officer, world.assigned, world.case, value="1200", currency="JPY")
    pounds = record(db, world.officer, world.assigned, world.case, value="12.5", quantity="1.25")
    db.expire_all()
    assert (yen.value, yen.currency) == (Decimal("1200.00"), "JPY")
    assert (pounds.value, pounds.quantity) == (Decimal("12.50"), Decimal("1.25"))
    assert services.verify_chain(db, world.case.id).intact


def test_a_zero_value_item_and_its_reversal_keep_the_chain_intact(db, world):
    """``-item.value`` of a 0.00 item is -0.00: it was hashed as "-0.00" and stored as 0, and
    the chain read broken for ever."""
    free = record(db, world.officer, world.assigned, world.case, value="0")
    reversal = services.reverse_item(db, world.officer, free, "Not given after all")
    db.expire_all()
    assert str(reversal.value) == "0.00"
    status = services.verify_chain(db, world.case.id)
    assert status.intact and status.length == 2


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("-0", "Give zero or more, without a sign"),
        ("1_000", "Give a number"),
        (FULLWIDTH_12, "Give a number"),
        ("12.345", "at most 2 decimal places"),
    ],
)
def test_the_form_refuses_them_beside_the_value(db, world, login, value, message):
    client = login(world.officer)
    response = client.submit(
        f"/witnesses/{world.assigned.id}/ledger/new",
        dict(
            case_id=str(world.case.id),
            category="transport",
            description="Bus fare",
            quantity="1",
            unit="trips",
            value=value,
            currency="GBP",
            date_provided="2026-03-09",
            need_id="",
            rationale="Travel to court",
            record="Record",
        ),
    )
    page = response.get_data(as_text=True).replace("&#39;", "'")
    assert response.status_code == 400
    assert 'id="value"' in page and message in page
    assert _count(db) == 0


def test_an_amount_given_as_a_number_is_read_and_anything_else_is_refused():
    """The API's JSON may carry a number: an integer or a decimal is read as written; a
    true/false, a null, a binary float (12.1 is not 12.10) or a list is refused as not a
    number, never read as 1 or 0 or crashed on."""
    from witness.ledger.money import parse_amount

    def parse(value):
        return parse_amount(value, "value", places=2, positive=False)

    assert parse(12) == Decimal("12.00") and parse(Decimal("1.5")) == Decimal("1.50")
    assert parse(Decimal("1E+1")) == Decimal("10.00")  # written out, not as an exponent
    for value in (True, False, None, 12.1, [1]):
        with pytest.raises(DomainError) as refused:
            parse(value)
        assert (refused.value.field, refused.value.message) == (
            "value",
            "Give a number, e.g. 12.50: digits and at most one decimal point, nothing else.",
        ), value


def test_the_hashed_form_of_an_amount_has_two_places_and_never_a_negative_zero():
    """What the chain hashes (``amount_text``): a reversal's negative value keeps its sign; a
    negative zero (which the databases store as 0.00) is written 0.00."""
    from witness.ledger.money import amount_text

    assert amount_text(Decimal("-12.5")) == "-12.50"
    assert amount_text(Decimal("-0.00")) == amount_text(Decimal("0")) == "0.00"
    assert amount_text(Decimal("7")) == "7.00"


@pytest.mark.parametrize(
    ("value", "places", "positive", "message"),
    [
        ("-5", 2, False,
         "Give zero or more, without a sign: a mistake is corrected by a reversal."),
        ("-5", 2, True, "Give an amount above zero, without a sign."),
        ("12,50", 2, False,
         "Give a number, e.g. 12.50: digits and at most one decimal point, nothing else."),
        ("12.5", 0, False, "Give a whole number: this currency has no decimal places."),
        ("12.345", 2, False, "Give at most 2 decimal places; 12.345 has 3."),
        ("0", 2, True, "Give an amount above zero."),
    ],
)  # fmt: skip
def test_each_refusal_of_an_amount_says_what_to_give(value, places, positive, message):
    from witness.ledger.money import parse_amount

    with pytest.raises(DomainError) as refused:
        parse_amount(value, "value", places=places, positive=positive)
    assert (refused.value.field, refused.value.message) == ("value", message)


def test_the_largest_amount_is_taken_and_one_cent_more_is_refused():
    from witness.ledger.money import MAX_AMOUNT, parse_amount

    assert parse_amount(str(MAX_AMOUNT), "value", places=2, positive=False) == MAX_AMOUNT
    with pytest.raises(DomainError) as refused:
        parse_amount(str(MAX_AMOUNT + Decimal("0.01")), "value", places=2, positive=False)
    assert (refused.value.field, refused.value.message) == (
        "value",
        "Give an amount of at most 9,999,999,999.99.",
    )


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ("", "Give the currency as three letters, e.g. GBP."),
        ("G1P", "Give the currency as three letters, e.g. GBP."),
        ("GBPX", "Give the currency as three letters, e.g. GBP."),
        ("ÄBC", "Give the currency as three letters, e.g. GBP."),
        ("xyz", "XYZ is not a currency code (ISO 4217), e.g. GBP, EUR or THB."),
    ],
)
def test_a_currency_is_three_letters_iso_4217_knows(given, message):
    from witness.ledger.money import currency_code

    assert currency_code(" thb ") == "THB"
    with pytest.raises(DomainError) as refused:
        currency_code(given)
    assert (refused.value.field, refused.value.message) == ("currency", message)
