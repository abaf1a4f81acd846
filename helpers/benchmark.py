"""The command that compares the article's pipeline with faster ones on the same images.

    python -m helpers.benchmark --quick --json out.json --plot out.png

Every image row does the same work on the same files (640x480 JPEGs -> 224x224 RGB float32 in [0, 1]),
checked before anything is timed: each row's images are compared with the reference generator's
(`float32_images`). The article's Example 2 is the documented exception (it yields BGR). The last two
rows compare yielding small elements one at a time with yielding them in batches of 256.

How the figures are made: the best generator configuration is chosen first, in a separate probe whose
figures are kept but not reported as the row; then every row is timed in turns (row 1, row 2, ..., row 1,
...), each repeat running whole passes for at least `min_seconds`, with wall-clock and process CPU time.
Rows report the median and the spread (min, max, quartiles) of their repeats.

From Python (notebook 05): `rows, results = benchmark.compare(image_count=256, repeats=3)` then
`print(benchmark.format_table(rows))`. TensorFlow is imported only when a comparison runs, so `--help`
is instant and prints no TensorFlow start-up lines.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import functools
import json
import os
import platform
import re
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import cv2
import numpy as np

from helpers import measure
from helpers.measure import PassTiming, ThroughputResult, available_cores, count_elements
from helpers.paths import display_path

if TYPE_CHECKING:
    import tensorflow as tf

    from helpers.pipelines import PipelineConfig

__all__ = [
    "CHECK_IMAGES",
    "IMAGE_ROW_NAMES",
    "MEAN_DIFFERENCE_BOUND_LEVELS",
    "TARGETS",
    "Comparison",
    "ComparisonRow",
    "EqualWorkCheck",
    "EqualWorkError",
    "Probe",
    "check_equal_work",
    "compare",
    "feature_batches",
    "feature_rows",
    "float32_images",
    "format_table",
    "generator_candidates",
    "import_tensorflow_quietly",
    "machine_facts",
    "main",
    "plot_comparison",
    "probe_generator_configs",
    "run_comparison",
    "target_ratios",
    "to_json",
    "BATCH_SIZE",
    "BATCH_YIELD_MULTIPLE",
    "IMAGE_SIZE",
    "SMALL_BATCH_SIZE",
    "SMALL_FEATURES",
    "YIELD_ROW_NAMES",
]


IMAGE_SIZE = 224
BATCH_SIZE = 32
SMALL_BATCH_SIZE = 256
SMALL_FEATURES = 16
# The per-batch row reads this many times more rows per chunk, so each chunk lasts long enough to time.
BATCH_YIELD_MULTIPLE = 32

CHECK_IMAGES = 32
"""Images each row delivers for the equal-work check (the first ones of the benchmark set)."""

MEAN_DIFFERENCE_BOUND_LEVELS = 3.0
"""The largest mean absolute pixel difference from the reference, in grey levels of 255, that counts as
the same work. OpenCV's bilinear resize and the graph-native area resize differ by about 1.3 levels on
these photos; a swapped colour order (BGR) differs by about 30."""

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

TARGETS = (
    ("best_from_generator", "article_example_2", 4.0),
    ("best_from_generator", "graph_native", 1.2),
    ("best_from_generator", "limit", 0.8),
    ("per_batch_yield", "per_element_yield", 50.0),
)
"""(numerator row, denominator row, the ratio of medians aimed for on 2 cores)."""

_ARTICLE_KNOWN_DIFFERENCE = "BGR colour order (the article's cv2.imread); checked with its channels reversed"


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
class EqualWorkCheck:
    """How one row's images compare with the reference generator's, on the same files.

    Attributes:
        name: the row.
        images: images the row delivered.
        shape: shape of one image.
        dtype: dtype of the images.
        min_value: the smallest pixel value.
        max_value: the largest pixel value.
        mean_difference_levels: mean absolute difference from the reference, in grey levels of 255,
            each image matched with the reference image of the same file (order may differ).
        bound_levels: the bound `mean_difference_levels` must stay under.
        as_delivered_levels: for a documented exception, the difference before its known difference was
            undone (e.g. before reversing BGR); None otherwise.
        known_difference: the documented exception ("" for none).
        problems: what failed, as sentences; empty when the check passed.
    """

    name: str
    images: int
    shape: tuple[int, ...]
    dtype: str
    min_value: float
    max_value: float
    mean_difference_levels: float
    bound_levels: float
    as_delivered_levels: float | None = None
    known_difference: str = ""
    problems: tuple[str, ...] = ()

    @property
    def passed(self) -> bool:
        """No problem found."""
        return not self.problems

    @property
    def message(self) -> str:
        """One line: what was compared and the verdict."""
        verdict = "same work" if self.passed else "NOT the same work: " + "; ".join(self.problems)
        known = f" (known difference: {self.known_difference})" if self.known_difference else ""
        return (
            f"{self.name}: {self.images} images {self.shape} {self.dtype} in "
            f"[{self.min_value:.2f}, {self.max_value:.2f}], mean |difference| "
            f"{self.mean_difference_levels:.2f} grey levels (bound {self.bound_levels:g}){known}: {verdict}"
        )


class EqualWorkError(ValueError):
    """A row does not do the reference's work; its message lists every failed check."""


