"""The shared charts: lines where there are values, a plain note where there are none, and
a narrow layout whose text stays readable on a phone."""

import re

from django.template.loader import render_to_string
from django.utils import translation

from wattelt.charts import Point, bar_chart, line_chart

QUARTERS = ["2026 Q1", "2026 Q2", "2026 Q3"]


def render(*series: tuple[str, list[Point]]) -> str:
    with translation.override("nl"):
        return render_to_string(
            "charts/line.html", {"chart": line_chart("Trajecten", QUARTERS, series)}
        )


def test_a_series_with_values_is_drawn_with_its_gaps():
    html = render(("Gestart", [Point(12), Point(None, "<10"), Point(15)]))
    assert 'class="chart chart--line chart--wide"' in html and "chart-empty" not in html
    assert html.count('class="chart__line"') == 2  # broken at the hidden quarter
    assert html.count('class="chart__gap"') == 1 and "&lt;10" in html


def test_a_chart_without_a_single_value_says_so_instead_of_an_empty_axis():
    html = render(
        ("Gestart", [Point(None, "<10"), Point(None, "×"), Point(None, "<10")]),
        ("Binnen 30 dagen", [Point(None, "<10")] * 3),
    )
    assert "<svg" not in html
    assert 'class="chart-empty"' in html
    assert "elk cijfer in deze grafiek is verborgen" in html


def test_count_axes_have_whole_ticks_that_reach_the_largest_value():
    for largest in (1, 4, 9, 12, 19, 23, 25, 63, 100, 137, 999, 4321):
        chart = line_chart(
            "Trajecten", QUARTERS, [("Gestart", [Point(0), Point(largest), Point(1)])]
        )
        ticks = [tick.label for tick in chart.y_ticks]
        values = [int(label.replace(".", "")) for label in ticks]  # "1.000" in Dutch
        assert values[0] == 0 and values[-1] >= largest, (largest, ticks)
        assert values[-1] <= 2 * max(largest, 4), (largest, ticks)  # the line fills the chart
        step = values[1]
        assert values == [step * k for k in range(5)], (largest, ticks)  # even, whole steps


PHONE_CHART_WIDTH = 342  # a 390-pixel screen less the page's margins


def shown_font_size(svg: str) -> float:
    """The smallest font size of the chart's text as shown in a phone-wide box."""
    box = re.search(r'viewBox="0 0 (\d+) ', svg)
    assert box, "no viewBox"
    width = int(box.group(1))
    smallest = min(int(size) for size in re.findall(r'font-size="(\d+)"', svg))
    return smallest * min(1.0, PHONE_CHART_WIDTH / width)


def test_on_a_phone_every_chart_has_a_layout_whose_text_stays_readable():
    long_label = "Financiën en administratie op orde houden"
    bars = bar_chart("Doelen", [(long_label, Point(12)), ("Gestopt", Point(None, "<10"))], id="g")
    line = line_chart(
        "Trajecten", QUARTERS, [("Gestart", [Point(12), Point(None, "<10"), Point(15)])]
    )
    for chart in (bars, line):
        with translation.override("nl"):
            html = render_to_string("charts/screen.html", {"chart": chart})
        wide, narrow = html.split("</svg>")[:2]
        assert "chart--wide" in wide and "chart--narrow" in narrow
        assert shown_font_size(wide) < 9  # why the narrow layout exists
        assert shown_font_size(narrow) >= 10.5, chart.kind
        ids = re.findall(r' id="([^"]+)"', html)
        assert len(ids) == len(set(ids))  # both layouts on one page: no id twice
    narrow_bars = bars.narrow()
    assert all(bar.label_y < bar.y for bar in narrow_bars.bars)  # each label above its bar
    assert long_label in render_to_string("charts/bar.html", {"chart": narrow_bars})
