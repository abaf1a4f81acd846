"""`tf.data` image pipelines built from a small frozen config: the settings the performance lab turns.

    config = pipelines.PipelineConfig(batch_size=32, yield_mode="batch", decode_threads=2)
    ds = pipelines.image_dataset(config, pipelines.resolve_paths(config))  # float32 RGB in [0, 1]

Every pipeline runs the same generator, `image_items`, through `from_generator`, one shard per generator
(interleaved, each told its part through `args`), and ends with float32 batches `(n, size, size, 3)` in
[0, 1]. The generator yields uint8 and TensorFlow does the scaling: four times less data crosses the
Python/TensorFlow boundary.
"""

from __future__ import annotations

import itertools
import os
import time
from collections import deque
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, fields, replace
from pathlib import Path

import cv2
import numpy as np
import tensorflow as tf

from helpers import augment as augment_module
from helpers import datasets, images, runs, timeline
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
    "image_signature",
    "resolve_paths",
    "scale_to_unit",
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
        cache: keep the first epoch's images in memory (`Dataset.cache`) and replay them after.
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
    cache: bool = False
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
        parts += [label for flag, label in ((self.augment, "augment"), (self.cache, "cache")) if flag]
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
    *,
    shard: int = 0,
    num_shards: int = 1,
    epoch: int = 0,
    batch_size: int = 32,
    per_batch: bool = False,
    image_size: int = 224,
    augment: bool = False,
    seed: int = 0,
    decode_threads: int = 0,
    opencv_threads: int = 1,
    run_key: str = "",
) -> Iterator[np.ndarray]:
    """Yields the images of one shard as RGB uint8: one at a time, or in batches.

    Args:
        paths: all image files; this shard takes `paths[shard::num_shards]`.
        shard: which shard this generator is.
        num_shards: how many shards there are.
        epoch: the epoch number, so augmentation differs between epochs (and not between runs).
        batch_size: images per yielded batch (per_batch) or per in-flight window (per element).
        per_batch: yield arrays (n, size, size, 3) instead of single images (size, size, 3).
        image_size: side of the square output, in pixels.
        augment: apply `augment.augment_image` with a generator seeded from (seed, shard, epoch).
        seed: the augmentation seed.
        decode_threads: threads decoding ahead inside this generator (OpenCV releases the GIL while it
            decodes); 0 decodes here, one image at a time.
        opencv_threads: `cv2.setNumThreads`; 0 restores OpenCV's default.
        run_key: a `runs.RunControl.key`: raise `RunStopped` when its stop event is set, record spans in it.

    Yields:
        uint8 arrays, (image_size, image_size, 3) or (n, image_size, image_size, 3).

    Raises:
        FileNotFoundError: a file is missing.
        images.ImageLoadError: a file cannot be decoded.
        runs.RunStopped: the run of `run_key` was stopped.
    """
    cv2.setNumThreads(int(opencv_threads) if opencv_threads > 0 else -1)
    control = runs.control_for(os.fsdecode(run_key))
    lane = timeline.producer_lane(shard)
    mine = [os.fsdecode(p) for p in paths[int(shard) :: int(num_shards)]]
    rngs: Sequence[np.random.Generator | None] = [None] * len(mine)
    if augment:
        rngs = augment_module.epoch_rng(seed, shard=shard, epoch=epoch).spawn(len(mine))
    chunk = int(batch_size) if per_batch else 1
    size = int(image_size)

    def load(index: int, out: np.ndarray) -> None:
        decode_resize_into(mine[index], out)
        rng = rngs[index]
        if rng is not None:
            out[...] = augment_module.augment_image(out, rng)

    def stopped() -> bool:
        return control is not None and control.stop_event.is_set()

    def record(began: float) -> None:
        if control is not None and control.recorder is not None:
            control.recorder.add(lane, timeline.PRODUCE, began, time.perf_counter())

    starts = range(0, len(mine), chunk)
    if decode_threads <= 0:
        for start in starts:
            began = time.perf_counter()
            out = np.empty((min(chunk, len(mine) - start), size, size, 3), np.uint8)
            for offset in range(len(out)):
                if stopped():
                    raise runs.RunStopped(runs.STOPPED_MESSAGE)
                load(start + offset, out[offset])
            record(began)
            yield out if per_batch else out[0]
        return

    # Keep about two decodes per thread in flight (at least two chunks) so threads never wait for us.
    chunks_ahead = max(2, -(-2 * int(decode_threads) // chunk))
    pending: deque[tuple[np.ndarray, list[Future]]] = deque()
    pool = ThreadPoolExecutor(int(decode_threads), thread_name_prefix="decode")
    try:
        todo = iter(starts)

        def submit(start: int) -> None:
            out = np.empty((min(chunk, len(mine) - start), size, size, 3), np.uint8)
            pending.append((out, [pool.submit(load, start + i, out[i]) for i in range(len(out))]))

        for start in itertools.islice(todo, chunks_ahead):
            submit(start)
        while pending:
            began = time.perf_counter()
            out, futures = pending.popleft()
            for future in futures:
                if stopped():
                    raise runs.RunStopped(runs.STOPPED_MESSAGE)
                future.result()
            following = next(todo, None)
            if following is not None:
                submit(following)
            record(began)
            yield out if per_batch else out[0]
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _image_items_from_args(
    paths,
    shard,
    num_shards,
    epoch,
    batch_size,
    per_batch,
    image_size,
    augment,
    seed,
    decode_threads,
    opencv_threads,
    run_key,
):
    """`image_items` with positional parameters, as `from_generator(args=...)` calls it."""
    return image_items(
        paths,
        shard=int(shard),
        num_shards=int(num_shards),
        epoch=int(epoch),
        batch_size=int(batch_size),
        per_batch=bool(per_batch),
        image_size=int(image_size),
        augment=bool(augment),
        seed=int(seed),
        decode_threads=int(decode_threads),
        opencv_threads=int(opencv_threads),
        run_key=os.fsdecode(run_key),
    )


def image_signature(config: PipelineConfig) -> tf.TensorSpec:
    """Returns what `image_items` yields for `config`: one uint8 image, or a batch of any length."""
    image_shape = (config.image_size, config.image_size, 3)
    if config.yield_mode == "batch":
        return tf.TensorSpec(shape=(None, *image_shape), dtype=tf.uint8)
    return tf.TensorSpec(shape=image_shape, dtype=tf.uint8)


def scale_to_unit(images_uint8: tf.Tensor) -> tf.Tensor:
    """Converts uint8 [0, 255] to float32 [0, 1] (in TensorFlow, vectorised over the whole batch)."""
    return tf.cast(images_uint8, tf.float32) / 255.0


def image_dataset(
    config: PipelineConfig,
    paths: Sequence[str | os.PathLike[str]],
    *,
    epochs: int = 1,
    run_key: str = "",
) -> tf.data.Dataset:
    """Builds the pipeline `config` describes over `paths`.

    Shape of the pipeline: `range(epochs * shards)` -> interleave of one `from_generator(image_items,
    args=(paths, shard, num_shards, epoch, ...))` per (epoch, shard) -> batch (per element only) ->
    cache (optional) -> `scale_to_unit` -> prefetch (optional). With one shard and one epoch, the
    `from_generator` dataset alone replaces the interleave.

    Args:
        config: the settings.
        paths: the image files of one epoch.
        epochs: passes over `paths` (with `cache`, the first is replayed).
        run_key: a `runs.RunControl.key`, to make the run stoppable and record its timeline.

    Returns:
        A dataset of float32 batches (n, image_size, image_size, 3) in [0, 1].
    """
    path_strings = np.array([os.fsdecode(os.fspath(p)) for p in paths])
    shards = config.shards
    signature = image_signature(config)
    settings = (
        config.batch_size,
        config.yield_mode == "batch",
        config.image_size,
        config.augment,
        config.seed,
        config.decode_threads,
        config.opencv_threads,
        run_key,
    )

    def shard_dataset(index: tf.Tensor) -> tf.data.Dataset:
        return tf.data.Dataset.from_generator(
            _image_items_from_args,
            args=(path_strings, index % shards, shards, index // shards, *settings),
            output_signature=signature,
        )

    generated_epochs = 1 if config.cache else epochs
    if generated_epochs * shards == 1:
        # One generator: no interleave, whose function would be set up again on every pass.
        dataset = shard_dataset(tf.constant(0, tf.int64))
    else:
        dataset = tf.data.Dataset.range(generated_epochs * shards).interleave(
            shard_dataset,
            cycle_length=shards,
            num_parallel_calls=shards if shards > 1 else None,
        )
    if config.yield_mode == "element":
        dataset = dataset.batch(config.batch_size)
    if config.cache:
        dataset = dataset.cache().repeat(epochs)
    dataset = dataset.map(scale_to_unit)
    if config.prefetch == "1":
        dataset = dataset.prefetch(1)
    elif config.prefetch == "autotune":
        dataset = dataset.prefetch(tf.data.AUTOTUNE)
    options = tf.data.Options()
    options.experimental_optimization.inject_prefetch = config.inject_prefetch
    options.experimental_optimization.map_parallelization = config.inject_prefetch
    return dataset.with_options(options)
