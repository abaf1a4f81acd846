"""Reporting a comparison: the target ratios, the text table, the JSON and the figure.

    print(format_table(comparison.rows))            # rows from `run_comparison`
    payload = to_json(comparison, seconds=42.0)      # machine facts, settings, rows, ratios, checks
    fig = plot_comparison(comparison.rows, title="2 cores")     # a matplotlib Figure

It may import `._comparison` (the row and comparison types), `helpers.image_work` (the rule shown),
`helpers.measure`, NumPy and OpenCV at import time; TensorFlow, matplotlib and `helpers.plots` only inside
functions.
"""

from __future__ import annotations

import contextlib
import datetime
import os
import platform
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path

import cv2
import numpy as np

from helpers.benchmark._comparison import Comparison, ComparisonRow
from helpers.image_work import SAME_OUTPUT_LEVELS
from helpers.measure import available_cores

__all__ = [
    "TARGETS",
    "format_table",
    "machine_facts",
    "plot_comparison",
    "target_ratios",
    "target_verdict",
    "to_json",
]


TARGETS = (
    ("best_from_generator", "article_example_2", 4.0),
    ("best_from_generator", "graph_native", 1.2),
    ("best_from_generator", "limit", 0.8),
    ("per_batch_yield", "per_element_yield", 50.0),
)
"""(numerator row, denominator row, the ratio of medians aimed for on 2 cores)."""


def target_verdict(min_ratio: float, max_ratio: float, target: float) -> str:
    """`met` when every round's ratio reached the target, `missed` when none did, else `not settled`.

    A verdict from the median alone flips between runs whenever the target lies inside the rounds' range
    (five quiet runs here read best / graph_native 1.13-1.52 against 1.2): such a run settles nothing.
    """
    if min_ratio >= target:
        return "met"
    if max_ratio < target:
        return "missed"
    return "not settled"


def target_ratios(rows: Sequence[ComparisonRow], *, cores: int | None = None) -> list[dict[str, object]]:
    """The ratios of medians the targets are about, with their range over the rounds and a verdict.

    Round i of every row ran back to back, so the ratio of round i's figures is one paired sample.

    Args:
        rows: the comparison's rows.
        cores: cores of the machine that measured them (default: this one's); the targets are for 2.

    Returns:
        One dict per target: numerator, denominator, ratio, min/max over the rounds, the inverse ratio of
        their CPU costs per element (steadier on a shared machine: what the ratio would be if both
        rows got the same CPU time), target, verdict (`target_verdict`), and whether the target applies
        (measured on 2 cores).
    """
    cores = available_cores() if cores is None else cores
    by_name = {row.name: row for row in rows}
    ratios = []
    for numerator, denominator, target in TARGETS:
        top, bottom = by_name[numerator], by_name[denominator]
        paired = [a / b for a, b in zip(top.samples, bottom.samples, strict=False) if b > 0]
        ratio = top.elements_per_second / bottom.elements_per_second
        ratios.append(
            {
                "numerator": numerator,
                "denominator": denominator,
                "ratio": ratio,
                "cpu_cost_ratio": bottom.cpu_ms_per_element / top.cpu_ms_per_element,
                "min_ratio_over_rounds": min(paired, default=ratio),
                "max_ratio_over_rounds": max(paired, default=ratio),
                "target": target,
                "verdict": target_verdict(min(paired, default=ratio), max(paired, default=ratio), target),
                "target_applies": cores == 2,
            }
        )
    return ratios


