"""Self-checks for notebook 01 (a first generator dataset). Pass the function you wrote, not its result.

    from helpers.exercises import simple_generator as ex
    ex.check_squares_dataset(make_squares_dataset)     # the check calls it, iterates it, reports
    ex.check_padded_ranges(make_padded_ranges)

Each check builds the learner's dataset itself (with its own inputs, so hard-coded answers are caught),
iterates a bounded number of elements, and returns a `Feedback` saying what is wrong and what to try.
TensorFlow is imported inside the checks, so importing this module stays fast.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from helpers.exercises import _guards
from helpers.exercises.feedback import Feedback

__all__ = [
    "check_squares_dataset",
    "check_padded_ranges",
    "check_sentence_dataset",
    "FEATURE_KEYS",
    "PADDING_VALUE",
    "RANGE_CASES",
    "SENTENCES",
    "SQUARES_COUNT",
]

SQUARES_COUNT = 10
RANGE_CASES: tuple[tuple[tuple[int, ...], int], ...] = (((3, 1, 4, 2, 5), 2), ((2, 6, 0, 1), 3))
"""(lengths, batch_size) pairs `check_padded_ranges` builds the learner's dataset with."""
PADDING_VALUE = -1
SENTENCES = ("Generators are lazy.", "Pad them.", "Every epoch calls the generator again!")
"""The sentences `check_sentence_dataset` builds the learner's dataset from."""
FEATURE_KEYS = ("text", "word_lengths")

_ERROR_HINTS = (
    (
        "must be a Python callable",
        "Pass the generator function itself (`square_pairs`) or a `lambda` that calls it, "
        "not a generator object (`square_pairs()`).",
    ),
    (
        "must contain objects that are subclass of `tf.TypeSpec`",
        "Write `output_signature` as a tuple (or dict) of `tf.TensorSpec`s: round brackets, not a list.",
    ),
    (
        "can not be used together with",
        "Use `output_signature=` alone; drop `output_types`/`output_shapes`.",
    ),
    (
        "did not match the expected structure",
        "The generator must yield exactly the structure of `output_signature`: a tuple for a tuple "
        "(a list is not a tuple), a dict with the same keys for a dict.",
    ),
    (
        "yielded an element of shape",
        "A dimension that changes from element to element must be `None` in the `tf.TensorSpec` shape.",
    ),
    (
        "could not be converted to the expected type",
        "Check each `tf.TensorSpec` dtype against what the generator yields (text needs `tf.string`).",
    ),
    (
        "Cannot batch tensors with different shapes",
        "`.batch` needs elements of equal shape; use `.padded_batch(batch_size, padding_values=...)`.",
    ),
    (
        "expected to contain",
        "The number given to `assert_cardinality` must equal the number of elements the dataset really "
        "has (count batches after `.batch`). If a second pass is empty, the generator was a generator "
        "object used up by the first pass.",
    ),
)


def _hint_for(error: BaseException) -> str:
    text = str(error)
    for needle, hint in _ERROR_HINTS:
        if needle in text:
            return hint
    return "Read the error above; run your function in a cell on its own to see the full traceback."


def _build(make_dataset: Any, *args: Any) -> tuple[Any, Feedback | None]:
    """Calls the learner's factory; returns (dataset, None) or (None, feedback on what went wrong)."""
    import tensorflow as tf

    if isinstance(make_dataset, tf.data.Dataset):
        return None, Feedback.fail(
            "You passed a dataset; the check needs the function that builds it.",
            hint="Call the check with the function's name, without brackets after it.",
        )
    if not callable(make_dataset):
        return None, Feedback.fail(
            f"You passed a {type(make_dataset).__name__}, not a function.",
            hint="Define the function with `def` and pass its name to the check.",
        )
    return _guards.built_dataset(
        make_dataset,
        *args,
        failure="Building the dataset raised",
        hint=_hint_for,
        none_hint="End it with `return` and the dataset.",
        type_hint="Build it with `tf.data.Dataset.from_generator(...)` and return that.",
    )


