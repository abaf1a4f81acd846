"""Image augmentation in NumPy/OpenCV, for generators: every random choice comes from the `rng` you pass.

Usage:
    rng = augment.epoch_rng(seed, shard=shard, epoch=epoch)   # reproducible per run, new per epoch and shard
    augmented = augment.augment_image(image, rng)             # photographs: crop, flip, brightness, contrast
    digit = augment.augment_digit(scan, rng)                  # handwritten characters: small moves, no flip

Passing the generator explicitly (instead of using `np.random`'s global state) is what makes augmentation
reproducible when several generator shards run at once.
"""

from __future__ import annotations

import cv2
import numpy as np

__all__ = [
    "MAX_BRIGHTNESS_SHIFT",
    "CONTRAST_RANGE",
    "MIN_CROP_FRACTION",
    "MAX_DIGIT_ROTATION_DEGREES",
    "MAX_DIGIT_SHIFT_FRACTION",
    "DIGIT_SCALE_RANGE",
    "epoch_rng",
    "augment_image",
    "augment_digit",
]

# augment_image (photographs); the brightness shift is a fraction of the full pixel range.
MAX_BRIGHTNESS_SHIFT = 0.15
CONTRAST_RANGE = (0.8, 1.2)
MIN_CROP_FRACTION = 0.8
# augment_digit (handwritten characters).
MAX_DIGIT_ROTATION_DEGREES = 12.0
MAX_DIGIT_SHIFT_FRACTION = 0.1
DIGIT_SCALE_RANGE = (0.9, 1.1)


def epoch_rng(seed: int, *, shard: int = 0, epoch: int = 0) -> np.random.Generator:
    """Returns an RNG seeded from (seed, shard, epoch): the same every run, new per epoch and shard."""
    return np.random.default_rng([int(seed), int(shard), int(epoch)])


def augment_image(image: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Randomly crops (80-100% of each side, resized back), flips left-right, and jitters brightness/contrast.

    Args:
        image: RGB image (H, W, 3), float32 in [0, 1] or uint8.
        rng: the source of every random choice.

    Returns:
        An image of the same shape and dtype as `image`, values clipped to the range (uint8 rounded).
    """
    height, width = image.shape[:2]
    crop_height = int(round(height * rng.uniform(MIN_CROP_FRACTION, 1.0)))
    crop_width = int(round(width * rng.uniform(MIN_CROP_FRACTION, 1.0)))
    top = int(rng.integers(0, height - crop_height + 1))
    left = int(rng.integers(0, width - crop_width + 1))
    cropped = image[top : top + crop_height, left : left + crop_width]
    result = cv2.resize(cropped, (width, height), interpolation=cv2.INTER_LINEAR)
    if rng.random() < 0.5:
        result = result[:, ::-1]
    is_uint8 = image.dtype == np.uint8
    scale = 255.0 if is_uint8 else 1.0
    contrast = rng.uniform(*CONTRAST_RANGE)
    brightness = rng.uniform(-MAX_BRIGHTNESS_SHIFT, MAX_BRIGHTNESS_SHIFT) * scale
    mean = result.mean(dtype=np.float32)
    jittered = np.clip((result.astype(np.float32) - mean) * contrast + mean + brightness, 0, scale)
    # A plain cast to uint8 truncates (200.9 -> 200): images would come out half a level darker on average.
    return (np.rint(jittered) if is_uint8 else jittered).astype(image.dtype)


def augment_digit(image: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Randomly rotates (±12°), scales (90-110%) and shifts (±10% of each side) a handwritten character.

    Unlike `augment_image`, it never flips: a mirrored 2, 3, 4, 5, 6, 7 or 9 is no longer that digit.
    Angles stay small for the same reason (a 6 turned far enough is a 9). Brightness is left alone: the
    scans all share one ink and one background. The area uncovered by the move is filled with the
    image's background, estimated as the median of its border pixels (dark ink on light paper works too).

    Args:
        image: the image, (H, W) or (H, W, C), float32 in [0, 1] or uint8.
        rng: the source of every random choice.

    Returns:
        An image of the same shape and dtype as `image`, values kept in range.
    """
    height, width = image.shape[:2]
    angle_degrees = rng.uniform(-MAX_DIGIT_ROTATION_DEGREES, MAX_DIGIT_ROTATION_DEGREES)
    scale = rng.uniform(*DIGIT_SCALE_RANGE)
    shift_x, shift_y = rng.uniform(-MAX_DIGIT_SHIFT_FRACTION, MAX_DIGIT_SHIFT_FRACTION, size=2)
    matrix = cv2.getRotationMatrix2D((width / 2, height / 2), angle_degrees, scale)
    matrix[:, 2] += (shift_x * width, shift_y * height)
    edges = np.concatenate([image[0], image[-1], image[:, 0], image[:, -1]])
    # cv2 takes the fill colour as one scalar per channel.
    fill = tuple(float(value) for value in np.atleast_1d(np.median(edges, axis=0)))
    moved = cv2.warpAffine(image, matrix, (width, height), flags=cv2.INTER_LINEAR, borderValue=fill)
    # warpAffine drops a trailing channel axis of size 1; put it back.
    return moved.reshape(image.shape).astype(image.dtype)
