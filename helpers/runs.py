"""Running a pipeline the way the performance lab does: like a training loop, stoppable, with a timeline.

    result = runs.run_pipeline(pipelines.PipelineConfig(yield_mode="batch"), train_step_ms=10)
    result.median_elements_per_second, result.events   # throughput, and the timeline of the run

    changes = runs.RunChanges()                  # a live run: until Stop, settings changed while it goes
    # in a thread: runner.run(config, epochs=runs.UNTIL_STOP, stop_event=stop, changes=changes)
    changes.request(runs.RunSettings(config.replace(yield_mode="batch")))   # applied at the next batch
    runs.segment_rows(result.segments)           # one row per stretch of the run with one set of settings

A generator cannot be handed Python objects through `from_generator(args=...)`, so the stop flag and the
timeline reach it through a `RunControl` looked up by key (`control_for`).
"""

from __future__ import annotations

import bisect
import os
import statistics
import threading
import time
import uuid
import weakref
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from helpers import measure, messages, timeline

if TYPE_CHECKING:
    import tensorflow as tf

    from helpers import pipelines

__all__ = [
    "STOPPED_MESSAGE",
    "UNTIL_STOP",
    "WINDOW_SECONDS",
    "LivePoint",
    "Marker",
    "PipelineRunner",
    "RunChanges",
    "RunControl",
    "RunProgress",
    "RunResult",
    "RunSettings",
    "RunStopped",
    "Segment",
    "change_label",
    "control_for",
    "run_pipeline",
    "SEGMENT_COLUMNS",
    "segment_rows",
]

UNTIL_STOP = 0
"""`epochs=UNTIL_STOP`: the run goes on, epoch after epoch, until it is stopped."""
WINDOW_SECONDS = 0.5
"""Width of the time windows over which throughput and cores busy are measured."""
_ENDLESS_EPOCHS = 1_000_000  # what "until Stop" builds: lazily enumerated, never reached


class RunStopped(RuntimeError):
    """Raised by a generator whose run was stopped.

    Raising (rather than returning) ends the whole pipeline at once: a generator that just returned
    would let `interleave` start the next shard or epoch, each only to stop again.
    """


STOPPED_MESSAGE = "the run was stopped (RunControl.stop_event is set)"


class RunControl:
    """What a running generator can see of its run: a stop flag and a timeline to record into.

    A generator cannot be handed Python objects through `from_generator(args=...)` (args become
    tensors), so it gets `key` instead and looks the control up. The control stays registered while
    something holds it. It is mutable: a runner reusing one dataset for many runs swaps in a new
    stop event and recorder for each run.

    Attributes:
        key: pass it as `image_dataset(..., run_key=control.key)`.
        stop_event: when set, generators raise `RunStopped` at the next image, so a run ends quickly
            even while TensorFlow is blocked waiting for them.
        recorder: where generators record their `timeline.PRODUCE` spans; None records nothing.
    """

    def __init__(
        self,
        stop_event: threading.Event | None = None,
        *,
        recorder: timeline.TimelineRecorder | None = None,
    ) -> None:
        self.stop_event = stop_event or threading.Event()
        self.recorder = recorder
        self.key = uuid.uuid4().hex
        _RUN_CONTROLS[self.key] = self


_RUN_CONTROLS: weakref.WeakValueDictionary[str, RunControl] = weakref.WeakValueDictionary()


def control_for(key: str) -> RunControl | None:
    """Returns the live `RunControl` registered under `key`, or None ("" or one nobody holds any more)."""
    return _RUN_CONTROLS.get(key) if key else None


@dataclass(frozen=True)
class RunSettings:
    """What a run runs with; a change of `config` or `train_step_ms` starts a new `Segment`.

    Attributes:
        config: the pipeline settings.
        train_step_ms: the simulated training step per batch, in milliseconds.
        epochs: passes over the images; `UNTIL_STOP` (0) runs until stopped. Changing it mid-run moves
            the end of the run, not the segment.
    """

    config: pipelines.PipelineConfig
    train_step_ms: float = 0.0
    epochs: int = 1

    def same_work(self, other: RunSettings) -> bool:
        """True when `other` has the same pipeline and training step (so no new segment)."""
        return self.config == other.config and self.train_step_ms == other.train_step_ms


