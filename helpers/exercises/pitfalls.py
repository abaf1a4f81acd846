"""Self-checks for notebook 04 (pitfall gallery). Pass what you wrote: the generator function, the signature.

    from helpers.exercises import pitfalls as ex
    ex.check_parse_numbers(parse_numbers)        # runs it through from_generator with its own inputs
    ex.check_batch_signature(SIGNATURE)          # checks it with the doctor against pixel_label_batches

Each check builds the dataset itself, with inputs of its own (so hard-coded answers are caught), iterates a
bounded number of elements and returns a `Feedback` saying what is wrong and what to try.
TensorFlow is imported inside the checks, so importing this module stays fast.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

from helpers.exercises import _guards
from helpers.exercises.feedback import Feedback
from helpers.messages import error_summary

__all__ = ["NUMBER_CASES", "BATCH_ARGS", "check_parse_numbers", "check_batch_signature"]

NUMBER_CASES: tuple[tuple[str, ...], ...] = (
    ("12", "7", "x7", "40", "", "-3", "1.5", "8"),
    ("oops", "5", "6", "seven", "100"),
)
"""The texts `check_parse_numbers` passes through `args`: some are not whole numbers and must be skipped."""

BATCH_ARGS = (10, 4)
"""(count, batch_size) that `check_batch_signature` calls `generators.pixel_label_batches` with."""


def _whole_numbers(texts: tuple[str, ...]) -> list[int]:
    values = []
    for text in texts:
        try:
            values.append(int(text))
        except ValueError:
            continue
    return values


def check_parse_numbers(parse_numbers: Callable[..., Any]) -> Feedback:
    """Checks exercise 1: a generator function `parse_numbers(texts)` that skips texts that are not numbers.

    The check runs `from_generator(parse_numbers, args=(texts,), output_signature=int32 scalar)` for
    each case in `NUMBER_CASES`: the texts arrive as an array of bytes, as args always do.

    Args:
        parse_numbers: the learner's generator function.

    Returns:
        Feedback naming the first problem found, with a hint, or confirming it works.
    """
    import tensorflow as tf

    if inspect.isgenerator(parse_numbers) or not callable(parse_numbers):
        return Feedback.fail(
            f"You passed a {type(parse_numbers).__name__}, not a generator function.",
            hint="Pass the function's name, without calling it: `check_parse_numbers(parse_numbers)`.",
        )
    for texts in NUMBER_CASES:
        expected = _whole_numbers(texts)
        dataset = tf.data.Dataset.from_generator(
            parse_numbers, args=(list(texts),), output_signature=tf.TensorSpec(shape=(), dtype=tf.int32)
        )
        got: list[int] = []
        try:
            for value in _guards.items_in_time(
                dataset, len(expected) + _guards.EXTRA_ELEMENTS, subject="The dataset"
            ):
                got.append(int(value))
        except _guards.Stalled as stalled:
            return stalled.feedback
        except tf.errors.OpError as error:
            return Feedback.fail(
                f"With texts {list(texts)} the dataset gave {got}, then raised {error_summary(error)} "
                "An exception inside the generator ends the whole dataset.",
                hint="Put the conversion of ONE text in try/except ValueError inside the loop, and "
                "`continue` with the next text when it fails.",
            )
        if got == expected:
            continue
        if got == expected[: len(got)]:
            return Feedback.fail(
                f"With texts {list(texts)} the dataset stops after {got}; expected {expected}.",
                hint="Skip a bad text and go on with the next one (`continue`); do not `return` or `break`.",
            )
        return Feedback.fail(
            f"With texts {list(texts)} the dataset gives {got}; expected {expected}.",
            hint="Yield int(text) for every text that is a whole number, in order, and nothing else.",
        )
    return Feedback.ok(
        "Bad texts are skipped inside the generator and every whole number comes through, in order."
    )


def check_batch_signature(signature: Any) -> Feedback:
    """Checks exercise 2: an `output_signature` for `generators.pixel_label_batches(10, 4)`.

    Right means: every batch, including the short last one, passes `doctor.checked` (nothing TensorFlow
    would refuse or silently change), and `doctor.diagnose` finds nothing to warn about (no unscaled uint8
    declared as float).

    Args:
        signature: the learner's signature, e.g. `(tf.TensorSpec(...), tf.TensorSpec(...))`.

    Returns:
        Feedback naming the first problem found, with a hint, or confirming it works.
    """
    import tensorflow as tf

    from helpers import doctor
    from helpers.generators import pixel_label_batches

    if signature is None:
        return Feedback.fail(
            "SIGNATURE is None.", hint="Write a tuple of two tf.TensorSpec: (images, labels)."
        )
    if not isinstance(signature, tuple) or len(signature) != 2:
        return Feedback.fail(
            f"The signature is {signature!r}; each element is a pair (images, labels).",
            hint="Use a tuple of two tf.TensorSpec, in round brackets (a list is not accepted).",
        )
    if not all(isinstance(spec, tf.TensorSpec) for spec in signature):
        return Feedback.fail(
            f"The signature holds {[type(spec).__name__ for spec in signature]}.",
            hint="Both parts are dense tensors: use tf.TensorSpec(shape=..., dtype=...) for each.",
        )
    dataset = tf.data.Dataset.from_generator(
        doctor.checked(pixel_label_batches, signature), args=BATCH_ARGS, output_signature=signature
    )
    count, batch_size = BATCH_ARGS
    try:
        batches = sum(1 for _ in dataset.take(count))
    except tf.errors.OpError as error:
        return Feedback.fail(
            f"The checked generator stopped the dataset: {error_summary(error)}",
            hint="Read where (element index and [position]) and what was expected vs received. "
            f"With {count} images in batches of {batch_size} the last batch holds {count % batch_size}.",
        )
    findings = [
        finding
        for finding in doctor.diagnose(pixel_label_batches, signature, args=BATCH_ARGS)
        if finding.severity in ("error", "warning")
    ]
    if findings:
        return Feedback.fail(
            f"Every batch fits, but the doctor warns: {findings[0].seen}.", hint=findings[0].advice
        )
    return Feedback.ok(
        f"All {batches} batches fit, the short last one included, with no value changed and "
        "nothing for the doctor to warn about."
    )
