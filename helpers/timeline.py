"""Producer/consumer timelines: who was busy when, recorded from outside a generator and a training loop.

    watch = timeline.Watch()                             # wraps generator functions, records their work
    dataset = tf.data.Dataset.from_generator(watch(image_batches), args=..., output_signature=...)
    timeline.train(dataset, watch.recorder, step_seconds=0.05)  # the consumer: wait for a batch, train
    timeline.next_batch_started(watch.recorder.events())        # per step: was the next batch begun?

The generator knows nothing of this (the way tqdm wraps an iterable): `Watch` wraps the generator
function given to `from_generator`, times each `yield` (one lane per generator running, "producer 0",
"producer 1", ...) and ends it early once its `stop_event` is set. `plots.timeline` draws the events.
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
    "ordered_lanes",
    "train",
]

PRODUCE = "produce"
"""A generator making one element or batch (from resuming after a `yield` to the next `yield`)."""
TRAIN_STEP = "train step"
"""The consumer working on a batch (a simulated training step)."""
WAIT = "wait for data"
"""The consumer blocked in `next()`, waiting for the pipeline."""
CONSUMER_LANE = "consumer"


@dataclass(frozen=True)
class Event:
    """One span of work on one lane, in seconds since the recorder started.

    Attributes:
        lane: who worked ("producer 0", "consumer").
        kind: what it did (`PRODUCE`, `TRAIN_STEP`, `WAIT`).
        start_seconds: when it started.
        end_seconds: when it ended.
    """

    lane: str
    kind: str
    start_seconds: float
    end_seconds: float

    @property
    def duration_seconds(self) -> float:
        return self.end_seconds - self.start_seconds


class TimelineRecorder:
    """Collects `Event`s from any thread (a generator runs in one of TensorFlow's threads).

    Attributes:
        max_events: events kept; later ones are counted in `dropped`, so a long run cannot grow memory
            without bound.
        dropped: how many events were not kept.
    """

    def __init__(self, *, max_events: int = 5000) -> None:
        self.max_events = max_events
        self.dropped = 0
        self._origin = time.perf_counter()
        self._events: list[Event] = []
        self._lock = threading.Lock()

    def add(self, lane: str, kind: str, start: float, end: float) -> None:
        """Records a span given as two `time.perf_counter()` readings."""
        event = Event(lane, kind, start - self._origin, end - self._origin)
        with self._lock:
            if len(self._events) < self.max_events:
                self._events.append(event)
            else:
                self.dropped += 1

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

    Its `recorder` and `stop_event` are read at every `yield`, so a lab that reuses its datasets can
    give each run fresh ones.

    Attributes:
        recorder: where each `yield`'s work goes, as a `PRODUCE` event on the generator's lane.
        stop_event: once set, every wrapped generator ends at its next `yield` (and is closed).
    """

    def __init__(self) -> None:
        self.recorder = TimelineRecorder()
        self.stop_event = threading.Event()
        self._busy_lanes: set[int] = set()
        self._lock = threading.Lock()

    def __call__(self, generator_function: Callable[..., Iterable]) -> Callable[..., Iterator]:
        """Returns `generator_function` watched: the same arguments, the same items."""

        def watched(*args, **kwargs) -> Iterator:
            lane = self._take_lane()
            items = iter(generator_function(*args, **kwargs))
            try:
                while not self.stop_event.is_set():
                    began = time.perf_counter()
                    try:
                        item = next(items)
                    except StopIteration:
                        return
                    self.recorder.add(f"producer {lane}", PRODUCE, began, time.perf_counter())
                    yield item
            finally:
                close = getattr(items, "close", None)
                if close is not None:
                    close()  # its `finally` (thread pools, files) runs now, not when collected
                with self._lock:
                    self._busy_lanes.discard(lane)

        watched.__name__ = getattr(generator_function, "__name__", "watched")
        return watched

    def _take_lane(self) -> int:
        """The lowest lane no running generator holds: shards keep their rows epoch after epoch."""
        with self._lock:
            lane = next(n for n in range(len(self._busy_lanes) + 1) if n not in self._busy_lanes)
            self._busy_lanes.add(lane)
        return lane


def train(dataset: Iterable, recorder: TimelineRecorder, *, step_seconds: float) -> int:
    """Reads `dataset` like a training loop: wait for a batch, then a training step, recording both.

    Args:
        dataset: what to read (a `tf.data.Dataset`), to the end.
        recorder: where the consumer's `WAIT` and `TRAIN_STEP` events go.
        step_seconds: the simulated training step (a sleep: it leaves the CPU to the producers).

    Returns:
        The number of batches read.
    """
    batches = iter(dataset)
    count = 0
    while True:
        with recorder.span(CONSUMER_LANE, WAIT):
            batch = next(batches, None)
        if batch is None:
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


def ordered_lanes(names: Iterable[str]) -> list[str]:
    """Returns the distinct lane names in drawing order: producers by number, then the consumer."""
    unique = set(names)
    producers = sorted((n for n in unique if n != CONSUMER_LANE), key=_lane_order)
    return producers + ([CONSUMER_LANE] if CONSUMER_LANE in unique else [])


def _lane_order(name: str) -> tuple[int, str]:
    suffix = name.rsplit(" ", 1)[-1]
    return (int(suffix) if suffix.isdigit() else 1 << 30, name)