class RunChanges:
    """Settings asked for while a run goes, from any thread; the run takes them between two batches.

    Only the newest request counts: settings asked for twice before the run looks are applied once.
    """

    def __init__(self) -> None:
        self._pending: RunSettings | None = None
        self._lock = threading.Lock()

    def request(self, settings: RunSettings) -> None:
        """Asks the run to continue with `settings` (from its next batch on)."""
        with self._lock:
            self._pending = settings

    def take(self) -> RunSettings | None:
        """Returns the newest requested settings and forgets them, or None when nothing was asked for."""
        with self._lock:
            pending, self._pending = self._pending, None
        return pending


@dataclass(frozen=True)
class Marker:
    """A settings change during a run: when it was applied and what changed ("batch 32 -> 64")."""

    seconds: float
    label: str


@dataclass(frozen=True)
class LivePoint:
    """Throughput and CPU use over one `WINDOW_SECONDS` window of a run.

    Attributes:
        seconds: the window's end, in seconds since the run started.
        elements_per_second: elements delivered in the window per second.
        cores_busy: the process's CPU time in the window per second: 1.0 is one core kept busy.
    """

    seconds: float
    elements_per_second: float
    cores_busy: float


@dataclass(frozen=True)
class Segment:
    """A stretch of a run with one set of settings.

    Attributes:
        number: 1 for the first segment of the run, 2 after the first change, ...
        config: the pipeline settings.
        train_step_ms: the simulated training step per batch, in milliseconds.
        change: what changed when it began ("" for the first segment).
        start_seconds: when it began, in seconds since the run started.
        seconds: how long it lasted.
        elements: elements it delivered.
        elements_per_second: elements after its first batch per second after it (the first batch
            pays the pipeline's start-up).
        median_elements_per_second: median over its `WINDOW_SECONDS` windows (`elements_per_second`
            when it had fewer than three).
        cores_busy: the process's CPU time per second over the same time (1.0 = one core busy).
    """

    number: int
    config: pipelines.PipelineConfig
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
        """CPU time the process spent per element delivered (all its threads): what an element costs.

        Unlike elements/s it hardly depends on what else the machine runs at the time.
        """
        return self.cores_busy / self.elements_per_second if self.elements_per_second > 0 else 0.0


class _SegmentTally:
    """What a segment has done so far (kept by `RunProgress`, which holds the lock)."""

    def __init__(self, number: int, settings: RunSettings | None, change: str, start: float) -> None:
        self.number, self.settings, self.change = number, settings, change
        self.start, self.end = start, start
        self.elements = 0
        self.first: tuple[float, int, float] | None = None  # (time, elements, cpu) at its first batch
        self.last: tuple[float, int, float] | None = None
        self.window: tuple[float, int, float] | None = None  # where the open window began
        self.rates: list[float] = []

    def add(self, now: float, elements: int, cpu: float) -> LivePoint | None:
        self.elements += elements
        self.end = now
        reading = (now, self.elements, cpu)
        if self.first is None:
            self.first = reading
        window = reading if self.window is None else self.window
        self.last = reading
        started, elements_then, cpu_then = window
        if now - started < WINDOW_SECONDS:
            self.window = window
            return None
        self.window = reading
        rate = (self.elements - elements_then) / (now - started)
        self.rates.append(rate)
        return LivePoint(now, rate, (cpu - cpu_then) / (now - started))

    def segment(self, origin: float) -> Segment:
        if self.settings is None:
            raise ValueError("progress fed without begin_segment has no settings to make a segment of")
        seconds, rate, cores = 0.0, 0.0, 0.0
        first, last = self.first, self.last
        if first is not None and last is not None and last[0] > first[0]:
            seconds = last[0] - first[0]
            rate = (last[1] - first[1]) / seconds
            cores = (last[2] - first[2]) / seconds
        return Segment(
            number=self.number,
            config=self.settings.config,
            train_step_ms=float(self.settings.train_step_ms),
            change=self.change,
            start_seconds=self.start - origin,
            seconds=self.end - self.start,
            elements=self.elements,
            elements_per_second=rate,
            median_elements_per_second=statistics.median(self.rates) if len(self.rates) >= 3 else rate,
            cores_busy=cores,
        )


