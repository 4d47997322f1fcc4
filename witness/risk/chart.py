"""The risk history's trend chart: a witness's level over time as a server-rendered SVG.

Pure: no database, no request. ``trend_svg`` draws a list of (local day or time, level), one
point per completed assessment, on a level axis (critical at the top, low at the bottom) and a
time axis labelled with dates in the court's timezone. The picture carries its own text
alternative (``<title>`` and ``<desc>``, named by ``aria-labelledby`` with ``role="img"``); the
page puts the same data in a table beside it. Colours are presentation attributes, not a
stylesheet, so the chart prints as it shows (the page's Content-Security-Policy allows no
inline style). Every text that reaches the SVG is escaped.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime
from itertools import pairwise
from xml.sax.saxutils import escape, quoteattr

from witness.core.i18n import format_when, gettext, reader
from witness.core.time import to_local
from witness.risk.instrument import RiskLevel

WIDTH, HEIGHT = 640, 230
LEFT, RIGHT, TOP, BOTTOM = 86, 24, 18, 46
#: top to bottom
LEVELS = (RiskLevel.critical, RiskLevel.high, RiskLevel.medium, RiskLevel.low)
#: the app's palette (static/style.css): bad, a darker orange, warn, ok
COLOURS = {
    RiskLevel.critical: "#b3261e",
    RiskLevel.high: "#c2410c",
    RiskLevel.medium: "#a15c00",
    RiskLevel.low: "#1e7a46",
}
INK, MUTED, LINE = "#1d2433", "#5b6475", "#d9dee7"
#: at most this many dates under the time axis
TICKS = 5
_ID = re.compile(r"[A-Za-z][A-Za-z0-9_-]{0,60}")

When = date | datetime


def format_day(day: When) -> str:
    """The app's date format ("09 Mar 2026"), as the ``date`` filter writes it (in the
    reader's language)."""
    return format_when(day, "%d %b %Y", reader())


def _days(when: When) -> float:
    """A position on the time axis, in days: a time of day counts as a fraction of its day."""
    if isinstance(when, datetime):
        midnight = datetime.combine(when.date(), datetime.min.time(), when.tzinfo)
        return when.toordinal() + (when - midnight).total_seconds() / 86400
    return float(when.toordinal())


def _day(when: When) -> date:
    return when.date() if isinstance(when, datetime) else when


def _text(x: float, y: float, content: str, anchor: str = "start", **attrs: str) -> str:
    extra = "".join(f" {k.replace('_', '-')}={quoteattr(v)}" for k, v in attrs.items())
    return f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}"{extra}>{escape(content)}</text>'


def describe(points: Sequence[tuple[When, RiskLevel]], fmt: Callable[[When], str]) -> str:
    """The chart in one or two sentences: how many assessments over which days, the level now
    and the one before it."""
    first, last = points[0], points[-1]
    if len(points) == 1:
        span = gettext("1 completed assessment on %(day)s.", day=fmt(first[0]))
    else:
        span = gettext(
            "%(num)s completed assessments from %(first)s to %(last)s.",
            num=len(points), first=fmt(first[0]), last=fmt(last[0]),
        )  # fmt: skip
    level = last[1].label.lower()
    now = gettext("Latest level: %(level)s", level=level)
    if len(points) > 1:
        before = points[-2][1].label.lower()
        if points[-2][1] is last[1]:
            now = gettext(
                "Latest level: %(level)s (unchanged from %(before)s)", level=level, before=before
            )
        elif last[1].rank > points[-2][1].rank:
            now = gettext(
                "Latest level: %(level)s (up from %(before)s)", level=level, before=before
            )
        else:
            now = gettext(
                "Latest level: %(level)s (down from %(before)s)", level=level, before=before
            )
    each = gettext("Each point is one assessment.")
    return f"{span} {now}. {each}"


