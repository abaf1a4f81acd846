import math
import os
import subprocess
import sys

import numpy as np
import pytest
import tensorflow as tf

from helpers import augment, training
from helpers.exercises import training as exercises


def examples(paths, labels):
    return tf.data.Dataset.from_generator(
        training.digit_examples, output_signature=training.DIGIT_SIGNATURE, args=(paths, labels)
    )


def with_length(dataset, paths, batch_size):
    return dataset.apply(tf.data.experimental.assert_cardinality(math.ceil(len(paths) / batch_size)))


def training_solution(paths, labels, batch_size):
    return with_length(examples(paths, labels).shuffle(len(paths)).batch(batch_size), paths, batch_size)


def evaluation_solution(paths, labels, batch_size):
    return with_length(examples(paths, labels).batch(batch_size), paths, batch_size)


def shuffled_then(transform):
    """A training attempt: the solution's pipeline with `transform` applied to the shuffled examples."""

    def attempt(paths, labels, batch_size):
        dataset = transform(examples(paths, labels).shuffle(len(paths)))
        return with_length(dataset.batch(batch_size), paths, batch_size)

    return attempt


def augmented_digits(paths, labels):
    rng = augment.epoch_rng(0)
    for image, label in training.digit_examples(paths, labels):
        yield augment.augment_digit(image, rng), label


def test_training_dataset_solution_passes():
    feedback = exercises.check_training_dataset(training_solution)
    assert feedback.passed, str(feedback)
    assert "the 100 files in a new order every pass" in feedback.message


def test_training_dataset_with_a_seeded_shuffle_passes():
    def seeded(paths, labels, batch_size):
        dataset = examples(paths, labels).shuffle(len(paths), seed=3).batch(batch_size)
        return with_length(dataset, paths, batch_size)

    assert exercises.check_training_dataset(seeded).passed


@pytest.mark.parametrize(
    ("attempt", "expected_message", "expected_hint"),
    [
        (lambda paths, labels, batch_size: None, "returned None", "without `return`"),
        (lambda paths, labels, batch_size: [1, 2], "returned a list", "from_generator"),
        (lambda paths, labels, batch_size: 1 / 0, "raised ZeroDivisionError", "cell on its own"),
        (
            lambda paths, labels, batch_size: with_length(examples(paths, labels), paths, 1),
            "not batched",
            "batches",
        ),
        (
            shuffled_then(lambda dataset: dataset.map(lambda image, label: image)),
            "element_spec is TensorSpec(shape=(None, 32, 32, 1)",
            "(features, label)",
        ),
        (
            shuffled_then(lambda dataset: dataset.map(lambda image, label: {"image": image, "label": label})),
            "element_spec is {'image': TensorSpec(",
            "(features, label)",
        ),
        (
            shuffled_then(lambda dataset: dataset.map(lambda image, label: (image, label, label))),
            "TensorSpec(shape=(None,), dtype=tf.int64, name=None), TensorSpec(shape=(None,), dtype=tf.int64",
            "(features, label)",
        ),
        (
            shuffled_then(lambda dataset: dataset.map(lambda image, label: ({"image": image}, label))),
            "element_spec is ({'image': TensorSpec(",
            "(features, label)",
        ),
        (
            shuffled_then(lambda dataset: dataset.map(lambda image, label: (label, image))),
            "shape (None,), not (batch, 32, 32, 1)",
            "in which order",
        ),
        (
            lambda paths, labels, batch_size: examples(paths, labels).shuffle(len(paths)).batch(batch_size),
            "length is unknown (cardinality -2)",
            "tell the dataset",
        ),
        (
            lambda paths, labels, batch_size: (
                examples(paths, labels).shuffle(len(paths)).batch(batch_size).repeat()
            ),
            "endless (cardinality -1)",
            "one pass per epoch",
        ),
        (
            lambda paths, labels, batch_size: (
                examples(paths, labels)
                .shuffle(len(paths))
                .batch(batch_size)
                .apply(tf.data.experimental.assert_cardinality(len(paths)))
            ),
            "declares 100 batches",
            "last batch may be short",
        ),
        (
            lambda paths, labels, batch_size: (
                examples(paths, labels)
                .shuffle(len(paths))
                .batch(32)
                .apply(tf.data.experimental.assert_cardinality(math.ceil(len(paths) / batch_size)))
            ),
            "Iterating the dataset raised FailedPreconditionError",
            "assert_cardinality must equal",
        ),
        (
            lambda paths, labels, batch_size: with_length(examples(paths, labels).batch(32), paths, 32),
            "declares 4 batches; 100 files in batches of 16 make 7",
            "last batch may be short",
        ),
        (
            lambda paths, labels, batch_size: evaluation_solution(paths, labels, batch_size),
            "nothing shuffles them",
            "Which tf.data method",
        ),
        (
            lambda paths, labels, batch_size: with_length(
                examples(paths, labels).batch(batch_size).shuffle(len(paths)), paths, batch_size
            ),
            "shuffles whole batches",
            "then group them",
        ),
        (
            lambda paths, labels, batch_size: with_length(
                examples(paths, labels).shuffle(len(paths), reshuffle_each_iteration=False).batch(batch_size),
                paths,
                batch_size,
            ),
            "the same shuffled order",
            "anew for every pass",
        ),
        (
            lambda paths, labels, batch_size: with_length(
                examples(paths, labels).shuffle(10).batch(batch_size), paths, batch_size
            ),
            "No file moved more than 9 places forward",
            "buffer's size",
        ),
        (
            lambda paths, labels, batch_size: training_solution(
                paths, np.random.default_rng(0).permutation(labels), batch_size
            ),
            "that file's label is",
            "travel with its own image",
        ),
        (
            lambda paths, labels, batch_size: with_length(
                tf.data.Dataset.from_generator(
                    augmented_digits, output_signature=training.DIGIT_SIGNATURE, args=(paths, labels)
                )
                .shuffle(len(paths))
                .batch(batch_size),
                paths,
                batch_size,
            ),
            "none of the files as digit_examples loads them",
            "unchanged",
        ),
        (
            lambda paths, labels, batch_size: with_length(
                examples(paths[:97], labels[:97]).shuffle(len(paths)).batch(batch_size), paths, batch_size
            ),
            "One pass yields 97 images for 100 files",
            "each file once",
        ),
    ],
)
def test_training_dataset_mistakes_get_specific_feedback(attempt, expected_message, expected_hint):
    feedback = exercises.check_training_dataset(attempt)
    assert not feedback.passed
    assert expected_message in feedback.message, feedback.message
    assert expected_hint in feedback.hint, feedback.hint


