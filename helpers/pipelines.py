"""Image pipelines from a small frozen config: the settings the performance lab turns, and a reference build.

    config = pipelines.PipelineConfig(batch_size=32, yield_mode="batch", decode_threads=2)
    paths = pipelines.resolve_paths(config)         # the files `config.data` names
    ds = pipelines.image_dataset(config, paths)     # float32 RGB batches in [0, 1]

`PipelineConfig` is what the lab panel's controls set; the panel runs the pipeline notebook 06 writes in
its cells with it. `image_dataset` is the same pipeline tuned for speed (`image_items` decodes into reused
buffers, ahead, in threads), for the comparison command (`helpers.benchmark`) and the self-checks: one
`from_generator` per shard, interleaved, each told its part through `args`; uint8 out of the generator,
scaled to float32 in TensorFlow (four times less data crosses from Python).
"""

from __future__ import annotations

import itertools
import os
from collections import deque
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, fields, replace
from pathlib import Path

import cv2
import numpy as np
import tensorflow as tf

from helpers import augment as augment_module
from helpers import datasets, images
from helpers.image_work import decode_resize_into  # re-exported: the lab's generator decodes with it

__all__ = [
    "DATA_SOURCES",
    "PREFETCH_CHOICES",
    "YIELD_MODES",
    "SMALL_JPEG_SIZE",
    "PipelineConfig",
    "decode_resize_into",
    "image_dataset",
    "image_items",
    "resolve_paths",
]

PREFETCH_CHOICES = ("off", "1", "autotune")
YIELD_MODES = ("element", "batch")
DATA_SOURCES = ("samples", "benchmark", "small")
SMALL_JPEG_SIZE = (160, 120)  # width, height of the "small" data: decoding is quick, so a yield costs more
_LIMITS = {
    "batch_size": (1, 1024),
    "shards": (1, 8),
    "decode_threads": (0, 16),
    "opencv_threads": (0, 16),
    "image_size": (8, 1024),
    "image_count": (1, 100_000),
}


@dataclass(frozen=True)
class PipelineConfig:
    """The settings of one image pipeline; frozen, so a run's settings cannot change under it.

    Attributes:
        batch_size: images per batch.
        prefetch: "off", "1" (one batch ahead) or "autotune" (`tf.data.AUTOTUNE`).
        inject_prefetch: tf.data's automatic asynchrony, on by default in TensorFlow. Its
            `inject_prefetch` optimisation adds a prefetch to a pipeline that has none, and its
            `map_parallelization` turns the scaling `map` into a parallel map that also runs ahead of
            the consumer; False turns both off, so that prefetch "off" really is off.
        augment: random crop, flip and brightness/contrast per image (`helpers.augment`).
        shards: generators run in parallel, each reading every `shards`-th file (interleave + `args`).
        yield_mode: "element" (one image per `yield`, batched by TensorFlow) or "batch".
        decode_threads: threads decoding inside each generator; 0 decodes in the generator itself.
        opencv_threads: `cv2.setNumThreads` for the run; 0 keeps OpenCV's default (one per core).
        image_size: side of the square output images, in pixels.
        data: "samples" (the kit's photographs, repeated to `image_count`), "benchmark" (generated
            640x480 JPEGs, `datasets.benchmark_jpegs`) or "small" (the same at 160x120: quick to
            decode, so what each `yield` costs shows).
        image_count: images per epoch.
        seed: seed of the augmentation's random choices.
    """

    batch_size: int = 32
    prefetch: str = "autotune"
    inject_prefetch: bool = True
    augment: bool = False
    shards: int = 1
    yield_mode: str = "element"
    decode_threads: int = 0
    opencv_threads: int = 1
    image_size: int = 224
    data: str = "benchmark"
    image_count: int = 256
    seed: int = 0

    def __post_init__(self) -> None:
        for name, (low, high) in _LIMITS.items():
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
                raise ValueError(f"{name} must be an integer from {low} to {high}, got {value!r}")
        for name, choices in (
            ("prefetch", PREFETCH_CHOICES),
            ("yield_mode", YIELD_MODES),
            ("data", DATA_SOURCES),
        ):
            if getattr(self, name) not in choices:
                raise ValueError(f"{name} must be one of {choices}, got {getattr(self, name)!r}")

    def replace(self, **changes) -> PipelineConfig:
        """Returns a copy with `changes` applied (and checked)."""
        return replace(self, **changes)

    def as_dict(self) -> dict[str, object]:
        """Returns the settings as a plain dict (field order)."""
        return {field.name: getattr(self, field.name) for field in fields(self)}

    def describe(self, *, pipeline_only: bool = False) -> str:
        """Returns a one-line summary, e.g. "batch 32 · per batch · 2 shards · prefetch autotune · ...".

        Args:
            pipeline_only: stop after the tf.data settings (no OpenCV threads, no images): for titles and
                tables where the images are the same on every row.
        """
        parts = [f"batch {self.batch_size}", f"per {self.yield_mode}"]
        if self.shards > 1:
            parts.append(f"{self.shards} shards")
        if self.decode_threads:
            parts.append(f"{self.decode_threads} decode threads")
        parts.append(f"prefetch {self.prefetch}")
        if not self.inject_prefetch:
            parts.append("tf.data auto-prefetch off")
        if self.augment:
            parts.append("augment")
        if pipeline_only:
            return " · ".join(parts)
        parts.append(f"OpenCV threads {self.opencv_threads or 'default'}")
        parts.append(f"{self.image_count} {self.data} images at {self.image_size} px")
        return " · ".join(parts)