@dataclass(frozen=True)
class Probe:
    """The untimed probe that chose the `best_from_generator` configuration.

    Attributes:
        chosen: the label of the configuration with the highest median in the probe.
        candidates: label -> its probe `ThroughputResult` (not used for the row's figures).
        configs: label -> the `PipelineConfig` tried.
    """

    chosen: str
    candidates: dict[str, ThroughputResult]
    configs: dict[str, PipelineConfig]


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


# --- the generators and passes the rows run ---------------------------------------------------


def float32_images(image_paths: Iterable[bytes | str]) -> Iterator[np.ndarray]:
    """The reference generator: the article's Example 2 with two fixes, RGB (not BGR) and float32 arithmetic.

    Yields:
        float32 RGB images (224, 224, 3) in [0, 1].
    """
    for image_path in image_paths:
        decoded = cv2.imread(os.fsdecode(image_path))
        if decoded is None:
            raise FileNotFoundError(f"cannot read image {display_path(os.fsdecode(image_path))}")
        image = cv2.resize(decoded, (IMAGE_SIZE, IMAGE_SIZE))
        image = cv2.cvtColor(image, cv2.COLOR_BGR2RGB)
        yield image.astype(np.float32) / np.float32(255)


def feature_rows(features: np.ndarray) -> Iterator[np.ndarray]:
    """Yields the rows of `features` one at a time."""
    yield from features


def feature_batches(features: np.ndarray, batch_size: int) -> Iterator[np.ndarray]:
    """Yields `features` in slices of `batch_size` rows."""
    for start in range(0, len(features), int(batch_size)):
        yield features[start : start + int(batch_size)]


def generator_candidates(cores: int) -> dict[str, PipelineConfig]:
    """The generator pipelines the probe tries for `best_from_generator`, by label."""
    from helpers import pipelines

    base = pipelines.PipelineConfig(
        batch_size=BATCH_SIZE, yield_mode="batch", opencv_threads=1, prefetch="autotune", image_count=1
    )
    return {
        f"one generator, {cores} decode threads": base.replace(decode_threads=cores),
        f"{cores} sharded generators": base.replace(shards=cores),
        f"one generator, {cores + 1} decode threads": base.replace(decode_threads=cores + 1),
    }


def _float32_dataset(paths: Sequence[str]) -> tf.data.Dataset:
    import tensorflow as tf

    signature = tf.TensorSpec(shape=(IMAGE_SIZE, IMAGE_SIZE, 3), dtype=tf.float32)
    dataset = tf.data.Dataset.from_generator(float32_images, args=(list(paths),), output_signature=signature)
    return dataset.batch(BATCH_SIZE).prefetch(tf.data.AUTOTUNE)


