"""The comparison: the rows, their equal-work check and probe, then the timed rounds and the table's rows.

    comparison = run_comparison(image_count=256, repeats=3)   # a Comparison: rows, results, probe, checks
    rows, results = compare(image_count=256, repeats=3)       # notebook 05's call

It may import `._startup`, `._workloads`, `._equal_work`, `._probe`, `helpers.measure`, NumPy and
OpenCV at import time; TensorFlow, tqdm and the lesson helpers (`article`, `datasets`, `pipelines`,
`alternatives`) only inside functions.
"""

from __future__ import annotations

import contextlib
import functools
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import cv2
import numpy as np

from helpers import measure
from helpers.benchmark._equal_work import (
    CHECK_IMAGES,
    MEAN_DIFFERENCE_BOUND_LEVELS,
    EqualWorkCheck,
    check_rows,
)
from helpers.benchmark._probe import Probe, probe_generator_configs
from helpers.benchmark._startup import import_tensorflow_quietly
from helpers.benchmark._workloads import (
    BATCH_SIZE,
    BATCH_YIELD_MULTIPLE,
    SMALL_BATCH_SIZE,
    SMALL_FEATURES,
    article_dataset,
    feature_batches,
    feature_rows,
    float32_dataset,
    generator_candidates,
    graph_native_dataset,
    limit_images,
    stream_chunks,
    warm_up,
)
from helpers.measure import PassTiming, ThroughputResult, available_cores

if TYPE_CHECKING:
    import tensorflow as tf

__all__ = [
    "IMAGE_ROW_NAMES",
    "YIELD_ROW_NAMES",
    "Comparison",
    "ComparisonRow",
    "compare",
    "run_comparison",
]

IMAGE_ROW_NAMES = (
    "article_example_2",
    "float32",
    "best_from_generator",
    "numpy_function_map",
    "index_pattern",
    "graph_native",
    "limit",
)
YIELD_ROW_NAMES = ("per_element_yield", "per_batch_yield")


@dataclass(frozen=True)
class ComparisonRow:
    """One row of the comparison table.

    Attributes:
        name: the row's key (`article_example_2`, `float32`, ...).
        elements_per_second: median over the repeats (images/s, or rows/s for the yield rows).
        ratio_to_limit: `elements_per_second / limit`; None for the small-element rows.
        ratio: the ratio shown (to `limit`, or between the two small-element rows).
        ratio_to: what `ratio` compares with.
        what: what the row runs.
        samples: elements/s of each repeat, in round order (round i of every row ran back to back).
        min_elements_per_second: the slowest repeat.
        max_elements_per_second: the fastest repeat.
        q1_elements_per_second: lower quartile of the repeats.
        q3_elements_per_second: upper quartile of the repeats.
        cpu_seconds_per_1000: median process CPU seconds per 1,000 elements (all threads).
        unit: "images" or "rows".
        mean_difference_levels: the equal-work check's mean absolute difference from the reference, in
            grey levels (None for the yield rows).
        known_difference: what the row does differently from the reference, when it is a documented
            exception ("" otherwise).
    """

    name: str
    elements_per_second: float
    ratio_to_limit: float | None
    ratio: float
    ratio_to: str
    what: str
    samples: tuple[float, ...] = ()
    min_elements_per_second: float = float("nan")
    max_elements_per_second: float = float("nan")
    q1_elements_per_second: float = float("nan")
    q3_elements_per_second: float = float("nan")
    cpu_seconds_per_1000: float = float("nan")
    unit: str = "images"
    mean_difference_levels: float | None = None
    known_difference: str = ""


@dataclass(frozen=True)
class Comparison:
    """Everything one comparison measured.

    Attributes:
        rows: the table's rows, in table order.
        results: every row's `ThroughputResult`, then the probe candidates' (named "probe: ...").
        probe: how `best_from_generator` was chosen.
        checks: the equal-work check of every image row, in table order.
        settings: what was run (images, repeats, seconds per repeat, ...).
        load_average: 1-minute load average at the start and at the end (None where unavailable).
    """

    rows: list[ComparisonRow]
    results: list[ThroughputResult]
    probe: Probe
    checks: list[EqualWorkCheck]
    settings: dict[str, object] = field(default_factory=dict)
    load_average: dict[str, float | None] = field(default_factory=dict)


# --- the comparison ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _Row:
    name: str
    what: str
    timed_pass: Callable[[], PassTiming]
    warm_up: Callable[[], object]
    rate_multiplier: int = 1
    unit: str = "images"


def _dataset_row(name: str, what: str, dataset: tf.data.Dataset) -> _Row:
    return _Row(name, what, lambda: measure.time_dataset_pass(dataset), lambda: warm_up(dataset))


def _call_row(name: str, what: str, run_once: Callable[[], int], **kwargs) -> _Row:
    return _Row(name, what, lambda: measure.time_call(run_once), run_once, **kwargs)


