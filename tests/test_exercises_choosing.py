"""helpers.exercises.choosing: the worker-share check accepts a shard before decoding, names each mistake."""

from __future__ import annotations

import numpy as np
import tensorflow as tf

from helpers import image_work
from helpers.exercises import choosing


def _images(indices, paths):
    """Maps a dataset of indices into `paths` to float32 images, as the notebook's index pattern does."""

    def load(index):
        return image_work.decode_resize_into(paths[index], np.empty((224, 224, 3), np.uint8))

    def load_image(index):
        image = tf.ensure_shape(tf.numpy_function(load, [index], tf.uint8, stateful=False), (224, 224, 3))
        return tf.cast(image, tf.float32) / 255.0

    return indices.map(load_image)


def solution(paths, num_workers, worker_index):
    return _images(tf.data.Dataset.range(len(paths)).shard(num_workers, worker_index), paths)


def test_solution_passes():
    feedback = choosing.check_worker_share(solution)
    assert feedback.passed, feedback


def test_sharding_paths_before_decoding_passes_too():
    def load(path):
        return image_work.decode_resize_into(path, np.empty((224, 224, 3), np.uint8))

    def by_path(paths, num_workers, worker_index):
        shard = tf.data.Dataset.from_tensor_slices(paths).shard(num_workers, worker_index)
        return shard.map(lambda path: tf.cast(tf.numpy_function(load, [path], tf.uint8), tf.float32) / 255.0)

    feedback = choosing.check_worker_share(by_path)
    assert feedback.passed, feedback


def test_sharding_after_decoding_is_caught():
    def decode_then_shard(paths, num_workers, worker_index):
        return _images(tf.data.Dataset.range(len(paths)), paths).shard(num_workers, worker_index)

    feedback = choosing.check_worker_share(decode_then_shard)
    assert not feedback.passed and "decode every image" in feedback.message
    assert "range(" in feedback.more and "range(" not in feedback.hint


def test_no_shard_at_all_is_caught():
    def strided(paths, num_workers, worker_index):
        return _images(tf.data.Dataset.range(worker_index, len(paths), num_workers), paths)

    feedback = choosing.check_worker_share(strided)
    assert not feedback.passed and "no `shard`" in feedback.message


def test_wrong_share_is_caught():
    def everything(paths, num_workers, worker_index):
        return _images(tf.data.Dataset.range(len(paths)).shard(1, 0), paths)

    feedback = choosing.check_worker_share(everything)
    assert "gave 7 elements; expected 4 images" in feedback.message


def test_batched_share_is_caught():
    def batched(paths, num_workers, worker_index):
        return solution(paths, num_workers, worker_index).batch(2)

    feedback = choosing.check_worker_share(batched)
    assert not feedback.passed and "no batch" in feedback.hint


def test_uint8_images_are_caught():
    def uint8(paths, num_workers, worker_index):
        return solution(paths, num_workers, worker_index).map(lambda image: tf.cast(image * 255, tf.uint8))

    feedback = choosing.check_worker_share(uint8)
    assert not feedback.passed and "uint8 image" in feedback.message


def test_shuffled_share_is_caught():
    def shuffled(paths, num_workers, worker_index):
        return solution(paths, num_workers, worker_index).shuffle(8, seed=1)

    feedback = choosing.check_worker_share(shuffled)
    assert not feedback.passed and "differs from the reference" in feedback.message


def test_indexing_a_list_with_a_tensor_gets_advice():
    def traced_lookup(paths, num_workers, worker_index):
        indices = tf.data.Dataset.range(len(paths)).shard(num_workers, worker_index)
        return indices.map(lambda index: tf.io.read_file(paths[index]))

    feedback = choosing.check_worker_share(traced_lookup)
    assert not feedback.passed and "traces" in feedback.hint


def test_none_and_not_a_function():
    def stub(paths, num_workers, worker_index): ...

    feedback = choosing.check_worker_share(stub)
    assert "returned None" in feedback.message and "shard" in feedback.more
    assert not choosing.check_worker_share(None).passed
