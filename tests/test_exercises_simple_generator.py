"""Self-checks of notebook 01: right answers pass, each typical mistake gets its own message and hint."""

import numpy as np
import tensorflow as tf

from helpers import generators
from helpers.exercises import simple_generator as ex
from tests.support import assert_fails

RANGE = tf.TensorSpec(shape=(None,), dtype=tf.int32)
SENTENCE = (
    {
        "text": tf.TensorSpec(shape=(), dtype=tf.string),
        "word_lengths": tf.TensorSpec(shape=(None,), dtype=tf.int32),
    },
    tf.TensorSpec(shape=(), dtype=tf.int32),
)


# The core exercise: make_padded_ranges


def ranges(lengths):
    """What the learner writes: one `np.arange(n)` per length."""
    for n in lengths:
        yield np.arange(n, dtype=np.int32)


def padded_right(lengths, batch_size):
    dataset = tf.data.Dataset.from_generator(lambda: ranges(lengths), output_signature=RANGE)
    return dataset.padded_batch(batch_size, padding_values=-1)


def padded_variant(*, signature=RANGE, batch=None, fixed_batch_size=None):
    """A make_padded_ranges with one mistake; `batch` turns (dataset, batch_size) into batches."""

    def make(lengths, batch_size):
        dataset = tf.data.Dataset.from_generator(lambda: ranges(lengths), output_signature=signature)
        return batch(dataset, fixed_batch_size or batch_size)

    return make


def test_padded_right_answer_passes():
    feedback = ex.check_padded_ranges(padded_right)
    assert feedback.passed, str(feedback)


def test_padded_int64_ranges_pass_because_the_signature_converts_them():
    def int64_ranges(lengths):
        for n in lengths:
            yield np.arange(n)

    def make(lengths, batch_size):
        dataset = tf.data.Dataset.from_generator(lambda: int64_ranges(lengths), output_signature=RANGE)
        return dataset.padded_batch(batch_size, padding_values=-1)

    feedback = ex.check_padded_ranges(make)
    assert feedback.passed, str(feedback)


def test_padded_stub_returning_none():
    def make(lengths, batch_size): ...

    assert_fails(ex.check_padded_ranges(make), "returned None", hint="return")


def test_padded_dataset_passed_instead_of_function():
    assert_fails(
        ex.check_padded_ranges(padded_right([1, 2], 2)), "Expected a function, got", hint="without brackets"
    )


def test_padded_returns_a_list():
    make = lambda lengths, batch_size: list(ranges(lengths))  # noqa: E731
    assert_fails(ex.check_padded_ranges(make), "returned a list", hint="from_generator")


def test_padded_generator_object_instead_of_callable():
    def make(lengths, batch_size):
        dataset = tf.data.Dataset.from_generator(ranges(lengths), output_signature=RANGE)
        return dataset.padded_batch(batch_size, padding_values=-1)

    feedback = ex.check_padded_ranges(make)
    assert_fails(feedback, "TypeError", "callable", hint="once for every pass")
    assert "not a generator object" in feedback.more


def test_padded_signature_as_a_list():
    def make(lengths, batch_size):
        dataset = tf.data.Dataset.from_generator(lambda: ranges(lengths), output_signature=[RANGE])
        return dataset.padded_batch(batch_size, padding_values=-1)

    feedback = ex.check_padded_ranges(make)
    assert_fails(feedback, "Building the dataset raised", hint="nested exactly like each element")
    assert "round brackets" in feedback.more


def test_padded_deprecated_arguments():
    def make(lengths, batch_size):
        dataset = tf.data.Dataset.from_generator(
            lambda: ranges(lengths), output_types=tf.int32, output_shapes=(None,)
        )
        return dataset.padded_batch(batch_size, padding_values=-1)

    feedback = ex.check_padded_ranges(make)
    assert_fails(feedback, "deprecated", hint="One argument")
    assert "output_signature=" in feedback.more


