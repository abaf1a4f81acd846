import numpy as np
import pytest

from helpers import augment


def digit_like(shape=(32, 32), *, ink=1.0, paper=0.0, dtype=np.float32):
    """A centred square stroke on plain paper, like a scanned character."""
    image = np.full(shape, paper, dtype=dtype)
    image[10:22, 12:20] = ink
    return image


@pytest.mark.parametrize("shape", [(32, 32), (32, 32, 1), (24, 40, 3)])
def test_keeps_shape_dtype_and_range(shape):
    image = digit_like(shape)
    result = augment.augment_digit(image, augment.epoch_rng(3))
    assert result.shape == image.shape
    assert result.dtype == np.float32
    assert 0.0 <= result.min() and result.max() <= 1.0
    assert not np.array_equal(result, image)


def test_uint8_stays_uint8():
    image = digit_like((32, 32, 1), ink=255, dtype=np.uint8)
    result = augment.augment_digit(image, augment.epoch_rng(3))
    assert result.dtype == np.uint8 and result.shape == image.shape
    assert result.max() > 200


def test_same_seed_same_result_and_epochs_differ():
    image = digit_like()
    first = augment.augment_digit(image, augment.epoch_rng(5, epoch=0))
    again = augment.augment_digit(image, augment.epoch_rng(5, epoch=0))
    next_epoch = augment.augment_digit(image, augment.epoch_rng(5, epoch=1))
    np.testing.assert_array_equal(first, again)
    assert not np.array_equal(first, next_epoch)


def test_never_mirrors_left_and_right():
    image = np.zeros((32, 32), np.float32)
    image[8:24, 4:10] = 1.0  # ink only on the left
    columns = np.arange(32)
    for epoch in range(50):
        result = augment.augment_digit(image, augment.epoch_rng(0, epoch=epoch))
        centre_x = (result.sum(axis=0) * columns).sum() / result.sum()
        assert centre_x < 14, f"epoch {epoch}: ink moved to the right half (x={centre_x:.1f})"


@pytest.mark.parametrize(("ink", "paper"), [(1.0, 0.0), (0.0, 1.0)])
def test_uncovered_area_gets_the_background(ink, paper):
    image = digit_like(ink=ink, paper=paper)
    corners = (slice(0, 3), slice(0, 3))
    for epoch in range(20):
        result = augment.augment_digit(image, augment.epoch_rng(1, epoch=epoch))
        np.testing.assert_allclose(result[corners], paper, atol=1e-6)
