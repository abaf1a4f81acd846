"""Throughput of tf.data pipelines (warm-up, repeats, result objects), a stoppable run with a timeline, and
the command that compares the article's pipeline with faster ones on the same images.

    result = benchmark.measure_throughput(dataset, name="mine", repeats=3)
    result.elements_per_second          # median over the repeats; also .min_/.max_elements_per_second
    python -m helpers.benchmark --quick --json out.json

Every row of the comparison does the same work on the same files (640x480 JPEGs -> 224x224 RGB float32
in [0, 1]) except the last two, which compare yielding small elements one at a time with yielding them in
batches of 256.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np
import tensorflow as tf

from helpers import article, datasets, pipelines, timeline
from helpers.paths import display_path

__all__ = [
    "ComparisonRow",
    "PipelineRunner",
    "RunProgress",
    "RunResult",
    "ThroughputResult",
    "available_cores",
    "compare",
    "format_table",
    "main",
    "measure_rate",
    "measure_throughput",
    "run_pipeline",
    "throughput_series",
]

IMAGE_SIZE = 224
SMALL_BATCH_SIZE = 256
SMALL_FEATURES = 16
# The per-batch row reads this many times more rows per repeat, so each repeat lasts long enough to time.
BATCH_YIELD_MULTIPLE = 32
SMALL_ELEMENT_SIGNATURE = tf.TensorSpec(shape=(SMALL_FEATURES,), dtype=tf.float32)
SMALL_BATCH_SIGNATURE = tf.TensorSpec(shape=(None, SMALL_FEATURES), dtype=tf.float32)
FLOAT32_IMAGE_SIGNATURE = tf.TensorSpec(shape=(IMAGE_SIZE, IMAGE_SIZE, 3), dtype=tf.float32)


def available_cores() -> int:
    """Returns the number of CPU cores this process may run on."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


@dataclass(frozen=True)
class ThroughputResult:
    """Elements per second of repeated passes over the same work.

    Attributes:
        name: what was measured.
        elements_per_second: the median over the repeats.
        min_elements_per_second: the slowest repeat.
        max_elements_per_second: the fastest repeat.
        samples: elements/s of each repeat, in order.
        elements: elements counted in one repeat.
    """

    name: str
    elements_per_second: float
    min_elements_per_second: float
    max_elements_per_second: float
    samples: tuple[float, ...]
    elements: int

    @classmethod
    def from_samples(cls, name: str, samples: Sequence[float], *, elements: int) -> ThroughputResult:
        return cls(
            name=name,
            elements_per_second=statistics.median(samples),
            min_elements_per_second=min(samples),
            max_elements_per_second=max(samples),
            samples=tuple(samples),
            elements=elements,
        )

    def __str__(self) -> str:
        return (
            f"{self.name}: median {self.elements_per_second:,.0f} elements/s "
            f"(min {self.min_elements_per_second:,.0f}, max {self.max_elements_per_second:,.0f}, "
            f"{len(self.samples)} repeats of {self.elements:,})"
        )


def count_elements(batch) -> int:
    """Returns the leading dimension of the first component of a batch (its number of elements)."""
    first = tf.nest.flatten(batch)[0]
    return int(first.shape[0]) if first.shape.rank else 1


def _dataset_pass(dataset: tf.data.Dataset) -> Callable[[], int]:
    def one_pass() -> int:
        return sum(count_elements(batch) for batch in dataset)

    return one_pass