@contextlib.contextmanager
def _opencv_threads(count: int) -> Iterator[None]:
    previous = cv2.getNumThreads()
    cv2.setNumThreads(count)
    try:
        yield
    finally:
        cv2.setNumThreads(previous)


def _load_average() -> float | None:
    try:
        return round(os.getloadavg()[0], 2)
    except OSError:
        return None


def run_comparison(
    *,
    image_count: int = 600,
    small_elements: int = 16_384,
    repeats: int = 3,
    min_seconds: float = 0.0,
    probe_repeats: int = 2,
    quick: bool = False,
    progress: bool = False,
    log: Callable[[str], None] | None = None,
) -> Comparison:
    """Checks that every image row does the same work, probes the generator candidates, then times every row.

    Repeats are taken round-robin (row 1, row 2, ..., row 1, row 2, ...) so a change in the machine's
    load during the run affects every row alike. OpenCV runs single-threaded for every row (the
    generator rows set that anyway; one level of parallelism), and is restored afterwards.

    Args:
        image_count: benchmark JPEGs (640x480) per pass.
        small_elements: rows of features (the same rows feed both small-element rows); the per-element
            row reads this many per pass, the per-batch row `BATCH_YIELD_MULTIPLE` times as many.
        repeats: timed repeats per row (the median is reported with the spread).
        min_seconds: a repeat runs whole passes until it lasts this long (0: one pass); longer repeats
            swamp each pass's start-up.
        probe_repeats: rounds of the untimed probe choosing `best_from_generator`.
        quick: recorded in the settings (the caller picks smaller counts).
        progress: show a progress bar on stderr.
        log: called with a short line per repeat (None: silent).

    Returns:
        The `Comparison`.

    Raises:
        EqualWorkError: a row's images are not the reference's (apart from a documented exception).
    """
    import_tensorflow_quietly()
    from tqdm import tqdm

    from helpers import article, datasets

    load_at_start = _load_average()
    cores = available_cores()
    paths = [str(p) for p in datasets.benchmark_jpegs(image_count, progress=False)]
    check_paths = paths[: min(CHECK_IMAGES, len(paths))]
    configs = generator_candidates(cores)
    features = np.random.default_rng(0).random((small_elements, SMALL_FEATURES), dtype=np.float32)
    row_count = len(IMAGE_ROW_NAMES) + len(YIELD_ROW_NAMES)
    bar = tqdm(
        total=len(IMAGE_ROW_NAMES) - 1 + len(configs) + probe_repeats * len(configs) + repeats * row_count,
        desc="benchmark",
        unit="step",
        file=sys.stderr,
        disable=not progress,
        leave=False,
    )

    def step(label: str) -> None:
        bar.set_postfix_str(label, refresh=False)
        bar.update()

    def on_probe_result(label: str, repeat: int, timing: PassTiming) -> None:
        step(f"probe {label}")
        if log is not None:
            log(f"probe {repeat + 1}/{probe_repeats} {label}: {timing.elements_per_second:,.0f}/s")

    try:
        with _opencv_threads(1):
            checks = check_rows(check_paths, configs, article, step)
            probe = probe_generator_configs(
                configs,
                paths,
                repeats=probe_repeats,
                min_seconds=min_seconds / 2,
                on_result=on_probe_result,
            )
            rows = _rows(paths, features, probe, cores, article)
            for row in rows:
                row.warm_up()

            def on_result(name: str, repeat: int, timing: PassTiming) -> None:
                step(name)
                if log is not None:
                    rate = timing.elements_per_second * by_name[name].rate_multiplier
                    log(f"repeat {repeat + 1}/{repeats} {name}: {rate:,.0f}/s")

            by_name = {row.name: row for row in rows}
            timings = measure.round_robin(
                {
                    row.name: functools.partial(measure.repeat_for, row.timed_pass, min_seconds=min_seconds)
                    for row in rows
                },
                repeats=repeats,
                on_result=on_result,
            )
    finally:
        bar.close()
    results = [
        ThroughputResult.from_timings(row.name, timings[row.name], rate_multiplier=row.rate_multiplier)
        for row in rows
    ]
    table = _table_rows(rows, results, checks, probe)
    settings: dict[str, object] = {
        "image_count": image_count,
        "small_elements": small_elements,
        "repeats": repeats,
        "min_seconds": min_seconds,
        "probe_repeats": probe_repeats,
        "check_images": len(check_paths),
        "mean_difference_bound_levels": MEAN_DIFFERENCE_BOUND_LEVELS,
        "opencv_threads": 1,
        "quick": quick,
    }
    probe_results = [
        ThroughputResult.from_samples(
            f"probe: {label}", result.samples, elements=result.elements, cpu_samples=result.cpu_samples
        )
        for label, result in probe.candidates.items()
    ]
    return Comparison(
        rows=table,
        results=results + probe_results,
        probe=probe,
        checks=checks,
        settings=settings,
        load_average={"start": load_at_start, "end": _load_average()},
    )


