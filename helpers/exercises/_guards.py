"""Guards around a learner's function, shared by every self-check: is it callable, call it and summarise
what it raised, check what it returned, and iterate a bounded number of elements for a bounded time.

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
The learner's code may raise anything: it is reported, never re-raised. It may also never end: elements
are awaited for a stated time only (`FIRST_ELEMENT_SECONDS`, `ALL_ELEMENTS_SECONDS`), then `Stalled` is
raised, which `call` turns into feedback like any error.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from itertools import islice
from typing import Any

import numpy as np

from helpers.exercises.feedback import Feedback
from helpers.messages import error_summary

__all__ = [
    "ALL_ELEMENTS_SECONDS",
    "EXTRA_ELEMENTS",
    "FIRST_ELEMENT_SECONDS",
    "Stalled",
    "built_dataset",
    "call",
    "describe_kind",
    "describe_value",
    "first_items",
    "items_in_time",
    "not_callable",
    "not_dataset",
    "take_elements",
]

EXTRA_ELEMENTS = 5
"""Elements iterated beyond those expected, so an endless dataset cannot hang a check."""

FIRST_ELEMENT_SECONDS = 20.0
"""How long a check waits for the first element of the learner's dataset or generator."""

ALL_ELEMENTS_SECONDS = 60.0
"""How long a check waits for all the elements it takes, counted from the start (a generator may yield
once, then block)."""

_STALLED_HINT = (
    "Look for a wait (`time.sleep`, `queue.get()`, `input()`) or a loop that never ends before a `yield`. "
    "The check has stopped waiting, but your generator may go on running in the background until it "
    "ends or you restart the kernel."
)


class Stalled(Exception):
    """The learner's dataset or generator produced no element in time; `feedback` says so to the learner."""

    def __init__(self, feedback: Feedback) -> None:
        super().__init__(feedback.message)
        self.feedback = feedback


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
        `(result, None)`, or `(None, feedback)` when the call raised, or stopped waiting for elements
        (`Stalled`).
    """
    try:
        return function(*args, **kwargs), None
    except Stalled as stalled:
        return None, stalled.feedback
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
    """One pass over at most `expected_count + EXTRA_ELEMENTS` elements of a dataset, as NumPy values.

    Raises:
        Stalled: no element came within `FIRST_ELEMENT_SECONDS`, or not all within `ALL_ELEMENTS_SECONDS`.
    """
    elements = dataset.take(expected_count + EXTRA_ELEMENTS).as_numpy_iterator()
    return list(items_in_time(elements, expected_count + EXTRA_ELEMENTS, subject="Your dataset"))


def first_items(iterable: Iterable, count: int) -> list:
    """At most `count` items of any iterable (a learner's generator may never end, or never yield).

    Raises:
        Stalled: no item came within `FIRST_ELEMENT_SECONDS`, or not all within `ALL_ELEMENTS_SECONDS`.
    """
    return list(items_in_time(iterable, count, subject="Your generator"))


def items_in_time(iterable: Iterable, count: int, *, subject: str) -> Iterator:
    """Yields at most `count` items of `iterable` as they come, and stops waiting when they are late.

    A blocked generator cannot be stopped from Python, so the items are taken in a daemon thread and
    handed over through a queue; when the time is up this function gives up on the thread (it is left
    running, blocked or looping, until the generator ends or the kernel restarts) and the kernel stays
    usable. An error raised while iterating is raised here.

    Args:
        iterable: the learner's generator, or a dataset's iterator.
        count: the most items to take.
        subject: who produces the items, starting the message ("Your dataset").

    Yields:
        The items, in order.

    Raises:
        Stalled: no item came within `FIRST_ELEMENT_SECONDS`, or not all within `ALL_ELEMENTS_SECONDS`.
    """
    handed: queue.Queue = queue.Queue()
    done = object()

    def take() -> None:
        try:
            for item in islice(iterable, count):
                handed.put((item, None))
        except BaseException as error:  # anything the learner's code raises belongs to the waiting thread
            handed.put((done, error))
        else:
            handed.put((done, None))

    started = time.monotonic()
    threading.Thread(target=take, name="self-check items", daemon=True).start()
    produced = 0
    while True:
        waited_seconds = ALL_ELEMENTS_SECONDS if produced else FIRST_ELEMENT_SECONDS
        try:
            item, error = handed.get(timeout=max(0.0, started + waited_seconds - time.monotonic()))
        except queue.Empty:
            raise Stalled(_stalled_feedback(subject, produced)) from None
        if error is not None:
            raise error
        if item is done:
            return
        produced += 1
        yield item


def _stalled_feedback(subject: str, produced: int) -> Feedback:
    if produced == 0:
        return Feedback.fail(
            f"{subject} produced no element in {FIRST_ELEMENT_SECONDS:g} s: does the generator block, "
            "or loop forever before its first yield?",
            hint=_STALLED_HINT,
        )
    elements = "element" if produced == 1 else "elements"
    return Feedback.fail(
        f"{subject} produced only {produced} {elements} in {ALL_ELEMENTS_SECONDS:g} s: does the generator "
        "block, or loop forever, after a yield?",
        hint=_STALLED_HINT,
    )


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
