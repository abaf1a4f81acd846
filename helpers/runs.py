"""A lab run: a pipeline read like a training loop, until Stop, with its settings changed while it goes.

    runner = runs.Runner(build_pipeline)        # build_pipeline(config, watch) -> tf.data.Dataset
    result = runner.run(runs.RunSettings(config, train_step_ms=10, epochs=runs.UNTIL_STOP), stop_event=stop)
    runner.requested = runs.RunSettings(config.replace(batch_size=64))  # from another thread: a new segment

The build function wraps its generator functions with the runner's `timeline.Watch`, so Stop and the
timeline reach them. `config` may be any frozen dataclass with an `image_count` (elements per epoch) and a
`describe()`, as `pipelines.PipelineConfig`. No widgets and no TensorFlow import.
"""

from __future__ import annotations

import functools
import statistics
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

from helpers import messages, timeline

__all__ = ["UNTIL_STOP", "LivePoint", "RunProgress", "RunResult", "RunSettings", "Runner", "Segment"]

UNTIL_STOP = 0
"""`epochs=UNTIL_STOP`: the run goes on, epoch after epoch, until it is stopped."""
_WINDOW_SECONDS = 0.5  # throughput and cores busy are measured over windows this long
_MAX_DATASETS = 8


@dataclass(frozen=True)
class RunSettings:
    """What a run runs with: a new `config` or `train_step_ms` during a run begins a new `Segment`, new
    `epochs` (passes over the images; `UNTIL_STOP`: until stopped) move its end."""

    config: Any
    train_step_ms: float = 0.0
    epochs: int = 1


@dataclass(frozen=True)
class LivePoint:
    """Throughput and the process's CPU seconds per second (1.0: one core busy) over the half-second
    window that ended `seconds` after the run started."""

    seconds: float
    elements_per_second: float
    cores_busy: float


@dataclass(frozen=True)
class Segment:
    """A stretch of a run with one set of settings, `number` 1, 2, ... in the run.

    `change` says what changed when it began ("batch 32 -> 64"; "" for the first), `start_seconds` when
    (since the run started). Its figures are from its first batch to its last (the first pays the
    pipeline's start-up): `elements_per_second` over `seconds`, its median over its windows (the same when
    under three), `cores_busy` the process's CPU time per second.
    """

    number: int
    config: Any
    train_step_ms: float
    change: str
    start_seconds: float
    seconds: float
    elements: int
    elements_per_second: float
    median_elements_per_second: float
    cores_busy: float

    @property
    def cpu_seconds_per_element(self) -> float:
        """CPU time per element: unlike elements/s, it hardly depends on what else the machine runs."""
        return self.cores_busy / self.elements_per_second if self.elements_per_second > 0 else 0.0


class _Tally:
    """A stretch of a run so far, from (seconds, elements, CPU seconds) readings taken at every batch."""

    def __init__(self, settings: RunSettings, change: str, start: float) -> None:
        self.settings, self.change, self.start = settings, change, start
        self.elements = 0
        self.first: tuple[float, int, float] | None = None  # the reading at its first batch
        self.last: tuple[float, int, float] | None = None
        self.window: tuple[float, int, float] | None = None  # the reading where the open window began
        self.rates: list[float] = []

    def add(self, now: float, elements: int, cpu: float) -> LivePoint | None:
        """Adds a batch; returns the window it closes, if any."""
        self.elements += elements
        self.last = reading = (now, self.elements, cpu)
        self.first, self.window = self.first or reading, self.window or reading
        began, elements_then, cpu_then = self.window
        if now - began < _WINDOW_SECONDS:
            return None
        self.window = reading
        self.rates.append((self.elements - elements_then) / (now - began))
        return LivePoint(now, self.rates[-1], (cpu - cpu_then) / (now - began))

    def segment(self, number: int) -> Segment:
        seconds = rate = cores = 0.0
        if self.first and self.last and self.last[0] > self.first[0]:
            seconds = self.last[0] - self.first[0]
            rate, cores = (self.last[1] - self.first[1]) / seconds, (self.last[2] - self.first[2]) / seconds
        median = statistics.median(self.rates) if len(self.rates) >= 3 else rate
        config, step = self.settings.config, float(self.settings.train_step_ms)
        return Segment(
            number, config, step, self.change, self.start, seconds, self.elements, rate, median, cores
        )


