"""helpers.timeline: a generator's work recorded from outside it, a training loop, what prefetch changes."""

from __future__ import annotations

import subprocess
import sys
import threading

from helpers import plots, timeline


def counting(n, log):
    """Yields 0..n-1; appends "closed" to `log` when it ends or is closed."""
    try:
        yield from range(n)
    finally:
        log.append("closed")


def test_importing_it_does_not_import_tensorflow():
    code = "import sys, helpers.timeline; print('tensorflow' in sys.modules)"
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    assert done.stdout.strip() == "False"


def test_a_watched_generator_yields_the_same_and_records_each_yield():
    watch, log = timeline.Watch(), []
    assert list(watch(counting)(3, log)) == [0, 1, 2] and log == ["closed"]
    events = watch.recorder.events()
    assert [(e.lane, e.kind) for e in events] == [("producer 0", timeline.PRODUCE)] * 3
    assert all(e.end_seconds >= e.start_seconds for e in events)
    assert watch(counting).__name__ == "counting"


def test_generators_running_at_once_get_lanes_of_their_own_and_free_them():
    watch = timeline.Watch()
    first, second = watch(counting)(2, []), watch(counting)(2, [])
    next(first), next(second)
    assert {e.lane for e in watch.recorder.events()} == {"producer 0", "producer 1"}
    first.close()  # its lane is free again: the next generator takes it
    third = watch(counting)(1, [])
    next(third)
    assert watch.recorder.events()[-1].lane == "producer 0"


def test_stop_ends_a_watched_generator_at_its_next_yield_and_closes_it():
    watch, log = timeline.Watch(), []
    items = watch(counting)(10, log)
    assert next(items) == 0
    watch.stop_event.set()
    assert list(items) == [] and log == ["closed"]


def test_a_new_stop_event_and_recorder_apply_to_generators_made_before():
    watch = timeline.Watch()
    generator = watch(counting)
    watch.stop_event, watch.recorder = threading.Event(), timeline.TimelineRecorder()
    assert list(generator(2, [])) == [0, 1] and len(watch.recorder.events()) == 2


def test_train_records_a_wait_and_a_step_per_batch():
    recorder = timeline.TimelineRecorder()
    assert timeline.train([1, 2, 3], recorder, step_seconds=0.001) == 3
    kinds = [e.kind for e in recorder.events()]
    assert kinds == [timeline.WAIT, timeline.TRAIN_STEP] * 3 + [timeline.WAIT]  # the last wait finds the end
    assert {e.lane for e in recorder.events()} == {timeline.CONSUMER_LANE}


def test_next_batch_started_compares_each_step_with_the_next_batch():
    def event(kind, start, end):
        return timeline.Event("producer 0" if kind == timeline.PRODUCE else "consumer", kind, start, end)

    produce, step = timeline.PRODUCE, timeline.TRAIN_STEP
    taking_turns = [event(produce, 0, 1), event(step, 1, 2), event(produce, 2, 3), event(step, 3, 4)]
    assert timeline.next_batch_started(taking_turns) == [False]
    ahead = [event(produce, 0, 1), event(step, 1, 2), event(produce, 1, 1.5), event(step, 2, 3)]
    assert timeline.next_batch_started(ahead) == [True]
    assert timeline.next_batch_started([event(produce, 0, 1), event(step, 1, 2)]) == []


def test_recorder_keeps_its_first_events_only(monkeypatch):
    monkeypatch.setattr(timeline, "_MAX_EVENTS", 3)
    recorder = timeline.TimelineRecorder()
    for kind in (timeline.WAIT, timeline.WAIT, timeline.WAIT, timeline.TRAIN_STEP, timeline.TRAIN_STEP):
        with recorder.span("consumer", kind):
            pass
    assert [e.kind for e in recorder.events()] == [timeline.WAIT] * 3


def test_timeline_lanes_are_producers_by_number_then_the_consumer():
    names = ["consumer", "producer 10", "producer 2", "producer 2", "producer 0"]
    ax = plots.timeline([timeline.Event(name, timeline.PRODUCE, 0.0, 1.0) for name in names])
    lanes = [label.get_text() for label in ax.get_yticklabels()]
    assert lanes == ["producer 0", "producer 2", "producer 10", "consumer"]


def test_timelines_draw_one_axes_per_run_titled_with_its_length():
    runs = {
        "no prefetch": [timeline.Event("producer 0", timeline.PRODUCE, 0.0, 0.5)],
        "prefetch": [
            timeline.Event("producer 0", timeline.PRODUCE, 0.0, 0.25),
            timeline.Event("consumer", timeline.TRAIN_STEP, 0.1, 0.3),
        ],
    }
    top, bottom = plots.timelines(runs).axes
    assert (top.get_title(), bottom.get_title()) == ("no prefetch: 0.50 s", "prefetch: 0.30 s")
    assert [label.get_text() for label in bottom.get_yticklabels()] == ["producer 0", "consumer"]
