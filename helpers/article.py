"""The source article's three examples, character for character, and the parts of them lessons run.

The article: "How to use TensorFlow's Dataset.from_generator?", dated 2025-01-30. `EXAMPLES` holds its three
code blocks as printed (two-space indentation, comments and deprecated arguments included); lessons 01, 02
and 03 quote them, and tests/test_article.py checks that they agree and that each runs as written.

Usage:
    from helpers import article
    ds = article.example_2_dataset([str(p) for p in images.sample_image_paths()])
    next(article.image_generator(paths))  # Example 2's generator function, on its own

Do not "fix" the examples: their defects (BGR colour, float64 pixels, `cv2.imread` returning None, the
deprecated `output_types`/`output_shapes`, the unseeded global `np.random`) are what the lessons show.
"""

from __future__ import annotations

import linecache
from collections.abc import Callable, Sequence
from typing import Any

__all__ = [
    "EXAMPLES",
    "IMAGE_PATHS_LINE",
    "example_2_dataset",
    "image_generator",
]

EXAMPLES = {
    1: """\
import tensorflow as tf

def simple_generator():
  for i in range(10):
    yield i, i*2

dataset = tf.data.Dataset.from_generator(
    simple_generator,
    output_types=(tf.int32, tf.int32),
    output_shapes=((), ())
)

for x, y in dataset:
  print(f"x: {x.numpy()}, y: {y.numpy()}")
""",
    2: """\
import tensorflow as tf
import cv2

def image_generator(image_paths):
  for path in image_paths:
    img = cv2.imread(path)
    img = cv2.resize(img, (224, 224))  # Resize to a standard size.
    img = img / 255.0 # Normalize pixel values
    yield img

image_paths = ["image1.jpg", "image2.jpg", "image3.jpg"] # Replace with your actual paths

dataset = tf.data.Dataset.from_generator(
    lambda: image_generator(image_paths),
    output_types=tf.float32,
    output_shapes=(224, 224, 3)
)

dataset = dataset.batch(32).prefetch(tf.data.AUTOTUNE) #Batching and prefetching for efficiency

for batch in dataset:
  # Process batch of images
  pass

""",
    3: """\
import tensorflow as tf
import numpy as np

def complex_generator(data, augment=False):
    for sample in data:
        features, label = sample
        if augment:
            # Apply data augmentation techniques here (e.g., random cropping, flipping).
            features = features + np.random.normal(0, 0.1, features.shape) # Example augmentation

        yield features, label

data = [(np.random.rand(10), i) for i in range(100)] # Example data

dataset = tf.data.Dataset.from_generator(
    lambda augment: complex_generator(data, augment),
    output_types=(tf.float64, tf.int32),
    output_shapes=((10,), ()),
    args=(True,)  # Pass argument to control augmentation
)

for features, label in dataset:
    pass

""",
}
IMAGE_PATHS_LINE = 'image_paths = ["image1.jpg", "image2.jpg", "image3.jpg"] # Replace with your actual paths'
"""Example 2's placeholder line, the one line a lesson may change (to real image paths)."""


def example_2_dataset(image_paths: Sequence[str]) -> Any:
    """Runs the article's Example 2 on real files, up to its dataset (batched by 32, prefetched).

    Args:
        image_paths: the files that replace its placeholder names, the one change the article asks for.

    Returns:
        The example's `dataset`, not iterated: its trailing `for batch in dataset:` loop is left out.
    """
    source = EXAMPLES[2].replace(IMAGE_PATHS_LINE, "image_paths = _image_paths").split("\nfor batch in")[0]
    return _run(source, "<article example 2>", _image_paths=[str(path) for path in image_paths])["dataset"]


def _run(source: str, filename: str, **names: Any) -> dict[str, Any]:
    """Runs `source` in a new namespace holding `names`; its tracebacks show its lines, as in a notebook."""
    linecache.cache[filename] = (len(source), None, source.splitlines(keepends=True), filename)
    namespace = dict(names)
    exec(compile(source, filename, "exec"), namespace)
    return namespace


def _definition(number: int, name: str) -> Callable[..., Any]:
    """Example `number`'s function `name`: only its `def` block and imports (not TensorFlow's) are run."""
    lines = EXAMPLES[number].splitlines(keepends=True)
    start = next(index for index, line in enumerate(lines) if line.startswith(f"def {name}("))
    end = next((index for index in range(start + 1, len(lines)) if lines[index][:1].strip()), len(lines))
    imports = [line for line in lines if line.startswith("import ") and "tensorflow" not in line]
    return _run("".join(imports + lines[start:end]), f"<article {name}>")[name]


image_generator = _definition(2, "image_generator")
