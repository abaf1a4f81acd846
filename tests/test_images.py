"""Tests for helpers.images: decoding, colour order, bit depth, alpha, resizing, errors, the reader."""

from __future__ import annotations

import io
import pickle
import struct
import subprocess
import sys
from pathlib import Path

import cv2
import numpy as np
import pytest

from helpers import images
from helpers.images import ImageLoadError, SkippedFile
from helpers.paths import REPO_ROOT, SAMPLE_IMAGES_DIR

RED_BGR = (0, 0, 255)


def write_image(path: Path, pixels: np.ndarray, params: tuple[int, ...] = ()) -> Path:
    """Encodes with OpenCV (BGR order, like cv2.imwrite) and writes the bytes."""
    ok, buffer = cv2.imencode(path.suffix, pixels, list(params))
    assert ok
    path.write_bytes(buffer.tobytes())
    return path


def solid(height: int, width: int, bgr: tuple[int, ...], dtype=np.uint8) -> np.ndarray:
    return np.full((height, width, len(bgr)), bgr, dtype=dtype)


def photo_jpeg_bytes() -> bytes:
    return (SAMPLE_IMAGES_DIR / "rocket.jpg").read_bytes()


@pytest.fixture
def red_png(tmp_path: Path) -> Path:
    return write_image(tmp_path / "red.png", solid(6, 9, RED_BGR))


# --- colour order, range, dtype -------------------------------------------------------------


def test_pure_red_png_written_by_cv2_loads_as_rgb_red(red_png: Path) -> None:
    image = images.load_image(red_png)
    assert image.shape == (6, 9, 3)
    assert image.dtype == np.float32
    np.testing.assert_array_equal(image[0, 0], [1.0, 0.0, 0.0])
    np.testing.assert_array_equal(images.load_image_uint8(red_png)[0, 0], [255, 0, 0])


def test_pure_red_jpeg_loads_as_rgb_red(tmp_path: Path) -> None:
    # JPEGs take a different decoding path (straight to RGB), so check the order there too.
    path = write_image(tmp_path / "red.jpg", solid(16, 16, RED_BGR))
    np.testing.assert_allclose(images.load_image(path)[8, 8], [1.0, 0.0, 0.0], atol=0.02)


def test_colours_keep_their_channels(tmp_path: Path) -> None:
    pixels = np.zeros((1, 3, 3), np.uint8)
    pixels[0, 0] = (255, 0, 0)  # BGR blue
    pixels[0, 1] = (0, 255, 0)  # green
    pixels[0, 2] = (10, 20, 30)
    image = images.load_image_uint8(write_image(tmp_path / "c.png", pixels))
    np.testing.assert_array_equal(image[0], [[0, 0, 255], [0, 255, 0], [30, 20, 10]])


@pytest.mark.parametrize("path", images.sample_image_paths(), ids=lambda p: p.name)
def test_every_sample_loads_as_finite_float32_rgb_in_unit_range(path: Path) -> None:
    image = images.load_image(path)
    assert image.dtype == np.float32
    assert image.ndim == 3 and image.shape[2] == 3
    assert image.flags.c_contiguous
    assert np.isfinite(image).all()
    assert image.min() >= 0.0 and image.max() <= 1.0
    as_uint8 = images.load_image_uint8(path)
    assert as_uint8.dtype == np.uint8 and as_uint8.shape == image.shape
    np.testing.assert_array_equal(np.rint(image * 255).astype(np.uint8), as_uint8)


def test_float_values_are_pixel_values_over_255(tmp_path: Path) -> None:
    pixels = np.arange(256, dtype=np.uint8).reshape(16, 16)
    image = images.load_image(write_image(tmp_path / "ramp.png", pixels))
    np.testing.assert_array_equal(image[..., 0], pixels.astype(np.float32) / 255)
    assert image.max() == 1.0


# --- path types -----------------------------------------------------------------------------


def test_str_path_and_bytes_give_the_same_image(red_png: Path) -> None:
    as_path = images.load_image(red_png)
    np.testing.assert_array_equal(images.load_image(str(red_png)), as_path)
    np.testing.assert_array_equal(images.load_image(bytes(red_png)), as_path)
    np.testing.assert_array_equal(images.load_image(np.array([bytes(red_png)])[0]), as_path)


def test_non_ascii_file_name(tmp_path: Path) -> None:
    path = write_image(tmp_path / "café 猫.png", solid(2, 3, RED_BGR))
    assert images.load_image(path).shape == (2, 3, 3)
    assert images.load_image(str(path).encode()).shape == (2, 3, 3)


