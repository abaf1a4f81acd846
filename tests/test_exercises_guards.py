"""helpers.exercises._guards: what every self-check does to the learner's function."""

import queue
import threading

import numpy as np
import pytest
import tensorflow as tf

from helpers.exercises import _guards, simple_generator
from helpers.exercises.feedback import Feedback
from tests.support import assert_fails


def problem_of(function, *args, **options):
    """The feedback of the `Problem` that `function(*args, **options)` raises."""
    with pytest.raises(_guards.Problem) as raised:
        function(*args, **options)
    return raised.value.feedback


def test_must_be_callable_names_what_it_got():
    _guards.must_be_callable(len, hint="Pass f")
    feedback = problem_of(_guards.must_be_callable, 3, hint="Pass f")
    assert_fails(feedback, "Expected a function, got int.", hint="Pass f")


def test_run_returns_the_result_or_fails_with_a_summary_of_the_error():
    assert _guards.run(lambda a, *, b: a + b, 1, b=2, failure="x", hint="y") == 3

    def failing(path):
        raise FileNotFoundError(f"cannot read {path}")

    advice = [("no such label", "wrong row", ""), ("cannot read", "FileNotFoundError", "more")]
    problem = problem_of(_guards.run, failing, "a.jpg", failure="Reading raised", hint="h", advice=advice)
    assert_fails(problem, "Reading raised FileNotFoundError: cannot read a.jpg", hint="FileNotFoundError")
    assert problem.more == "more"
    problem = problem_of(
        _guards.run, failing, "a.jpg", failure="Reading raised", hint="h", more="m", advice=advice[:1]
    )
    assert (problem.hint, problem.more) == ("h", "m")


def test_a_self_check_returns_the_feedback_of_the_first_problem_raised_inside_it():
    @_guards.self_check
    def check(value):
        if value < 0:
            _guards.fail("negative", hint="h", more="m")
        _guards.run(lambda: 1 / value, failure="Dividing raised")
        return Feedback.ok("fine")

    assert check(2).passed
    assert_fails(check(-1), "negative", hint="h")
    assert_fails(check(0), "Dividing raised ZeroDivisionError", hint="traceback")


def test_dataset_from_reports_a_raising_call_or_a_wrong_return():
    hints = {"failure": "Building raised", "hint": "h", "none_hint": "n", "type_hint": "t"}

    def problem(function, *args, **options):
        return problem_of(_guards.dataset_from, function, *args, **hints, **options)

    dataset = _guards.dataset_from(lambda n: tf.data.Dataset.range(n), 3, **hints)
    assert list(dataset.as_numpy_iterator()) == [0, 1, 2]
    assert_fails(problem(lambda: 1 / 0), "Building raised ZeroDivisionError", hint="h")
    assert_fails(problem(lambda: None), "Your function returned None.", hint="n")
    assert_fails(problem(lambda: [1], subject="f()"), "f() returned a list, not a tf.data.Dataset.", hint="t")
    assert_fails(
        problem(tf.data.Dataset.range(2), callable_hint="Pass f"), "Expected a function, got", hint="Pass f"
    )


def test_elements_takes_a_bounded_pass_or_reports_what_it_raised():
    assert _guards.elements(tf.data.Dataset.range(3), 3, failure="f", hint="h") == [0, 1, 2]

    def too_big():
        yield 1
        raise ValueError("too big")

    failing = tf.data.Dataset.from_generator(too_big, output_signature=tf.TensorSpec((), tf.int64))
    problem = problem_of(
        _guards.elements, failing, 3, failure="Iterating raised", hint="h", advice=[("big", "a", "b")]
    )
    assert_fails(problem, "Iterating raised InvalidArgumentError: ValueError: too big", hint="a")
    assert problem.more == "b"


def test_take_elements_stops_an_endless_dataset():
    endless = tf.data.Dataset.range(1).repeat()
    assert len(_guards.take_elements(endless, 3)) == 3 + _guards.EXTRA_ELEMENTS
    assert list(_guards.items_in_time(iter(int, 1), 4)) == [0, 0, 0, 0]


# --- a learner's generator that blocks: the check stops waiting, says so, and the kernel stays usable ----


