"""helpers.runs: the lab's run engine, driving a build function it is given (here `numbered_pipeline`)."""

from __future__ import annotations

import functools
import subprocess
import sys
import threading
import time

import pytest
import tensorflow as tf

from helpers import messages, pipelines, runs, timeline
from tests.support import numbered_pipeline

CONFIG = pipelines.PipelineConfig(batch_size=4, image_size=8, image_count=8, prefetch="off")


class LiveRun:
    """A run in a thread, as the panel starts one."""

    def __init__(self, settings: runs.RunSettings, build=numbered_pipeline) -> None:
        self.runner = runs.Runner(build)
        self.stop_event = threading.Event()
        self.progress = runs.RunProgress()
        self.result = None

        def work():
            self.result = self.runner.run(settings, stop_event=self.stop_event, progress=self.progress)

        self.thread = threading.Thread(target=work)
        self.thread.start()

    def wait_for(self, condition, timeout_seconds: float = 30.0) -> None:
        deadline = time.monotonic() + timeout_seconds
        while not condition():
            assert self.thread.is_alive() and time.monotonic() < deadline, "the run ended or timed out"
            time.sleep(0.01)

    def elements_in_segment(self, number: int) -> int:
        segments = self.progress.segments()
        return segments[number - 1].elements if len(segments) >= number else 0

    def stop(self) -> runs.RunResult:
        self.stop_event.set()
        self.thread.join(10)
        assert not self.thread.is_alive()
        return self.result


def until_stop(config=CONFIG, train_step_ms=1.0) -> runs.RunSettings:
    return runs.RunSettings(config, train_step_ms=train_step_ms, epochs=runs.UNTIL_STOP)


def test_importing_it_does_not_import_tensorflow():
    code = "import sys, helpers.runs; print('tensorflow' in sys.modules)"
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    assert done.stdout.strip() == "False"


def test_innermost_error_summary_finds_the_generator_s_own_error():
    def failing():
        yield 1
        raise ValueError("pixel values out of range")

    dataset = tf.data.Dataset.from_generator(failing, output_signature=tf.TensorSpec((), tf.int32))
    with pytest.raises(tf.errors.InvalidArgumentError) as caught:
        list(dataset)
    assert messages.error_summary(caught.value, innermost=True) == "ValueError: pixel values out of range"


def test_a_run_delivers_its_epochs_and_records_a_timeline():
    progress = runs.RunProgress()
    result = runs.Runner(numbered_pipeline).run(runs.RunSettings(CONFIG, 5, epochs=2), progress=progress)
    assert result.status == "done" and result.error == ""
    assert result.elements == progress.elements == 16 and progress.epochs_done == 2
    assert progress.last_batch.shape == (4, 8, 8, 3)
    kinds = {(event.lane, event.kind) for event in result.events}
    assert kinds == {
        ("producer 0", timeline.PRODUCE),
        ("consumer", timeline.WAIT),
        ("consumer", timeline.TRAIN_STEP),
    }
    assert result.seconds > 0 and result.elements_per_second > 0
    assert result.elements_per_second == pytest.approx(result.segments[0].elements_per_second)


def test_a_run_stopped_before_it_starts_delivers_nothing():
    stop = threading.Event()
    stop.set()
    result = runs.Runner(numbered_pipeline).run(runs.RunSettings(CONFIG, epochs=3), stop_event=stop)
    assert result.status == "stopped" and result.elements == 0


def test_a_failing_run_returns_its_error_instead_of_raising():
    build = functools.partial(numbered_pipeline, broken=lambda config: True)
    result = runs.Runner(build).run(runs.RunSettings(CONFIG))
    assert result.status == "failed" and result.error == "FileNotFoundError: missing.jpg does not exist"


def test_a_build_that_raises_is_a_failed_run_too():
    def build(config, watch):
        raise ValueError(f"no pipeline for batch {config.batch_size}")

    assert runs.Runner(build).run(runs.RunSettings(CONFIG)).error == "ValueError: no pipeline for batch 4"


def test_the_closing_thread_holds_the_only_reference_to_the_iterator(monkeypatch):
    references = []

    def count_references(self, holder):  # what the closing thread would be given
        references.append(sys.getrefcount(holder[0]) - 1)  # minus getrefcount's own argument

    monkeypatch.setattr(runs.Runner, "_close_in_background", count_references)
    runs.Runner(numbered_pipeline).run(runs.RunSettings(CONFIG))
    assert references == [1]  # only the holder: dropping it in that thread closes the pipeline there


def test_runner_reuses_the_datasets_it_built():
    built = []

    def build(config, watch):
        built.append(config)
        return numbered_pipeline(config, watch)

    runner = runs.Runner(build)
    first = runner._dataset(CONFIG)
    assert runner._dataset(CONFIG) is first and built == [CONFIG]
    for threads in range(2, 10):  # eight more: the oldest, CONFIG's, is dropped
        runner._dataset(CONFIG.replace(opencv_threads=threads))
    assert runner._dataset(CONFIG) is not first and len(built) == 10
    settings = runs.RunSettings(CONFIG)
    assert runner.run(settings).elements == runner.run(settings).elements == 8