def measure_rate(
    run_once: Callable[[], int],
    *,
    name: str,
    repeats: int = 3,
    warmup: Callable[[], object] | None = None,
    min_seconds: float = 0.0,
) -> ThroughputResult:
    """Times `run_once` (which does some work and returns how many elements it handled) `repeats` times.

    Args:
        run_once: one pass of the work; returns the element count.
        name: the result's name.
        repeats: timed passes; the result reports their median, min and max.
        warmup: called once, untimed, first (e.g. a few batches: tracing, file cache, thread start-up);
            None runs nothing.
        min_seconds: a repeat runs whole passes until at least this long, so fast work is timed
            over more than a few milliseconds.

    Returns:
        The `ThroughputResult`.
    """
    if warmup is not None:
        warmup()
    samples, elements = [], 0
    for _ in range(repeats):
        started, elements = time.perf_counter(), 0
        while True:
            elements += run_once()
            seconds = time.perf_counter() - started
            if seconds >= min_seconds:
                break
        samples.append(elements / seconds)
    return ThroughputResult.from_samples(name, samples, elements=elements)


def measure_throughput(
    dataset: tf.data.Dataset,
    *,
    name: str = "dataset",
    repeats: int = 3,
    warmup_batches: int = 2,
    min_seconds: float = 0.0,
) -> ThroughputResult:
    """Measures how many elements per second iterating `dataset` to the end delivers.

    Each repeat is a new pass (a new iterator, so generators start again). Elements are counted along
    the first dimension of each batch.

    Args:
        dataset: a finite dataset of batches.
        name: the result's name.
        repeats: timed passes.
        warmup_batches: batches read (untimed) from a first iterator before timing.
        min_seconds: minimum length of one timed repeat (whole passes).

    Returns:
        The `ThroughputResult`.
    """

    def warmup() -> None:
        for _ in dataset.take(warmup_batches):
            pass

    return measure_rate(
        _dataset_pass(dataset),
        name=name,
        repeats=repeats,
        warmup=warmup if warmup_batches > 0 else None,
        min_seconds=min_seconds,
    )


def throughput_series(
    samples: Sequence[tuple[float, int]], *, window_seconds: float = 0.5
) -> tuple[list[float], list[float]]:
    """Turns (seconds since start, total elements so far) readings into elements/s per time window.

    Args:
        samples: readings in time order, e.g. one per batch.
        window_seconds: width of each window.

    Returns:
        (window end times in seconds, elements/s in each window); windows with no reading are skipped,
        and their elements counted in the next one.
    """
    times: list[float] = []
    rates: list[float] = []
    window_start, elements_at_start = 0.0, 0
    for seconds, elements in samples:
        if seconds - window_start >= window_seconds:
            times.append(seconds)
            rates.append((elements - elements_at_start) / (seconds - window_start))
            window_start, elements_at_start = seconds, elements
    return times, rates


class RunProgress:
    """What a running `run_pipeline` has done so far; safe to read from another thread.

    Attributes:
        total_elements: elements the run will deliver if not stopped.
        elements: elements delivered so far.
        last_batch: the most recent batch (a tensor), for showing its images.
        started: `time.perf_counter()` when the first batch arrived, or None.
    """

    def __init__(self, total_elements: int) -> None:
        self.total_elements = total_elements
        self.elements = 0
        self.last_batch = None
        self.started: float | None = None
        self._samples: list[tuple[float, int]] = []
        self._lock = threading.Lock()

    def add_batch(self, batch, elements: int) -> None:
        """Records one delivered batch (called by the run, once per batch)."""
        now = time.perf_counter()
        with self._lock:
            if self.started is None:
                self.started = now
            self.elements += elements
            self.last_batch = batch
            self._samples.append((now - self.started, self.elements))

    def samples(self) -> list[tuple[float, int]]:
        """Returns (seconds since the first batch, elements so far), one per batch."""
        with self._lock:
            return list(self._samples)


