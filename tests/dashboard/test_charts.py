"""The dashboard's charts: valid SVG with its own title and description, every figure in the
picture also in the table beside it (the same numbers), hostile text escaped."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from witness.core.charts import Chart, Series, svg
from witness.core.figures import Figures
from witness.dashboard.services import build_dashboard
from witness.ledger.models import SupportCategory
from witness.ledger.services import record_item
from witness.notify.models import TaskStatus

SVG = "{http://www.w3.org/2000/svg}"

pytestmark = pytest.mark.usefixtures("frozen_clock")


def _parse(text: str) -> ET.Element:
    root = ET.fromstring(text)  # raises on anything that is not well-formed XML
    assert root.tag == f"{SVG}svg"
    return root


def _alternative(root: ET.Element) -> tuple[str, str]:
    """The title and description the SVG names as its accessible name and description."""
    named = root.get("aria-labelledby").split()
    by_id = {e.get("id"): e for e in root.iter() if e.get("id")}
    assert root.get("role") == "img"
    title, desc = by_id[named[0]], by_id[named[1]]
    assert title.tag == f"{SVG}title" and desc.tag == f"{SVG}desc"
    return title.text, desc.text


def _marks(root: ET.Element) -> list[str]:
    """Each bar's or point's own title ("Mar 26, Low: 3")."""
    return [
        e.find(f"{SVG}title").text
        for e in root.iter()
        if e.tag in (f"{SVG}rect", f"{SVG}circle") and e.find(f"{SVG}title") is not None
    ]


@pytest.mark.parametrize("kind", ["bars", "stacked", "line"])
def test_every_kind_is_valid_svg_whose_marks_carry_the_tables_figures(kind):
    chart = Chart(
        id="chart-test",
        title="Assessments",
        description="Per month, by level",
        categories=("Jan 26", "Feb 26", "Mar 26"),
        series=(Series("Low", (3, 0, 5)), Series("High", (1, 2, None))),
        kind=kind,
    )
    root = _parse(svg(chart))
    assert _alternative(root) == ("Assessments", "Per month, by level")
    expected = {
        f"{category}, {series.name}: {figure}"
        for category, figures in chart.rows()
        for series, figure in zip(chart.series, figures, strict=True)
        if figure != "—"
    }
    assert set(_marks(root)) == expected
    assert chart.rows() == [("Jan 26", ["3", "1"]), ("Feb 26", ["0", "2"]), ("Mar 26", ["5", "—"])]


def test_money_and_shares_are_written_alike_in_the_picture_and_the_table():
    money = Chart(
        "chart-money",
        "Support",
        "By phase",
        ("Reflection", "Trial"),
        (Series("THB", (Decimal("12345.5"), Decimal("0"))),),
        places=2,
        suffix="THB",
    )
    assert money.rows() == [("Reflection", ["12,345.50 THB"]), ("Trial", ["0.00 THB"])]
    assert "Reflection, THB: 12,345.50 THB" in _marks(_parse(svg(money)))
    share = Chart("c", "Told", "Share", ("Jan",), (Series("In time", (75.0,)),), "line", suffix="%")
    assert share.rows() == [("Jan", ["75%"])]


def test_hostile_text_is_escaped_and_a_bad_id_refused():
    chart = Chart(
        id="chart-x",
        title='</title><script>alert("t")</script>',
        description="a & b < c",
        categories=("<b>Jan</b>",),
        series=(Series('"><script>', (1,)),),
    )
    text = svg(chart)
    root = _parse(text)
    assert "<script>" not in text and not root.findall(f".//{SVG}script")
    assert _alternative(root) == ('</title><script>alert("t")</script>', "a & b < c")
    with pytest.raises(ValueError):
        Chart('x" onload="alert(1)', "t", "d", (), ())
    with pytest.raises(ValueError):
        Chart("x", "t", "d", ("a", "b"), (Series("s", (1,)),))


def test_the_dashboards_charts_are_xml_and_their_tables_say_the_same(db, world, login, make_task):
    """On the page: each chart's SVG parses, names its title, and the table under it holds
    exactly the figures its bars and points carry."""
    for value, category in (
        ("40.00", SupportCategory.transport),
        ("12.50", SupportCategory.meals_subsistence),
    ):
        record_item(
            db,
            world.officer,
            world.assigned,
            case_id=world.case.id,
            category=category,
            description="Given",
            quantity="1",
            unit="trip",
            value=value,
            currency="GBP",
            date_provided=date(2026, 3, 2),
            rationale="To court",
        )
    told = dict(status=TaskStatus.done, done_dt=datetime(2026, 3, 2, 12, tzinfo=UTC))
    make_task(world.assigned, world.case, due_dt=datetime(2026, 3, 3, 23, 59, tzinfo=UTC), **told)
    make_task(world.assigned, world.case, due_dt=datetime(2026, 3, 5, 23, 59, tzinfo=UTC))
    db.flush()
    html = login(world.supervisor).get("/").get_data(as_text=True)
    svgs = re.findall(r"<svg .*?</svg>", html, re.S)
    assert svgs
    for text in svgs:
        root = _parse(text)
        title, _ = _alternative(root)
        table = re.search(
            rf'<table class="chart-table" data-chart="{root.get("id")}">(.*?)</table>', html, re.S
        ).group(1)
        assert f"<caption>{title}</caption>" in table
        heads = [h for h in re.findall(r'<th scope="col">(.*?)</th>', table)][1:]
        shown = set()
        for row in re.findall(r"<tr><th scope=\"row\">(.*?)</th>(.*?)</tr>", table, re.S):
            category, cells = row
            for name, figure in zip(heads, re.findall(r"<td>(.*?)</td>", cells), strict=True):
                if figure != "—":
                    shown.add(f"{category}, {name}: {figure}")
        assert set(_marks(root)) == shown
    told = next(t for t in svgs if 'id="chart-told"' in t)
    assert "Mar 26, Told in time: 50%" in _marks(_parse(told))  # one told in time of two
    support = next(t for t in svgs if 'id="chart-support-gbp"' in t)
    assert "Reflection, GBP: 52.50 GBP" in _marks(_parse(support))


def _support_marks(board) -> set[str]:
    return {
        mark
        for chart in board.charts
        if chart.id.startswith("chart-support")
        for mark in _marks(_parse(svg(chart)))
    }


def test_the_charts_figures_are_kept_a_while_for_the_user_they_were_counted_for(
    db, world, frozen_clock
):
    """A year of the ledger is summed once in a while, not on every view: the same user sees
    the same figures, and when they were counted; another user gets figures counted for them."""
    counted_at = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)
    kept = Figures(900)
    first = build_dashboard(db, world.supervisor, counted_at, kept=kept)
    record_item(
        db,
        world.officer,
        world.assigned,
        case_id=world.case.id,
        category=SupportCategory.transport,
        description="Given",
        quantity="1",
        unit="trip",
        value="40.00",
        currency="GBP",
        date_provided=date(2026, 3, 2),
        rationale="To court",
    )
    db.flush()
    frozen_clock(datetime(2026, 3, 10, 9, 5, tzinfo=UTC))
    later = datetime(2026, 3, 10, 9, 5, tzinfo=UTC)
    again = build_dashboard(db, world.supervisor, later, kept=kept)
    assert again.charts == first.charts and again.charts_counted == counted_at
    assert "Reflection, GBP: 40.00 GBP" not in _support_marks(again)
    # the officer's figures are their own, counted now: the item is there
    officer = build_dashboard(db, world.officer, later, kept=kept)
    assert "Reflection, GBP: 40.00 GBP" in _support_marks(officer)
    assert officer.charts_counted == later
    # nothing kept: counted on every view
    assert "Reflection, GBP: 40.00 GBP" in _support_marks(
        build_dashboard(db, world.supervisor, later)
    )
