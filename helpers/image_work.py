"""The work every image pipeline in the kit does, and the one rule for "the same output".

    reference = np.stack(list(image_work.reference_images(paths)))   # (n, 224, 224, 3) float32 in [0, 1]
    image_work.decode_resize_into(path, batch[i])                    # the same work, uint8, no fresh arrays
    image_work.check_same_output("mine", my_images, reference)       # an OutputCheck; .same_output
    print(image_work.difference_table(my_images, reference, names=names))  # image by image

The work: a 640x480 JPEG decoded as RGB, resized to 224x224 with area averaging (OpenCV's `INTER_AREA`,
the kit's loader `images.load_image`, which notebook 07's graph-native pipeline reproduces in TensorFlow
ops), scaled to float32 in [0, 1]. The rule: every pixel within `SAME_OUTPUT_LEVELS` grey levels of
the reference. Imports only NumPy, OpenCV and `helpers.images`, so spawned workers can run it.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

import cv2
import numpy as np

from helpers import images

__all__ = [
    "IMAGE_SIZE",
    "SAME_OUTPUT_LEVELS",
    "OutputCheck",
    "check_same_output",
    "decode_resize_into",
    "difference_image",
    "difference_levels",
    "difference_table",
    "reference_images",
]

IMAGE_SIZE = (224, 224)
"""(height, width) of every output image."""

SAME_OUTPUT_LEVELS = 1.0
"""Same output: every pixel within 1 grey level (1/255) of the reference. That is what rounding leaves
between OpenCV's fixed-point area resize and TensorFlow's float one (`graph_native.resize_like_opencv`),
and between dividing by 255 and multiplying by 1/255; a different JPEG decoder (TensorFlow's fast IDCT,
Keras's folder reader), another resize (the article's bilinear) or swapped channels (BGR) differ by far
more."""

_JPEG_SUFFIXES = (".jpg", ".jpeg")
_MAX_BUFFERS = 16
# One decode buffer per OS thread. Keyed by thread id, not threading.local: a generator runs in
# TensorFlow's threads, where Python's thread state (and so threading.local) lasts one call.
_buffers: dict[int, np.ndarray] = {}


def reference_images(paths: Iterable[str | bytes | os.PathLike[str]]) -> Iterator[np.ndarray]:
    """The reference generator: each file through the kit's loader, `images.load_image`, one at a time.

    Yields:
        float32 RGB images (224, 224, 3) in [0, 1].
    """
    for path in paths:
        yield images.load_image(os.fsdecode(path), size=IMAGE_SIZE)


def decode_resize_into(path: str | bytes | os.PathLike[str], out: np.ndarray) -> np.ndarray:
    """Decodes an image file as RGB and resizes it into `out` (uint8), as `images.load_image_uint8` does.

    A JPEG is decoded into a buffer kept for this thread and resized straight into `out`: no fresh
    900 KiB array per image. Once TensorFlow has built a `from_generator` dataset, glibc hands every
    array of 128 KiB or more out as a new memory mapping, paid for in page faults (notebook 05), about
    as much CPU time as the decoding itself. Other files (PNG, grayscale, alpha) go through
    `images.load_image_uint8`.

    Args:
        path: the image file.
        out: uint8 (height, width, 3): where the resized image goes.

    Returns:
        `out`.

    Raises:
        FileNotFoundError: the file does not exist.
        images.ImageLoadError: the file cannot be decoded (the message names it).
    """
    path = os.fsdecode(path)
    decoded = _decode_reusing_buffer(path) if path.lower().endswith(_JPEG_SUFFIXES) else None
    if decoded is None:
        decoded = images.load_image_uint8(path)
    height, width = out.shape[:2]
    shrinking = height <= decoded.shape[0] and width <= decoded.shape[1]
    interpolation = cv2.INTER_AREA if shrinking else cv2.INTER_LINEAR
    cv2.resize(decoded, (width, height), dst=out, interpolation=interpolation)
    return out


def _decode_reusing_buffer(path: str) -> np.ndarray | None:
    """This thread's buffer with the JPEG decoded in it; None when the careful loader should try."""
    thread = threading.get_native_id()
    buffer = _buffers.get(thread)
    if buffer is not None:
        # imread leaves a buffer untouched when it cannot read the file: mark the last row, which
        # every decode writes.
        buffer[-1] = 1
        buffer[-1, 0] = 254
        try:
            decoded = cv2.imread(path, buffer, cv2.IMREAD_COLOR_RGB)
        except cv2.error:  # the image's size differs from the buffer's
            decoded = None
        else:
            unread = buffer[-1, 0, 0] == 254 and bool((buffer[-1, 1:] == 1).all())
            return None if unread else decoded
    decoded = cv2.imread(path, cv2.IMREAD_COLOR_RGB)
    if decoded is not None:
        if len(_buffers) >= _MAX_BUFFERS:  # threads come and go: start again from the live ones
            _buffers.clear()
        _buffers[thread] = decoded
    return decoded


