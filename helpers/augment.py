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

__all__ = ["augment_digit", "augment_image", "epoch_rng"]


def epoch_rng(seed: int, *, shard: int = 0, epoch: int = 0) -> np.random.Generator:
    """Returns an RNG seeded from (seed, shard, epoch): the same every run, new per epoch and shard."""
    return np.random.default_rng([int(seed), int(shard), int(epoch)])


def augment_image(image: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Randomly crops (80-100% of each side, resized back), flips left-right, shifts brightness (by up to 15%
    of the pixel range) and scales contrast (80-120%).

    Args:
        image: RGB image (H, W, 3), float32 in [0, 1] or uint8.
        rng: the source of every random choice.

    Returns:
        An image of the same shape and dtype as `image`, values clipped to the range (uint8 rounded).
    """
    height, width = image.shape[:2]
    crop_height = int(round(height * rng.uniform(0.8, 1.0)))
    crop_width = int(round(width * rng.uniform(0.8, 1.0)))
    top = int(rng.integers(0, height - crop_height + 1))
    left = int(rng.integers(0, width - crop_width + 1))
    cropped = image[top : top + crop_height, left : left + crop_width]
    result = cv2.resize(cropped, (width, height), interpolation=cv2.INTER_LINEAR)
    if rng.random() < 0.5:
        result = result[:, ::-1]
    is_uint8 = image.dtype == np.uint8
    scale = 255.0 if is_uint8 else 1.0
    contrast = rng.uniform(0.8, 1.2)
    brightness = rng.uniform(-0.15, 0.15) * scale
    mean = result.mean(dtype=np.float32)
    jittered = np.clip((result.astype(np.float32) - mean) * contrast + mean + brightness, 0, scale)
    # A plain cast to uint8 truncates (200.9 -> 200): images would come out half a level darker on average.
    return (np.rint(jittered) if is_uint8 else jittered).astype(image.dtype)


def augment_digit(image: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Randomly rotates (±12°), scales (90-110%) and shifts (±10% of each side) a handwritten character.

    Never flipped (a mirrored 2 is no longer a 2) nor turned far (a 6 turned far enough is a 9); brightness
    is left alone (the scans share one ink and one paper). The area uncovered by the move is filled with
    the median of the border pixels, the background, light or dark.

    Args:
        image: the image, (H, W) or (H, W, C), float32 in [0, 1] or uint8.
        rng: the source of every random choice.

    Returns:
        An image of the same shape and dtype as `image`, values kept in range.
    """
    height, width = image.shape[:2]
    angle_degrees = rng.uniform(-12.0, 12.0)
    scale = rng.uniform(0.9, 1.1)
    shift_x, shift_y = rng.uniform(-0.1, 0.1, size=2)
    matrix = cv2.getRotationMatrix2D((width / 2, height / 2), angle_degrees, scale)
    matrix[:, 2] += (shift_x * width, shift_y * height)
    edges = np.concatenate([image[0], image[-1], image[:, 0], image[:, -1]])
    # cv2 takes the fill colour as one scalar per channel.
    fill = tuple(float(value) for value in np.atleast_1d(np.median(edges, axis=0)))
    moved = cv2.warpAffine(image, matrix, (width, height), flags=cv2.INTER_LINEAR, borderValue=fill)
    # warpAffine drops a trailing channel axis of size 1; put it back.
    return moved.reshape(image.shape).astype(image.dtype)
