"""The approval threshold is per currency: 150 THB is small change, 150 GBP needs approval; a
currency with no threshold of its own takes the single one; a bad setting stops start-up."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select

from witness.config import DEFAULT_APPROVAL_THRESHOLDS, ConfigError, build_config
from witness.ledger.models import SupportItem
from witness.ledger.services import approval_threshold

from ..api.conftest import ApiClient, token_for  # noqa: F401
from .test_views import _form

pytestmark = pytest.mark.usefixtures("frozen_clock")


@pytest.fixture
def thresholds(app):
    """Set the app's thresholds for one test: ``thresholds({"GBP": "100"}, fallback="50")``."""
    saved = {
        k: app.config.get(k) for k in ("LEDGER_APPROVAL_THRESHOLDS", "LEDGER_APPROVAL_THRESHOLD")
    }

    def configure(per_currency: dict[str, str], fallback: str = "100") -> None:
        app.config["LEDGER_APPROVAL_THRESHOLDS"] = {k: Decimal(v) for k, v in per_currency.items()}
        app.config["LEDGER_APPROVAL_THRESHOLD"] = Decimal(fallback)

    yield configure
    app.config.update(saved)


def _needs_approval(db, description: str) -> bool:
    db.expire_all()
    return db.scalar(
        select(SupportItem.needs_approval).where(SupportItem.description == description)
    )


def test_the_threshold_of_the_currency_else_the_single_one():
    config = {
        "LEDGER_APPROVAL_THRESHOLDS": {"THB": Decimal("4000")},
        "LEDGER_APPROVAL_THRESHOLD": 50,
    }
    assert approval_threshold("THB", config) == Decimal("4000")
    assert approval_threshold(" thb ", config) == Decimal("4000")
    assert approval_threshold("EUR", config) == Decimal("50")
    # with no configuration: the built-in ones, and 100 for the rest
    assert approval_threshold("AUD") == DEFAULT_APPROVAL_THRESHOLDS["AUD"] == Decimal("200")
    assert approval_threshold("EUR") == Decimal("100")


def test_the_form_applies_the_currencys_threshold(db, world, login, thresholds):
    thresholds({"GBP": "100", "THB": "4000"}, fallback="60")
    client = login(world.officer)
    url = f"/witnesses/{world.assigned.id}/ledger/new"
    page = client.get(url).get_data(as_text=True)
    assert "above 100.00 GBP it needs approval" in page
    for currency, description in (("THB", "Bus fare THB"), ("GBP", "Bus fare GBP")):
        response = client.submit(
            url, _form(world, value="150", currency=currency, description=description)
        )
        assert response.status_code == 302, response.get_data(as_text=True)
    assert _needs_approval(db, "Bus fare THB") is False
    assert _needs_approval(db, "Bus fare GBP") is True
    # an unlisted currency: the single threshold
    client.submit(url, _form(world, value="70", currency="EUR", description="Bus fare EUR"))
    assert _needs_approval(db, "Bus fare EUR") is True
    # the hint follows the currency chosen when the form comes back
    page = client.submit(url, _form(world, value="x", currency="thb")).get_data(as_text=True)
    assert "above 4000.00 THB it needs approval" in page


def test_the_api_applies_the_currencys_threshold(app, db, world, token_for, thresholds):  # noqa: F811
    thresholds({"GBP": "100", "THB": "4000"}, fallback="60")
    client = ApiClient(app.test_client(), token_for(world.officer))
    url = f"/api/v1/witnesses/{world.assigned.id}/support-items"
    body = {
        "case_id": world.case.id,
        "category": "transport",
        "description": "Taxi to the hearing",
        "quantity": "1",
        "unit": "trip",
        "date_provided": "2026-03-09",
        "rationale": "Intimidation risk on public transport",
    }
    approvals = {}
    for currency, value in (("thb", "150"), ("GBP", "150"), ("EUR", "60"), ("EUR", "60.01")):
        created = client.post(url, json={**body, "currency": currency, "value": value})
        assert created.status_code == 201, created.get_data(as_text=True)
        approvals[(currency, value)] = created.get_json()["needs_approval"]
    assert approvals == {
        ("thb", "150"): False,
        ("GBP", "150"): True,
        ("EUR", "60"): False,
        ("EUR", "60.01"): True,
    }


def test_thresholds_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("WITNESS_LEDGER_APPROVAL_THRESHOLDS", " gbp=120, EUR=120.50 ,")
    monkeypatch.setenv("WITNESS_LEDGER_APPROVAL_THRESHOLD", "80")
    config = build_config(tmp_path)
    # the single threshold was set: it holds for every currency not given its own, and the
    # built-in ones (4000 THB) do not loosen it
    assert config["LEDGER_APPROVAL_THRESHOLDS"] == {
        "GBP": Decimal("120"),
        "EUR": Decimal("120.50"),
    }
    assert config["LEDGER_APPROVAL_THRESHOLD"] == Decimal("80")
    assert approval_threshold("USD", config) == Decimal("80")
    assert approval_threshold("THB", config) == Decimal("80")
    monkeypatch.delenv("WITNESS_LEDGER_APPROVAL_THRESHOLD")
    config = build_config(tmp_path)
    assert approval_threshold("THB", config) == Decimal("4000")
    assert approval_threshold("GBP", config) == Decimal("120")
    monkeypatch.delenv("WITNESS_LEDGER_APPROVAL_THRESHOLDS")
    config = build_config(tmp_path)
    assert config["LEDGER_APPROVAL_THRESHOLDS"] == DEFAULT_APPROVAL_THRESHOLDS
    assert config["LEDGER_APPROVAL_THRESHOLD"] == Decimal("100")


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"WITNESS_LEDGER_APPROVAL_THRESHOLDS": "GBP:100"}, "CURRENCY=AMOUNT pairs"),
        ({"WITNESS_LEDGER_APPROVAL_THRESHOLDS": "POUND=100"}, "CURRENCY=AMOUNT pairs"),
        ({"WITNESS_LEDGER_APPROVAL_THRESHOLDS": "GBP=lots"}, r"THRESHOLDS \(GBP\) must be an"),
        ({"WITNESS_LEDGER_APPROVAL_THRESHOLDS": "GBP=-1"}, r"THRESHOLDS \(GBP\) must be an"),
        ({"WITNESS_LEDGER_APPROVAL_THRESHOLDS": "GBP=1,gbp=2"}, "gives GBP twice"),
        ({"WITNESS_LEDGER_APPROVAL_THRESHOLD": "NaN"}, "THRESHOLD must be an amount"),
        # what Decimal reads but no one means (issue 11, item 12)
        ({"WITNESS_LEDGER_APPROVAL_THRESHOLDS": "GBP=1_000"}, r"THRESHOLDS \(GBP\) must be"),
        ({"WITNESS_LEDGER_APPROVAL_THRESHOLDS": "GBP=-0"}, r"THRESHOLDS \(GBP\) must be"),
        ({"WITNESS_LEDGER_APPROVAL_THRESHOLD": "\uff11\uff10\uff10"}, "THRESHOLD must be"),
        ({"WITNESS_LEDGER_APPROVAL_THRESHOLD": "1e2"}, "THRESHOLD must be an amount"),
        ({"WITNESS_DISCLOSURE_INLINE_MAX": "2k"}, "INLINE_MAX must be a whole number"),
    ],
)
def test_bad_thresholds_stop_start_up_with_a_clear_message(monkeypatch, tmp_path, env, message):
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError, match=message):
        build_config(tmp_path)
