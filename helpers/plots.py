"""Matplotlib figures for the notebooks: each function draws on the `ax` (or `fig`) it is given, or a new one.

Usage:
    from helpers import plots
    ax = plots.image_grid(batch_of_images, titles=labels)
    ax.figure          # end a notebook cell with this to show it

Figures are built with `matplotlib.figure.Figure`, not pyplot, so nothing is shown or kept alive behind the
notebook's back: the cell that ends with the figure displays it once.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

__all__ = ["new_axes", "image_grid"]


def new_axes(ax: Axes | None = None, *, figsize: tuple[float, float] = (6.0, 4.0)) -> Axes:
    """Returns `ax`, or the Axes of a new Figure of `figsize` inches when `ax` is None."""
    if ax is not None:
        return ax
    return Figure(figsize=figsize, layout="constrained").add_subplot()


def image_grid(
    images: Sequence[np.ndarray] | np.ndarray,
    *,
    titles: Sequence[str] | None = None,
    columns: int = 4,
    image_inches: float = 2.0,
    fig: Figure | None = None,
) -> Figure:
    """Draws images (H, W, 3) RGB in [0, 1] or uint8, or (H, W) grayscale, in a grid.

    Args:
        images: the images, e.g. one batch from a dataset (`batch.numpy()`).
        titles: one short title per image (for example its label or file name).
        columns: images per row.
        image_inches: width and height of one cell, in inches.
        fig: the Figure to draw on; a new one when None.

    Returns:
        The Figure.
    """
    count = len(images)
    if count == 0:
        raise ValueError("image_grid needs at least one image")
    columns = min(columns, count)
    rows = -(-count // columns)
    if fig is None:
        fig = Figure(figsize=(columns * image_inches, rows * image_inches), layout="constrained")
    axes = fig.subplots(rows, columns, squeeze=False)
    for index, ax in enumerate(axes.flat):
        ax.set_axis_off()
        if index >= count:
            continue
        image = np.asarray(images[index])
        ax.imshow(image, cmap="gray" if image.ndim == 2 else None, vmin=0, vmax=_image_max(image))
        if titles is not None:
            ax.set_title(str(titles[index]), fontsize=9)
    return fig


def _image_max(image: np.ndarray) -> float:
    return 255.0 if image.dtype == np.uint8 else 1.0


def training_curves(
    history: dict[str, Sequence[float]],
    *,
    metrics: Sequence[str] = ("loss", "accuracy"),
    panel_inches: tuple[float, float] = (4.0, 3.0),
    fig: Figure | None = None,
) -> Figure:
    """Draws one panel per metric: its training and, when recorded, validation value per epoch.

    Args:
        history: metric name -> one value per epoch, as in Keras' `model.fit(...).history`;
            the validation values are under `"val_" + name`.
        metrics: the metrics to draw, one panel each, left to right.
        panel_inches: width and height of one panel, in inches.
        fig: the Figure to draw on; a new one when None.

    Returns:
        The Figure.
    """
    if fig is None:
        fig = Figure(figsize=(panel_inches[0] * len(metrics), panel_inches[1]), layout="constrained")
    axes = fig.subplots(1, len(metrics), squeeze=False)[0]
    for ax, name in zip(axes, metrics, strict=True):
        for key, label, style in ((name, "training", "-o"), (f"val_{name}", "validation", "-s")):
            if key in history:
                values = list(history[key])
                ax.plot(range(1, len(values) + 1), values, style, markersize=3, label=label)
        ax.set_title(name)
        ax.set_xlabel("epoch")
        ax.legend()
    return fig


__all__ += ["training_curves"]
