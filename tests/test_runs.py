"""helpers.runs (the stoppable run engine the lab panel drives), helpers.timeline and the lab plots."""

from __future__ import annotations

import sys
import threading

import pytest
import tensorflow as tf

from helpers import messages, pipelines, plots, runs, timeline
from tests.support import write_test_jpegs


@pytest.fixture(scope="module")
def jpegs(tmp_path_factory):
    return write_test_jpegs(tmp_path_factory.mktemp("jpegs"), 6, height=30, width=40, seed=1)


CONFIG = pipelines.PipelineConfig(batch_size=4, image_size=16, image_count=6, prefetch="off")


def test_innermost_error_summary_finds_the_generator_s_own_error():
    def failing():
        yield 1
        raise ValueError("pixel values out of range")

    dataset = tf.data.Dataset.from_generator(failing, output_signature=tf.TensorSpec((), tf.int32))
    with pytest.raises(tf.errors.InvalidArgumentError) as caught:
        list(dataset)
    assert messages.error_summary(caught.value, innermost=True) == "ValueError: pixel values out of range"
    assert messages.error_summary(KeyError("k"), innermost=True) == "KeyError: 'k'"


# --- runs --------------------------------------------------------------------------------------


def test_run_delivers_every_epoch_and_records_a_timeline(jpegs):
    result = runs.run_pipeline(CONFIG, paths=jpegs, epochs=2, train_step_ms=5)
    assert result.status == "done" and result.error == ""
    assert result.elements == 12
    kinds = {(event.lane, event.kind) for event in result.events}
    assert ("producer 0", timeline.PRODUCE) in kinds
    assert ("consumer", timeline.WAIT) in kinds
    assert ("consumer", timeline.TRAIN_STEP) in kinds
    assert result.seconds > 0 and result.elements_per_second > 0


def test_a_run_stopped_before_it_starts_delivers_nothing(jpegs):
    stop = threading.Event()
    stop.set()
    result = runs.run_pipeline(CONFIG, paths=jpegs, epochs=3, stop_event=stop)
    assert result.status == "stopped" and result.elements == 0


def test_a_failing_run_returns_its_error_instead_of_raising(jpegs, tmp_path):
    result = runs.run_pipeline(CONFIG, paths=[*jpegs[:2], str(tmp_path / "gone.jpg")])
    assert result.status == "failed"
    assert "FileNotFoundError" in result.error and "gone.jpg" in result.error


def test_the_closing_thread_holds_the_only_reference_to_the_iterator(jpegs, monkeypatch):
    references = []

    def count_references(self, holder):  # what the closing thread will be given
        references.append(sys.getrefcount(holder[0]) - 1)  # minus getrefcount's own argument

    monkeypatch.setattr(runs.PipelineRunner, "_close_in_background", count_references)
    runs.PipelineRunner().run(CONFIG, paths=jpegs, epochs=1)
    assert references == [1]  # only the holder: dropping it in that thread closes the pipeline there


def test_progress_is_updated_batch_by_batch(jpegs):
    progress = runs.RunProgress(total_elements=6)
    runs.run_pipeline(CONFIG, paths=jpegs, progress=progress)
    assert progress.elements == 6
    assert [elements for _, elements in progress.samples()] == [4, 6]
    assert progress.last_batch.shape == (2, 16, 16, 3)


def test_runner_reuses_datasets_except_cached_ones(jpegs):
    runner = runs.PipelineRunner()
    first = runner.dataset(CONFIG, jpegs, epochs=1)
    assert runner.dataset(CONFIG, jpegs, epochs=1) is first
    assert runner.dataset(CONFIG, jpegs, epochs=2) is not first
    cached = CONFIG.replace(cache=True)
    assert runner.dataset(cached, jpegs, epochs=1) is not runner.dataset(cached, jpegs, epochs=1)
    assert runner.run(CONFIG, paths=jpegs).elements == runner.run(CONFIG, paths=jpegs).elements == 6


# --- timeline ----------------------------------------------------------------------------------


def test_overlap_and_busy_time_merge_overlapping_spans():
    recorder = timeline.TimelineRecorder()
    origin = recorder._origin
    for lane, kind, start, end in [
        ("producer 0", timeline.PRODUCE, 0.0, 1.0),
        ("producer 1", timeline.PRODUCE, 0.5, 1.5),
        ("consumer", timeline.TRAIN_STEP, 1.2, 2.0),
        ("consumer", timeline.TRAIN_STEP, 2.5, 3.0),
    ]:
        recorder.add(lane, kind, origin + start, origin + end)
    assert recorder.busy_seconds(timeline.PRODUCE) == pytest.approx(1.5)
    assert recorder.overlap_seconds(timeline.PRODUCE, timeline.TRAIN_STEP) == pytest.approx(0.3)
    assert recorder.lanes() == ["producer 0", "producer 1", "consumer"]


def test_recorder_keeps_at_most_max_events():
    recorder = timeline.TimelineRecorder(max_events=3)
    for _ in range(5):
        with recorder.span("consumer", timeline.WAIT):
            pass
    assert len(recorder.events()) == 3 and recorder.dropped == 2


# --- plots -------------------------------------------------------------------------------------


def test_lab_plots_draw_what_they_are_given(jpegs):
    result = runs.run_pipeline(CONFIG, paths=jpegs, train_step_ms=5)
    ax = plots.timeline(result.events)
    assert [t.get_text() for t in ax.get_yticklabels()] == ["producer 0", "consumer"]
    ax = plots.run_bars(["#1", "#2"], [100.0, 250.0])
    assert [round(p.get_width()) for p in ax.patches] == [100, 250]
    with pytest.raises(ValueError, match="2 labels for 1 values"):
        plots.run_bars(["a", "b"], [1.0])
    ax = plots.throughput_over_time([(0.5, 10.0), (1.0, 20.0)], label="run 1")
    assert list(ax.lines[-1].get_ydata()) == [10.0, 20.0]
