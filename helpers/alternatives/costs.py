"""What each alternative delivers and what a pass over it costs, measured.

Its images are checked against the reference's (`check_same_output`); passes are timed in turns (wall
time, CPU time of this process and its children: `measure_pass_costs`), beside the machine's limit for this
work (`limit_pass`) and the load other programs put on the machine meanwhile (`OtherLoad`).

    reference = alternatives.dataset_images(alternatives.reference_dataset(paths))
    checks = {"map": alternatives.check_same_output("map", alternatives.dataset_images(dataset), reference)}
    costs = alternatives.measure_pass_costs({"map": alternatives.dataset_pass(dataset)})

CPU time of child processes: the ones still running are read with psutil (every platform); the ones that
have ended and been waited for are read with `resource.getrusage(RUSAGE_CHILDREN)`, which exists on Linux
and macOS only. Elsewhere (Windows) the CPU time of ended children is not counted: `child_cpu_share` and
`cpu_seconds_per_image` then leave out workers that exited before the pass was read, and `OtherLoad`
counts their CPU time as other programs'.

May import: NumPy, psutil and `helpers.process_work`; nothing else of this package. It imports no
TensorFlow itself (datasets are only iterated; OpenCV is imported inside `limit_pass`), though importing
it through the package imports `builders`, which does.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import psutil

from helpers import process_work

if TYPE_CHECKING:
    import tensorflow as tf

__all__ = [
    "OtherLoad",
    "OutputCheck",
    "PassCost",
    "check_same_output",
    "dataset_images",
    "dataset_pass",
    "limit_pass",
    "measure_pass_costs",
    "timed_pass",
]


def dataset_images(dataset: tf.data.Dataset) -> np.ndarray:
    """All images of one pass over a dataset of batches (or of (batch, labels) pairs), concatenated."""
    batches = [batch[0] if isinstance(batch, tuple) else batch for batch in dataset.as_numpy_iterator()]
    return np.concatenate(batches)


@dataclass(frozen=True)
class OutputCheck:
    """How one alternative's images compare with the reference generator's.

    Attributes:
        name: the alternative.
        images: images compared.
        max_levels: the largest difference of any pixel channel, in grey levels (of 255).
        tolerance_levels: the largest difference that counts as the same output.
        same_output: same number of images, same shapes, every difference within the tolerance.
    """

    name: str
    images: int
    max_levels: float
    tolerance_levels: float
    same_output: bool


def check_same_output(
    name: str, candidate: np.ndarray, reference: np.ndarray, *, tolerance_levels: float = 1.0
) -> OutputCheck:
    """Compares images (float in [0, 1]) with the reference's, pixel by pixel, in grey levels.

    The default tolerance, 1 grey level, is what rounding leaves between OpenCV's fixed-point resize
    and a float computation of the same area average (notebook 07).

    Raises:
        ValueError: the counts or the image shapes differ (the message names the alternative).
    """
    if candidate.shape != reference.shape:
        raise ValueError(f"{name}: got images of shape {candidate.shape}, the reference {reference.shape}")
    levels = round(float(np.abs(candidate.astype(np.float64) - reference).max()) * 255.0, 2)
    return OutputCheck(name, len(candidate), levels, tolerance_levels, levels <= tolerance_levels)


@dataclass(frozen=True)
class PassCost:
    """Time and CPU time of the timed passes over one alternative (medians).

    Attributes:
        name: the alternative.
        images: images per pass.
        images_per_second: images / wall seconds of a pass.
        cpu_seconds_per_image: CPU seconds of this process and its child processes, per image.
        child_cpu_share: the part of that CPU time used in child (worker) processes.
        samples: images per second of each timed pass.
    """

    name: str
    images: int
    images_per_second: float
    cpu_seconds_per_image: float
    child_cpu_share: float
    samples: tuple[float, ...]


def _children_cpu_seconds() -> float:
    """CPU seconds of child processes: those ended (and waited for) plus those still running.

    The ended ones come from `resource.getrusage`, Linux and macOS only; without `resource` (Windows)
    only the running ones are counted.
    """
    running = 0.0
    for child in psutil.Process().children(recursive=True):
        try:
            times = child.cpu_times()
        except psutil.Error:
            continue
        running += times.user + times.system
    return _ended_children_cpu_seconds() + running


def _ended_children_cpu_seconds() -> float:
    try:
        import resource  # Linux and macOS only
    except ImportError:
        return 0.0
    ended = resource.getrusage(resource.RUSAGE_CHILDREN)
    return ended.ru_utime + ended.ru_stime


def timed_pass(run_once: Callable[[], int]) -> tuple[int, float, float, float]:
    """Runs `run_once` and returns (elements, wall seconds, own CPU seconds, child CPU seconds).

    The one place this module measures CPU time (process_time plus worker processes), so it can be
    replaced by `helpers.measure`'s CPU fields.
    """
    started, own_started, children_started = time.perf_counter(), time.process_time(), _children_cpu_seconds()
    elements = run_once()
    seconds = time.perf_counter() - started
    own = time.process_time() - own_started
    children = max(0.0, _children_cpu_seconds() - children_started)
    return elements, seconds, own, children


class OtherLoad:
    """A `with` block that measures how many cores other programs kept busy while it ran.

    Time alone misleads on a shared machine: a program busy on the second core leaves parallel code
    nothing to gain. Other programs' share is the machine's busy CPU time minus this process's and its
    children's, divided by the seconds passed.

    Attributes:
        other_cores: cores other programs kept busy on average (set when the block ends).
    """

    other_cores: float = 0.0

    def __enter__(self) -> OtherLoad:
        self._started = (time.perf_counter(), _machine_busy_seconds(), _own_and_children_seconds())
        return self

    def __exit__(self, *exc_info: object) -> None:
        started, machine, ours = self._started
        seconds = max(time.perf_counter() - started, 1e-9)
        others = (_machine_busy_seconds() - machine) - (_own_and_children_seconds() - ours)
        self.other_cores = max(0.0, others / seconds)  # the clocks tick apart: may dip below 0


def _machine_busy_seconds() -> float:
    times = psutil.cpu_times()
    return sum(getattr(times, name, 0.0) for name in ("user", "nice", "system", "irq", "softirq", "steal"))


def _own_and_children_seconds() -> float:
    return time.process_time() + _children_cpu_seconds()


def dataset_pass(dataset: tf.data.Dataset) -> Callable[[], int]:
    """Returns a function that iterates `dataset` once and returns the images it delivered."""

    def one_pass() -> int:
        total = 0
        for batch in dataset:
            first = batch[0] if isinstance(batch, tuple) else batch
            total += int(first.shape[0])
        return total

    return one_pass


def measure_pass_costs(
    passes: dict[str, Callable[[], int]], *, repeats: int = 3, warmup: bool = True
) -> list[PassCost]:
    """Times full passes of each alternative, taking turns, and keeps each one's medians.

    Taking turns (pass 1 of each, then pass 2 of each, ...) spreads a busy moment on the machine over all
    of them, so their ratios stay meaningful.

    Args:
        passes: name -> a function doing one pass and returning the images it delivered.
        repeats: timed passes each.
        warmup: run one untimed pass of each first (tracing, file cache, thread pools).

    Returns:
        One `PassCost` per alternative, in the order given.
    """
    if warmup:
        for run_once in passes.values():
            run_once()
    timings: dict[str, list[tuple[int, float, float, float]]] = {name: [] for name in passes}
    for _ in range(repeats):
        for name, run_once in passes.items():
            timings[name].append(timed_pass(run_once))
    costs = []
    for name, timed in timings.items():
        images = timed[-1][0]
        rates = tuple(count / seconds for count, seconds, _, _ in timed)
        cpu = statistics.median((own + child) / count for count, _, own, child in timed)
        child_share = statistics.median(child / max(own + child, 1e-9) for _, _, own, child in timed)
        costs.append(PassCost(name, images, statistics.median(rates), cpu, child_share, rates))
    return costs


def limit_pass(paths: Sequence[str]) -> Callable[[], int]:
    """One pass of the machine's limit for this work: decode + resize in one thread, OpenCV only.

    As `python -m helpers.benchmark` defines the limit (one thread, `cv2.setNumThreads(1)`, uint8 into a
    reused buffer, no TensorFlow), with this lesson's resize: the limit is its rate times the cores.
    Measure it with the alternatives, taking turns, so a busy moment on the machine affects all alike.
    """
    import cv2

    out = np.empty((*process_work.IMAGE_SIZE, 3), np.uint8)

    def one_pass() -> int:
        previous = cv2.getNumThreads()
        cv2.setNumThreads(1)
        try:
            for path in paths:
                process_work.decode_into(path, out)
        finally:
            cv2.setNumThreads(previous)
        return len(paths)

    return one_pass
