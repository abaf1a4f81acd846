"""The alternative pipelines: the same image work (JPEG paths in, float32 RGB batches out) built each way.

    reference = alternatives.reference_dataset(paths, batch_size=32)       # the naive generator
    dataset = alternatives.numpy_function_dataset(paths, batch_size=32)    # paths -> float32 batches

Every builder turns 640x480 JPEGs into batches of 224x224 RGB float32 in [0, 1] (OpenCV's area resize, or
TensorFlow ops that match it): the naive generator (the reference), a `numpy_function` map, the index
pattern, a process pool behind a generator, graph-native ops, `image_dataset_from_directory`, TFRecord
shards, and a keras `PyDataset` (`ImageBatches`) with its `fit` pass.

May import: TensorFlow, Keras, NumPy and `helpers.graph_native`, `images`, `process_work`, `paths`,
`measure`; nothing else of this package (the checks, costs and probes take what these build).
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Sequence
from pathlib import Path

import keras
import numpy as np
import tensorflow as tf

from helpers import graph_native, images, process_work
from helpers.paths import cache_dir

__all__ = [
    "BATCH_SIGNATURE",
    "IMAGE_SIGNATURE",
    "IMAGE_SIZE",
    "ImageBatches",
    "directory_dataset",
    "graph_native_dataset",
    "index_dataset",
    "numpy_function_dataset",
    "opencv_loader",
    "process_pool_dataset",
    "py_dataset_fit_pass",
    "reference_dataset",
    "tfrecord_dataset",
]

IMAGE_SIZE = process_work.IMAGE_SIZE
IMAGE_SIGNATURE = tf.TensorSpec(shape=(*IMAGE_SIZE, 3), dtype=tf.float32)
"""One output image: 224x224 RGB float32 in [0, 1]."""
BATCH_SIGNATURE = tf.TensorSpec(shape=(None, *IMAGE_SIZE, 3), dtype=tf.uint8)
"""A batch of RGB uint8 images, as the fast generators yield them (scaled to float32 in TensorFlow)."""


def opencv_loader(path: bytes | str) -> np.ndarray:
    """Reads one image as RGB float32 in [0, 1], 224x224 (`images.load_image`: the kit's reference)."""
    return images.load_image(os.fsdecode(path), size=IMAGE_SIZE)


def _uint8_loader(path: bytes | str) -> np.ndarray:
    return process_work.decode_into(path, np.empty((*IMAGE_SIZE, 3), np.uint8))


def _scaled(batch: tf.Tensor) -> tf.Tensor:
    return tf.cast(batch, tf.float32) / 255.0


def reference_dataset(paths: Sequence[str], *, batch_size: int = 32) -> tf.data.Dataset:
    """The naive generator: one float32 image per `yield` from `opencv_loader`, batched by TensorFlow."""

    def one_image_at_a_time(paths):
        for path in paths:
            yield opencv_loader(path)

    dataset = tf.data.Dataset.from_generator(
        one_image_at_a_time, args=([str(p) for p in paths],), output_signature=IMAGE_SIGNATURE
    )
    return dataset.batch(batch_size).prefetch(tf.data.AUTOTUNE)


def numpy_function_dataset(paths: Sequence[str], *, batch_size: int = 32) -> tf.data.Dataset:
    """`from_tensor_slices(paths).map(tf.numpy_function(loader), num_parallel_calls=AUTOTUNE)`."""

    def load(path: tf.Tensor) -> tf.Tensor:
        image = tf.numpy_function(_uint8_loader, [path], tf.uint8, stateful=False)
        return tf.ensure_shape(image, (*IMAGE_SIZE, 3))

    dataset = tf.data.Dataset.from_tensor_slices([str(p) for p in paths])
    dataset = dataset.map(load, num_parallel_calls=tf.data.AUTOTUNE)
    return dataset.batch(batch_size).map(_scaled).prefetch(tf.data.AUTOTUNE)


def index_dataset(
    paths: Sequence[str], *, batch_size: int = 32, shuffle: bool = True, seed: int = 0
) -> tf.data.Dataset:
    """The index pattern: `Dataset.range(n).shuffle(n).map(index -> numpy_function)`.

    Only integers travel through the graph; the paths stay in a Python list the loader looks into. The
    indices are shuffled over all n (a new order every epoch) and can be sharded before any work.

    Args:
        paths: the image files.
        batch_size: images per batch.
        shuffle: shuffle the indices (False keeps the order of `paths`, to compare outputs).
        seed: the shuffle's seed.
    """
    path_list = [str(p) for p in paths]

    def load_index(index: np.int64) -> np.ndarray:
        return _uint8_loader(path_list[int(index)])

    def load(index: tf.Tensor) -> tf.Tensor:
        image = tf.numpy_function(load_index, [index], tf.uint8, stateful=False)
        return tf.ensure_shape(image, (*IMAGE_SIZE, 3))

    dataset = tf.data.Dataset.range(len(path_list))
    if shuffle:
        dataset = dataset.shuffle(len(path_list), seed=seed, reshuffle_each_iteration=True)
    dataset = dataset.map(load, num_parallel_calls=tf.data.AUTOTUNE)
    return dataset.batch(batch_size).map(_scaled).prefetch(tf.data.AUTOTUNE)


def process_pool_dataset(
    paths: Sequence[str], *, batch_size: int = 32, pool=None, workers: int | None = None
) -> tf.data.Dataset:
    """A generator farming the decoding out to spawned processes; yields uint8 batches, scaled in TF.

    Args:
        paths: the image files.
        batch_size: images per yielded batch.
        pool: a running `process_work.spawn_pool` (kept across passes: start-up paid once); None spawns
            a pool for each pass and shuts it down when the pass ends or fails.
        workers: processes when `pool` is None (default: the available cores).
    """
    path_list = [str(p) for p in paths]
    worker_count = workers or _cores()

    def batches_from(executor):
        results = executor.map(process_work.decode_image, path_list, chunksize=8)
        for start in range(0, len(path_list), batch_size):
            count = min(batch_size, len(path_list) - start)
            yield np.stack([next(results)[1] for _ in range(count)])

    def pooled_batches():
        if pool is not None:
            yield from batches_from(pool)
            return
        with process_work.spawn_pool(worker_count) as own_pool:
            yield from batches_from(own_pool)

    dataset = tf.data.Dataset.from_generator(pooled_batches, output_signature=BATCH_SIGNATURE)
    return dataset.map(_scaled).prefetch(tf.data.AUTOTUNE)


def graph_native_dataset(paths: Sequence[str], *, batch_size: int = 32) -> tf.data.Dataset:
    """`helpers.graph_native.image_dataset` (TensorFlow ops only, matching OpenCV), batched."""
    dataset = graph_native.image_dataset([str(p) for p in paths], image_size=IMAGE_SIZE)
    return dataset.batch(batch_size).prefetch(tf.data.AUTOTUNE)


def directory_dataset(
    paths: Sequence[str], *, batch_size: int = 32, folder: str | os.PathLike[str] | None = None
) -> tf.data.Dataset:
    """`keras.utils.image_dataset_from_directory` over exactly `paths` (linked into one folder).

    Keras lists a folder, so the files are symlinked into `folder` (default: under the kit's cache);
    `interpolation="area"` resizes as OpenCV's `INTER_AREA`, and the result is divided by 255.

    Args:
        paths: the image files; their names must sort in the order wanted (they are read sorted).
        batch_size: images per batch.
        folder: where the links go; links left there by an earlier call are replaced.

    Raises:
        ValueError: `folder` holds something other than links (nothing is deleted then).
    """
    folder = Path(folder) if folder is not None else cache_dir("alternatives_links") / f"n{len(paths)}"
    folder.mkdir(parents=True, exist_ok=True)
    entries = list(folder.iterdir())
    if any(not entry.is_symlink() for entry in entries):
        raise ValueError(f"{folder} holds files that are not links; give an empty folder for the links")
    for old in entries:
        old.unlink()
    for path in paths:
        (folder / Path(path).name).symlink_to(Path(path).resolve())
    dataset = keras.utils.image_dataset_from_directory(
        str(folder),
        labels=None,
        image_size=IMAGE_SIZE,
        interpolation="area",
        batch_size=batch_size,
        shuffle=False,
        verbose=False,
    )
    return dataset.map(lambda batch: batch / 255.0).prefetch(tf.data.AUTOTUNE)


def tfrecord_dataset(
    paths: Sequence[str],
    *,
    batch_size: int = 32,
    shards: int = 2,
    folder: str | os.PathLike[str] | None = None,
) -> tf.data.Dataset:
    """TFRecord shards (written once with `graph_native.write_tfrecord`) read back and decoded in TF ops.

    Shard k holds `paths[k::shards]`; interleaving the shards one record at a time restores the order
    of `paths`.

    Args:
        paths: the image files.
        batch_size: images per batch.
        shards: record files.
        folder: where the shards go (default: under the kit's cache); existing ones are rewritten.
    """
    folder = Path(folder) if folder is not None else cache_dir("alternatives_tfrecords") / f"n{len(paths)}"
    folder.mkdir(parents=True, exist_ok=True)
    files = []
    for shard in range(shards):
        files.append(str(folder / f"shard-{shard:02d}-of-{shards:02d}.tfrecord"))
        graph_native.write_tfrecord(list(paths)[shard::shards], files[-1])

    def decode(record: dict[str, tf.Tensor]) -> tf.Tensor:
        image = graph_native.resize_like_opencv(graph_native.decode_rgb(record["image_bytes"]), IMAGE_SIZE)
        return tf.cast(image, tf.float32) / 255.0

    dataset = tf.data.Dataset.from_tensor_slices(files).interleave(
        lambda file: tf.data.TFRecordDataset(file).map(graph_native.parse_image_record),
        cycle_length=shards,
        block_length=1,
        num_parallel_calls=tf.data.AUTOTUNE,
        deterministic=True,
    )
    dataset = dataset.map(decode, num_parallel_calls=tf.data.AUTOTUNE)
    return dataset.batch(batch_size).prefetch(tf.data.AUTOTUNE)


class ImageBatches(keras.utils.PyDataset):
    """A `keras.utils.PyDataset` of (images, labels) batches: float32 RGB in [0, 1], labels all 0.

    Keras calls `__getitem__(i)` for batch i, from `workers` threads or, with `use_multiprocessing`,
    processes (which unpickle this object, so it must live in an importable module, not a notebook).
    `on_epoch_end` reshuffles which files make up each batch: random access gives a global shuffle.
    """

    def __init__(
        self,
        paths: Sequence[str],
        *,
        batch_size: int = 32,
        shuffle: bool = False,
        seed: int = 0,
        **kwargs,
    ) -> None:
        super().__init__(**kwargs)
        self.paths = [str(p) for p in paths]
        self.batch_size = batch_size
        self.shuffle = shuffle
        self._rng = np.random.default_rng(seed)
        self.order = np.arange(len(self.paths))
        if shuffle:
            self._rng.shuffle(self.order)

    def __len__(self) -> int:
        return math.ceil(len(self.paths) / self.batch_size)

    def __getitem__(self, index: int) -> tuple[np.ndarray, np.ndarray]:
        if not 0 <= index < len(self):
            raise IndexError(f"batch {index} of {len(self)}")
        chosen = self.order[index * self.batch_size : (index + 1) * self.batch_size]
        batch = np.stack([_uint8_loader(self.paths[i]) for i in chosen]).astype(np.float32) / 255.0
        return batch, np.zeros(len(chosen), np.int64)

    def on_epoch_end(self) -> None:
        if self.shuffle:
            self._rng.shuffle(self.order)


def py_dataset_fit_pass(py_dataset: ImageBatches, model: keras.Model) -> Callable[[], int]:
    """Returns a function running one epoch of `model.fit(py_dataset)`, returning the images it saw.

    `use_multiprocessing=True` workers are spawned (see `process_work.spawn_start_method`), so the pass
    includes starting them: Keras starts its pool at each epoch.
    """

    def one_epoch() -> int:
        with process_work.spawn_start_method():
            model.fit(py_dataset, epochs=1, verbose=0)
        return len(py_dataset.paths)

    return one_epoch


def _cores() -> int:
    from helpers.measure import available_cores

    return available_cores()
