import xml.etree.ElementTree as ET

import numpy as np

from factdesk.eval.checkworthiness import calibration
from factdesk.eval.reliability import LEFT, SIZE, TOP, reliability_chart

SVG = "{http://www.w3.org/2000/svg}"


def _bin(low: float, rows: int, predicted: float, observed: float) -> dict[str, float]:
    return {
        "low": low,
        "high": low + 0.1,
        "rows": rows,
        "predicted": predicted,
        "observed": observed,
    }


def test_chart_places_each_bin_at_its_score_and_share() -> None:
    bins = [_bin(0.2, 10, 0.25, 0.75), _bin(0.9, 40, 0.95, 0.95)]
    root = ET.fromstring(reliability_chart(bins, title="model on set.tsv"))
    dots = root.findall(f".//{SVG}circle")
    assert len(dots) == 2
    first = dots[0]
    assert float(first.get("cx")) == LEFT + SIZE * 0.25
    assert float(first.get("cy")) == TOP + SIZE * (1 - 0.75)
    # area proportional to rows: 4x the rows is 2x the radius
    assert float(dots[1].get("r")) == 2 * float(first.get("r"))
    assert len(root.findall(f".//{SVG}rect[@class='rows']")) == 2


def test_chart_escapes_the_title() -> None:
    svg = reliability_chart([_bin(0.0, 1, 0.05, 0.0)], title="<script>alert(1)</script>")
    assert "<script>" not in svg
    ET.fromstring(svg)  # still well-formed


def test_calibration_of_a_perfectly_calibrated_score() -> None:
    rng = np.random.default_rng(0)
    probs = rng.uniform(0, 1, 20_000)
    gold = (rng.uniform(0, 1, 20_000) < probs).tolist()
    figures = calibration(gold, probs.tolist())
    assert abs(figures["brier"] - 1 / 6) < 0.01  # E[p(1-p)] for uniform p
    for b in figures["reliability"]:
        assert abs(b["observed"] - b["predicted"]) < 0.03


def test_calibration_sees_an_overconfident_score() -> None:
    figures = calibration([True, False, True, False], [0.95, 0.95, 0.95, 0.95])
    (only,) = figures["reliability"]
    assert only["predicted"] == 0.95 and only["observed"] == 0.5