class RunProgress:
    """What a running `PipelineRunner.run` has done so far; safe to read from another thread.

    Attributes:
        total_elements: elements the run will deliver if not stopped (0: until Stop).
        elements: elements delivered so far.
        last_batch: the most recent batch (a tensor), for showing its images.
        started: `time.perf_counter()` when the first batch arrived, or None.
        origin: `time.perf_counter()` when the progress was made (the run's time 0).
        epochs_done: epochs delivered so far, counted in elements (2.5 = halfway through the third).
    """

    def __init__(self, total_elements: int) -> None:
        self.total_elements = total_elements
        self.elements = 0
        self.last_batch = None
        self.started: float | None = None
        self.origin = time.perf_counter()
        self.epochs_done = 0.0
        self._samples: list[tuple[float, int]] = []
        self._points: list[LivePoint] = []
        self._point_seconds: list[float] = []  # the points' seconds, to find a time range by bisection
        self._markers: list[Marker] = []
        self._segments: list[_SegmentTally] = []
        self._lock = threading.Lock()

    def begin_segment(self, settings: RunSettings, *, change: str = "") -> None:
        """Closes the current segment (if any) and starts one with `settings`; a `change` is marked."""
        now = time.perf_counter()
        with self._lock:
            if self._segments:
                self._segments[-1].end = now
            number = len(self._segments) + 1
            self._segments.append(_SegmentTally(number, settings, change, now))
            if change:
                self._markers.append(Marker(now - self.origin, change))

    def add_batch(self, batch, elements: int) -> None:
        """Records one delivered batch (called by the run, once per batch)."""
        now, cpu = time.perf_counter(), time.process_time()
        with self._lock:
            if self.started is None:
                self.started = now
            self.elements += elements
            self.last_batch = batch
            self._samples.append((now - self.started, self.elements))
            if not self._segments:  # progress fed by hand, without begin_segment
                self._segments.append(_SegmentTally(1, None, "", self.origin))
            point = self._segments[-1].add(now, elements, cpu)
            if point is not None:
                self._points.append(replace(point, seconds=point.seconds - self.origin))
                self._point_seconds.append(point.seconds - self.origin)

    def samples(self) -> list[tuple[float, int]]:
        """Returns (seconds since the first batch, elements so far), one per batch."""
        with self._lock:
            return list(self._samples)

    def points(self, *, since_seconds: float = 0.0) -> list[LivePoint]:
        """Returns the closed windows (seconds since the run started), those ending after `since_seconds`."""
        with self._lock:
            return self._points[bisect.bisect_right(self._point_seconds, since_seconds) :]

    def markers(self) -> list[Marker]:
        """Returns the settings changes so far, oldest first."""
        with self._lock:
            return list(self._markers)

    def segments(self) -> list[Segment]:
        """Returns the segments so far; the last one is still going while the run is."""
        with self._lock:
            return [tally.segment(self.origin) for tally in self._segments if tally.settings is not None]

    def current_segment(self) -> tuple[RunSettings | None, float]:
        """Returns the settings of the current segment and seconds since its first batch (0 before it)."""
        with self._lock:
            if not self._segments:
                return None, 0.0
            tally = self._segments[-1]
            first, last = tally.first, tally.last
            measured = last[0] - first[0] if first is not None and last is not None else 0.0
            return tally.settings, measured

    def now_seconds(self) -> float:
        """Returns seconds since the run started."""
        return time.perf_counter() - self.origin


