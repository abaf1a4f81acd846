"""Self-checks for notebook 01 (a first generator dataset). Pass the function you wrote, not its result.

    from helpers.exercises import simple_generator as ex
    ex.check_padded_ranges(make_padded_ranges)         # core: -1-padded batches of ranges
    ex.check_sentence_dataset(make_sentence_dataset)   # deep dive: (features dict, word count) pairs

Each check builds the learner's dataset with inputs of its own, so hard-coded answers are caught.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from helpers.exercises import _guards
from helpers.exercises.feedback import Feedback

__all__ = ["check_padded_ranges", "check_sentence_dataset"]

# (lengths, batch_size) for check_padded_ranges; sentences for check_sentence_dataset.
_RANGE_CASES: tuple[tuple[tuple[int, ...], int], ...] = (((3, 1, 4, 2, 5), 2), ((2, 6, 0, 1), 3))
_PADDING_VALUE = -1
_SENTENCES = ("Generators are lazy.", "Pad them.", "Every epoch calls the generator again!")
_FEATURE_KEYS = ("text", "word_lengths")

_ERROR_ADVICE = (
    (
        "must be a Python callable",
        "from_generator calls what you give it, once for every pass over the dataset.",
        "Pass the generator function itself, or a `lambda` that calls it: not a generator object "
        "(a call with brackets).",
    ),
    (
        "must contain objects that are subclass of `tf.TypeSpec`",
        "output_signature is nested exactly like each element: one `tf.TensorSpec`, or a tuple or dict "
        "of them.",
        "A list is not a structure TensorFlow accepts here: use round brackets for a tuple.",
    ),
    (
        "did not match the expected structure",
        "What the generator yields must have exactly the structure of output_signature.",
        "A tuple for a tuple (a list is not a tuple), a dict with the same keys for a dict, one array for "
        "one TensorSpec.",
    ),
    (
        "yielded an element of shape",
        "The signature's shape must fit every element, and these elements differ in length.",
        "A dimension that varies is `None` in the TensorSpec's shape: `shape=(None,)`.",
    ),
    (
        "could not be converted to the expected type",
        "The yielded element in the message does not fit its TensorSpec: compare the two.",
        "One array for one TensorSpec (a pair needs a tuple of two); text needs `tf.string`, whole numbers "
        "an integer dtype such as `tf.int32`.",
    ),
    (
        "Cannot batch tensors with different shapes",
        "`batch` stacks elements into one tensor, so they must all have the same shape.",
        "`.padded_batch(batch_size, padding_values=...)` pads each batch to its longest element.",
    ),
)


def _build(make_dataset: Any, *args: Any) -> Any:
    """The dataset the learner's factory builds; fails on deprecated arguments too."""
    try:
        source = inspect.getsource(make_dataset)
    except (OSError, TypeError):  # not a function, or code typed where no source is kept
        source = ""
    if "output_types" in source or "output_shapes" in source:
        _guards.fail(
            "Your function uses the deprecated `output_types`/`output_shapes`.",
            hint="One argument now describes each element's shapes and dtypes together.",
            more="`output_signature=` with a `tf.TensorSpec(shape=..., dtype=...)` per tensor.",
        )
    return _guards.dataset_from(
        make_dataset,
        *args,
        advice=_ERROR_ADVICE,
    )


def _epoch(dataset: Any, expected_count: int) -> list:
    return _guards.elements(
        dataset, expected_count, failure="Iterating the dataset raised", advice=_ERROR_ADVICE
    )


