"""Self-checks for notebook 02 (an image pipeline with OpenCV): each names the first problem found and a hint.

    from helpers.exercises import image_pipeline as exercises
    exercises.check_rgb_image_generator(rgb_images)   # a generator function: paths -> RGB float32 images
    exercises.check_image_dataset(image_dataset)      # a function: (paths, batch_size) -> tf.data.Dataset

The checks compare the learner's images with `helpers.images.load_image` on a few sample photographs.
TensorFlow is imported inside the checks, so importing this module stays cheap.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

import numpy as np

from helpers import images
from helpers.exercises import _guards
from helpers.exercises.feedback import Feedback
from helpers.messages import error_summary
from helpers.paths import SAMPLE_IMAGES_DIR, display_path

__all__ = [
    "EXERCISE_IMAGE_SIZE",
    "check_rgb_image_generator",
    "check_image_dataset",
]

EXERCISE_IMAGE_SIZE = (224, 224)
"""(height, width) every image of the exercises is resized to."""

# A colour JPEG, a colour PNG and a grayscale PNG: enough to tell RGB from BGR and to catch
# grayscale handling, few enough to keep the check well under a second.
_GENERATOR_CHECK_NAMES = ("flower.jpg", "astronaut.png", "camera.png")
_DATASET_CHECK_NAMES = ("astronaut.png", "camera.png", "chelsea.png", "china.jpg", "coffee.png", "rocket.jpg")
_MISSING_NAME = "no_such_image.jpg"
# Mean absolute difference (pixel values in [0, 1]) below which two resized images count as the same
# picture: different interpolation methods differ by ~0.01, a swapped channel order by ~0.1 or more.
_SAME_IMAGE_TOLERANCE = 0.05
# Below this mean difference between the red and blue channels an image is gray and says nothing
# about channel order.
_COLOUR_MIN_DIFFERENCE = 0.02
_EXPECTED_SHAPE = (*EXERCISE_IMAGE_SIZE, 3)
# Steps that only attach settings (`with_options`); the pipeline's last real step comes before them.
_SETTINGS_ONLY_OPS = frozenset({"OptionsDataset"})


def check_rgb_image_generator(
    generator_function: Callable[[Sequence[str]], Iterable[np.ndarray]] | None,
    *,
    image_paths: Sequence[str | os.PathLike[str]] | None = None,
    missing_path: str | os.PathLike[str] | None = None,
) -> Feedback:
    """Checks a generator function that should fix the article's `image_generator`.

    Expected: `generator_function(image_paths)` yields, for each path in order, an RGB float32 array of
    shape (224, 224, 3) with values in [0, 1], and raises an error naming the file for a missing path.

    Args:
        generator_function: the learner's generator function (called with a list of str paths).
        image_paths: images to check with; by default three sample photographs (colour and grayscale).
        missing_path: a path that does not exist; by default one in `sample_images/`.

    Returns:
        Feedback on the first problem found, or that the generator is right.
    """
    paths = [str(path) for path in (image_paths or _sample_paths(_GENERATOR_CHECK_NAMES))]
    missing = str(missing_path or SAMPLE_IMAGES_DIR / _MISSING_NAME)
    if not callable(generator_function):
        return _guards.not_callable(
            generator_function,
            expected="a generator function",
            hint="Define `def rgb_images(image_paths):` with `yield image` in its loop, and pass the "
            "function itself (no parentheses).",
        )
    outcome = _first_items(generator_function, paths)
    if isinstance(outcome, Feedback):
        return outcome
    for path, item in zip(paths, outcome, strict=True):
        problem = _yielded_image_problem(path, item)
        if problem is not None:
            return problem
    return _missing_file_feedback(generator_function, missing, count=len(paths))


def check_image_dataset(
    dataset_function: Callable[..., object] | None,
    *,
    image_paths: Sequence[str | os.PathLike[str]] | None = None,
    batch_size: int = 4,
) -> Feedback:
    """Checks a function `dataset_function(image_paths, batch_size)` returning a batched image dataset.

    Expected: a `tf.data.Dataset` of float32 batches of shape (None, 224, 224, 3) (batch dimension None,
    so the short last batch fits), every image once, in order, RGB in [0, 1]. A pipeline that does not end
    with `.prefetch` still passes, with a note: TensorFlow injects a prefetch by default
    (`tf.data.Options().experimental_optimization.inject_prefetch`), but only an explicit one states the
    intent and survives that option being switched off.

    Args:
        dataset_function: the learner's function.
        image_paths: images to check with; by default six sample photographs (batches of 4 and 2).
        batch_size: the batch size passed to `dataset_function`.

    Returns:
        Feedback on the first problem found, or that the dataset is right.
    """
    import tensorflow as tf

    paths = [str(path) for path in (image_paths or _sample_paths(_DATASET_CHECK_NAMES))]
    expected_sizes = [min(batch_size, len(paths) - start) for start in range(0, len(paths), batch_size)]
    if not callable(dataset_function):
        return _guards.not_callable(
            dataset_function,
            hint="Define `def image_dataset(image_paths, batch_size):` that returns the dataset.",
        )
    dataset, problem = _guards.built_dataset(
        dataset_function,
        paths,
        batch_size,
        failure=f"Calling image_dataset(paths, {batch_size}) raised",
        hint="Building a dataset runs no generator code yet: check the from_generator(...) arguments.",
        none_hint="End it with `return dataset` (the batched, prefetched dataset).",
        type_hint="Return the dataset itself, not a batch or a list of images.",
    )
    if problem is not None:
        return problem
    spec = dataset.element_spec
    if not isinstance(spec, tf.TensorSpec):
        return Feedback.fail(
            f"Each element should be one batch of images, but the element_spec is {spec}.",
            hint="Yield only the image (no label, no tuple) and use one tf.TensorSpec as output_signature.",
        )
    if spec.shape.rank != 4:
        return Feedback.fail(
            f"The elements have shape {spec.shape}: they are single images, not batches.",
            hint="Add `.batch(batch_size)` after from_generator(...).",
        )
    if spec.dtype == tf.uint8:
        return Feedback.fail(
            "The batches are uint8 (0..255): yielding uint8 is fine, but the dataset should deliver float32 "
            "in [0, 1].",
            hint="Scale inside TensorFlow after batching: "
            "`.map(lambda batch: tf.cast(batch, tf.float32) / 255)`.",
        )
    if spec.dtype != tf.float32:
        return Feedback.fail(
            f"The batches are {spec.dtype.name}, expected float32.",
            hint="Declare tf.float32 in output_signature and yield float32 images in [0, 1].",
        )
    if tuple(spec.shape[1:]) != _EXPECTED_SHAPE:
        return Feedback.fail(
            f"Each image has shape {tuple(spec.shape[1:])}, expected {_EXPECTED_SHAPE}.",
            hint="Resize every image to 224x224 (e.g. images.make_image_reader(size=(224, 224))) "
            "and declare shape=(224, 224, 3).",
        )
    batches, problem = _guards.call(
        _guards.take_elements,
        dataset,
        len(expected_sizes),
        failure="Iterating over the dataset raised",
        hint=lambda error: _iteration_hint(str(error)),
    )
    if problem is not None:
        return problem
    sizes = [len(batch) for batch in batches]
    delivered = sum(sizes)
    if delivered < len(paths):
        return Feedback.fail(
            f"The dataset delivered {delivered} of {len(paths)} images, in batches of {sizes}: "
            f"the last {len(paths) - delivered} were dropped without a word.",
            hint="Keep the short last batch: `.batch(batch_size)` without drop_remainder=True, and a "
            "batch dimension of None if your generator yields batches.",
        )
    if sizes != expected_sizes:
        return Feedback.fail(
            f"Expected batches of sizes {expected_sizes} for {len(paths)} images, got {sizes}.",
            hint="Yield each image once, then `.batch(batch_size)`.",
        )
    if spec.shape[0] is not None:
        return Feedback.fail(
            f"The batch dimension is fixed at {spec.shape[0]}: a short last batch cannot match it.",
            hint="Use None for the batch dimension (`.batch(batch_size)` without drop_remainder).",
        )
    for path, image in zip(paths, np.concatenate(batches), strict=True):
        problem = _yielded_image_problem(path, image)
        if problem is not None:
            return problem
    arrived = f"{len(paths)} images arrive in order as RGB float32 batches of {sizes}, batch dimension None"
    if _ends_with_prefetch(dataset):
        return Feedback.ok(f"{arrived}, and the pipeline ends with an explicit prefetch.")
    return Feedback.ok(
        f"{arrived}. A note: the pipeline does not end with `.prefetch`. TensorFlow adds one for you by "
        "default (tf.data.Options().experimental_optimization.inject_prefetch), so the generator still "
        "works ahead; writing `.prefetch(tf.data.AUTOTUNE)` last says so in your code and keeps it when "
        "that option is off."
    )


def _sample_paths(names: Iterable[str]) -> list[Path]:
    return [SAMPLE_IMAGES_DIR / name for name in names]


def _first_items(generator_function: Callable, paths: list[str]) -> list | Feedback:
    """Calls the generator function and takes one item per path, or returns Feedback on what went wrong."""
    result, problem = _guards.call(
        generator_function,
        paths,
        failure="Calling your function with a list of paths raised",
        hint="It receives the whole list of paths; loop over it and `yield` one image per path.",
    )
    if problem is not None:
        return problem
    if result is None:
        return Feedback.fail(
            "Calling your function returned None instead of a generator.",
            hint="Use `yield image` inside the loop (not `return`); a function containing yield "
            "returns a generator when called.",
        )
    try:
        items = _guards.first_items(result, len(paths))
    except _guards.Stalled as stalled:
        return stalled.feedback
    except TypeError:
        return Feedback.fail(
            f"Calling your function returned an object of type {type(result).__name__}, which cannot be "
            "iterated.",
            hint="Use `yield image` inside a loop over image_paths.",
        )
    except Exception as error:
        return Feedback.fail(
            f"Your generator raised {error_summary(error)}",
            hint="Run it on one path in a cell, e.g. next(rgb_images(paths)), to see where it fails.",
        )
    if len(items) < len(paths):
        return Feedback.fail(
            f"Your generator yielded {len(items)} images for {len(paths)} paths.",
            hint="Yield exactly one image per path, in order.",
        )
    return items


def _yielded_image_problem(path: str, item: object) -> Feedback | None:
    """Returns Feedback on what is wrong with one yielded image, or None when it is right."""
    name = display_path(path)
    if item is None:
        return Feedback.fail(
            f"Your generator yielded None for {name}.",
            hint="cv2.imread returns None instead of raising when it cannot read a file: check its "
            "result (`if image is None: raise FileNotFoundError(path)`) and yield the image.",
        )
    if not isinstance(item, np.ndarray):
        return Feedback.fail(
            f"For {name} your generator yielded a {type(item).__name__}, expected a NumPy array.",
            hint="Yield the image array itself (one array per path, not a tuple or a list).",
        )
    if item.shape != _EXPECTED_SHAPE:
        return Feedback.fail(
            f"For {name} your generator yielded shape {item.shape}, expected {_EXPECTED_SHAPE}.",
            hint=_shape_hint(item.shape),
        )
    reference = images.load_image(path, size=EXERCISE_IMAGE_SIZE)
    scale = 255.0 if item.dtype == np.uint8 or float(np.max(item)) > 1.5 else 1.0
    learner = item.astype(np.float32) / scale
    as_is = float(np.mean(np.abs(learner - reference)))
    swapped = float(np.mean(np.abs(learner[..., ::-1] - reference)))
    is_colour = float(np.mean(np.abs(reference[..., 0] - reference[..., 2]))) > _COLOUR_MIN_DIFFERENCE
    if is_colour and swapped < as_is and swapped < _SAME_IMAGE_TOLERANCE:
        return Feedback.fail(
            f"The image for {name} is BGR: red and blue are swapped (OpenCV reads BGR, while TensorFlow, "
            "Keras and matplotlib expect RGB).",
            hint="Convert after reading: `cv2.cvtColor(image, cv2.COLOR_BGR2RGB)`.",
        )
    if min(as_is, swapped) >= _SAME_IMAGE_TOLERANCE:
        return Feedback.fail(
            f"The image yielded for {name} does not look like that file resized to 224x224 "
            f"(mean difference {as_is:.2f} on a 0..1 scale).",
            hint="Yield the images in the order of image_paths, resized with "
            "`cv2.resize(image, (224, 224))`, without cropping or augmenting.",
        )
    if item.dtype == np.float64:
        return Feedback.fail(
            f"The image for {name} is float64: `image / 255.0` turns uint8 into float64. TensorFlow "
            "casts it to float32 without a word, after your generator built an array twice the size.",
            hint="Convert first: `image.astype(np.float32) / 255`.",
        )
    if item.dtype == np.uint8:
        return Feedback.fail(
            f"The image for {name} is uint8 with values 0..255, expected float32 in [0, 1].",
            hint="Scale it: `image.astype(np.float32) / 255`.",
        )
    if item.dtype != np.float32:
        return Feedback.fail(
            f"The image for {name} is {item.dtype}, expected float32.",
            hint="Convert with `image.astype(np.float32) / 255`.",
        )
    if scale != 1.0 or float(np.min(item)) < 0.0:
        return Feedback.fail(
            f"The image for {name} has values from {float(np.min(item)):.1f} to {float(np.max(item)):.1f}, "
            "expected [0, 1].",
            hint="Divide the uint8 pixels by 255 (once).",
        )
    return None


def _shape_hint(shape: tuple[int, ...]) -> str:
    if len(shape) == 2:
        return "The image has no channel axis (grayscale): cv2.imread(path) gives 3 channels."
    if len(shape) == 3 and shape[2] == 4:
        return (
            "The image has an alpha channel: read with cv2.imread(path) (3 channels), not IMREAD_UNCHANGED."
        )
    if len(shape) == 4:
        return "Yield one image at a time, not a batch; batch later with `.batch(...)`."
    return "Resize every image: `cv2.resize(image, (224, 224))` (OpenCV takes (width, height))."


def _missing_file_feedback(generator_function: Callable, missing: str, *, count: int) -> Feedback:
    name = display_path(missing)
    try:
        items = _guards.first_items(generator_function([missing]), 1)
    except _guards.Stalled as stalled:
        return stalled.feedback
    except Exception as error:
        text = str(error)
        if Path(missing).name in text:
            return Feedback.ok(
                f"{count} images come out RGB float32 (224, 224, 3) in [0, 1], and a missing file raises "
                f"{type(error).__name__} naming it."
            )
        if type(error).__module__ == "cv2":
            return Feedback.fail(
                f"For the missing file {name} your generator raised cv2.error from OpenCV, which does not "
                "say which file: the real problem (cv2.imread returned None) happened a line earlier.",
                hint="Right after cv2.imread: `if image is None: raise FileNotFoundError(path)`.",
            )
        return Feedback.fail(
            f"For the missing file {name} your generator raised {type(error).__name__}: {text!r}, which "
            "does not name the file.",
            hint="Put the path in the message, e.g. `raise FileNotFoundError(f'cannot read {path}')`.",
        )
    if not items:
        return Feedback.fail(
            f"Your generator skipped the missing file {name} without a word.",
            hint="Raise an error naming the file (or, if you skip it, record it so it can be reported).",
        )
    if items[0] is None:
        return Feedback.fail(
            f"For the missing file {name} your generator yielded None: cv2.imread returns None instead "
            "of raising, and the None only fails later, far from the cause.",
            hint="Right after cv2.imread: `if image is None: raise FileNotFoundError(path)`.",
        )
    return Feedback.fail(
        f"For the missing file {name} your generator yielded a {type(items[0]).__name__}.",
        hint="A path that cannot be read should raise an error naming the file.",
    )


def _iteration_hint(message: str) -> str:
    if "where an element of shape" in message:
        return (
            "The generator yielded a shape the signature does not allow; for batches, make the batch "
            "dimension None: TensorSpec(shape=(None, 224, 224, 3), dtype=tf.float32)."
        )
    if "yielded element was None" in message or "NoneType" in message:
        return "The generator yielded None: a file could not be read. Use images.load_image, which raises."
    return "Iterate your generator by hand on a few paths to find the first failing image."


def _ends_with_prefetch(dataset: object) -> bool:
    """Whether the last step of `dataset`'s pipeline (ignoring `with_options`) is a `prefetch`.

    Read from the pipeline's graph through public APIs (op names, not TensorFlow's private classes).
    """
    import tensorflow as tf

    serialized = tf.raw_ops.DatasetToGraphV2(
        input_dataset=tf.data.experimental.to_variant(dataset),
        # from_generator's Python function is state outside the graph; only the graph's shape is read here.
        external_state_policy=tf.data.experimental.ExternalStatePolicy.IGNORE.value,
        strip_device_assignment=True,
    )
    graph = tf.compat.v1.GraphDef.FromString(serialized.numpy())
    nodes = {node.name: node for node in graph.node}
    output = next(node for node in graph.node if node.op == "_Retval")
    node = nodes[output.input[0].split(":")[0]]
    while node.op in _SETTINGS_ONLY_OPS:
        node = nodes[node.input[0].split(":")[0]]
    return node.op == "PrefetchDataset"