@dataclass(frozen=True)
class RunResult:
    """The outcome of one `run_pipeline`.

    Attributes:
        config: the pipeline settings.
        train_step_ms: the simulated training step per batch, in milliseconds.
        epochs: passes asked for.
        elements: elements delivered.
        seconds: time from the first batch to the end (the first batch's wait is start-up, not
            throughput).
        elements_per_second: elements after the first batch divided by `seconds`.
        median_elements_per_second: median over 0.5 s windows (the overall rate when the run was
            too short for three windows).
        stopped: True when Stop ended the run early.
        error: the error's type and message when the run failed, else "".
        series: (window end seconds, elements/s) pairs, for plotting.
        events: the run's timeline.
    """

    config: pipelines.PipelineConfig
    train_step_ms: float
    epochs: int
    elements: int
    seconds: float
    elements_per_second: float
    median_elements_per_second: float
    stopped: bool = False
    error: str = ""
    series: tuple[tuple[float, float], ...] = ()
    events: tuple[timeline.Event, ...] = field(default=(), repr=False)

    @property
    def status(self) -> str:
        return "failed" if self.error else ("stopped" if self.stopped else "done")


class PipelineRunner:
    """Runs pipelines like a training loop, reusing the datasets it built.

    Why reuse: every `from_generator` dataset built stays attached to TensorFlow's global graph
    (about 80 KB each here), so a panel that rebuilt its pipeline on every Run would grow without
    bound. Datasets with `cache` on are rebuilt for each run, so every run starts with an empty cache.

    Attributes:
        control: the `pipelines.RunControl` every dataset of this runner is bound to.
    """

    def __init__(self, *, max_datasets: int = 8) -> None:
        self.control = pipelines.RunControl()
        self._max_datasets = max_datasets
        self._datasets: OrderedDict[tuple, tf.data.Dataset] = OrderedDict()

    def dataset(
        self, config: pipelines.PipelineConfig, paths: Sequence[str | os.PathLike[str]], *, epochs: int
    ) -> tf.data.Dataset:
        """Returns the dataset for (config, paths, epochs), built once and kept (unless `config.cache`)."""
        key = (config, tuple(os.fspath(p) for p in paths), epochs)
        dataset = self._datasets.get(key)
        if dataset is None:
            dataset = pipelines.image_dataset(config, paths, epochs=epochs, run_key=self.control.key)
            if not config.cache:
                self._datasets[key] = dataset
                while len(self._datasets) > self._max_datasets:
                    self._datasets.popitem(last=False)
        return dataset

    def run(
        self,
        config: pipelines.PipelineConfig,
        *,
        paths: Sequence[str | os.PathLike[str]] | None = None,
        epochs: int = 1,
        train_step_ms: float = 0.0,
        stop_event: threading.Event | None = None,
        progress: RunProgress | None = None,
        recorder: timeline.TimelineRecorder | None = None,
    ) -> RunResult:
        """Runs the pipeline `config` describes: next batch, training step, repeat. One run at a time.

        The training step is simulated by waiting `train_step_ms` (on `stop_event`, so Stop interrupts
        it). The consumer's waiting and training are recorded in `recorder`, the generators' work too.
        Stop is checked between batches, and the generators check it between images, so a stopped run
        ends within about one image's decoding time. Errors are returned in the result, not raised.

        Args:
            config: the pipeline settings.
            paths: the images of one epoch; default `pipelines.resolve_paths(config)`.
            epochs: passes over the images.
            train_step_ms: simulated work per batch, in milliseconds.
            stop_event: set it (from any thread) to stop the run.
            progress: updated after every batch, for live displays.
            recorder: the timeline to record into; a new one when None.

        Returns:
            The `RunResult`.
        """
        stop_event = stop_event or threading.Event()
        recorder = recorder or timeline.TimelineRecorder()
        progress = progress or RunProgress(config.image_count * epochs)
        self.control.stop_event, self.control.recorder = stop_event, recorder
        error, first_batch_elements, iterator = "", 0, None
        try:
            paths = pipelines.resolve_paths(config) if paths is None else paths
            iterator = iter(self.dataset(config, paths, epochs=epochs))
            while not stop_event.is_set():
                waited = time.perf_counter()
                try:
                    batch = next(iterator)
                except StopIteration:
                    break
                recorder.add(timeline.CONSUMER_LANE, timeline.WAIT, waited, time.perf_counter())
                elements = count_elements(batch)
                first_batch_elements = first_batch_elements or elements
                progress.add_batch(batch, elements)
                if train_step_ms > 0:
                    with recorder.span(timeline.CONSUMER_LANE, timeline.TRAIN_STEP):
                        stop_event.wait(train_step_ms / 1000)
        except Exception as exc:  # noqa: BLE001 - any failure is reported in the result, not raised
            # After Stop, the generators' RunStopped may surface here: that is the stop, not a failure.
            error = "" if stop_event.is_set() else describe_error(exc)
        finally:
            # Deleting the iterator closes the generators (their thread pools end with them).
            del iterator
        samples = progress.samples()
        seconds = samples[-1][0] if samples else 0.0
        measured = progress.elements - first_batch_elements
        overall = measured / seconds if seconds > 0 else 0.0
        times, rates = throughput_series(samples)
        return RunResult(
            config=config,
            train_step_ms=float(train_step_ms),
            epochs=epochs,
            elements=progress.elements,
            seconds=seconds,
            elements_per_second=overall,
            median_elements_per_second=statistics.median(rates) if len(rates) >= 3 else overall,
            stopped=stop_event.is_set(),
            error=error,
            series=tuple(zip(times, rates, strict=True)),
            events=tuple(recorder.events()),
        )


