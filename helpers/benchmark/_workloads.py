"""The pipelines the comparison's rows run, each over the same files to the same output, and their sizes.

    dataset = best_dataset(paths, threads=2)    # the best from_generator pipeline
    dataset = graph_native_dataset(paths)        # notebook 07's pipeline, batched like every row

Every image row turns 640x480 JPEGs into batches of 224x224 RGB float32 in [0, 1] (`helpers.image_work`),
except the article's Example 2, timed as written. TensorFlow and the lesson helpers are imported inside
functions.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

import cv2
import numpy as np

from helpers import image_work
from helpers.measure import count_elements

if TYPE_CHECKING:
    import tensorflow as tf

__all__ = [
    "BATCH_SIZE",
    "BATCH_YIELD_MULTIPLE",
    "SMALL_BATCH_SIZE",
    "SMALL_FEATURES",
    "article_dataset",
    "best_dataset",
    "decoded_batches",
    "feature_batches",
    "feature_rows",
    "graph_native_dataset",
    "index_dataset",
    "numpy_function_dataset",
    "reference_dataset",
    "stream_chunks",
]

BATCH_SIZE = 32
SMALL_BATCH_SIZE = 256
SMALL_FEATURES = 16
# The per-batch row reads this many times more rows per chunk, so each chunk lasts long enough to time.
BATCH_YIELD_MULTIPLE = 32


def _scaled(batch: tf.Tensor) -> tf.Tensor:
    import tensorflow as tf

    return tf.cast(batch, tf.float32) / 255.0


def reference_dataset(paths: Sequence[str]) -> tf.data.Dataset:
    """The reference generator (`image_work.reference_images`), one image per yield, batched by TensorFlow."""
    import tensorflow as tf

    signature = tf.TensorSpec(shape=(*image_work.IMAGE_SIZE, 3), dtype=tf.float32)
    dataset = tf.data.Dataset.from_generator(
        image_work.reference_images, args=(list(paths),), output_signature=signature
    )
    return dataset.batch(BATCH_SIZE).prefetch(tf.data.AUTOTUNE)


def decoded_batches(paths: Sequence[str], batch_size: int, threads: int) -> Iterator[np.ndarray]:
    """The best generator: uint8 RGB batches, every image decoded into its slot by one of `threads` threads.

    While one batch is finished, the next is already queued, so no thread waits for the generator to be
    called again (OpenCV releases the GIL while it decodes and resizes). OpenCV runs single-threaded:
    one level of parallelism, ours.
    """
    cv2.setNumThreads(1)
    size = int(batch_size)
    with ThreadPoolExecutor(int(threads)) as pool:
        pending: deque = deque()
        for start in range(0, len(paths), size):
            batch = np.empty((min(size, len(paths) - start), *image_work.IMAGE_SIZE, 3), np.uint8)
            images = zip(paths[start : start + size], batch, strict=True)
            pending.append((batch, [pool.submit(image_work.decode_resize_into, *image) for image in images]))
            if len(pending) > 1:
                yield _finished(*pending.popleft())
        if pending:
            yield _finished(*pending.popleft())


def _finished(batch: np.ndarray, futures: list) -> np.ndarray:
    for future in futures:
        future.result()  # re-raises a decode error here, naming the file
    return batch


def best_dataset(paths: Sequence[str], *, threads: int) -> tf.data.Dataset:
    """`decoded_batches` through `from_generator`, scaled to float32 in TensorFlow, two batches ahead.

    tf.data's autotuning is off: its model thread made deleting each iterator (the end of every pass,
    every epoch) wait up to half a second, and nothing here needs tuning.
    """
    import tensorflow as tf

    dataset = tf.data.Dataset.from_generator(
        decoded_batches,
        args=(list(paths), BATCH_SIZE, threads),
        output_signature=tf.TensorSpec(shape=(None, *image_work.IMAGE_SIZE, 3), dtype=tf.uint8),
    )
    options = tf.data.Options()
    options.autotune.enabled = False
    return dataset.map(_scaled).prefetch(2).with_options(options)


def _load(path: str | bytes) -> np.ndarray:
    return image_work.decode_resize_into(path, np.empty((*image_work.IMAGE_SIZE, 3), np.uint8))


def _python_loads(elements: tf.data.Dataset, load: Callable[[Any], np.ndarray]) -> tf.data.Dataset:
    """`elements.map(numpy_function(load), AUTOTUNE)`, batched and scaled like every row."""
    import tensorflow as tf

    def load_one(element: tf.Tensor) -> tf.Tensor:
        image = tf.numpy_function(load, [element], tf.uint8, stateful=False)
        return tf.ensure_shape(image, (*image_work.IMAGE_SIZE, 3))

    dataset = elements.map(load_one, num_parallel_calls=tf.data.AUTOTUNE)
    return dataset.batch(BATCH_SIZE).map(_scaled).prefetch(tf.data.AUTOTUNE)


def numpy_function_dataset(paths: Sequence[str]) -> tf.data.Dataset:
    """`from_tensor_slices(paths).map(tf.numpy_function(load), num_parallel_calls=AUTOTUNE)` (notebook 08)."""
    import tensorflow as tf

    return _python_loads(tf.data.Dataset.from_tensor_slices(list(paths)), _load)


def index_dataset(paths: Sequence[str], *, seed: int = 0) -> tf.data.Dataset:
    """The index pattern (notebook 08): `range(n).shuffle(n).map(index -> numpy_function(load))`."""
    import tensorflow as tf

    path_list = [str(path) for path in paths]
    indices = tf.data.Dataset.range(len(path_list)).shuffle(len(path_list), seed=seed)
    return _python_loads(indices, lambda index: _load(path_list[int(index)]))


def graph_native_dataset(paths: Sequence[str]) -> tf.data.Dataset:
    """Notebook 07's pipeline (`graph_native.image_dataset`), batched like the other rows."""
    import tensorflow as tf

    from helpers import graph_native

    dataset = graph_native.image_dataset(paths, image_size=image_work.IMAGE_SIZE)
    return dataset.batch(BATCH_SIZE).prefetch(tf.data.AUTOTUNE)


