"""Self-checks for notebook 05 (training from a generator pipeline): each returns Feedback with a hint.

    from helpers.exercises import training as ex
    ex.check_training_dataset(make_training_dataset)      # shuffled, batched, its length known
    ex.check_evaluation_dataset(make_evaluation_dataset)  # the files in order, unaugmented, its length known
    ex.check_save_once(save_once)                         # ds.save once, tf.data.Dataset.load after

The dataset checks call the learner's function on their own digit files and batch size and compare every
element with the files as `training.digit_examples` loads them. TensorFlow is imported inside the checks.
"""

from __future__ import annotations

import itertools
import math
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from helpers.exercises import _guards
from helpers.exercises.feedback import Feedback

if TYPE_CHECKING:
    import tensorflow as tf

__all__ = ["check_evaluation_dataset", "check_save_once", "check_training_dataset"]

_BATCH_SIZE = 16  # not the notebook's, so a hard-coded one shows
_TRAINING_FILES = 100  # enough to tell a full shuffle from a small buffer
_EVALUATION_FILES = 40
_SAVED_ELEMENTS = 10
_ITERATION_ADVICE = tuple(  # (text in the error, hint, second hint)
    (text, hint, "")
    for text, hint in {
        "yielded an element of shape": "Compare the shape of what the generator yields with its "
        "output_signature.",
        "did not match the expected structure": "The generator must yield exactly the structure of "
        "output_signature: a tuple (image, label).",
        "could not be converted to the expected type": "Compare each tf.TensorSpec's dtype with what the "
        "generator yields.",
        "expected to contain": "The number given to assert_cardinality must equal the number of batches the "
        "dataset really has.",
    }.items()
)


def _checked_passes(
    make_dataset: Any, name: str, file_count: int, pass_count: int
) -> tuple[str, np.ndarray, np.ndarray, Any, list[list]]:
    """Builds and checks the learner's dataset; returns `(call, image_paths, labels, dataset, passes)`."""
    import tensorflow as tf

    from helpers import datasets

    paths, all_labels = datasets.digit_files(progress=False)
    image_paths = np.array([str(path) for path in paths[:file_count]])
    labels = np.array(all_labels[:file_count], dtype=np.int64)
    call = f"{name}(image_paths, labels, batch_size={_BATCH_SIZE})"
    dataset = _guards.dataset_from(
        make_dataset,
        image_paths,
        labels,
        _BATCH_SIZE,
        failure=f"{call} raised",
        subject=call,
        none_hint="A function without `return` gives back None.",
        type_hint="Return the tf.data.Dataset built with from_generator, batched.",
    )
    element_spec = dataset.element_spec
    is_pair = isinstance(element_spec, tuple) and len(element_spec) == 2
    if not (is_pair and all(isinstance(spec, tf.TensorSpec) for spec in element_spec)):
        _guards.fail(
            f"The dataset's element_spec is {element_spec}; Keras needs (image, label) pairs.",
            hint="Keras reads each element as (features, label): what must the generator yield, and its "
            "output_signature describe?",
            more="Yield `image, label` and describe them with a tuple of two tf.TensorSpec, as "
            "DIGIT_SIGNATURE does.",
        )
    image_spec = element_spec[0]
    if image_spec.shape.rank == 3:
        _guards.fail(
            f"The images have shape {image_spec.shape}: the dataset is not batched.",
            hint="Keras trains and evaluates on batches of examples.",
            more="Add .batch(batch_size), with the batch size the function receives.",
        )
    if image_spec.shape.rank != 4:
        _guards.fail(
            f"The images have shape {image_spec.shape}, not (batch, 32, 32, 1).",
            hint="Compare what the generator yields, in which order, with its output_signature.",
            more="Yield (image, label): each image (32, 32, 1) float32, each label a scalar; .batch adds "
            "the first dimension.",
        )
    cardinality = int(dataset.cardinality())
    expected_batches = math.ceil(file_count / _BATCH_SIZE)
    if cardinality == tf.data.INFINITE_CARDINALITY:
        _guards.fail(
            "The dataset is endless (cardinality -1): fit would need steps_per_epoch to cut it into epochs.",
            hint="This exercise asks for one pass per epoch, a dataset that knows where it ends.",
            more="Leave out .repeat(); declare the number of batches instead.",
        )
    if cardinality == tf.data.UNKNOWN_CARDINALITY:
        _guards.fail(
            "The dataset's length is unknown (cardinality -2), as for every from_generator dataset: Keras "
            "cannot tell where an epoch ends and warns 'Your input ran out of data' when it does.",
            hint="You know how many files there are and how many go in a batch: tell the dataset.",
            more="Add .apply(tf.data.experimental.assert_cardinality(math.ceil(len(image_paths) / "
            "batch_size))) after .batch(batch_size).",
        )
    if cardinality != expected_batches:
        _guards.fail(
            f"The dataset declares {cardinality} batches; {file_count} files in batches of "
            f"{_BATCH_SIZE} make {expected_batches}.",
            hint="After .batch the length counts batches, and the last batch may be short.",
            more="math.ceil(len(image_paths) / batch_size), from the function's own arguments.",
        )
    passes = [
        _guards.elements(
            dataset,
            expected_batches,
            failure="Iterating the dataset raised",
            advice=_ITERATION_ADVICE,
        )
        for _ in range(pass_count)
    ]
    return call, image_paths, labels, dataset, passes