def run_pipeline(config: pipelines.PipelineConfig, **settings) -> RunResult:
    """Runs `config` once with a fresh `PipelineRunner`; `settings` as for `PipelineRunner.run`."""
    return PipelineRunner().run(config, **settings)


def describe_error(exc: BaseException) -> str:
    """Returns "Type: message" with TensorFlow's wrapping trimmed to the Python error inside, if any."""
    message = getattr(exc, "message", None) or str(exc)
    lines = [line.strip() for line in str(message).splitlines() if line.strip()]
    # from_generator errors carry the generator's traceback; its last "Name: text" line is the cause.
    for line in reversed(lines):
        head = line.split(":", 1)[0]
        if head.endswith(("Error", "Exception")) and " " not in head:
            return display_message(line)
    return display_message(f"{type(exc).__name__}: {lines[0] if lines else ''}")


def display_message(text: str) -> str:
    """Replaces machine paths (the repository's) in `text` by repository-relative ones."""
    from helpers.paths import REPO_ROOT

    return text.replace(str(REPO_ROOT) + os.sep, "")


# --- the comparison -----------------------------------------------------------------------------


@dataclass(frozen=True)
class ComparisonRow:
    """One row of the comparison table.

    Attributes:
        name: the row's key (`article_example_2`, `float32`, ...).
        elements_per_second: median over the repeats.
        ratio_to_limit: `elements_per_second / limit`; None for the small-element rows.
        ratio: the ratio shown (to `limit`, or between the two small-element rows).
        ratio_to: what `ratio` compares with.
        what: what the row runs.
        samples: elements/s of each repeat.
    """

    name: str
    elements_per_second: float
    ratio_to_limit: float | None
    ratio: float
    ratio_to: str
    what: str
    samples: tuple[float, ...] = ()


@dataclass(frozen=True)
class _Candidate:
    name: str
    what: str
    make_dataset: Callable[[], tf.data.Dataset] | None = None
    run_once: Callable[[], int] | None = None
    rate_multiplier: int = 1  # the limit row: one thread's rate times the cores


def float32_images(image_paths: Iterable[bytes | str]) -> Iterable[np.ndarray]:
    """The article's Example 2 generator with two fixes: RGB (not BGR) and float32 arithmetic.

    Yields:
        float32 RGB images (224, 224, 3) in [0, 1].
    """
    for image_path in image_paths:
        image = cv2.imread(os.fsdecode(image_path))
        image = cv2.resize(image, (IMAGE_SIZE, IMAGE_SIZE))
        image = cv2.cvtColor(image, cv2.COLOR_BGR2RGB)
        yield image.astype(np.float32) / np.float32(255)


