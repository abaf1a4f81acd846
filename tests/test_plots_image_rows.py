"""plots.image_rows: one labelled row per sequence of images, titles over the first row."""

import numpy as np
import pytest

from helpers import plots


@pytest.fixture
def images():
    rng = np.random.default_rng(0)
    return [rng.random((8, 10, 3), dtype=np.float32) for _ in range(3)]


def test_draws_one_axes_per_image_with_labels_and_titles(images):
    pixels = [(image * 255).astype(np.uint8) for image in images]
    fig = plots.image_rows([images, pixels], row_labels=["before", "after"], titles=["a", "b", "c"])
    axes = fig.axes
    assert len(axes) == 6
    assert [ax.get_ylabel() for ax in axes] == ["before", "", "", "after", "", ""]
    assert [ax.get_title() for ax in axes] == ["a", "b", "c", "", "", ""]
    np.testing.assert_array_equal(axes[4].images[0].get_array(), pixels[1])
    assert axes[0].images[0].get_clim() == (0, 1.0)
    assert axes[3].images[0].get_clim() == (0, 255.0)


def test_grayscale_uses_gray_colormap(images):
    fig = plots.image_rows([[images[0][:, :, 0]]], row_labels=["gray"])
    assert fig.axes[0].images[0].get_cmap().name == "gray"


@pytest.mark.parametrize(
    ("rows", "labels", "message"),
    [
        ([], [], "same, non-zero length"),
        ([[np.zeros((2, 2))], []], ["a", "b"], "same, non-zero length"),
        ([[np.zeros((2, 2))]], ["a", "b"], "2 row labels for 1 rows"),
    ],
)
def test_rejects_bad_rows(rows, labels, message):
    with pytest.raises(ValueError, match=message):
        plots.image_rows(rows, row_labels=labels)