class RunProgress:
    """What a run has done so far; written by the run's thread, safe to read from any other.

    `epochs_done` counts in elements (2.5: halfway through the third); `last_batch` is the newest batch,
    for showing its images; `origin` the `time.perf_counter()` of the run's time 0.
    """

    def __init__(self) -> None:
        self.elements = 0
        self.epochs_done = 0.0
        self.last_batch = None
        self.origin = time.perf_counter()
        self._points: list[LivePoint] = []
        self._tallies: list[_Tally] = []
        self._lock = threading.Lock()

    def _begin(self, settings: RunSettings, change: str = "") -> None:
        with self._lock:
            self._tallies.append(_Tally(settings, change, time.perf_counter() - self.origin))

    def _add(self, batch, epochs_done: float) -> None:
        now, cpu = time.perf_counter() - self.origin, time.process_time()
        with self._lock:
            self.elements += len(batch)
            self.epochs_done, self.last_batch = epochs_done, batch
            point = self._tallies[-1].add(now, len(batch), cpu)
            if point is not None:
                self._points.append(point)

    def points(self) -> list[LivePoint]:
        """Returns the closed windows so far, oldest first."""
        with self._lock:
            return list(self._points)

    def segments(self) -> list[Segment]:
        """Returns the segments so far; the last one is still going while the run is."""
        with self._lock:
            return [tally.segment(number) for number, tally in enumerate(self._tallies, start=1)]


@dataclass(frozen=True)
class RunResult:
    """The outcome of one run: the `settings` it started with (later ones are in `segments`), how long it
    ran from Run to its end, whether Stop ended it, the error's type and message if it failed, its
    timeline `events` and its live `points`."""

    settings: RunSettings
    elements: int
    seconds: float
    stopped: bool = False
    error: str = ""
    events: tuple[timeline.Event, ...] = field(default=(), repr=False)
    segments: tuple[Segment, ...] = field(default=(), repr=False)
    points: tuple[LivePoint, ...] = field(default=(), repr=False)

    @property
    def status(self) -> str:
        """ "failed", "stopped" or "done"."""
        return "failed" if self.error else ("stopped" if self.stopped else "done")

    @property
    def elements_per_second(self) -> float:
        """Elements per second over its segments, each from its first batch (the start-ups left out)."""
        seconds = sum(segment.seconds for segment in self.segments)
        delivered = sum(segment.elements_per_second * segment.seconds for segment in self.segments)
        return delivered / seconds if seconds > 0 else 0.0

    @property
    def median_elements_per_second(self) -> float:
        """The median of its windows' elements/s (elements per second of the whole run when under three)."""
        if len(self.points) >= 3:
            return statistics.median(point.elements_per_second for point in self.points)
        return self.elements / self.seconds if self.seconds > 0 else 0.0


