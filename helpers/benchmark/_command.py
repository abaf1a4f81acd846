"""The command line: `python -m helpers.benchmark [--quick] [--json PATH] [--plot PATH] [...]`.

    python -m helpers.benchmark --quick --json out.json --plot out.png
    benchmark.main(["--quick", "--images", "64"])   # the same from Python; returns the exit status

It may import the package's other modules (`._workloads`, `._equal_work`, `._comparison`, `._report`)
and `helpers.measure`/`helpers.paths` at import time. TensorFlow is imported only once a comparison runs
(`run_comparison`), so `--help` is instant.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from helpers import cli_args
from helpers.benchmark._comparison import run_comparison
from helpers.benchmark._equal_work import EqualWorkError
from helpers.benchmark._report import format_table, machine_facts, plot_comparison, to_json
from helpers.benchmark._workloads import IMAGE_SIZE
from helpers.measure import available_cores
from helpers.paths import display_path

__all__ = ["main"]


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
    parser.add_argument("--verbose", action="store_true", help="print each repeat as it is measured")
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
        f"{image_count} JPEGs 640x480 -> {IMAGE_SIZE}x{IMAGE_SIZE} RGB float32 [0, 1]; {cores} cores; "
        f"median of {repeats} repeats of >= {min_seconds:g} s each, rows in turns",
        flush=True,
    )
    log = (lambda line: print("  " + line, file=sys.stderr, flush=True)) if args.verbose else None
    try:
        comparison = run_comparison(
            image_count=image_count,
            small_elements=small_elements,
            repeats=repeats,
            min_seconds=min_seconds,
            quick=args.quick,
            progress=not args.no_progress and not args.verbose,
            log=log,
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
    seconds = time.perf_counter() - started
    written = True
    if args.json:
        text = json.dumps(to_json(comparison, seconds=seconds), indent=2) + "\n"
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
