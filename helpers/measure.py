"""Timing the kit's pipelines: one loop for every comparison, returning results with their spread.

    results = measure.compare({"naive": naive_ds, "fast": fast_ds, "limit": limit_pass}, repeats=5)
    results["fast"].elements_per_second       # median of the repeats; also min_ and max_
    results["fast"].cpu_seconds_per_element   # CPU time of this process and its child processes

What is timed is a pass: iterating a dataset (or any re-iterable) to the end, or calling a function
that does the work and returns how many elements it handled. `compare` runs one untimed pass of each
first, then the timed repeats in turns (a, b, c, a, b, c, ...), so a busy moment on a shared machine
slows every row alike. Wall time and CPU time are both kept: CPU time says what the work cost even
when other programs slow the wall clock down. TensorFlow is imported only to count a dataset's batches.
"""

from __future__ import annotations

import os
import statistics
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import psutil

__all__ = [
    "OtherLoad",
    "PassTiming",
    "ThroughputResult",
    "available_cores",
    "compare",
    "count_elements",
    "time_pass",
]


def available_cores() -> int:
    """Returns the number of CPU cores this process may run on."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def _cpu_seconds() -> tuple[float, float]:
    """CPU seconds used so far by this process (every thread), and by its child processes.

    Children still running are read with psutil; those that ended (and were waited for) with
    `resource.getrusage`, which Windows lacks: there, ended children are not counted.
    """
    children = 0.0
    for child in psutil.Process().children(recursive=True):
        try:
            times = child.cpu_times()
        except psutil.Error:
            continue
        children += times.user + times.system
    try:
        import resource
    except ImportError:
        return time.process_time(), children
    ended = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time(), children + ended.ru_utime + ended.ru_stime


class OtherLoad:
    """A `with` block that measures how many cores other programs kept busy while it ran.

    A conclusion about parallel work holds only if the cores were free: print it "if two cores were
    free" with this. Other programs' share is the machine's busy CPU time minus this process's and its
    children's, divided by the seconds passed.

    Attributes:
        other_cores: cores other programs kept busy on average (set when the block ends).
    """

    other_cores: float = 0.0

    def __enter__(self) -> OtherLoad:
        self._started = (time.perf_counter(), _machine_busy_seconds(), sum(_cpu_seconds()))
        return self

    def __exit__(self, *exc_info: object) -> None:
        started, machine, ours = self._started
        seconds = max(time.perf_counter() - started, 1e-9)
        others = (_machine_busy_seconds() - machine) - (sum(_cpu_seconds()) - ours)
        self.other_cores = max(0.0, others / seconds)  # the clocks tick apart: may dip below 0


def _machine_busy_seconds() -> float:
    times = psutil.cpu_times()
    return sum(getattr(times, name, 0.0) for name in ("user", "nice", "system", "irq", "softirq", "steal"))


@dataclass(frozen=True)
class PassTiming:
    """One timed pass: the elements it delivered (a batch counts its elements, see `count_elements`), its
    wall-clock seconds from asking for the first element to the end, and the CPU seconds of this process
    (all its threads) and its child processes meanwhile (`child_cpu_seconds` of them in the children).

    The first and last elements' arrival (seconds from the start) are None for a function call or a
    repeat of several passes; `first_elements` counts the elements of the first arrival.
    """

    elements: int
    seconds: float
    cpu_seconds: float
    child_cpu_seconds: float = 0.0
    first_element_seconds: float | None = None
    first_elements: int = 0
    last_element_seconds: float | None = None

    @property
    def elements_per_second(self) -> float:
        """`elements / seconds`, start-up and ending included."""
        return self.elements / self.seconds if self.seconds > 0 else float("nan")

    @property
    def cpu_seconds_per_element(self) -> float:
        """CPU seconds per element delivered."""
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


def count_elements(batch: object) -> int:
    """The elements in one batch: the length of its first component (images in a batch of images).

    The one way the kit counts: `(images, labels)` counts its images, `{"image": ...}` its first
    entry (in `tf.nest` order), anything without a length counts 1.
    """
    import tensorflow as tf

    first = tf.nest.flatten(batch)[0]
    try:
        return len(first)
    except TypeError:  # a scalar
        return 1


def _is_batched(iterable: Iterable) -> bool:
    """A dataset whose first component has an unknown leading dimension (what `batch` gives) is batched."""
    spec = getattr(iterable, "element_spec", None)
    if spec is None:
        return False
    import tensorflow as tf

    shape = tf.nest.flatten(spec)[0].shape
    return shape.rank is not None and shape.rank > 0 and shape[0] is None


def time_pass(work: Iterable | Callable[[], int]) -> PassTiming:
    """Times one pass of `work`: calls it, or iterates it to the end.

    Args:
        work: a function doing the work and returning how many elements it handled; or a dataset
            (or any re-iterable) to iterate from the start. A dataset whose elements are batches
            (an unknown leading dimension, as `batch` and a generator's `TensorSpec((None, ...))`
            give) counts each batch's elements (`count_elements`); anything else counts 1 per element.

    Returns:
        The `PassTiming`; for an iterable, with the times of its first and last elements.

    Raises:
        ValueError: an iterable gave nothing.
    """
    cpu_started, started = _cpu_seconds(), time.perf_counter()

    def timing(elements: int, **element_times: Any) -> PassTiming:
        seconds = time.perf_counter() - started
        own, children = (now - then for now, then in zip(_cpu_seconds(), cpu_started, strict=True))
        return PassTiming(elements, seconds, own + children, children, **element_times)

    if callable(work):
        return timing(int(work()))
    count = count_elements if _is_batched(work) else (lambda _element: 1)
    elements = first_elements = 0
    first_at = last_at = None
    for element in work:
        last_at = time.perf_counter()
        counted = count(element)
        if first_at is None:
            first_at, first_elements = last_at, counted
        elements += counted
    if first_at is None or last_at is None:
        raise ValueError("the dataset is empty: nothing to time")
    return timing(
        elements,
        first_element_seconds=first_at - started,
        first_elements=first_elements,
        last_element_seconds=last_at - started,
    )


def _passes_for(work: Iterable | Callable[[], int], min_seconds: float) -> PassTiming:
    """Whole passes until together they last `min_seconds` (one at least), summed into one timing.

    Long repeats swamp what every pass pays once (an iterator's start, its threads, the last batch's
    wait), so a short pass's start-up does not decide the figure.
    """
    timings = [time_pass(work)]
    while sum(timing.seconds for timing in timings) < min_seconds:
        timings.append(time_pass(work))
    if len(timings) == 1:
        return timings[0]
    return PassTiming(
        elements=sum(timing.elements for timing in timings),
        seconds=sum(timing.seconds for timing in timings),
        cpu_seconds=sum(timing.cpu_seconds for timing in timings),
        child_cpu_seconds=sum(timing.child_cpu_seconds for timing in timings),
    )


@dataclass(frozen=True)
class ThroughputResult:
    """The timed repeats of one row (`timings`, in round order: round i of every row ran back to back),
    and their median and spread."""

    name: str
    timings: tuple[PassTiming, ...]

    @property
    def samples(self) -> tuple[float, ...]:
        """Elements per second of each repeat, in round order."""
        return tuple(timing.elements_per_second for timing in self.timings)

    @property
    def elements_per_second(self) -> float:
        """The median over the repeats."""
        return statistics.median(self.samples)

    @property
    def min_elements_per_second(self) -> float:
        """The slowest repeat."""
        return min(self.samples)

    @property
    def max_elements_per_second(self) -> float:
        """The fastest repeat."""
        return max(self.samples)

    @property
    def cpu_seconds_per_element(self) -> float:
        """Median CPU seconds (this process and its children) per element."""
        return statistics.median(timing.cpu_seconds_per_element for timing in self.timings)

    @property
    def child_cpu_share(self) -> float:
        """Median share of the CPU time used in child (worker) processes: 0 when all ran here."""
        return statistics.median(
            timing.child_cpu_seconds / timing.cpu_seconds if timing.cpu_seconds > 0 else 0.0
            for timing in self.timings
        )

    def __str__(self) -> str:
        return (
            f"{self.name}: median {self.elements_per_second:,.0f} elements/s "
            f"(min {self.min_elements_per_second:,.0f}, max {self.max_elements_per_second:,.0f}, "
            f"{len(self.timings)} repeats of {self.timings[-1].elements:,}; "
            f"{self.cpu_seconds_per_element * 1000:.3f} CPU ms per element)"
        )


def compare(
    work: Mapping[str, Iterable | Callable[[], int]],
    *,
    repeats: int = 3,
    warmup_passes: int = 1,
    min_seconds: float = 0.0,
    on_result: Callable[[str, int, PassTiming], None] | None = None,
) -> dict[str, ThroughputResult]:
    """Times every row's passes in turns, after untimed warm-up passes: the kit's one timing loop.

    Args:
        work: name -> a dataset (or re-iterable), or a function doing one pass and returning its element
            count (see `time_pass`).
        repeats: timed repeats per row, taken in turns.
        warmup_passes: untimed passes of every row first (tracing, thread pools, the file cache).
        min_seconds: a repeat runs whole passes until together they last this long (0: one pass).
        on_result: called with (name, round index, timing) after each timed repeat.

    Returns:
        name -> its `ThroughputResult`, in the order of `work`.

    Raises:
        ValueError: `repeats` is under 1, or a row's pass is empty.
    """
    if repeats < 1:
        raise ValueError(f"repeats must be at least 1, not {repeats}")
    for _ in range(warmup_passes):
        for item in work.values():
            time_pass(item)
    timings: dict[str, list[PassTiming]] = {name: [] for name in work}
    for repeat in range(repeats):  # in turns: a, b, c, a, b, c, ...
        for name, item in work.items():
            timings[name].append(_passes_for(item, min_seconds))
            if on_result is not None:
                on_result(name, repeat, timings[name][-1])
    return {name: ThroughputResult(name, tuple(timed)) for name, timed in timings.items()}
