"""helpers.image_work: the reference work, the decoder that reuses its buffer, and the same-output rule."""

from __future__ import annotations

import threading

import cv2
import numpy as np
import pytest

from helpers import image_work, images
from tests.support import write_test_jpegs


@pytest.fixture(scope="module")
def jpegs(tmp_path_factory):
    return write_test_jpegs(tmp_path_factory.mktemp("jpegs"), 6, height=300, width=400, seed=2)


@pytest.fixture(scope="module")
def reference(jpegs):
    return np.stack(list(image_work.reference_images(jpegs)))


def test_the_reference_is_the_kit_s_loader_rgb_float32_in_0_1(jpegs, reference):
    assert reference.shape == (6, 224, 224, 3) and reference.dtype == np.float32
    np.testing.assert_array_equal(reference[1], images.load_image(jpegs[1], size=(224, 224)))


# --- decode_resize_into -------------------------------------------------------------------------


def test_decode_gives_the_reference_s_pixels_and_reuses_its_buffer_correctly(jpegs, tmp_path):
    portrait = write_test_jpegs(tmp_path, 1, height=400, width=300, seed=5)[0]
    out = np.empty((224, 224, 3), np.uint8)

    def decode_all():
        # Several files in a row in one thread (the buffer is reused), then a different size, then back.
        for path in [*jpegs[:4], portrait, jpegs[0]]:
            assert image_work.decode_resize_into(path, out) is out
            np.testing.assert_array_equal(out, images.load_image_uint8(path, size=(224, 224)))

    decode_all()
    thread = threading.Thread(target=decode_all)  # another thread, its own buffer
    thread.start()
    thread.join()


def test_decode_enlarges_bilinear_like_the_loader(tmp_path):
    [path] = write_test_jpegs(tmp_path, 1, height=60, width=80, seed=4)
    out = image_work.decode_resize_into(path, np.empty((224, 224, 3), np.uint8))
    np.testing.assert_array_equal(out, images.load_image_uint8(path, size=(224, 224)))


def test_a_corrupt_jpeg_after_a_good_one_raises_instead_of_returning_the_old_pixels(jpegs, tmp_path):
    corrupt = tmp_path / "corrupt.jpg"
    corrupt.write_bytes(b"\xff\xd8\xff\xe0" + b"not really a jpeg" * 10)
    out = np.empty((16, 16, 3), np.uint8)
    image_work.decode_resize_into(jpegs[0], out)
    with pytest.raises(images.ImageLoadError, match="corrupt.jpg"):
        image_work.decode_resize_into(corrupt, out)
    with pytest.raises(FileNotFoundError, match="missing.jpg"):
        image_work.decode_resize_into(tmp_path / "missing.jpg", out)


def test_png_with_alpha_goes_through_the_careful_loader(tmp_path):
    rgba = np.zeros((20, 20, 4), np.uint8)
    rgba[..., 2] = 255  # red in BGRA
    rgba[:10, ..., 3] = 255  # top half opaque, bottom half transparent (-> white)
    path = tmp_path / "half.png"
    cv2.imwrite(str(path), rgba)
    out = image_work.decode_resize_into(path, np.empty((20, 20, 3), np.uint8))
    np.testing.assert_array_equal(out[2, 2], [255, 0, 0])
    np.testing.assert_array_equal(out[-2, -2], [255, 255, 255])


# --- the same-output rule -----------------------------------------------------------------------


def test_the_same_images_in_another_order_are_the_same_output(reference):
    check = image_work.check_same_output("reversed", reference[::-1], reference)
    assert check.same_output and not check.in_order and check.max_levels == 0
    assert "reversed: 6 images, in another order" in str(check) and "same output" in str(check)


def test_one_grey_level_is_the_same_output_two_are_not(reference):
    one_level = np.clip(reference + np.float32(1 / 255), 0, 1)
    assert image_work.check_same_output("+1", one_level, reference).same_output
    two_levels = reference.copy()
    pixel = two_levels[3, 5, 7, 1]
    two_levels[3, 5, 7, 1] = pixel + 2 / 255 if pixel < 0.5 else pixel - 2 / 255
    check = image_work.check_same_output("+2", two_levels, reference)
    assert not check.same_output and check.max_levels >= 2 and "NOT the same output" in str(check)


def test_bgr_repeated_images_and_another_shape_are_not_the_same_output(reference):
    assert not image_work.check_same_output("bgr", reference[..., ::-1], reference).same_output
    repeated = np.stack([reference[0]] * len(reference))
    assert not image_work.check_same_output("repeated", repeated, reference).same_output
    with pytest.raises(ValueError, match="short one: got images of shape"):
        image_work.check_same_output("short one", reference[:2], reference)


def test_the_graph_native_pipeline_is_the_same_output(jpegs, reference):
    # The rule's bound comes from here: TensorFlow's accurate decode and float area resize, rounded.
    from helpers import graph_native

    batches = graph_native.image_dataset(jpegs, image_size=(224, 224)).batch(6)
    check = image_work.check_same_output("graph-native", next(iter(batches)).numpy(), reference)
    assert check.same_output and check.in_order, check


def test_difference_image_is_black_where_equal_and_amplifies_differences():
    reference = np.zeros((2, 2, 3), np.float32)
    candidate = reference.copy()
    candidate[0, 1, 2] = 16 / 255
    candidate[1, 1] = 200 / 255
    picture = image_work.difference_image(candidate, reference)
    assert picture.shape == (2, 2) and picture.dtype == np.float32
    np.testing.assert_allclose(picture, [[0.0, 16 * 8 / 255], [0.0, 1.0]], rtol=1e-6)


def test_difference_table_shows_levels_and_the_same_output_rule():
    reference = np.zeros((2, 2, 3), np.float32)
    candidate = reference.copy()
    candidate[0, 0, 0] = 3 / 255
    table = image_work.difference_table([reference, candidate], [reference, reference], names=["a", "b"])
    assert table.splitlines()[1].split() == ["a", "0.00", "0.00", "0.00%", "yes"]
    assert table.splitlines()[2].split() == ["b", "3.00", "0.25", "8.33%", "NO"]
    with pytest.raises(ValueError, match="zip"):
        image_work.difference_table([reference], [reference, reference], names=["a"])
    with pytest.raises(ValueError, match="a: shape"):
        image_work.difference_table([np.zeros((3, 2, 3), np.float32)], [reference], names=["a"])
