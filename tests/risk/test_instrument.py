"""The level rule, one test per line of its table, and the instrument's versions."""

import pytest

from witness.risk.instrument import (
    RISK_INSTRUMENTS,
    RiskLevel,
    factors_of,
    level_for,
)


def _answers(present=(), unknown=(), version="v1"):
    return {
        f.key: "present" if f.key in present else "unknown" if f.key in unknown else "absent"
        for f in factors_of(version)
    }


@pytest.mark.parametrize(
    ("present", "unknown", "level", "rule"),
    [
        ({"threats", "accused_at_large"}, (), RiskLevel.critical, "1"),
        ({"re_trafficking", "accused_at_large", "debts"}, (), RiskLevel.critical, "1"),
        ({"location_known"}, (), RiskLevel.high, "2"),
        ({"prior_violence"}, {"accused_at_large"}, RiskLevel.high, "2"),
        ({"debts", "immigration", "accused_at_large"}, (), RiskLevel.high, "3"),
        ({"debts", "media"}, (), RiskLevel.medium, "4"),
        ({"accused_at_large"}, (), RiskLevel.medium, "4"),
        ((), {"threats"}, RiskLevel.medium, "5"),
        ((), {"debts", "health"}, RiskLevel.low, "6"),
        ((), (), RiskLevel.low, "6"),
    ],
)
def test_each_line_of_the_rule(present, unknown, level, rule):
    got, reason = level_for("v1", _answers(present, unknown))
    assert got is level
    assert reason.startswith(f"{rule}:")


def test_a_factor_left_out_counts_as_unknown():
    answers = _answers()
    del answers["threats"]
    assert level_for("v1", answers)[0] is RiskLevel.medium


def test_the_return_variant_adds_its_own_critical_factor():
    keys_v1 = {f.key for f in factors_of("v1")}
    keys_return = {f.key for f in factors_of("return-v1")}
    assert keys_v1 < keys_return
    present = {"traffickers_at_destination", "accused_at_large"}
    assert level_for("return-v1", _answers(present, version="return-v1"))[0] is (RiskLevel.critical)
    # the same key means nothing to v1, whose rule never heard of it
    assert level_for("v1", {**_answers(), "traffickers_at_destination": "present"})[0] is (
        RiskLevel.low
    )


def test_every_factor_named_in_the_issue_is_in_v1():
    keys = {f.key for f in RISK_INSTRUMENTS["v1"]}
    assert {
        "threats",
        "location_known",
        "family_at_risk",
        "debts",
        "organised_crime",
        "accused_at_large",
        "prior_violence",
        "child",
        "immigration",
        "health",
        "re_trafficking",
        "return_risk",
        "media",
    } == keys


def test_levels_rank_in_order():
    assert [lvl.rank for lvl in RiskLevel] == [0, 1, 2, 3]
    assert RiskLevel.critical.rank > RiskLevel.high.rank
