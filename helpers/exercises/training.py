"""Self-checks for notebook 06 (training from a generator pipeline): each returns Feedback with a hint.

    from helpers.exercises import training as exercises
    exercises.check_evaluation_dataset(make_evaluation_dataset, image_paths, labels)  # no augmentation
    exercises.check_save_once(save_once)  # ds.save once, tf.data.Dataset.load after

The checks call the learner's function on small inputs and look at what the returned dataset yields.
TensorFlow (and `helpers.training`, which needs it) is imported inside the checks, so importing this module
stays cheap.
"""

from __future__ import annotations

import math
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from helpers.exercises import _guards
from helpers.exercises.feedback import Feedback
from helpers.messages import error_summary

if TYPE_CHECKING:
    import tensorflow as tf

__all__ = ["CHECK_BATCH_SIZE", "SAVE_CHECK_ELEMENTS", "check_evaluation_dataset", "check_save_once"]

CHECK_BATCH_SIZE = 16
"""The batch size the evaluation-dataset check asks for (not the notebook's, so a hard-coded one shows)."""

SAVE_CHECK_ELEMENTS = 10
"""How many numbers the save-once check's generator yields."""


def _describe_structure(element_spec: Any) -> str:
    """Names what a dataset with this `element_spec` yields, in words a learner can match to their code."""
    import tensorflow as tf

    if isinstance(element_spec, tf.TensorSpec):
        return f"single tensors of shape {element_spec.shape}"
    if isinstance(element_spec, dict):
        return f"dicts with the keys {sorted(element_spec)}"
    if isinstance(element_spec, tuple) and len(element_spec) == 2:
        return "pairs with something other than a tensor inside (a dict or a nested tuple)"
    if isinstance(element_spec, tuple):
        return f"tuples of {len(element_spec)} parts"
    return f"elements described by a {type(element_spec).__name__}"


def check_evaluation_dataset(
    make_evaluation_dataset: Callable[..., tf.data.Dataset],
    image_paths: Sequence[str] | np.ndarray,
    labels: Sequence[int] | np.ndarray,
) -> Feedback:
    """Checks exercise 1: `make_evaluation_dataset(image_paths, labels, batch_size)` for `model.evaluate`.

    The dataset must come from the lesson's generator without augmentation: the files in order,
    unchanged, batched, with a cardinality Keras can read (so no "ran out of data" warning).

    Args:
        make_evaluation_dataset: the learner's function.
        image_paths: image files to call it with (a few dozen are enough).
        labels: their classes.

    Returns:
        Feedback naming the first problem found, or success.
    """
    import tensorflow as tf

    from helpers import training

    image_paths = np.asarray(image_paths, dtype=str)
    labels = np.asarray(labels, dtype=np.int64)
    batch_size = CHECK_BATCH_SIZE
    call = f"make_evaluation_dataset(image_paths, labels, batch_size={batch_size})"
    expected_batches = math.ceil(len(image_paths) / batch_size)
    dataset, problem = _guards.built_dataset(
        make_evaluation_dataset,
        image_paths,
        labels,
        batch_size,
        failure=f"{call} raised",
        hint="Run it in a cell of its own.",
        subject=call,
        none_hint="End the function with `return dataset`.",
        type_hint="Build it with tf.data.Dataset.from_generator(digit_examples, ...).",
    )
    if problem is not None:
        return problem
    element_spec = dataset.element_spec
    is_pair = isinstance(element_spec, tuple) and len(element_spec) == 2
    if not (is_pair and all(isinstance(spec, tf.TensorSpec) for spec in element_spec)):
        return Feedback.fail(
            f"The dataset yields {_describe_structure(element_spec)}; model.evaluate needs (image, label) "
            "pairs.",
            hint="Build it from digit_examples with output_signature=DIGIT_SIGNATURE, which yields "
            "(image, label).",
        )
    image_spec = element_spec[0]
    if image_spec.shape.rank == 3:
        return Feedback.fail(
            f"The images have shape {image_spec.shape}: the dataset is not batched.",
            hint="Add .batch(batch_size) after from_generator(...).",
        )
    if image_spec.shape.rank != 4:
        height, width = training.IMAGE_SIZE
        return Feedback.fail(
            f"The images have shape {image_spec.shape}, not (batch, {height}, {width}, 1).",
            hint="Yield (image, label) in that order, with output_signature=DIGIT_SIGNATURE, then .batch.",
        )
    cardinality = int(dataset.cardinality())
    if cardinality == tf.data.UNKNOWN_CARDINALITY:
        return Feedback.fail(
            "The dataset's cardinality is unknown (-2), as for every from_generator dataset: Keras cannot "
            "tell where it ends and warns 'Your input ran out of data' when it does.",
            hint="Declare the number of batches: .apply(tf.data.experimental.assert_cardinality("
            "math.ceil(len(image_paths) / batch_size))) after .batch(batch_size).",
        )
    if cardinality != expected_batches:
        return Feedback.fail(
            f"The dataset declares {cardinality} batches; {len(image_paths)} files in batches of "
            f"{batch_size} make {expected_batches}.",
            hint="assert_cardinality counts batches when applied after .batch: "
            "math.ceil(len(image_paths) / batch_size).",
        )
    try:
        pairs = _guards.take_elements(dataset.unbatch(), len(image_paths))
    except _guards.Stalled as stalled:
        return stalled.feedback
    except Exception as error:  # a generator error arrives as a tf.errors.OpError
        return Feedback.fail(
            f"Iterating the dataset raised {error_summary(error)}",
            hint="Pass args=(image_paths, labels, False, seed, 0) in the order digit_examples takes them.",
        )
    got_labels = np.array([label for _, label in pairs])
    if len(pairs) != len(image_paths):
        return Feedback.fail(
            f"The dataset yields {len(pairs)} images for {len(image_paths)} files.",
            hint="Build it from the image_paths and labels the function receives.",
        )
    reference = list(training.digit_examples(image_paths, labels, False, 0, 0))
    in_order = np.array_equal(got_labels, labels)
    unchanged = in_order and all(
        np.allclose(image, expected, atol=1e-6)
        for (image, _), (expected, _) in zip(pairs, reference, strict=True)
    )
    if not unchanged:
        what = "in the files' order but changed" if in_order else "in another order"
        return Feedback.fail(
            f"The images come {what}: the dataset shuffles or augments them, so the accuracy it gives "
            "is not the model's accuracy on these files.",
            hint="Pass augment_images=False in args: (image_paths, labels, False, seed, 0).",
        )
    return Feedback.ok(
        f"{call} yields the {len(image_paths)} files in order, unaugmented, in {expected_batches} batches, "
        f"and Keras can read its length (cardinality {cardinality})."
    )