def _uses_deprecated_arguments(function: Callable) -> bool:
    try:
        source = inspect.getsource(function)
    except (OSError, TypeError):  # built-ins or code typed where no source is kept
        return False
    return "output_types" in source or "output_shapes" in source


def _epoch(dataset: Any, expected_count: int) -> tuple[list, Feedback | None]:
    """One bounded pass over the dataset, as NumPy values; errors from inside the generator surface here."""
    elements, problem = _guards.call(
        _guards.take_elements, dataset, expected_count, failure="Iterating the dataset raised", hint=_hint_for
    )
    return elements or [], problem


def _spec_text(spec: Any) -> str:
    return f"shape {spec.shape}, dtype {spec.dtype.name}"


def check_squares_dataset(make_squares_dataset: Callable[[], Any]) -> Feedback:
    """Checks exercise 1: `make_squares_dataset()` returns the pairs (i, i**2) for i < 10, done right.

    Right means: built with `output_signature` (two int32 scalars), the ten pairs in order, the same
    pairs on a second pass (re-iterable), and a known cardinality of 10 (via `assert_cardinality`).

    Args:
        make_squares_dataset: the learner's function, taking no arguments.

    Returns:
        Feedback naming the first problem found, with a hint, or confirming every point.
    """
    import tensorflow as tf

    dataset, problem = _build(make_squares_dataset)
    if problem is not None:
        return problem
    if _uses_deprecated_arguments(make_squares_dataset):
        return Feedback.fail(
            "Your function uses the deprecated `output_types`/`output_shapes`.",
            hint="Describe each element with `output_signature=(tf.TensorSpec(...), tf.TensorSpec(...))`.",
        )
    spec = dataset.element_spec
    if not (isinstance(spec, tuple) and len(spec) == 2):
        return Feedback.fail(
            f"Each element should be a pair of tensors, but element_spec is {spec}.",
            hint="Use a tuple of two `tf.TensorSpec(shape=(), dtype=tf.int32)` as output_signature.",
        )
    for name, part in zip(("i", "i**2"), spec, strict=True):
        if not isinstance(part, tf.TensorSpec) or part.shape.rank != 0 or part.dtype != tf.int32:
            return Feedback.fail(
                f"The spec for {name} is {part}; expected a scalar int32 TensorSpec.",
                hint="Scalars have shape `()`; the exercise uses `dtype=tf.int32` like the article.",
            )
    if int(dataset.cardinality()) == tf.data.INFINITE_CARDINALITY:
        return Feedback.fail(
            "The dataset is endless (cardinality -1): `.repeat()` without a count repeats forever.",
            hint="Return one pass of ten pairs; whoever trains on it adds `.repeat` if needed.",
        )
    expected = [(i, i**2) for i in range(SQUARES_COUNT)]
    first, problem = _epoch(dataset, SQUARES_COUNT)
    if problem is not None:
        return problem
    got = [tuple(int(value) for value in pair) for pair in first]
    if len(got) != len(expected):
        more = " or more" if len(got) > len(expected) else ""
        return Feedback.fail(
            f"A pass gives {len(got)}{more} elements; expected {len(expected)}.",
            hint="Yield (i, i**2) for i in range(10), once each.",
        )
    wrong = next((index for index, pair in enumerate(got) if pair != expected[index]), None)
    if wrong is not None:
        return Feedback.fail(
            f"Element {wrong} is {got[wrong]}; expected {expected[wrong]}.",
            hint="Yield the tuple `(i, i**2)`: the number first, its square second.",
        )
    second, problem = _epoch(dataset, SQUARES_COUNT)
    if problem is not None:
        return problem
    if len(second) != len(first):
        return Feedback.fail(
            f"The first pass gives {len(first)} elements, the second {len(second)}: "
            "the dataset cannot be iterated twice.",
            hint="Pass the generator function to from_generator, not `lambda: g` for a generator "
            "object `g` (a generator object is used up after one pass).",
        )
    cardinality = int(dataset.cardinality())
    if cardinality != SQUARES_COUNT:
        return Feedback.fail(
            f"The values are right, but cardinality() is {cardinality} (unknown), so len() fails.",
            hint="Add `.apply(tf.data.experimental.assert_cardinality(10))`.",
        )
    return Feedback.ok(
        "Ten pairs (i, i**2) from output_signature, the same on every pass, and len(dataset) == 10."
    )