def _graph_native_dataset(paths: Sequence[str]) -> tf.data.Dataset:
    """Notebook 07's pipeline (`graph_native.image_dataset`), batched like the other rows."""
    import tensorflow as tf

    from helpers import graph_native

    dataset = graph_native.image_dataset(paths, image_size=(IMAGE_SIZE, IMAGE_SIZE))
    return dataset.batch(BATCH_SIZE).prefetch(tf.data.AUTOTUNE)


def _limit_images(paths: Sequence[str]) -> int:
    """Decodes and resizes `paths` in this thread, OpenCV single-threaded: the limit row's work."""
    from helpers import pipelines

    out = np.empty((IMAGE_SIZE, IMAGE_SIZE, 3), np.uint8)
    for path in paths:
        pipelines.decode_resize_into(path, out)
    return len(paths)


def _limit_check_images(paths: Sequence[str]) -> np.ndarray:
    from helpers import pipelines

    out = np.empty((len(paths), IMAGE_SIZE, IMAGE_SIZE, 3), np.uint8)
    for index, path in enumerate(paths):
        pipelines.decode_resize_into(path, out[index])
    return out.astype(np.float32) / np.float32(255)


def _stream_chunks(dataset: tf.data.Dataset, elements: int) -> Callable[[], int]:
    """Each call reads the next `elements` (or a little more) from one endless pass over `dataset`.

    For fast pipelines where starting an iterator (tens of milliseconds) would swamp the measurement.
    The stream has no prefetch (tf.data's injected one is turned off): it stays alive while the other
    rows take their turns, and a prefetch would keep producing in the background, stealing their CPU
    and handing the next chunk a full buffer.
    """
    import tensorflow as tf

    options = tf.data.Options()
    options.experimental_optimization.inject_prefetch = False
    synchronous = dataset.repeat().with_options(options)
    stream = None

    def next_chunk() -> int:
        nonlocal stream
        stream = stream or iter(synchronous)
        count = 0
        while count < elements:
            count += count_elements(next(stream))
        return count

    return next_chunk


# --- the equal-work check ---------------------------------------------------------------------


def _levels(images: np.ndarray) -> np.ndarray:
    return np.asarray(images, np.float32) * np.float32(255)


def _matched_mean_difference(candidate: np.ndarray, reference: np.ndarray) -> tuple[float, bool]:
    """Mean |difference| (grey levels) of each image to its reference; whether each reference was used once.

    Images in the reference's order are compared pairwise; otherwise each is matched with the closest
    reference image (sharded or non-deterministic pipelines deliver the same images in another order).
    """
    in_order = np.array([np.abs(c - r).mean() for c, r in zip(candidate, reference, strict=True)])
    if in_order.max() <= MEAN_DIFFERENCE_BOUND_LEVELS:
        return float(in_order.mean()), True
    differences = np.array([[np.abs(c - r).mean() for r in reference] for c in candidate])
    closest = differences.argmin(axis=1)
    matched = differences[np.arange(len(candidate)), closest]
    return float(matched.mean()), len(set(closest.tolist())) == len(candidate)


