"""Guards around a learner's function, shared by every self-check: is it callable, call it and summarise
what it raised, check what it returned, and iterate a bounded number of elements.

Usage:
    from helpers.exercises import _guards

    if not callable(image_dataset):
        return _guards.not_callable(image_dataset, hint="Define `def image_dataset(paths):` ...")
    dataset, problem = _guards.built_dataset(
        image_dataset, paths, failure="Calling image_dataset(paths) raised", hint="...",
        none_hint="...", type_hint="...",
    )

Each guard returns a failing `Feedback` (or None when all is well), so a check reads as a list of
`if problem is not None: return problem` (a failing `Feedback` is falsy: never write `problem or ...`).
The learner's code may raise anything: it is reported, never re-raised.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from itertools import islice
from typing import Any

import numpy as np

from helpers.exercises.feedback import Feedback
from helpers.messages import error_summary

__all__ = [
    "EXTRA_ELEMENTS",
    "built_dataset",
    "call",
    "describe_kind",
    "describe_value",
    "first_items",
    "not_callable",
    "not_dataset",
    "take_elements",
]

EXTRA_ELEMENTS = 5
"""Elements iterated beyond those expected, so an endless dataset cannot hang a check."""


def not_callable(value: object, *, expected: str = "a function", hint: str) -> Feedback:
    """The failure for a check given something that is not callable (e.g. `f()` instead of `f`).

    Call it under `if not callable(value):`, which also tells the type checker the value is callable after.

    Args:
        value: what the learner passed to the check.
        expected: what the check wanted, for the message ("a function", "a generator function").
        hint: what to try next.

    Returns:
        A failing `Feedback` naming the type received.
    """
    return Feedback.fail(f"Expected {expected}, got {type(value).__name__}.", hint=hint)


def call(
    function: Callable[..., Any],
    *args: Any,
    failure: str,
    hint: str | Callable[[BaseException], str],
    **kwargs: Any,
) -> tuple[Any, Feedback | None]:
    """Calls the learner's `function(*args, **kwargs)`; an error becomes a failing `Feedback`.

    Args:
        function: the learner's function (or a small closure around several calls to it).
        *args: its positional arguments.
        failure: the start of the message, followed by the error's one-line summary
            (e.g. "Building the dataset raised").
        hint: what to try next, or a function choosing the hint from the error.
        **kwargs: its keyword arguments.

    Returns:
        `(result, None)`, or `(None, feedback)` when the call raised.
    """
    try:
        return function(*args, **kwargs), None
    except Exception as error:  # the learner's code may raise anything: report it, do not crash
        text = hint(error) if callable(hint) else hint
        return None, Feedback.fail(f"{failure} {error_summary(error)}", hint=text)


def not_dataset(
    value: object, *, subject: str = "Your function", none_hint: str, type_hint: str
) -> Feedback | None:
    """Fails when a learner's function returned None or something other than a `tf.data.Dataset`.

    Args:
        value: what the function returned.
        subject: who returned it, starting the message ("Your function", "make_dataset(paths)").
        none_hint: the hint when it returned None (usually a missing `return`).
        type_hint: the hint when it returned something else.

    Returns:
        A failing `Feedback`, or None when `value` is a dataset.
    """
    import tensorflow as tf

    if value is None:
        return Feedback.fail(f"{subject} returned None.", hint=none_hint)
    if not isinstance(value, tf.data.Dataset):
        return Feedback.fail(
            f"{subject} returned a {type(value).__name__}, not a tf.data.Dataset.", hint=type_hint
        )
    return None


def built_dataset(
    function: Callable[..., Any],
    *args: Any,
    failure: str,
    hint: str | Callable[[BaseException], str],
    subject: str = "Your function",
    none_hint: str,
    type_hint: str,
) -> tuple[Any, Feedback | None]:
    """Calls the learner's dataset-building `function(*args)` and checks it returned a `tf.data.Dataset`.

    `call` followed by `not_dataset`, the pair most checks start with.

    Returns:
        `(dataset, None)`, or `(None, feedback)` when the call raised or returned something else.
    """
    dataset, problem = call(function, *args, failure=failure, hint=hint)
    if problem is None:
        problem = not_dataset(dataset, subject=subject, none_hint=none_hint, type_hint=type_hint)
    return (None, problem) if problem is not None else (dataset, None)


def take_elements(dataset: Any, expected_count: int) -> list:
    """One pass over at most `expected_count + EXTRA_ELEMENTS` elements of a dataset, as NumPy values."""
    return list(dataset.take(expected_count + EXTRA_ELEMENTS).as_numpy_iterator())


def first_items(iterable: Iterable, count: int) -> list:
    """At most `count` items of any iterable (a learner's generator may never end)."""
    return list(islice(iter(iterable), count))


def describe_value(value: Any) -> str:
    """A short, NumPy-version-independent text of an element's values: `([1, 2], 3)`."""
    if isinstance(value, tuple):
        return "(" + ", ".join(describe_value(item) for item in value) + ")"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{key!r}: {describe_value(item)}" for key, item in value.items()) + "}"
    if isinstance(value, np.ndarray | np.generic):
        return repr(value.tolist())
    return repr(value)


def describe_kind(value: Any) -> str:
    """What a value is, without its contents: `uint8 array of shape (8, 8)`, or its type's name."""
    if isinstance(value, np.ndarray):
        return f"{value.dtype} array of shape {value.shape}"
    return type(value).__name__
