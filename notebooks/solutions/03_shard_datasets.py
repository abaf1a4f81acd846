import tensorflow as tf

from helpers.exercises import args_augmentation as ex

SHARD_SIGNATURE = tf.TensorSpec(shape=(), dtype=tf.int64)


def shard_elements(shard, num_shards):
    yield from range(shard, 12, num_shards)  # k, k + n, k + 2n, ... below 12


def make_shard_datasets(num_shards):
    return [
        # args stores this k when the dataset is built; a lambda would read k after the loop has ended
        tf.data.Dataset.from_generator(shard_elements, args=(k, num_shards), output_signature=SHARD_SIGNATURE)
        for k in range(num_shards)
    ]


ex.check_shard_datasets(make_shard_datasets)
