"""The notebook-03 self-checks accept right answers and give specific feedback on typical wrong ones."""

import functools

import numpy as np
import pytest
import tensorflow as tf

from helpers import augment
from helpers.exercises import args_augmentation as exercises

SHARD_SIGNATURE = tf.TensorSpec(shape=(), dtype=tf.int64)


def shard_elements(shard, num_shards):
    yield from range(shard, 12, num_shards)


def shards_with_args(num_shards):
    return [
        tf.data.Dataset.from_generator(shard_elements, args=(k, num_shards), output_signature=SHARD_SIGNATURE)
        for k in range(num_shards)
    ]


def shards_with_late_binding(num_shards):
    return [
        tf.data.Dataset.from_generator(
            lambda: shard_elements(k, num_shards),  # noqa: B023  (the late-binding bug under test)
            output_signature=SHARD_SIGNATURE,
        )
        for k in range(num_shards)
    ]


def shards_all_first(num_shards):
    return [
        tf.data.Dataset.from_generator(shard_elements, args=(0, num_shards), output_signature=SHARD_SIGNATURE)
        for _ in range(num_shards)
    ]


def shards_hard_coded_three(num_shards):
    return shards_with_args(3)


def shards_off_by_one(num_shards):
    return [
        tf.data.Dataset.from_generator(
            shard_elements, args=(k + 1, num_shards + 1), output_signature=SHARD_SIGNATURE
        )
        for k in range(num_shards)
    ]


def test_shards_right_answer_passes():
    feedback = exercises.check_shard_datasets(shards_with_args)
    assert feedback.passed, feedback


def test_shards_default_argument_also_passes():
    def with_default(num_shards):
        return [
            tf.data.Dataset.from_generator(
                lambda k=k: shard_elements(k, num_shards), output_signature=SHARD_SIGNATURE
            )
            for k in range(num_shards)
        ]

    assert exercises.check_shard_datasets(with_default).passed


def test_shards_late_binding_is_named_and_the_first_hint_keeps_the_answer_back():
    feedback = exercises.check_shard_datasets(shards_with_late_binding)
    assert not feedback.passed
    assert "late binding" in feedback.message
    assert str(list(range(2, 12, 3))) in feedback.message
    assert "args" not in feedback.hint
    assert "args=(k, num_shards)" in feedback.more


def test_the_starting_state_says_what_is_missing():
    def shard_elements(shard, num_shards): ...

    def make_shard_datasets(num_shards): ...

    feedback = exercises.check_shard_datasets(make_shard_datasets)
    assert not feedback.passed
    assert feedback.message == "make_shard_datasets(3) returned None."
    assert "from_generator(" not in feedback.hint + feedback.more


def shards_built_from(build):
    """A learner's answer whose every dataset is `build(k, num_shards)`."""

    def make_shard_datasets(num_shards):
        return [build(k, num_shards) for k in range(num_shards)]

    return make_shard_datasets


@pytest.mark.parametrize(
    ("build", "message", "hint", "more"),
    [
        (
            lambda k, n: tf.data.Dataset.from_generator(
                shard_elements(k, n), output_signature=SHARD_SIGNATURE
            ),
            "must be a Python callable",
            "something it can call",
            "generator object",
        ),
        (
            lambda k, n: tf.data.Dataset.from_generator(shard_elements, output_signature=SHARD_SIGNATURE),
            "missing 2 required positional arguments",
            "values in args",
            "two values",
        ),
        (
            lambda k, n: tf.data.Dataset.from_generator(
                shard_elements, args=(k), output_signature=SHARD_SIGNATURE
            ),
            "values must be a sequence",
            "tuple",
            "(k) is only k",
        ),
        (
            lambda k, n: tf.data.Dataset.from_generator(
                lambda shard, count: None, args=(k, n), output_signature=SHARD_SIGNATURE
            ),
            "'NoneType' object is not iterable",
            "yield",
            "range(shard, 12, num_shards)",
        ),
        (
            lambda k, n: tf.data.Dataset.from_generator(shard_elements, args=(k, n)),
            "output signature",
            "what each element is",
            "shape=()",
        ),
    ],
    ids=["generator object", "no args", "args not a tuple", "no yield", "no signature"],
)
def test_shards_usual_call_mistakes_get_their_own_hints(build, message, hint, more):
    feedback = exercises.check_shard_datasets(shards_built_from(build))
    assert not feedback.passed
    assert message in feedback.message
    assert hint in feedback.hint
    assert more in feedback.more


def test_shards_functools_partial_also_passes():
    assert exercises.check_shard_datasets(
        shards_built_from(
            lambda k, n: tf.data.Dataset.from_generator(
                functools.partial(shard_elements, k, n), output_signature=SHARD_SIGNATURE
            )
        )
    ).passed


def test_shards_all_identical_but_not_last():
    feedback = exercises.check_shard_datasets(shards_all_first)
    assert not feedback.passed
    assert "same elements" in feedback.message


def test_shards_hard_coded_count_is_caught():
    feedback = exercises.check_shard_datasets(shards_hard_coded_three)
    assert not feedback.passed
    assert "returned 3 datasets" in feedback.message


def test_shards_wrong_values_name_the_dataset():
    feedback = exercises.check_shard_datasets(shards_off_by_one)
    assert not feedback.passed
    assert "dataset 0 yields [1, 5, 9]" in feedback.message


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        (lambda num_shards: None, "returned None"),
        (lambda num_shards: [1, 2, 3], "not a list of tf.data.Dataset"),
        (lambda num_shards: 1 / 0, "ZeroDivisionError"),
        (None, "Expected a function"),
    ],
)
def test_shards_broken_answers(answer, expected):
    feedback = exercises.check_shard_datasets(answer)
    assert not feedback.passed
    assert expected in feedback.message
    assert feedback.hint