def _padding_advice(got: np.ndarray, expected: np.ndarray) -> tuple[str, str]:
    if got.shape[0] != expected.shape[0]:
        return (
            "Each batch holds `batch_size` ranges (the last may hold fewer).",
            "Give `padded_batch` the `batch_size` your function receives, not a number of your own.",
        )
    if np.array_equal(np.where(expected == _PADDING_VALUE, 0, expected), got):
        return (
            "You padded with 0, but 0 is also a real value of every range: padding must be a value no "
            "range contains.",
            "`padded_batch(batch_size, padding_values=-1)`.",
        )
    if [row[row != _PADDING_VALUE].tolist() for row in got] == [
        row[row != _PADDING_VALUE].tolist() for row in expected
    ]:
        return (
            "The ranges are right; each batch should be as wide as its own longest range.",
            "Leave `padded_shapes` out of `padded_batch`.",
        )
    return (
        "Row by row, a batch should hold `0, 1, ..., n-1` for each length `n`, in the order of `lengths`.",
        "Yield `np.arange(n, dtype=np.int32)` for each `n` in the `lengths` your function receives.",
    )


def _check_range_spec(spec: Any, call: str) -> None:
    """Fails the check unless the dataset's element_spec is int32 batches of vectors."""
    import tensorflow as tf

    if isinstance(spec, tf.RaggedTensorSpec):
        _guards.fail(
            f"{call} gives ragged batches ({spec}); this exercise asks for padded dense ones.",
            hint="A padded batch is a rectangle: short rows are filled up with a padding value.",
            more="Use `.padded_batch(batch_size, padding_values=-1)` instead of a ragged batch.",
        )
    if not isinstance(spec, tf.TensorSpec):
        _guards.fail(
            f"Each element of {call} should be one tensor, but element_spec is {spec}.",
            hint="The generator yields one range at a time: one tensor, not a pair or a dict.",
            more="output_signature is a single `tf.TensorSpec(shape=(None,), dtype=tf.int32)`.",
        )
    if spec.dtype != tf.int32:
        _guards.fail(
            f"The batches are {spec.dtype.name}; expected int32.",
            hint="The signature's dtype decides the dtype of what comes out.",
            more="Declare `dtype=tf.int32` in the TensorSpec.",
        )
    if spec.shape.rank != 2:
        _guards.fail(
            f"Elements of {call} have shape {spec.shape}, dtype {spec.dtype.name}: they are not batches of "
            "vectors.",
            hint="The dataset should give batches: one row per range.",
            more="Keep `shape=(None,)` in the signature and add "
            "`.padded_batch(batch_size, padding_values=-1)`.",
        )


@_guards.self_check
def check_padded_ranges(make_padded_ranges: Callable[[Sequence[int], int], Any]) -> Feedback:
    """Checks the core exercise: `make_padded_ranges(lengths, batch_size)` gives int32 batches of
    `np.arange(n)` for each length, each padded with -1 to its longest range, the same on a second pass."""
    for lengths, batch_size in _RANGE_CASES:
        call = f"make_padded_ranges({list(lengths)}, {batch_size})"
        dataset = _build(make_padded_ranges, list(lengths), batch_size)
        _check_range_spec(dataset.element_spec, call)
        chunks = [lengths[start : start + batch_size] for start in range(0, len(lengths), batch_size)]
        expected = [
            np.array([[*range(n), *[_PADDING_VALUE] * (max(chunk) - n)] for n in chunk], dtype=np.int32)
            for chunk in chunks
        ]
        got = _epoch(dataset, len(expected))
        if len(got) != len(expected):
            return Feedback.fail(
                f"{call} gives {len(got)} batches; expected {len(expected)}.",
                hint="One range per length, grouped `batch_size` at a time.",
                more="Loop over the `lengths` your function receives, not lengths of your own.",
            )
        for index, (got_batch, expected_batch) in enumerate(zip(got, expected, strict=True)):
            if got_batch.shape != expected_batch.shape or not np.array_equal(got_batch, expected_batch):
                hint, more = _padding_advice(got_batch, expected_batch)
                return Feedback.fail(
                    f"Batch {index} of {call} is {_guards.describe_value(got_batch)}; "
                    f"expected {_guards.describe_value(expected_batch)}.",
                    hint=hint,
                    more=more,
                )
        second_count = len(_epoch(dataset, len(expected)))
        if second_count != len(expected):
            return Feedback.fail(
                f"The first pass over {call} gives {len(expected)} batches, the second {second_count}.",
                hint="TensorFlow starts the generator again for every pass (every epoch).",
                more="Give from_generator a function that makes a new generator (`lambda: ranges(lengths)`), "
                "not a `lambda` returning one generator object made before.",
            )
    return Feedback.ok(
        "Variable-length ranges with shape (None,), batched with padded_batch and padded with -1, "
        "for any lengths and batch size, on every pass."
    )