def test_wrong_path_type_is_a_type_error() -> None:
    with pytest.raises(TypeError, match="NoneType"):
        images.load_image(None)  # type: ignore[arg-type]


# --- grayscale, alpha, 16 bit, orientation --------------------------------------------------


def test_grayscale_png_becomes_three_equal_channels(tmp_path: Path) -> None:
    gray = np.array([[0, 128, 255]], np.uint8)
    image = images.load_image(write_image(tmp_path / "g.png", gray))
    assert image.shape == (1, 3, 3)
    for channel in range(3):
        np.testing.assert_array_equal(image[..., channel], gray / np.float32(255))


def test_grayscale_jpeg_becomes_three_channels(tmp_path: Path) -> None:
    gray = np.full((16, 16), 200, np.uint8)
    image = images.load_image_uint8(write_image(tmp_path / "g.jpg", gray))
    assert image.shape == (16, 16, 3)
    assert np.abs(image.astype(int) - 200).max() <= 2


def test_rgba_png_is_composited_onto_white(tmp_path: Path) -> None:
    pixels = np.zeros((1, 4, 4), np.uint8)
    pixels[0, 0] = (0, 0, 255, 255)  # opaque red
    pixels[0, 1] = (0, 0, 255, 0)  # transparent; the red under it must not show
    pixels[0, 2] = (0, 0, 0, 0)  # transparent black
    pixels[0, 3] = (0, 0, 0, 128)  # half-transparent black
    path = write_image(tmp_path / "rgba.png", pixels)
    image = images.load_image(path)
    assert image.shape == (1, 4, 3)
    np.testing.assert_array_equal(image[0, 0], [1, 0, 0])
    np.testing.assert_array_equal(image[0, 1], [1, 1, 1])
    np.testing.assert_array_equal(image[0, 2], [1, 1, 1])
    np.testing.assert_allclose(image[0, 3], [127 / 255] * 3)
    np.testing.assert_array_equal(images.load_image_uint8(path)[0, :3], [[255, 0, 0], [255] * 3, [255] * 3])


def test_opaque_rgba_keeps_its_colours(tmp_path: Path) -> None:
    pixels = np.dstack([np.full((3, 3, 3), (5, 100, 200), np.uint8), np.full((3, 3), 255, np.uint8)])
    image = images.load_image_uint8(write_image(tmp_path / "opaque.png", pixels))
    np.testing.assert_array_equal(image[1, 1], [200, 100, 5])


def test_gray_alpha_png(tmp_path: Path) -> None:
    from PIL import Image as pil_image  # OpenCV cannot write 2-channel PNGs (Pillow: matplotlib needs it)

    pixels = np.array([[[100, 255], [100, 0]]], np.uint8)
    buffer = io.BytesIO()
    pil_image.fromarray(pixels, "LA").save(buffer, "PNG")
    path = tmp_path / "la.png"
    path.write_bytes(buffer.getvalue())
    np.testing.assert_array_equal(images.load_image_uint8(path)[0], [[100] * 3, [255] * 3])


def test_sixteen_bit_png_is_scaled_by_65535(tmp_path: Path) -> None:
    gray = np.array([[0, 257 * 100, 32768, 65535]], np.uint16)
    path = write_image(tmp_path / "g16.png", gray)
    image = images.load_image(path)
    assert image.dtype == np.float32
    np.testing.assert_allclose(image[0, :, 0], gray[0] / 65535, rtol=1e-6)
    assert image[0, 3, 0] == 1.0
    np.testing.assert_array_equal(images.load_image_uint8(path)[0, :, 1], [0, 100, 128, 255])


def test_sixteen_bit_colour_png_is_rgb(tmp_path: Path) -> None:
    path = write_image(tmp_path / "red16.png", solid(2, 2, (0, 0, 65535), np.uint16))
    np.testing.assert_array_equal(images.load_image(path)[0, 0], [1, 0, 0])
    np.testing.assert_array_equal(images.load_image_uint8(path)[0, 0], [255, 0, 0])


def test_sixteen_bit_rgba_is_composited(tmp_path: Path) -> None:
    pixels = np.zeros((1, 2, 4), np.uint16)
    pixels[0, 0] = (0, 0, 65535, 65535)
    pixels[0, 1] = (0, 0, 65535, 0)
    image = images.load_image(write_image(tmp_path / "rgba16.png", pixels))
    np.testing.assert_array_equal(image[0], [[1, 0, 0], [1, 1, 1]])