def _padded_batches(lengths: Sequence[int], batch_size: int) -> list[np.ndarray]:
    """What `check_padded_ranges` expects: ranges batched, padded with -1 to the longest in each batch."""
    batches = []
    for start in range(0, len(lengths), batch_size):
        chunk = lengths[start : start + batch_size]
        batch = np.full((len(chunk), max(chunk)), PADDING_VALUE, dtype=np.int32)
        for row, length in enumerate(chunk):
            batch[row, :length] = np.arange(length)
        batches.append(batch)
    return batches


def _padding_hint(got: np.ndarray, expected: np.ndarray) -> str:
    if got.shape[0] != expected.shape[0]:
        return "Batch with the `batch_size` argument (not a fixed number); the last batch may be shorter."
    if got.shape[1] != expected.shape[1]:
        return "Leave `padded_shapes` out: each batch is then padded to its own longest row."
    if np.array_equal(np.where(expected == PADDING_VALUE, 0, expected), got):
        return (
            "You padded with 0, but 0 is also a real value of every range: "
            "use `padding_values=-1` so padding can be told apart."
        )
    return "Yield `np.arange(n, dtype=np.int32)` for each length (`generators.integer_ranges` does)."


def check_padded_ranges(make_padded_ranges: Callable[[Sequence[int], int], Any]) -> Feedback:
    """Checks exercise 2: `make_padded_ranges(lengths, batch_size)` gives -1-padded batches of ranges.

    Args:
        make_padded_ranges: the learner's function; called with a list of lengths and a batch size.

    Returns:
        Feedback naming the first problem found, with a hint, or confirming every point.
    """
    import tensorflow as tf

    for lengths, batch_size in RANGE_CASES:
        call = f"make_padded_ranges({list(lengths)}, {batch_size})"
        dataset, problem = _build(make_padded_ranges, list(lengths), batch_size)
        if problem is not None:
            return problem
        spec = dataset.element_spec
        if isinstance(spec, tf.RaggedTensorSpec):
            return Feedback.fail(
                f"{call} gives ragged batches ({spec}); this exercise asks for padded dense ones.",
                hint="Use `.padded_batch(batch_size, padding_values=-1)` instead of a ragged batch.",
            )
        if not isinstance(spec, tf.TensorSpec):
            return Feedback.fail(
                f"Each element of {call} should be one tensor, but element_spec is {spec}.",
                hint="output_signature is a single `tf.TensorSpec(shape=(None,), dtype=tf.int32)`.",
            )
        if spec.dtype != tf.int32:
            return Feedback.fail(
                f"The batches are {spec.dtype.name}; expected int32.",
                hint="Declare `dtype=tf.int32` in the TensorSpec (the ranges are int32).",
            )
        if spec.shape.rank != 2:
            return Feedback.fail(
                f"Elements of {call} have {_spec_text(spec)}: they are not batches of vectors.",
                hint="Keep shape=(None,) in the signature and add "
                "`.padded_batch(batch_size, padding_values=-1)`.",
            )
        expected = _padded_batches(lengths, batch_size)
        got, problem = _epoch(dataset, len(expected))
        if problem is not None:
            return problem
        if len(got) != len(expected):
            return Feedback.fail(
                f"{call} gives {len(got)} batches; expected {len(expected)}.",
                hint="One range per length, grouped `batch_size` at a time.",
            )
        for index, (got_batch, expected_batch) in enumerate(zip(got, expected, strict=True)):
            if got_batch.shape != expected_batch.shape or not np.array_equal(got_batch, expected_batch):
                return Feedback.fail(
                    f"Batch {index} of {call} is {_guards.describe_value(got_batch)}; "
                    f"expected {_guards.describe_value(expected_batch)}.",
                    hint=_padding_hint(got_batch, expected_batch),
                )
    return Feedback.ok(
        "Variable-length ranges with shape (None,), batched with padded_batch and padded with -1, "
        "for any lengths and batch size."
    )


