"""helpers.runs, live: runs that go on until Stop, settings changed while they go, segments."""

from __future__ import annotations

import threading
import time

import pytest

from helpers import pipelines, runs
from tests.support import write_test_jpegs

CONFIG = pipelines.PipelineConfig(batch_size=4, image_size=16, image_count=8, prefetch="off")


@pytest.fixture(scope="module")
def jpegs(tmp_path_factory):
    return write_test_jpegs(tmp_path_factory.mktemp("live"), 8, height=30, width=40, seed=2)


class LiveRun:
    """A run in a thread, as the panel starts one."""

    def __init__(self, config, paths, **settings) -> None:
        self.runner = runs.PipelineRunner()
        self.stop_event = threading.Event()
        self.changes = runs.RunChanges()
        self.progress = runs.RunProgress(0)
        self.result = None
        settings.setdefault("epochs", runs.UNTIL_STOP)

        def work():
            self.result = self.runner.run(
                config,
                paths=paths,
                stop_event=self.stop_event,
                changes=self.changes,
                progress=self.progress,
                **settings,
            )

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


def test_a_run_until_stop_goes_on_past_one_epoch(jpegs):
    run = LiveRun(CONFIG, jpegs, train_step_ms=1)
    run.wait_for(lambda: run.progress.elements >= 3 * len(jpegs))
    result = run.stop()
    assert result.status == "stopped" and result.epochs == runs.UNTIL_STOP
    assert result.elements >= 3 * len(jpegs)
    assert [s.number for s in result.segments] == [1] and result.markers == ()
    # The pipeline closes in the background; the next run waits for it, then runs as usual.
    assert run.runner.wait_closed(10)
    assert run.runner.run(CONFIG, paths=jpegs).elements == len(jpegs)


def test_a_change_rebuilds_the_pipeline_without_stopping_the_run(jpegs):
    run = LiveRun(CONFIG, jpegs, train_step_ms=1)
    run.wait_for(lambda: run.progress.elements >= 8)
    bigger = CONFIG.replace(batch_size=8, yield_mode="batch")
    run.changes.request(runs.RunSettings(bigger, train_step_ms=1, epochs=runs.UNTIL_STOP))
    run.wait_for(lambda: run.elements_in_segment(2) >= 16)
    run.changes.request(runs.RunSettings(bigger, train_step_ms=3, epochs=runs.UNTIL_STOP))
    run.wait_for(lambda: run.elements_in_segment(3) >= 16)
    result = run.stop()
    assert result.status == "stopped"
    first, second, third = result.segments
    assert (first.config, second.config, third.config) == (CONFIG, bigger, bigger)
    assert (first.change, second.change) == ("", "batch 4 -> 8, per element -> per batch")
    assert third.change == "train step 1 -> 3 ms" and third.train_step_ms == 3
    assert [m.label for m in result.markers] == [second.change, third.change]
    assert result.markers[0].seconds == pytest.approx(second.start_seconds)
    assert first.start_seconds < second.start_seconds < third.start_seconds
    assert sum(s.elements for s in result.segments) == result.elements
    # After the change every batch is a batch of 8 (the generator yields them; 8 images per epoch).
    assert result.elements - first.elements == second.elements + third.elements
    assert (second.elements % 8, third.elements % 8) == (0, 0)


def test_the_same_settings_asked_again_start_no_segment(jpegs):
    run = LiveRun(CONFIG, jpegs)
    run.wait_for(lambda: run.progress.elements >= 8)
    run.changes.request(runs.RunSettings(CONFIG, epochs=runs.UNTIL_STOP))
    time.sleep(0.1)
    assert len(run.stop().segments) == 1


def test_changing_epochs_mid_run_moves_its_end(jpegs):
    run = LiveRun(CONFIG, jpegs, train_step_ms=5)
    run.wait_for(lambda: run.progress.elements >= 4)
    run.changes.request(runs.RunSettings(CONFIG, train_step_ms=5, epochs=2))
    run.thread.join(30)
    assert run.result.status == "done" and run.result.elements == 16
    assert len(run.result.segments) == 1


def test_a_fixed_number_of_epochs_still_ends_by_itself_after_a_change(jpegs):
    run = LiveRun(CONFIG, jpegs, epochs=3, train_step_ms=20)
    run.wait_for(lambda: run.progress.elements >= 4)
    run.changes.request(runs.RunSettings(CONFIG.replace(batch_size=2), train_step_ms=0, epochs=3))
    run.thread.join(30)
    result = run.result
    assert result.status == "done" and len(result.segments) == 2
    assert result.elements == 3 * len(jpegs)  # epochs counted in elements across the change


def test_a_failing_rebuild_ends_the_run_with_its_error(jpegs, tmp_path):
    run = LiveRun(CONFIG, jpegs)
    run.wait_for(lambda: run.progress.elements >= 8)
    broken = CONFIG.replace(data="samples", image_count=8)

    def failing_paths(config, paths):
        if config == broken:
            raise FileNotFoundError(f"{tmp_path / 'gone.jpg'} does not exist")
        return paths

    run.runner._paths = failing_paths
    run.changes.request(runs.RunSettings(broken, epochs=runs.UNTIL_STOP))
    run.thread.join(30)
    assert not run.thread.is_alive()
    result = run.result
    assert result.status == "failed" and "gone.jpg" in result.error
    assert [s.change for s in result.segments] == ["", "data benchmark -> samples"]


def test_segments_measure_rate_and_cores_and_tabulate(jpegs):
    run = LiveRun(CONFIG, jpegs)
    run.wait_for(lambda: len(run.progress.points()) >= 4)
    result = run.stop()
    (segment,) = result.segments
    assert segment.elements_per_second > 0 and segment.median_elements_per_second > 0
    assert 0 < segment.cores_busy < 64
    point = result.points[-1]
    assert point.seconds > 0 and point.elements_per_second > 0 and point.cores_busy >= 0
    assert run.progress.points(since_seconds=result.points[-2].seconds) == [result.points[-1]]
    (row,) = runs.segment_rows(result.segments)
    assert row["change"] == "(start)" and row["elements"] == segment.elements
    assert tuple(row) == runs.SEGMENT_COLUMNS
    assert row["seconds"] > 0 and row["median elements/s"] > 0 and "train step" in row["settings"]
    assert segment.cpu_seconds_per_element == pytest.approx(segment.cores_busy / segment.elements_per_second)


def test_change_labels_read_as_before_and_after():
    base = runs.RunSettings(CONFIG, train_step_ms=10)

    def label(**changes):
        return runs.change_label(base, runs.RunSettings(CONFIG.replace(**changes), train_step_ms=10))

    assert label(batch_size=64) == "batch 4 -> 64"
    assert label(prefetch="autotune") == "prefetch off -> AUTOTUNE"
    assert label(yield_mode="batch") == "per element -> per batch"
    assert label(decode_threads=2, augment=True) == "augment off -> on, decode threads 0 -> 2"
    assert label(opencv_threads=0) == "OpenCV threads 1 -> default"
    assert label(image_size=64) == "image size 16 -> 64 px"
    assert label() == ""
    assert runs.change_label(base, runs.RunSettings(CONFIG, train_step_ms=25)) == "train step 10 -> 25 ms"


def test_only_the_newest_request_counts():
    changes = runs.RunChanges()
    assert changes.take() is None
    changes.request(runs.RunSettings(CONFIG))
    changes.request(runs.RunSettings(CONFIG, train_step_ms=5))
    assert changes.take().train_step_ms == 5
    assert changes.take() is None