def _counting_dataset(calls: list[int]) -> tf.data.Dataset:
    """A from_generator dataset of 0..SAVE_CHECK_ELEMENTS-1 that appends to `calls` each time it runs."""
    import tensorflow as tf

    def numbers():
        calls.append(1)
        yield from range(SAVE_CHECK_ELEMENTS)

    return tf.data.Dataset.from_generator(numbers, output_signature=tf.TensorSpec(shape=(), dtype=tf.int64))


def check_save_once(save_once: Callable[[tf.data.Dataset, str], tf.data.Dataset]) -> Feedback:
    """Checks exercise 2: `save_once(dataset, folder)` runs the generator once, then reads the saved copy.

    The first call must save `dataset` to `folder` and return a dataset that reads the copy; a later call
    with a new dataset object (a new session, say) must not run its generator at all.

    Args:
        save_once: the learner's function.

    Returns:
        Feedback naming the first problem found, or success.
    """
    expected = list(range(SAVE_CHECK_ELEMENTS))
    with tempfile.TemporaryDirectory() as parent:
        folder = str(Path(parent) / "saved")
        for attempt in ("first", "second"):
            calls: list[int] = []
            try:
                result = save_once(_counting_dataset(calls), folder)
                if result is None:
                    return Feedback.fail(
                        f"The {attempt} call returned None.",
                        hint="Return tf.data.Dataset.load(folder).",
                    )
                values = [int(value) for value in result.as_numpy_iterator()]
            except Exception as error:  # the learner's code may raise anything: report it
                return Feedback.fail(
                    f"The {attempt} call raised {error_summary(error)}",
                    hint="Save with dataset.save(folder); read with tf.data.Dataset.load(folder).",
                )
            if not Path(folder).is_dir():
                return Feedback.fail(
                    f"After the {attempt} call there is nothing in the folder.",
                    hint="Call dataset.save(folder) when the folder does not exist yet.",
                )
            if values != expected:
                return Feedback.fail(
                    f"The {attempt} call's dataset yields {values}, expected {expected}.",
                    hint="Return tf.data.Dataset.load(folder), the saved copy, unchanged.",
                )
            allowed_runs = 1 if attempt == "first" else 0
            if len(calls) > allowed_runs:
                if attempt == "first":
                    message = (
                        f"The generator ran {len(calls)} times: once to save and again when the result "
                        "was read, so the result is the generator, not the saved copy."
                    )
                    hint = "Return tf.data.Dataset.load(folder) instead of the dataset you were given."
                else:
                    message = (
                        "On the second call, with the copy already on disk, the generator ran again: "
                        "the function saves every time."
                    )
                    hint = "Save only when the folder does not exist yet: if not os.path.isdir(folder): ..."
                return Feedback.fail(message, hint=hint)
    return Feedback.ok(
        "The generator ran once, on the first call; both calls returned the saved copy "
        f"({SAVE_CHECK_ELEMENTS} elements, read back in order)."
    )
