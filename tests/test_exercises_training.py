import math
import os
import subprocess
import sys

import cv2
import numpy as np
import pytest
import tensorflow as tf

from helpers import training
from helpers.exercises import training as exercises


@pytest.fixture(scope="module")
def digit_pngs(tmp_path_factory):
    """Twenty 8x8 grayscale PNGs with their own patterns; labels cycle through 0..3."""
    folder = tmp_path_factory.mktemp("digits")
    rng = np.random.default_rng(1)
    paths = []
    for index in range(20):
        path = folder / f"{index}.png"
        cv2.imwrite(str(path), rng.integers(0, 256, size=(8, 8), dtype=np.uint8))
        paths.append(str(path))
    return np.array(paths), np.arange(20) % 4


def unbatched(paths, labels, augment_images=False, epoch=0):
    return tf.data.Dataset.from_generator(
        training.digit_examples,
        output_signature=training.DIGIT_SIGNATURE,
        args=(paths, labels, augment_images, 0, epoch),
    )


def with_cardinality(dataset, paths, batch_size):
    batches = math.ceil(len(paths) / batch_size)
    return dataset.batch(batch_size).apply(tf.data.experimental.assert_cardinality(batches))


def test_evaluation_dataset_solution_passes(digit_pngs):
    def solution(paths, labels, batch_size):
        return with_cardinality(unbatched(paths, labels), paths, batch_size)

    feedback = exercises.check_evaluation_dataset(solution, *digit_pngs)
    assert feedback.passed, str(feedback)
    assert "20 files in order" in feedback.message and "cardinality 2" in feedback.message


@pytest.mark.parametrize(
    ("attempt", "expected_message", "expected_hint"),
    [
        (lambda paths, labels, batch_size: None, "returned None", "return dataset"),
        (lambda paths, labels, batch_size: [1, 2], "returned a list", "from_generator"),
        (lambda paths, labels, batch_size: 1 / 0, "raised ZeroDivisionError", "cell of its own"),
        (lambda paths, labels, batch_size: unbatched(paths, labels), "not batched", ".batch("),
        (
            lambda paths, labels, batch_size: with_cardinality(
                unbatched(paths, labels).map(lambda image, label: image), paths, batch_size
            ),
            "yields single tensors of shape (None, 32, 32, 1)",
            "(image, label)",
        ),
        (
            lambda paths, labels, batch_size: with_cardinality(
                unbatched(paths, labels).map(lambda image, label: {"image": image, "label": label}),
                paths,
                batch_size,
            ),
            "yields dicts with the keys ['image', 'label']",
            "(image, label)",
        ),
        (
            lambda paths, labels, batch_size: with_cardinality(
                unbatched(paths, labels).map(lambda image, label: (image, label, label)), paths, batch_size
            ),
            "yields tuples of 3 parts",
            "(image, label)",
        ),
        (
            lambda paths, labels, batch_size: with_cardinality(
                unbatched(paths, labels).map(lambda image, label: ({"image": image}, label)),
                paths,
                batch_size,
            ),
            "something other than a tensor inside",
            "(image, label)",
        ),
        (
            lambda paths, labels, batch_size: with_cardinality(
                unbatched(paths, labels).map(lambda image, label: (label, image)), paths, batch_size
            ),
            "shape (None,), not (batch, 32, 32, 1)",
            "in that order",
        ),
        (
            lambda paths, labels, batch_size: unbatched(paths, labels).batch(batch_size),
            "cardinality is unknown",
            "assert_cardinality",
        ),
        (
            lambda paths, labels, batch_size: (
                unbatched(paths, labels)
                .batch(batch_size)
                .apply(tf.data.experimental.assert_cardinality(len(paths)))
            ),
            "declares 20 batches",
            "math.ceil",
        ),
        (
            lambda paths, labels, batch_size: with_cardinality(
                unbatched(paths, labels, augment_images=True), paths, batch_size
            ),
            "in another order",
            "augment_images=False",
        ),
    ],
)
def test_evaluation_dataset_mistakes_get_specific_feedback(
    digit_pngs, attempt, expected_message, expected_hint
):
    feedback = exercises.check_evaluation_dataset(attempt, *digit_pngs)
    assert not feedback.passed
    assert expected_message in feedback.message
    assert expected_hint in feedback.hint


def test_evaluation_dataset_that_changes_the_images_in_order_is_caught(digit_pngs):
    def brightened(paths, labels, batch_size):
        dataset = unbatched(paths, labels).map(lambda image, label: (image * 0.5, label))
        return with_cardinality(dataset, paths, batch_size)

    feedback = exercises.check_evaluation_dataset(brightened, *digit_pngs)
    assert not feedback.passed and "in the files' order but changed" in feedback.message


def test_evaluation_dataset_with_generator_error_reports_it(digit_pngs):
    def wrong_args(paths, labels, batch_size):
        dataset = tf.data.Dataset.from_generator(
            training.digit_examples,
            output_signature=training.DIGIT_SIGNATURE,
            args=(labels, paths, False, 0, 0),
        )
        return with_cardinality(dataset, paths, batch_size)

    feedback = exercises.check_evaluation_dataset(wrong_args, *digit_pngs)
    assert not feedback.passed and feedback.message.startswith("Iterating the dataset raised")
    assert "Traceback" not in feedback.message and "{{function_node" not in feedback.message


def save_then_load(dataset, folder):
    if not os.path.isdir(folder):
        dataset.save(folder)
    return tf.data.Dataset.load(folder)


def test_save_once_solution_passes():
    feedback = exercises.check_save_once(save_then_load)
    assert feedback.passed, str(feedback)


def test_save_once_returning_the_generator_dataset_is_caught():
    def returns_original(dataset, folder):
        dataset.save(folder)
        return dataset

    feedback = exercises.check_save_once(returns_original)
    assert not feedback.passed
    assert "ran 2 times" in feedback.message and "Dataset.load" in feedback.hint


def test_save_once_saving_every_time_is_caught():
    def saves_always(dataset, folder):
        dataset.save(folder)
        return tf.data.Dataset.load(folder)

    feedback = exercises.check_save_once(saves_always)
    assert not feedback.passed
    assert "second call" in feedback.message and "does not exist yet" in feedback.hint


@pytest.mark.parametrize(
    ("attempt", "expected_message"),
    [
        (lambda dataset, folder: None, "returned None"),
        (lambda dataset, folder: dataset, "nothing in the folder"),
        (lambda dataset, folder: save_then_load(dataset.take(3), folder), "yields [0, 1, 2]"),
        (lambda dataset, folder: tf.data.Dataset.load(folder), "raised"),
    ],
)
def test_save_once_other_mistakes_get_specific_feedback(attempt, expected_message):
    feedback = exercises.check_save_once(attempt)
    assert not feedback.passed and expected_message in feedback.message


def test_importing_the_checks_does_not_import_tensorflow():
    code = "import sys, helpers.exercises.training; print('tensorflow' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"