def test_padded_yielding_a_pair_names_the_conversion_error():
    def pairs(lengths):
        for n in lengths:
            yield n, np.arange(n)

    def make(lengths, batch_size):
        dataset = tf.data.Dataset.from_generator(lambda: pairs(lengths), output_signature=RANGE)
        return dataset.padded_batch(batch_size, padding_values=-1)

    feedback = ex.check_padded_ranges(make)
    assert_fails(feedback, "InvalidArgumentError", "could not be converted", "(3, array", hint="compare")
    assert "Traceback" not in feedback.message and "function_node" not in feedback.message


def test_padded_exception_inside_factory_is_reported():
    def make(lengths, batch_size):
        raise KeyError("oops")

    assert_fails(ex.check_padded_ranges(make), "KeyError", hint="traceback")


def test_padded_not_batched():
    make = padded_variant(batch=lambda dataset, batch_size: dataset)
    feedback = ex.check_padded_ranges(make)
    assert_fails(feedback, "not batches of vectors", hint="one row per range")
    assert "padded_batch" in feedback.more


def test_padded_plain_batch_fails_with_tf_message():
    make = padded_variant(batch=lambda dataset, batch_size: dataset.batch(batch_size))
    feedback = ex.check_padded_ranges(make)
    assert_fails(
        feedback,
        "InvalidArgumentError",
        "Cannot batch tensors with different shapes",
        hint="same shape",
    )
    assert "padded_batch" not in feedback.hint and "padded_batch" in feedback.more


def test_padded_with_zeros():
    make = padded_variant(batch=lambda dataset, batch_size: dataset.padded_batch(batch_size))
    feedback = ex.check_padded_ranges(make)
    assert_fails(
        feedback,
        "Batch 0",
        "is [[0, 1, 2], [0, 0, 0]]; expected [[0, 1, 2], [0, -1, -1]]",
        hint="padded with 0",
    )
    assert "-1" not in feedback.hint and "padding_values=-1" in feedback.more


def test_padded_fixed_shape_in_signature():
    make = padded_variant(
        signature=tf.TensorSpec(shape=(3,), dtype=tf.int32),
        batch=lambda dataset, batch_size: dataset.padded_batch(batch_size, padding_values=-1),
    )
    feedback = ex.check_padded_ranges(make)
    assert_fails(feedback, "yielded an element of shape", hint="differ in length")
    assert "`None`" in feedback.more


def test_padded_hard_coded_batch_size():
    make = padded_variant(
        batch=lambda dataset, batch_size: dataset.padded_batch(batch_size, padding_values=-1),
        fixed_batch_size=2,
    )
    assert_fails(ex.check_padded_ranges(make), "make_padded_ranges([2, 6, 0, 1], 3)", hint="batch_size")


def test_padded_fixed_padded_shapes():
    make = padded_variant(
        batch=lambda dataset, batch_size: dataset.padded_batch(
            batch_size, padded_shapes=[8], padding_values=-1
        )
    )
    feedback = ex.check_padded_ranges(make)
    assert_fails(feedback, "Batch 0", hint="its own longest range")
    assert "padded_shapes" in feedback.more


def test_padded_ragged_batches():
    make = padded_variant(batch=lambda dataset, batch_size: dataset.ragged_batch(batch_size))
    feedback = ex.check_padded_ranges(make)
    assert_fails(feedback, "ragged", hint="rectangle")
    assert "padded_batch" in feedback.more


def test_padded_wrong_dtype():
    make = padded_variant(
        signature=tf.TensorSpec(shape=(None,), dtype=tf.int64),
        batch=lambda dataset, batch_size: dataset.padded_batch(batch_size, padding_values=np.int64(-1)),
    )
    feedback = ex.check_padded_ranges(make)
    assert_fails(feedback, "int64", hint="dtype")
    assert "tf.int32" in feedback.more


def test_padded_ignores_the_lengths_argument():
    def make(lengths, batch_size):
        dataset = tf.data.Dataset.from_generator(lambda: ranges([3, 1, 4, 2, 5]), output_signature=RANGE)
        return dataset.padded_batch(batch_size, padding_values=-1)

    feedback = ex.check_padded_ranges(make)
    assert_fails(feedback, "make_padded_ranges([2, 6, 0, 1], 3)", hint="in the order of `lengths`")
    assert "the `lengths` your function receives" in feedback.more