class Runner:
    """Runs the pipelines `build(config, watch)` makes, like a training loop, one run at a time.

    Each run gives `watch` a fresh stop event and recorder. `requested`, set from any thread, holds the
    settings the running run goes on with from its next batch.
    """

    def __init__(self, build: Callable[[Any, timeline.Watch], Any]) -> None:
        self.watch = timeline.Watch()
        self.requested: RunSettings | None = None
        # Built once per config and kept: every from_generator dataset stays attached to TensorFlow's
        # global graph (about 80 KB each), so a panel rebuilding on every Run would grow without bound.
        self._dataset = functools.lru_cache(_MAX_DATASETS)(lambda config: build(config, self.watch).repeat())
        self._closer: threading.Thread | None = None

    def run(
        self,
        settings: RunSettings,
        *,
        stop_event: threading.Event | None = None,
        progress: RunProgress | None = None,
    ) -> RunResult:
        """Runs the pipeline: next batch, training step, repeat, until the epochs are done or Stop.

        The training step waits on `stop_event`, so Stop interrupts it; the watched generators end at
        their next `yield`. A new config `requested` replaces the pipeline between two batches (the old
        one closed first). Errors end the run and are returned in the result, not raised.

        Args:
            stop_event: set it (from any thread) to stop the run.
            progress: updated after every batch, for live displays.
        """
        self.requested, started_with = settings, settings  # a change asked for before the run is not its
        self.wait_closed()  # the last run's generators must be gone before the watch is reused
        stop_event, progress = stop_event or threading.Event(), progress or RunProgress()
        recorder = self.watch.recorder = timeline.TimelineRecorder()
        self.watch.stop_event = stop_event
        progress._begin(settings)
        error, iterator, epochs_done = "", None, 0.0
        try:
            iterator = iter(self._dataset(settings.config))
            while not stop_event.is_set():
                asked = self.requested
                if asked is not None and asked != settings:
                    if (asked.config, asked.train_step_ms) != (settings.config, settings.train_step_ms):
                        progress._begin(asked, _change_label(settings, asked))
                    if asked.config != settings.config:
                        iterator = None  # closes the old pipeline: its generators end with it
                        iterator = iter(self._dataset(asked.config))
                    settings = asked
                if settings.epochs and epochs_done >= settings.epochs - 1e-9:
                    break
                waited = time.perf_counter()
                batch = next(iterator, None)
                if batch is None:
                    break
                recorder.add(timeline.CONSUMER_LANE, timeline.WAIT, waited, time.perf_counter())
                epochs_done += len(batch) / settings.config.image_count
                progress._add(batch, epochs_done)
                if settings.train_step_ms > 0:
                    with recorder.span(timeline.CONSUMER_LANE, timeline.TRAIN_STEP):
                        stop_event.wait(settings.train_step_ms / 1000)
        except Exception as exc:  # any failure is reported in the result, not raised
            error = messages.error_summary(exc, innermost=True)
        finally:
            # Deleting the iterator closes the generators, which can take TensorFlow half a second: it
            # happens in a thread, and the run ends at once. The holder's reference must be the last.
            holder = [iterator]
            del iterator
            self._close_in_background(holder)
        return RunResult(
            started_with,
            progress.elements,
            time.perf_counter() - progress.origin,
            stopped=stop_event.is_set(),
            error=error,
            events=tuple(recorder.events()),
            segments=tuple(progress.segments()),
            points=tuple(progress.points()),
        )

    def _close_in_background(self, holder: list) -> None:
        self._closer = threading.Thread(target=holder.clear, name="close-pipeline", daemon=True)
        self._closer.start()

    def wait_closed(self, timeout_seconds: float | None = None) -> bool:
        """Waits until the last run's pipeline is closed; returns False if it is still closing."""
        if self._closer is not None:
            self._closer.join(timeout_seconds)
            if self._closer.is_alive():
                return False
        return True


# Setting -> (what it is called, how a value reads): "batch 32 -> 64", "auto-prefetch on -> off".
_CHANGE_FORMATS: dict[str, tuple[str, Callable[[Any], str]]] = {
    "yield_mode": ("", "per {}".format),
    "batch_size": ("batch", str),
    "image_count": ("images per epoch", str),
    "image_size": ("image size", "{} px".format),
    "opencv_threads": ("OpenCV threads", lambda value: str(value or "default")),
    "prefetch": ("prefetch", lambda value: "AUTOTUNE" if value == "autotune" else str(value)),
    "inject_prefetch": ("auto-prefetch", lambda value: "on" if value else "off"),
    "augment": ("augment", lambda value: "on" if value else "off"),
}


def _change_label(before: RunSettings, after: RunSettings) -> str:
    """Returns what changed from `before` to `after`, e.g. "batch 32 -> 64, prefetch off -> AUTOTUNE"."""
    old, new = asdict(before.config), asdict(after.config)
    parts = []
    for name in old:
        if old[name] != new[name]:
            what, value = _CHANGE_FORMATS.get(name, (name.replace("_", " "), str))
            parts.append(f"{what} {value(old[name])} -> {value(new[name])}".strip())
    if before.train_step_ms != after.train_step_ms:
        parts.append(f"train step {before.train_step_ms:g} -> {after.train_step_ms:g} ms")
    return ", ".join(parts)
