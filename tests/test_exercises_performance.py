"""helpers.exercises.performance: the notebook 06 self-checks accept right answers and explain wrong ones."""

from __future__ import annotations

import numpy as np
import pytest
import tensorflow as tf

from helpers import images, measure
from helpers.exercises import performance as ex
from tests.support import assert_fails

SIZE = (64, 64)
BATCHES = tf.TensorSpec(shape=(None, *SIZE, 3), dtype=tf.uint8)


def shard_batches(paths, shard, num_shards, batch_size):
    mine = paths[shard::num_shards]
    for start in range(0, len(mine), batch_size):
        yield np.stack(
            [images.load_image_uint8(path, size=SIZE) for path in mine[start : start + batch_size]]
        )


def shards(
    paths, num_shards, batch_size, *, generator=shard_batches, args=None, signature=BATCHES, **interleave
):
    """The right pipeline, or one of its usual mistakes through the keyword arguments."""
    make_args = args or (lambda shard: (paths, shard, num_shards, batch_size))
    settings = {"cycle_length": num_shards, "num_parallel_calls": num_shards, **interleave}
    return tf.data.Dataset.range(num_shards).interleave(
        lambda shard: tf.data.Dataset.from_generator(
            generator, args=make_args(shard), output_signature=signature
        ),
        **{key: value for key, value in settings.items() if value is not None},
    )


def right(paths, num_shards, batch_size):
    return shards(paths, num_shards, batch_size).prefetch(tf.data.AUTOTUNE)


def test_sharded_dataset_accepts_the_right_answer():
    feedback = ex.check_sharded_dataset(right)
    assert feedback.passed, feedback


def test_sharded_dataset_starting_state_says_what_to_write():
    def starter(paths, num_shards, batch_size): ...

    feedback = ex.check_sharded_dataset(starter)
    assert_fails(feedback, "sharded_dataset(paths, 3, 2) returned None", hint="interleave")
    assert "from_generator" in feedback.more
    assert_fails(ex.check_sharded_dataset(right(["a.jpg"], 1, 1)), "got _PrefetchDataset", hint="function")


def test_sharded_dataset_names_a_shard_closed_over_instead_of_passed_through_args():
    def late(paths, num_shards, batch_size):
        dataset = tf.data.Dataset.range(num_shards).interleave(
            lambda shard: tf.data.Dataset.from_generator(
                lambda: shard_batches(paths, shard, num_shards, batch_size), output_signature=BATCHES
            ),
            cycle_length=num_shards,
            num_parallel_calls=num_shards,
        )
        return dataset.prefetch(1)

    assert_fails(ex.check_sharded_dataset(late), "raised", hint="through args")


def test_sharded_dataset_names_shards_that_read_every_file():
    def every_file(paths, num_shards, batch_size):
        return shards(paths, num_shards, batch_size, args=lambda shard: (paths, 0, 1, batch_size)).prefetch(1)

    feedback = ex.check_sharded_dataset(every_file)
    assert_fails(feedback, "gave 21 images for 7 files", hint="its own files")
    assert "paths[k::num_shards]" in feedback.more


def test_sharded_dataset_names_missing_images():
    def first_shard_only(paths, num_shards, batch_size):
        return shards(paths, 1, batch_size, args=lambda shard: (paths, 0, num_shards, batch_size)).prefetch(1)

    assert_fails(ex.check_sharded_dataset(first_shard_only), "gave 3 of the 7 images", hint="every file once")


def test_sharded_dataset_wants_the_shards_run_in_parallel():
    def one_after_another(paths, num_shards, batch_size):
        return shards(paths, num_shards, batch_size, num_parallel_calls=None).prefetch(1)

    def one_generator(paths, num_shards, batch_size):
        return tf.data.Dataset.from_generator(
            shard_batches, args=(paths, 0, 1, batch_size), output_signature=BATCHES
        ).prefetch(1)

    feedback = ex.check_sharded_dataset(one_after_another)
    assert_fails(feedback, "does not run its shards in parallel", hint="in parallel")
    assert "num_parallel_calls=num_shards" in feedback.more
    assert_fails(ex.check_sharded_dataset(one_generator), "in parallel", hint="range(num_shards).interleave")


