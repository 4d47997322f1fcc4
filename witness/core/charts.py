"""The dashboard's charts as server-rendered SVG: bars (side by side or stacked) and lines.

Pure: plain numbers in, text out; no database, no request. A ``Chart`` carries its data once;
``svg`` draws it and the page's table (``rows``) reads the same figures, so the picture and its
text alternative cannot say different things. Each SVG names its ``<title>`` and ``<desc>``
with ``aria-labelledby`` (``role="img"``) and each bar or point has a ``<title>`` of its own.
Every text is escaped; colours are presentation attributes (the Content-Security-Policy allows
no inline style); the width follows the page (``viewBox``), so a phone shows the whole chart.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from xml.sax.saxutils import escape, quoteattr

WIDTH, HEIGHT = 520, 240
LEFT, RIGHT, TOP, BOTTOM = 64, 12, 14, 56
#: the top of a scale is the first of these (times a power of ten) at or above the largest
#: figure, so that its half is a round number too
NICE = (1, 2, 4, 5, 6, 8, 10)
#: names under the axis at most (every mark carries its own in its title, the table all)
MAX_NAMES = 6
INK, MUTED, LINE = "#1d2433", "#5b6475", "#d9dee7"
_SMALL = {"font_size": 12, "fill": MUTED}
#: a series' colour when it names none (the app's palette)
PALETTE = ("#1f5f8b", "#8fb8d8", "#1e7a46", "#a15c00", "#b3261e", "#5b6475")
_ID = re.compile(r"[A-Za-z][A-Za-z0-9_-]{0,60}")

Number = int | float | Decimal


@dataclass(frozen=True)
class Series:
    """One row of figures, one per category; None where there is nothing to show."""

    name: str
    values: tuple[Number | None, ...]
    colour: str = ""


@dataclass(frozen=True)
class Chart:
    """What a chart shows: categories along the bottom, a series per colour."""

    #: the DOM id of the chart (its title and description are ``<id>-title``, ``<id>-desc``)
    id: str
    title: str
    description: str
    categories: tuple[str, ...]
    series: tuple[Series, ...]
    #: "bars" (side by side), "stacked" or "line"
    kind: str = "bars"
    #: digits after the point in labels; a text after each figure ("%", a currency code)
    places: int = 0
    suffix: str = ""
    #: the top of the scale; by default the largest figure (or stack)
    top: float | None = None

    def __post_init__(self) -> None:
        if not _ID.fullmatch(self.id):
            raise ValueError(f"not an id: {self.id!r}")
        if self.kind not in ("bars", "stacked", "line"):
            raise ValueError(f"not a kind of chart: {self.kind!r}")
        for s in self.series:
            if len(s.values) != len(self.categories):
                raise ValueError(f"series {s.name!r} has {len(s.values)} figures")

    @property
    def is_empty(self) -> bool:
        """Nothing to draw: no figure at all (a line), or only noughts (bars)."""
        if self.kind == "line":
            return all(v is None for s in self.series for v in s.values)
        return not any(v for s in self.series for v in s.values)

    def label(self, value: Number | None) -> str:
        """A figure as the chart and its table write it: "1,234.50 GBP", "75%", "—"."""
        if value is None:
            return "—"
        text = f"{value:,.{self.places}f}"
        return f"{text}{self.suffix}" if self.suffix in ("", "%", "x") else f"{text} {self.suffix}"

    def axis_label(self, value: float) -> str:
        """A figure on the scale: no currency (the legend names it), as many places as the
        round number needs."""
        places = 0 if float(value).is_integer() else self.places or 1
        return f"{value:,.{places}f}" + ("%" if self.suffix == "%" else "")

    def rows(self) -> list[tuple[str, list[str]]]:
        """The table's rows: each category with every series' figure, as labelled."""
        return [
            (category, [self.label(s.values[n]) for s in self.series])
            for n, category in enumerate(self.categories)
        ]


def _attrs(**attrs) -> str:
    return "".join(
        f" {k.rstrip('_').replace('_', '-')}={quoteattr(str(v))}" for k, v in attrs.items()
    )


def _el(tag: str, content: str | None = None, **attrs) -> str:
    """An element; ``content`` is markup already (escape text before)."""
    if content is None:
        return f"<{tag}{_attrs(**attrs)}/>"
    return f"<{tag}{_attrs(**attrs)}>{content}</{tag}>"


def _scale_top(chart: Chart) -> float:
    if chart.top is not None:
        return float(chart.top)
    if chart.kind == "stacked":
        sums = [
            sum(float(s.values[n] or 0) for s in chart.series) for n in range(len(chart.categories))
        ]
        largest = max(sums, default=0)
    else:
        largest = max((float(v) for s in chart.series for v in s.values if v), default=0)
    return _nice(largest) if largest > 0 else 1.0


def _nice(value: float) -> float:
    power = 10 ** math.floor(math.log10(value))
    top = next(n * power for n in NICE if n * power >= value)
    # whole counts: an even top, so that the middle line is a whole number as well
    return 2.0 if top == 1 else top


def _colour(chart: Chart, index: int) -> str:
    return chart.series[index].colour or PALETTE[index % len(PALETTE)]


def _axes(chart: Chart, top: float) -> list[str]:
    """Three gridlines with their figures, and each category's name under its slot."""
    parts, plot_h = [], HEIGHT - TOP - BOTTOM
    for share in (0, 0.5, 1):
        y = TOP + plot_h * (1 - share)
        parts.append(
            _el("line", x1=LEFT, x2=WIDTH - RIGHT, y1=f"{y:.1f}", y2=f"{y:.1f}", stroke=LINE)
        )
        figure = escape(chart.axis_label(top * share))
        parts.append(_el("text", figure, x=LEFT - 6, y=f"{y + 4:.1f}", text_anchor="end", **_SMALL))
    slot, count = _slot(chart), len(chart.categories)
    # at most six names under the axis (the last always), so that they never overlap
    step = math.ceil(count / MAX_NAMES) if count else 1
    for n, category in enumerate(chart.categories):
        if (count - 1 - n) % step:
            continue
        x = LEFT + slot * (n + 0.5)
        at = dict(x=f"{x:.1f}", y=HEIGHT - BOTTOM + 16, text_anchor="middle")
        parts.append(_el("text", escape(category), **at, font_size=12, fill=INK))
    return parts