def check_equal_work(
    name: str,
    images: np.ndarray,
    reference: np.ndarray,
    *,
    bound_levels: float = MEAN_DIFFERENCE_BOUND_LEVELS,
    known_difference: str = "",
    channels_reversed: bool = False,
) -> EqualWorkCheck:
    """Checks that `images` are the reference's images: count, shape, dtype, range and pixels.

    Images may come in another order (sharded generators, `deterministic=False`): each is matched with
    the closest reference image, and every reference image must be matched once.

    Args:
        name: the row, for the messages.
        images: the row's images, (n, height, width, 3), float in [0, 1].
        reference: the reference generator's images of the same files.
        bound_levels: the largest mean absolute difference, in grey levels of 255.
        known_difference: a documented exception to report (e.g. the article's BGR).
        channels_reversed: the row is known to yield BGR: compare its pixels with the channels reversed,
            and report the difference as delivered in `as_delivered_levels`.

    Returns:
        The `EqualWorkCheck`; `passed` is False when anything differs (see `problems`).
    """
    images = np.asarray(images)
    reference = np.asarray(reference)
    problems = []
    if images.shape != reference.shape:
        problems.append(f"shape {images.shape} where the reference has {reference.shape}")
    if images.dtype != reference.dtype:
        problems.append(f"dtype {images.dtype} where the reference has {reference.dtype}")
    low, high = (float(images.min()), float(images.max())) if images.size else (float("nan"),) * 2
    if not (low >= 0.0 and high <= 1.0):
        problems.append(f"values in [{low:.3g}, {high:.3g}], not in [0, 1]")
    mean_levels, as_delivered = float("nan"), None
    if images.ndim == 4 and images.shape[1:] == reference.shape[1:] and len(images) == len(reference):
        candidate, wanted = _levels(images), _levels(reference)
        if channels_reversed:
            as_delivered = round(_matched_mean_difference(candidate, wanted)[0], 2)
            candidate = candidate[..., ::-1]
        mean_levels, each_once = _matched_mean_difference(candidate, wanted)
        if not each_once:
            problems.append("some reference images are missing and others repeated")
        if not mean_levels <= bound_levels:
            problem = (
                f"mean |difference| {mean_levels:.1f} grey levels from the reference, over the bound "
                f"of {bound_levels:g}"
            )
            reversed_levels = _matched_mean_difference(candidate[..., ::-1], wanted)[0]
            if reversed_levels <= bound_levels:
                order = "RGB where BGR was expected" if channels_reversed else "BGR, not RGB"
                problem += f": its colour channels are swapped ({order}; reversed they differ by "
                problem += f"{reversed_levels:.1f})"
            problems.append(problem)
    return EqualWorkCheck(
        name=name,
        images=len(images) if images.ndim else 0,
        shape=tuple(images.shape[1:]),
        dtype=str(images.dtype),
        min_value=round(low, 4),
        max_value=round(high, 4),
        mean_difference_levels=round(mean_levels, 2),
        bound_levels=bound_levels,
        as_delivered_levels=as_delivered,
        known_difference=known_difference,
        problems=tuple(problems),
    )


@contextlib.contextmanager
def _expected_deprecation() -> Iterator[None]:
    """Hides TensorFlow's deprecation warning for the article's `output_types`: the row measures that code."""
    import tensorflow as tf

    logger = tf.get_logger()
    level = logger.level
    logger.setLevel("ERROR")
    try:
        yield
    finally:
        logger.setLevel(level)


def _article_dataset(article, paths: Sequence[str]) -> tf.data.Dataset:
    with _expected_deprecation():
        return article.example_2_dataset(list(paths))


def _pipeline_images(config: PipelineConfig, image_paths: Sequence[str]) -> np.ndarray:
    from helpers import pipelines

    return _dataset_images(pipelines.image_dataset(config, image_paths))


def _dataset_images(dataset: tf.data.Dataset) -> np.ndarray:
    return np.concatenate([batch.numpy() for batch in dataset])


# --- the probe --------------------------------------------------------------------------------


def probe_generator_configs(
    configs: Mapping[str, PipelineConfig],
    paths: Sequence[str],
    *,
    repeats: int = 2,
    min_seconds: float = 0.0,
    on_result: Callable[[str, int, PassTiming], None] | None = None,
) -> Probe:
    """Times each candidate configuration in turns and picks the one with the highest median.

    The probe's figures choose the configuration only: the chosen one is then measured again, like
    every other row, so the noise that made it win does not inflate its row.

    Args:
        configs: label -> the candidate.
        paths: the images of one pass.
        repeats: rounds of the probe.
        min_seconds: shortest repeat (whole passes).
        on_result: called after each timed repeat (name, round, timing).

    Returns:
        The `Probe`.
    """
    from helpers import pipelines

    datasets = {label: pipelines.image_dataset(config, paths) for label, config in configs.items()}
    for dataset in datasets.values():
        _warm_up(dataset)
    tasks = {
        label: (
            lambda dataset=dataset: measure.repeat_for(
                lambda: measure.time_dataset_pass(dataset), min_seconds=min_seconds
            )
        )
        for label, dataset in datasets.items()
    }
    timings = measure.round_robin(tasks, repeats=repeats, on_result=on_result)
    candidates = {label: ThroughputResult.from_timings(label, timed) for label, timed in timings.items()}
    chosen = max(candidates, key=lambda label: candidates[label].elements_per_second)
    return Probe(chosen=chosen, candidates=candidates, configs=dict(configs))