@_guards.self_check
def check_sentence_dataset(make_sentence_dataset: Callable[[Sequence[str]], Any]) -> Feedback:
    """Checks the deep dive's exercise: `({"text": string (), "word_lengths": int32 (None,)}, int32 ())`
    pairs, with the values `generators.sentence_records` gives for the check's three sentences."""
    import tensorflow as tf

    from helpers.generators import sentence_records

    dataset = _build(make_sentence_dataset, list(_SENTENCES))
    spec = dataset.element_spec
    if not (isinstance(spec, tuple) and len(spec) == 2 and isinstance(spec[0], dict)):
        return Feedback.fail(
            f"element_spec is {spec}; expected a tuple (features dict, label).",
            hint="Each element is a pair: a dict of features first, then the label.",
            more='output_signature = ({"text": ..., "word_lengths": ...}, tf.TensorSpec(...)).',
        )
    features, label = spec
    missing = [key for key in _FEATURE_KEYS if key not in features]
    extra = [key for key in features if key not in _FEATURE_KEYS]
    if missing or extra:
        return Feedback.fail(
            f"The features dict has keys {sorted(features)}; missing {missing}, unexpected {extra}.",
            hint=f"Use exactly the keys {list(_FEATURE_KEYS)} in the signature and in what you yield.",
            more="The word count is the label: it goes outside the dict, second in the pair.",
        )
    wanted = {
        "features['text']": (features["text"], tf.string, 0),
        "features['word_lengths']": (features["word_lengths"], tf.int32, 1),
        "the label": (label, tf.int32, 0),
    }
    for name, (part, dtype, rank) in wanted.items():
        if not isinstance(part, tf.TensorSpec) or part.dtype != dtype or part.shape.rank != rank:
            return Feedback.fail(
                f"The spec for {name} is {part}; expected shape {'(None,)' if rank else '()'} and dtype "
                f"{dtype.name}.",
                hint="Text is a string scalar; word lengths are an int32 vector; a count is an int32 scalar.",
                more="`tf.TensorSpec((), tf.string)`, `tf.TensorSpec((None,), tf.int32)`, "
                "`tf.TensorSpec((), tf.int32)`.",
            )
    if features["word_lengths"].shape[0] is not None:
        return Feedback.fail(
            f"features['word_lengths'] has fixed shape {features['word_lengths'].shape}, "
            "but sentences have different numbers of words.",
            hint="A dimension that varies from element to element cannot have a fixed size.",
            more="Use `shape=(None,)`.",
        )
    wanted_elements = [
        ({"text": record["text"].encode(), "word_lengths": record["word_lengths"]}, record["word_count"])
        for record in sentence_records(_SENTENCES)
    ]
    got = _epoch(dataset, len(wanted_elements))
    if len(got) != len(wanted_elements):
        return Feedback.fail(
            f"{len(got)} elements for {len(wanted_elements)} sentences.",
            hint="Yield once per sentence.",
            more="Loop over `generators.sentence_records(sentences)` with the sentences your function "
            "receives.",
        )
    for index, (element, wanted_element) in enumerate(zip(got, wanted_elements, strict=True)):
        if _guards.describe_value(element) != _guards.describe_value(wanted_element):
            return Feedback.fail(
                f"Element {index} is {_guards.describe_value(element)}; "
                f"expected {_guards.describe_value(wanted_element)}.",
                hint="Use the sentences passed to your function; the label is the number of words.",
                more='For each record `r`: yield `({"text": r["text"], "word_lengths": r["word_lengths"]}, '
                'r["word_count"])`.',
            )
    return Feedback.ok(
        "Elements are (features, label) with a dict of text and variable-length word lengths, "
        "all values right."
    )