def test_training_dataset_checks_say_more_on_request_for_the_common_mistakes():
    unknown = exercises.check_training_dataset(
        lambda paths, labels, batch_size: examples(paths, labels).shuffle(len(paths)).batch(batch_size)
    )
    assert "assert_cardinality" not in unknown.hint and "assert_cardinality" in unknown.more
    unshuffled = exercises.check_training_dataset(evaluation_solution)
    assert ".shuffle" not in unshuffled.hint and ".shuffle(len(image_paths))" in unshuffled.more


def test_training_dataset_passed_as_a_dataset_instead_of_a_function():
    dataset = training_solution(["a.png"], [0], 1)
    feedback = exercises.check_training_dataset(dataset)
    assert not feedback.passed and "Expected a function, got" in feedback.message


def test_training_dataset_whose_signature_does_not_match_the_generator_reports_the_shape():
    def three_channels(paths, labels, batch_size):
        signature = (tf.TensorSpec((32, 32, 3), tf.float32), tf.TensorSpec((), tf.int64))
        dataset = tf.data.Dataset.from_generator(
            training.digit_examples, output_signature=signature, args=(paths, labels)
        )
        return with_length(dataset.shuffle(len(paths)).batch(batch_size), paths, batch_size)

    feedback = exercises.check_training_dataset(three_channels)
    assert not feedback.passed and feedback.message.startswith("Iterating the dataset raised")
    assert "shape (32, 32, 1) where an element of shape (32, 32, 3)" in feedback.message
    assert "output_signature" in feedback.hint
    assert "Traceback" not in feedback.message and "{{function_node" not in feedback.message


def test_training_dataset_keras_cannot_train_on_is_caught_by_the_short_fit():
    def text_labels(paths, labels, batch_size):
        dataset = examples(paths, labels).map(lambda image, label: (image, tf.strings.as_string(label)))
        return with_length(dataset.shuffle(len(paths)).batch(batch_size), paths, batch_size)

    feedback = exercises.check_training_dataset(text_labels)
    assert not feedback.passed
    assert feedback.message.startswith("Training a small model on the dataset raised")


def test_evaluation_dataset_solution_passes():
    feedback = exercises.check_evaluation_dataset(evaluation_solution)
    assert feedback.passed, str(feedback)
    assert "the 40 files in order" in feedback.message
    assert "cardinality 3" in feedback.message


@pytest.mark.parametrize(
    ("attempt", "expected_message", "expected_hint"),
    [
        (lambda paths, labels, batch_size: None, "returned None", "without `return`"),
        (lambda paths, labels, batch_size: examples(paths, labels).batch(batch_size), "unknown", "tell"),
        (lambda paths, labels, batch_size: examples(paths, labels), "not batched", "batches"),
        (training_solution, "another order", "as they are"),
        (
            lambda paths, labels, batch_size: with_length(
                examples(paths[:33], labels[:33]).batch(batch_size), paths, batch_size
            ),
            "One pass yields 33 images for 40 files",
            "each file once",
        ),
        (
            lambda paths, labels, batch_size: with_length(
                tf.data.Dataset.from_generator(
                    augmented_digits, output_signature=training.DIGIT_SIGNATURE, args=(paths, labels)
                ).batch(batch_size),
                paths,
                batch_size,
            ),
            "changes the images",
            "no augmentation",
        ),
    ],
)
def test_evaluation_dataset_mistakes_get_specific_feedback(attempt, expected_message, expected_hint):
    feedback = exercises.check_evaluation_dataset(attempt)
    assert not feedback.passed
    assert expected_message in feedback.message, feedback.message
    assert expected_hint in feedback.hint, feedback.hint


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
    assert "ran 2 times" in feedback.message and "Dataset.load" in feedback.more


def test_save_once_saving_every_time_is_caught():
    def saves_always(dataset, folder):
        dataset.save(folder)
        return tf.data.Dataset.load(folder)

    feedback = exercises.check_save_once(saves_always)
    assert not feedback.passed
    assert "second call" in feedback.message and "no copy yet" in feedback.hint


@pytest.mark.parametrize(
    ("attempt", "expected_message"),
    [
        (lambda dataset, folder: None, "returned None"),
        (lambda dataset, folder: dataset, "nothing in the folder"),
        (lambda dataset, folder: save_then_load(dataset.take(3), folder), "yields [0, 1, 2]"),
        (lambda dataset, folder: tf.data.Dataset.load(folder), "raised"),
        (tf.data.Dataset.range(3), "Expected a function"),
    ],
)
def test_save_once_other_mistakes_get_specific_feedback(attempt, expected_message):
    feedback = exercises.check_save_once(attempt)
    assert not feedback.passed and expected_message in feedback.message


def test_importing_the_checks_does_not_import_tensorflow():
    code = "import sys, helpers.exercises.training; print('tensorflow' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"
