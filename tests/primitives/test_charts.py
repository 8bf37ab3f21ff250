"""The chart geometry every chart page draws: bars scale to the largest value, lines skip what
was not measured, and a price is held flat until it changes."""

from datetime import datetime, timedelta, timezone
from decimal import Decimal

from primitives.charts import (
    PLOT_BOTTOM, PLOT_TOP, STEP_LEFT, STEP_RIGHT, Line, bar_chart, horizontal_bars, line_chart, proportion_rows,
    step_chart,
)


def test_the_largest_bar_fills_the_plot_and_the_others_scale_to_it():
    chart = bar_chart(title="Sales by day", points=[("Mon", Decimal("50")), ("Tue", Decimal("100")), ("Wed", 0)],
                      formatter=lambda value: f"£{value}", label_every=2)
    monday, tuesday, wednesday = chart.bars
    assert tuesday.height == PLOT_BOTTOM - PLOT_TOP and tuesday.y == PLOT_TOP
    assert monday.height == (PLOT_BOTTOM - PLOT_TOP) / 2
    assert wednesday.height == 0
    assert [bar.show_label for bar in chart.bars] == [True, False, True]
    assert chart.peak == "£100" and monday.value == "£50"


def test_a_bar_chart_without_points_has_no_bars_and_all_zero_draws_flat():
    assert bar_chart(title="t", points=[], formatter=str).bars == []
    assert [bar.height for bar in bar_chart(title="t", points=[("a", 0), ("b", 0)], formatter=str).bars] == [0, 0]


def test_horizontal_bars_stack_one_row_apart_and_scale_to_the_track():
    bars = horizontal_bars(items=[("Loyal", 40), ("New", 10), ("Gone", 0)], track=400, row_height=26)
    assert [(bar.y, bar.width, bar.value) for bar in bars] == [(4, 400, "40"), (30, 100, "10"), (56, 0, "0")]
    assert [bar.width for bar in horizontal_bars(items=[("a", 0)], track=400, row_height=26)] == [0]


def test_proportion_rows_share_a_scale_and_hide_what_has_no_value():
    rows = proportion_rows([("Yes", Decimal("0.25"), "25%"), ("Hidden", None, "fewer than 5 people")], scale=1)
    assert (rows[0].width, rows[0].hidden) == (25.0, False)
    assert (rows[1].width, rows[1].hidden, rows[1].value) == (0.0, True, "fewer than 5 people")


def test_a_line_skips_the_columns_it_did_not_measure():
    chart = line_chart(key="ndcg", title="NDCG", columns=["v1", "v2", "v3"],
                       lines=[Line(name="A", colour="#000", dashed=False, values=[0.5, None, 0.25])])
    series, = chart.series
    assert len(series.points.split()) == 2
    assert series.values == ["0.5000", "—", "0.2500"]
    assert [label for _, label in chart.labels] == ["v1", "v2", "v3"] and chart.peak == "0.5000"


def test_a_step_line_holds_the_old_price_until_the_change():
    start = datetime(2026, 1, 1, tzinfo=timezone.utc)
    chart = step_chart([(start, Decimal("10.00")), (start + timedelta(days=1), Decimal("8.00"))])
    (x0, y_old), (x1, y_held), (x2, y_new) = [tuple(map(float, p.split(","))) for p in chart.points.split()]
    assert (x0, x1, x2) == (STEP_LEFT, STEP_RIGHT, STEP_RIGHT)
    assert y_held == y_old and y_new > y_old  # a lower price sits lower on the chart
    assert (chart.lowest, chart.highest) == (Decimal("8.00"), Decimal("10.00"))
    assert step_chart([]) is None