def test_float_tiff_is_rejected_not_misscaled(tmp_path: Path) -> None:
    path = write_image(tmp_path / "float.tiff", np.full((4, 4), 0.5, np.float32))
    with pytest.raises(ImageLoadError, match="float32"):
        images.load_image(path)


def test_jpeg_exif_orientation_is_applied(tmp_path: Path) -> None:
    pixels = np.zeros((20, 40, 3), np.uint8)
    pixels[:, :20] = RED_BGR  # left half red
    ok, buffer = cv2.imencode(".jpg", pixels)
    # A minimal EXIF block saying "rotate 90 degrees clockwise to display" (orientation 6).
    tiff = b"MM\x00*" + struct.pack(">IHHHIHHI", 8, 1, 0x0112, 3, 1, 6, 0, 0)
    app1 = b"\xff\xe1" + struct.pack(">H", 8 + len(tiff)) + b"Exif\x00\x00" + tiff
    data = buffer.tobytes()
    path = tmp_path / "rotated.jpg"
    path.write_bytes(data[:2] + app1 + data[2:])
    image = images.load_image(path)
    assert image.shape == (40, 20, 3)
    np.testing.assert_allclose(image[5, 10], [1, 0, 0], atol=0.02)  # left became top
    np.testing.assert_allclose(image[35, 10], [0, 0, 0], atol=0.02)


# --- resizing -------------------------------------------------------------------------------


def test_resize_gives_height_width_order(red_png: Path) -> None:
    assert images.load_image(red_png, size=(30, 50)).shape == (30, 50, 3)
    assert images.load_image_uint8(red_png, size=(3, 4)).shape == (3, 4, 3)


def test_shrinking_uses_inter_area_and_enlarging_inter_linear(tmp_path: Path) -> None:
    stripes = np.tile(np.array([255, 0, 0, 0], np.uint8), (8, 4))  # 8 x 16, one bright column in 4
    path = write_image(tmp_path / "stripes.png", stripes)
    small = images.load_image_uint8(path, size=(2, 4))[..., 0]
    np.testing.assert_array_equal(small, cv2.resize(stripes, (4, 2), interpolation=cv2.INTER_AREA))
    assert (small == 64).all()  # the average; INTER_LINEAR would sample between stripes
    big = images.load_image_uint8(path, size=(16, 32))[..., 0]
    np.testing.assert_array_equal(big, cv2.resize(stripes, (32, 16), interpolation=cv2.INTER_LINEAR))


def test_size_equal_to_the_file_changes_nothing(red_png: Path) -> None:
    np.testing.assert_array_equal(images.load_image(red_png, size=(6, 9)), images.load_image(red_png))


@pytest.mark.parametrize("size", [(0, 5), (5, -1), (5,), (2.5, 3), ("a", "b"), 224, (True, 3)])
def test_bad_size_is_a_value_error(red_png: Path, size: object) -> None:
    with pytest.raises(ValueError, match="size"):
        images.load_image(red_png, size=size)  # type: ignore[arg-type]


def test_size_accepts_numpy_integers(red_png: Path) -> None:
    assert images.load_image(red_png, size=(np.int64(4), np.int32(5))).shape == (4, 5, 3)


# --- errors ---------------------------------------------------------------------------------


def test_missing_file_is_file_not_found_naming_it(tmp_path: Path) -> None:
    path = tmp_path / "missing.jpg"
    for load in (images.load_image, images.load_image_uint8):
        with pytest.raises(FileNotFoundError, match="missing.jpg") as caught:
            load(path)
        assert caught.value.filename == str(path)


def test_messages_name_files_in_the_repo_without_machine_paths() -> None:
    with pytest.raises(FileNotFoundError) as caught:
        images.load_image(SAMPLE_IMAGES_DIR / "no_such_photo.jpg")
    assert caught.value.filename == "sample_images/no_such_photo.jpg"
    assert str(REPO_ROOT) not in str(caught.value)
    with pytest.raises(ImageLoadError) as caught_decode:
        images.load_image(SAMPLE_IMAGES_DIR / "README.md")
    assert caught_decode.value.path == "sample_images/README.md"
    assert str(REPO_ROOT) not in str(caught_decode.value)


def test_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.png"
    path.write_bytes(b"")
    with pytest.raises(ImageLoadError, match=r"empty\.png.*empty") as caught:
        images.load_image(path)
    assert isinstance(caught.value, ValueError)