@dataclass(frozen=True)
class RunResult:
    """The outcome of one `run_pipeline`.

    Attributes:
        config: the pipeline settings it started with (later ones are in `segments`).
        train_step_ms: the simulated training step per batch it started with, in milliseconds.
        epochs: passes asked for (`UNTIL_STOP` for a run that went on until stopped).
        elements: elements delivered.
        seconds: time from the first batch to the end (the first batch's wait is start-up, not
            throughput).
        elements_per_second: elements after the first batch divided by `seconds`.
        median_elements_per_second: median over 0.5 s windows (the overall rate when the run was
            too short for three windows).
        stopped: True when Stop ended the run.
        error: the error's type and message when the run failed, else "".
        series: (window end seconds since the first batch, elements/s) pairs, for plotting.
        events: the run's timeline.
        segments: the stretches of the run with one set of settings each, in order.
        markers: the settings changes, with when they were applied.
        points: throughput and cores busy per window (seconds since the run started).
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
    segments: tuple[Segment, ...] = field(default=(), repr=False)
    markers: tuple[Marker, ...] = ()
    points: tuple[LivePoint, ...] = field(default=(), repr=False)

    @property
    def status(self) -> str:
        return "failed" if self.error else ("stopped" if self.stopped else "done")


class PipelineRunner:
    """Runs pipelines like a training loop, reusing the datasets it built.

    Why reuse: every `from_generator` dataset built stays attached to TensorFlow's global graph
    (about 80 KB each here), so a panel that rebuilt its pipeline on every Run would grow without
    bound. Datasets with `cache` on are rebuilt for each run, so every run starts with an empty cache.

    Attributes:
        control: the `RunControl` every dataset of this runner is bound to.
    """

    def __init__(self, *, max_datasets: int = 8) -> None:
        self.control = RunControl()
        self._max_datasets = max_datasets
        self._datasets: OrderedDict[tuple, tf.data.Dataset] = OrderedDict()
        self._closer: threading.Thread | None = None

    def dataset(
        self, config: pipelines.PipelineConfig, paths: Sequence[str | os.PathLike[str]], *, epochs: int
    ) -> tf.data.Dataset:
        """Returns the dataset for (config, paths, epochs), built once and kept (unless `config.cache`).

        `epochs=UNTIL_STOP` builds a dataset that does not end.
        """
        from helpers import pipelines  # here, not at the top: pipelines imports this module for RunControl

        epochs = epochs or _ENDLESS_EPOCHS
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
        changes: RunChanges | None = None,
    ) -> RunResult:
        """Runs the pipeline `config` describes: next batch, training step, repeat. One run at a time.

        The training step is simulated by waiting `train_step_ms` (on `stop_event`, so Stop interrupts
        it). The consumer's waiting and training are recorded in `recorder`, the generators' work too.
        Stop is checked between batches, and the generators check it between images, so a stopped run
        ends within about one image's decoding time. Settings requested in `changes` are applied
        between two batches: a new pipeline replaces the old one (whose generators are closed), the
        run goes on, and a new `Segment` starts. Errors, a failed rebuild's too, end the run and are
        returned in the result, not raised.

        Args:
            config: the pipeline settings.
            paths: the images of one epoch; default `pipelines.resolve_paths(config)` (for each new
                config, so a change of data or image count takes effect).
            epochs: passes over the images; `UNTIL_STOP` goes on until `stop_event` is set. After a
                change, epochs are counted in elements (an epoch is `len(paths)` of them).
            train_step_ms: simulated work per batch, in milliseconds.
            stop_event: set it (from any thread) to stop the run.
            progress: updated after every batch, for live displays.
            recorder: the timeline to record into; a new one when None.
            changes: where other threads ask for new settings while the run goes.

        Returns:
            The `RunResult`.
        """
        self.wait_closed()  # the last run's pipeline must be gone before its control is reused
        stop_event = stop_event or threading.Event()
        recorder = recorder or timeline.TimelineRecorder()
        progress = progress or RunProgress(config.image_count * epochs)
        self.control.stop_event, self.control.recorder = stop_event, recorder
        settings = RunSettings(config, float(train_step_ms), int(epochs))
        progress.begin_segment(settings)
        error, first_batch_elements, iterator, epochs_done = "", 0, None, 0.0
        try:
            epoch_paths = self._paths(config, paths)
            iterator = iter(self.dataset(config, epoch_paths, epochs=epochs))
            while not stop_event.is_set():
                asked = changes.take() if changes is not None else None
                if asked is not None:
                    if not asked.same_work(settings):
                        progress.begin_segment(asked, change=change_label(settings, asked))
                    if asked.config != settings.config:
                        # Close the old pipeline first: its generators and decode threads end with it.
                        del iterator
                        iterator = None
                        if stop_event.is_set():  # stopped meanwhile: do not build what nobody will read
                            break
                        epoch_paths = self._paths(asked.config, paths)
                        iterator = iter(self.dataset(asked.config, epoch_paths, epochs=UNTIL_STOP))
                    settings = asked
                if settings.epochs and epochs_done >= settings.epochs - 1e-9:
                    break
                waited = time.perf_counter()
                try:
                    batch = next(iterator)
                except StopIteration:
                    break
                recorder.add(timeline.CONSUMER_LANE, timeline.WAIT, waited, time.perf_counter())
                elements = measure.count_elements(batch)
                first_batch_elements = first_batch_elements or elements
                epochs_done += elements / max(1, len(epoch_paths))
                progress.epochs_done = epochs_done
                progress.add_batch(batch, elements)
                if settings.train_step_ms > 0:
                    with recorder.span(timeline.CONSUMER_LANE, timeline.TRAIN_STEP):
                        stop_event.wait(settings.train_step_ms / 1000)
        except Exception as exc:  # any failure is reported in the result, not raised
            # After Stop, the generators' RunStopped may surface here: that is the stop, not a failure.
            error = "" if stop_event.is_set() else messages.error_summary(exc, innermost=True)
        finally:
            # Deleting the iterator closes the generators (their thread pools end with them). That
            # sometimes takes TensorFlow half a second, so it happens in a thread and the run ends at
            # once: the holder's reference must be the last one, or whichever of the two threads lets
            # go last would do the closing (the run thread did, one Stop in four).
            holder = [iterator]
            del iterator
            self._close_in_background(holder)
        samples = progress.samples()
        seconds = samples[-1][0] if samples else 0.0
        measured = progress.elements - first_batch_elements
        overall = measured / seconds if seconds > 0 else 0.0
        times, rates = measure.throughput_series(samples)
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
            segments=tuple(progress.segments()),
            markers=tuple(progress.markers()),
            points=tuple(progress.points()),
        )

    def wait_closed(self, timeout_seconds: float | None = None) -> bool:
        """Waits until the last run's pipeline is closed; returns False if it is still closing."""
        if self._closer is not None:
            self._closer.join(timeout_seconds)
            if self._closer.is_alive():
                return False
            self._closer = None
        return True

    def _close_in_background(self, holder: list) -> None:
        """Drops the iterator in `holder` (its last reference) in a thread of its own."""
        self._closer = threading.Thread(target=holder.clear, name="close-pipeline", daemon=True)
        self._closer.start()

    @staticmethod
    def _paths(
        config: pipelines.PipelineConfig, paths: Sequence[str | os.PathLike[str]] | None
    ) -> Sequence[str | os.PathLike[str]]:
        if paths is not None:
            return paths
        from helpers import pipelines

        return pipelines.resolve_paths(config)


