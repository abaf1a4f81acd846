"""Self-checks for optional notebook 07 (beyond from_generator): each names the first problem found.

from helpers.exercises import beyond as ex
ex.check_decode_on_white(decode_on_white)          # bytes of a PNG -> RGB uint8, alpha onto white
ex.check_parse_record(parse_labelled_record)       # serialized tf.train.Example -> dict with a label
ex.check_checkpointable_dataset(make_dataset)      # paths -> a dataset whose iterator can be saved

"""

from __future__ import annotations

import reprlib
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from helpers import images
from helpers.exercises import _guards
from helpers.exercises.feedback import Feedback
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
# (hint, second hint) for a PNG decoded wrong, by whether it is the transparent one.
_COMPOSITE_HINTS = {
    True: (
        "The transparent pixels keep whatever colour is stored under them: read the alpha channel too, and "
        "blend each pixel with white by how opaque it is.",
        "Decode with `channels=4`, take `opacity = alpha / 255` as float32, then "
        "`rgb * opacity + 255 * (1 - opacity)`, round, and cast to uint8.",
    ),
    False: (
        "Opaque and grayscale images must come out unchanged: alpha is 255 there, so opacity is 1.",
        "White counts `255 * (1 - opacity)`, the pixel `rgb * opacity`; add the two.",
    ),
}
_STATEFUL_ADVICE = (
    (
        "is stateful",
        "A Python function runs inside the pipeline (from_generator, py_function or numpy_function), and "
        "TensorFlow cannot save its state.",
        "Start from `tf.data.Dataset.from_tensor_slices(paths)` and `map` a function of tf.io and tf.image "
        "ops: `graph_native.load_image` is one.",
    ),
)


@_guards.self_check
def check_decode_on_white(decode_on_white: Callable[[Any], Any] | None) -> Feedback:
    """Checks `decode_on_white(data)`: inside `Dataset.map`, a PNG's bytes (a scalar string tensor) to a uint8
    (height, width, 3) tensor within one grey level of `images.load_image_uint8` (alpha composited onto
    white), for a transparent, an opaque and a grayscale PNG."""
    import tensorflow as tf

    _guards.must_be_callable(
        decode_on_white,
        hint="Define `def decode_on_white(data):` returning a uint8 tensor; pass the function itself.",
    )
    paths = [SAMPLE_IMAGES_DIR / name for name in _PNG_NAMES]
    dataset = tf.data.Dataset.from_tensor_slices([path.read_bytes() for path in paths])
    decoded = _guards.run(
        lambda: list(dataset.map(decode_on_white).as_numpy_iterator()),
        failure="Running it inside `Dataset.map` failed:",
        hint="Inside `map` the function is traced into a graph: tensors have no values yet, so only "
        "TensorFlow ops work (no `.numpy()`, no NumPy or OpenCV calls).",
        more="`tf.io.decode_png(data, channels=4)`, `tf.cast`, arithmetic on tensors, `tf.math.round`.",
    )
    for path, image in zip(paths, decoded, strict=True):
        if not isinstance(image, np.ndarray) or image.dtype != np.uint8 or image.ndim != 3:
            return Feedback.fail(
                f"{path.name}: got {_guards.describe_kind(image)}; "
                "expected a uint8 array (height, width, 3).",
                hint="Images are uint8 in [0, 255]; blending is done in float32, so convert back at the end.",
                more="Finish with `tf.cast(tf.math.round(rgb), tf.uint8)`.",
            )
        if image.shape[2] != 3:
            return Feedback.fail(
                f"{path.name}: got {image.shape[2]} channels; expected 3 (RGB).",
                hint="The alpha channel is needed for blending, not in the result.",
                more="Decode with 4 channels to read the alpha, then return only the composited RGB: "
                "`rgba[..., :3]` blended with white.",
            )
        reference = images.load_image_uint8(path)
        difference = np.abs(image.astype(int) - reference.astype(int))
        if difference.max() > 1:
            hint, more = _COMPOSITE_HINTS[path.name == _PNG_NAMES[0]]
            return Feedback.fail(
                f"{path.name}: {np.mean(difference > 1):.0%} of the values differ from OpenCV's, "
                f"by up to {difference.max()} grey levels.",
                hint=hint,
                more=more,
            )
    return Feedback.ok(
        "Transparent, opaque and grayscale PNGs decode exactly as OpenCV loads them, "
        "with TensorFlow ops only, inside Dataset.map."
    )


