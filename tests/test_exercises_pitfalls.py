"""Self-checks of notebook 04: right answers pass, each typical mistake gets its own message and hint."""

import numpy as np
import pytest
import tensorflow as tf

from helpers import generators
from helpers.exercises import pitfalls as ex
from tests.support import assert_fails

Spec = tf.TensorSpec


# The core exercise: numbers_dataset(texts, skipped)

NUMBER = Spec(shape=(), dtype=tf.int32)


def numbers_dataset_right(texts, skipped):
    def whole_numbers(texts):
        for text in texts:
            try:
                number = int(text)
            except ValueError:
                skipped.append(text)
                continue
            yield number

    return tf.data.Dataset.from_generator(whole_numbers, args=(texts,), output_signature=NUMBER)


def test_numbers_dataset_right_answer_passes():
    feedback = ex.check_numbers_dataset(numbers_dataset_right)
    assert feedback.passed, str(feedback)


def test_numbers_dataset_closing_over_texts_and_recording_messages_passes():
    def numbers_dataset(texts, skipped):
        def whole_numbers():
            for text in texts:
                try:
                    yield int(text)
                except ValueError as error:
                    skipped.append(str(error))  # a message naming the text is a record too

        return tf.data.Dataset.from_generator(whole_numbers, output_signature=Spec(shape=(), dtype=tf.int64))

    feedback = ex.check_numbers_dataset(numbers_dataset)
    assert feedback.passed, str(feedback)


def test_numbers_dataset_without_catching_ends_the_dataset():
    def numbers_dataset(texts, skipped):
        def whole_numbers(texts):
            for text in texts:
                yield int(text)

        return tf.data.Dataset.from_generator(whole_numbers, args=(texts,), output_signature=NUMBER)

    feedback = ex.check_numbers_dataset(numbers_dataset)
    assert_fails(
        feedback,
        "gave [12, 7], then ended with InvalidArgumentError: ValueError",
        hint="exception inside the generator ends the dataset",
    )
    assert "except ValueError" in feedback.more


def test_numbers_dataset_that_stops_at_the_first_bad_text():
    def numbers_dataset(texts, skipped):
        def whole_numbers(texts):
            for text in texts:
                try:
                    yield int(text)
                except ValueError:
                    skipped.append(text)
                    return

        return tf.data.Dataset.from_generator(whole_numbers, args=(texts,), output_signature=NUMBER)

    feedback = ex.check_numbers_dataset(numbers_dataset)
    assert_fails(feedback, "stops after [12, 7]; expected [12, 7, 40, -3, 8]", hint="what ends a loop")
    assert "`continue`" in feedback.more


def test_numbers_dataset_that_records_nothing():
    def numbers_dataset(texts, skipped):
        def whole_numbers(texts):
            for text in texts:
                try:
                    yield int(text)
                except ValueError:
                    continue

        return tf.data.Dataset.from_generator(whole_numbers, args=(texts,), output_signature=NUMBER)

    assert_fails(
        ex.check_numbers_dataset(numbers_dataset),
        "skipped holds []; expected a record of each of ['x7', '', '1.5']",
        hint="lost silently",
    )


def test_numbers_dataset_that_records_twice():
    def numbers_dataset(texts, skipped):
        dataset = numbers_dataset_right(texts, skipped)
        list(dataset)  # a pass to look at it fills skipped before the check's own pass
        return dataset

    assert_fails(
        ex.check_numbers_dataset(numbers_dataset), "skipped holds ['x7', '', '1.5', 'x7'", hint="once"
    )


def test_numbers_dataset_hard_coded_answer_fails_on_the_second_case():
    def numbers_dataset(texts, skipped):
        skipped.extend(["x7", "", "1.5"])
        return tf.data.Dataset.from_tensor_slices(np.array([12, 7, 40, -3, 8], dtype=np.int32))

    assert_fails(ex.check_numbers_dataset(numbers_dataset), "['oops', '5'", hint="every text")


def test_numbers_dataset_that_truncates_floats():
    def numbers_dataset(texts, skipped):
        def whole_numbers(texts):
            for text in texts:
                try:
                    yield int(float(text))
                except ValueError:
                    skipped.append(text)

        return tf.data.Dataset.from_generator(whole_numbers, args=(texts,), output_signature=NUMBER)

    assert_fails(
        ex.check_numbers_dataset(numbers_dataset), "gives [12, 7, 40, -3, 1, 8]", hint="whole number"
    )


@pytest.mark.parametrize(
    "signature",
    [Spec(shape=(), dtype=tf.string), Spec(shape=(None,), dtype=tf.int32), (NUMBER,)],
    ids=["text", "vector", "tuple"],
)
def test_numbers_dataset_with_a_signature_that_is_not_one_whole_number(signature):
    def numbers_dataset(texts, skipped):
        return tf.data.Dataset.from_generator(lambda: iter([]), output_signature=signature)

    feedback = ex.check_numbers_dataset(numbers_dataset)
    assert_fails(feedback, "element_spec is", hint="shape and dtype")
    assert "shape=()" in feedback.more


def test_numbers_dataset_without_return():
    def numbers_dataset(texts, skipped):
        tf.data.Dataset.from_generator(lambda: iter([]), output_signature=NUMBER)

    assert_fails(ex.check_numbers_dataset(numbers_dataset), "returned None", hint="`return`")


def test_numbers_dataset_returning_the_generator():
    def numbers_dataset(texts, skipped):
        yield from (int(text) for text in texts)

    assert_fails(ex.check_numbers_dataset(numbers_dataset), "not a tf.data.Dataset", hint="from_generator")


def test_numbers_dataset_that_raises_while_building():
    def numbers_dataset(texts, skipped):
        return tf.data.Dataset.from_generator(lambda: iter(texts), output_signature=[NUMBER], args=None, x=1)

    assert_fails(ex.check_numbers_dataset(numbers_dataset), "raised TypeError", hint="Only build")


def test_numbers_dataset_given_its_result():
    assert_fails(
        ex.check_numbers_dataset(numbers_dataset_right(["1"], [])), "Expected a function", hint="itself"
    )


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