def run_pipeline(config: pipelines.PipelineConfig, **settings) -> RunResult:
    """Runs `config` once with a fresh `PipelineRunner`; `settings` as for `PipelineRunner.run`."""
    return PipelineRunner().run(config, **settings)


_ON_OFF = {True: "on", False: "off"}
_PREFETCH_NAMES = {"off": "off", "1": "1", "autotune": "AUTOTUNE"}
# Field -> (what it is, how a value reads, unit): "batch 32 -> 64", "image size 224 -> 64 px".
_CHANGE_FORMATS: dict[str, tuple[str, Callable[[Any], str], str]] = {
    "data": ("data", str, ""),
    "image_count": ("images per epoch", str, ""),
    "image_size": ("image size", str, " px"),
    "batch_size": ("batch", str, ""),
    "yield_mode": ("", lambda v: f"per {v}", ""),
    "shards": ("shards", str, ""),
    "decode_threads": ("decode threads", str, ""),
    "opencv_threads": ("OpenCV threads", lambda v: str(v or "default"), ""),
    "prefetch": ("prefetch", lambda v: _PREFETCH_NAMES.get(v, v), ""),
    "inject_prefetch": ("auto-prefetch", lambda v: _ON_OFF[bool(v)], ""),
    "augment": ("augment", lambda v: _ON_OFF[bool(v)], ""),
    "cache": ("cache", lambda v: _ON_OFF[bool(v)], ""),
    "seed": ("seed", str, ""),
}


def change_label(before: RunSettings, after: RunSettings) -> str:
    """Returns what changed from `before` to `after`, e.g. "batch 32 -> 64, prefetch off -> AUTOTUNE".

    "" when the pipeline and the training step are the same.
    """
    old, new = before.config.as_dict(), after.config.as_dict()
    parts = []
    for name in old:
        if old[name] != new[name]:
            what, value, unit = _CHANGE_FORMATS[name]
            parts.append(f"{what} {value(old[name])} -> {value(new[name])}{unit}".strip())
    if before.train_step_ms != after.train_step_ms:
        parts.append(f"train step {before.train_step_ms:g} -> {after.train_step_ms:g} ms")
    return ", ".join(parts)


SEGMENT_COLUMNS = (
    "segment",
    "change",
    "settings",
    "seconds",
    "elements",
    "median elements/s",
    "cores busy",
    "CPU ms per element",
)
"""The keys of every `segment_rows` row, in table order."""


def segment_rows(segments: Sequence[Segment]) -> list[dict[str, object]]:
    """Returns one row per segment, for a table: what changed, settings, time, elements, rate, cores.

    Args:
        segments: e.g. `RunResult.segments`.

    Returns:
        Dicts with the keys `SEGMENT_COLUMNS` (numbers rounded for reading).
    """
    return [
        {
            "segment": s.number,
            "change": s.change or "(start)",
            "settings": f"{s.config.describe(pipeline_only=True)} · train step {s.train_step_ms:g} ms",
            "seconds": round(s.seconds, 1),
            "elements": s.elements,
            "median elements/s": round(s.median_elements_per_second),
            "cores busy": round(s.cores_busy, 2),
            "CPU ms per element": round(s.cpu_seconds_per_element * 1000, 3),
        }
        for s in segments
    ]