def article_dataset(paths: Sequence[str]) -> tf.data.Dataset:
    """The article's Example 2 as written (`article.example_2_dataset`), without its deprecation warning."""
    import tensorflow as tf

    from helpers import article

    logger = tf.get_logger()
    level = logger.level
    logger.setLevel("ERROR")  # the row measures the article's `output_types`: its warning is expected
    try:
        return article.example_2_dataset(list(paths))
    finally:
        logger.setLevel(level)


def feature_rows(features: np.ndarray) -> Iterator[np.ndarray]:
    """Yields the rows of `features` one at a time."""
    yield from features


def feature_batches(features: np.ndarray, batch_size: int) -> Iterator[np.ndarray]:
    """Yields `features` in slices of `batch_size` rows."""
    for start in range(0, len(features), int(batch_size)):
        yield features[start : start + int(batch_size)]


def stream_chunks(dataset: tf.data.Dataset, elements: int) -> Callable[[], int]:
    """Each call reads the next `elements` (or a little more) from one endless pass over `dataset`.

    For fast pipelines where starting an iterator (tens of milliseconds) would swamp the measurement.
    The stream has no prefetch (tf.data's injected one is turned off): it stays alive while the other
    rows take their turns, and a prefetch would keep producing in the background, stealing their CPU
    and handing the next chunk a full buffer.
    """
    import tensorflow as tf

    options = tf.data.Options()
    options.experimental_optimization.inject_prefetch = False
    synchronous = dataset.repeat().with_options(options)
    stream = None

    def next_chunk() -> int:
        nonlocal stream
        stream = stream or iter(synchronous)
        count = 0
        while count < elements:
            count += count_elements(next(stream))
        return count

    return next_chunk
