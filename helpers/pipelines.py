"""The settings the performance lab turns, in a small frozen config, and the image files they name.

    config = pipelines.PipelineConfig(batch_size=32, yield_mode="batch", decode_threads=2)
    paths = pipelines.resolve_paths(config)         # the files `config.data` names

`PipelineConfig` is what the lab panel's controls set; the panel runs, with it, the pipeline notebook 06
writes in its cells (decoding with `decode_resize_into`).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, replace
from pathlib import Path

from helpers import datasets, images
from helpers.image_work import decode_resize_into  # re-exported: the lab's generator decodes with it

__all__ = ["PipelineConfig", "decode_resize_into", "resolve_paths"]

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
        augment: random crop, flip and brightness/contrast per image.
        shards: generators run in parallel, each reading every `shards`-th file (interleave + `args`).
        yield_mode: "element" (one image per `yield`, batched by TensorFlow) or "batch".
        decode_threads: threads decoding inside each generator; 0 decodes in the generator itself.
        opencv_threads: `cv2.setNumThreads` for the run; 0 keeps OpenCV's default (one per core).
        image_size: side of the square output images, in pixels.
        data: "samples" (the kit's photographs, repeated to `image_count`), "benchmark" (generated
            640x480 JPEGs, `datasets.benchmark_jpegs`) or "small" (the same at 160x120: quick to
            decode, so what each `yield` costs shows).
        image_count: images per epoch.
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
