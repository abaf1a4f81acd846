"""Self-checks of notebook 02: right answers pass, each typical mistake gets its own message."""

import cv2
import numpy as np
import pytest
import tensorflow as tf

from helpers import images
from helpers.exercises import image_pipeline as ex

IMAGE_SIGNATURE = tf.TensorSpec(shape=(224, 224, 3), dtype=tf.float32)


# --- the core exercise: the fixed pipeline --------------------------------------------------------------


def load_rgb(path):
    """The notebook's loader."""
    image = cv2.imread(path)
    if image is None:
        raise FileNotFoundError(f"cannot read image file {path!r}")
    image = cv2.cvtColor(image, cv2.COLOR_BGR2RGB)
    image = cv2.resize(image, (224, 224))
    return image.astype(np.float32) / 255


def rgb_images(image_paths):
    for path in image_paths:
        yield load_rgb(path)


def right_pipeline(image_paths, batch_size):
    dataset = tf.data.Dataset.from_generator(
        lambda: rgb_images(image_paths), output_signature=IMAGE_SIGNATURE
    )
    return dataset.batch(batch_size).prefetch(tf.data.AUTOTUNE)


def pipeline_of(generator, *, signature=IMAGE_SIGNATURE, batch=True, prefetch=True):
    """A dataset function like the right one, around another generator or signature."""

    def image_dataset(image_paths, batch_size):
        dataset = tf.data.Dataset.from_generator(lambda: generator(image_paths), output_signature=signature)
        dataset = dataset.batch(batch_size) if batch else dataset
        return dataset.prefetch(tf.data.AUTOTUNE) if prefetch else dataset

    return image_dataset


def test_right_pipeline_passes():
    feedback = ex.check_image_pipeline(right_pipeline)
    assert feedback.passed, str(feedback)
    assert "[4, 2]" in feedback.message and "naming it" in feedback.message


def test_kit_reader_with_args_passes():
    def image_dataset(image_paths, batch_size):
        dataset = tf.data.Dataset.from_generator(
            images.make_image_reader(size=(224, 224)), args=(image_paths,), output_signature=IMAGE_SIGNATURE
        )
        return dataset.batch(batch_size).prefetch(1)

    feedback = ex.check_image_pipeline(image_dataset)
    assert feedback.passed, str(feedback)


def article_images(image_paths):
    for path in image_paths:
        yield cv2.resize(cv2.imread(path), (224, 224)) / 255.0


def rgb_without_none_check(image_paths):
    for path in image_paths:
        image = cv2.imread(path, cv2.IMREAD_COLOR_RGB)
        yield cv2.resize(image, (224, 224)).astype(np.float32) / 255


def none_for_missing(image_paths):
    for path in image_paths:
        image = cv2.imread(path, cv2.IMREAD_COLOR_RGB)
        yield None if image is None else cv2.resize(image, (224, 224)).astype(np.float32) / 255


def anonymous_error(image_paths):
    for path in image_paths:
        image = cv2.imread(path, cv2.IMREAD_COLOR_RGB)
        if image is None:
            raise FileNotFoundError("file not found")
        yield cv2.resize(image, (224, 224)).astype(np.float32) / 255


def skips_missing(image_paths):
    for path in image_paths:
        image = cv2.imread(path, cv2.IMREAD_COLOR_RGB)
        if image is not None:
            yield cv2.resize(image, (224, 224)).astype(np.float32) / 255


def unscaled(image_paths):
    for path in image_paths:
        yield load_rgb(path) * 255


def reversed_order(image_paths):
    yield from rgb_images(list(reversed(image_paths)))


def generator_object(image_paths, batch_size):
    dataset = tf.data.Dataset.from_generator(rgb_images(image_paths), output_signature=IMAGE_SIGNATURE)
    return dataset.batch(batch_size).prefetch(1)


def fixed_batch_size(image_paths, batch_size):
    return right_pipeline(image_paths, 32)


def dropped(image_paths, batch_size):
    unbatched = pipeline_of(rgb_images, batch=False)(image_paths, batch_size)
    return unbatched.batch(batch_size, drop_remainder=True)


