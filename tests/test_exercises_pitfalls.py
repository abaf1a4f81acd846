"""Self-checks of notebook 04: right answers pass, each typical mistake gets its own message and hint."""

import numpy as np
import pytest
import tensorflow as tf

from helpers import generators
from helpers.exercises import pitfalls as ex
from tests.support import assert_fails

Spec = tf.TensorSpec


# Exercise 1: parse_numbers


def parse_numbers_right(texts):
    for text in texts:
        try:
            number = int(text)
        except ValueError:
            continue
        yield number


def test_parse_numbers_right_answer_passes():
    feedback = ex.check_parse_numbers(parse_numbers_right)
    assert feedback.passed, str(feedback)


def test_parse_numbers_without_catching_ends_the_dataset():
    def parse_numbers(texts):
        for text in texts:
            yield int(text)

    assert_fails(
        ex.check_parse_numbers(parse_numbers),
        "gave [12, 7], then raised InvalidArgumentError: ValueError",
        hint="try/except ValueError inside the loop",
    )


def test_parse_numbers_that_stops_at_the_first_bad_text():
    def parse_numbers(texts):
        for text in texts:
            try:
                yield int(text)
            except ValueError:
                return

    assert_fails(ex.check_parse_numbers(parse_numbers), "stops after [12, 7]", hint="`continue`")


def test_parse_numbers_hard_coded_answer_fails_on_the_second_case():
    def parse_numbers(texts):
        yield from [12, 7, 40, -3, 8]

    assert_fails(ex.check_parse_numbers(parse_numbers), "['oops', '5'", hint="every text")


def test_parse_numbers_given_a_generator_object():
    assert_fails(ex.check_parse_numbers(parse_numbers_right([])), "not a generator function", hint="name")


# Exercise 2: the batch signature


RIGHT_SIGNATURE = (Spec(shape=(None, 8, 8, 3), dtype=tf.uint8), Spec(shape=(None,), dtype=tf.int64))


def test_pixel_label_batches_end_with_a_short_batch():
    batches = list(generators.pixel_label_batches(10, 4))
    assert [images.shape for images, _ in batches] == [(4, 8, 8, 3), (4, 8, 8, 3), (2, 8, 8, 3)]
    assert all(images.dtype == np.uint8 and labels.dtype == np.int64 for images, labels in batches)
    again = list(generators.pixel_label_batches(10, 4))
    assert all(np.array_equal(a[0], b[0]) for a, b in zip(batches, again, strict=True))


@pytest.mark.parametrize(
    "signature",
    [RIGHT_SIGNATURE, (RIGHT_SIGNATURE[0], Spec(shape=(None,), dtype=tf.int32))],
    ids=["int64 labels", "int32 labels (lossless)"],
)
def test_batch_signature_right_answers_pass(signature):
    feedback = ex.check_batch_signature(signature)
    assert feedback.passed, str(feedback)


def test_batch_signature_fixed_batch_dimension_fails_on_the_last_batch():
    signature = (Spec(shape=(4, 8, 8, 3), dtype=tf.uint8), Spec(shape=(4,), dtype=tf.int64))
    assert_fails(
        ex.check_batch_signature(signature),
        "element 2 at [0]",
        "received an array, uint8 shape (2, 8, 8, 3)",
        hint="the last batch holds 2",
    )


def test_batch_signature_float32_for_uint8_is_flagged_by_the_doctor():
    signature = (Spec(shape=(None, 8, 8, 3), dtype=tf.float32), RIGHT_SIGNATURE[1])
    assert_fails(ex.check_batch_signature(signature), "uint8 values", hint="does not scale")


def test_batch_signature_lossy_labels():
    signature = (RIGHT_SIGNATURE[0], Spec(shape=(None,), dtype=tf.bool))
    assert_fails(ex.check_batch_signature(signature), "element 0 at [1]", hint="expected vs received")


@pytest.mark.parametrize(
    ("signature", "fragment", "hint"),
    [
        (None, "None", "tuple of two"),
        (list(RIGHT_SIGNATURE), "each element is a pair", "round brackets"),
        (
            (RIGHT_SIGNATURE[0], tf.RaggedTensorSpec(shape=(None, None), dtype=tf.int64)),
            "RaggedTensorSpec",
            "dense",
        ),
    ],
    ids=["none", "list", "ragged"],
)
def test_batch_signature_wrong_form(signature, fragment, hint):
    assert_fails(ex.check_batch_signature(signature), fragment, hint=hint)
