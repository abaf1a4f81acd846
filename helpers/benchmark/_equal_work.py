"""The equal-work check: every image row must deliver the reference generator's images before it is timed.

    check = check_equal_work("mine", my_images, reference)   # an EqualWorkCheck; .passed, .message
    checks = check_rows(check_paths, configs, article, step)  # every row, or EqualWorkError

It may import `._workloads` (the rows' datasets and the reference generator) and NumPy at import time;
TensorFlow and the lesson helpers (`pipelines`, `alternatives`) only inside functions.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from helpers.benchmark._workloads import (
    article_dataset,
    float32_dataset,
    float32_images,
    graph_native_dataset,
    limit_check_images,
)

if TYPE_CHECKING:
    import tensorflow as tf

    from helpers.pipelines import PipelineConfig

__all__ = [
    "CHECK_IMAGES",
    "MEAN_DIFFERENCE_BOUND_LEVELS",
    "EqualWorkCheck",
    "EqualWorkError",
    "check_equal_work",
    "check_rows",
]


CHECK_IMAGES = 32
"""Images each row delivers for the equal-work check (the first ones of the benchmark set)."""

MEAN_DIFFERENCE_BOUND_LEVELS = 3.0
"""The largest mean absolute pixel difference from the reference, in grey levels of 255, that counts as
the same work. OpenCV's bilinear resize and the graph-native area resize differ by about 1.3 levels on
these photos; a swapped colour order (BGR) differs by about 30."""

_ARTICLE_KNOWN_DIFFERENCE = "BGR colour order (the article's cv2.imread); checked with its channels reversed"


@dataclass(frozen=True)
class EqualWorkCheck:
    """How one row's images compare with the reference generator's, on the same files.

    Attributes:
        name: the row.
        images: images the row delivered.
        shape: shape of one image.
        dtype: dtype of the images.
        min_value: the smallest pixel value.
        max_value: the largest pixel value.
        mean_difference_levels: mean absolute difference from the reference, in grey levels of 255,
            each image matched with the reference image of the same file (order may differ).
        bound_levels: the bound `mean_difference_levels` must stay under.
        as_delivered_levels: for a documented exception, the difference before its known difference was
            undone (e.g. before reversing BGR); None otherwise.
        known_difference: the documented exception ("" for none).
        problems: what failed, as sentences; empty when the check passed.
    """

    name: str
    images: int
    shape: tuple[int, ...]
    dtype: str
    min_value: float
    max_value: float
    mean_difference_levels: float
    bound_levels: float
    as_delivered_levels: float | None = None
    known_difference: str = ""
    problems: tuple[str, ...] = ()

    @property
    def passed(self) -> bool:
        """No problem found."""
        return not self.problems

    @property
    def message(self) -> str:
        """One line: what was compared and the verdict."""
        verdict = "same work" if self.passed else "NOT the same work: " + "; ".join(self.problems)
        known = f" (known difference: {self.known_difference})" if self.known_difference else ""
        return (
            f"{self.name}: {self.images} images {self.shape} {self.dtype} in "
            f"[{self.min_value:.2f}, {self.max_value:.2f}], mean |difference| "
            f"{self.mean_difference_levels:.2f} grey levels (bound {self.bound_levels:g}){known}: {verdict}"
        )


class EqualWorkError(ValueError):
    """A row does not do the reference's work; its message lists every failed check."""


def _levels(images: np.ndarray) -> np.ndarray:
    return np.asarray(images, np.float32) * np.float32(255)


def _matched_mean_difference(candidate: np.ndarray, reference: np.ndarray) -> tuple[float, bool]:
    """Mean |difference| (grey levels) of each image to its reference; whether each reference was used once.

    Images in the reference's order are compared pairwise; otherwise each is matched with the closest
    reference image (sharded or non-deterministic pipelines deliver the same images in another order).
    """
    in_order = np.array([np.abs(c - r).mean() for c, r in zip(candidate, reference, strict=True)])
    if in_order.max() <= MEAN_DIFFERENCE_BOUND_LEVELS:
        return float(in_order.mean()), True
    differences = np.array([[np.abs(c - r).mean() for r in reference] for c in candidate])
    closest = differences.argmin(axis=1)
    matched = differences[np.arange(len(candidate)), closest]
    return float(matched.mean()), len(set(closest.tolist())) == len(candidate)