@_guards.self_check
def check_parse_record(parse_record: Callable[[Any], Any] | None) -> Feedback:
    """Checks `parse_record(serialized)` on records of `graph_native.write_tfrecord(..., labels=)`: inside
    `Dataset.map`, a dict of "image_bytes" (the file's bytes), "name" (its file name) and "label" (int64)."""
    import tensorflow as tf

    from helpers import graph_native

    _guards.must_be_callable(
        parse_record, hint="Define `def parse_labelled_record(serialized):` and pass the function itself."
    )
    paths = [SAMPLE_IMAGES_DIR / name for name in _RECORD_NAMES]
    with tempfile.TemporaryDirectory() as folder:
        record_file = Path(folder) / "check.tfrecord"
        graph_native.write_tfrecord(paths, record_file, labels=_RECORD_LABELS)
        records = _guards.run(
            lambda: list(tf.data.TFRecordDataset(str(record_file)).map(parse_record).as_numpy_iterator()),
            failure="Parsing the records failed:",
            hint="A feature is read back with the dtype it was written with.",
            more="`tf.io.parse_single_example(serialized, features)`, `features` mapping each key to "
            "`tf.io.FixedLenFeature([], dtype)`: tf.string for the bytes and the name, tf.int64 for "
            "the label.",
        )
    first = records[0]
    if not isinstance(first, dict):
        return Feedback.fail(
            f"Got {_guards.describe_kind(first)}; expected a dict of features.",
            hint="A parsed record is a dict of features, keyed by their names.",
            more="Return what `tf.io.parse_single_example` returns.",
        )
    for key, dtype in (("image_bytes", "tf.string"), ("name", "tf.string"), ("label", "tf.int64")):
        if key not in first:
            return Feedback.fail(
                f"The parsed record has no {key!r} (keys: {sorted(first)}).",
                hint="The feature description names every feature to read; the others are not parsed.",
                more=f'Add `"{key}": tf.io.FixedLenFeature([], {dtype})` to the feature description.',
            )
    for path, label, record in zip(paths, _RECORD_LABELS, records, strict=True):
        if record["name"] != path.name.encode():
            return Feedback.fail(
                f"'name' is {reprlib.repr(record['name'])}; expected {path.name.encode()!r}.",
                hint="Each feature comes back under its own key, with the dtype it was written with.",
                more="Parse 'name' as a scalar string: `tf.io.FixedLenFeature([], tf.string)`.",
            )
        if record["image_bytes"] != path.read_bytes():
            return Feedback.fail(
                f"{path.name}: 'image_bytes' differs from the file's bytes.",
                hint="The record holds the file's encoded bytes: parse them, do not change or decode them.",
                more='`"image_bytes": tf.io.FixedLenFeature([], tf.string)`, returned as parsed.',
            )
        if record["label"] != label:
            return Feedback.fail(
                f"{path.name}: 'label' is {reprlib.repr(record['label'])}; expected {label}.",
                hint="Return the label as it was written, unchanged.",
                more="Parse 'label' as a scalar integer: `tf.io.FixedLenFeature([], tf.int64)`.",
            )
    return Feedback.ok(
        f"All {len(paths)} records parse back to the exact file bytes, names and labels (JPEG and PNG)."
    )


