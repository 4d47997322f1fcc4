"""The risk history's trend chart: a well-formed, accessible SVG with one point per completed
assessment, dates in the court's timezone, hostile text escaped; on the witness's risk page
beside a table of the same data, and kept when the page is printed."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from witness.risk import services as s
from witness.risk.chart import history_chart, trend_svg
from witness.risk.instrument import RiskLevel

from .conftest import answers_with

SVG = "{http://www.w3.org/2000/svg}"
L = RiskLevel


def _parse(svg: str) -> ET.Element:
    root = ET.fromstring(svg)  # raises on anything not well-formed
    assert root.tag == f"{SVG}svg"
    return root


def _points(root: ET.Element) -> list[ET.Element]:
    return root.findall(f".//{SVG}circle[@class='point']")


def _texts(root: ET.Element, group: str) -> list[str]:
    return [t.text for t in root.findall(f".//{SVG}g[@class='{group}']/{SVG}text")]


def test_one_point_per_assessment_on_its_level_in_time_order():
    history = [
        (date(2026, 1, 5), L.medium),
        (date(2025, 11, 2), L.low),  # given out of order: drawn in order of time
        (date(2026, 2, 20), L.critical),
        (date(2026, 3, 9), L.high),
    ]
    root = _parse(trend_svg(history, title="Risk level over time"))
    points = _points(root)
    assert [p.get("data-level") for p in points] == ["low", "medium", "critical", "high"]
    xs = [float(p.get("cx")) for p in points]
    assert xs == sorted(xs) and len(set(xs)) == 4
    # the level axis: critical at the top, low at the bottom, every level labelled
    assert _texts(root, "level-axis") == ["Critical", "High", "Medium", "Low"]
    ys = {p.get("data-level"): float(p.get("cy")) for p in points}
    assert ys["critical"] < ys["high"] < ys["medium"] < ys["low"]
    # each point names its date and level (a tooltip, and read by screen readers)
    assert [p.find(f"{SVG}title").text for p in points] == [
        "02 Nov 2025: Low", "05 Jan 2026: Medium", "20 Feb 2026: Critical", "09 Mar 2026: High",
    ]  # fmt: skip
    # the time axis starts and ends with the first and last assessment's dates
    dates = _texts(root, "time-axis")
    assert dates[0] == "02 Nov 2025" and dates[-1] == "09 Mar 2026" and len(dates) <= 5
    # the line steps: each level stands until the next assessment
    line = root.find(f".//{SVG}polyline[@class='trend']").get("points").split()
    corners = [tuple(float(v) for v in corner.split(",")) for corner in line]
    assert len(corners) == 7 and corners[0] == (xs[0], ys["low"])
    assert corners[1] == (xs[1], ys["low"]) and corners[2] == (xs[1], ys["medium"])
    assert corners[-1] == (xs[3], ys["high"])


def test_accessible_name_and_description():
    root = _parse(
        trend_svg([(date(2026, 1, 5), L.medium), (date(2026, 3, 1), L.high)], title="Trend")
    )
    assert root.get("role") == "img"
    title_id, desc_id = root.get("aria-labelledby").split()
    assert root.find(f"{SVG}title").get("id") == title_id
    assert root.find(f"{SVG}title").text == "Trend"
    desc = root.find(f"{SVG}desc")
    assert desc.get("id") == desc_id
    assert desc.text == (
        "2 completed assessments from 05 Jan 2026 to 01 Mar 2026. "
        "Latest level: high (up from medium). Each point is one assessment."
    )


def test_a_single_assessment_and_none():
    root = _parse(trend_svg([(date(2026, 3, 9), L.low)], title="One"))
    assert len(_points(root)) == 1 and root.find(f".//{SVG}polyline") is None
    assert _texts(root, "time-axis") == ["09 Mar 2026"]
    assert (
        "1 completed assessment on 09 Mar 2026. Latest level: low." in root.find(f"{SVG}desc").text
    )
    assert trend_svg([], title="None") == ""


def test_two_assessments_on_one_day_are_two_points():
    day = datetime(2026, 3, 9, 10, 0)
    root = _parse(trend_svg([(day, L.high), (day.replace(hour=15), L.medium)], title="Same day"))
    assert [p.get("data-level") for p in _points(root)] == ["high", "medium"]
    assert _texts(root, "time-axis") == ["09 Mar 2026"]
    assert "(down from high)" in root.find(f"{SVG}desc").text


def test_hostile_text_is_escaped():
    hostile = '</title><script>alert("x")</script> & "quotes" <b>'
    svg = trend_svg(
        [(date(2026, 1, 5), L.high), (date(2026, 2, 5), L.low)],
        title=hostile,
        fmt=lambda d: f"<{d.isoformat()}>&",
    )
    root = _parse(svg)
    assert root.find(f"{SVG}title").text == hostile
    assert root.find(f".//{SVG}script") is None and "<script" not in svg
    assert _texts(root, "time-axis")[0] == "<2026-01-05>&"
    with pytest.raises(ValueError):
        trend_svg([(date(2026, 1, 5), L.high)], title="x", chart_id='a" onload="alert(1)')


def test_dates_are_the_courts_days():
    """An assessment completed at 23:30 UTC on 29 March 2026 was on the 30th in London (BST)
    and still the 29th in New York."""

    class Done:
        completed_dt = datetime(2026, 3, 29, 23, 30, tzinfo=UTC)
        level = L.high

    london = _parse(history_chart([Done()], "Europe/London", "VW-1"))
    assert _texts(london, "time-axis") == ["30 Mar 2026"]
    assert london.find(f"{SVG}title").text == "Risk level over time, VW-1"
    new_york = _parse(history_chart([Done()], "America/New_York", "VW-1"))
    assert _texts(new_york, "time-axis") == ["29 Mar 2026"]


def _assess(db, w, present, when, clock):
    clock(when)
    draft = s.start_assessment(db, w.officer, w.witness, "v1")
    return s.complete_assessment(
        db, w.officer, draft, answers=answers_with(present), own_view="", confirmed=True
    )


def _risk_page(login, db, risk) -> str:
    _assess(db, risk, (), datetime(2026, 1, 12, 10, 0, tzinfo=UTC), risk.clock)
    _assess(db, risk, ("debts",), datetime(2026, 2, 2, 10, 0, tzinfo=UTC), risk.clock)
    _assess(
        db,
        risk,
        ("threats", "accused_at_large"),
        datetime(2026, 3, 10, 9, 0, tzinfo=UTC),
        risk.clock,
    )
    s.start_assessment(db, risk.officer, risk.witness, "v1")  # a draft is not in the history
    response = login(risk.officer).get(f"/risk/witnesses/{risk.witness.id}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_the_risk_page_shows_the_chart_and_the_same_data_in_a_table(login, db, risk):
    page = _risk_page(login, db, risk)
    svg = re.search(r"<svg.*?</svg>", page, re.S).group(0)
    root = _parse(svg)
    assert [p.get("data-level") for p in _points(root)] == ["low", "medium", "critical"]
    assert root.find(f"{SVG}title").text == f"Risk level over time, {risk.witness.reference}"
    assert "Latest level: critical (up from medium)" in root.find(f"{SVG}desc").text
    table = page[page.index("Level over time, newest first") :]
    cells = re.findall(r"<td>(Low|Medium|Critical)</td>", table)
    assert cells == ["Critical", "Medium", "Low"]
    assert "The table below gives the same data" in page


@pytest.mark.browser
def test_the_chart_is_printed(login, db, risk, app, tmp_path):
    """Chromium prints the page (print media, the app's stylesheet): the chart's levels and
    dates are in the PDF, the navigation is not."""
    chromium = shutil.which("chromium")
    if chromium is None or shutil.which("pdftotext") is None:
        if os.environ.get("WITNESS_REQUIRE_BROWSER"):
            pytest.fail("WITNESS_REQUIRE_BROWSER is set but Chromium or pdftotext is missing")
        pytest.skip("needs Chromium and pdftotext")

    page_html = _risk_page(login, db, risk)
    css = (Path(app.static_folder) / "style.css").read_text()
    page_html = re.sub(r'<link rel="stylesheet"[^>]*>', f"<style>{css}</style>", page_html)
    source = tmp_path / "risk.html"
    source.write_text(page_html, encoding="utf-8")
    pdf = tmp_path / "risk.pdf"
    # Chromium's own print-to-PDF (print media), in a process of its own: the browser tests'
    # Playwright session may be running in this one
    subprocess.run(
        [
            chromium, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            f"--user-data-dir={tmp_path / 'profile'}", "--no-pdf-header-footer",
            f"--print-to-pdf={pdf}", source.as_uri(),
        ],
        check=True, capture_output=True, timeout=120,
    )  # fmt: skip
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    for word in ("Critical", "High", "Medium", "Low", "12 Jan 2026", "10 Mar 2026"):
        assert word in text
    assert "Dashboard" not in text  # the navigation is left off the paper
