"""Self-checks for notebook 02 (an image pipeline with OpenCV): each names the first problem found and a hint.

    from helpers.exercises import image_pipeline as ex
    ex.check_image_pipeline(image_dataset)        # core: (paths, batch_size) -> the fixed image pipeline
    ex.check_image_dataset(uint8_image_dataset)   # deep dive: the same contract, the generator yields uint8

Both compare the images that arrive with `helpers.images.load_image` of the same files.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from helpers import images
from helpers.exercises import _guards
from helpers.exercises.feedback import Feedback
from helpers.messages import error_summary
from helpers.paths import SAMPLE_IMAGES_DIR, display_path

__all__ = ["check_image_dataset", "check_image_pipeline"]

_IMAGE_SIZE = (224, 224)

# Colour JPEGs and PNGs (red and blue clearly differ, so BGR shows) and a grayscale PNG; six images in
# batches of 4 end in a short batch of 2; few enough to keep a check around a second.
_CHECK_NAMES = ("astronaut.png", "camera.png", "chelsea.png", "china.jpg", "coffee.png", "rocket.jpg")
_BATCH_SIZE = 4
_MISSING_NAME = "no_such_image.jpg"
# Mean absolute difference (pixel values in [0, 1]) below which two resized images count as the same
# picture: different interpolation methods differ by ~0.01, a swapped channel order by ~0.1 or more.
_SAME_IMAGE_TOLERANCE = 0.05
# Below this mean difference between the red and blue channels an image is gray and says nothing
# about channel order.
_COLOUR_MIN_DIFFERENCE = 0.02
_EXPECTED_SHAPE = (*_IMAGE_SIZE, 3)
_BUILD_ADVICE = (
    (
        "must be a Python callable",
        "from_generator calls what you give it at the start of every pass, so it needs a function, "
        "not a generator already made (notebook 01).",
        "",
    ),
)
# (hint, second hint) for batches that are not float32, by exercise.
_FLOAT32_HINTS = {
    "image_dataset": (
        "The signature says what the generator yields: what dtype does load_rgb return?",
        "`tf.TensorSpec(shape=(224, 224, 3), dtype=tf.float32)`.",
    ),
    "uint8_image_dataset": (
        "Yield uint8, then scale inside TensorFlow, after batching.",
        "`.map(lambda batch: tf.cast(batch, tf.float32) / 255)` after `.batch(batch_size)`.",
    ),
}
_NONE_HINT = "The generator yielded None: a file could not be read. Use load_rgb, which raises."
_ITERATION_ADVICE = (
    (
        "where an element of shape",
        "The generator yielded a shape the output_signature does not allow: the signature describes "
        "one element exactly as the generator yields it.",
        "",
    ),
    ("yielded element was None", _NONE_HINT, ""),
    ("NoneType", _NONE_HINT, ""),
    ("OpenCV", "OpenCV failed on one of the check's images: run your generator by hand on a few paths.", ""),
)
# (texts in the error, what happened, hint, second hint) when the pass over a missing file fails without
# naming it; None yielded where float32 is declared becomes NaN of shape (), other dtypes name the None.
_MISSING_FILE_ADVICE = (
    (
        ("yielded element was None", "an element of shape () where"),
        "the generator yielded None instead of an image, and TensorFlow failed later, without naming the "
        "file",
        "What does cv2.imread return for a file it cannot read?",
        "Use load_rgb (it raises FileNotFoundError naming the file), or check right after "
        "cv2.imread: `if image is None: raise FileNotFoundError(path)`.",
    ),
    (
        ("OpenCV",),
        "the pass failed inside OpenCV, with an error that does not name the file",
        "The real problem happened a line earlier: what does cv2.imread return for a file it cannot read?",
        "Use load_rgb, or right after cv2.imread: `if image is None: raise FileNotFoundError(f'cannot read "
        "{path!r}')`.",
    ),
    (
        ("",),
        "the pass failed with an error that does not name the file",
        "Someone reading this error has to find the file: put its path in the message.",
        "`raise FileNotFoundError(f'cannot read {path!r}')`, as load_rgb does.",
    ),
)


@_guards.self_check
def check_image_pipeline(dataset_function: Callable[..., object] | None) -> Feedback:
    """Checks the core exercise: `dataset_function(image_paths, batch_size)` builds the fixed pipeline.

    Expected: float32 batches of shape (None, 224, 224, 3), every image once, in order, RGB in [0, 1]; a
    path that cannot be read fails the pass with an error naming the file; the pipeline ends with
    `.prefetch`. Tried on six sample photographs, in batches of 4 and 2.
    """
    paths, dataset, sizes = _checked_batches(dataset_function, "image_dataset")
    _check_missing_file(dataset_function, [paths[0], str(SAMPLE_IMAGES_DIR / _MISSING_NAME)])
    if _guards.pipeline_ops(dataset)[-1] != "PrefetchDataset":
        return Feedback.fail(
            "The images arrive right, but the pipeline does not end with `.prefetch(...)`, which the "
            "exercise asks for.",
            hint="What lets the generator prepare the next batch while your loop works on this one?",
            more="End with `.prefetch(tf.data.AUTOTUNE)`. (TensorFlow's default options add one anyway; "
            "writing it says so in your code and keeps it when that option is switched off.)",
        )
    return Feedback.ok(
        f"{len(paths)} images arrive in order as RGB float32 batches of {sizes} (batch dimension None), "
        "a missing file stops the pass with an error naming it, and the pipeline ends with prefetch."
    )


@_guards.self_check
def check_image_dataset(dataset_function: Callable[..., object] | None) -> Feedback:
    """Checks the deep dive's `dataset_function(image_paths, batch_size)`: as `check_image_pipeline`, without
    the missing file; without a final `.prefetch` it passes with a note (TensorFlow adds one by default)."""
    paths, dataset, sizes = _checked_batches(dataset_function, "uint8_image_dataset")
    arrived = f"{len(paths)} images arrive in order as RGB float32 batches of {sizes}, batch dimension None"
    if _guards.pipeline_ops(dataset)[-1] == "PrefetchDataset":
        return Feedback.ok(f"{arrived}, and the pipeline ends with an explicit prefetch.")
    return Feedback.ok(
        f"{arrived}. A note: the pipeline does not end with `.prefetch`. TensorFlow adds one for you by "
        "default (tf.data.Options().experimental_optimization.inject_prefetch), so the generator still "
        "works ahead; writing `.prefetch(tf.data.AUTOTUNE)` last says so in your code and keeps it when "
        "that option is off."
    )


def _checked_batches(dataset_function: Any, name: str) -> tuple[list[str], Any, list[int]]:
    """Builds the learner's dataset `name`, checks its element_spec and every image; returns `(paths,
    dataset, batch sizes)`."""
    import tensorflow as tf

    paths = [str(SAMPLE_IMAGES_DIR / name) for name in _CHECK_NAMES]
    dtype_hint, dtype_more = _FLOAT32_HINTS[name]

    expected_sizes = [min(_BATCH_SIZE, len(paths) - start) for start in range(0, len(paths), _BATCH_SIZE)]
    dataset = _guards.dataset_from(
        dataset_function,
        paths,
        _BATCH_SIZE,
        failure=f"Calling {name}(paths, {_BATCH_SIZE}) raised",
        hint="Building a dataset runs no generator code yet: check the from_generator(...) arguments.",
        subject=f"{name}(paths, {_BATCH_SIZE})",
        callable_hint=f"Define `def {name}(image_paths, batch_size):` that returns the dataset, and pass the "
        "function itself (no parentheses).",
        none_hint="Build the pipeline inside the function and end it with `return dataset`.",
        type_hint="Return the dataset itself, not a batch or a list of images.",
        advice=_BUILD_ADVICE,
    )
    spec = dataset.element_spec
    if not isinstance(spec, tf.TensorSpec):
        _guards.fail(
            f"Each element should be one batch of images, but the element_spec is {spec}.",
            hint="What does your generator yield for each path, and what does the signature say it yields?",
            more="Yield only the image (no label, no tuple) and use one tf.TensorSpec as output_signature.",
        )
    if spec.shape.rank == 3 and tuple(spec.shape) == _EXPECTED_SHAPE:
        _guards.fail(
            f"The elements have shape {spec.shape}: they are single images, not batches.",
            hint="Which step groups the images into batches?",
            more="Add `.batch(batch_size)` after from_generator(...).",
        )
    if spec.dtype != tf.float32:
        uint8 = "uint8 (0..255): yielding uint8 is fine, but the dataset should deliver float32 in [0, 1]"
        _guards.fail(
            f"The batches are {uint8 if spec.dtype == tf.uint8 else spec.dtype.name + ', expected float32'}.",
            hint=dtype_hint,
            more=dtype_more,
        )
    if spec.shape.rank != 4 or tuple(spec.shape[1:]) != _EXPECTED_SHAPE:
        _guards.fail(
            f"The batches have shape {spec.shape}, expected (None, 224, 224, 3).",
            hint="The output_signature describes one element the generator yields: one 224x224 RGB image. "
            "`.batch` adds the batch dimension in front.",
        )
    batches = _guards.elements(
        dataset,
        len(expected_sizes),
        failure="Iterating over the dataset raised",
        hint="Iterate your generator by hand on a few paths to find the first failing image.",
        advice=_ITERATION_ADVICE,
    )
    sizes = [len(batch) for batch in batches]
    if sum(sizes) < len(paths):
        _guards.fail(
            f"The dataset delivered {sum(sizes)} of {len(paths)} images, in batches of {sizes}: "
            f"the last {len(paths) - sum(sizes)} were dropped without a word.",
            hint="Which batching option drops a short last batch?",
            more="Keep the short last batch: `.batch(batch_size)` without drop_remainder=True, and a "
            "batch dimension of None if your generator yields batches.",
        )
    if sizes != expected_sizes:
        _guards.fail(
            f"Expected batches of sizes {expected_sizes} for {len(paths)} images in batches of "
            f"{_BATCH_SIZE}, got {sizes}.",
            hint="Where should the batch size come from?",
            more="Yield each image once, then `.batch(batch_size)` with the batch_size your function "
            "is given.",
        )
    for path, image in zip(paths, np.concatenate(batches), strict=True):
        _check_pixels(display_path(path), image, images.load_image(path, size=_IMAGE_SIZE))
    return paths, dataset, sizes


def _check_pixels(name: str, image: np.ndarray, reference: np.ndarray) -> None:
    as_is = float(np.mean(np.abs(image - reference)))
    swapped = float(np.mean(np.abs(image[..., ::-1] - reference)))
    is_colour = float(np.mean(np.abs(reference[..., 0] - reference[..., 2]))) > _COLOUR_MIN_DIFFERENCE
    if is_colour and swapped < as_is and swapped < _SAME_IMAGE_TOLERANCE:
        _guards.fail(
            f"The image for {name} is BGR: red and blue are swapped (OpenCV reads BGR, while TensorFlow, "
            "Keras and matplotlib expect RGB).",
            hint="In what order does OpenCV store a pixel's colours?",
            more="Convert after reading: `cv2.cvtColor(image, cv2.COLOR_BGR2RGB)`, as load_rgb does.",
        )
    low, high = float(np.min(image)), float(np.max(image))
    if low < 0.0 or high > 1.0:
        _guards.fail(
            f"The image for {name} has values from {low:.1f} to {high:.1f}, expected [0, 1].",
            hint="Pixels are scaled from 0..255 to [0, 1] exactly once: where does that happen?",
            more="Divide the uint8 pixels by 255, once: `image.astype(np.float32) / 255`.",
        )
    if as_is >= _SAME_IMAGE_TOLERANCE:
        _guards.fail(
            f"The image that arrived for {name} does not look like that file resized to 224x224 "
            f"(mean difference {as_is:.2f} on a 0..1 scale).",
            hint="Yield the images in the order of image_paths, each resized to 224x224, without cropping "
            "or augmenting.",
        )


def _check_missing_file(dataset_function: Any, paths: list[str]) -> None:
    """Fails the check unless a pass over `paths` (the last one missing) fails with an error naming it."""
    name = display_path(paths[-1])
    dataset = _guards.dataset_from(
        dataset_function,
        paths,
        _BATCH_SIZE,
        failure=f"With a missing file among the paths, image_dataset(paths, {_BATCH_SIZE}) raised",
        hint="Building the dataset should not read any file yet: leave that to the generator.",
        none_hint="End it with `return dataset`.",
        type_hint="Return the dataset itself.",
    )
    try:
        delivered = _guards.take_elements(dataset, 1)
    except _guards.Stalled:
        raise
    except Exception as error:
        if Path(paths[-1]).name in str(error):
            return
        summary = error_summary(error)
        what, hint, more = next(row[1:] for row in _MISSING_FILE_ADVICE if any(t in summary for t in row[0]))
        _guards.fail(f"For the missing file {name} {what}: {summary}", hint=hint, more=more)
    _guards.fail(
        f"With the missing file {name} among {len(paths)} paths, the pass ended without an error after "
        f"{sum(len(batch) for batch in delivered)} image(s): the missing file was lost without a word.",
        hint="A file that cannot be read should stop the pass with an error that names it.",
        more="Use load_rgb, which raises FileNotFoundError naming the file.",
    )
