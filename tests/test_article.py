"""helpers.article: the article's three examples run as written, and the lessons quote them verbatim."""

from __future__ import annotations

import contextlib
import inspect
import io
import re

import nbformat
import numpy as np
import pytest

from helpers import article, images
from helpers.paths import REPO_ROOT

EXAMPLE_TAG = "article-example"
"""Tag of the notebook cells that show an article example; joined with one blank line they give its text."""
LESSONS = {
    1: "01_simple_generator.ipynb",
    2: "02_image_pipeline.ipynb",
    3: "03_args_and_augmentation.ipynb",
}
NOTEBOOK_IMAGE_PATHS = re.compile(
    r"^image_paths = (?P<expression>.+) # Replace with your actual paths$", re.M
)


def example_cells_text(number: int) -> str:
    notebook = nbformat.read(REPO_ROOT / "notebooks" / LESSONS[number], as_version=4)
    cells = [
        cell.source.strip("\n")
        for cell in notebook.cells
        if cell.cell_type == "code" and EXAMPLE_TAG in cell.metadata.get("tags", [])
    ]
    assert cells, f"{LESSONS[number]} has no cell tagged {EXAMPLE_TAG!r}"
    return "\n\n".join(cells)


def run_example(number: int, *, demonstration_loop: bool = True) -> dict:
    """Runs the article's example as written in a fresh namespace (optionally without its final loop)."""
    source = article.EXAMPLES[number]
    if not demonstration_loop:
        source = source[: source.rindex("\nfor ")]
    namespace: dict = {}
    exec(compile(source, f"<article example {number}>", "exec"), namespace)
    return namespace


def test_example_1_prints_the_ten_pairs_i_and_twice_i():
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        namespace = run_example(1)
    lines = printed.getvalue().splitlines()
    assert lines == [f"x: {i}, y: {i * 2}" for i in range(10)]
    assert lines[3] == "x: 3, y: 6"
    assert list(namespace["simple_generator"]()) == [(i, i * 2) for i in range(10)]


def test_example_1_dataset_gives_int32_pairs():
    pairs = list(run_example(1, demonstration_loop=False)["dataset"].as_numpy_iterator())
    assert len(pairs) == 10
    assert tuple(int(value) for value in pairs[3]) == (3, 6)
    assert {value.dtype for pair in pairs for value in pair} == {np.dtype(np.int32)}


def test_example_2_on_the_sample_images_gives_float32_batches():
    paths = [str(path) for path in images.sample_image_paths()]
    dataset = article.example_2_dataset(paths)
    batches = list(dataset)
    assert [batch.shape[1:] for batch in batches] == [(224, 224, 3)] * len(batches)
    assert sum(batch.shape[0] for batch in batches) == len(paths)
    assert {batch.dtype.name for batch in batches} == {"float32"}
    pixels = np.concatenate([batch.numpy() for batch in batches])
    assert 0.0 <= pixels.min() and pixels.max() <= 1.0


def test_example_2_builds_without_iterating(tmp_path):
    # A dataset over a missing file builds: the article's generator only fails once iterated.
    dataset = article.example_2_dataset([str(tmp_path / "missing.jpg")])
    assert dataset.element_spec.shape.as_list() == [None, 224, 224, 3]


def test_example_3_yields_100_noisy_float64_rows_with_int32_labels():
    namespace = run_example(3)
    pairs = list(namespace["dataset"].as_numpy_iterator())
    assert len(pairs) == 100
    assert {(features.dtype, features.shape) for features, _ in pairs} == {(np.dtype(np.float64), (10,))}
    assert [int(label) for _, label in pairs] == list(range(100))
    assert {label.dtype for _, label in pairs} == {np.dtype(np.int32)}
    # args=(True,) switches the augmentation on: every row differs from the stored data by some noise.
    noise = np.stack([features for features, _ in pairs]) - np.stack([row for row, _ in namespace["data"]])
    assert np.all(noise != 0) and 0.05 < noise.std() < 0.2


def test_example_3_generator_leaves_data_alone_without_augment():
    data = [(np.arange(10.0), 7)]
    ((features, label),) = article._definition(3, "complex_generator")(data)
    assert np.array_equal(features, data[0][0]) and label == 7


def test_example_sources_are_the_article_code_blocks():
    assert article.EXAMPLES[1].startswith(
        "import tensorflow as tf\n\ndef simple_generator():\n  for i in range(10):"
    )
    assert article.IMAGE_PATHS_LINE in article.EXAMPLES[2]
    assert "args=(True,)  # Pass argument to control augmentation" in article.EXAMPLES[3]


@pytest.mark.parametrize("number", [1, 3])
def test_lesson_quotes_the_example_verbatim(number):
    assert example_cells_text(number) == article.EXAMPLES[number].rstrip("\n")


def test_lesson_02_quotes_example_2_verbatim_but_for_the_image_paths():
    text = example_cells_text(2)
    match = NOTEBOOK_IMAGE_PATHS.search(text)
    assert match, "02 must keep Example 2's `image_paths = ... # Replace with your actual paths` line"
    assert "image1.jpg" not in match["expression"]
    line = f"image_paths = {match['expression']} # Replace with your actual paths"
    assert text == article.EXAMPLES[2].replace(article.IMAGE_PATHS_LINE, line).rstrip("\n")


@pytest.mark.parametrize(
    ("number", "name"), [(1, "simple_generator"), (2, "image_generator"), (3, "complex_generator")]
)
def test_generator_functions_show_the_article_source(number, name):
    source = inspect.getsource(article._definition(number, name))
    assert source.startswith(f"def {name}(")
    assert source in "".join(article.EXAMPLES.values())
