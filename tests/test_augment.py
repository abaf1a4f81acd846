import numpy as np
import pytest

from helpers import augment


@pytest.fixture
def image():
    return np.random.default_rng(0).random((48, 64, 3), dtype=np.float32)


def test_keeps_shape_dtype_and_range(image):
    result = augment.augment_image(image, augment.epoch_rng(1))
    assert result.shape == image.shape
    assert result.dtype == np.float32
    assert 0.0 <= result.min() and result.max() <= 1.0


def test_uint8_stays_uint8_in_range(image):
    pixels = (image * 255).astype(np.uint8)
    result = augment.augment_image(pixels, augment.epoch_rng(1))
    assert result.dtype == np.uint8 and result.shape == pixels.shape


def test_same_seed_same_result_and_epochs_differ(image):
    first = augment.augment_image(image, augment.epoch_rng(7, shard=0, epoch=0))
    again = augment.augment_image(image, augment.epoch_rng(7, shard=0, epoch=0))
    next_epoch = augment.augment_image(image, augment.epoch_rng(7, shard=0, epoch=1))
    other_shard = augment.augment_image(image, augment.epoch_rng(7, shard=1, epoch=0))
    np.testing.assert_array_equal(first, again)
    assert not np.array_equal(first, next_epoch)
    assert not np.array_equal(first, other_shard)
    assert not np.array_equal(first, image)