def check_equal_work(
    name: str,
    images: np.ndarray,
    reference: np.ndarray,
    *,
    bound_levels: float = MEAN_DIFFERENCE_BOUND_LEVELS,
    known_difference: str = "",
    channels_reversed: bool = False,
) -> EqualWorkCheck:
    """Checks that `images` are the reference's images: count, shape, dtype, range and pixels.

    Images may come in another order (sharded generators, `deterministic=False`): each is matched with
    the closest reference image, and every reference image must be matched once.

    Args:
        name: the row, for the messages.
        images: the row's images, (n, height, width, 3), float in [0, 1].
        reference: the reference generator's images of the same files.
        bound_levels: the largest mean absolute difference, in grey levels of 255.
        known_difference: a documented exception to report (e.g. the article's BGR).
        channels_reversed: the row is known to yield BGR: compare its pixels with the channels reversed,
            and report the difference as delivered in `as_delivered_levels`.

    Returns:
        The `EqualWorkCheck`; `passed` is False when anything differs (see `problems`).
    """
    images = np.asarray(images)
    reference = np.asarray(reference)
    problems = []
    if images.shape != reference.shape:
        problems.append(f"shape {images.shape} where the reference has {reference.shape}")
    if images.dtype != reference.dtype:
        problems.append(f"dtype {images.dtype} where the reference has {reference.dtype}")
    low, high = (float(images.min()), float(images.max())) if images.size else (float("nan"),) * 2
    if not (low >= 0.0 and high <= 1.0):
        problems.append(f"values in [{low:.3g}, {high:.3g}], not in [0, 1]")
    mean_levels, as_delivered = float("nan"), None
    if images.ndim == 4 and images.shape[1:] == reference.shape[1:] and len(images) == len(reference):
        candidate, wanted = _levels(images), _levels(reference)
        if channels_reversed:
            as_delivered = round(_matched_mean_difference(candidate, wanted)[0], 2)
            candidate = candidate[..., ::-1]
        mean_levels, each_once = _matched_mean_difference(candidate, wanted)
        if not each_once:
            problems.append("some reference images are missing and others repeated")
        if not mean_levels <= bound_levels:
            problem = (
                f"mean |difference| {mean_levels:.1f} grey levels from the reference, over the bound "
                f"of {bound_levels:g}"
            )
            reversed_levels = _matched_mean_difference(candidate[..., ::-1], wanted)[0]
            if reversed_levels <= bound_levels:
                order = "RGB where BGR was expected" if channels_reversed else "BGR, not RGB"
                problem += f": its colour channels are swapped ({order}; reversed they differ by "
                problem += f"{reversed_levels:.1f})"
            problems.append(problem)
    return EqualWorkCheck(
        name=name,
        images=len(images) if images.ndim else 0,
        shape=tuple(images.shape[1:]),
        dtype=str(images.dtype),
        min_value=round(low, 4),
        max_value=round(high, 4),
        mean_difference_levels=round(mean_levels, 2),
        bound_levels=bound_levels,
        as_delivered_levels=as_delivered,
        known_difference=known_difference,
        problems=tuple(problems),
    )


def _pipeline_images(config: PipelineConfig, image_paths: Sequence[str]) -> np.ndarray:
    from helpers import pipelines

    return _dataset_images(pipelines.image_dataset(config, image_paths))


def _dataset_images(dataset: tf.data.Dataset) -> np.ndarray:
    return np.concatenate([batch.numpy() for batch in dataset])


def check_rows(
    check_paths: Sequence[str],
    configs: Mapping[str, PipelineConfig],
    article,
    step: Callable[[str], None],
) -> list[EqualWorkCheck]:
    """The equal-work check of every image row (every generator candidate for best_from_generator).

    Args:
        check_paths: the images each row delivers (the first `CHECK_IMAGES` of the benchmark set).
        configs: label -> a generator candidate for `best_from_generator`.
        article: the `helpers.article` module (its Example 2 is the first row).
        step: called with a short label after each row's check (the progress bar).

    Returns:
        One `EqualWorkCheck` per row, in table order (each candidate as "best_from_generator: <label>").

    Raises:
        EqualWorkError: some row's images are not the reference's; the message lists every failed check.
    """
    from helpers import alternatives

    reference = np.stack(list(float32_images(check_paths)))
    delivered: dict[str, Callable[[], np.ndarray]] = {
        "article_example_2": lambda: _dataset_images(article_dataset(article, check_paths)),
        "float32": lambda: _dataset_images(float32_dataset(check_paths)),
        **{
            f"best_from_generator: {label}": functools.partial(_pipeline_images, config, check_paths)
            for label, config in configs.items()
        },
        "numpy_function_map": lambda: _dataset_images(alternatives.numpy_function_dataset(check_paths)),
        "index_pattern": lambda: _dataset_images(alternatives.index_dataset(check_paths)),
        "graph_native": lambda: _dataset_images(graph_native_dataset(check_paths)),
        "limit": lambda: limit_check_images(check_paths),
    }
    checks = []
    for name, images in delivered.items():
        if name == "article_example_2":
            check = check_equal_work(
                name,
                images(),
                reference,
                known_difference=_ARTICLE_KNOWN_DIFFERENCE,
                channels_reversed=True,
            )
        else:
            check = check_equal_work(name, images(), reference)
        checks.append(check)
        step(f"check {name}")
    failed = [check for check in checks if not check.passed]
    if failed:
        raise EqualWorkError(
            "these rows do not do the reference generator's work, so timing them would compare "
            "different things:\n" + "\n".join(check.message for check in failed)
        )
    return checks