def _warm_up(dataset: tf.data.Dataset) -> None:
    for _ in dataset.take(2):  # tracing, thread pools, the file cache
        pass


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
    return _Row(name, what, lambda: measure.time_dataset_pass(dataset), lambda: _warm_up(dataset))


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
            checks = _check_rows(check_paths, configs, article, step)
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


def _check_rows(
    check_paths: Sequence[str],
    configs: Mapping[str, PipelineConfig],
    article,
    step: Callable[[str], None],
) -> list[EqualWorkCheck]:
    """The equal-work check of every image row (every generator candidate for best_from_generator)."""
    from helpers import alternatives

    reference = np.stack(list(float32_images(check_paths)))
    delivered: dict[str, Callable[[], np.ndarray]] = {
        "article_example_2": lambda: _dataset_images(_article_dataset(article, check_paths)),
        "float32": lambda: _dataset_images(_float32_dataset(check_paths)),
        **{
            f"best_from_generator: {label}": functools.partial(_pipeline_images, config, check_paths)
            for label, config in configs.items()
        },
        "numpy_function_map": lambda: _dataset_images(alternatives.numpy_function_dataset(check_paths)),
        "index_pattern": lambda: _dataset_images(alternatives.index_dataset(check_paths)),
        "graph_native": lambda: _dataset_images(_graph_native_dataset(check_paths)),
        "limit": lambda: _limit_check_images(check_paths),
    }
    checks = []
    for name, images in delivered.items():
        if name == "article_example_2":
            check = check_equal_work(
                name,
                images(),
                reference,
                known_difference=_ARTICLE_KNOWN_DIFFERENCE,
                channels_reversed=True,
            )
        else:
            check = check_equal_work(name, images(), reference)
        checks.append(check)
        step(f"check {name}")
    failed = [check for check in checks if not check.passed]
    if failed:
        raise EqualWorkError(
            "these rows do not do the reference generator's work, so timing them would compare "
            "different things:\n" + "\n".join(check.message for check in failed)
        )
    return checks


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
            _article_dataset(article, paths),
        ),
        _dataset_row(
            "float32",
            "the reference generator: Example 2 with float32 arithmetic and RGB, output_signature",
            _float32_dataset(paths),
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
            _graph_native_dataset(paths),
        ),
        _call_row(
            "limit",
            f"single-thread OpenCV decode + resize (no TensorFlow) x {cores} cores",
            lambda: _limit_images(paths),
            rate_multiplier=cores,
        ),
        _call_row(
            "per_element_yield",
            f"rows of {SMALL_FEATURES} floats, one per yield, batched by {SMALL_BATCH_SIZE}",
            _stream_chunks(per_element, small_elements),
            unit="rows",
        ),
        _call_row(
            "per_batch_yield",
            f"the same rows yielded in batches of {SMALL_BATCH_SIZE}",
            _stream_chunks(per_batch, small_elements * BATCH_YIELD_MULTIPLE),
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


# --- reporting --------------------------------------------------------------------------------


def target_ratios(rows: Sequence[ComparisonRow], *, cores: int | None = None) -> list[dict[str, object]]:
    """The ratios of medians the targets are about, with their range over the rounds and a verdict.

    Round i of every row ran back to back, so the ratio of round i's figures is one paired sample.

    Args:
        rows: the comparison's rows.
        cores: cores of the machine that measured them (default: this one's); the targets are for 2.

    Returns:
        One dict per target: numerator, denominator, ratio, min/max over the rounds, the inverse ratio of
        their CPU costs (steadier on a shared machine: what the ratio would be if both rows got the
        same CPU time), target, met, and whether the target applies (measured on 2 cores).
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
                "cpu_cost_ratio": bottom.cpu_seconds_per_1000 / top.cpu_seconds_per_1000,
                "min_ratio_over_rounds": min(paired) if paired else ratio,
                "max_ratio_over_rounds": max(paired) if paired else ratio,
                "target": target,
                "met": ratio >= target,
                "target_applies": cores == 2,
            }
        )
    return ratios


def format_table(rows: Sequence[ComparisonRow]) -> str:
    """Returns the rows as an aligned text table, then the target ratios and what each row runs."""
    lines = [
        f"{'row':<20} {'median/s':>10} {'min - max':>19} {'ratio':>7} {'to':<11} "
        f"{'CPU s/1000':>10} {'|Δ| ref':>7}"
    ]
    for row in rows:
        spread = f"{row.min_elements_per_second:,.0f} - {row.max_elements_per_second:,.0f}"
        difference = "" if row.mean_difference_levels is None else f"{row.mean_difference_levels:.2f}"
        if row.known_difference:
            difference += "*"
        lines.append(
            f"{row.name:<20} {row.elements_per_second:>10,.0f} {spread:>19} {row.ratio:>6.2f}x "
            f"{row.ratio_to.replace('_yield', ''):<11} {row.cpu_seconds_per_1000:>10.3f} {difference:>7}"
        )
    lines += [
        "",
        "median/s: images/s (rows/s for the yield rows), median of the repeats; min - max: slowest and "
        "fastest repeat",
        "CPU s/1000: process CPU seconds (all threads) per 1,000 images or rows; |Δ| ref: mean absolute "
        "difference from",
        f"the reference generator's images, in grey levels (bound {MEAN_DIFFERENCE_BOUND_LEVELS:g}); "
        "* = after undoing a known difference",
        "",
        "targets (ratios of medians; [range of the per-round ratios]; by CPU cost: the inverse ratio of "
        "CPU s/1000):",
    ]
    for ratio in target_ratios(rows):
        verdict = "met" if ratio["met"] else "MISSED"
        if not ratio["target_applies"]:
            verdict += " (targets are for 2 cores)"
        lines.append(
            f"  {ratio['numerator']} / {ratio['denominator']} = {ratio['ratio']:.2f}x "
            f"[{ratio['min_ratio_over_rounds']:.2f} - {ratio['max_ratio_over_rounds']:.2f}]"
            f"  target >= {ratio['target']:g}: {verdict}; by CPU cost {ratio['cpu_cost_ratio']:.2f}x"
        )
    lines += ["", "rows:"]
    lines += [f"  {row.name:<20} {row.what}" for row in rows]
    known = [row for row in rows if row.known_difference]
    lines += [f"  * {row.name}: {row.known_difference}" for row in known]
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


def _result_json(result: ThroughputResult) -> dict[str, object]:
    return {
        "elements_per_second": result.elements_per_second,
        "min_elements_per_second": result.min_elements_per_second,
        "max_elements_per_second": result.max_elements_per_second,
        "samples": list(result.samples),
        "cpu_seconds_per_1000": result.cpu_seconds_per_1000,
        "elements_per_repeat": result.elements,
    }


def to_json(comparison: Comparison, *, seconds: float | None = None) -> dict[str, object]:
    """The comparison as a JSON-ready dict: machine facts, settings, rows, target ratios, probe, checks."""
    return {
        "machine": machine_facts(),
        "load_average_1min": comparison.load_average,
        "settings": comparison.settings,
        "seconds": seconds,
        "rows": [asdict(row) for row in comparison.rows],
        "target_ratios": target_ratios(comparison.rows),
        "probe": {
            "chosen": comparison.probe.chosen,
            "note": "the probe only chooses; best_from_generator's figures come from the timed rounds",
            "candidates": [
                {"label": label, "config": comparison.probe.configs[label].as_dict(), **_result_json(result)}
                for label, result in comparison.probe.candidates.items()
            ],
        },
        "equal_work_checks": [
            {**asdict(check), "passed": check.passed, "message": check.message} for check in comparison.checks
        ],
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
            cpu_seconds_per_1000=[row.cpu_seconds_per_1000 for row in shown],
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


# --- the command ------------------------------------------------------------------------------

# Lines the TensorFlow and CUDA libraries print while they load, before TF_CPP_MIN_LOG_LEVEL applies
# (absl writes everything to stderr until its logging is initialised): harmless on a CPU-only machine.
_STARTUP_NOISE = re.compile(
    r"All log messages before absl::InitializeLog\(\) is called are written to STDERR"
    r"|oneDNN custom operations are on"
    r"|cudart_stub\.cc|Could not find cuda drivers|cuda_executor|cuInit"
    r"|Unable to register cu(DNN|FFT|BLAS) factory|computation_placer|TF-TRT Warning"
    r"|This TensorFlow binary is optimized to use available CPU instructions"
    r"|rebuild TensorFlow with the appropriate compiler flags"
)


def import_tensorflow_quietly():
    """Imports TensorFlow with its load-time C++ lines (absl, oneDNN, CUDA) kept off stderr; returns it.

    `TF_CPP_MIN_LOG_LEVEL` (set by `import helpers`) hides TensorFlow's own logging, but a few lines are
    printed while the libraries load, before that setting is read. They are captured at the file
    descriptor and dropped; any other line (a real error) is passed on to stderr.
    """
    if "tensorflow" in sys.modules:
        return sys.modules["tensorflow"]
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    sys.stderr.flush()
    saved = os.dup(2)
    with tempfile.TemporaryFile() as captured:
        os.dup2(captured.fileno(), 2)
        try:
            import tensorflow as tf
        finally:
            sys.stderr.flush()
            os.dup2(saved, 2)
            os.close(saved)
            captured.seek(0)
            for line in captured.read().decode(errors="replace").splitlines():
                if line.strip() and not _STARTUP_NOISE.search(line):
                    print(line, file=sys.stderr)
    return tf


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m helpers.benchmark",
        description="Compare from_generator pipelines with a graph-native one and the machine's limit, "
        "on the same 640x480 JPEGs -> 224x224 RGB float32 in [0, 1] (checked before timing).",
    )
    parser.add_argument("--quick", action="store_true", help="fewer images, shorter repeats (< 60 s)")
    parser.add_argument("--json", type=Path, metavar="PATH", help="also write everything measured as JSON")
    parser.add_argument("--plot", type=Path, metavar="PATH", help="also draw the rows as a PNG")
    parser.add_argument("--images", type=int, help="JPEGs per pass (default 600; quick 160)")
    parser.add_argument("--repeats", type=int, help="timed repeats per row, in turns (default 5; quick 3)")
    parser.add_argument(
        "--seconds", type=float, help="shortest repeat of a row, whole passes (default 2; quick 0.4)"
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
    probe = comparison.probe
    print(
        f"\nbest_from_generator: {probe.chosen}, chosen by an untimed probe of "
        f"{len(probe.candidates)} candidates:"
    )
    for label, result in probe.candidates.items():
        print(
            f"  {label:<36} {result.elements_per_second:>8,.0f}/s  "
            f"{result.cpu_seconds_per_1000:.3f} CPU s/1000"
        )
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
    if args.json:
        args.json.write_text(json.dumps(to_json(comparison, seconds=seconds), indent=2) + "\n")
        print(f"wrote {display_path(args.json)}")
    if args.plot:
        facts = machine_facts()
        fig = plot_comparison(
            comparison.rows,
            title=f"python -m helpers.benchmark{' --quick' if args.quick else ''} · "
            f"{facts['available_cores']} cores · {facts['cpu_model']} · "
            f"TF {facts['tensorflow']} · {str(facts['date'])[:10]}",
        )
        fig.savefig(args.plot, dpi=110)
        print(f"wrote {display_path(args.plot)}")
    print(f"took {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
