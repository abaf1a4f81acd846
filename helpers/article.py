"""The source article's three examples, as its code blocks print them, and functions that run them.

The article: "How to use TensorFlow's Dataset.from_generator?", dated 2025-01-30. `EXAMPLE_1`, `EXAMPLE_2`
and `EXAMPLE_3` are its three code blocks character for character (two-space indentation, comments and
deprecated arguments included); lessons 01, 02 and 03 show the same text in their cells, and
tests/test_article.py checks that they agree.

Usage:
    from helpers import article
    namespace = article.run_example(1)                      # runs Example 1 as written, loop and all
    ds = article.example_2_dataset([str(p) for p in images.sample_image_paths()])

Running an example executes its text in a fresh namespace. The only change ever made to the text is the one
the article asks for: Example 2's placeholder `image_paths = ["image1.jpg", ...]` line gets real paths
(`example_source(2, image_paths_expression=...)`). The trailing demonstration loop (`for ... in dataset:`)
can be left out, so a dataset is built without being iterated (the benchmark's `article_example_2` row).
Do not "fix" the examples: their defects (BGR colour, float64 pixels, `cv2.imread` returning None, the
deprecated `output_types`/`output_shapes`, the unseeded global `np.random`) are what the lessons show.
"""

from __future__ import annotations

import linecache
from collections.abc import Sequence
from typing import Any

__all__ = [
    "EXAMPLES",
    "EXAMPLE_1",
    "EXAMPLE_2",
    "EXAMPLE_3",
    "IMAGE_PATHS_LINE",
    "complex_generator",
    "example_2_dataset",
    "example_source",
    "image_generator",
    "run_example",
    "simple_generator",
]

EXAMPLE_1 = """\
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
"""

EXAMPLE_2 = """\
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

"""

EXAMPLE_3 = """\
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

"""

EXAMPLES = {1: EXAMPLE_1, 2: EXAMPLE_2, 3: EXAMPLE_3}
IMAGE_PATHS_LINE = 'image_paths = ["image1.jpg", "image2.jpg", "image3.jpg"] # Replace with your actual paths'
"""Example 2's placeholder line, the one line a lesson may change (to real image paths)."""
_IMAGE_PATHS_PREFIX = "image_paths = "
_IMAGE_PATHS_COMMENT = " # Replace with your actual paths"
# Each example's generator function, by name, for lessons that call it on its own.
_GENERATORS = {"simple_generator": 1, "image_generator": 2, "complex_generator": 3}


def example_source(
    number: int, *, image_paths_expression: str | None = None, demonstration_loop: bool = True
) -> str:
    """Returns the text of the article's example `number` (1, 2 or 3), optionally with the allowed changes.

    Args:
        number: which example.
        image_paths_expression: for Example 2, Python code that replaces the placeholder list in its
            `image_paths = [...]` line (the line's comment is kept). None keeps the article's line.
        demonstration_loop: False leaves out the trailing `for ... in dataset:` loop, so running the text
            builds the dataset without iterating it.

    Raises:
        ValueError: for an unknown example, or `image_paths_expression` with an example other than 2.
    """
    if number not in EXAMPLES:
        raise ValueError(f"the article has examples 1, 2 and 3, not {number!r}")
    source = EXAMPLES[number]
    if image_paths_expression is not None:
        if number != 2:
            raise ValueError(f"only Example 2 has image paths to replace, not Example {number}")
        new_line = f"{_IMAGE_PATHS_PREFIX}{image_paths_expression}{_IMAGE_PATHS_COMMENT}"
        source = source.replace(IMAGE_PATHS_LINE, new_line)
    if not demonstration_loop:
        lines = source.splitlines(keepends=True)
        loop_start = max(index for index, line in enumerate(lines) if line.startswith("for "))
        source = "".join(lines[:loop_start]).rstrip("\n") + "\n"
    return source


def run_example(
    number: int, *, image_paths: Sequence[str] | None = None, demonstration_loop: bool = True
) -> dict[str, Any]:
    """Runs the article's example `number` in a fresh namespace and returns that namespace.

    Args:
        number: which example (1, 2 or 3).
        image_paths: for Example 2, the image files to use in place of the placeholder names.
        demonstration_loop: False builds the dataset without running the example's trailing loop.

    Returns:
        The example's globals after it ran: `dataset` and the functions and data it defined.
    """
    namespace: dict[str, Any] = {"__name__": f"article_example_{number}"}
    expression = None
    if image_paths is not None:
        namespace["_image_paths"] = [str(path) for path in image_paths]
        expression = "_image_paths"
    source = example_source(number, image_paths_expression=expression, demonstration_loop=demonstration_loop)
    filename = f"<article example {number}>"
    # Registered so that tracebacks from the example's code show its lines, as they do in a notebook.
    linecache.cache[filename] = (len(source), None, source.splitlines(keepends=True), filename)
    exec(compile(source, filename, "exec"), namespace)
    return namespace


def example_2_dataset(image_paths: Sequence[str]):
    """The dataset of the article's Example 2 over `image_paths`: batched by 32, prefetched, not iterated."""
    return run_example(2, image_paths=image_paths, demonstration_loop=False)["dataset"]


def _definition(name: str):
    """The example's generator function, made by running only its imports and its `def` block."""
    lines = EXAMPLES[_GENERATORS[name]].splitlines(keepends=True)
    start = next(index for index, line in enumerate(lines) if line.startswith(f"def {name}("))
    end = next(
        (index for index in range(start + 1, len(lines)) if lines[index][:1] not in ("", " ", "\n")),
        len(lines),
    )
    imports = [line for line in lines if line.startswith("import ") and "tensorflow" not in line]
    source, filename = "".join(imports + lines[start:end]), f"<article {name}>"
    linecache.cache[filename] = (len(source), None, source.splitlines(keepends=True), filename)
    namespace: dict[str, Any] = {}
    exec(compile(source, filename, "exec"), namespace)
    return namespace[name]


# Made by running only each example's imports and `def` block: no TensorFlow import, nothing iterated.
simple_generator = _definition("simple_generator")
image_generator = _definition("image_generator")
complex_generator = _definition("complex_generator")
