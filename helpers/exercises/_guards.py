"""What every self-check does to a learner's function: is it callable, call it and summarise what it raised,
did it return a dataset, and take a bounded number of elements in a bounded time.

    @_guards.self_check
    def check_image_dataset(image_dataset) -> Feedback:
        dataset = _guards.dataset_from(image_dataset, paths, failure="Calling it raised", hint="...")
        batches = _guards.elements(dataset, 2, failure="Iterating raised", hint="...", advice=ADVICE)
        if len(batches) != 2:
            _guards.fail("...", hint="...", more="...")
        return Feedback.ok("...")

The first requirement not met raises `Problem` with its `Feedback`, which `@self_check` returns. The
learner's code may raise anything (reported, never re-raised) or never yield: elements are awaited for
`FIRST_ELEMENT_SECONDS` and `ALL_ELEMENTS_SECONDS`, then `Stalled`.
"""

from __future__ import annotations

import functools
import queue
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from itertools import islice
from typing import Any, NoReturn

import numpy as np

from helpers.exercises.feedback import Feedback
from helpers.messages import error_summary

__all__ = [
    "ALL_ELEMENTS_SECONDS",
    "EXTRA_ELEMENTS",
    "FIRST_ELEMENT_SECONDS",
    "Advice",
    "Problem",
    "Stalled",
    "dataset_from",
    "describe_kind",
    "describe_value",
    "elements",
    "fail",
    "items_in_time",
    "must_be_callable",
    "pipeline_ops",
    "run",
    "self_check",
    "take_elements",
]

EXTRA_ELEMENTS = 5  # elements taken beyond those expected, so an endless dataset cannot hang a check
FIRST_ELEMENT_SECONDS = 20.0  # how long a check waits for the first element of the learner's dataset
ALL_ELEMENTS_SECONDS = 60.0  # ... and for all it takes, from the start: a generator may yield, then hang

Advice = Sequence[tuple[str, str, str]]
"""`(text in the error, hint, second hint)` rows: an exercise's usual errors and what to say about each."""

_STALLED_HINT = (
    "Look for a wait (`time.sleep`, `queue.get()`, `input()`) or a loop that never ends before a `yield`. "
    "The check has stopped waiting, but your generator may go on running in the background until it "
    "ends or you restart the kernel."
)
_READ_THE_ERROR = "Read the error above; run your function in a cell on its own to see the full traceback."


class Problem(Exception):
    """The first requirement a learner's code does not meet; `feedback` says which, with hints."""

    def __init__(self, feedback: Feedback) -> None:
        super().__init__(feedback.message)
        self.feedback = feedback


class Stalled(Problem):
    """The learner's dataset or generator produced no element in time."""


def self_check(check: Callable[..., Feedback]) -> Callable[..., Feedback]:
    """Decorates a check: a `Problem` raised inside it becomes the `Feedback` it returns."""

    @functools.wraps(check)
    def checked(*args: Any, **kwargs: Any) -> Feedback:
        try:
            return check(*args, **kwargs)
        except Problem as problem:
            return problem.feedback

    return checked


def fail(message: str, *, hint: str, more: str = "") -> NoReturn:
    """Ends a check with a failing `Feedback`: what was found, a hint at the idea, a second one on request."""
    raise Problem(Feedback.fail(message, hint=hint, more=more))


def must_be_callable(value: object, *, hint: str) -> None:
    """Fails the check when given something that is not callable (e.g. `f()` instead of `f`)."""
    if not callable(value):
        fail(f"Expected a function, got {type(value).__name__}.", hint=hint)


def run(
    function: Callable[..., Any],
    *args: Any,
    failure: str,
    hint: str = _READ_THE_ERROR,
    more: str = "",
    advice: Advice = (),
    **kwargs: Any,
) -> Any:
    """Returns the learner's `function(*args, **kwargs)`; what it raises fails the check.

    Args:
        function: the learner's function (or a small closure around several calls to it), called with
            `*args` and `**kwargs`.
        failure: the start of the message, followed by the error's one-line summary.
        hint: what to try next.
        more: the second hint.
        advice: the first row whose text is in the error's summary gives the hints instead.

    Raises:
        Problem: the call raised (summarised), or stopped waiting for elements (`Stalled`).
    """
    try:
        return function(*args, **kwargs)
    except Problem:
        raise
    except Exception as error:  # the learner's code may raise anything: report it, do not crash
        summary = error_summary(error)
        hint, more = next(((hint, more) for text, hint, more in advice if text in summary), (hint, more))
        fail(f"{failure} {summary}", hint=hint, more=more)