def test_padded_used_up_generator_object():
    def make(lengths, batch_size):
        one_generator = ranges(lengths)
        dataset = tf.data.Dataset.from_generator(lambda: one_generator, output_signature=RANGE)
        return dataset.padded_batch(batch_size, padding_values=-1)

    feedback = ex.check_padded_ranges(make)
    assert_fails(feedback, "gives 3 batches, the second 0", hint="every pass")
    assert "generator object" in feedback.more


# The deep dive's exercise: make_sentence_dataset


def features_and_count(sentences):
    for record in generators.sentence_records(sentences):
        yield {"text": record["text"], "word_lengths": record["word_lengths"]}, record["word_count"]


def sentence_right(sentences):
    return tf.data.Dataset.from_generator(lambda: features_and_count(sentences), output_signature=SENTENCE)


def test_sentence_right_answer_passes():
    feedback = ex.check_sentence_dataset(sentence_right)
    assert feedback.passed, str(feedback)


def test_sentence_stub_returning_none():
    assert_fails(ex.check_sentence_dataset(lambda sentences: None), "returned None", hint="return")


def test_sentence_flat_dict_signature():
    def make(sentences):
        signature = {**SENTENCE[0], "word_count": SENTENCE[1]}
        return tf.data.Dataset.from_generator(
            lambda: generators.sentence_records(sentences), output_signature=signature
        )

    feedback = ex.check_sentence_dataset(make)
    assert_fails(feedback, "expected a tuple (features dict, label)", hint="a dict of features first")
    assert "({" in feedback.more


def test_sentence_missing_and_extra_keys():
    def make(sentences):
        signature = ({"sentence": SENTENCE[0]["text"]}, SENTENCE[1])
        return tf.data.Dataset.from_generator(lambda: [], output_signature=signature)

    assert_fails(
        ex.check_sentence_dataset(make),
        "missing ['text', 'word_lengths']",
        "unexpected ['sentence']",
        hint="exactly the keys",
    )


def test_sentence_text_declared_as_int():
    def make(sentences):
        signature = (
            {"text": tf.TensorSpec((), tf.int32), "word_lengths": SENTENCE[0]["word_lengths"]},
            SENTENCE[1],
        )
        return tf.data.Dataset.from_generator(
            lambda: features_and_count(sentences), output_signature=signature
        )

    feedback = ex.check_sentence_dataset(make)
    assert_fails(feedback, "features['text']", "dtype string", hint="string scalar")
    assert "tf.string" in feedback.more


def test_sentence_fixed_word_lengths_shape():
    def make(sentences):
        signature = (
            {"text": SENTENCE[0]["text"], "word_lengths": tf.TensorSpec((3,), tf.int32)},
            SENTENCE[1],
        )
        return tf.data.Dataset.from_generator(
            lambda: features_and_count(sentences), output_signature=signature
        )

    feedback = ex.check_sentence_dataset(make)
    assert_fails(feedback, "fixed shape (3,)", hint="cannot have a fixed size")
    assert "shape=(None,)" in feedback.more


def test_sentence_yielding_a_list_pair():
    def as_lists(sentences):
        for features, count in features_and_count(sentences):
            yield [features, count]

    def make(sentences):
        return tf.data.Dataset.from_generator(lambda: as_lists(sentences), output_signature=SENTENCE)

    feedback = ex.check_sentence_dataset(make)
    assert_fails(feedback, "expected structure", hint="exactly the structure")
    assert "a list is not a tuple" in feedback.more


def test_sentence_wrong_label():
    def make(sentences):
        def pairs():
            for features, _ in features_and_count(sentences):
                yield features, len(features["text"])

        return tf.data.Dataset.from_generator(pairs, output_signature=SENTENCE)

    assert_fails(
        ex.check_sentence_dataset(make),
        "Element 0",
        "expected ({'text': b'Generators are lazy.', 'word_lengths': [10, 3, 4]}, 3)",
        hint="number of words",
    )


def test_sentence_ignores_the_sentences_argument():
    def make(sentences):
        return sentence_right(["Something else entirely."])

    assert_fails(ex.check_sentence_dataset(make), "1 elements for 3 sentences", hint="once per sentence")