def test_sharded_dataset_wants_batches_yielded_and_prefetch_last():
    def images_one_by_one(paths, shard, num_shards):
        for path in paths[shard::num_shards]:
            yield images.load_image_uint8(path, size=SIZE)

    def batched_after(paths, num_shards, batch_size):
        image = tf.TensorSpec(shape=(*SIZE, 3), dtype=tf.uint8)
        yielded = shards(
            paths,
            num_shards,
            batch_size,
            generator=images_one_by_one,
            args=lambda s: (paths, s, num_shards),
            signature=image,
        )
        return yielded.batch(batch_size).prefetch(1)

    feedback = ex.check_sharded_dataset(batched_after)
    assert_fails(feedback, "batches after the generators", hint="whole batches")
    assert_fails(
        ex.check_sharded_dataset(shards), "does not end with a prefetch", hint="while the model trains"
    )


def test_sharded_dataset_names_a_wrong_signature():
    def fixed_batch(paths, num_shards, batch_size):
        signature = tf.TensorSpec(shape=(batch_size, *SIZE, 3), dtype=tf.uint8)
        return shards(paths, num_shards, batch_size, signature=signature).prefetch(1)

    def floats(paths, num_shards, batch_size):
        signature = tf.TensorSpec(shape=(None, *SIZE, 3), dtype=tf.float32)
        return shards(paths, num_shards, batch_size, signature=signature).prefetch(1)

    feedback = ex.check_sharded_dataset(fixed_batch)
    assert_fails(feedback, "batch dimension is fixed at 2", hint="does not know its length")
    assert feedback.more == "shape=(None, 64, 64, 3)"
    assert_fails(ex.check_sharded_dataset(floats), "float32", hint="load_image_uint8")


def test_sharded_dataset_names_batches_larger_than_asked():
    def whole_shard(paths, num_shards, batch_size):
        return shards(paths, num_shards, batch_size, args=lambda s: (paths, s, num_shards, 10)).prefetch(1)

    assert_fails(ex.check_sharded_dataset(whole_shard), "a batch of 3 images", hint="at most batch_size")


# A core count no test machine is likely to have, so the check must take it from measure.available_cores.
CORES = 3


@pytest.fixture(autouse=True)
def three_cores(monkeypatch):
    monkeypatch.setattr(measure, "available_cores", lambda: CORES)


def tuned(config, **changes):
    settings = {"yield_mode": "batch", "decode_threads": CORES, "opencv_threads": 1, "prefetch": "autotune"}
    return config.replace(**{**settings, **changes})


def test_tuned_config_accepts_the_lab_s_findings():
    feedback = ex.check_tuned_config(tuned)
    assert feedback.passed, feedback


def test_tuned_config_wants_one_decode_thread_per_available_core():
    feedback = ex.check_tuned_config(lambda c: tuned(c, decode_threads=CORES - 1))
    assert not feedback.passed
    assert f"decode_threads is {CORES - 1}" in feedback.message and f"{CORES} cores" in feedback.message


def test_tuned_config_reports_what_the_learner_s_function_raised():
    def raising(config):
        raise KeyError("yield_mode")

    feedback = ex.check_tuned_config(raising)
    assert not feedback.passed
    assert feedback.message == "Your function raised KeyError: 'yield_mode'"


def test_tuned_config_names_the_setting_that_is_off():
    assert "returned None" in ex.check_tuned_config(lambda c: None).message
    assert "yield_mode" in ex.check_tuned_config(lambda c: c).message
    only_batch = ex.check_tuned_config(lambda c: c.replace(yield_mode="batch"))
    assert "decode_threads" in only_batch.message
    default_opencv = ex.check_tuned_config(lambda c: tuned(c, opencv_threads=0))
    assert "opencv_threads" in default_opencv.message and "compete" in default_opencv.hint
    smaller = ex.check_tuned_config(lambda c: c.replace(image_count=2))
    assert "image_count" in smaller.message