def trend_svg(
    points: Iterable[tuple[When, RiskLevel]],
    *,
    title: str,
    chart_id: str = "risk-trend",
    fmt: Callable[[When], str] = format_day,
) -> str:
    """An SVG of the level over time: one point per (day or local time, level), joined in
    order of time; "" when there is no point. ``chart_id`` prefixes the ids of the title and
    description (letters, digits, ``-`` and ``_``); ``fmt`` writes a date."""
    if not _ID.fullmatch(chart_id):
        raise ValueError("chart_id: a letter, then letters, digits, '-' or '_'")
    points = sorted(points, key=lambda p: _days(p[0]))
    if not points:
        return ""
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    row = plot_h / (len(LEVELS) - 1)
    y_of = {level: TOP + i * row for i, level in enumerate(LEVELS)}
    start, end = _days(points[0][0]), _days(points[-1][0])
    span = end - start

    def x_of(t: float) -> float:
        return LEFT + plot_w / 2 if span == 0 else LEFT + (t - start) / span * plot_w

    title_id, desc_id = f"{chart_id}-title", f"{chart_id}-desc"
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="risk-chart" id="{chart_id}" '
        f'role="img" aria-labelledby="{title_id} {desc_id}" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'width="{WIDTH}" height="{HEIGHT}" font-family="system-ui, sans-serif" '
        f'font-size="12">',
        f'<title id="{title_id}">{escape(title)}</title>',
        f'<desc id="{desc_id}">{escape(describe(points, fmt))}</desc>',
        '<g class="level-axis">',
    ]
    for level, y in y_of.items():
        parts.append(
            f'<line x1="{LEFT}" y1="{y:.1f}" x2="{WIDTH - RIGHT}" y2="{y:.1f}" '
            f'stroke="{LINE}" stroke-width="1"/>'
        )
        parts.append(_text(LEFT - 10, y + 4, level.label, "end", fill=COLOURS[level]))
    parts.append('</g><g class="time-axis">')
    base = TOP + plot_h
    parts.append(
        f'<line x1="{LEFT}" y1="{base + 8:.1f}" x2="{WIDTH - RIGHT}" y2="{base + 8:.1f}" '
        f'stroke="{MUTED}" stroke-width="1"/>'
    )
    for x, label, anchor in _ticks(points, start, span, x_of, fmt):
        parts.append(
            f'<line x1="{x:.1f}" y1="{base + 8:.1f}" x2="{x:.1f}" y2="{base + 13:.1f}" '
            f'stroke="{MUTED}" stroke-width="1"/>'
        )
        parts.append(_text(x, base + 28, label, anchor, fill=MUTED))
    parts.append("</g>")
    coords = [(x_of(_days(when)), y_of[level]) for when, level in points]
    if len(coords) > 1:
        # steps: a level stands until the next assessment changes it
        steps = [coords[0]]
        for (_, y_before), (x, y) in pairwise(coords):
            steps += [(x, y_before), (x, y)]
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y in steps)
        parts.append(
            f'<polyline class="trend" points="{path}" fill="none" stroke="{INK}" '
            f'stroke-width="1.5"/>'
        )
    parts.append('<g class="points">')
    for (when, level), (x, y) in zip(points, coords, strict=True):
        parts.append(
            f'<circle class="point" data-level="{level.value}" cx="{x:.1f}" cy="{y:.1f}" r="5" '
            f'fill="{COLOURS[level]}" stroke="#fff" stroke-width="1.5">'
            f"<title>{escape(fmt(when))}: {escape(level.label)}</title></circle>"
        )
    parts.append("</g></svg>")
    return "".join(parts)


def _ticks(points, start: float, span: float, x_of, fmt) -> list[tuple[float, str, str]]:
    """Dates under the time axis: the first and the last assessment's, and between them days
    evenly spaced (at most ``TICKS`` dates in all, none repeated)."""
    first, last = _day(points[0][0]), _day(points[-1][0])
    if first == last:
        return [(x_of(start + span / 2), fmt(first), "middle")]
    ticks = [(x_of(start), fmt(first), "start")]
    seen = {first, last}
    for k in range(1, TICKS - 1):
        day = date.fromordinal(int(start + span * k / (TICKS - 1)))
        if day not in seen:
            seen.add(day)
            ticks.append((x_of(_days(day)), fmt(day), "middle"))
    ticks.append((x_of(start + span), fmt(last), "end"))
    return ticks


def history_chart(assessments: Iterable, tz: str, reference: str) -> str:
    """The chart of completed assessments (any order), each at its completion time in the
    court's timezone ``tz``; "" when there is none."""
    points = [
        (to_local(a.completed_dt, tz), a.level)
        for a in assessments
        if a.completed_dt is not None and a.level is not None
    ]
    title = gettext("Risk level over time, %(reference)s", reference=reference)
    return trend_svg(points, title=title, chart_id="risk-trend")