def resolve_paths(config: PipelineConfig) -> list[Path]:
    """Returns the `config.image_count` image files of `config.data` (writing benchmark JPEGs if needed)."""
    if config.data == "samples":
        samples = images.sample_image_paths()
        return list(itertools.islice(itertools.cycle(samples), config.image_count))
    if config.data == "small":
        width, height = SMALL_JPEG_SIZE
        return datasets.benchmark_jpegs(config.image_count, width=width, height=height, progress=False)
    return datasets.benchmark_jpegs(config.image_count, progress=False)


def image_items(
    paths: Sequence[str | os.PathLike[str] | bytes],
    shard: int = 0,
    num_shards: int = 1,
    *,
    batch_size: int = 32,
    per_batch: bool = False,
    image_size: int = 224,
    augment: bool = False,
    seed: int = 0,
    decode_threads: int = 0,
    opencv_threads: int = 1,
) -> Iterator[np.ndarray]:
    """Yields the images of one shard as RGB uint8: one at a time, or in batches.

    Args:
        paths: all image files; this shard takes `paths[shard::num_shards]`.
        shard: which shard this generator is.
        num_shards: how many shards there are.
        batch_size: images per yielded batch (per_batch) or per in-flight window (per element).
        per_batch: yield arrays (n, size, size, 3) instead of single images (size, size, 3).
        image_size: side of the square output, in pixels.
        augment: apply `augment.augment_image` with a generator seeded from (seed, shard).
        seed: the augmentation seed.
        decode_threads: threads decoding ahead inside this generator (OpenCV releases the GIL while it
            decodes); 0 decodes here, one image at a time.
        opencv_threads: `cv2.setNumThreads`; 0 restores OpenCV's default.

    Yields:
        uint8 arrays, (image_size, image_size, 3) or (n, image_size, image_size, 3).

    Raises:
        FileNotFoundError: a file is missing.
        images.ImageLoadError: a file cannot be decoded.
    """
    cv2.setNumThreads(int(opencv_threads) if opencv_threads > 0 else -1)
    mine = [os.fsdecode(p) for p in paths[int(shard) :: int(num_shards)]]
    rngs: Sequence[np.random.Generator | None] = [None] * len(mine)
    if augment:
        rngs = augment_module.epoch_rng(int(seed), shard=int(shard)).spawn(len(mine))
    chunk = int(batch_size) if per_batch else 1
    size = int(image_size)

    def load(index: int, out: np.ndarray) -> None:
        decode_resize_into(mine[index], out)
        rng = rngs[index]
        if rng is not None:
            out[...] = augment_module.augment_image(out, rng)

    def empty_chunk(start: int) -> np.ndarray:
        return np.empty((min(chunk, len(mine) - start), size, size, 3), np.uint8)

    starts = range(0, len(mine), chunk)
    if decode_threads <= 0:
        for start in starts:
            out = empty_chunk(start)
            for offset in range(len(out)):
                load(start + offset, out[offset])
            yield out if per_batch else out[0]
        return

    # Keep about two decodes per thread in flight (at least two chunks) so threads never wait for us.
    chunks_ahead = max(2, -(-2 * int(decode_threads) // chunk))
    pending: deque[tuple[np.ndarray, list[Future]]] = deque()
    with ThreadPoolExecutor(int(decode_threads), thread_name_prefix="decode") as pool:

        def submit(start: int) -> None:
            out = empty_chunk(start)
            pending.append((out, [pool.submit(load, start + i, out[i]) for i in range(len(out))]))

        for start in starts[:chunks_ahead]:
            submit(start)
        for index in range(len(starts)):
            out, futures = pending.popleft()
            for future in futures:
                future.result()
            if index + chunks_ahead < len(starts):
                submit(starts[index + chunks_ahead])
            yield out if per_batch else out[0]


def _image_items_from_args(paths, shard, num_shards, *settings):
    """`image_items` with positional parameters, as `from_generator(args=...)` calls it."""
    batch_size, per_batch, image_size, augment, seed, decode_threads, opencv_threads = settings
    return image_items(
        paths,
        int(shard),
        int(num_shards),
        batch_size=int(batch_size),
        per_batch=bool(per_batch),
        image_size=int(image_size),
        augment=bool(augment),
        seed=int(seed),
        decode_threads=int(decode_threads),
        opencv_threads=int(opencv_threads),
    )


def image_dataset(config: PipelineConfig, paths: Sequence[str | os.PathLike[str]]) -> tf.data.Dataset:
    """Builds the pipeline `config` describes over `paths`: one pass, float32 batches in [0, 1].

    Shape: `range(shards)` -> interleave of one `from_generator(image_items, args=(paths, shard,
    num_shards, ...))` per shard -> batch (per element only) -> scale to float32 -> prefetch (optional).
    One shard needs no interleave.

    Args:
        config: the settings.
        paths: the image files.

    Returns:
        A dataset of float32 batches (n, image_size, image_size, 3) in [0, 1].
    """
    path_strings = np.array([os.fsdecode(os.fspath(p)) for p in paths])
    shards = config.shards
    image_shape = (config.image_size, config.image_size, 3)
    per_batch = config.yield_mode == "batch"
    signature = tf.TensorSpec(shape=(None, *image_shape) if per_batch else image_shape, dtype=tf.uint8)
    settings = (
        config.batch_size,
        per_batch,
        config.image_size,
        config.augment,
        config.seed,
        config.decode_threads,
        config.opencv_threads,
    )

    def shard_dataset(shard) -> tf.data.Dataset:
        return tf.data.Dataset.from_generator(
            _image_items_from_args, args=(path_strings, shard, shards, *settings), output_signature=signature
        )

    if shards == 1:
        dataset = shard_dataset(0)
    else:
        dataset = tf.data.Dataset.range(shards).interleave(
            shard_dataset, cycle_length=shards, num_parallel_calls=shards
        )
    if not per_batch:
        dataset = dataset.batch(config.batch_size)
    dataset = dataset.map(lambda batch: tf.cast(batch, tf.float32) / 255.0)
    if config.prefetch != "off":
        dataset = dataset.prefetch(1 if config.prefetch == "1" else tf.data.AUTOTUNE)
    options = tf.data.Options()
    options.experimental_optimization.inject_prefetch = config.inject_prefetch
    options.experimental_optimization.map_parallelization = config.inject_prefetch
    return dataset.with_options(options)
