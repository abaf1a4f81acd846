"""The source article's three examples, kept as the article writes them (deprecated arguments included).

Usage:
    from helpers import article
    ds = article.example_2_dataset([str(p) for p in images.sample_image_paths()])

Lessons run these first, then improve on them; the benchmark's `article_example_2` row measures example 2.
Do not "fix" this module: its defects (BGR colour, float64 pixels, `cv2.imread` returning None, the deprecated
`output_types`/`output_shapes`) are what the lessons show and measure.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator

import cv2
import numpy as np

__all__ = [
    "generator",
    "image_generator",
    "data_generator",
    "example_1_dataset",
    "example_2_dataset",
    "example_3_dataset",
]

ARTICLE_IMAGE_SIZE = (224, 224)
ARTICLE_BATCH_SIZE = 32


def generator() -> Iterator[tuple[int, int]]:
    """Example 1: integer pairs (i, i**2)."""
    for i in range(10):
        yield (i, i**2)


def image_generator(image_paths: Iterable[str]) -> Iterator[np.ndarray]:
    """Example 2: reads each image with OpenCV, resizes it, scales it to [0, 1]."""
    for image_path in image_paths:
        image = cv2.imread(image_path)
        image = cv2.resize(image, ARTICLE_IMAGE_SIZE)
        image = image / 255.0
        yield image


def data_generator(data, augment, augment_data: Callable = lambda item: item) -> Iterator:
    """Example 3: yields each item, augmented when `augment` is true."""
    for item in data:
        if augment:
            item = augment_data(item)
        yield item


def example_1_dataset():
    import tensorflow as tf

    return tf.data.Dataset.from_generator(
        generator, output_types=(tf.int32, tf.int32), output_shapes=((), ())
    )


def example_2_dataset(image_paths: list[str]):
    import tensorflow as tf

    dataset = tf.data.Dataset.from_generator(
        lambda: image_generator(image_paths),
        output_types=tf.float32,
        output_shapes=(224, 224, 3),
    )
    return dataset.batch(ARTICLE_BATCH_SIZE).prefetch(tf.data.experimental.AUTOTUNE)


def example_3_dataset(data, augment: bool):
    import tensorflow as tf

    return tf.data.Dataset.from_generator(
        data_generator, args=[data, augment], output_types=tf.float32, output_shapes=(None,)
    )
