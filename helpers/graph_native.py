"""The image pipeline in TensorFlow ops only, so it can be checkpointed, saved and served to other processes.

    ds = graph_native.image_dataset(paths, image_size=(224, 224))    # same pixels as images.load_image
    graph_native.write_tfrecord(paths, cache_dir("tfrecord") / "samples.tfrecord")
    records = tf.data.TFRecordDataset(...).map(graph_native.parse_image_record)

`decode_rgb` and `resize_like_opencv` reproduce `helpers.images` (OpenCV) in TensorFlow ops: JPEGs with
the accurate integer IDCT, alpha composited onto white, grayscale as three equal channels, INTER_AREA
when shrinking and bilinear when enlarging (`image_work.difference_table` shows what difference is left).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import tensorflow as tf

__all__ = [
    "decode_rgb",
    "image_dataset",
    "load_image",
    "parse_image_record",
    "resize_like_opencv",
    "write_tfrecord",
]

_GREY_LEVELS = 255.0


def decode_rgb(data: tf.Tensor) -> tf.Tensor:
    """Decodes a file's bytes (a scalar string tensor: JPEG, PNG, BMP, GIF) to RGB uint8 (H, W, 3).

    As `images.load_image_uint8` does: JPEGs with libjpeg's accurate integer IDCT (OpenCV's; TensorFlow's
    default is the fast one), alpha composited onto white (not dropped), grayscale as three equal channels.
    """

    def jpeg() -> tf.Tensor:
        return tf.io.decode_jpeg(data, channels=3, dct_method="INTEGER_ACCURATE")

    def other() -> tf.Tensor:
        rgba = tf.io.decode_image(data, channels=4, expand_animations=False)
        opacity = tf.cast(rgba[..., 3:], tf.float32) / _GREY_LEVELS
        rgb = tf.cast(rgba[..., :3], tf.float32) * opacity + _GREY_LEVELS * (1.0 - opacity)
        return tf.cast(tf.math.round(rgb), tf.uint8)

    image = tf.cond(tf.io.is_jpeg(data), jpeg, other)
    return tf.ensure_shape(image, [None, None, 3])


def resize_like_opencv(image: tf.Tensor, image_size: tuple[int, int]) -> tf.Tensor:
    """Resizes a uint8 image to (*image_size, 3) as `images.load_image_uint8` does, to within one grey level:
    area averaging (`cv2.INTER_AREA`) when no side grows, else bilinear, rounded back to uint8 as OpenCV does.
    """
    target = tf.constant(image_size, dtype=tf.int32)
    pixels = tf.cast(image, tf.float32)
    shrinking = tf.reduce_all(tf.shape(image)[:2] >= target)
    resized = tf.cond(
        shrinking,
        lambda: tf.image.resize(pixels, image_size, method="area"),
        lambda: tf.image.resize(pixels, image_size, method="bilinear"),
    )
    rounded = tf.cast(tf.clip_by_value(tf.math.round(resized), 0.0, _GREY_LEVELS), tf.uint8)
    return tf.ensure_shape(rounded, [*image_size, 3])


def load_image(path: tf.Tensor, *, image_size: tuple[int, int]) -> tf.Tensor:
    """Reads, decodes and resizes one image file (a scalar string tensor) to RGB float32 (*image_size, 3) in
    [0, 1], like `images.load_image`."""
    image = resize_like_opencv(decode_rgb(tf.io.read_file(path)), image_size)
    return tf.cast(image, tf.float32) / _GREY_LEVELS


def image_dataset(
    paths: Sequence[str | os.PathLike[str]],
    labels: Sequence[int] | None = None,
    *,
    image_size: tuple[int, int] = (224, 224),
) -> tf.data.Dataset:
    """Returns a dataset of images (or (image, int64 label) pairs) read with TensorFlow ops only.

    `from_tensor_slices(paths)` + a parallel `map(load_image)` + `prefetch`: no Python runs per element,
    so the dataset can be checkpointed and sent to tf.data service workers (give absolute paths then).
    Images are float32 (*image_size, 3), in the order of `paths`.
    """
    path_strings = [os.fspath(path) for path in paths]
    slices = path_strings if labels is None else (path_strings, np.asarray(labels, np.int64))

    def load(path: tf.Tensor, *label: tf.Tensor) -> tf.Tensor | tuple[tf.Tensor, tf.Tensor]:
        image = load_image(path, image_size=image_size)
        return (image, *label) if label else image

    dataset = tf.data.Dataset.from_tensor_slices(slices)
    dataset = dataset.map(load, num_parallel_calls=tf.data.AUTOTUNE)
    return dataset.prefetch(tf.data.AUTOTUNE)


def write_tfrecord(
    paths: Sequence[str | os.PathLike[str]],
    output_path: str | os.PathLike[str],
    *,
    labels: Sequence[int] | None = None,
) -> int:
    """Writes each image file's bytes, unchanged, and its file name (and label) as one `tf.train.Example`.

    Encoded bytes, not pixels: the file is as small as the images and the round trip exact. `labels` (one
    integer per path) become the int64 feature "label". The folder of `output_path` must exist.

    Returns:
        The number of records written.

    Raises:
        ValueError: `labels` and `paths` differ in length.
    """
    if labels is not None and len(labels) != len(paths):
        raise ValueError(f"got {len(paths)} paths but {len(labels)} labels")
    with tf.io.TFRecordWriter(os.fspath(output_path)) as writer:
        for index, path in enumerate(paths):
            features = {
                "image_bytes": tf.train.Feature(
                    bytes_list=tf.train.BytesList(value=[Path(path).read_bytes()])
                ),
                "name": tf.train.Feature(bytes_list=tf.train.BytesList(value=[Path(path).name.encode()])),
            }
            if labels is not None:
                features["label"] = tf.train.Feature(
                    int64_list=tf.train.Int64List(value=[int(labels[index])])
                )
            writer.write(tf.train.Example(features=tf.train.Features(feature=features)).SerializeToString())
    return len(paths)


def parse_image_record(serialized: tf.Tensor) -> dict[str, tf.Tensor]:
    """Parses one record of `write_tfrecord` into {"image_bytes", "name"} (a label is left unread)."""
    features = {
        "image_bytes": tf.io.FixedLenFeature([], tf.string),
        "name": tf.io.FixedLenFeature([], tf.string),
    }
    return tf.io.parse_single_example(serialized, features)
