"""Producer/consumer timelines: who was busy when, recorded from inside a generator and a training loop.

    recorder = timeline.TimelineRecorder()
    with recorder.span("consumer", timeline.TRAIN_STEP):
        time.sleep(0.01)
    recorder.events()  # [Event(lane='consumer', kind='train step', start_seconds=0.0, end_seconds=0.01)]

`helpers.pipelines` records one `PRODUCE` span per element or batch a generator makes (lane "producer 0",
"producer 1", ... one per shard); `helpers.runs.run_pipeline` records the consumer's `WAIT` (blocked on
`next()`) and `TRAIN_STEP` spans. `plots.timeline` draws them; `overlap_seconds` measures how much producing
and training happened at the same time, which is what prefetching buys.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

__all__ = [
    "CONSUMER_LANE",
    "PRODUCE",
    "TRAIN_STEP",
    "WAIT",
    "Event",
    "TimelineRecorder",
    "busy_seconds",
    "ordered_lanes",
    "overlap_seconds",
    "producer_lane",
]

PRODUCE = "produce"
"""A generator making one element or batch (from resuming after a `yield` to the next `yield`)."""
TRAIN_STEP = "train step"
"""The consumer working on a batch (a simulated training step)."""
WAIT = "wait for data"
"""The consumer blocked in `next()`, waiting for the pipeline."""
CONSUMER_LANE = "consumer"


def producer_lane(shard: int) -> str:
    """Returns the lane name of generator shard `shard`, e.g. "producer 0"."""
    return f"producer {int(shard)}"


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
    """Collects `Event`s from any thread (the generator runs in one of TensorFlow's threads).

    Attributes:
        max_events: events kept; later ones are counted in `dropped` but not stored, so a long run
            cannot grow memory without bound.
        dropped: how many events were not stored.
    """

    def __init__(self, *, max_events: int = 5000) -> None:
        self.max_events = max_events
        self.dropped = 0
        self._origin = time.perf_counter()
        self._events: list[Event] = []
        self._lock = threading.Lock()

    def add(self, lane: str, kind: str, start: float, end: float) -> None:
        """Records a span given as two `time.perf_counter()` readings.

        Args:
            lane: who worked.
            kind: what it did.
            start: `time.perf_counter()` when the work started.
            end: `time.perf_counter()` when it ended.
        """
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

    def lanes(self) -> list[str]:
        """Returns the lane names in drawing order: producers by shard, then the consumer."""
        return ordered_lanes(event.lane for event in self.events())

    def busy_seconds(self, kind: str) -> float:
        """Returns `busy_seconds(self.events(), kind)`."""
        return busy_seconds(self.events(), kind)

    def overlap_seconds(self, kind_a: str = PRODUCE, kind_b: str = TRAIN_STEP) -> float:
        """Returns `overlap_seconds(self.events(), kind_a, kind_b)`."""
        return overlap_seconds(self.events(), kind_a, kind_b)


def busy_seconds(events: Sequence[Event], kind: str) -> float:
    """Returns the total time covered by events of `kind` (overlapping spans counted once)."""
    return sum(end - start for start, end in _merged(_intervals(events, kind)))


def overlap_seconds(events: Sequence[Event], kind_a: str = PRODUCE, kind_b: str = TRAIN_STEP) -> float:
    """Returns how long events of `kind_a` and events of `kind_b` ran at the same time.

    With prefetching the generator produces the next batch during the training step, so the overlap
    of `PRODUCE` and `TRAIN_STEP` is large; without it, close to zero.
    """
    a = _merged(_intervals(events, kind_a))
    b = _merged(_intervals(events, kind_b))
    overlap, i, j = 0.0, 0, 0
    while i < len(a) and j < len(b):
        overlap += max(0.0, min(a[i][1], b[j][1]) - max(a[i][0], b[j][0]))
        if a[i][1] < b[j][1]:
            i += 1
        else:
            j += 1
    return overlap


def ordered_lanes(names: Iterable[str]) -> list[str]:
    """Returns the distinct lane names in drawing order: producers by shard number, then the consumer."""
    unique = set(names)
    producers = sorted((n for n in unique if n != CONSUMER_LANE), key=_lane_order)
    return producers + ([CONSUMER_LANE] if CONSUMER_LANE in unique else [])


def _lane_order(name: str) -> tuple[int, str]:
    suffix = name.rsplit(" ", 1)[-1]
    return (int(suffix) if suffix.isdigit() else 1 << 30, name)


def _intervals(events: Sequence[Event], kind: str) -> list[tuple[float, float]]:
    return [(e.start_seconds, e.end_seconds) for e in events if e.kind == kind]


def _merged(intervals: list[tuple[float, float]]) -> list[tuple[float, float]]:
    merged: list[tuple[float, float]] = []
    for start, end in sorted(intervals):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged
