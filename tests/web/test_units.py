"""Small pieces of the web layer: charts, CSV cells, the page cache."""

from __future__ import annotations

import re
from datetime import date

from factdesk.web import charts
from factdesk.web.charts import bar_chart, fill_days
from factdesk.web.csvfile import cell, to_csv


def test_charts_fill_days_puts_zeros_in_gaps() -> None:
    points = fill_days([(date(2024, 1, 1), 2), (date(2024, 1, 4), 1)])
    assert [n for _, n in points] == [2, 0, 0, 1]
    assert len(fill_days([], days=30, end=date(2024, 1, 30))) == 30
    assert fill_days([]) == []


def test_charts_bar_chart_is_escaped_svg_without_style() -> None:
    svg = str(bar_chart([(date(2024, 1, 1), 3), (date(2024, 1, 2), 0)], label='<x> "y"'))
    assert svg.startswith("<svg") and svg.count("<rect") == 2
    assert "&lt;x&gt;" in svg and "style=" not in svg  # CSP forbids inline style
    assert "2024-01-01: 3" in svg
    assert str(bar_chart([], label="none")) == ""


def test_charts_one_day_is_a_bar_not_a_solid_block() -> None:
    svg = str(charts.bar_chart([(date(2026, 3, 1), 5)], label="mentions per day"))
    (width,) = re.findall(r'<rect class="bar" x="[\d.]+" y="[\d.]+" width="([\d.]+)"', svg)
    assert float(width) <= charts.MAX_BAR  # the plot is 600 wide: a block would fill it
    month = charts.fill_days([(date(2026, 3, 1), 5)], days=30, end=date(2026, 3, 30))
    widths = re.findall(
        r'class="bar" x="[\d.]+" y="[\d.]+" width="([\d.]+)"',
        str(charts.bar_chart(month, label="m")),
    )
    assert len(widths) == 30 and all(float(w) < charts.MAX_BAR for w in widths)


def test_export_cells_defuse_formulas_and_keep_unicode() -> None:
    assert cell("=1+1") == "'=1+1" and cell("-2") == "'-2" and cell("@SUM") == "'@SUM"
    assert cell(None) == "" and cell({"a": "ấ"}) == '{"a": "ấ"}'
    text = to_csv(["a", "b"], [{"a": "Việt", "b": 1}])
    assert text == "\ufeffa,b\r\nViệt,1\r\n"


def test_cache_computes_once_for_many_threads_and_serves_stale_while_refreshing() -> None:
    import threading
    import time

    from factdesk.web.deps import TTLCache

    cache = TTLCache(0.05)
    calls: list[int] = []
    gate = threading.Event()

    def slow() -> int:
        calls.append(1)
        gate.wait(5)
        return len(calls)

    results: list[int] = []
    threads = [
        threading.Thread(target=lambda: results.append(cache.get("k", slow))) for _ in range(8)
    ]
    for t in threads:
        t.start()
    time.sleep(0.05)
    gate.set()
    for t in threads:
        t.join(5)
    assert calls == [1] and results == [1] * 8  # one computation, everyone got it

    time.sleep(0.06)  # expired: one thread refreshes, the others get the old value meanwhile
    gate.clear()
    refresher = threading.Thread(target=lambda: results.append(cache.get("k", slow)))
    refresher.start()
    time.sleep(0.05)
    assert cache.get("k", slow) == 1 and len(calls) == 2
    gate.set()
    refresher.join(5)
    assert cache.get("k", slow) == 2
    assert TTLCache(0).get("k", lambda: "fresh") == "fresh"