def feature_rows(features: np.ndarray) -> Iterable[np.ndarray]:
    """Yields the rows of `features` one at a time."""
    yield from features


def feature_batches(features: np.ndarray, batch_size: int) -> Iterable[np.ndarray]:
    """Yields `features` in slices of `batch_size` rows."""
    for start in range(0, len(features), int(batch_size)):
        yield features[start : start + int(batch_size)]


def best_generator_configs(cores: int) -> dict[str, pipelines.PipelineConfig]:
    """The generator pipelines the comparison tries for `best_from_generator`, by name."""
    base = pipelines.PipelineConfig(
        batch_size=32, yield_mode="batch", opencv_threads=1, prefetch="autotune", image_count=1
    )
    return {
        f"one generator, {cores} decode threads": base.replace(decode_threads=cores),
        f"{cores} sharded generators": base.replace(shards=cores),
        f"one generator, {cores + 1} decode threads": base.replace(decode_threads=cores + 1),
    }


def graph_native_dataset(paths: Sequence[str]) -> tf.data.Dataset:
    """TensorFlow ops only: read, decode, resize (bilinear) and scale in a parallel map; batch; prefetch."""

    def load(path: tf.Tensor) -> tf.Tensor:
        image = tf.io.decode_jpeg(tf.io.read_file(path), channels=3)
        return tf.image.resize(image, (IMAGE_SIZE, IMAGE_SIZE)) / 255.0

    dataset = (
        tf.data.Dataset.from_tensor_slices(list(paths))
        .map(load, num_parallel_calls=tf.data.AUTOTUNE, deterministic=False)
        .batch(32)
        .prefetch(tf.data.AUTOTUNE)
    )
    return dataset


def _stream_chunks(dataset: tf.data.Dataset, elements: int) -> Callable[[], int]:
    """Each call reads the next `elements` (or a little more) from one endless pass over `dataset`.

    For fast pipelines where starting an iterator (tens of milliseconds) would swamp the measurement.
    """
    stream = None

    def next_chunk() -> int:
        nonlocal stream
        stream = stream or iter(dataset.repeat())
        count = 0
        while count < elements:
            count += count_elements(next(stream))
        return count

    return next_chunk


def _limit_pass(paths: Sequence[str]) -> Callable[[], int]:
    out = np.empty((IMAGE_SIZE, IMAGE_SIZE, 3), np.uint8)

    def one_pass() -> int:
        cv2.setNumThreads(1)
        for path in paths:
            pipelines.decode_resize_into(path, out)
        return len(paths)

    return one_pass


