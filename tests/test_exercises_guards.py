"""helpers.exercises._guards: what every self-check does to the learner's function."""

import tensorflow as tf

from helpers.exercises import _guards
from tests.support import assert_fails


def test_not_callable_names_what_it_got():
    assert_fails(
        _guards.not_callable(3, expected="a generator function", hint="Pass f"), "got int", hint="Pass f"
    )


def test_call_returns_the_result_or_a_summary_of_the_error():
    assert _guards.call(lambda a, *, b: a + b, 1, b=2, failure="x", hint="y") == (3, None)

    def failing(path):
        raise FileNotFoundError(f"cannot read {path}")

    result, problem = _guards.call(
        failing, "a.jpg", failure="Reading raised", hint=lambda e: type(e).__name__
    )
    assert result is None
    assert_fails(problem, "Reading raised FileNotFoundError: cannot read a.jpg", hint="FileNotFoundError")


def test_not_dataset_tells_none_from_another_type():
    assert _guards.not_dataset(tf.data.Dataset.range(2), none_hint="n", type_hint="t") is None
    assert_fails(
        _guards.not_dataset(None, none_hint="add return", type_hint="t"), "returned None.", hint="add return"
    )
    assert_fails(
        _guards.not_dataset([1], subject="f(3)", none_hint="n", type_hint="t"),
        "f(3) returned a list, not a tf.data.Dataset.",
        hint="t",
    )


def test_built_dataset_reports_a_raising_call_or_a_wrong_return():
    hints = {"failure": "Building raised", "hint": "h", "none_hint": "n", "type_hint": "t"}
    dataset, problem = _guards.built_dataset(lambda n: tf.data.Dataset.range(n), 3, **hints)
    assert problem is None and list(dataset.as_numpy_iterator()) == [0, 1, 2]
    assert_fails(
        _guards.built_dataset(lambda: 1 / 0, **hints)[1], "Building raised ZeroDivisionError", hint="h"
    )
    assert _guards.built_dataset(lambda: None, **hints)[0] is None
    assert_fails(_guards.built_dataset(lambda: None, **hints)[1], "Your function returned None.", hint="n")
    assert_fails(
        _guards.built_dataset(lambda: [1], subject="f()", **hints)[1],
        "f() returned a list, not a tf.data.Dataset.",
        hint="t",
    )


def test_take_elements_stops_an_endless_dataset():
    endless = tf.data.Dataset.range(1).repeat()
    assert len(_guards.take_elements(endless, 3)) == 3 + _guards.EXTRA_ELEMENTS
    assert _guards.first_items(iter(int, 1), 4) == [0, 0, 0, 0]
