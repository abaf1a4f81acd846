"""helpers.measure: the one timing loop (warm-up, turns, wall and CPU time), its results, and counting."""

from __future__ import annotations

import subprocess
import sys
import time

import numpy as np
import pytest
import tensorflow as tf

from helpers import measure, process_work
from helpers.paths import REPO_ROOT


def _busy(cpu_seconds: float) -> None:
    """Keeps this thread computing until it has used `cpu_seconds` of CPU time (however busy the machine)."""
    end = time.thread_time() + cpu_seconds
    while time.thread_time() < end:
        pass


# --- counting ---------------------------------------------------------------------------------


def test_a_batch_counts_the_length_of_its_first_component():
    images = np.zeros((5, 4, 4, 3), np.float32)
    assert measure.count_elements(images) == 5
    assert measure.count_elements((images, np.zeros(5))) == 5
    assert measure.count_elements({"image": tf.constant(images)}) == 5
    assert measure.count_elements(tf.constant(7)) == 1


def test_a_dataset_counts_images_in_batches_and_one_per_unbatched_element():
    images = tf.data.Dataset.from_tensor_slices(np.zeros((10, 4, 4, 3), np.float32))
    rows = tf.data.Dataset.from_generator(
        lambda: iter(np.zeros((6, 16), np.float32)), output_signature=tf.TensorSpec(None, tf.float32)
    )
    assert measure.time_pass(images).elements == 10  # each (4, 4, 3) image counts 1, not 4
    assert measure.time_pass(images.batch(4)).elements == 10
    assert measure.time_pass(tf.data.Dataset.zip(images, tf.data.Dataset.range(10)).batch(3)).elements == 10
    assert measure.time_pass(rows).elements == 6  # unknown shape: one per element
    assert measure.time_pass([[1, 2], [3, 4], [5, 6]]).elements == 3  # not a dataset: one per item


# --- one pass -----------------------------------------------------------------------------------


def test_cpu_time_is_measured_for_busy_work_and_not_for_sleeping():
    def busy():
        _busy(0.05)
        return 10

    def sleeping():
        time.sleep(0.05)
        return 10

    busy_timing, sleeping_timing = measure.time_pass(busy), measure.time_pass(sleeping)
    assert busy_timing.seconds >= 0.05 and sleeping_timing.seconds >= 0.05
    # The busy work used 0.05 s of CPU time; sleeping uses almost none (huge margins).
    assert busy_timing.cpu_seconds > 0.04 and busy_timing.child_cpu_seconds == pytest.approx(0, abs=0.01)
    assert sleeping_timing.cpu_seconds < busy_timing.cpu_seconds
    assert busy_timing.cpu_seconds_per_element == pytest.approx(busy_timing.cpu_seconds / 10)


def test_cpu_time_of_worker_processes_is_counted_as_theirs():
    with process_work.spawn_pool(1) as pool:
        pool.submit(int).result()  # the worker starts outside the timed pass
        timing = measure.time_pass(lambda: pool.submit(sum, range(20_000_000)).result() and 1)
    assert timing.child_cpu_seconds > 0.05  # summing 20 million integers takes far longer anywhere
    assert timing.cpu_seconds >= timing.child_cpu_seconds


def test_a_dataset_pass_records_when_the_first_and_last_elements_came():
    def slow_end():
        yield np.zeros((2, 3), np.float32)
        yield np.zeros((1, 3), np.float32)
        time.sleep(0.2)

    dataset = tf.data.Dataset.from_generator(slow_end, output_signature=tf.TensorSpec((None, 3), tf.float32))
    # No prefetch injected: the generator's sleep must start after the loop took the last element.
    options = tf.data.Options()
    options.experimental_optimization.inject_prefetch = False
    timing = measure.time_pass(dataset.with_options(options))
    assert timing.elements == 3 and timing.first_elements == 2
    assert 0 <= timing.first_element_seconds <= timing.last_element_seconds <= timing.seconds
    assert timing.end_wait_seconds >= 0.2
    assert timing.streaming_elements_per_second > 0


def test_an_empty_dataset_cannot_be_timed():
    with pytest.raises(ValueError, match="empty"):
        measure.time_pass(tf.data.Dataset.range(0))


# --- the loop -----------------------------------------------------------------------------------


def test_compare_warms_up_then_takes_turns_and_keeps_every_repeat():
    order = []

    def task(name):
        return lambda: order.append(name) or 10

    seen = []
    results = measure.compare(
        {"a": task("a"), "b": task("b")},
        repeats=3,
        on_result=lambda name, repeat, timing: seen.append((name, repeat, timing.elements)),
    )
    assert order == ["a", "b"] * 4  # one untimed pass each, then three rounds in turns
    assert seen == [("a", 0, 10), ("b", 0, 10), ("a", 1, 10), ("b", 1, 10), ("a", 2, 10), ("b", 2, 10)]
    assert list(results) == ["a", "b"]
    assert all(len(result.timings) == 3 and result.timings[-1].elements == 10 for result in results.values())


def test_compare_repeats_whole_passes_until_min_seconds():
    calls = []
    [result] = measure.compare(
        {"x": lambda: calls.append(1) or time.sleep(0.01) or 10}, repeats=1, warmup_passes=0, min_seconds=0.05
    ).values()
    assert len(calls) >= 2
    assert result.timings[-1].elements == 10 * len(calls)
    with pytest.raises(ValueError, match="repeats"):
        measure.compare({"x": lambda: 1}, repeats=0)


def test_a_result_reports_median_spread_and_cpu_cost():
    timings = [measure.PassTiming(10, 10 / rate, 0.01 * rate, 0.0) for rate in (10.0, 40.0, 20.0, 30.0, 50.0)]
    result = measure.ThroughputResult("x", tuple(timings))
    assert result.samples == pytest.approx((10.0, 40.0, 20.0, 30.0, 50.0))
    assert (result.min_elements_per_second, result.elements_per_second, result.max_elements_per_second) == (
        pytest.approx(10.0),
        pytest.approx(30.0),
        pytest.approx(50.0),
    )
    assert result.cpu_seconds_per_element == pytest.approx(0.03)
    assert result.child_cpu_share == 0.0
    assert "x: median 30 elements/s" in str(result) and "30.000 CPU ms per element" in str(result)


def test_other_load_is_never_negative():
    with measure.OtherLoad() as load:
        sum(range(10_000))
    assert load.other_cores >= 0.0


def test_measure_imports_neither_tensorflow_nor_needs_the_resource_module():
    # Windows has no `resource`; psutil (imported first) needs it on Linux, measure must not.
    code = (
        "import sys, psutil\nsys.modules['resource'] = None\nfrom helpers import measure\n"
        "timing = measure.time_pass(lambda: 3)\n"
        "print(timing.elements, timing.seconds > 0, timing.child_cpu_seconds >= 0,\n"
        "      'tensorflow' in sys.modules)"
    )
    completed = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=REPO_ROOT
    )
    assert completed.stdout.split() == ["3", "True", "True", "False"]
