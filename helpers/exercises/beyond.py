"""Self-checks for notebook 07 (beyond from_generator): each names the first problem found and a hint.

    from helpers.exercises import beyond
    beyond.check_decode_on_white(decode_on_white)          # bytes of a PNG -> RGB uint8, alpha onto white
    beyond.check_parse_record(parse_record)                # serialized tf.train.Example -> dict, label
    beyond.check_checkpointable_dataset(make_dataset)      # paths -> a dataset whose iterator can be saved

The checks use sample photographs and compare with `helpers.images` (OpenCV) and `helpers.graph_native`.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from helpers import images
from helpers.exercises import _guards
from helpers.exercises.feedback import Feedback
from helpers.messages import error_summary
from helpers.paths import SAMPLE_IMAGES_DIR

__all__ = [
    "CHECKPOINT_IMAGE_SIZE",
    "check_checkpointable_dataset",
    "check_decode_on_white",
    "check_parse_record",
]

CHECKPOINT_IMAGE_SIZE = (64, 64)
"""(height, width) the checkpointable-dataset exercise resizes to (small, so the check is quick)."""

# Transparent, opaque colour, and grayscale PNGs: the three cases a PNG decoder has to get right.
_PNG_NAMES = ("retina_rgba.png", "astronaut.png", "camera.png")
_RECORD_NAMES = ("camera.png", "china.jpg", "microaneurysms.png")
_RECORD_LABELS = (3, 1, 4)
_CHECKPOINT_NAMES = ("china.jpg", "camera.png", "retina_rgba.png", "coins.png", "rocket.jpg")
_STATEFUL_MARK = "is stateful"


def check_decode_on_white(decode_on_white: Callable[[Any], Any] | None) -> Feedback:
    """Checks a TensorFlow function that decodes PNG bytes to RGB uint8, compositing alpha onto white.

    Expected: inside `Dataset.map`, `decode_on_white(data)` returns a uint8 (height, width, 3) tensor equal
    to `images.load_image_uint8` (OpenCV, alpha composited onto white) for a transparent, an opaque and a
    grayscale PNG, to within one grey level.

    Args:
        decode_on_white: the learner's function, taking a scalar string tensor of file bytes.

    Returns:
        Feedback on the first problem found, or that the function is right.
    """
    import tensorflow as tf

    if not callable(decode_on_white):
        return _guards.not_callable(
            decode_on_white,
            hint="Define `def decode_on_white(data):` returning a uint8 tensor; pass the function itself.",
        )
    paths = [SAMPLE_IMAGES_DIR / name for name in _PNG_NAMES]
    dataset = tf.data.Dataset.from_tensor_slices([path.read_bytes() for path in paths])
    try:
        decoded = list(dataset.map(decode_on_white).as_numpy_iterator())
    except Exception as error:
        return Feedback.fail(
            f"Running it inside `Dataset.map` failed: {error_summary(error)}",
            hint="Use TensorFlow ops only (no `.numpy()`, no NumPy or OpenCV calls): "
            "`tf.io.decode_png(data, channels=4)`, `tf.cast`, arithmetic, `tf.math.round`.",
        )
    for path, image in zip(paths, decoded, strict=True):
        if not isinstance(image, np.ndarray) or image.dtype != np.uint8 or image.ndim != 3:
            return Feedback.fail(
                f"{path.name}: got {_guards.describe_kind(image)}; "
                "expected a uint8 array (height, width, 3).",
                hint="Finish with `tf.cast(tf.math.round(rgb), tf.uint8)`.",
            )
        if image.shape[2] != 3:
            return Feedback.fail(
                f"{path.name}: got {image.shape[2]} channels; expected 3 (RGB).",
                hint="Decode with 4 channels to read the alpha, then return only the composited RGB, "
                "`rgba[..., :3]` blended with white.",
            )
        reference = images.load_image_uint8(path)
        difference = np.abs(image.astype(int) - reference.astype(int))
        if difference.max() > 1:
            return Feedback.fail(
                f"{path.name}: {np.mean(difference > 1):.0%} of the values differ from OpenCV's, "
                f"by up to {difference.max()} grey levels.",
                hint=_composite_hint(path.name),
            )
    return Feedback.ok(
        "Transparent, opaque and grayscale PNGs decode exactly as OpenCV loads them, "
        "with TensorFlow ops only, inside Dataset.map."
    )


def check_parse_record(parse_record: Callable[[Any], Any] | None) -> Feedback:
    """Checks a function that parses labelled records written by `graph_native.write_tfrecord(..., labels=)`.

    Expected: `parse_record(serialized)` returns a dict with "image_bytes" (the file's bytes, unchanged),
    "name" (its file name) and "label" (an int64), usable inside `Dataset.map`.

    Args:
        parse_record: the learner's function, taking one serialized `tf.train.Example`.

    Returns:
        Feedback on the first problem found, or that the function is right.
    """
    import tensorflow as tf

    from helpers import graph_native

    if not callable(parse_record):
        return _guards.not_callable(
            parse_record,
            hint="Define `def parse_record(serialized):` and pass the function itself.",
        )
    paths = [SAMPLE_IMAGES_DIR / name for name in _RECORD_NAMES]
    with tempfile.TemporaryDirectory() as folder:
        record_file = Path(folder) / "check.tfrecord"
        graph_native.write_tfrecord(paths, record_file, labels=_RECORD_LABELS)
        try:
            records = list(tf.data.TFRecordDataset(str(record_file)).map(parse_record).as_numpy_iterator())
        except Exception as error:
            return Feedback.fail(
                f"Parsing the records failed: {error_summary(error)}",
                hint="Call `tf.io.parse_single_example(serialized, features)`; `features` maps each key to "
                "`tf.io.FixedLenFeature([], dtype)` with the dtype it was written with.",
            )
    first = records[0]
    if not isinstance(first, dict):
        return Feedback.fail(
            f"Got {_guards.describe_kind(first)}; expected a dict of features.",
            hint="Return what `tf.io.parse_single_example` returns: a dict.",
        )
    for key, dtype in (("image_bytes", "tf.string"), ("name", "tf.string"), ("label", "tf.int64")):
        if key not in first:
            return Feedback.fail(
                f"The parsed record has no {key!r} (keys: {sorted(first)}).",
                hint=f'Add `"{key}": tf.io.FixedLenFeature([], {dtype})` to the feature description.',
            )
    for path, label, record in zip(paths, _RECORD_LABELS, records, strict=True):
        if record["name"] != path.name.encode():
            return Feedback.fail(
                f"'name' is {_short(record['name'])}; expected {path.name.encode()!r}.",
                hint="Parse 'name' as a scalar string: `tf.io.FixedLenFeature([], tf.string)`.",
            )
        if record["image_bytes"] != path.read_bytes():
            return Feedback.fail(
                f"{path.name}: 'image_bytes' differs from the file's bytes.",
                hint="Parse it as a scalar string, `tf.io.FixedLenFeature([], tf.string)`, and do not decode "
                "it in the parse function.",
            )
        if record["label"] != label:
            return Feedback.fail(
                f"{path.name}: 'label' is {_short(record['label'])}; expected {label}.",
                hint="Parse 'label' as a scalar integer: `tf.io.FixedLenFeature([], tf.int64)`.",
            )
    return Feedback.ok(
        f"All {len(paths)} records parse back to the exact file bytes, names and labels (JPEG and PNG)."
    )


def check_checkpointable_dataset(
    make_dataset: Callable[[Sequence[str]], Any] | None,
) -> Feedback:
    """Checks a function that builds an image dataset whose iterator can be checkpointed.

    Expected: `make_dataset(paths)` returns a dataset of RGB float32 images of `CHECKPOINT_IMAGE_SIZE`, in
    the order of `paths`, within one grey level of `images.load_image`; after two elements a
    `tf.train.Checkpoint` of its iterator saves, and restoring it continues at the third element.

    Args:
        make_dataset: the learner's function, called with a list of str paths.

    Returns:
        Feedback on the first problem found, or that the dataset is right.
    """
    import tensorflow as tf

    if not callable(make_dataset):
        return _guards.not_callable(
            make_dataset,
            hint="Define `def make_dataset(paths):` returning a tf.data.Dataset.",
        )
    paths = [str(SAMPLE_IMAGES_DIR / name) for name in _CHECKPOINT_NAMES]
    try:
        dataset = make_dataset(paths)
        iterator = iter(dataset)
        first_two = [next(iterator).numpy() for _ in range(2)]
    except Exception as error:
        return Feedback.fail(
            f"Building or reading the dataset failed: {error_summary(error)}",
            hint="Start from `tf.data.Dataset.from_tensor_slices(paths)` and `map` a function of TF ops.",
        )
    with tempfile.TemporaryDirectory() as folder:
        checkpoint = tf.train.Checkpoint(iterator=iterator)
        try:
            saved = checkpoint.save(str(Path(folder) / "ckpt"))
        except Exception as error:
            summary = error_summary(error)
            stateful = _STATEFUL_MARK in summary
            return Feedback.fail(
                f"Saving the iterator failed: {summary}",
                hint="A Python function runs inside the pipeline (from_generator, py_function or "
                "numpy_function), and its state cannot be saved. Read and decode with tf.io ops instead."
                if stateful
                else "Build the dataset from tf.data and tf.io ops only.",
            )
        rest = [element.numpy() for element in iterator]
        checkpoint.restore(saved)
        resumed = next(iterator).numpy()
    images_seen = first_two + rest
    if len(images_seen) != len(paths):
        return Feedback.fail(
            f"The dataset yielded {len(images_seen)} images for {len(paths)} paths.",
            hint="One image per path, no repeat, no batch.",
        )
    for path, image in zip(paths, images_seen, strict=True):
        problem = _checkpoint_image_problem(path, image)
        if problem is not None:
            return problem
    if not np.array_equal(resumed, images_seen[2]):
        return Feedback.fail(
            "After restoring the checkpoint, the next image is not the third one.",
            hint="Keep the order deterministic (the default) and save the iterator, not the dataset.",
        )
    return Feedback.ok(
        "The iterator saved after two images and, restored, continued with the third; every image "
        "matches OpenCV's within one grey level."
    )


def _checkpoint_image_problem(path: str, image: np.ndarray) -> Feedback | None:
    name = Path(path).name
    expected_shape = (*CHECKPOINT_IMAGE_SIZE, 3)
    if image.dtype != np.float32 or image.shape != expected_shape:
        return Feedback.fail(
            f"{name}: got {_guards.describe_kind(image)}; expected float32 {expected_shape}.",
            hint="Resize to CHECKPOINT_IMAGE_SIZE and divide by 255 as float32.",
        )
    difference = np.abs(image - images.load_image(path, size=CHECKPOINT_IMAGE_SIZE)).max() * 255
    if difference > 1.0 + 1e-3:
        return Feedback.fail(
            f"{name}: differs from images.load_image by up to {difference:.1f} grey levels.",
            hint="`graph_native.load_image(path, image_size=...)` decodes and resizes as OpenCV does.",
        )
    return None


def _composite_hint(name: str) -> str:
    if name == _PNG_NAMES[0]:
        return (
            "The transparent pixels keep whatever colour is stored under them. Decode with "
            "`channels=4`, take `opacity = alpha / 255` as float32, then "
            "`rgb * opacity + 255 * (1 - opacity)`, round, and cast to uint8."
        )
    return "Opaque and grayscale images must come out unchanged: alpha is 255 there, so opacity is 1."


def _short(value: Any, limit: int = 40) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[:limit] + "..."
