"""A lab run: a pipeline read like a training loop, until Stop, with its settings changed while it goes.

    runner = runs.Runner(build_pipeline)        # build_pipeline(config, watch) -> tf.data.Dataset
    result = runner.run(runs.RunSettings(config, train_step_ms=10, epochs=runs.UNTIL_STOP), stop_event=stop)
    runner.request(runs.RunSettings(config.replace(batch_size=64)))   # from another thread: a new segment
    result.segments, result.events              # one segment per set of settings; the timeline

The runner knows nothing of the pipeline but the function that builds it: that function gets the
settings and a `timeline.Watch`, wraps its generator functions with it, and returns the dataset. Stop
and the timeline reach the generators through that wrapper, from outside them. The settings (`config`)
may be any frozen dataclass with an `image_count` (elements per epoch) and a `describe()`, such as
`pipelines.PipelineConfig`. No widgets and no TensorFlow import: `helpers.widgets` maps this onto a panel.
"""

from __future__ import annotations

import statistics
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from helpers import messages, timeline

__all__ = [
    "SEGMENT_COLUMNS",
    "UNTIL_STOP",
    "WINDOW_SECONDS",
    "LivePoint",
    "Marker",
    "RunProgress",
    "RunResult",
    "RunSettings",
    "Runner",
    "Segment",
    "change_label",
    "segment_rows",
]

UNTIL_STOP = 0
"""`epochs=UNTIL_STOP`: the run goes on, epoch after epoch, until it is stopped."""
WINDOW_SECONDS = 0.5
"""Width of the time windows over which throughput and cores busy are measured."""