@pytest.mark.parametrize(
    ("function", "in_message", "in_advice"),
    [
        (None, "Expected a function, got NoneType", "no parentheses"),
        (lambda image_paths, batch_size: None, "returned None", "return dataset"),
        (lambda image_paths, batch_size: [], "returned a list", "dataset itself"),
        (lambda image_paths: None, "raised TypeError", "from_generator"),
        (generator_object, "must be a Python callable", "not a generator already made"),
        (pipeline_of(rgb_images, batch=False), "single images, not batches", ".batch(batch_size)"),
        (pipeline_of(rgb_images, signature=tf.TensorSpec((224, 224, 3), tf.float64)), "float64", "dtype"),
        (
            pipeline_of(rgb_images, signature=tf.TensorSpec((None, 224, 224, 3), tf.float32)),
            "expected (None, 224, 224, 3)",
            "one element",
        ),
        (
            pipeline_of(rgb_images, signature=tf.TensorSpec((224, 224), tf.float32)),
            "expected (None, 224, 224, 3)",
            "one element",
        ),
        (fixed_batch_size, "Expected batches of sizes [4, 2]", "batch_size your function is given"),
        (dropped, "delivered 4 of 6 images", "drop_remainder"),
        (pipeline_of(article_images), "BGR", "COLOR_BGR2RGB"),
        (pipeline_of(unscaled), "expected [0, 1]", "255"),
        (pipeline_of(reversed_order), "does not look like", "order"),
        (pipeline_of(rgb_images, prefetch=False), "does not end with `.prefetch(...)`", "next batch"),
    ],
    ids=lambda value: getattr(value, "__name__", None),
)
def test_each_pipeline_mistake_has_its_own_feedback(function, in_message, in_advice):
    feedback = ex.check_image_pipeline(function)
    assert not feedback.passed
    assert in_message in feedback.message, str(feedback)
    assert in_advice in feedback.hint + feedback.more, str(feedback)


@pytest.mark.parametrize(
    ("generator", "in_message", "in_hint"),
    [
        (rgb_without_none_check, "failed inside OpenCV", "cv2.imread"),
        (none_for_missing, "yielded None", "cv2.imread"),
        (anonymous_error, "does not name the file", "path"),
        (skips_missing, "lost without a word", "names it"),
    ],
    ids=lambda value: getattr(value, "__name__", None),
)
def test_missing_file_mistakes(generator, in_message, in_hint):
    feedback = ex.check_image_pipeline(pipeline_of(generator))
    assert not feedback.passed
    assert in_message in feedback.message and "no_such_image.jpg" in feedback.message, str(feedback)
    assert in_hint in feedback.hint, str(feedback)
    assert "load_rgb" in feedback.more, "a second hint, on request"


@pytest.mark.parametrize(
    ("function", "edit"),
    [
        (pipeline_of(rgb_images, prefetch=False), ".prefetch(tf.data.AUTOTUNE)"),
        (pipeline_of(rgb_images, batch=False), ".batch(batch_size)"),
        (pipeline_of(rgb_images, signature=tf.TensorSpec((224, 224, 3), tf.float64)), "dtype=tf.float32"),
        (fixed_batch_size, ".batch(batch_size)"),
        (dropped, "drop_remainder=True"),
        (pipeline_of(article_images), "cv2.COLOR_BGR2RGB"),
        (pipeline_of(unscaled), "/ 255"),
        (pipeline_of(none_for_missing), "if image is None"),
    ],
    ids=["no-prefetch", "no-batch", "float64", "batch-32", "dropped", "bgr", "unscaled", "none"],
)
def test_the_first_hint_points_at_the_idea_and_the_edit_comes_on_request(function, edit):
    feedback = ex.check_image_pipeline(function)
    assert not feedback.passed
    assert "`" not in feedback.hint, f"the first hint shows code: {feedback.hint}"
    assert edit in feedback.more, str(feedback)


# --- the deep dive's exercise: yield uint8, scale in TensorFlow -------------------------------------------


def right_uint8_dataset(image_paths, batch_size):
    reader = images.make_image_reader(size=(224, 224), dtype="uint8")
    dataset = tf.data.Dataset.from_generator(
        reader, args=(image_paths,), output_signature=tf.TensorSpec((224, 224, 3), tf.uint8)
    )
    dataset = dataset.batch(batch_size).map(lambda batch: tf.cast(batch, tf.float32) / 255)
    return dataset.prefetch(tf.data.AUTOTUNE)