def _slot(chart: Chart) -> float:
    return (WIDTH - LEFT - RIGHT) / max(1, len(chart.categories))


def _y(value: float, top: float) -> float:
    return TOP + (HEIGHT - TOP - BOTTOM) * (1 - min(value, top) / top)


def _bars(chart: Chart, top: float) -> list[str]:
    parts, slot = [], _slot(chart)
    stacked = chart.kind == "stacked"
    width = slot * 0.7 / (1 if stacked else max(1, len(chart.series)))
    for n, category in enumerate(chart.categories):
        x0, height_so_far = LEFT + slot * 0.15 + slot * n, 0.0
        for i, s in enumerate(chart.series):
            value = s.values[n]
            if value is None:
                continue
            low = height_so_far if stacked else 0.0
            y_top, y_low = _y(low + float(value), top), _y(low, top)
            x = x0 if stacked else x0 + i * width
            title = f"{category}, {s.name}: {chart.label(value)}"
            box = dict(x=f"{x:.1f}", y=f"{y_top:.1f}", width=f"{max(width - 2, 1):.1f}")
            parts.append(
                _el(
                    "rect",
                    _el("title", escape(title)),
                    **box,
                    height=f"{y_low - y_top:.1f}",
                    fill=_colour(chart, i),
                    data_value=value,
                )
            )
            if stacked:
                height_so_far += float(value)
    return parts


def _lines(chart: Chart, top: float) -> list[str]:
    parts, slot = [], _slot(chart)
    for i, s in enumerate(chart.series):
        points = [
            (LEFT + slot * (n + 0.5), _y(float(v), top), chart.categories[n], v)
            for n, v in enumerate(s.values)
            if v is not None
        ]
        colour = _colour(chart, i)
        if len(points) > 1:
            path = " ".join(f"{x:.1f},{y:.1f}" for x, y, _, _ in points)
            parts.append(_el("polyline", points=path, fill="none", stroke=colour, stroke_width=2))
        for x, y, category, value in points:
            title = f"{category}, {s.name}: {chart.label(value)}"
            dot = dict(cx=f"{x:.1f}", cy=f"{y:.1f}", r=4, fill=colour, data_value=value)
            parts.append(_el("circle", _el("title", escape(title)), **dot))
    return parts


def _legend(chart: Chart) -> list[str]:
    parts, x, y = [], LEFT, HEIGHT - 18
    for i, s in enumerate(chart.series):
        parts.append(_el("rect", x=x, y=y - 9, width=10, height=10, fill=_colour(chart, i)))
        parts.append(_el("text", escape(s.name), x=x + 14, y=y, font_size=12, fill=INK))
        x += 24 + 7 * len(s.name)
    return parts


@lru_cache(maxsize=512)
def drawn(chart: Chart) -> str:
    """``svg(chart)``, drawn once for a chart's figures: pages shown again with the same figures
    (``core.figures`` keeps them a while) do not draw them again."""
    return svg(chart)


def svg(chart: Chart) -> str:
    """The chart as an SVG element, its own text alternative inside it."""
    top = _scale_top(chart)
    body = _axes(chart, top) + (_lines(chart, top) if chart.kind == "line" else _bars(chart, top))
    inside = [
        _el("title", escape(chart.title), id=f"{chart.id}-title"),
        _el("desc", escape(chart.description), id=f"{chart.id}-desc"),
        *body,
        *_legend(chart),
    ]
    return _el(
        "svg",
        "".join(inside),
        xmlns="http://www.w3.org/2000/svg",
        role="img",
        class_="chart",
        id=chart.id,
        aria_labelledby=f"{chart.id}-title {chart.id}-desc",
        width="100%",
        viewBox=f"0 0 {WIDTH} {HEIGHT}",
    )