def test_a_run_until_stop_goes_on_past_one_epoch_and_stops_its_generators():
    run = LiveRun(until_stop())
    run.wait_for(lambda: run.progress.elements >= 3 * CONFIG.image_count)
    result = run.stop()
    assert result.status == "stopped" and result.settings.epochs == runs.UNTIL_STOP
    assert result.elements >= 3 * CONFIG.image_count and len(result.segments) == 1
    assert run.runner.watch.stop_event.is_set()  # the watched generators saw it
    # The pipeline closes in the background; the next run waits for it, then runs as usual.
    assert run.runner.wait_closed(10)
    assert run.runner.run(runs.RunSettings(CONFIG)).elements == CONFIG.image_count


def test_shards_record_a_lane_each():
    sharded = CONFIG.replace(shards=2, image_count=16)
    result = runs.Runner(numbered_pipeline).run(runs.RunSettings(sharded, epochs=2))
    assert result.elements == 32
    assert {e.lane for e in result.events} == {"producer 0", "producer 1", "consumer"}


def test_a_change_rebuilds_the_pipeline_without_stopping_the_run():
    run = LiveRun(until_stop())
    run.wait_for(lambda: run.progress.elements >= 8)
    bigger = CONFIG.replace(batch_size=8, yield_mode="batch")
    run.runner.requested = until_stop(bigger)
    run.wait_for(lambda: run.elements_in_segment(2) >= 16)
    run.runner.requested = until_stop(bigger, train_step_ms=3)
    run.wait_for(lambda: run.elements_in_segment(3) >= 16)
    result = run.stop()
    first, second, third = result.segments
    assert (first.config, second.config, third.config) == (CONFIG, bigger, bigger)
    assert (first.change, second.change) == ("", "batch 4 -> 8, per element -> per batch")
    assert third.change == "train step 1 -> 3 ms" and third.train_step_ms == 3
    assert first.start_seconds < second.start_seconds < third.start_seconds
    assert sum(s.elements for s in result.segments) == result.elements
    assert (second.elements % 8, third.elements % 8) == (0, 0)  # the generator yields batches of 8 now


def test_the_same_settings_asked_again_start_no_segment():
    run = LiveRun(until_stop())
    run.wait_for(lambda: run.progress.elements >= 8)
    run.runner.requested = until_stop()
    time.sleep(0.1)
    assert len(run.stop().segments) == 1


def test_changing_epochs_mid_run_moves_its_end():
    run = LiveRun(until_stop(train_step_ms=5))
    run.wait_for(lambda: run.progress.elements >= 4)
    run.runner.requested = runs.RunSettings(CONFIG, train_step_ms=5, epochs=2)
    run.thread.join(30)
    assert run.result.status == "done" and run.result.elements == 16
    assert len(run.result.segments) == 1


def test_epochs_are_counted_in_elements_across_a_change():
    run = LiveRun(runs.RunSettings(CONFIG, train_step_ms=20, epochs=3))
    run.wait_for(lambda: run.progress.elements >= 4)
    run.runner.requested = runs.RunSettings(CONFIG.replace(batch_size=2), epochs=3)
    run.thread.join(30)
    assert run.result.status == "done" and len(run.result.segments) == 2
    assert run.result.elements == 3 * CONFIG.image_count


def test_a_failing_rebuild_ends_the_run_with_its_error():
    broken = CONFIG.replace(augment=True)
    run = LiveRun(until_stop(), build=functools.partial(numbered_pipeline, broken=lambda c: c == broken))
    run.wait_for(lambda: run.progress.elements >= 8)
    run.runner.requested = until_stop(broken)
    run.thread.join(30)
    assert run.result.status == "failed" and "missing.jpg" in run.result.error
    assert [s.change for s in run.result.segments] == ["", "augment off -> on"]


def test_segments_measure_rate_and_cores_and_tabulate():
    run = LiveRun(until_stop(train_step_ms=0))
    run.wait_for(lambda: len(run.progress.points()) >= 4)
    result = run.stop()
    (segment,) = result.segments
    assert segment.elements_per_second > 0 and segment.median_elements_per_second > 0
    assert 0 < segment.cores_busy < 64
    assert segment.cpu_seconds_per_element == pytest.approx(segment.cores_busy / segment.elements_per_second)
    point = result.points[-1]
    assert point.seconds > 0 and point.elements_per_second > 0 and point.cores_busy >= 0
    assert [p.seconds for p in result.points] == sorted(p.seconds for p in result.points)


def test_change_labels_read_as_before_and_after():
    base = runs.RunSettings(CONFIG, train_step_ms=10)

    def label(**changes):
        return runs._change_label(base, runs.RunSettings(CONFIG.replace(**changes), train_step_ms=10))

    assert label(batch_size=64) == "batch 4 -> 64"
    assert label(prefetch="autotune") == "prefetch off -> AUTOTUNE"
    assert label(yield_mode="batch") == "per element -> per batch"
    assert label(decode_threads=2, augment=True) == "augment off -> on, decode threads 0 -> 2"
    assert label(opencv_threads=0) == "OpenCV threads 1 -> default"
    assert label(image_size=64) == "image size 8 px -> 64 px"
    assert label(inject_prefetch=False) == "auto-prefetch on -> off"
    assert label() == ""
    assert runs._change_label(base, runs.RunSettings(CONFIG, train_step_ms=25)) == "train step 10 -> 25 ms"


def test_only_the_newest_request_counts_and_a_new_run_forgets_old_ones():
    runner = runs.Runner(numbered_pipeline)
    runner.requested = runs.RunSettings(CONFIG.replace(batch_size=2))  # asked with no run going
    result = runner.run(runs.RunSettings(CONFIG))
    assert len(result.segments) == 1 and result.segments[0].config == CONFIG