def test_right_uint8_dataset_passes():
    feedback = ex.check_image_dataset(right_uint8_dataset)
    assert feedback.passed, str(feedback)
    assert "[4, 2]" in feedback.message and "explicit prefetch" in feedback.message


def uint8_only(image_paths, batch_size):
    reader = images.make_image_reader(size=(224, 224), dtype="uint8")
    dataset = tf.data.Dataset.from_generator(
        reader, args=(image_paths,), output_signature=tf.TensorSpec((224, 224, 3), tf.uint8)
    )
    return dataset.batch(batch_size, drop_remainder=True)


def fixed_batches(image_paths, batch_size):
    def batches(paths):
        for start in range(0, len(paths), batch_size):
            yield np.stack(list(rgb_images(paths[start : start + batch_size])))

    signature = tf.TensorSpec((batch_size, 224, 224, 3), tf.float32)
    return pipeline_of(batches, signature=signature, batch=False)(image_paths, batch_size)


def scaled_twice(image_paths, batch_size):
    return right_uint8_dataset(image_paths, batch_size).map(lambda batch: batch * 255)


def wrong_size(image_paths, batch_size):
    return right_uint8_dataset(image_paths, batch_size).map(lambda batch: batch[:, :200, :200, :])


def labelled(image_paths, batch_size):
    return right_uint8_dataset(image_paths, batch_size).map(lambda batch: (batch, 0))


def int32_dataset(image_paths, batch_size):
    return right_uint8_dataset(image_paths, batch_size).map(lambda batch: tf.cast(batch, tf.int32))


@pytest.mark.parametrize(
    ("function", "in_message", "in_advice"),
    [
        (uint8_only, "uint8", "tf.cast(batch, tf.float32) / 255"),
        (dropped, "delivered 4 of 6 images", "drop_remainder"),
        (pipeline_of(rgb_images, batch=False), "single images, not batches", ".batch(batch_size)"),
        (fixed_batches, "an element of shape (2, 224, 224, 3) where", "signature"),
        (pipeline_of(article_images, signature=tf.TensorSpec((224, 224, 3), tf.float32)), "BGR", "BGR2RGB"),
        (scaled_twice, "expected [0, 1]", "255"),
        (wrong_size, "expected (None, 224, 224, 3)", "224x224"),
        (labelled, "element_spec is", "no tuple"),
        (int32_dataset, "int32, expected float32", "tf.cast"),
        (lambda image_paths, batch_size: None, "returned None", "return dataset"),
        (None, "Expected a function, got NoneType", "uint8_image_dataset"),
    ],
    ids=lambda value: getattr(value, "__name__", None),
)
def test_each_uint8_dataset_mistake_has_its_own_feedback(function, in_message, in_advice):
    feedback = ex.check_image_dataset(function)
    assert not feedback.passed
    assert in_message in feedback.message, str(feedback)
    assert in_advice in feedback.hint + feedback.more, str(feedback)


def prefetched_with_options(image_paths, batch_size):
    options = tf.data.Options()
    options.experimental_optimization.inject_prefetch = False
    dataset = pipeline_of(rgb_images, prefetch=False)(image_paths, batch_size)
    return dataset.prefetch(tf.data.AUTOTUNE).with_options(options)


def prefetched_then_mapped(image_paths, batch_size):
    return pipeline_of(rgb_images)(image_paths, batch_size).map(tf.identity)


@pytest.mark.parametrize("function", [right_uint8_dataset, prefetched_with_options])
def test_explicit_prefetch_is_recognised(function):
    feedback = ex.check_image_dataset(function)
    assert feedback.passed, str(feedback)
    assert "ends with an explicit prefetch" in feedback.message


@pytest.mark.parametrize("function", [pipeline_of(rgb_images, prefetch=False), prefetched_then_mapped])
def test_no_final_prefetch_passes_with_a_note(function):
    """TensorFlow injects a prefetch by default, so this is right; the note says why to write it anyway."""
    feedback = ex.check_image_dataset(function)
    assert feedback.passed, str(feedback)
    assert "does not end with `.prefetch`" in feedback.message and "inject_prefetch" in feedback.message
