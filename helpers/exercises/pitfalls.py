"""Self-checks for notebook 04 (the errors people hit). Pass what you wrote: the function, the signature.

from helpers.exercises import pitfalls as ex
ex.check_numbers_dataset(numbers_dataset)    # calls it with texts of its own and iterates the dataset
ex.check_batch_signature(SIGNATURE)          # checks it with the doctor against pixel_label_batches
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from helpers.exercises import _guards
from helpers.exercises.feedback import Feedback
from helpers.messages import error_summary

__all__ = ["check_batch_signature", "check_numbers_dataset"]

# The texts check_numbers_dataset passes (some must be skipped and recorded); the (count, batch_size)
# check_batch_signature calls generators.pixel_label_batches with.
_NUMBER_CASES = (("12", "7", "x7", "40", "", "-3", "1.5", "8"), ("oops", "5", "6", "seven", "100"))
_BATCH_ARGS = (10, 4)


@_guards.self_check
def check_numbers_dataset(numbers_dataset: Callable[..., Any]) -> Feedback:
    """Checks the core exercise: `numbers_dataset(texts, skipped)` gives every whole number in `texts` as an
    integer scalar, in order, and records each other text (or an error naming it) in `skipped`, in order."""
    import tensorflow as tf

    for texts in _NUMBER_CASES:
        expected = [int(text) for text in texts if text.lstrip("-").isdigit()]
        bad = [text for text in texts if not text.lstrip("-").isdigit()]
        call = f"numbers_dataset({list(texts)}, skipped)"
        skipped: list = []
        dataset = _guards.dataset_from(
            numbers_dataset,
            list(texts),
            skipped,
            failure=f"{call} raised",
            hint="Only build the dataset here: the texts are converted later, inside the generator.",
            subject=call,
            none_hint="A function without `return` gives None: return the dataset you build.",
            type_hint="Return the dataset that tf.data.Dataset.from_generator(...) gives.",
        )
        spec = dataset.element_spec
        if not (isinstance(spec, tf.TensorSpec) and spec.shape == () and spec.dtype.is_integer):
            return Feedback.fail(
                f"Each element should be one whole number, but the dataset's element_spec is {spec}.",
                hint="One number per element: what shape and dtype does a single whole number have?",
                more="output_signature=tf.TensorSpec(shape=(), dtype=tf.int32)",
            )
        got: list[int] = []
        try:
            for value in _guards.items_in_time(
                dataset, len(expected) + _guards.EXTRA_ELEMENTS, subject="The dataset"
            ):
                got.append(int(value))
        except tf.errors.OpError as error:
            return Feedback.fail(
                f"With texts {list(texts)} the dataset gave {got}, then ended with {error_summary(error)}",
                hint="An exception inside the generator ends the dataset. Where can you stop one bad text's "
                "error?",
                more="Inside the generator's loop: `try: number = int(text)`, then `except ValueError:` "
                "append the text to `skipped` and `continue`; after the try, `yield number`.",
            )
        if got != expected and got == expected[: len(got)]:
            return Feedback.fail(
                f"With texts {list(texts)} the dataset stops after {got}; expected {expected}.",
                hint="Skip a bad text and go on with the next one: what ends a loop, and what only skips "
                "to its next turn?",
                more="`continue` goes on with the next text; `return` and `break` end the generator.",
            )
        if got != expected:
            return Feedback.fail(
                f"With texts {list(texts)} the dataset gives {got}; expected {expected}.",
                hint="Yield int(text) for every text that is a whole number, in order, and nothing else.",
            )
        records = [r.decode(errors="replace") if isinstance(r, bytes) else str(r) for r in skipped]
        if len(records) != len(bad) or not all(
            text in record for record, text in zip(records, bad, strict=True)
        ):
            return Feedback.fail(
                f"With texts {list(texts)} the numbers are right, but skipped holds {records}; expected a "
                f"record of each of {bad}.",
                hint="Nothing should be lost silently: record each text you skip, once, in the list you were "
                "given.",
                more="In the `except ValueError:` branch, `skipped.append(text)` before `continue`.",
            )
    return Feedback.ok(
        "Bad texts are skipped inside the generator and recorded, and every whole number comes through, "
        "in order."
    )


@_guards.self_check
def check_batch_signature(signature: Any) -> Feedback:
    """Checks the deep dive's exercise: an `output_signature` for `generators.pixel_label_batches(10, 4)`
    that every batch, the short last one included, passes `doctor.checked` with, and `doctor.diagnose` finds
    nothing to warn about (such as unscaled uint8 declared as float)."""
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
        doctor.checked(pixel_label_batches, signature), args=_BATCH_ARGS, output_signature=signature
    )
    count, batch_size = _BATCH_ARGS
    batches = _guards.elements(
        dataset,
        count,
        failure="The checked generator stopped the dataset:",
        hint="Read where (element index and [position]) and what was expected vs received. "
        f"With {count} images in batches of {batch_size} the last batch holds {count % batch_size}.",
    )
    diagnosis = doctor.diagnose(pixel_label_batches, signature, args=_BATCH_ARGS)
    warnings = [finding for finding in diagnosis if finding.severity in ("error", "warning")]
    if warnings:
        return Feedback.fail(
            f"Every batch fits, but the doctor warns: {warnings[0].seen}.", hint=warnings[0].advice
        )
    return Feedback.ok(
        f"All {len(batches)} batches fit, the short last one included, with no value changed and "
        "nothing for the doctor to warn about."
    )
