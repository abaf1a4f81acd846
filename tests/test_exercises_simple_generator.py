"""Self-checks of notebook 01: right answers pass, each typical mistake gets its own message and hint."""

import numpy as np
import tensorflow as tf

from helpers import generators
from helpers.exercises import simple_generator as ex
from tests.support import assert_fails

PAIR = (tf.TensorSpec(shape=(), dtype=tf.int32), tf.TensorSpec(shape=(), dtype=tf.int32))
RANGE = tf.TensorSpec(shape=(None,), dtype=tf.int32)
SENTENCE = (
    {
        "text": tf.TensorSpec(shape=(), dtype=tf.string),
        "word_lengths": tf.TensorSpec(shape=(None,), dtype=tf.int32),
    },
    tf.TensorSpec(shape=(), dtype=tf.int32),
)


def squares_right():
    dataset = tf.data.Dataset.from_generator(generators.square_pairs, output_signature=PAIR)
    return dataset.apply(tf.data.experimental.assert_cardinality(10))


# Exercise 1: make_squares_dataset


def test_squares_right_answer_passes():
    feedback = ex.check_squares_dataset(squares_right)
    assert feedback.passed, str(feedback)
    assert "len(dataset) == 10" in feedback.message
    assert feedback.hint == ""


def test_squares_stub_returning_none():
    assert_fails(ex.check_squares_dataset(lambda: None), "returned None", hint="return")


def test_squares_dataset_passed_instead_of_function():
    assert_fails(ex.check_squares_dataset(squares_right()), "passed a dataset", hint="without brackets")


def test_squares_returns_a_list():
    assert_fails(
        ex.check_squares_dataset(lambda: list(generators.square_pairs())),
        "returned a list",
        hint="from_generator",
    )


def test_squares_generator_object_instead_of_callable():
    def make():
        return tf.data.Dataset.from_generator(generators.square_pairs(), output_signature=PAIR)

    assert_fails(ex.check_squares_dataset(make), "TypeError", "callable", hint="not a generator object")


def test_squares_signature_as_a_list():
    def make():
        return tf.data.Dataset.from_generator(generators.square_pairs, output_signature=list(PAIR))

    assert_fails(ex.check_squares_dataset(make), "Building the dataset raised", hint="not a list")


def test_squares_deprecated_arguments():
    def make():
        dataset = tf.data.Dataset.from_generator(
            generators.square_pairs, output_types=(tf.int32, tf.int32), output_shapes=((), ())
        )
        return dataset.apply(tf.data.experimental.assert_cardinality(10))

    assert_fails(ex.check_squares_dataset(make), "deprecated", hint="output_signature=")


def test_squares_one_vector_instead_of_a_pair():
    def make():
        signature = tf.TensorSpec(shape=(2,), dtype=tf.int32)
        return tf.data.Dataset.from_generator(generators.square_pairs, output_signature=signature)

    assert_fails(ex.check_squares_dataset(make), "pair of tensors", hint="tuple of two")


def test_squares_wrong_dtype():
    def make():
        signature = (tf.TensorSpec((), tf.int64), tf.TensorSpec((), tf.int64))
        return tf.data.Dataset.from_generator(generators.square_pairs, output_signature=signature)

    assert_fails(ex.check_squares_dataset(make), "int64", "scalar int32", hint="tf.int32")


def test_squares_yielding_lists_names_the_structure_error():
    def pairs_as_lists():
        for i in range(10):
            yield [i, i**2]

    def make():
        return tf.data.Dataset.from_generator(pairs_as_lists, output_signature=PAIR)

    feedback = ex.check_squares_dataset(make)
    assert_fails(
        feedback, "InvalidArgumentError", "did not match the expected structure", hint="a list is not"
    )
    assert "Traceback" not in feedback.message and "function_node" not in feedback.message


def test_squares_swapped_values():
    def swapped():
        for i in range(10):
            yield i**2, i

    def make():
        return tf.data.Dataset.from_generator(swapped, output_signature=PAIR)

    assert_fails(ex.check_squares_dataset(make), "Element 2 is (4, 2); expected (2, 4)", hint="square")


def test_squares_wrong_count():
    def make():
        return tf.data.Dataset.from_generator(lambda: generators.square_pairs(7), output_signature=PAIR)

    assert_fails(ex.check_squares_dataset(make), "gives 7 elements; expected 10", hint="range(10)")


def test_squares_endless_repeat():
    def make():
        return squares_right().repeat()

    assert_fails(ex.check_squares_dataset(make), "endless", hint="repeat")


def test_squares_repeated_twice_counts_too_many():
    def make():
        return tf.data.Dataset.from_generator(generators.square_pairs, output_signature=PAIR).repeat(2)

    assert_fails(ex.check_squares_dataset(make), "or more elements", hint="once each")


def test_squares_used_up_generator_object():
    def make():
        pairs = generators.square_pairs()
        return tf.data.Dataset.from_generator(lambda: pairs, output_signature=PAIR)

    assert_fails(ex.check_squares_dataset(make), "second 0", hint="generator object")


def test_squares_used_up_generator_object_with_cardinality():
    def make():
        pairs = generators.square_pairs()
        dataset = tf.data.Dataset.from_generator(lambda: pairs, output_signature=PAIR)
        return dataset.apply(tf.data.experimental.assert_cardinality(10))

    assert_fails(
        ex.check_squares_dataset(make),
        "FailedPreconditionError",
        "contained only 0 elements",
        hint="generator object",
    )