def test_shards_wrong_signature_reports_iteration_error():
    def vector_signature(num_shards):
        return [
            tf.data.Dataset.from_generator(
                shard_elements,
                args=(k, num_shards),
                output_signature=tf.TensorSpec(shape=(2,), dtype=tf.int64),
            )
            for k in range(num_shards)
        ]

    feedback = exercises.check_shard_datasets(vector_signature)
    assert not feedback.passed
    assert (
        "Iterating the datasets for 3 shards raised InvalidArgumentError: TypeError: `generator` yielded an "
        "element of shape () where an element of shape (2,) was expected." in feedback.message
    )
    assert "{{function_node" not in feedback.message
    assert "output_signature" in feedback.hint
    assert "shape=()" in feedback.more


def _signature(images):
    return tf.TensorSpec(shape=images.shape[1:], dtype=tf.float32)


def augmented_per_epoch(images, *, seed, epochs):
    def augmented(images, seed, epoch):
        rng = augment.epoch_rng(seed, epoch=epoch)
        for image in images:
            yield augment.augment_image(image, rng)

    return tf.data.Dataset.range(epochs).flat_map(
        lambda epoch: tf.data.Dataset.from_generator(
            augmented, args=(images, seed, epoch), output_signature=_signature(images)
        )
    )


def seeded_inside_repeated(images, *, seed, epochs):
    def augmented(images, seed):
        rng = np.random.default_rng(seed)
        for image in images:
            yield augment.augment_image(image, rng)

    return tf.data.Dataset.from_generator(
        augmented, args=(images, seed), output_signature=_signature(images)
    ).repeat(epochs)


def unseeded(images, *, seed, epochs):
    def augmented(images, epoch):
        rng = np.random.default_rng()
        for image in images:
            yield augment.augment_image(image, rng)

    return tf.data.Dataset.range(epochs).flat_map(
        lambda epoch: tf.data.Dataset.from_generator(
            augmented, args=(images, epoch), output_signature=_signature(images)
        )
    )


def seed_ignored(images, *, seed, epochs):
    return augmented_per_epoch(images, seed=0, epochs=epochs)


def not_augmented(images, *, seed, epochs):
    return tf.data.Dataset.from_tensor_slices(images).repeat(epochs)


def one_epoch_only(images, *, seed, epochs):
    return augmented_per_epoch(images, seed=seed, epochs=1)


def test_epochs_right_answer_passes():
    feedback = exercises.check_augmented_epochs(augmented_per_epoch)
    assert feedback.passed, feedback


def test_epochs_seeded_inside_repeats_every_epoch():
    feedback = exercises.check_augmented_epochs(seeded_inside_repeated)
    assert not feedback.passed
    assert "same augmented images as epoch 0" in feedback.message
    assert "epoch_rng" not in feedback.hint
    assert "epoch_rng(seed, epoch=epoch)" in feedback.more


def test_epochs_unseeded_is_not_reproducible():
    feedback = exercises.check_augmented_epochs(unseeded)
    assert not feedback.passed
    assert "Not reproducible" in feedback.message
    assert "epoch_rng(seed, epoch=epoch)" in feedback.more


def test_epochs_ignored_seed_is_caught():
    feedback = exercises.check_augmented_epochs(seed_ignored)
    assert not feedback.passed
    assert "seed is ignored" in feedback.message


def test_epochs_unaugmented_is_caught():
    feedback = exercises.check_augmented_epochs(not_augmented)
    assert not feedback.passed
    assert "unchanged" in feedback.message


def test_epochs_wrong_count_is_caught():
    feedback = exercises.check_augmented_epochs(one_epoch_only)
    assert not feedback.passed
    assert "expected 9" in feedback.message
    assert "range(epochs)" in feedback.more


def test_epochs_iteration_error_is_summarised():
    def wrong_shape(images, *, seed, epochs):
        signature = tf.TensorSpec(shape=(2, 2, 3), dtype=tf.float32)
        return tf.data.Dataset.from_generator(lambda: iter(images), output_signature=signature).repeat(epochs)

    feedback = exercises.check_augmented_epochs(wrong_shape)
    assert not feedback.passed
    assert (
        "raised InvalidArgumentError: TypeError: `generator` yielded an element of shape (24, 24, 3) "
        "where an element of shape (2, 2, 3) was expected." in feedback.message
    )
    assert "{{function_node" not in feedback.message


def test_epochs_starting_state_offers_a_second_hint():
    def augmented_epochs_dataset_for(images_array, *, seed, epochs): ...

    feedback = exercises.check_augmented_epochs(augmented_epochs_dataset_for)
    assert not feedback.passed
    assert feedback.message == "augmented_epochs_dataset_for(images, seed=7, epochs=3) returned None."
    assert "return" in feedback.hint
    assert "epoch" in feedback.more


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        (lambda images, *, seed, epochs: None, "returned None"),
        (lambda images, *, seed, epochs: [images], "not a tf.data.Dataset"),
        (lambda images, seed: None, "TypeError"),
        ("augmented_epochs_dataset", "Expected a function"),
    ],
)
def test_epochs_broken_answers(answer, expected):
    feedback = exercises.check_augmented_epochs(answer)
    assert not feedback.passed
    assert expected in feedback.message
    assert feedback.hint
