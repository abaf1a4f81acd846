"""Measuring tf.data throughput: timed passes (wall and CPU time), repeats taken in turns, result objects.

    result = measure.measure_throughput(dataset, name="mine", repeats=3)
    result.elements_per_second          # median over the repeats; also .min_/.max_elements_per_second
    result.cpu_seconds_per_1000         # process CPU seconds per 1,000 elements (median)
    timings = measure.round_robin({"a": lambda: measure.time_dataset_pass(a), ...}, repeats=5)

The comparison command (`helpers.benchmark`), `graph_native.measure_throughputs`, `training` and the
lessons measure with these; `helpers.runs` runs a pipeline the way the performance lab does (stoppable,
with a timeline). TensorFlow is imported only by the functions that iterate a dataset.
"""

from __future__ import annotations

import os
import statistics
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:
    import tensorflow as tf

__all__ = [
    "PassTiming",
    "ThroughputResult",
    "available_cores",
    "count_elements",
    "dataset_pass",
    "measure_rate",
    "measure_throughput",
    "repeat_for",
    "round_robin",
    "throughput_series",
    "time_call",
    "time_dataset_pass",
]

T = TypeVar("T")


def available_cores() -> int:
    """Returns the number of CPU cores this process may run on."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


@dataclass(frozen=True)
class PassTiming:
    """One timed pass: how many elements it delivered, its wall-clock time and the process's CPU time.

    CPU time is `time.process_time()`: every thread of this process (TensorFlow's, OpenCV's, Python's),
    user and system, so it says what the work cost even when other programs slow the wall clock down.

    Attributes:
        elements: elements delivered.
        seconds: wall-clock seconds, from asking for the first element to the end.
        cpu_seconds: process CPU seconds over the same span.
        first_element_seconds: seconds until the first element arrived (None if not recorded).
        first_elements: elements in that first arrival (a batch counts its images).
        last_element_seconds: seconds until the last element arrived (None if not recorded).
    """

    elements: int
    seconds: float
    cpu_seconds: float
    first_element_seconds: float | None = None
    first_elements: int = 0
    last_element_seconds: float | None = None

    @property
    def elements_per_second(self) -> float:
        """`elements / seconds`, start-up and ending included."""
        return self.elements / self.seconds if self.seconds > 0 else float("nan")

    @property
    def cpu_seconds_per_element(self) -> float:
        """Process CPU seconds per element delivered."""
        return self.cpu_seconds / self.elements if self.elements else float("nan")

    @property
    def streaming_elements_per_second(self) -> float:
        """Elements after the first arrival per second from the first arrival to the last (NaN if unknown)."""
        if self.first_element_seconds is None or self.last_element_seconds is None:
            return float("nan")
        streaming_seconds = self.last_element_seconds - self.first_element_seconds
        if streaming_seconds <= 0:
            return float("nan")
        return (self.elements - self.first_elements) / streaming_seconds

    @property
    def end_wait_seconds(self) -> float:
        """Seconds from the last element until the pass ended (NaN if unknown)."""
        if self.last_element_seconds is None:
            return float("nan")
        return self.seconds - self.last_element_seconds


def time_call(run_once: Callable[[], int]) -> PassTiming:
    """Times one call of `run_once` (which does some work and returns how many elements it handled)."""
    cpu_started, started = time.process_time(), time.perf_counter()
    elements = int(run_once())
    seconds = time.perf_counter() - started
    return PassTiming(elements=elements, seconds=seconds, cpu_seconds=time.process_time() - cpu_started)


def count_elements(batch) -> int:
    """Returns the leading dimension of the first component of a batch (its number of elements)."""
    import tensorflow as tf

    first = tf.nest.flatten(batch)[0]
    return int(first.shape[0]) if first.shape.rank else 1


def time_dataset_pass(
    dataset: tf.data.Dataset, *, count: Callable[[object], int] = count_elements
) -> PassTiming:
    """Iterates `dataset` once to the end (a new iterator), timing it and its first and last elements.

    Args:
        dataset: a finite dataset.
        count: how many elements one dataset element holds (default: the batch dimension).

    Returns:
        The `PassTiming`, with first and last element times.

    Raises:
        ValueError: the dataset is empty.
    """
    elements = first_elements = 0
    first_at = last_at = None
    cpu_started, started = time.process_time(), time.perf_counter()
    for element in dataset:
        last_at = time.perf_counter()
        n = count(element)
        if first_at is None:
            first_at, first_elements = last_at, n
        elements += n
    ended = time.perf_counter()
    cpu_seconds = time.process_time() - cpu_started
    if first_at is None or last_at is None:
        raise ValueError("the dataset is empty: nothing to time")
    return PassTiming(
        elements=elements,
        seconds=ended - started,
        cpu_seconds=cpu_seconds,
        first_element_seconds=first_at - started,
        first_elements=first_elements,
        last_element_seconds=last_at - started,
    )


def repeat_for(one_pass: Callable[[], PassTiming], *, min_seconds: float) -> PassTiming:
    """Runs whole passes until together they last at least `min_seconds`; returns their sum.

    Long repeats swamp what every pass pays once (starting an iterator and its threads, the first file
    reads), so a short pass's start-up noise does not decide the figure. The first/last element times
    are kept only when one pass was enough.

    Args:
        one_pass: times one pass (e.g. `lambda: time_dataset_pass(ds)`).
        min_seconds: the shortest repeat, in wall-clock seconds; 0 runs one pass.

    Returns:
        One `PassTiming` covering every pass run.
    """
    timings = [one_pass()]
    while sum(t.seconds for t in timings) < min_seconds:
        timings.append(one_pass())
    if len(timings) == 1:
        return timings[0]
    return PassTiming(
        elements=sum(t.elements for t in timings),
        seconds=sum(t.seconds for t in timings),
        cpu_seconds=sum(t.cpu_seconds for t in timings),
    )


def round_robin(
    tasks: Mapping[str, Callable[[], T]],
    *,
    repeats: int,
    on_result: Callable[[str, int, T], None] | None = None,
) -> dict[str, list[T]]:
    """Runs every task once per round, in the order given, for `repeats` rounds (a, b, c, a, b, c, ...).

    Taking turns spreads a busy moment on a shared machine over all tasks, so their ratios stay
    meaningful even when absolute figures drift.

    Args:
        tasks: name -> a function doing one measurement (e.g. returning a `PassTiming`).
        repeats: rounds.
        on_result: called with (name, round index, result) after each task (progress, logging).

    Returns:
        name -> the results of every round, in the order of `tasks`.
    """
    results: dict[str, list[T]] = {name: [] for name in tasks}
    for repeat in range(repeats):
        for name, task in tasks.items():
            results[name].append(task())
            if on_result is not None:
                on_result(name, repeat, results[name][-1])
    return results


def _quartiles(samples: Sequence[float]) -> tuple[float, float]:
    if len(samples) < 2:
        return samples[0], samples[0]
    q1, _, q3 = statistics.quantiles(samples, n=4, method="inclusive")
    return q1, q3


@dataclass(frozen=True)
class ThroughputResult:
    """Elements per second (and CPU cost) of repeated passes over the same work.

    Attributes:
        name: what was measured.
        elements_per_second: the median over the repeats.
        min_elements_per_second: the slowest repeat.
        max_elements_per_second: the fastest repeat.
        samples: elements/s of each repeat, in order.
        elements: elements counted in one repeat.
        cpu_samples: process CPU seconds per element of each repeat (empty if not measured).
        q1_elements_per_second: the lower quartile of `samples` (the median when only one).
        q3_elements_per_second: the upper quartile of `samples`.
    """

    name: str
    elements_per_second: float
    min_elements_per_second: float
    max_elements_per_second: float
    samples: tuple[float, ...]
    elements: int
    cpu_samples: tuple[float, ...] = ()
    q1_elements_per_second: float = float("nan")
    q3_elements_per_second: float = float("nan")

    @classmethod
    def from_samples(
        cls,
        name: str,
        samples: Sequence[float],
        *,
        elements: int,
        cpu_samples: Sequence[float] = (),
    ) -> ThroughputResult:
        """Builds the result from each repeat's elements/s (and CPU seconds per element)."""
        q1, q3 = _quartiles(list(samples))
        return cls(
            name=name,
            elements_per_second=statistics.median(samples),
            min_elements_per_second=min(samples),
            max_elements_per_second=max(samples),
            samples=tuple(samples),
            elements=elements,
            cpu_samples=tuple(cpu_samples),
            q1_elements_per_second=q1,
            q3_elements_per_second=q3,
        )

    @classmethod
    def from_timings(
        cls, name: str, timings: Sequence[PassTiming], *, rate_multiplier: float = 1.0
    ) -> ThroughputResult:
        """Builds the result from timed repeats.

        Args:
            name: the result's name.
            timings: one `PassTiming` per repeat.
            rate_multiplier: scales elements/s (e.g. one thread's rate times the cores); CPU per element
                is not scaled.
        """
        return cls.from_samples(
            name,
            [t.elements_per_second * rate_multiplier for t in timings],
            elements=timings[-1].elements,
            cpu_samples=[t.cpu_seconds_per_element for t in timings],
        )

    @property
    def cpu_seconds_per_1000(self) -> float:
        """Median process CPU seconds per 1,000 elements (NaN if CPU time was not measured)."""
        return 1000 * statistics.median(self.cpu_samples) if self.cpu_samples else float("nan")

    @property
    def spread(self) -> float:
        """(max - min) / median: 0.1 means the repeats spanned 10% of the median."""
        return (self.max_elements_per_second - self.min_elements_per_second) / self.elements_per_second

    def __str__(self) -> str:
        cpu = f", {self.cpu_seconds_per_1000:.2f} CPU s/1000" if self.cpu_samples else ""
        return (
            f"{self.name}: median {self.elements_per_second:,.0f} elements/s "
            f"(min {self.min_elements_per_second:,.0f}, max {self.max_elements_per_second:,.0f}, "
            f"{len(self.samples)} repeats of {self.elements:,}{cpu})"
        )


def dataset_pass(dataset: tf.data.Dataset) -> Callable[[], int]:
    """Returns a function that iterates `dataset` once, to the end, and returns the elements it counted."""

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
        The `ThroughputResult`, with CPU time per element.
    """
    if warmup is not None:
        warmup()
    timings = [repeat_for(lambda: time_call(run_once), min_seconds=min_seconds) for _ in range(repeats)]
    return ThroughputResult.from_timings(name, timings)


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
        dataset_pass(dataset),
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