def compare(
    *,
    image_count: int = 600,
    small_elements: int = 16_384,
    repeats: int = 3,
    quick: bool = False,
    log: Callable[[str], None] | None = None,
) -> tuple[list[ComparisonRow], list[ThroughputResult]]:
    """Measures every row of the comparison on the same images, interleaving the rows' repeats.

    Repeats are taken round-robin (row 1, row 2, ..., row 1, row 2, ...) so a change in the machine's
    load during the run affects every row alike.

    Args:
        image_count: benchmark JPEGs (640x480) per pass.
        small_elements: rows of features (the same rows feed both small-element rows); the per-element
            row times this many per repeat, the per-batch row `BATCH_YIELD_MULTIPLE` times as many.
        repeats: timed passes per row (the median is reported).
        quick: try only the first `best_from_generator` candidate.
        log: called with a short progress line per row and repeat (None: silent).

    Returns:
        (the rows in table order, every candidate's `ThroughputResult`).
    """
    log = log or (lambda _line: None)
    cores = available_cores()
    paths = [str(p) for p in datasets.benchmark_jpegs(image_count, progress=False)]
    configs = best_generator_configs(cores)
    if quick:
        configs = dict(list(configs.items())[:1])
    features = np.random.default_rng(0).random((small_elements, SMALL_FEATURES), dtype=np.float32)
    candidates = [
        _Candidate(
            "article_example_2",
            "the article's Example 2 as written (BGR, float64 declared float32)",
            make_dataset=lambda: article.example_2_dataset(paths),
        ),
        _Candidate(
            "float32",
            "Example 2 with float32 arithmetic and RGB, output_signature",
            make_dataset=lambda: (
                tf.data.Dataset.from_generator(
                    float32_images, args=(paths,), output_signature=FLOAT32_IMAGE_SIGNATURE
                )
                .batch(32)
                .prefetch(tf.data.AUTOTUNE)
            ),
        ),
        *(
            _Candidate(
                f"best_from_generator: {label}",
                config.describe().split(" · OpenCV")[0],
                make_dataset=lambda config=config: pipelines.image_dataset(config, paths),
            )
            for label, config in configs.items()
        ),
        _Candidate(
            "graph_native",
            "from_tensor_slices + map(read, decode_jpeg, resize), AUTOTUNE, prefetch",
            make_dataset=lambda: graph_native_dataset(paths),
        ),
        _Candidate(
            "limit",
            f"single-thread OpenCV decode + resize x {cores} cores",
            run_once=_limit_pass(paths),
            rate_multiplier=cores,
        ),
        _Candidate(
            "per_element_yield",
            f"rows of {SMALL_FEATURES} floats, one per yield, batched by {SMALL_BATCH_SIZE}",
            run_once=_stream_chunks(
                tf.data.Dataset.from_generator(
                    feature_rows, args=(features,), output_signature=SMALL_ELEMENT_SIGNATURE
                ).batch(SMALL_BATCH_SIZE),
                small_elements,
            ),
        ),
        _Candidate(
            "per_batch_yield",
            f"the same rows yielded in batches of {SMALL_BATCH_SIZE}",
            run_once=_stream_chunks(
                tf.data.Dataset.from_generator(
                    feature_batches,
                    args=(features, SMALL_BATCH_SIZE),
                    output_signature=SMALL_BATCH_SIGNATURE,
                ),
                small_elements * BATCH_YIELD_MULTIPLE,
            ),
        ),
    ]
    passes: dict[str, Callable[[], int]] = {}
    for candidate in candidates:
        if candidate.make_dataset is not None:
            dataset = candidate.make_dataset()
            for _ in dataset.take(2):  # warm-up: tracing, threads, the file cache
                pass
            passes[candidate.name] = _dataset_pass(dataset)
        else:
            candidate.run_once()
            passes[candidate.name] = candidate.run_once
    samples: dict[str, list[float]] = {c.name: [] for c in candidates}
    elements: dict[str, int] = {}
    for repeat in range(repeats):
        for candidate in candidates:
            result = measure_rate(passes[candidate.name], name=candidate.name, repeats=1)
            samples[candidate.name].append(result.elements_per_second * candidate.rate_multiplier)
            elements[candidate.name] = result.elements
            log(f"repeat {repeat + 1}/{repeats} {candidate.name}: {samples[candidate.name][-1]:,.0f}/s")
    results = [
        ThroughputResult.from_samples(c.name, samples[c.name], elements=elements[c.name]) for c in candidates
    ]
    by_name = {r.name: r for r in results}
    what = {c.name: c.what for c in candidates}
    best = max(
        (r for r in results if r.name.startswith("best_from_generator")),
        key=lambda r: r.elements_per_second,
    )
    limit = by_name["limit"].elements_per_second
    what["best_from_generator"] = f"{best.name.split(': ', 1)[1]}: uint8 batches of 32, scaled in TensorFlow"
    by_name["best_from_generator"] = best
    rows = [
        ComparisonRow(
            name,
            by_name[name].elements_per_second,
            by_name[name].elements_per_second / limit,
            by_name[name].elements_per_second / limit,
            "limit",
            what[name],
            by_name[name].samples,
        )
        for name in ("article_example_2", "float32", "best_from_generator", "graph_native", "limit")
    ]
    for name, other in (("per_element_yield", "per_batch_yield"), ("per_batch_yield", "per_element_yield")):
        rate = by_name[name].elements_per_second
        ratio = rate / by_name[other].elements_per_second
        rows.append(ComparisonRow(name, rate, None, ratio, other, what[name], by_name[name].samples))
    return rows, results


