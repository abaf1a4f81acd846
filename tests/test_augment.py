import numpy as np
import pytest

from helpers import augment

SEEDS = range(20)


@pytest.fixture
def image():
    return np.random.default_rng(0).random((48, 64, 3), dtype=np.float32)


def test_keeps_shape_dtype_and_range(image):
    result = augment.augment_image(image, augment.epoch_rng(1))
    assert result.shape == image.shape
    assert result.dtype == np.float32
    assert 0.0 <= result.min() and result.max() <= 1.0


def test_uint8_stays_uint8(image):
    pixels = (image * 255).astype(np.uint8)
    result = augment.augment_image(pixels, augment.epoch_rng(1))
    assert result.dtype == np.uint8 and result.shape == pixels.shape


def test_uint8_bright_pixels_clip_at_255_instead_of_wrapping():
    """A brightness shift up on near-white pixels must stop at 255, not wrap round to dark values."""
    near_white = np.full((16, 16, 3), 250, dtype=np.uint8)
    lowest_possible = 250 - 0.15 * 255 - 1  # brightness moves by at most 15% of the range
    results = [augment.augment_image(near_white, augment.epoch_rng(seed)) for seed in SEEDS]
    assert all(result.min() >= lowest_possible for result in results)
    assert any(result.max() == 255 for result in results)  # some seeds did shift past 255


def test_uint8_is_rounded_like_the_float_result_not_truncated():
    """A flat gray image stays flat; its uint8 value is the float result * 255, rounded (same draws)."""
    gray = 128
    for seed in SEEDS:
        as_uint8 = augment.augment_image(np.full((16, 16, 3), gray, np.uint8), augment.epoch_rng(seed))
        as_float = augment.augment_image(
            np.full((16, 16, 3), gray / 255, np.float32), augment.epoch_rng(seed)
        )
        expected = np.rint(as_float.astype(np.float64) * 255).astype(np.uint8)
        np.testing.assert_array_equal(as_uint8, expected, err_msg=f"seed {seed}")


def test_same_seed_same_result_and_epochs_differ(image):
    first = augment.augment_image(image, augment.epoch_rng(7, shard=0, epoch=0))
    again = augment.augment_image(image, augment.epoch_rng(7, shard=0, epoch=0))
    next_epoch = augment.augment_image(image, augment.epoch_rng(7, shard=0, epoch=1))
    other_shard = augment.augment_image(image, augment.epoch_rng(7, shard=1, epoch=0))
    np.testing.assert_array_equal(first, again)
    assert not np.array_equal(first, next_epoch)
    assert not np.array_equal(first, other_shard)
    assert not np.array_equal(first, image)
