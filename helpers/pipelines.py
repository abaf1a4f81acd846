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
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path

import cv2
import numpy as np
import tensorflow as tf

from helpers import augment as augment_module
from helpers import datasets, images
from helpers.image_work import decode_resize_into  # re-exported: the lab's generator decodes with it

__all__ = ["PipelineConfig", "decode_resize_into", "image_dataset", "image_items", "resolve_paths"]

_LIMITS = {
    "batch_size": (1, 1024),
    "shards": (1, 8),
    "decode_threads": (0, 16),
    "opencv_threads": (0, 16),
    "image_size": (8, 1024),
    "image_count": (1, 100_000),
}
_CHOICES = {
    "prefetch": ("off", "1", "autotune"),
    "yield_mode": ("element", "batch"),
    "data": ("samples", "benchmark", "small"),
}
_SMALL_JPEG_SIZE = (160, 120)  # width, height of the "small" data: decoding is quick, so a yield costs more


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
        for name, choices in _CHOICES.items():
            if getattr(self, name) not in choices:
                raise ValueError(f"{name} must be one of {choices}, got {getattr(self, name)!r}")

    def replace(self, **changes) -> PipelineConfig:
        """Returns a copy with `changes` applied (and checked)."""
        return replace(self, **changes)

    def describe(self) -> str:
        """Returns how images are produced, in one line: "batch 32 · per batch · 2 shards · prefetch 1"."""
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
        return " · ".join(parts)


def resolve_paths(config: PipelineConfig) -> list[Path]:
    """Returns the `config.image_count` image files of `config.data` (writing benchmark JPEGs if needed)."""
    if config.data == "samples":
        samples = images.sample_image_paths()
        return list(itertools.islice(itertools.cycle(samples), config.image_count))
    width, height = _SMALL_JPEG_SIZE if config.data == "small" else (640, 480)
    return datasets.benchmark_jpegs(config.image_count, width=width, height=height, progress=False)


def image_items(
    paths: Sequence[str | os.PathLike[str] | bytes],
    shard: int = 0,
    num_shards: int = 1,
    batch_size: int = 32,
    per_batch: bool = False,
    image_size: int = 224,
    augment: bool = False,
    seed: int = 0,
    decode_threads: int = 0,
    opencv_threads: int = 1,
) -> Iterator[np.ndarray]:
    """Yields the images of shard `shard` (`paths[shard::num_shards]`) as RGB uint8, one at a time or in
    batches: positional parameters, so `from_generator(image_items, args=(...))` can pass each one.

    Args:
        per_batch: yield arrays (n, size, size, 3) instead of single images (size, size, 3).
        augment: apply `augment.augment_image` with a generator seeded from (seed, shard).
        decode_threads: threads decoding batches ahead inside this generator (OpenCV releases the GIL
            while it decodes); 0 decodes here, one batch at a time.
        opencv_threads: `cv2.setNumThreads`; 0 restores OpenCV's default.

    Raises:
        FileNotFoundError: a file is missing.
        images.ImageLoadError: a file cannot be decoded.
    """
    cv2.setNumThreads(int(opencv_threads) or -1)
    mine = [os.fsdecode(p) for p in paths[int(shard) :: int(num_shards)]]
    rngs: Sequence[np.random.Generator | None] = [None] * len(mine)
    if augment:
        rngs = augment_module.epoch_rng(int(seed), shard=int(shard)).spawn(len(mine))
    size, threads = int(image_size), int(decode_threads)

    def load_batch(start: int) -> np.ndarray:
        batch = np.empty((min(int(batch_size), len(mine) - start), size, size, 3), np.uint8)
        for index, out in enumerate(batch, start=start):
            decode_resize_into(mine[index], out)
            if (rng := rngs[index]) is not None:
                out[...] = augment_module.augment_image(out, rng)
        return batch

    starts = range(0, len(mine), int(batch_size))
    with ThreadPoolExecutor(max(threads, 1), thread_name_prefix="decode") as pool:
        # One batch more in flight than threads, so no thread waits for the consumer.
        for batch in (
            _ahead(pool, load_batch, starts, threads + 1) if threads > 0 else map(load_batch, starts)
        ):
            yield from [batch] if per_batch else batch


def _ahead(pool: ThreadPoolExecutor, function: Callable, items: Iterable, count: int) -> Iterator:
    """`map(function, items)` run in `pool`, at most `count` calls ahead of the caller."""
    pending: deque[Future] = deque()
    for item in items:
        pending.append(pool.submit(function, item))
        if len(pending) >= count:
            yield pending.popleft().result()
    while pending:
        yield pending.popleft().result()


def image_dataset(config: PipelineConfig, paths: Sequence[str | os.PathLike[str]]) -> tf.data.Dataset:
    """Builds the pipeline `config` describes over `paths`: one pass, float32 batches (n, size, size, 3)
    in [0, 1].

    Shape: `range(shards)` -> interleave of one `from_generator(image_items, args=(paths, shard,
    num_shards, ...))` per shard -> batch (per element only) -> scale to float32 -> prefetch (optional).
    One shard needs no interleave.
    """
    path_strings = np.array([os.fsdecode(os.fspath(p)) for p in paths])
    per_batch = config.yield_mode == "batch"
    image_shape = (config.image_size, config.image_size, 3)
    signature = tf.TensorSpec(shape=(None, *image_shape) if per_batch else image_shape, dtype=tf.uint8)
    settings = (config.batch_size, per_batch, config.image_size, config.augment, config.seed)

    def shard_dataset(shard) -> tf.data.Dataset:
        args = (path_strings, shard, config.shards, *settings, config.decode_threads, config.opencv_threads)
        return tf.data.Dataset.from_generator(image_items, args=args, output_signature=signature)

    if config.shards == 1:
        dataset = shard_dataset(0)
    else:
        shards = tf.data.Dataset.range(config.shards)
        dataset = shards.interleave(
            shard_dataset, cycle_length=config.shards, num_parallel_calls=config.shards
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
