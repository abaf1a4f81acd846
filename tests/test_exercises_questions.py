"""helpers.exercises.questions: the feature-dataset check trains the two-input model or says what is wrong."""

from __future__ import annotations

import numpy as np
import tensorflow as tf

from helpers.exercises import questions

PIXELS = tf.TensorSpec((8, 8, 1), tf.float32)
COUNTS = tf.TensorSpec((3,), tf.float32)
LABEL = tf.TensorSpec((), tf.float32)
SIGNATURE = ({"pixels": PIXELS, "counts": COUNTS}, LABEL)


def feature_dicts(n):
    rng = np.random.default_rng(0)
    for _ in range(n):
        yield (
            {"pixels": rng.random((8, 8, 1), dtype=np.float32), "counts": rng.random(3, dtype=np.float32)},
            np.float32(1.0),
        )


def dataset_of(generator, signature=SIGNATURE):
    return lambda n: tf.data.Dataset.from_generator(generator, args=(n,), output_signature=signature)


def test_a_right_answer_passes():
    feedback = questions.check_feature_dataset(dataset_of(feature_dicts))
    assert feedback.passed, feedback
    assert feedback.message.endswith("one epoch of fit ran on 2 batches of 16.")


def test_a_tuple_of_features_is_caught():
    def feature_tuples(n):
        for features, label in feature_dicts(n):
            yield (features["pixels"], features["counts"]), label

    feedback = questions.check_feature_dataset(dataset_of(feature_tuples, ((PIXELS, COUNTS), LABEL)))
    assert feedback.message == "Each element is described as tuple; expected a pair (features, label)."
    assert "dict" in feedback.hint and '"pixels": tf.TensorSpec' in feedback.more


def test_a_key_that_is_not_an_input_name_is_caught():
    def misnamed(n):
        for features, label in feature_dicts(n):
            yield {"image": features["pixels"], "counts": features["counts"]}, label

    feedback = questions.check_feature_dataset(
        dataset_of(misnamed, ({"image": PIXELS, "counts": COUNTS}, LABEL))
    )
    assert feedback.message == (
        "The feature keys are ['counts', 'image']; the model's inputs are named ['counts', 'pixels']."
    )
    assert "name=" in feedback.hint


def test_a_wrong_shape_or_a_batch_dimension_is_caught():
    flat = ({"pixels": tf.TensorSpec((8, 8), tf.float32), "counts": COUNTS}, LABEL)
    feedback = questions.check_feature_dataset(dataset_of(feature_dicts, flat))
    assert feedback.message == (
        "'pixels' is described as TensorSpec(shape=(8, 8), dtype=float32); the model takes float32 of shape "
        "(8, 8, 1)."
    )
    batched = questions.check_feature_dataset(lambda n: dataset_of(feature_dicts)(n).batch(16))
    assert "shape=(None, 8, 8, 1)" in batched.message and "batch dimension" in batched.hint


def test_an_integer_label_is_caught():
    feedback = questions.check_feature_dataset(
        dataset_of(feature_dicts, (SIGNATURE[0], tf.TensorSpec((), tf.int32)))
    )
    assert feedback.message.startswith("The label is described as TensorSpec(shape=(), dtype=int32)")


def test_a_structure_mismatch_while_iterating_is_reported():
    def tuples_declared_as_dicts(n):
        for features, label in feature_dicts(n):
            yield (features["pixels"], features["counts"]), label

    feedback = questions.check_feature_dataset(dataset_of(tuples_declared_as_dicts))
    assert feedback.message.startswith("Iterating make_feature_dataset(48) raised InvalidArgumentError")
    assert "did not match the expected structure" in feedback.message


def test_a_count_that_ignores_n_is_caught():
    always_64 = questions.check_feature_dataset(lambda n: dataset_of(feature_dicts)(64))
    assert always_64.message == "make_feature_dataset(48) gave more than 48 elements; expected 48."
    too_few = questions.check_feature_dataset(lambda n: dataset_of(feature_dicts)(n // 2))
    assert too_few.message == "make_feature_dataset(48) gave 24 elements; expected 48."
    assert "args=(n,)" in too_few.more


def test_no_function_no_dataset():
    assert questions.check_feature_dataset(None).message == "Expected a function, got NoneType."
    stub = questions.check_feature_dataset(lambda n: None)
    assert stub.message == "make_feature_dataset(48) returned None." and "return" in stub.hint
    generator = questions.check_feature_dataset(feature_dicts)
    assert generator.message == "make_feature_dataset(48) returned a generator, not a tf.data.Dataset."
