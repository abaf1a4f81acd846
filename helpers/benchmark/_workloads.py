"""The work the comparison's rows run: the generators, the datasets, the limit, and their sizes.

    paths = [str(p) for p in datasets.benchmark_jpegs(64, progress=False)]
    images = np.stack(list(float32_images(paths)))   # the reference: (64, 224, 224, 3) RGB float32 in [0, 1]
    dataset = graph_native_dataset(paths)             # notebook 07's pipeline, batched like every row

It may import `helpers.measure`, `helpers.paths`, NumPy and OpenCV at import time; TensorFlow and the
lesson helpers (`pipelines`, `graph_native`) only inside functions.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import TYPE_CHECKING

import cv2
import numpy as np

from helpers.measure import count_elements
from helpers.paths import display_path

if TYPE_CHECKING:
    import tensorflow as tf

    from helpers.pipelines import PipelineConfig

__all__ = [
    "BATCH_SIZE",
    "BATCH_YIELD_MULTIPLE",
    "IMAGE_SIZE",
    "SMALL_BATCH_SIZE",
    "SMALL_FEATURES",
    "article_dataset",
    "feature_batches",
    "feature_rows",
    "float32_dataset",
    "float32_images",
    "generator_candidates",
    "graph_native_dataset",
    "limit_check_images",
    "limit_images",
    "stream_chunks",
    "warm_up",
]


IMAGE_SIZE = 224
BATCH_SIZE = 32
SMALL_BATCH_SIZE = 256
SMALL_FEATURES = 16
# The per-batch row reads this many times more rows per chunk, so each chunk lasts long enough to time.
BATCH_YIELD_MULTIPLE = 32


def float32_images(image_paths: Iterable[bytes | str]) -> Iterator[np.ndarray]:
    """The reference generator: the article's Example 2 with two fixes, RGB (not BGR) and float32 arithmetic.

    Yields:
        float32 RGB images (224, 224, 3) in [0, 1].
    """
    for image_path in image_paths:
        decoded = cv2.imread(os.fsdecode(image_path))
        if decoded is None:
            raise FileNotFoundError(f"cannot read image {display_path(os.fsdecode(image_path))}")
        image = cv2.resize(decoded, (IMAGE_SIZE, IMAGE_SIZE))
        image = cv2.cvtColor(image, cv2.COLOR_BGR2RGB)
        yield image.astype(np.float32) / np.float32(255)


def feature_rows(features: np.ndarray) -> Iterator[np.ndarray]:
    """Yields the rows of `features` one at a time."""
    yield from features


def feature_batches(features: np.ndarray, batch_size: int) -> Iterator[np.ndarray]:
    """Yields `features` in slices of `batch_size` rows."""
    for start in range(0, len(features), int(batch_size)):
        yield features[start : start + int(batch_size)]


def generator_candidates(cores: int) -> dict[str, PipelineConfig]:
    """The generator pipelines the probe tries for `best_from_generator`, by label."""
    from helpers import pipelines

    base = pipelines.PipelineConfig(
        batch_size=BATCH_SIZE, yield_mode="batch", opencv_threads=1, prefetch="autotune", image_count=1
    )
    return {
        f"one generator, {cores} decode threads": base.replace(decode_threads=cores),
        f"{cores} sharded generators": base.replace(shards=cores),
        f"one generator, {cores + 1} decode threads": base.replace(decode_threads=cores + 1),
    }


def float32_dataset(paths: Sequence[str]) -> tf.data.Dataset:
    """The reference generator (`float32_images`) through `from_generator`, batched like the other rows."""
    import tensorflow as tf

    signature = tf.TensorSpec(shape=(IMAGE_SIZE, IMAGE_SIZE, 3), dtype=tf.float32)
    dataset = tf.data.Dataset.from_generator(float32_images, args=(list(paths),), output_signature=signature)
    return dataset.batch(BATCH_SIZE).prefetch(tf.data.AUTOTUNE)


def graph_native_dataset(paths: Sequence[str]) -> tf.data.Dataset:
    """Notebook 07's pipeline (`graph_native.image_dataset`), batched like the other rows."""
    import tensorflow as tf

    from helpers import graph_native

    dataset = graph_native.image_dataset(paths, image_size=(IMAGE_SIZE, IMAGE_SIZE))
    return dataset.batch(BATCH_SIZE).prefetch(tf.data.AUTOTUNE)


def limit_images(paths: Sequence[str]) -> int:
    """Decodes and resizes `paths` in this thread, OpenCV single-threaded: the limit row's work."""
    from helpers import pipelines

    out = np.empty((IMAGE_SIZE, IMAGE_SIZE, 3), np.uint8)
    for path in paths:
        pipelines.decode_resize_into(path, out)
    return len(paths)


def limit_check_images(paths: Sequence[str]) -> np.ndarray:
    """The limit row's work on `paths`, kept as float32 images in [0, 1] for the equal-work check."""
    from helpers import pipelines

    out = np.empty((len(paths), IMAGE_SIZE, IMAGE_SIZE, 3), np.uint8)
    for index, path in enumerate(paths):
        pipelines.decode_resize_into(path, out[index])
    return out.astype(np.float32) / np.float32(255)


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


@contextlib.contextmanager
def _expected_deprecation() -> Iterator[None]:
    """Hides TensorFlow's deprecation warning for the article's `output_types`: the row measures that code."""
    import tensorflow as tf

    logger = tf.get_logger()
    level = logger.level
    logger.setLevel("ERROR")
    try:
        yield
    finally:
        logger.setLevel(level)


def article_dataset(article, paths: Sequence[str]) -> tf.data.Dataset:
    """The article's Example 2 as written (`article.example_2_dataset`), without its deprecation warning."""
    with _expected_deprecation():
        return article.example_2_dataset(list(paths))


def warm_up(dataset: tf.data.Dataset) -> None:
    """Reads the first two elements of `dataset`, so its timed passes do not pay for its start-up."""
    for _ in dataset.take(2):  # tracing, thread pools, the file cache
        pass