def compare(
    *,
    image_count: int = 600,
    small_elements: int = 16_384,
    repeats: int = 3,
    min_seconds: float = 0.0,
    quick: bool = False,
    log: Callable[[str], None] | None = None,
) -> tuple[list[ComparisonRow], list[ThroughputResult]]:
    """`run_comparison`, returning only (the table's rows, every `ThroughputResult`): notebook 05's call."""
    comparison = run_comparison(
        image_count=image_count,
        small_elements=small_elements,
        repeats=repeats,
        min_seconds=min_seconds,
        quick=quick,
        log=log,
    )
    return comparison.rows, comparison.results


def _rows(paths: Sequence[str], features: np.ndarray, probe: Probe, cores: int, article) -> list[_Row]:
    import tensorflow as tf

    from helpers import alternatives, pipelines

    chosen = probe.configs[probe.chosen]
    small_elements = len(features)
    per_element = tf.data.Dataset.from_generator(
        feature_rows,
        args=(features,),
        output_signature=tf.TensorSpec(shape=(SMALL_FEATURES,), dtype=tf.float32),
    ).batch(SMALL_BATCH_SIZE)
    per_batch = tf.data.Dataset.from_generator(
        feature_batches,
        args=(features, SMALL_BATCH_SIZE),
        output_signature=tf.TensorSpec(shape=(None, SMALL_FEATURES), dtype=tf.float32),
    )
    return [
        _dataset_row(
            "article_example_2",
            "the article's Example 2 as written: BGR (the documented exception of the equal-work check), "
            "float64 declared float32",
            article_dataset(article, paths),
        ),
        _dataset_row(
            "float32",
            "the reference generator: Example 2 with float32 arithmetic and RGB, output_signature",
            float32_dataset(paths),
        ),
        _dataset_row(
            "best_from_generator",
            f"{probe.chosen} (chosen by the probe): uint8 batches of {BATCH_SIZE}, scaled in TensorFlow",
            pipelines.image_dataset(chosen, paths),
        ),
        # Notebook 08's two main alternatives that still run any Python: a map over paths, and over indices.
        _dataset_row(
            "numpy_function_map",
            "notebook 08: from_tensor_slices(paths).map(numpy_function(OpenCV loader), AUTOTUNE)",
            alternatives.numpy_function_dataset(paths),
        ),
        _dataset_row(
            "index_pattern",
            "notebook 08: range(n).shuffle(n).map(index -> numpy_function(OpenCV loader)), globally shuffled",
            alternatives.index_dataset(paths),
        ),
        _dataset_row(
            "graph_native",
            f"notebook 07's graph_native.image_dataset (accurate IDCT, area resize), batch {BATCH_SIZE}",
            graph_native_dataset(paths),
        ),
        _call_row(
            "limit",
            f"single-thread OpenCV decode + resize (no TensorFlow) x {cores} cores",
            lambda: limit_images(paths),
            rate_multiplier=cores,
        ),
        _call_row(
            "per_element_yield",
            f"rows of {SMALL_FEATURES} floats, one per yield, batched by {SMALL_BATCH_SIZE}",
            stream_chunks(per_element, small_elements),
            unit="rows",
        ),
        _call_row(
            "per_batch_yield",
            f"the same rows yielded in batches of {SMALL_BATCH_SIZE}",
            stream_chunks(per_batch, small_elements * BATCH_YIELD_MULTIPLE),
            unit="rows",
        ),
    ]


def _table_rows(
    rows: Sequence[_Row],
    results: Sequence[ThroughputResult],
    checks: Sequence[EqualWorkCheck],
    probe: Probe,
) -> list[ComparisonRow]:
    by_name = {result.name: result for result in results}
    check_by_name = {check.name: check for check in checks}
    check_by_name["best_from_generator"] = check_by_name[f"best_from_generator: {probe.chosen}"]
    others = dict(zip(YIELD_ROW_NAMES, reversed(YIELD_ROW_NAMES), strict=True))
    table = []
    for row in rows:
        result = by_name[row.name]
        ratio_to = others.get(row.name, "limit")
        ratio = result.elements_per_second / by_name[ratio_to].elements_per_second
        check = check_by_name.get(row.name)
        table.append(
            ComparisonRow(
                name=row.name,
                elements_per_second=result.elements_per_second,
                ratio_to_limit=None if row.name in others else ratio,
                ratio=ratio,
                ratio_to=ratio_to,
                what=row.what,
                samples=result.samples,
                min_elements_per_second=result.min_elements_per_second,
                max_elements_per_second=result.max_elements_per_second,
                q1_elements_per_second=result.q1_elements_per_second,
                q3_elements_per_second=result.q3_elements_per_second,
                cpu_seconds_per_1000=result.cpu_seconds_per_1000,
                unit=row.unit,
                mean_difference_levels=None if check is None else check.mean_difference_levels,
                known_difference="" if check is None else check.known_difference,
            )
        )
    return table