def format_table(rows: Sequence[ComparisonRow]) -> str:
    """Returns the rows as an aligned text table with a line of key ratios under it."""
    lines = [f"{'row':<20} {'elements/s':>11}  {'ratio':>14}  what"]
    for row in rows:
        target = "limit" if row.ratio_to == "limit" else row.ratio_to.replace("_yield", "")
        lines.append(
            f"{row.name:<20} {row.elements_per_second:>11,.0f}  {row.ratio:>6.2f}x {target:<7}  {row.what}"
        )
    by_name = {row.name: row for row in rows}
    best = by_name["best_from_generator"].elements_per_second
    lines.append("")
    lines.append(
        "best_from_generator / article_example_2 = "
        f"{best / by_name['article_example_2'].elements_per_second:.2f}x; "
        f"/ graph_native = {best / by_name['graph_native'].elements_per_second:.2f}x; "
        f"per_batch_yield / per_element_yield = {by_name['per_batch_yield'].ratio:.0f}x"
    )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """The command: `python -m helpers.benchmark [--quick] [--json PATH] [--images N] [--repeats N]`."""
    parser = argparse.ArgumentParser(
        prog="python -m helpers.benchmark",
        description="Compare from_generator pipelines with a graph-native one and the machine's limit, "
        "on the same 640x480 JPEGs -> 224x224 RGB float32 in [0, 1].",
    )
    parser.add_argument("--quick", action="store_true", help="fewer images and repeats (< 60 s)")
    parser.add_argument("--json", type=Path, metavar="PATH", help="also write the rows as JSON")
    parser.add_argument("--images", type=int, help="JPEGs per pass (default 600; quick 200)")
    parser.add_argument("--repeats", type=int, help="timed passes per row (default 5; quick 3)")
    parser.add_argument("--verbose", action="store_true", help="print each repeat as it is measured")
    args = parser.parse_args(argv)
    image_count = args.images or (200 if args.quick else 600)
    repeats = args.repeats or (3 if args.quick else 5)
    small_elements = 8_192 if args.quick else 16_384
    started = time.perf_counter()
    cores = available_cores()
    print(
        f"{image_count} JPEGs 640x480 -> {IMAGE_SIZE}x{IMAGE_SIZE} RGB float32 [0, 1]; "
        f"{cores} cores; median of {repeats} repeats (interleaved)",
        flush=True,
    )
    log = (lambda line: print("  " + line, file=sys.stderr, flush=True)) if args.verbose else None
    rows, results = compare(
        image_count=image_count,
        small_elements=small_elements,
        repeats=repeats,
        quick=args.quick,
        log=log,
    )
    print(format_table(rows))
    candidates = [r for r in results if r.name.startswith("best_from_generator")]
    if len(candidates) > 1:
        print("\nbest_from_generator candidates:")
        for result in candidates:
            print(f"  {result.name.split(': ', 1)[1]:<36} {result.elements_per_second:>8,.0f}/s")
    if args.json:
        payload = [
            {
                "name": row.name,
                "elements_per_second": row.elements_per_second,
                "ratio_to_limit": row.ratio_to_limit,
                "ratio": row.ratio,
                "ratio_to": row.ratio_to,
                "what": row.what,
                "samples": list(row.samples),
            }
            for row in rows
        ]
        args.json.write_text(json.dumps(payload, indent=2) + "\n")
        print(f"\nwrote {display_path(args.json)}")
    print(f"took {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
