"""helpers.graph_native: TensorFlow-only decoding matches helpers.images (OpenCV); TFRecord round trip."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
import tensorflow as tf

from helpers import graph_native, images

IMAGE_SIZE = (48, 64)


def _photo_like(height, width, seed):
    """Smooth gradients plus noise: JPEG artefacts and resize differences show up on it."""
    rng = np.random.default_rng(seed)
    rows, cols = np.mgrid[0:height, 0:width]
    base = np.stack([rows * 255 / height, cols * 255 / width, (rows + cols) * 127 / (height + width)], -1)
    return np.clip(base + rng.normal(0, 25, base.shape), 0, 255).astype(np.uint8)


@pytest.fixture(scope="module")
def image_files(tmp_path_factory):
    """Colour and grayscale JPEGs; RGBA (graded alpha), gray and small (to enlarge) PNGs."""
    folder = tmp_path_factory.mktemp("images")
    files = {}
    colour = _photo_like(150, 200, seed=1)
    files["colour.jpg"] = colour
    files["gray.jpg"] = cv2.cvtColor(colour, cv2.COLOR_BGR2GRAY)
    rgba = np.dstack(
        [_photo_like(120, 90, seed=2), np.tile(np.linspace(0, 255, 90, dtype=np.uint8), (120, 1))]
    )
    files["alpha.png"] = rgba
    files["gray.png"] = _photo_like(100, 100, seed=3)[..., 0]
    files["small.png"] = _photo_like(20, 30, seed=4)
    paths = {}
    for name, pixels in files.items():
        paths[name] = folder / name
        assert cv2.imwrite(str(paths[name]), pixels, [cv2.IMWRITE_JPEG_QUALITY, 80])
    return paths


@pytest.mark.parametrize("name", ["colour.jpg", "gray.jpg", "alpha.png", "gray.png", "small.png"])
def test_decode_rgb_is_identical_to_opencv(image_files, name):
    path = image_files[name]
    decoded = graph_native.decode_rgb(tf.io.read_file(str(path))).numpy()
    np.testing.assert_array_equal(decoded, images.load_image_uint8(path))


def test_default_jpeg_decoding_differs_which_is_why_decode_rgb_picks_the_accurate_idct(image_files):
    data = tf.io.read_file(str(image_files["colour.jpg"]))
    fast = tf.io.decode_image(data, channels=3, expand_animations=False).numpy()
    assert np.any(fast != images.load_image_uint8(image_files["colour.jpg"]))


def test_alpha_is_composited_onto_white_not_dropped(image_files):
    decoded = graph_native.decode_rgb(tf.io.read_file(str(image_files["alpha.png"]))).numpy()
    # The first column is fully transparent: white whatever colour is stored under it.
    assert np.all(decoded[:, 0] == 255)


@pytest.mark.parametrize("name", ["colour.jpg", "alpha.png", "gray.png", "small.png"])
def test_load_image_is_within_one_grey_level_of_opencv_when_shrinking_and_enlarging(image_files, name):
    path = image_files[name]
    ours = graph_native.load_image(tf.constant(str(path)), image_size=IMAGE_SIZE).numpy()
    reference = images.load_image(path, size=IMAGE_SIZE)
    assert ours.dtype == np.float32 and ours.shape == (*IMAGE_SIZE, 3)
    assert np.abs(ours - reference).max() <= 1 / 255 + 1e-6


def test_plain_area_resize_enlarges_blockily_which_is_why_resize_like_opencv_switches_to_bilinear(
    image_files,
):
    decoded = graph_native.decode_rgb(tf.io.read_file(str(image_files["small.png"])))
    area = tf.cast(
        tf.round(tf.image.resize(tf.cast(decoded, tf.float32), IMAGE_SIZE, method="area")), tf.uint8
    )
    reference = images.load_image_uint8(image_files["small.png"], size=IMAGE_SIZE).astype(int)
    assert np.abs(area.numpy().astype(int) - reference).max() > 1
    assert (
        np.abs(graph_native.resize_like_opencv(decoded, IMAGE_SIZE).numpy().astype(int) - reference).max()
        <= 1
    )


def test_image_dataset_keeps_order_and_pairs_labels(image_files):
    paths = [image_files[name] for name in ("colour.jpg", "gray.png", "alpha.png")]
    dataset = graph_native.image_dataset(paths, [7, 8, 9], image_size=IMAGE_SIZE)
    assert dataset.element_spec == (
        tf.TensorSpec(shape=(*IMAGE_SIZE, 3), dtype=tf.float32),
        tf.TensorSpec(shape=(), dtype=tf.int64),
    )
    elements = list(dataset.as_numpy_iterator())
    assert [label for _, label in elements] == [7, 8, 9]
    for (image, _), path in zip(elements, paths, strict=True):
        assert np.abs(image - images.load_image(path, size=IMAGE_SIZE)).max() <= 1 / 255 + 1e-6
    assert graph_native.image_dataset(paths, image_size=IMAGE_SIZE).element_spec.shape == (*IMAGE_SIZE, 3)


def test_iterator_of_image_dataset_checkpoints_and_resumes(image_files, tmp_path):
    paths = [image_files[name] for name in ("colour.jpg", "gray.png", "alpha.png", "small.png")]
    iterator = iter(graph_native.image_dataset(paths, list(range(4)), image_size=IMAGE_SIZE))
    assert int(next(iterator)[1]) == 0
    checkpoint = tf.train.Checkpoint(iterator=iterator)
    saved = checkpoint.save(str(tmp_path / "ckpt"))
    assert [int(next(iterator)[1]) for _ in range(3)] == [1, 2, 3]
    checkpoint.restore(saved)
    assert int(next(iterator)[1]) == 1


def test_tfrecord_round_trip_keeps_bytes_and_names_exactly(image_files, tmp_path):
    paths = list(image_files.values())
    record_file = tmp_path / "images.tfrecord"
    assert graph_native.write_tfrecord(paths, record_file) == len(paths)
    records = list(
        tf.data.TFRecordDataset(str(record_file)).map(graph_native.parse_image_record).as_numpy_iterator()
    )
    assert [record["name"].decode() for record in records] == [path.name for path in paths]
    assert [record["image_bytes"] for record in records] == [path.read_bytes() for path in paths]


def test_tfrecord_with_labels_round_trips_them_as_int64(image_files, tmp_path):
    paths = [image_files["colour.jpg"], image_files["gray.png"]]
    record_file = tmp_path / "labelled.tfrecord"
    graph_native.write_tfrecord(paths, record_file, labels=[5, 2])
    label = {"label": tf.io.FixedLenFeature([], tf.int64)}
    records = list(
        tf.data.TFRecordDataset(str(record_file))
        .map(lambda serialized: tf.io.parse_single_example(serialized, label))
        .as_numpy_iterator()
    )
    assert [record["label"] for record in records] == [5, 2]
    assert records[0]["label"].dtype == np.int64
    with pytest.raises(ValueError, match="2 paths but 1 labels"):
        graph_native.write_tfrecord(paths, record_file, labels=[5])