@dataclass(frozen=True)
class OutputCheck:
    """How one pipeline's images compare with the reference's, under `SAME_OUTPUT_LEVELS`.

    Attributes:
        name: the pipeline.
        images: images compared.
        max_levels: the largest difference of any pixel channel from the reference, in grey levels.
        in_order: the images came in the reference's order (otherwise each was matched with the
            closest reference image, each used once).
        same_output: same count and shape, and every pixel within `SAME_OUTPUT_LEVELS`.
    """

    name: str
    images: int
    max_levels: float
    in_order: bool
    same_output: bool

    def __str__(self) -> str:
        verdict = "same output" if self.same_output else "NOT the same output"
        order = "" if self.in_order else ", in another order"
        return (
            f"{self.name}: {self.images} images{order}, largest difference {self.max_levels:g} grey "
            f"levels (same output: within {SAME_OUTPUT_LEVELS:g}): {verdict}"
        )


def check_same_output(name: str, candidate: np.ndarray, reference: np.ndarray) -> OutputCheck:
    """Compares a pipeline's images (float in [0, 1]) with the reference's, pixel by pixel.

    Images may come in another order (shards, a shuffle): then each is matched with the reference
    image it differs least from, and a reference image matched twice fails the check.

    Args:
        name: the pipeline, for messages.
        candidate: its images, (n, height, width, 3).
        reference: the reference generator's images of the same files.

    Returns:
        The `OutputCheck`.

    Raises:
        ValueError: the counts or the image shapes differ (the message names the pipeline).
    """
    candidate, reference = np.asarray(candidate), np.asarray(reference)
    if candidate.shape != reference.shape:
        raise ValueError(f"{name}: got images of shape {candidate.shape}, the reference {reference.shape}")
    levels = difference_levels(candidate, reference).reshape(len(reference), -1).max(1)
    in_order = bool(levels.max(initial=0.0) <= SAME_OUTPUT_LEVELS)
    matched_once = True
    if not in_order:
        closest, closest_levels = zip(*(_closest(image, reference) for image in candidate), strict=True)
        levels = np.array(closest_levels)
        matched_once = len(set(closest)) == len(closest)
    max_levels = float(levels.max(initial=0.0))
    same = matched_once and max_levels <= SAME_OUTPUT_LEVELS
    return OutputCheck(name, len(candidate), max_levels, in_order, same)


def _closest(image: np.ndarray, reference: np.ndarray) -> tuple[int, float]:
    """The index of the reference image `image` differs least from (the first, if tied), and by how many
    levels. Every 61st pixel channel gives a lower bound on each image's largest difference, cheaply; only
    the images whose bound does not rule them out are compared whole, nearest bound first."""
    flat_image, flat_reference = image.reshape(-1), reference.reshape(len(reference), -1)
    bounds = difference_levels(flat_image[::61], flat_reference[:, ::61]).max(1)
    best_index, best_levels = len(reference), np.inf
    for index in np.argsort(bounds, kind="stable"):
        if bounds[index] > best_levels:
            break
        levels = float(difference_levels(flat_image, flat_reference[index]).max())
        if (levels, index) < (best_levels, best_index):
            best_index, best_levels = int(index), levels
    return best_index, best_levels


def difference_levels(candidate: np.ndarray, reference: np.ndarray) -> np.ndarray:
    """Absolute differences of images (float in [0, 1]) pixel channel by pixel channel, in grey levels (of
    255), float64 rounded to 1/100 of a level: float32 arithmetic leaves 1.0000001 for one level."""
    return np.round(np.abs(np.asarray(candidate, np.float32) - reference).astype(np.float64) * 255, 2)


def difference_table(
    candidates: Sequence[np.ndarray], reference: Sequence[np.ndarray], *, names: Sequence[str]
) -> str:
    """Returns a fixed-width text table comparing images (float in [0, 1]) with the reference's, one row
    per image: largest and mean difference in grey levels, the fraction of pixel channels more than half a
    level apart, and whether it is within `SAME_OUTPUT_LEVELS`.

    Raises:
        ValueError: the counts or an image's shape differ (the message names the image).
    """
    lines = [f"{'image':<22} {'max |Δ|':>8} {'mean |Δ|':>9} {'differing':>10}  within tolerance"]
    for name, candidate, expected in zip(names, candidates, reference, strict=True):
        if np.shape(candidate) != np.shape(expected):
            raise ValueError(f"{name}: shape {np.shape(candidate)} differs from {np.shape(expected)}")
        levels = difference_levels(candidate, expected)
        within = "yes" if levels.max() <= SAME_OUTPUT_LEVELS else "NO"
        lines.append(
            f"{name:<22} {levels.max():>8.2f} {levels.mean():>9.2f} {np.mean(levels > 0.5):>10.2%}  {within}"
        )
    return "\n".join(lines)


def difference_image(candidate: np.ndarray, reference: np.ndarray) -> np.ndarray:
    """Returns a float32 (H, W) picture in [0, 1] of where an image (float in [0, 1]) differs from the
    reference: the largest channel difference x 8, black where they agree, white from 32 grey levels."""
    return np.clip(difference_levels(candidate, reference).max(axis=2) * 8 / 255, 0.0, 1.0).astype(np.float32)