def test_text_file_with_jpg_extension(tmp_path: Path) -> None:
    path = tmp_path / "notes.jpg"
    path.write_text("this is not a photograph\n")
    with pytest.raises(ImageLoadError, match=r"notes\.jpg.*not an image"):
        images.load_image(path)
    with pytest.raises(ImageLoadError):
        images.load_image_uint8(path)


@pytest.mark.parametrize("cut_bytes", [2, 100, 10_000, 60_000], ids=lambda n: f"minus{n}")
def test_truncated_jpeg_is_an_error_never_a_grey_filled_image(tmp_path: Path, cut_bytes: int) -> None:
    # OpenCV 4 returned a partly grey image with a warning for a slightly truncated JPEG;
    # OpenCV 5 refuses even a JPEG missing only its 2-byte end marker. The kit relies on that:
    # a truncated photo is an error that names the file, never silent garbage.
    data = photo_jpeg_bytes()
    path = tmp_path / "truncated.jpg"
    path.write_bytes(data[:-cut_bytes])
    with pytest.raises(ImageLoadError, match=r"truncated\.jpg.*JPEG.*truncated"):
        images.load_image(path)


def test_jpeg_with_trailing_bytes_still_loads(tmp_path: Path) -> None:
    path = tmp_path / "trailing.jpg"
    path.write_bytes(photo_jpeg_bytes() + b"\x00" * 100)
    np.testing.assert_array_equal(
        images.load_image(path), images.load_image(SAMPLE_IMAGES_DIR / "rocket.jpg")
    )


def test_truncated_png(tmp_path: Path) -> None:
    data = (SAMPLE_IMAGES_DIR / "coins.png").read_bytes()
    path = tmp_path / "truncated.png"
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(ImageLoadError, match="PNG.*truncated"):
        images.load_image(path)


def test_directory(tmp_path: Path) -> None:
    folder = tmp_path / "photos.jpg"
    folder.mkdir()
    with pytest.raises(ImageLoadError, match=r"photos\.jpg.*directory"):
        images.load_image(folder)


def test_image_load_error_survives_pickling() -> None:
    error = ImageLoadError("a.jpg", "the file is empty (0 bytes)")
    copy = pickle.loads(pickle.dumps(error))
    assert (copy.path, copy.reason, str(copy)) == (error.path, error.reason, str(error))


# --- sample images --------------------------------------------------------------------------


def test_sample_image_paths_lists_only_images_sorted() -> None:
    paths = images.sample_image_paths()
    assert len(paths) >= 12
    assert paths == sorted(paths)
    assert all(path.parent == SAMPLE_IMAGES_DIR and path.is_file() for path in paths)
    assert "README.md" not in {path.name for path in paths}
    assert {path.suffix for path in paths} >= {".jpg", ".png"}


def test_samples_include_grayscale_and_alpha_and_are_documented() -> None:
    channels = {}
    for path in images.sample_image_paths():
        raw = cv2.imread(str(path), cv2.IMREAD_UNCHANGED)
        channels[path.name] = 1 if raw.ndim == 2 else raw.shape[2]
    assert 1 in channels.values() and 4 in channels.values()
    readme = (SAMPLE_IMAGES_DIR / "README.md").read_text()
    assert all(f"| {name} |" in readme for name in channels)
    assert sum(path.stat().st_size for path in SAMPLE_IMAGES_DIR.iterdir()) < 5 * 1024 * 1024


# --- the reader -----------------------------------------------------------------------------


@pytest.fixture
def mixed_paths(tmp_path: Path) -> list[str]:
    """Two good images around three bad files: missing, empty, text."""
    good_a = write_image(tmp_path / "a.png", solid(10, 12, RED_BGR))
    good_b = write_image(tmp_path / "b.jpg", solid(20, 16, (255, 0, 0)))
    empty = tmp_path / "empty.jpg"
    empty.write_bytes(b"")
    text = tmp_path / "text.jpg"
    text.write_text("hello")
    return [str(good_a), str(tmp_path / "missing.png"), str(empty), str(good_b), str(text)]


@pytest.mark.parametrize(
    "kwargs",
    [{"on_error": "ignore"}, {"on_error": None}, {"dtype": "float64"}, {"size": (0, 3)}],
)
def test_reader_rejects_bad_settings_at_construction(kwargs: dict) -> None:
    with pytest.raises(ValueError):
        images.make_image_reader(**kwargs)


