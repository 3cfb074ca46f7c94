"""Server-rendered SVG charts, the same on screen, in print and in a PDF (WeasyPrint).

Small helpers shared by monitoring and implementation. A view (or a service) builds a
chart object from its figures; a template includes the matching snippet:

    from wattelt.charts import Point, bar_chart, line_chart

    chart = line_chart(
        "Trajectories per quarter",
        labels=["2026 Q1", "2026 Q2", "2026 Q3"],
        series=[("Started", [Point(14), Point(None, "<10"), Point(22)])],
    )
    bars = bar_chart("Goals", [("Achieved", Point(12)), ("Stopped", Point(None, "<10"))])

    {% include "charts/line.html" with chart=chart %}
    {% include "charts/bar.html" with chart=bars %}

A `Point` is a number (`value`) and the text to show for it (`text`, by default the
number itself). A point without a value (a suppressed figure, "<10", or no data, "-") is
drawn as a gap in a line and as a hatched stub in a bar chart, with its text beside it.
Charts carry a `title` (the SVG's accessible name says the numbers are in the table
beside it: always render the table too). Colours are SVG presentation attributes, not
CSS or style="", so the charts need no stylesheet and pass the strict CSP; up to six
series get distinct colours and dash patterns (so they differ in black and white too).
Values are plotted from 0 (or the lowest negative value) to a rounded maximum.

Every chart can give its `narrow()` layout for a phone (labels above the bars, a narrower
line chart): drawn at the same font size in a smaller box, so its text stays readable when
the page shrinks the chart to a 390-pixel screen. A page that shows both marks them with
`chart--wide` and `chart--narrow` and lets its stylesheet show one: on screen, include
"charts/screen.html" (both layouts; app.css shows the narrow one below 40rem).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.utils.formats import number_format

COLOURS = ("#1a4f8b", "#c2410c", "#15803d", "#7e22ce", "#0e7490", "#a16207")
DASHES = ("", "6 3", "2 3", "8 3 2 3", "1 2", "10 4")
LINE_WIDTH = 560
LINE_HEIGHT = 260
NARROW_LINE_WIDTH = 340
BAR_LABEL_WIDTH = 200
BAR_AREA = 300
BAR_ROW = 28
NARROW_BAR_AREA = 280
NARROW_BAR_ROW = 48  # the label on a line of its own above the bar


@dataclass(frozen=True)
class Point:
    """One figure: its value (None when hidden or missing) and the text to show."""

    value: float | None
    text: str = ""

    @property
    def label(self) -> str:
        if self.text:
            return self.text
        if self.value is None:
            return "-"
        return number_format(self.value, 0 if float(self.value).is_integer() else 1)


# --- line charts -----------------------------------------------------------------------


@dataclass(frozen=True)
class Marker:
    x: float
    y: float
    label: str
    hidden: bool  # a gap: drawn as an open marker on the axis with its text


@dataclass(frozen=True)
class Line:
    name: str
    colour: str
    dash: str
    segments: tuple[str, ...]  # SVG path data, one per unbroken run of points
    markers: tuple[Marker, ...]
    legend_y: float


@dataclass(frozen=True)
class Tick:
    position: float
    label: str


@dataclass(frozen=True)
class LineChart:
    kind = "line"  # the template: charts/line.html
    title: str
    width: int
    height: int
    left: int
    right: int
    top: int
    bottom: int
    lines: tuple[Line, ...]
    x_ticks: tuple[Tick, ...]
    y_ticks: tuple[Tick, ...]
    zero_y: float
    id: str = field(default="")
    labels: tuple[str, ...] = ()
    series: tuple[tuple[str, tuple[Point, ...]], ...] = ()
    top_at_least: float = 4.0
    layout: str = "wide"

    @property
    def is_empty(self) -> bool:
        return not any(m for line in self.lines for m in line.markers if not m.hidden)

    def narrow(self) -> LineChart:
        """The same chart in a narrower box, for a phone."""
        return line_chart(
            self.title, self.labels, self.series, width=NARROW_LINE_WIDTH,
            height=self.height, id=f"{self.id or 'line'}-narrow",
            top_at_least=self.top_at_least, layout="narrow",
        )  # fmt: skip


def _nice_step(largest: float) -> float:
    """A tick step for four ticks up to at least `largest`, with whole numbers for counts
    (never ticks like 6.25) and distinct one-decimal labels below one."""
    if largest <= 0:
        return 1.0
    magnitude = 10 ** math.floor(math.log10(largest / 4))
    if magnitude < 1:
        steps: tuple[float, ...] = (1, 2, 5, 10)
    else:
        steps = (1, 2, 2.5, 3, 4, 5, 6, 8, 10) if magnitude >= 10 else (1, 2, 3, 4, 5, 6, 8, 10)
    return next(step * magnitude for step in steps if largest <= 4 * step * magnitude)


def _nice_max(largest: float) -> float:
    if largest <= 0:
        return 1.0
    magnitude = 10 ** math.floor(math.log10(largest))
    for step in (1, 2, 2.5, 5, 10):
        if largest <= step * magnitude:
            return step * magnitude
    return 10 * magnitude


def line_chart(
    title: str,
    labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[Point]]],
    *,
    width: int = LINE_WIDTH,
    height: int = LINE_HEIGHT,
    id: str = "",
    top_at_least: float = 4.0,
    layout: str = "wide",
) -> LineChart:
    """A line per series over the `labels` (e.g. quarters); gaps where a point has no
    value. Every series has one point per label. The axis runs up to a rounded maximum,
    at least `top_at_least` (so small counts get whole-number ticks; pass 1.0 for
    fractions)."""
    legend_rows = len(series)
    left, right, top = 48, width - 36, 16
    bottom = height - 32 - 20 * legend_rows
    values = [p.value for _name, points in series for p in points if p.value is not None]
    high = max(4 * _nice_step(max(values, default=0)), top_at_least)
    low = -_nice_max(-min(values)) if values and min(values) < 0 else 0.0

    def x_of(n: int) -> float:
        if len(labels) <= 1:
            return (left + right) / 2
        return round(left + (right - left) * n / (len(labels) - 1), 1)

    def y_of(value: float) -> float:
        return round(bottom - (bottom - top) * (value - low) / (high - low), 1)

    lines = []
    for n, (name, points) in enumerate(series):
        if len(points) != len(labels):
            raise ValueError(f"Series {name!r} has {len(points)} points for {len(labels)} labels.")
        segments: list[str] = []
        run: list[str] = []
        markers = []
        for i, point in enumerate(points):
            if point.value is None:
                if run:
                    segments.append(" ".join(run))
                run = []
                markers.append(Marker(x_of(i), y_of(max(low, 0)), point.label, True))
                continue
            x, y = x_of(i), y_of(point.value)
            run.append(f"{'L' if run else 'M'}{x},{y}")
            markers.append(Marker(x, y, point.label, False))
        if run:
            segments.append(" ".join(run))
        lines.append(
            Line(
                name,
                COLOURS[n % len(COLOURS)],
                DASHES[n % len(DASHES)],
                tuple(segments),
                tuple(markers),
                bottom + 40 + 20 * n,
            )
        )
    y_ticks = tuple(
        Tick(y_of(low + (high - low) * k / 4), Point(low + (high - low) * k / 4).label)
        for k in range(5)
    )
    x_ticks = tuple(Tick(x_of(i), label) for i, label in enumerate(labels))
    return LineChart(
        title, width, height, left, right, top, bottom, tuple(lines), x_ticks, y_ticks,
        y_of(0) if low < 0 else bottom, id, tuple(labels),
        tuple((name, tuple(points)) for name, points in series), top_at_least, layout,
    )  # fmt: skip


# --- bar charts ------------------------------------------------------------------------


@dataclass(frozen=True)
class Bar:
    label: str
    value: str
    suppressed: bool
    x: float
    width: float
    y: int
    text_x: float
    label_y: int  # the baseline of the label: beside the bar, or above it (narrow)


@dataclass(frozen=True)
class BarChart:
    kind = "bar"  # the template: charts/bar.html
    title: str
    bars: tuple[Bar, ...]
    width: int
    label_width: int
    id: str = ""
    items: tuple[tuple[str, Point], ...] = ()
    layout: str = "wide"

    @property
    def height(self) -> int:
        row = NARROW_BAR_ROW if self.layout == "narrow" else BAR_ROW
        return max(len(self.bars), 1) * row + 4

    @property
    def label_length(self) -> int:
        """Characters of a label shown (longer ones end in an ellipsis)."""
        return 44 if self.layout == "narrow" else 28

    def narrow(self) -> BarChart:
        """The same bars with each label on a line of its own above its bar, for a phone."""
        return bar_chart(self.title, self.items, id=f"{self.id or 'bar'}-narrow", narrow=True)


def bar_chart(
    title: str, items: Sequence[tuple[str, Point]], *, id: str = "", narrow: bool = False
) -> BarChart:
    """Horizontal bars scaled to the largest value; a point without a value is a hatched
    stub with its text ("<10"). Negative values (a mean change) are drawn from 0 to the
    left of a centre line. `narrow`: labels above the bars instead of beside them."""
    values = [p.value for _label, p in items if p.value is not None]
    negative = any(v < 0 for v in values)
    largest = max((abs(v) for v in values), default=0) or 1
    full = NARROW_BAR_AREA if narrow else BAR_AREA
    area = full / 2 if negative else full
    label_width = 0 if narrow else BAR_LABEL_WIDTH
    origin = label_width + (area if negative else 0)
    row, above = (NARROW_BAR_ROW, 20) if narrow else (BAR_ROW, 0)
    bars = []
    for n, (label, point) in enumerate(items):
        y = n * row + 2 + above
        label_y = y - 6 if narrow else y + 17
        if point.value is None:
            bars.append(Bar(label, point.label, True, origin, 40, y, origin + 46, label_y))
            continue
        length = round(area * abs(point.value) / largest, 1)
        x = origin - length if point.value < 0 else origin
        text_x = max(x + length, origin) + 6
        bars.append(Bar(label, point.label, False, x, length, y, text_x, label_y))
    return BarChart(
        title, tuple(bars), label_width + full + 60, label_width, id, tuple(items),
        "narrow" if narrow else "wide",
    )  # fmt: skip
