"""helpers.measure, helpers.runs, helpers.timeline, the lab plots, and the comparison command."""

from __future__ import annotations

import json
import threading

import numpy as np
import pytest
import tensorflow as tf

from helpers import benchmark, measure, pipelines, plots, runs, timeline
from tests.conftest import write_test_jpegs


@pytest.fixture(scope="module")
def jpegs(tmp_path_factory):
    return write_test_jpegs(tmp_path_factory.mktemp("jpegs"), 6, height=30, width=40, seed=1)


CONFIG = pipelines.PipelineConfig(batch_size=4, image_size=16, image_count=6, prefetch="off")


# --- measuring ---------------------------------------------------------------------------------


def test_measure_rate_reports_median_min_max_of_the_repeats():
    calls = {"warmup": 0, "work": 0}

    def warmup():
        calls["warmup"] += 1

    def work():
        calls["work"] += 1
        return 100

    result = measure.measure_rate(work, name="fake", repeats=5, warmup=warmup)
    assert calls == {"warmup": 1, "work": 5}
    assert result.name == "fake" and result.elements == 100 and len(result.samples) == 5
    assert result.min_elements_per_second <= result.elements_per_second
    assert result.elements_per_second <= result.max_elements_per_second
    assert result.elements_per_second == sorted(result.samples)[2]
    assert "fake: median" in str(result)


def test_measure_rate_repeats_whole_passes_until_min_seconds():
    calls = []
    result = measure.measure_rate(lambda: calls.append(1) or 10, name="x", repeats=1, min_seconds=0.05)
    assert len(calls) >= 2
    assert result.elements == 10 * len(calls)


def test_measure_throughput_counts_elements_along_the_batch_dimension():
    dataset = tf.data.Dataset.range(10).batch(4)
    result = measure.measure_throughput(dataset, name="range", repeats=2)
    assert result.elements == 10
    assert len(result.samples) == 2 and all(s > 0 for s in result.samples)


def test_throughput_series_gives_the_rate_of_each_window():
    samples = [(0.1, 10), (0.3, 30), (0.6, 60), (0.8, 100), (1.2, 140)]
    times, rates = measure.throughput_series(samples, window_seconds=0.5)
    assert times == [0.6, 1.2]
    np.testing.assert_allclose(rates, [60 / 0.6, 80 / 0.6])
    assert measure.throughput_series([]) == ([], [])


def test_describe_error_finds_the_generator_s_own_error():
    def failing():
        yield 1
        raise ValueError("pixel values out of range")

    dataset = tf.data.Dataset.from_generator(failing, output_signature=tf.TensorSpec((), tf.int32))
    with pytest.raises(tf.errors.InvalidArgumentError) as caught:
        list(dataset)
    assert runs.describe_error(caught.value) == "ValueError: pixel values out of range"
    assert runs.describe_error(KeyError("k")) == "KeyError: 'k'"


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


# --- the comparison ----------------------------------------------------------------------------

ROW_NAMES = [
    "article_example_2",
    "float32",
    "best_from_generator",
    "graph_native",
    "limit",
    "per_element_yield",
    "per_batch_yield",
]


def test_every_image_row_produces_the_same_kind_of_output(jpegs):
    expected = tf.TensorSpec((None, 224, 224, 3), tf.float32)
    assert benchmark.graph_native_dataset(jpegs).element_spec == expected
    config = next(iter(benchmark.best_generator_configs(2).values()))
    assert pipelines.image_dataset(config, jpegs).element_spec == expected
    float32 = next(iter(benchmark.float32_images([jpegs[0]])))
    assert float32.dtype == np.float32 and float32.shape == (224, 224, 3)
    # The generator and OpenCV agree on RGB pixels; TensorFlow's decoder may differ by a few levels.
    first = next(iter(pipelines.image_dataset(config, jpegs))).numpy()[0]
    np.testing.assert_allclose(first, float32, atol=1e-6)
    native = next(iter(benchmark.graph_native_dataset(jpegs))).numpy()[0]
    assert np.abs(native - float32).mean() < 0.05


def test_command_writes_the_rows_as_json(tmp_path, capsys):
    out = tmp_path / "rows.json"
    assert benchmark.main(["--quick", "--images", "4", "--repeats", "1", "--json", str(out)]) == 0
    rows = json.loads(out.read_text())
    assert [row["name"] for row in rows] == ROW_NAMES
    for row in rows:
        assert row["elements_per_second"] > 0
        assert {"name", "elements_per_second", "ratio_to_limit"} <= set(row)
    limit = rows[4]["elements_per_second"]
    assert rows[4]["ratio_to_limit"] == pytest.approx(1.0)
    assert rows[0]["ratio_to_limit"] == pytest.approx(rows[0]["elements_per_second"] / limit)
    assert rows[5]["ratio_to_limit"] is None and rows[6]["ratio_to_limit"] is None
    assert rows[5]["ratio"] == pytest.approx(1 / rows[6]["ratio"])
    printed = capsys.readouterr().out
    assert all(name in printed for name in ROW_NAMES)