def test_reader_skip_policy_yields_good_images_and_records_the_rest(mixed_paths: list[str]) -> None:
    reader = images.make_image_reader(size=(8, 8), on_error="skip")
    out = list(reader(mixed_paths))
    assert len(out) == 2
    np.testing.assert_array_equal(out[0][0, 0], [1, 0, 0])
    np.testing.assert_allclose(out[1][0, 0], [0, 0, 1], atol=0.02)
    assert all(image.shape == (8, 8, 3) and image.dtype == np.float32 for image in out)
    assert [Path(s.path).name for s in reader.skipped] == ["missing.png", "empty.jpg", "text.jpg"]
    assert all(isinstance(s, SkippedFile) for s in reader.skipped)
    assert reader.skipped[0].reason.startswith("FileNotFoundError")
    assert reader.skipped[1].reason.startswith("ImageLoadError") and "empty" in reader.skipped[1].reason


def test_reader_records_every_pass(mixed_paths: list[str]) -> None:
    reader = images.make_image_reader(on_error="skip")
    for _ in range(2):
        assert len(list(reader(mixed_paths))) == 2
    assert len(reader.skipped) == 6
    reader.skipped.clear()
    assert reader.skipped == []


def test_reader_skip_logs_a_warning(mixed_paths: list[str], caplog: pytest.LogCaptureFixture) -> None:
    list(images.make_image_reader(on_error="skip")(mixed_paths))
    assert sum("skipped" in record.getMessage() for record in caplog.records) == 3


def test_reader_raise_policy_stops_at_the_first_bad_file(mixed_paths: list[str]) -> None:
    reader = images.make_image_reader()
    assert reader.on_error == "raise"
    iterator = reader(mixed_paths)
    assert next(iterator).shape == (10, 12, 3)
    with pytest.raises(FileNotFoundError, match="missing.png"):
        next(iterator)
    assert reader.skipped == []


def test_reader_labels_stay_with_their_images(mixed_paths: list[str]) -> None:
    reader = images.make_image_reader(size=(4, 4), on_error="skip", dtype="uint8")
    labels = np.arange(len(mixed_paths)) * 10
    pairs = list(reader(np.array([p.encode() for p in mixed_paths]), labels))
    assert [int(label) for _, label in pairs] == [0, 30]
    assert all(image.dtype == np.uint8 and image.shape == (4, 4, 3) for image, _ in pairs)
    np.testing.assert_array_equal(pairs[0][0][0, 0], [255, 0, 0])


def test_reader_rejects_mismatched_labels(mixed_paths: list[str]) -> None:
    with pytest.raises(ValueError, match="5 paths but 2 labels"):
        next(images.make_image_reader()(mixed_paths, [0, 1]))


@pytest.mark.parametrize("single", ["a.jpg", b"a.jpg", Path("a.jpg")], ids=["str", "bytes", "Path"])
def test_reader_rejects_a_single_path(single: object) -> None:
    with pytest.raises(TypeError, match="single path"):
        next(images.make_image_reader(on_error="skip")(single))  # type: ignore[arg-type]


def test_image_modules_do_not_import_tensorflow() -> None:
    code = "import sys, helpers.images, helpers.datasets; print('tensorflow' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"


# --- through from_generator -----------------------------------------------------------------


def test_from_generator_end_to_end_with_a_skipped_file(mixed_paths: list[str]) -> None:
    import tensorflow as tf

    reader = images.make_image_reader(size=(8, 8), on_error="skip")
    labels = np.arange(len(mixed_paths), dtype=np.int64)
    dataset = tf.data.Dataset.from_generator(
        reader,
        args=(mixed_paths, labels),
        output_signature=(
            tf.TensorSpec(shape=(8, 8, 3), dtype=tf.float32),
            tf.TensorSpec(shape=(), dtype=tf.int64),
        ),
    ).batch(4)
    batches = list(dataset.as_numpy_iterator())
    assert len(batches) == 1
    batch_images, batch_labels = batches[0]
    assert batch_images.shape == (2, 8, 8, 3) and batch_images.dtype == np.float32
    assert batch_labels.tolist() == [0, 3]
    np.testing.assert_array_equal(batch_images[0, 0, 0], [1, 0, 0])
    assert len(reader.skipped) == 3
    assert {Path(s.path).name for s in reader.skipped} == {"missing.png", "empty.jpg", "text.jpg"}