def _file_order(
    batches: list, image_paths: np.ndarray, labels: np.ndarray, *, evaluating: bool = False
) -> list:
    """Which file each element of one pass is, in order; fails on an element that is none of the files."""
    from helpers import training

    by_key: dict[tuple[bytes, int], list[int]] = {}
    by_image: dict[bytes, int] = {}
    for index, (file_image, file_label) in enumerate(training.digit_examples(image_paths, labels)):
        by_key.setdefault((file_image.tobytes(), int(file_label)), []).append(index)
        by_image.setdefault(file_image.tobytes(), index)
    pairs = [
        (image, int(label))
        for batch_images, batch_labels in batches
        for image, label in zip(batch_images, batch_labels, strict=True)
    ]
    if len(pairs) != len(image_paths):
        _guards.fail(
            f"One pass yields {len(pairs)} images for {len(image_paths)} files.",
            hint="Build the dataset from the image_paths and labels the function receives, each file once.",
        )
    order = []
    for position, (image, label) in enumerate(pairs):
        key = np.asarray(image, dtype=np.float32).tobytes()
        if by_key.get((key, label)):
            order.append(by_key[(key, label)].pop(0))
        elif key in by_image:
            index = by_image[key]
            _guards.fail(
                f"Element {position} is file {index}'s image with label {label}; that file's label is "
                f"{labels[index]}.",
                hint="Each label must travel with its own image.",
                more="Yield each image with its label from one loop: for path, label in zip(image_paths, "
                "labels).",
            )
        else:
            unknown = (
                f"Element {position} is an image that is none of the files as digit_examples loads them "
                "(or a file that came twice)."
            )
            if evaluating:
                _guards.fail(
                    unknown + " The dataset changes the images, so the accuracy it gives is not the model's "
                    "accuracy on these files.",
                    hint="Evaluate on the files as they are: no augmentation.",
                    more="Build it from digit_examples(image_paths, labels), the generator the validation "
                    "pipeline uses.",
                )
            _guards.fail(
                unknown,
                hint="Yield every file once, loaded as the lesson's generator loads it, unchanged.",
                more="images.load_image(path, size=(32, 32))[..., :1], as in digit_examples.",
            )
    return order


@_guards.self_check
def check_training_dataset(make_training_dataset: Callable[..., tf.data.Dataset]) -> Feedback:
    """Checks the core exercise: `make_training_dataset(image_paths, labels, batch_size)` yields every file
    once per pass as (image, label) batches, thoroughly shuffled anew every pass, and declares its number of
    batches, so that Keras trains an epoch on it without a warning."""
    from helpers import training

    call, image_paths, labels, dataset, passes = _checked_passes(
        make_training_dataset, "make_training_dataset", _TRAINING_FILES, 2
    )
    sizes = [[len(batch_labels) for _, batch_labels in batches] for batches in passes]
    _check_shuffle([_file_order(batches, image_paths, labels) for batches in passes], sizes)
    # The declared length was checked against real passes above, so Keras cannot run out of data here.
    _guards.run(
        lambda: training.build_model(filters=4).fit(dataset, epochs=1, shuffle=False, verbose=0),
        failure="Training a small model on the dataset raised",
        hint="Keras needs float images and integer labels: compare the output_signature with that.",
    )
    return Feedback.ok(
        f"{call} yields the {len(image_paths)} files in a new order every pass, in {len(sizes[0])} batches "
        "of (image, label), and Keras trained an epoch on it."
    )


def _check_shuffle(orders: list[list[int]], sizes: list[list[int]]) -> None:
    files = list(range(len(orders[0])))
    if all(order == files for order in orders):
        _guards.fail(
            "Every pass gives the files in their own order: nothing shuffles them.",
            hint="Training wants the examples in a new random order every epoch. Which tf.data method "
            "does that?",
            more=".shuffle(len(image_paths)), before .batch(batch_size).",
        )
    blocks = [
        order[start - size : start]
        for order, pass_sizes in zip(orders, sizes, strict=True)
        for size, start in zip(pass_sizes, itertools.accumulate(pass_sizes), strict=True)
    ]
    if all(block == list(range(block[0], block[0] + len(block))) for block in blocks):
        _guards.fail(
            "Each batch holds neighbouring files in their own order; only the order of the batches "
            "changes: the dataset shuffles whole batches.",
            hint="Shuffle the examples first, then group them into batches.",
            more="Put .shuffle(...) before .batch(batch_size).",
        )
    if all(order == orders[0] for order in orders[1:]):
        _guards.fail(
            "Every pass gives the same shuffled order: every epoch would see the files in one order.",
            hint="Shuffle anew for every pass over the data.",
            more="Dataset.shuffle reshuffles on every pass unless reshuffle_each_iteration=False; a "
            "generator that shuffles with a fixed seed does not.",
        )
    furthest = max(index - position for order in orders for position, index in enumerate(order))
    if furthest < len(files) // 2:
        _guards.fail(
            f"No file moved more than {furthest} places forward in a pass: the order stays close to the "
            "files' order.",
            hint="The shuffle buffer's size decides how far an element can travel.",
            more="A buffer as large as the dataset shuffles it fully: .shuffle(len(image_paths)).",
        )