@pytest.fixture
def short_waits(monkeypatch):
    monkeypatch.setattr(_guards, "FIRST_ELEMENT_SECONDS", 0.5)
    monkeypatch.setattr(_guards, "ALL_ELEMENTS_SECONDS", 1.0)


@pytest.fixture
def release():
    """What a blocking generator waits for; set after the test, so the abandoned thread ends too."""
    event = threading.Event()
    yield event
    event.set()


def _waiting_dataset(release: threading.Event, *, first: list[int]) -> tf.data.Dataset:
    def numbers():
        yield from first
        release.wait(timeout=60)
        yield 99

    return tf.data.Dataset.from_generator(numbers, output_signature=tf.TensorSpec(shape=(), dtype=tf.int64))


def test_take_elements_stops_waiting_for_a_generator_that_never_yields(short_waits, release, monkeypatch):
    with pytest.raises(_guards.Stalled) as caught:
        _guards.take_elements(_waiting_dataset(release, first=[]), 3)
    assert_fails(
        caught.value.feedback,
        "Your dataset produced no element in 0.5 s:",
        "does the generator block, or loop forever before its first yield?",
        hint="restart the kernel",
    )
    monkeypatch.setattr(_guards, "FIRST_ELEMENT_SECONDS", 20.0)
    assert _guards.take_elements(tf.data.Dataset.range(3), 3) == [0, 1, 2]


def test_take_elements_bounds_the_whole_pass(short_waits, release, monkeypatch):
    # The first element may be slow on a busy machine; the whole pass still ends after 1 s.
    monkeypatch.setattr(_guards, "FIRST_ELEMENT_SECONDS", 20.0)
    with pytest.raises(_guards.Stalled, match="produced only 2 elements in 1 s: does the generator block"):
        _guards.take_elements(_waiting_dataset(release, first=[0, 1]), 3)


def test_items_in_time_stops_waiting_on_an_empty_queue(short_waits):
    empty: queue.Queue = queue.Queue()

    def items():
        yield empty.get()

    try:
        with pytest.raises(_guards.Stalled, match="Your generator produced no element in 0.5 s"):
            list(_guards.items_in_time(items(), 2, subject="Your generator"))
    finally:
        empty.put("lets the abandoned thread end")


def test_an_error_in_the_waiting_thread_is_raised_to_the_check():
    def items():
        yield 1
        raise KeyError("no such label")

    with pytest.raises(KeyError, match="no such label"):
        list(_guards.items_in_time(items(), 3))
    with pytest.raises(TypeError):
        list(_guards.items_in_time(3, 1))


def test_elements_reports_a_stall_as_it_is(short_waits, release):
    problem = problem_of(
        _guards.elements, _waiting_dataset(release, first=[]), 2, failure="Iterating raised", hint="h"
    )
    assert_fails(problem, "Your dataset produced no element in 0.5 s", hint="time.sleep")
    assert "raised" not in problem.message


def test_a_self_check_given_a_blocking_generator_ends_and_says_why(short_waits, release):
    def make_padded_ranges(lengths, batch_size):
        def ranges():
            release.wait(timeout=60)
            yield from (np.arange(length, dtype=np.int32) for length in lengths)

        signature = tf.TensorSpec(shape=(None,), dtype=tf.int32)
        dataset = tf.data.Dataset.from_generator(ranges, output_signature=signature)
        return dataset.padded_batch(batch_size, padding_values=-1)

    assert_fails(
        simple_generator.check_padded_ranges(make_padded_ranges),
        "produced no element in 0.5 s",
        hint="queue.get()",
    )


def test_pipeline_ops_reads_the_steps_from_source_to_output_without_settings():
    dataset = tf.data.Dataset.range(3).batch(2).prefetch(1).with_options(tf.data.Options())
    assert _guards.pipeline_ops(dataset) == ["RangeDataset", "BatchDatasetV2", "PrefetchDataset"]
    generated = tf.data.Dataset.from_generator(
        lambda: iter([1]), output_signature=tf.TensorSpec((), tf.int64)
    )
    assert _guards.pipeline_ops(generated.map(lambda x: x))[-2:] == ["FlatMapDataset", "MapDataset"]
