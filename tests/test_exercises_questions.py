"""helpers.exercises.questions: the feature-dict check trains the two-input model or says what is wrong."""

from __future__ import annotations

import numpy as np
import tensorflow as tf

from helpers.exercises import questions

SIGNATURE = (
    {"pixels": tf.TensorSpec((8, 8, 1), tf.float32), "counts": tf.TensorSpec((3,), tf.float32)},
    tf.TensorSpec((), tf.float32),
)


def feature_dicts(n):
    rng = np.random.default_rng(0)
    for _ in range(n):
        yield (
            {"pixels": rng.random((8, 8, 1), dtype=np.float32), "counts": rng.random(3, dtype=np.float32)},
            1.0,
        )


def test_solution_passes():
    feedback = questions.check_feature_dicts(feature_dicts, SIGNATURE)
    assert feedback.passed, feedback


def test_tuple_signature_is_caught():
    tuple_signature = ((SIGNATURE[0]["pixels"], SIGNATURE[0]["counts"]), SIGNATURE[1])
    feedback = questions.check_feature_dicts(feature_dicts, tuple_signature)
    assert not feedback.passed and "dict" in feedback.message


def test_wrong_key_is_caught():
    wrong = ({"image": SIGNATURE[0]["pixels"], "counts": SIGNATURE[0]["counts"]}, SIGNATURE[1])
    feedback = questions.check_feature_dicts(feature_dicts, wrong)
    assert not feedback.passed and "'image'" in feedback.message and "name=" in feedback.hint


def test_wrong_shape_is_caught():
    wrong = ({"pixels": tf.TensorSpec((8, 8), tf.float32), "counts": SIGNATURE[0]["counts"]}, SIGNATURE[1])
    assert "(8, 8, 1)" in questions.check_feature_dicts(feature_dicts, wrong).message


def test_generator_that_yields_too_few_is_caught():
    def too_few(n):
        yield from feature_dicts(n // 2)

    feedback = questions.check_feature_dicts(too_few, SIGNATURE)
    assert not feedback.passed and "Training on it failed" in feedback.message


def test_not_a_function():
    assert not questions.check_feature_dicts(None, SIGNATURE).passed