@_guards.self_check
def check_evaluation_dataset(make_evaluation_dataset: Callable[..., tf.data.Dataset]) -> Feedback:
    """Checks the deep dive's exercise: `make_evaluation_dataset(image_paths, labels, batch_size)` holds the
    files in order, unchanged, batched, with a cardinality Keras can read."""
    call, image_paths, labels, _, passes = _checked_passes(
        make_evaluation_dataset, "make_evaluation_dataset", _EVALUATION_FILES, 1
    )
    if _file_order(passes[0], image_paths, labels, evaluating=True) != list(range(len(image_paths))):
        return Feedback.fail(
            "The files come in another order: the dataset shuffles them. Accuracy does not care about "
            "order, but a dataset for evaluation and prediction should keep the files' order.",
            hint="Build it from a generator that yields the files as they are, as for validation.",
            more="digit_examples(image_paths, labels) and no .shuffle.",
        )
    batches = math.ceil(len(image_paths) / _BATCH_SIZE)
    return Feedback.ok(
        f"{call} yields the {len(image_paths)} files in order, unaugmented, in {batches} batches, "
        f"and Keras can read its length (cardinality {batches})."
    )


@_guards.self_check
def check_save_once(save_once: Callable[[tf.data.Dataset, str], tf.data.Dataset]) -> Feedback:
    """Checks the deep dive's exercise: `save_once(dataset, folder)` saves `dataset` to `folder` once and
    returns a dataset reading the copy; a later call (a new session, say) does not run the generator."""
    import tensorflow as tf

    expected = list(range(_SAVED_ELEMENTS))
    hint = "Save with dataset.save(folder); read with tf.data.Dataset.load(folder)."
    with tempfile.TemporaryDirectory() as parent:
        folder = str(Path(parent) / "saved")
        for attempt in ("first", "second"):
            runs: list[int] = []

            def numbers(runs: list[int] = runs) -> Iterator[int]:  # counts the generator's runs
                runs.append(1)
                yield from expected

            signature = tf.TensorSpec(shape=(), dtype=tf.int64)
            saved = _guards.dataset_from(
                save_once,
                tf.data.Dataset.from_generator(numbers, output_signature=signature),
                folder,
                failure=f"The {attempt} call raised",
                hint=hint,
                subject=f"The {attempt} call",
                none_hint="The function should return a dataset that reads the saved copy.",
                none_more="Return tf.data.Dataset.load(folder).",
                type_hint="Return tf.data.Dataset.load(folder).",
            )
            reading = f"Reading the {attempt} call's dataset raised"
            values = [
                int(value) for value in _guards.elements(saved, len(expected), failure=reading, hint=hint)
            ]
            if not Path(folder).is_dir():
                _guards.fail(
                    f"After the {attempt} call there is nothing in the folder.",
                    hint="The first call has to write the copy.",
                    more="Call dataset.save(folder) when the folder does not exist yet.",
                )
            if values != expected:
                _guards.fail(
                    f"The {attempt} call's dataset yields {values}, expected {expected}.",
                    hint="Return the saved copy as it is.",
                    more="Return tf.data.Dataset.load(folder), unchanged.",
                )
            if attempt == "first" and len(runs) > 1:
                _guards.fail(
                    f"The generator ran {len(runs)} times: once to save and again when the result was "
                    "read, so the result is the generator, not the saved copy.",
                    hint="What you return should read the files on disk, not run the generator.",
                    more="Return tf.data.Dataset.load(folder) instead of the dataset you were given.",
                )
            if attempt == "second" and runs:
                _guards.fail(
                    "On the second call, with the copy already on disk, the generator ran again: the "
                    "function saves every time.",
                    hint="Save only when there is no copy yet.",
                    more="if not os.path.isdir(folder) (or tf.io.gfile.exists(folder)): dataset.save(folder)",
                )
    return Feedback.ok(
        "The generator ran once, on the first call; both calls returned the saved copy "
        f"({_SAVED_ELEMENTS} elements, read back in order)."
    )
