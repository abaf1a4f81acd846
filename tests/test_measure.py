"""helpers.measure: timed passes (wall and CPU time), round-robin repeats, results with their spread."""

from __future__ import annotations

import time

import numpy as np
import pytest
import tensorflow as tf

from helpers import measure
from helpers.paths import REPO_ROOT


def _busy(cpu_seconds: float) -> None:
    """Keeps this thread computing until it has used `cpu_seconds` of CPU time (however busy the machine)."""
    end = time.thread_time() + cpu_seconds
    while time.thread_time() < end:
        pass


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


# --- spread and CPU cost ----------------------------------------------------------------------


def test_a_result_reports_its_spread_as_min_max_and_quartiles():
    result = measure.ThroughputResult.from_samples("x", [10.0, 40.0, 20.0, 30.0, 50.0], elements=5)
    assert (result.min_elements_per_second, result.elements_per_second, result.max_elements_per_second) == (
        10.0,
        30.0,
        50.0,
    )
    assert result.q1_elements_per_second == 20.0 and result.q3_elements_per_second == 40.0
    assert result.spread == pytest.approx(40 / 30)
    single = measure.ThroughputResult.from_samples("one", [7.0], elements=1)
    assert single.q1_elements_per_second == single.q3_elements_per_second == 7.0


def test_cpu_time_is_measured_for_busy_work_and_not_for_sleeping():
    def busy():
        _busy(0.05)
        return 10

    def sleeping():
        time.sleep(0.05)
        return 10

    busy_timing, sleeping_timing = measure.time_call(busy), measure.time_call(sleeping)
    assert busy_timing.seconds >= 0.05 and sleeping_timing.seconds >= 0.05
    # The busy work used 0.05 s of CPU time; sleeping uses almost none (huge margins).
    assert busy_timing.cpu_seconds > 0.04
    assert sleeping_timing.cpu_seconds < busy_timing.cpu_seconds
    assert busy_timing.cpu_seconds_per_element == pytest.approx(busy_timing.cpu_seconds / 10)


def test_results_carry_a_positive_cpu_cost_per_1000_elements():
    dataset = tf.data.Dataset.range(2000).batch(100).map(lambda x: tf.cast(x, tf.float32) * 2.0)
    result = measure.measure_throughput(dataset, name="range", repeats=3)
    assert len(result.cpu_samples) == 3 and all(cpu > 0 for cpu in result.cpu_samples)
    assert result.cpu_seconds_per_1000 > 0
    assert "CPU s/1000" in str(result)
    assert np.isnan(measure.ThroughputResult.from_samples("x", [1.0], elements=1).cpu_seconds_per_1000)


# --- passes and turns -------------------------------------------------------------------------


def test_a_dataset_pass_records_when_the_first_and_last_elements_came():
    def slow_end():
        yield np.zeros((2, 3), np.float32)
        yield np.zeros((1, 3), np.float32)
        time.sleep(0.2)

    dataset = tf.data.Dataset.from_generator(slow_end, output_signature=tf.TensorSpec((None, 3), tf.float32))
    # No prefetch injected: the generator's sleep must start after the loop took the last element.
    options = tf.data.Options()
    options.experimental_optimization.inject_prefetch = False
    timing = measure.time_dataset_pass(dataset.with_options(options))
    assert timing.elements == 3 and timing.first_elements == 2
    assert 0 <= timing.first_element_seconds <= timing.last_element_seconds <= timing.seconds
    assert timing.end_wait_seconds >= 0.2
    assert timing.streaming_elements_per_second > 0


def test_a_dataset_pass_counts_with_the_function_given():
    dataset = tf.data.Dataset.from_tensor_slices(np.zeros((5, 4, 4, 3), np.float32))
    assert measure.time_dataset_pass(dataset).elements == 5 * 4  # rank-3 elements: the first dimension
    assert measure.time_dataset_pass(dataset, count=lambda _element: 1).elements == 5


def test_an_empty_dataset_cannot_be_timed():
    with pytest.raises(ValueError, match="empty"):
        measure.time_dataset_pass(tf.data.Dataset.range(0))


def test_repeat_for_runs_whole_passes_until_long_enough_and_sums_them():
    passes = []

    def one_pass():
        passes.append(1)
        return measure.PassTiming(elements=10, seconds=0.3, cpu_seconds=0.1)

    total = measure.repeat_for(one_pass, min_seconds=1.0)
    assert len(passes) == 4
    assert (total.elements, total.seconds, total.cpu_seconds) == (40, pytest.approx(1.2), pytest.approx(0.4))
    assert total.first_element_seconds is None
    single = measure.repeat_for(one_pass, min_seconds=0.0)
    assert len(passes) == 5 and single.elements == 10


def test_round_robin_takes_turns_in_the_order_given():
    order = []
    tasks = {name: (lambda name=name: order.append(name) or len(order)) for name in ("a", "b", "c")}
    seen = []
    results = measure.round_robin(
        tasks, repeats=3, on_result=lambda name, repeat, value: seen.append((name, repeat))
    )
    assert order == ["a", "b", "c"] * 3
    assert results == {"a": [1, 4, 7], "b": [2, 5, 8], "c": [3, 6, 9]}
    assert seen[:4] == [("a", 0), ("b", 0), ("c", 0), ("a", 1)]


def test_from_timings_scales_the_rate_but_not_the_cpu_cost():
    timings = [measure.PassTiming(elements=100, seconds=1.0, cpu_seconds=0.5)] * 3
    result = measure.ThroughputResult.from_timings("limit", timings, rate_multiplier=2)
    assert result.elements_per_second == 200
    assert result.cpu_seconds_per_1000 == pytest.approx(5.0)


def test_measure_does_not_import_tensorflow_by_itself():
    import subprocess
    import sys

    code = "import sys, helpers.measure; print('tensorflow' in sys.modules)"
    completed = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=REPO_ROOT
    )
    assert completed.stdout.strip() == "False"
