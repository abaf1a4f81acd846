"""helpers.exercises.choosing: the worker-share check accepts a shard of indices and rejects the rest."""

from __future__ import annotations

import numpy as np
import tensorflow as tf

from helpers import image_work
from helpers.exercises import choosing


def _load_dataset(indices, paths):
    path_list = [str(path) for path in paths]

    def load(index):
        return image_work.decode_resize_into(path_list[int(index)], np.empty((224, 224, 3), np.uint8))

    images = indices.map(
        lambda index: tf.ensure_shape(
            tf.numpy_function(load, [index], tf.uint8, stateful=False), (224, 224, 3)
        )
    )
    return images.map(lambda image: tf.cast(image, tf.float32) / 255.0)


def solution(paths, num_workers, worker_index):
    return _load_dataset(tf.data.Dataset.range(len(paths)).shard(num_workers, worker_index), paths)


def test_solution_passes():
    feedback = choosing.check_worker_share(solution)
    assert feedback.passed, feedback


def test_sharding_after_decoding_is_caught():
    def stub(paths, num_workers, worker_index):
        return _load_dataset(tf.data.Dataset.range(len(paths)), paths).shard(num_workers, worker_index)

    feedback = choosing.check_worker_share(stub)
    assert not feedback.passed and "decode every image" in feedback.message


def test_no_shard_at_all_is_caught():
    def every_image(paths, num_workers, worker_index):
        return _load_dataset(tf.data.Dataset.range(worker_index, len(paths), num_workers), paths)

    feedback = choosing.check_worker_share(every_image)
    assert not feedback.passed and "no `shard`" in feedback.message


def test_wrong_share_and_not_a_function():
    def all_but_one(paths, num_workers, worker_index):
        return _load_dataset(tf.data.Dataset.range(len(paths) - 1).shard(1, 0), paths)

    assert "got 5 images; expected 3" in choosing.check_worker_share(all_but_one).message
    assert not choosing.check_worker_share(None).passed