def check_sentence_dataset(make_sentence_dataset: Callable[[Sequence[str]], Any]) -> Feedback:
    """Checks exercise 3: `(features, word_count)` pairs, features a dict of text and word lengths.

    Expected element_spec: `({"text": string (), "word_lengths": int32 (None,)}, int32 ())`.

    Args:
        make_sentence_dataset: the learner's function; called with a list of sentences.

    Returns:
        Feedback naming the first problem found, with a hint, or confirming every point.
    """
    import tensorflow as tf

    from helpers.generators import sentence_records

    dataset, problem = _build(make_sentence_dataset, list(SENTENCES))
    if problem is not None:
        return problem
    spec = dataset.element_spec
    if not (isinstance(spec, tuple) and len(spec) == 2 and isinstance(spec[0], dict)):
        return Feedback.fail(
            f"element_spec is {spec}; expected a tuple (features dict, label).",
            hint='Write output_signature as ({"text": ..., "word_lengths": ...}, tf.TensorSpec(...)).',
        )
    features, label = spec
    missing = [key for key in FEATURE_KEYS if key not in features]
    extra = [key for key in features if key not in FEATURE_KEYS]
    if missing or extra:
        return Feedback.fail(
            f"The features dict has keys {sorted(features)}; missing {missing}, unexpected {extra}.",
            hint=f"Use exactly the keys {list(FEATURE_KEYS)} in the signature and in what you yield.",
        )
    wanted = {
        "features['text']": (features["text"], tf.string, 0),
        "features['word_lengths']": (features["word_lengths"], tf.int32, 1),
        "the label": (label, tf.int32, 0),
    }
    for name, (part, dtype, rank) in wanted.items():
        if not isinstance(part, tf.TensorSpec) or part.dtype != dtype or part.shape.rank != rank:
            shape = "()" if rank == 0 else "(None,)"
            return Feedback.fail(
                f"The spec for {name} is {part}; expected shape {shape} and dtype {dtype.name}.",
                hint="Text is a scalar tf.string; a list of word lengths is int32 of shape (None,).",
            )
    if features["word_lengths"].shape[0] is not None:
        return Feedback.fail(
            f"features['word_lengths'] has fixed shape {features['word_lengths'].shape}, "
            "but sentences have different numbers of words.",
            hint="Use `shape=(None,)`.",
        )
    records = list(sentence_records(SENTENCES))
    got, problem = _epoch(dataset, len(records))
    if problem is not None:
        return problem
    if len(got) != len(records):
        return Feedback.fail(
            f"{len(got)} elements for {len(records)} sentences.", hint="Yield once per sentence."
        )
    for index, ((got_features, got_label), record) in enumerate(zip(got, records, strict=True)):
        right = (
            got_features["text"] == record["text"].encode()
            and np.array_equal(got_features["word_lengths"], record["word_lengths"])
            and int(got_label) == record["word_count"]
        )
        if not right:
            wanted_element = (
                {"text": record["text"].encode(), "word_lengths": record["word_lengths"]},
                record["word_count"],
            )
            return Feedback.fail(
                f"Element {index} is {_guards.describe_value((got_features, got_label))}; "
                f"expected {_guards.describe_value(wanted_element)}.",
                hint="Use the sentences passed to your function; the label is the number of words.",
            )
    return Feedback.ok(
        "Elements are (features, label) with a dict of text and variable-length word lengths, "
        "all values right."
    )