def dataset_from(
    function: Any,
    *args: Any,
    failure: str = "Building the dataset raised",
    hint: str = _READ_THE_ERROR,
    subject: str = "Your function",
    callable_hint: str = "Pass the function itself: its name, without brackets after it.",
    none_hint: str = "A function without `return` gives back None: return the dataset it builds.",
    none_more: str = "",
    type_hint: str = "The dataset comes from `tf.data.Dataset.from_generator(...)`; return that.",
    advice: Advice = (),
    **kwargs: Any,
) -> Any:
    """Returns the `tf.data.Dataset` the learner's `function(*args, **kwargs)` builds.

    Raises:
        Problem: `function` is not callable, raised (see `run`), or returned None (`none_hint`, `none_more`)
            or something other than a dataset (`type_hint`); `subject` starts the message.
    """
    import tensorflow as tf

    must_be_callable(function, hint=callable_hint)
    dataset = run(function, *args, failure=failure, hint=hint, advice=advice, **kwargs)
    if dataset is None:
        fail(f"{subject} returned None.", hint=none_hint, more=none_more)
    if not isinstance(dataset, tf.data.Dataset):
        fail(f"{subject} returned a {type(dataset).__name__}, not a tf.data.Dataset.", hint=type_hint)
    return dataset


def elements(dataset: Any, expected_count: int, **options: Any) -> list:
    """`take_elements` under `run` (`options` are its `failure`, hints and `advice`): one bounded pass, or the
    check fails with what it raised."""
    return run(take_elements, dataset, expected_count, **options)


def take_elements(dataset: Any, expected_count: int) -> list:
    """One pass over at most `expected_count + EXTRA_ELEMENTS` elements of a dataset, as NumPy values.

    Raises:
        Stalled: no element came within `FIRST_ELEMENT_SECONDS`, or not all within `ALL_ELEMENTS_SECONDS`.
    """
    elements = dataset.take(expected_count + EXTRA_ELEMENTS).as_numpy_iterator()
    return list(items_in_time(elements, expected_count + EXTRA_ELEMENTS))


def items_in_time(iterable: Iterable, count: int, *, subject: str = "Your dataset") -> Iterator:
    """Yields at most `count` items of `iterable` as they come, and stops waiting when they are late.

    A blocked generator cannot be stopped from Python, so a daemon thread takes the items and hands them
    over through a queue; when time is up the thread is abandoned (it runs until the generator ends or the
    kernel restarts) and the kernel stays usable. An error raised while iterating is raised here.

    Args:
        iterable: the learner's generator, or a dataset's iterator.
        count: the most items to take.
        subject: who produces the items, starting the message ("Your dataset").

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
            if produced == 0:
                message = (
                    f"{subject} produced no element in {FIRST_ELEMENT_SECONDS:g} s: does the generator "
                    "block, or loop forever before its first yield?"
                )
            else:
                message = (
                    f"{subject} produced only {produced} {'element' if produced == 1 else 'elements'} in "
                    f"{ALL_ELEMENTS_SECONDS:g} s: does the generator block, or loop forever, after a yield?"
                )
            raise Stalled(Feedback.fail(message, hint=_STALLED_HINT)) from None
        if error is not None:
            raise error
        if item is done:
            return
        produced += 1
        yield item


def pipeline_ops(dataset: Any) -> list[str]:
    """The ops of a dataset's pipeline from its source to its output (`with_options` steps left out), read
    from its graph through public APIs: `["GeneratorDataset", "BatchDatasetV2", "PrefetchDataset"]`."""
    import tensorflow as tf

    serialized = tf.raw_ops.DatasetToGraphV2(
        input_dataset=tf.data.experimental.to_variant(dataset),
        # from_generator's Python function is state outside the graph; only the graph's shape is read.
        external_state_policy=tf.data.experimental.ExternalStatePolicy.IGNORE.value,
        strip_device_assignment=True,
    )
    graph = tf.compat.v1.GraphDef.FromString(serialized.numpy())
    nodes = {node.name: node for node in graph.node}
    node = nodes[next(node for node in graph.node if node.op == "_Retval").input[0].split(":")[0]]
    chain = []
    while True:
        if node.op != "OptionsDataset":
            chain.append(node.op)
        inputs = [nodes[name.split(":")[0]] for name in node.input if not name.startswith("^")]
        datasets_in = [input_node for input_node in inputs if "Dataset" in input_node.op]
        if not datasets_in:
            return chain[::-1]
        node = datasets_in[0]


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
    """What a value or a spec is, without its contents: `uint8 array of shape (8, 8)`,
    `TensorSpec(shape=(8, 8), dtype=float32)`, or its type's name."""
    if isinstance(value, np.ndarray | np.generic):
        return f"{value.dtype} array of shape {value.shape}"
    if hasattr(value, "shape") and hasattr(value, "dtype"):
        shape = tuple(value.shape) if value.shape.rank is not None else None
        return f"{type(value).__name__}(shape={shape}, dtype={value.dtype.name})"
    return type(value).__name__
