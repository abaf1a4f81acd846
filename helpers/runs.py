"""Running a pipeline the way the performance lab does: like a training loop, stoppable, with a timeline.

    result = runs.run_pipeline(pipelines.PipelineConfig(yield_mode="batch"), train_step_ms=10)
    result.median_elements_per_second, result.events   # throughput, and the timeline of the run

A generator cannot be handed Python objects through `from_generator(args=...)`, so the stop flag and the
timeline reach it through a `RunControl` looked up by key (`control_for`).
"""

from __future__ import annotations

import os
import statistics
import threading
import time
import uuid
import weakref
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from helpers import measure, timeline

if TYPE_CHECKING:
    import tensorflow as tf

    from helpers import pipelines

__all__ = [
    "STOPPED_MESSAGE",
    "PipelineRunner",
    "RunControl",
    "RunProgress",
    "RunResult",
    "RunStopped",
    "control_for",
    "describe_error",
    "display_message",
    "run_pipeline",
]


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
        control: the `RunControl` every dataset of this runner is bound to.
    """

    def __init__(self, *, max_datasets: int = 8) -> None:
        self.control = RunControl()
        self._max_datasets = max_datasets
        self._datasets: OrderedDict[tuple, tf.data.Dataset] = OrderedDict()

    def dataset(
        self, config: pipelines.PipelineConfig, paths: Sequence[str | os.PathLike[str]], *, epochs: int
    ) -> tf.data.Dataset:
        """Returns the dataset for (config, paths, epochs), built once and kept (unless `config.cache`)."""
        from helpers import pipelines  # here, not at the top: pipelines imports this module for RunControl

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
            if paths is None:
                from helpers import pipelines

                paths = pipelines.resolve_paths(config)
            iterator = iter(self.dataset(config, paths, epochs=epochs))
            while not stop_event.is_set():
                waited = time.perf_counter()
                try:
                    batch = next(iterator)
                except StopIteration:
                    break
                recorder.add(timeline.CONSUMER_LANE, timeline.WAIT, waited, time.perf_counter())
                elements = measure.count_elements(batch)
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