def format_table(rows: Sequence[ComparisonRow]) -> str:
    """Returns the rows as an aligned text table, then the target ratios and what each row runs."""
    lines = [
        f"{'row':<20} {'median/s':>10} {'min - max':>19} {'ratio':>7} {'to':<11} {'CPU ms':>7} {'max |Δ|':>7}"
    ]
    for row in rows:
        spread = f"{row.min_elements_per_second:,.0f} - {row.max_elements_per_second:,.0f}"
        difference = "" if row.max_difference_levels is None else f"{row.max_difference_levels:g}"
        lines.append(
            f"{row.name:<20} {row.elements_per_second:>10,.0f} {spread:>19} {row.ratio:>6.2f}x "
            f"{row.ratio_to.replace('_yield', ''):<11} {row.cpu_ms_per_element:>7.3f} {difference:>7}"
        )
    lines += [
        "",
        "median/s: images/s (rows/s for the yield rows), median of the repeats; min - max: slowest and "
        "fastest repeat",
        "CPU ms: CPU milliseconds per image or row, of this process (all threads) and its worker processes",
        "max |Δ|: largest pixel difference from the reference generator's images, in grey levels; the same "
        f"output is within {SAME_OUTPUT_LEVELS:g}",
        "",
        "targets (ratios of medians; [range of the per-round ratios]; by CPU cost: the inverse ratio of "
        "CPU ms):",
    ]
    for ratio in target_ratios(rows):
        verdict = {"met": "met in every round", "missed": "MISSED in every round"}.get(
            str(ratio["verdict"]), "not settled (rounds on both sides)"
        )
        if not ratio["target_applies"]:
            verdict += " (targets are for 2 cores)"
        lines.append(
            f"  {ratio['numerator']} / {ratio['denominator']} = {ratio['ratio']:.2f}x "
            f"[{ratio['min_ratio_over_rounds']:.2f} - {ratio['max_ratio_over_rounds']:.2f}]"
            f"  target >= {ratio['target']:g}: {verdict}; by CPU cost {ratio['cpu_cost_ratio']:.2f}x"
        )
    lines += ["", "rows:"]
    lines += [f"  {row.name:<20} {row.what}" for row in rows]
    return "\n".join(lines)


def machine_facts() -> dict[str, object]:
    """Facts about this machine and its software that figures depend on (for the JSON)."""
    import tensorflow as tf

    model = platform.processor() or platform.machine()
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    return {
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "available_cores": available_cores(),
        "cpu_count": os.cpu_count(),
        "cpu_model": model,
        "platform": platform.platform(),
        "python": platform.python_version(),
        "tensorflow": tf.__version__,
        "opencv": cv2.__version__,
        "numpy": np.__version__,
    }


def to_json(comparison: Comparison, *, seconds: float | None = None) -> dict[str, object]:
    """The comparison as a JSON-ready dict: machine facts, settings, rows, target ratios, output checks."""
    return {
        "machine": machine_facts(),
        "load_average_1min": comparison.load_average,
        "settings": comparison.settings,
        "seconds": seconds,
        "rows": [asdict(row) for row in comparison.rows],
        "target_ratios": target_ratios(comparison.rows),
        "output_checks": {name: asdict(check) for name, check in comparison.checks.items()},
    }


def plot_comparison(rows: Sequence[ComparisonRow], *, title: str = ""):
    """Returns a Figure: image rows as bars with their spread and the limit as a line; then the yield rows.

    Args:
        rows: the comparison's rows.
        title: the figure's title (e.g. cores and date).

    Returns:
        A matplotlib Figure (save it with `fig.savefig(path)`).
    """
    from matplotlib.figure import Figure

    from helpers import plots

    image_rows = [row for row in rows if row.unit == "images" and row.name != "limit"]
    yield_rows = [row for row in rows if row.unit == "rows"]
    limit = next(row for row in rows if row.name == "limit")
    fig = Figure(figsize=(9.0, 5.6), layout="constrained")
    top, bottom = fig.subplots(2, 1, height_ratios=[len(image_rows) + 1, len(yield_rows) + 0.6])
    for ax, shown, unit, limit_value in (
        (top, image_rows, "images/s", limit),
        (bottom, yield_rows, "rows/s", None),
    ):
        plots.benchmark_bars(
            [row.name for row in shown],
            [row.elements_per_second for row in shown],
            low=[row.min_elements_per_second for row in shown],
            high=[row.max_elements_per_second for row in shown],
            cpu_seconds_per_1000=[row.cpu_ms_per_element for row in shown],  # the same number
            limit=None if limit_value is None else limit_value.elements_per_second,
            limit_range=None
            if limit_value is None
            else (limit_value.min_elements_per_second, limit_value.max_elements_per_second),
            limit_label=None
            if limit_value is None
            else f"limit {limit_value.elements_per_second:,.0f}/s (its spread shaded)",
            unit=unit,
            log_scale=unit == "rows/s",
            ax=ax,
            title="images/s: median of the repeats, whiskers from slowest to fastest repeat"
            if unit == "images/s"
            else "small elements: rows/s (log scale)",
        )
    if title:
        fig.suptitle(title, fontsize=10)
    return fig
