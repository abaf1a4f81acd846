"""Measuring tf.data throughput: timed passes with warm-up and repeats, returned as result objects.

    result = measure.measure_throughput(dataset, name="mine", repeats=3)
    result.elements_per_second          # median over the repeats; also .min_/.max_elements_per_second

The comparison command (`helpers.benchmark`) and the lessons measure with these; `helpers.runs` runs a
pipeline the way the performance lab does (stoppable, with a timeline).
"""

from __future__ import annotations

import os
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import tensorflow as tf

__all__ = [
    "ThroughputResult",
    "available_cores",
    "count_elements",
    "dataset_pass",
    "measure_rate",
    "measure_throughput",
    "throughput_series",
]


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
