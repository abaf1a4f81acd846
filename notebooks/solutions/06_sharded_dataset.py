import numpy as np
import tensorflow as tf

from helpers import images
from helpers.exercises import performance as ex

SHARD_BATCH = tf.TensorSpec(shape=(None, 64, 64, 3), dtype=tf.uint8)  # a shard's last batch may be short


def shard_batches(paths, shard, num_shards, batch_size):
    mine = paths[shard::num_shards]  # this shard's files
    for start in range(0, len(mine), batch_size):
        chunk = mine[start : start + batch_size]
        yield np.stack([images.load_image_uint8(path, size=(64, 64)) for path in chunk])


def sharded_dataset(paths, num_shards, batch_size):
    shards = tf.data.Dataset.range(num_shards).interleave(
        # the shard is a tensor here: it reaches the generator through args
        lambda shard: tf.data.Dataset.from_generator(
            shard_batches, args=(paths, shard, num_shards, batch_size), output_signature=SHARD_BATCH
        ),
        cycle_length=num_shards,
        num_parallel_calls=num_shards,
    )
    return shards.prefetch(tf.data.AUTOTUNE)


ex.check_sharded_dataset(sharded_dataset)