@dataclass(frozen=True)
class RunSettings:
    """What a run runs with; a change of `config` or `train_step_ms` starts a new `Segment`.

    Attributes:
        config: the pipeline settings, handed to the build function.
        train_step_ms: the simulated training step per batch, in milliseconds.
        epochs: passes over the images; `UNTIL_STOP` (0) runs until stopped. Changing it mid-run moves
            the end of the run, not the segment.
    """

    config: Any
    train_step_ms: float = 0.0
    epochs: int = 1

    def same_work(self, other: RunSettings) -> bool:
        """True when `other` has the same pipeline and training step (so no new segment)."""
        return self.config == other.config and self.train_step_ms == other.train_step_ms


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
        elements_per_second: elements after its first batch per second after it (the first batch pays
            the pipeline's start-up).
        median_elements_per_second: median over its windows (`elements_per_second` when under three).
        cores_busy: the process's CPU time per second over the same time (1.0 = one core busy).
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
        """CPU time the process spent per element (all its threads): what an element costs.

        Unlike elements/s it hardly depends on what else the machine runs at the time.
        """
        return self.cores_busy / self.elements_per_second if self.elements_per_second > 0 else 0.0


class _Tally:
    """What one segment has done so far: (time, elements, CPU time) readings, windowed."""

    def __init__(self, number: int, settings: RunSettings, change: str, start: float) -> None:
        self.number, self.settings, self.change = number, settings, change
        self.start = self.end = start
        self.elements = 0
        self.first: tuple[float, int, float] | None = None  # the reading at its first batch
        self.last: tuple[float, int, float] | None = None
        self.window: tuple[float, int, float] | None = None  # where the open window began
        self.rates: list[float] = []

    def add(self, now: float, elements: int, cpu: float) -> LivePoint | None:
        """Adds a batch; returns the window it closes, if any (seconds on the perf_counter clock)."""
        self.elements += elements
        self.end = now
        self.last = reading = (now, self.elements, cpu)
        self.first = self.first or reading
        if self.window is None:
            self.window = reading
            return None
        began, elements_then, cpu_then = self.window
        if now - began < WINDOW_SECONDS:
            return None
        self.window = reading
        self.rates.append((self.elements - elements_then) / (now - began))
        return LivePoint(now, self.rates[-1], (cpu - cpu_then) / (now - began))

    def seconds_measured(self) -> float:
        return self.last[0] - self.first[0] if self.first and self.last else 0.0

    def segment(self, origin: float) -> Segment:
        seconds = self.seconds_measured()
        rate = cores = 0.0
        if seconds > 0 and self.first and self.last:
            rate = (self.last[1] - self.first[1]) / seconds
            cores = (self.last[2] - self.first[2]) / seconds
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
    """What a run has done so far; written by the run's thread, safe to read from any other.

    Attributes:
        elements: elements delivered so far.
        epochs_done: epochs delivered, counted in elements (2.5 = halfway through the third).
        last_batch: the most recent batch, for showing its images.
        origin: `time.perf_counter()` when the progress was made (the run's time 0).
    """

    def __init__(self) -> None:
        self.elements = 0
        self.epochs_done = 0.0
        self.last_batch = None
        self.origin = time.perf_counter()
        self._points: list[LivePoint] = []
        self._markers: list[Marker] = []
        self._tallies: list[_Tally] = []
        self._whole: _Tally | None = None  # the run as one stretch, for its overall figures
        self._lock = threading.Lock()

    def begin_segment(self, settings: RunSettings, *, change: str = "") -> None:
        """Closes the current segment (if any) and starts one with `settings`; a `change` is marked."""
        now = time.perf_counter()
        with self._lock:
            if self._tallies:
                self._tallies[-1].end = now
            self._tallies.append(_Tally(len(self._tallies) + 1, settings, change, now))
            self._whole = self._whole or _Tally(0, settings, "", now)
            if change:
                self._markers.append(Marker(now - self.origin, change))

    def add_batch(self, batch, elements: int, *, epochs_done: float) -> None:
        """Records one delivered batch (the run calls it once per batch, after `begin_segment`)."""
        now, cpu = time.perf_counter(), time.process_time()
        with self._lock:
            self.elements += elements
            self.epochs_done = epochs_done
            self.last_batch = batch
            assert self._whole is not None, "begin_segment comes first"
            self._whole.add(now, elements, cpu)
            point = self._tallies[-1].add(now, elements, cpu)
            if point is not None:
                seconds = point.seconds - self.origin
                self._points.append(LivePoint(seconds, point.elements_per_second, point.cores_busy))

    def points(self, *, since_seconds: float = 0.0) -> list[LivePoint]:
        """Returns the closed windows (seconds since the run started) ending after `since_seconds`."""
        with self._lock:
            return [point for point in self._points if point.seconds > since_seconds]

    def markers(self) -> list[Marker]:
        """Returns the settings changes so far, oldest first."""
        with self._lock:
            return list(self._markers)

    def segments(self) -> list[Segment]:
        """Returns the segments so far; the last one is still going while the run is."""
        with self._lock:
            return [tally.segment(self.origin) for tally in self._tallies]

    def current_segment(self) -> tuple[RunSettings | None, float]:
        """Returns the current segment's settings and seconds since its first batch (0 before it)."""
        with self._lock:
            if not self._tallies:
                return None, 0.0
            return self._tallies[-1].settings, self._tallies[-1].seconds_measured()

    def whole(self) -> Segment | None:
        """Returns the run so far as one segment (its figures over every batch), or None before it."""
        with self._lock:
            return self._whole.segment(self.origin) if self._whole else None

    def now_seconds(self) -> float:
        """Returns seconds since the run started."""
        return time.perf_counter() - self.origin


@dataclass(frozen=True)
class RunResult:
    """The outcome of one run.

    Attributes:
        settings: the settings it started with (later ones are in `segments`).
        elements: elements delivered.
        seconds: how long it ran, from Run to its end.
        elements_per_second: elements after the first batch per second after it (the first batch pays
            the pipeline's start-up).
        median_elements_per_second: median over the run's windows (`elements_per_second` when under
            three).
        stopped: True when Stop ended the run.
        error: the error's type and message when the run failed, else "".
        events: the run's timeline.
        segments: the stretches of the run with one set of settings each, in order.
        markers: the settings changes, with when they were applied.
        points: throughput and cores busy per window (seconds since the run started).
    """

    settings: RunSettings
    elements: int
    seconds: float
    elements_per_second: float
    median_elements_per_second: float
    stopped: bool = False
    error: str = ""
    events: tuple[timeline.Event, ...] = field(default=(), repr=False)
    segments: tuple[Segment, ...] = field(default=(), repr=False)
    markers: tuple[Marker, ...] = ()
    points: tuple[LivePoint, ...] = field(default=(), repr=False)

    @property
    def status(self) -> str:
        return "failed" if self.error else ("stopped" if self.stopped else "done")


class Runner:
    """Runs the pipelines a build function makes, like a training loop, one run at a time.

    The datasets it builds are kept and reused (by settings). Why: every `from_generator` dataset built
    stays attached to TensorFlow's global graph (about 80 KB each here), so a panel that rebuilt its
    pipeline on every Run would grow without bound.

    Attributes:
        build: `build(config, watch)` returns the pipeline for `config`, its generator functions
            wrapped with `watch` (a `timeline.Watch`), so the run can stop them and record their work.
        watch: the runner's `timeline.Watch`; each run gives it a fresh stop event and recorder.
    """

    def __init__(self, build: Callable[[Any, timeline.Watch], Any], *, max_datasets: int = 8) -> None:
        self.build = build
        self.watch = timeline.Watch()
        self._max_datasets = max_datasets
        self._datasets: OrderedDict[Any, Any] = OrderedDict()
        self._requested: RunSettings | None = None
        self._lock = threading.Lock()
        self._closer: threading.Thread | None = None

    def request(self, settings: RunSettings) -> None:
        """Asks the running run to go on with `settings` from its next batch (any thread; newest wins)."""
        with self._lock:
            self._requested = settings

    def _take_request(self) -> RunSettings | None:
        with self._lock:
            requested, self._requested = self._requested, None
        return requested

    def dataset(self, config: Any):
        """Returns `build(config, watch)` repeated without end, built once per config and kept."""
        dataset = self._datasets.pop(config, None)
        if dataset is None:
            dataset = self.build(config, self.watch).repeat()
        self._datasets[config] = dataset
        while len(self._datasets) > self._max_datasets:
            self._datasets.popitem(last=False)
        return dataset

    def run(
        self,
        settings: RunSettings,
        *,
        stop_event: threading.Event | None = None,
        progress: RunProgress | None = None,
    ) -> RunResult:
        """Runs the pipeline: next batch, training step, repeat, until the epochs are done or Stop.

        The training step is simulated by waiting on `stop_event`, so Stop interrupts it; between two
        batches the run checks Stop, and the watched generators end at their next `yield`. Settings
        asked for with `request` apply between two batches: a changed config replaces the pipeline
        (the old one closed first), and a new `Segment` begins. Errors end the run and are returned
        in the result, not raised.

        Args:
            settings: what to run.
            stop_event: set it (from any thread) to stop the run.
            progress: updated after every batch, for live displays.

        Returns:
            The `RunResult`.
        """
        self.wait_closed()  # the last run's generators must be gone before the watch is reused
        stop_event = stop_event or threading.Event()
        progress = progress or RunProgress()
        self.watch.stop_event, self.watch.recorder = stop_event, timeline.TimelineRecorder()
        recorder, started_with = self.watch.recorder, settings
        self._take_request()  # a change asked for after the last run ended is not this run's
        progress.begin_segment(settings)
        error, iterator, epochs_done = "", None, 0.0
        try:
            iterator = iter(self.dataset(settings.config))
            while not stop_event.is_set():
                asked = self._take_request()
                if asked is not None:
                    if not asked.same_work(settings):
                        progress.begin_segment(asked, change=change_label(settings, asked))
                    if asked.config != settings.config:
                        iterator = None  # closes the old pipeline: its generators end with it
                        iterator = iter(self.dataset(asked.config))
                    settings = asked
                if settings.epochs and epochs_done >= settings.epochs - 1e-9:
                    break
                waited = time.perf_counter()
                batch = next(iterator, None)
                if batch is None:
                    break
                recorder.add(timeline.CONSUMER_LANE, timeline.WAIT, waited, time.perf_counter())
                elements = len(batch)
                epochs_done += elements / settings.config.image_count
                progress.add_batch(batch, elements, epochs_done=epochs_done)
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
        whole = progress.whole()
        return RunResult(
            settings=started_with,
            elements=progress.elements,
            seconds=whole.seconds if whole else 0.0,
            elements_per_second=whole.elements_per_second if whole else 0.0,
            median_elements_per_second=whole.median_elements_per_second if whole else 0.0,
            stopped=stop_event.is_set(),
            error=error,
            events=tuple(recorder.events()),
            segments=tuple(progress.segments()),
            markers=tuple(progress.markers()),
            points=tuple(progress.points()),
        )

    def _close_in_background(self, holder: list) -> None:
        """Drops the iterator in `holder` (its last reference) in a thread of its own."""
        self._closer = threading.Thread(target=holder.clear, name="close-pipeline", daemon=True)
        self._closer.start()

    def wait_closed(self, timeout_seconds: float | None = None) -> bool:
        """Waits until the last run's pipeline is closed; returns False if it is still closing."""
        if self._closer is not None:
            self._closer.join(timeout_seconds)
            if self._closer.is_alive():
                return False
            self._closer = None
        return True


def _on_off(value: object) -> str:
    return "on" if value else "off"


# Setting -> (what it is called, how a value reads): "batch 32 -> 64", "auto-prefetch on -> off".
_CHANGE_FORMATS: dict[str, tuple[str, Callable[[Any], str]]] = {
    "yield_mode": ("", lambda value: f"per {value}"),
    "batch_size": ("batch", str),
    "image_count": ("images per epoch", str),
    "image_size": ("image size", lambda value: f"{value} px"),
    "opencv_threads": ("OpenCV threads", lambda value: str(value or "default")),
    "prefetch": ("prefetch", lambda value: "AUTOTUNE" if value == "autotune" else str(value)),
    "inject_prefetch": ("auto-prefetch", _on_off),
    "augment": ("augment", _on_off),
}


def change_label(before: RunSettings, after: RunSettings) -> str:
    """Returns what changed from `before` to `after`, e.g. "batch 32 -> 64, prefetch off -> AUTOTUNE".

    "" when the pipeline and the training step are the same.
    """
    old, new = asdict(before.config), asdict(after.config)
    parts = []
    for name in old:
        if old[name] != new[name]:
            what, value = _CHANGE_FORMATS.get(name, (name.replace("_", " "), str))
            parts.append(f"{what} {value(old[name])} -> {value(new[name])}".strip())
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
    """Returns one row per segment (keys `SEGMENT_COLUMNS`, numbers rounded for reading)."""
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
