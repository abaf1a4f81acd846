"""The command line and its report: `python -m helpers.benchmark [--quick] [--json PATH] [--plot PATH]`.

`main(["--quick"])` runs it from Python and returns the exit status. TensorFlow and matplotlib are
imported only once a comparison runs, so `--help` is instant.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import json
import os
import platform
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict
from pathlib import Path

import cv2
import numpy as np

from helpers import cli_args
from helpers.benchmark._comparison import ComparisonRow, EqualWorkError, run_comparison
from helpers.image_work import IMAGE_SIZE, SAME_OUTPUT_LEVELS
from helpers.measure import available_cores
from helpers.paths import display_path

__all__ = [
    "TARGETS",
    "format_table",
    "machine_facts",
    "main",
    "plot_comparison",
    "target_ratios",
    "target_verdict",
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


def target_ratios(rows: Sequence[ComparisonRow]) -> list[dict[str, object]]:
    """The ratios of medians the targets are about, with their range over the rounds and a verdict.

    Round i of every row ran back to back, so the ratio of round i's figures is one paired sample.

    Args:
        rows: the comparison's rows, measured on this machine (the targets are for 2 cores).

    Returns:
        One dict per target: numerator, denominator, ratio, min/max over the rounds, the inverse ratio of
        their CPU costs per element (steadier on a shared machine: what the ratio would be if both
        rows got the same CPU time), target, verdict (`target_verdict`), and whether the target applies
        (measured on 2 cores).
    """
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
                "target_applies": available_cores() == 2,
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
        "targets (ratios of medians; [range of the per-round ratios]; met or missed in every round, or not "
        "settled; by CPU cost: the inverse ratio of CPU ms):",
    ]
    for ratio in target_ratios(rows):
        verdict = f"{ratio['verdict']}{'' if ratio['target_applies'] else ' (targets are for 2 cores)'}"
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


def plot_comparison(rows: Sequence[ComparisonRow], *, title: str = ""):
    """Returns a matplotlib Figure: image rows as bars with their spread and the limit as a line, then the
    yield rows; `title` on top (e.g. cores and date)."""
    from matplotlib.figure import Figure

    from helpers import plots

    image_rows = [row for row in rows if row.unit == "images" and row.name != "limit"]
    yield_rows = [row for row in rows if row.unit == "rows"]
    limit = next(row for row in rows if row.name == "limit")
    fig = Figure(figsize=(9.0, 5.6), layout="constrained")
    top, bottom = fig.subplots(2, 1, height_ratios=[len(image_rows) + 1, len(yield_rows) + 0.6])
    limit_range = (limit.min_elements_per_second, limit.max_elements_per_second)
    for ax, shown in ((top, image_rows), (bottom, yield_rows)):
        images = ax is top
        plots.benchmark_bars(
            [row.name for row in shown],
            [row.elements_per_second for row in shown],
            low=[row.min_elements_per_second for row in shown],
            high=[row.max_elements_per_second for row in shown],
            cpu_seconds_per_1000=[row.cpu_ms_per_element for row in shown],  # the same number
            limit=limit.elements_per_second if images else None,
            limit_range=limit_range if images else None,
            limit_label=f"limit {limit.elements_per_second:,.0f}/s (its spread shaded)" if images else None,
            unit="images/s" if images else "rows/s",
            log_scale=not images,
            ax=ax,
            title="images/s: median of the repeats, whiskers from slowest to fastest repeat"
            if images
            else "small elements: rows/s (log scale)",
        )
    if title:
        fig.suptitle(title, fontsize=10)
    return fig


# Bounds on what a run may ask for; argparse rejects anything else before any work starts.
_MOST_IMAGES = 20_000
_MOST_REPEATS = 100
_MOST_SECONDS = 60.0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m helpers.benchmark",
        description="Compare from_generator pipelines with a graph-native one and the machine's limit, "
        "on the same 640x480 JPEGs -> 224x224 RGB float32 in [0, 1] (checked before timing).",
    )
    parser.add_argument("--quick", action="store_true", help="fewer images, shorter repeats (< 60 s)")
    parser.add_argument(
        "--json", type=cli_args.writable_file(), metavar="PATH", help="also write everything measured as JSON"
    )
    parser.add_argument(
        "--plot",
        type=cli_args.writable_file(suffix=".png"),
        metavar="PATH",
        help="also draw the rows as a PNG",
    )
    parser.add_argument(
        "--images",
        type=cli_args.whole_number(
            1,
            _MOST_IMAGES,
            why="they are written to .cache/ first, and every row decodes them all in each repeat",
        ),
        help=f"JPEGs per pass, 1 to {_MOST_IMAGES:,} (default 600; quick 160)",
    )
    parser.add_argument(
        "--repeats",
        type=cli_args.whole_number(1, _MOST_REPEATS, why="each repeat times every row again"),
        help=f"timed repeats per row, in turns, 1 to {_MOST_REPEATS} (default 5; quick 3)",
    )
    parser.add_argument(
        "--seconds",
        type=cli_args.number(0, _MOST_SECONDS, why="every row runs at least this long in each repeat"),
        help=f"shortest repeat of a row, whole passes, 0 to {_MOST_SECONDS:g} (default 2; quick 0.4)",
    )
    parser.add_argument("--no-progress", action="store_true", help="no progress bar on stderr")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """The command: `python -m helpers.benchmark [--quick] [--json PATH] [--plot PATH] [...]`."""
    args = _parser().parse_args(argv)
    started = time.perf_counter()
    image_count = args.images or (160 if args.quick else 600)
    repeats = args.repeats or (3 if args.quick else 5)
    min_seconds = args.seconds if args.seconds is not None else (0.4 if args.quick else 2.0)
    small_elements = 8_192 if args.quick else 16_384
    cores = available_cores()
    print(
        f"{image_count} JPEGs 640x480 -> {IMAGE_SIZE[1]}x{IMAGE_SIZE[0]} RGB float32 [0, 1]; {cores} cores; "
        f"median of {repeats} repeats of >= {min_seconds:g} s each, rows in turns",
        flush=True,
    )
    try:
        comparison = run_comparison(
            image_count=image_count,
            small_elements=small_elements,
            repeats=repeats,
            min_seconds=min_seconds,
            progress=not args.no_progress,
        )
    except EqualWorkError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    print(format_table(comparison.rows))
    load = comparison.load_average
    print(f"load average (1 min): {load.get('start')} at the start, {load.get('end')} at the end")
    busiest = max((value for value in load.values() if value is not None), default=0.0)
    if busiest > cores:
        print(
            f"note: a load average over {cores} means other programs wanted the CPU too, so the wall-clock "
            "figures (and the limit, which assumes every core is free) are low and noisy; the CPU cost "
            "column is steadier"
        )
    written = True
    if args.json:
        payload = {
            "machine": machine_facts(),
            "load_average_1min": comparison.load_average,
            "settings": comparison.settings,
            "seconds": time.perf_counter() - started,
            "rows": [asdict(row) for row in comparison.rows],
            "target_ratios": target_ratios(comparison.rows),
            "output_checks": {name: asdict(check) for name, check in comparison.checks.items()},
        }
        text = json.dumps(payload, indent=2) + "\n"
        written &= _write(args.json, lambda path: path.write_text(text))
    if args.plot:
        facts = machine_facts()
        fig = plot_comparison(
            comparison.rows,
            title=f"python -m helpers.benchmark{' --quick' if args.quick else ''} · "
            f"{facts['available_cores']} cores · {facts['cpu_model']} · "
            f"TF {facts['tensorflow']} · {str(facts['date'])[:10]}",
        )
        written &= _write(args.plot, lambda path: fig.savefig(path, dpi=110))
    print(f"took {time.perf_counter() - started:.0f} s")
    return 0 if written else 1


def _write(path: Path, write: Callable[[Path], object]) -> bool:
    """Writes one output and says so; a failure goes to stderr, so the other outputs are still written.

    The folder could be written when the run started (the parser checked), but it may have gone since.
    """
    try:
        write(path)
    except OSError as error:
        print(f"error: could not write {display_path(path)}: {error.strerror or error}", file=sys.stderr)
        return False
    print(f"wrote {display_path(path)}")
    return True