def test_squares_unknown_cardinality():
    def make():
        return tf.data.Dataset.from_generator(generators.square_pairs, output_signature=PAIR)

    assert_fails(ex.check_squares_dataset(make), "cardinality() is -2", hint="assert_cardinality(10)")


def test_squares_wrong_assert_cardinality():
    def make():
        dataset = tf.data.Dataset.from_generator(generators.square_pairs, output_signature=PAIR)
        return dataset.apply(tf.data.experimental.assert_cardinality(12))

    assert_fails(
        ex.check_squares_dataset(make), "expected to contain 12 elements", hint="must equal the number"
    )


def test_squares_exception_inside_factory_is_reported():
    def make():
        raise KeyError("oops")

    assert_fails(ex.check_squares_dataset(make), "KeyError", hint="traceback")


# Exercise 2: make_padded_ranges


def padded_right(lengths, batch_size):
    dataset = tf.data.Dataset.from_generator(
        lambda: generators.integer_ranges(lengths), output_signature=RANGE
    )
    return dataset.padded_batch(batch_size, padding_values=-1)


def padded_variant(*, signature=RANGE, batch=None, fixed_batch_size=None):
    """A make_padded_ranges with one mistake; `batch` turns (dataset, batch_size) into batches."""

    def make(lengths, batch_size):
        dataset = tf.data.Dataset.from_generator(
            lambda: generators.integer_ranges(lengths), output_signature=signature
        )
        return batch(dataset, fixed_batch_size or batch_size)

    return make


def test_padded_right_answer_passes():
    feedback = ex.check_padded_ranges(padded_right)
    assert feedback.passed, str(feedback)


def test_padded_stub_returning_none():
    assert_fails(ex.check_padded_ranges(lambda lengths, batch_size: None), "returned None", hint="return")


def test_padded_not_batched():
    make = padded_variant(batch=lambda dataset, batch_size: dataset)
    assert_fails(ex.check_padded_ranges(make), "not batches of vectors", hint="padded_batch")


def test_padded_plain_batch_fails_with_tf_message():
    make = padded_variant(batch=lambda dataset, batch_size: dataset.batch(batch_size))
    assert_fails(
        ex.check_padded_ranges(make),
        "InvalidArgumentError",
        "Cannot batch tensors with different shapes",
        hint="padded_batch",
    )


def test_padded_with_zeros():
    make = padded_variant(batch=lambda dataset, batch_size: dataset.padded_batch(batch_size))
    feedback = ex.check_padded_ranges(make)
    assert_fails(
        feedback,
        "Batch 0",
        "is [[0, 1, 2], [0, 0, 0]]; expected [[0, 1, 2], [0, -1, -1]]",
        hint="padded with 0",
    )


def test_padded_fixed_shape_in_signature():
    make = padded_variant(
        signature=tf.TensorSpec(shape=(3,), dtype=tf.int32),
        batch=lambda dataset, batch_size: dataset.padded_batch(batch_size, padding_values=-1),
    )
    assert_fails(ex.check_padded_ranges(make), "yielded an element of shape", hint="`None`")


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
    assert_fails(ex.check_padded_ranges(make), "Batch 0", hint="padded_shapes")


def test_padded_ragged_batches():
    make = padded_variant(batch=lambda dataset, batch_size: dataset.ragged_batch(batch_size))
    assert_fails(ex.check_padded_ranges(make), "ragged", hint="padded_batch")


def test_padded_wrong_dtype():
    make = padded_variant(
        signature=tf.TensorSpec(shape=(None,), dtype=tf.int64),
        batch=lambda dataset, batch_size: dataset.padded_batch(batch_size, padding_values=np.int64(-1)),
    )
    assert_fails(ex.check_padded_ranges(make), "int64", hint="tf.int32")


def test_padded_ignores_the_lengths_argument():
    def make(lengths, batch_size):
        dataset = tf.data.Dataset.from_generator(
            lambda: generators.integer_ranges([3, 1, 4, 2, 5]), output_signature=RANGE
        )
        return dataset.padded_batch(batch_size, padding_values=-1)

    assert_fails(ex.check_padded_ranges(make), "make_padded_ranges([2, 6, 0, 1], 3)", hint="")


# Exercise 3: make_sentence_dataset


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

    assert_fails(ex.check_sentence_dataset(make), "expected a tuple (features dict, label)", hint="({")


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

    assert_fails(ex.check_sentence_dataset(make), "features['text']", "dtype string", hint="tf.string")


def test_sentence_fixed_word_lengths_shape():
    def make(sentences):
        signature = (
            {"text": SENTENCE[0]["text"], "word_lengths": tf.TensorSpec((3,), tf.int32)},
            SENTENCE[1],
        )
        return tf.data.Dataset.from_generator(
            lambda: features_and_count(sentences), output_signature=signature
        )

    assert_fails(ex.check_sentence_dataset(make), "fixed shape (3,)", hint="shape=(None,)")


def test_sentence_yielding_a_list_pair():
    def as_lists(sentences):
        for features, count in features_and_count(sentences):
            yield [features, count]

    def make(sentences):
        return tf.data.Dataset.from_generator(lambda: as_lists(sentences), output_signature=SENTENCE)

    assert_fails(ex.check_sentence_dataset(make), "expected structure", hint="a list is not a tuple")


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
