"""Producer/consumer timelines: who was busy when, recorded from outside a generator and a training loop.

    watch = timeline.Watch()                             # wraps generator functions, records their work
    dataset = tf.data.Dataset.from_generator(watch(image_batches), args=..., output_signature=...)
    timeline.train(dataset, watch.recorder, step_seconds=0.05)  # the consumer: wait for a batch, train
    timeline.next_batch_started(watch.recorder.events())        # per step: was the next batch begun?

The generator knows nothing of this (the way tqdm wraps an iterable); `plots.timeline` draws the events.
No TensorFlow import.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

__all__ = [
    "CONSUMER_LANE",
    "PRODUCE",
    "TRAIN_STEP",
    "WAIT",
    "Event",
    "TimelineRecorder",
    "Watch",
    "next_batch_started",
    "train",
]

PRODUCE = "produce"
"""A generator making one element or batch (from resuming after a `yield` to the next `yield`)."""
TRAIN_STEP = "train step"
"""The consumer working on a batch (a simulated training step)."""
WAIT = "wait for data"
"""The consumer blocked in `next()`, waiting for the pipeline."""
CONSUMER_LANE = "consumer"
_MAX_EVENTS = 5000  # a long run keeps its first events only, so it cannot grow memory without bound
_END = object()


@dataclass(frozen=True)
class Event:
    """One span of work: who (`lane`, "producer 0" or "consumer") did what (`kind`), in seconds since the
    recorder started."""

    lane: str
    kind: str
    start_seconds: float
    end_seconds: float


class TimelineRecorder:
    """Collects `Event`s from any thread (a generator runs in one of TensorFlow's threads)."""

    def __init__(self) -> None:
        self._origin = time.perf_counter()
        self._events: list[Event] = []
        self._lock = threading.Lock()

    def add(self, lane: str, kind: str, start: float, end: float) -> None:
        """Records a span given as two `time.perf_counter()` readings."""
        with self._lock:
            if len(self._events) < _MAX_EVENTS:
                self._events.append(Event(lane, kind, start - self._origin, end - self._origin))

    @contextmanager
    def span(self, lane: str, kind: str) -> Iterator[None]:
        """Records the time spent inside the `with` block as one event."""
        start = time.perf_counter()
        try:
            yield
        finally:
            self.add(lane, kind, start, time.perf_counter())

    def events(self) -> list[Event]:
        """Returns the events so far, ordered by start time."""
        with self._lock:
            return sorted(self._events, key=lambda event: event.start_seconds)


class Watch:
    """Wraps generator functions so their work is recorded, and so they can be stopped, from outside.

    Each `yield`'s work goes to `recorder` as a `PRODUCE` event on the generator's lane ("producer 0",
    "producer 1", ...); once `stop_event` is set, every wrapped generator ends at its next `yield` (and
    is closed). Both are read at every `yield`, so a lab that reuses its datasets can give each run fresh
    ones.
    """

    def __init__(self) -> None:
        self.recorder = TimelineRecorder()
        self.stop_event = threading.Event()
        self._busy_lanes: set[int] = set()
        self._lock = threading.Lock()

    def __call__(self, generator_function: Callable[..., Iterable]) -> Callable[..., Iterator]:
        """Returns `generator_function` watched: the same arguments, the same items."""

        def watched(*args, **kwargs) -> Iterator:
            with self._lock:  # the lowest free lane: shards keep their rows epoch after epoch
                lane = min(set(range(len(self._busy_lanes) + 1)) - self._busy_lanes)
                self._busy_lanes.add(lane)
            items = iter(generator_function(*args, **kwargs))
            try:
                while not self.stop_event.is_set():
                    began = time.perf_counter()
                    item = next(items, _END)
                    if item is _END:
                        return
                    self.recorder.add(f"producer {lane}", PRODUCE, began, time.perf_counter())
                    yield item
            finally:
                if hasattr(items, "close"):
                    items.close()  # its `finally` (thread pools, files) runs now, not when collected
                with self._lock:
                    self._busy_lanes.discard(lane)

        watched.__name__ = getattr(generator_function, "__name__", "watched")
        return watched


def train(dataset: Iterable, recorder: TimelineRecorder, *, step_seconds: float) -> int:
    """Reads `dataset` to its end like a training loop: wait for a batch, then a training step (a sleep,
    which leaves the CPU to the producers), each recorded on the consumer's lane.

    Returns:
        The number of batches read.
    """
    batches, count = iter(dataset), 0
    while True:
        with recorder.span(CONSUMER_LANE, WAIT):
            batch = next(batches, _END)
        if batch is _END:
            return count
        count += 1
        with recorder.span(CONSUMER_LANE, TRAIN_STEP):
            time.sleep(step_seconds)


def next_batch_started(events: Iterable[Event]) -> list[bool]:
    """For each training step but the last: had a generator begun the next batch before the step ended?

    The n-th `PRODUCE` event is taken as the n-th batch (one generator yielding batches). Without a
    prefetch the generator is asked for a batch only after the step ends, so never; with one, it works
    ahead. An ordering of events, so a busy or a one-core machine does not change the answer.
    """
    events = sorted(events, key=lambda event: event.start_seconds)
    produced = [event.start_seconds for event in events if event.kind == PRODUCE]
    steps = [event.end_seconds for event in events if event.kind == TRAIN_STEP]
    return [began < step_end for began, step_end in zip(produced[1:], steps[:-1], strict=False)]