@_guards.self_check
def check_checkpointable_dataset(make_dataset: Callable[[Sequence[str]], Any] | None) -> Feedback:
    """Checks `make_dataset(paths)` (a list of str): RGB float32 images of `CHECKPOINT_IMAGE_SIZE`, in order,
    within one grey level of `images.load_image`, whose iterator saved after two elements (a
    `tf.train.Checkpoint`) and restored continues at the third."""
    import tensorflow as tf

    paths = [str(SAMPLE_IMAGES_DIR / name) for name in _CHECKPOINT_NAMES]
    dataset = _guards.dataset_from(
        make_dataset,
        paths,
        callable_hint="Define `def checkpointable_dataset(paths):` returning a tf.data.Dataset; pass the "
        "function itself.",
        type_hint="Build a tf.data.Dataset and return it.",
    )
    iterator = iter(dataset)
    in_tensorflow = "Every step of the pipeline runs inside TensorFlow: use tf.io and tf.image ops."
    first_two = _guards.run(
        lambda: list(_guards.items_in_time(iterator, 2)),
        failure="Reading the first two images raised",
        hint=in_tensorflow,
    )
    with tempfile.TemporaryDirectory() as folder:
        checkpoint = tf.train.Checkpoint(iterator=iterator)
        saved = _guards.run(
            checkpoint.save,
            str(Path(folder) / "ckpt"),
            failure="Saving the iterator failed:",
            hint="Build the dataset from tf.data, tf.io and tf.image ops only.",
            advice=_STATEFUL_ADVICE,
        )
        # Bounded: an endless dataset (`repeat()`) must not hang the check.
        rest = _guards.run(
            lambda: list(_guards.items_in_time(iterator, len(paths) + _guards.EXTRA_ELEMENTS - 2)),
            failure="Reading the images after the first two raised",
            hint=in_tensorflow,
        )
        checkpoint.restore(saved)
        resumed = next(iterator, None)
    images_seen = [_as_numpy(element) for element in first_two + rest]
    if len(images_seen) != len(paths):
        return Feedback.fail(
            f"The dataset yielded {len(images_seen)} images for {len(paths)} paths.",
            hint="One element per path: one image each, in one pass.",
            more="No `repeat`, no `batch`.",
        )
    expected_shape = (*CHECKPOINT_IMAGE_SIZE, 3)
    for path, image in zip(paths, images_seen, strict=True):
        name = Path(path).name
        if not isinstance(image, np.ndarray) or image.dtype != np.float32 or image.shape != expected_shape:
            _guards.fail(
                f"{name}: got {_guards.describe_kind(image)}; expected float32 {expected_shape}.",
                hint="Like `images.load_image`: float32 values in [0, 1], at CHECKPOINT_IMAGE_SIZE.",
                more="Resize to `ex.CHECKPOINT_IMAGE_SIZE`, then cast to float32 and divide by 255.",
            )
        difference = np.abs(image - images.load_image(path, size=CHECKPOINT_IMAGE_SIZE)).max() * 255
        if difference > 1.0 + 1e-3:
            _guards.fail(
                f"{name}: differs from images.load_image by up to {difference:.1f} grey levels.",
                hint="The decoding and resizing must match OpenCV's: the section *What differs, and why* "
                "lists the four causes.",
                more="`graph_native.load_image(path, image_size=...)` decodes and resizes as OpenCV does.",
            )
    if resumed is None or not np.array_equal(_as_numpy(resumed), images_seen[2]):
        return Feedback.fail(
            "After restoring the checkpoint, the next image is not the third one.",
            hint="A checkpoint resumes an iterator where it was only if the order is fixed.",
            more="Keep `deterministic` at its default (True) in `map`.",
        )
    return Feedback.ok(
        "The iterator saved after two images and, restored, continued with the third; every image "
        "matches OpenCV's within one grey level."
    )


def _as_numpy(element: Any) -> Any:
    # Anything but a tensor (a tuple, a dict of tensors) stays as it is, for the message.
    return element.numpy() if hasattr(element, "numpy") else element
