"""Matplotlib figures for the notebooks: each returns a new Figure, or draws on the `ax` it is given.

    plots.image_grid(batch_of_images, titles=labels)   # a Figure: end a notebook cell with it to show it
    plots.timeline(events).figure                      # Axes-returning functions: show their .figure

Figures are `matplotlib.figure.Figure`, not pyplot, so nothing is shown or kept alive behind the notebook's
back: the cell that ends with the figure displays it once.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping, Sequence

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from helpers.timeline import CONSUMER_LANE, PRODUCE, TRAIN_STEP, WAIT

__all__ = [
    "image_grid",
    "training_curves",
    "image_rows",
    "register_notebook_display",
    "timeline",
    "timelines",
    "benchmark_bars",
]


def _new_axes(ax: Axes | None = None, *, figsize: tuple[float, float] = (6.0, 4.0)) -> Axes:
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
) -> Figure:
    """Draws images (H, W, 3) RGB in [0, 1] or uint8, or (H, W) grayscale, in a grid; returns the Figure.

    `images` may be one batch from a dataset (`batch.numpy()`), `titles` one short title per image (its
    label or file name); each cell is `image_inches` square.
    """
    count = len(images)
    if count == 0:
        raise ValueError("image_grid needs at least one image")
    columns = min(columns, count)
    rows = -(-count // columns)
    fig = Figure(figsize=(columns * image_inches, rows * image_inches), layout="constrained")
    axes = fig.subplots(rows, columns, squeeze=False)
    for index, ax in enumerate(axes.flat):
        ax.set_axis_off()
        if index < count:
            _show(ax, images[index])
            if titles is not None:
                ax.set_title(str(titles[index]), fontsize=9)
    return fig


def _show(ax: Axes, image: np.ndarray) -> None:
    image = np.asarray(image)
    ax.imshow(
        image, cmap="gray" if image.ndim == 2 else None, vmin=0, vmax=255 if image.dtype == np.uint8 else 1
    )


def training_curves(history: dict[str, Sequence[float]]) -> Figure:
    """Draws loss, then accuracy, per epoch: the training value and, when recorded, the validation one.

    `history` is Keras' `model.fit(...).history` (validation values under `"val_" + name`).
    """
    fig = Figure(figsize=(8.0, 3.0), layout="constrained")
    for ax, name in zip(fig.subplots(1, 2), ("loss", "accuracy"), strict=True):
        for key, label, style in ((name, "training", "-o"), (f"val_{name}", "validation", "-s")):
            if key in history:
                values = list(history[key])
                ax.plot(range(1, len(values) + 1), values, style, markersize=3, label=label)
        ax.set_title(name)
        ax.set_xlabel("epoch")
        ax.legend()
    return fig


def image_rows(
    rows: Sequence[Sequence[np.ndarray]],
    *,
    row_labels: Sequence[str],
    titles: Sequence[str] | None = None,
    image_inches: float = 1.8,
) -> Figure:
    """Draws rows of images, each labelled on the left: e.g. before/after augmentation, or one row per epoch.

    `rows` are equally long sequences of images (as `image_grid` takes), `row_labels` one per row
    ("epoch 0", ...), `titles` one per column above the first row.

    Raises:
        ValueError: no rows, rows of different lengths, or not one label per row.
    """
    columns = len(rows[0]) if len(rows) else 0
    if columns == 0 or any(len(row) != columns for row in rows):
        raise ValueError("image_rows needs one or more rows of the same, non-zero length")
    if len(row_labels) != len(rows):
        raise ValueError(f"image_rows got {len(row_labels)} row labels for {len(rows)} rows")
    fig = Figure(figsize=(columns * image_inches, len(rows) * image_inches), layout="constrained")
    axes = fig.subplots(len(rows), columns, squeeze=False)
    for row_index, (row, label) in enumerate(zip(rows, row_labels, strict=True)):
        for column, (ax, image) in enumerate(zip(axes[row_index], row, strict=True)):
            _show(ax, image)
            # Ticks and frame off but the axis kept, so the row label (a y-label) stays visible.
            ax.set(xticks=[], yticks=[])
            ax.spines[:].set_visible(False)
            if column == 0:
                ax.set_ylabel(label, fontsize=10)
            if row_index == 0 and titles is not None:
                ax.set_title(str(titles[column]), fontsize=9)
    return fig


def register_notebook_display() -> bool:
    """Makes IPython show a Figure that ends a cell as a PNG; runs when this module is imported.

    IPython registers matplotlib's PNG formatter only when pyplot is imported or `%matplotlib` runs, and
    the kit never imports pyplot: without this, a cell ending with a Figure shows only "<Figure size ...>".

    Returns:
        True when a running IPython shell now displays Figures as PNG.
    """
    if "IPython" not in sys.modules:  # not in a notebook; importing IPython here would only cost time
        return False
    from IPython import get_ipython
    from IPython.core.pylabtools import print_figure

    shell = get_ipython()
    if shell is None:
        return False
    png_formatter = shell.display_formatter.formatters["image/png"]
    png_formatter.for_type(Figure, lambda fig: print_figure(fig, "png", bbox_inches="tight"))
    return True


register_notebook_display()


# --- performance lab (notebook 06): producer/consumer timelines ------------------------------

_TIMELINE_COLOURS = {PRODUCE: "#1f77b4", TRAIN_STEP: "#2ca02c", WAIT: "#d62728"}


def timeline(
    events: Sequence,
    *,
    ax: Axes | None = None,
    start_seconds: float = 0.0,
    window_seconds: float | None = None,
    title: str = "Who is busy when",
) -> Axes:
    """Draws a producer/consumer timeline on `ax` (or new Axes): a row per lane, a bar per event by kind.

    Args:
        events: objects with `lane`, `kind`, `start_seconds`, `end_seconds` (`helpers.timeline.Event`).
        start_seconds: time shown as 0 (e.g. when the first batch was asked for).
        window_seconds: length of time shown from `start_seconds` (None: everything after it).
    """
    end = None if window_seconds is None else start_seconds + window_seconds
    shown = [e for e in events if e.end_seconds > start_seconds and (end is None or e.start_seconds < end)]
    # Producers by number ("producer 2" before "producer 10"), then the consumer.
    lanes = sorted({e.lane for e in shown}, key=lambda lane: (lane == CONSUMER_LANE, len(lane), lane))
    ax = _new_axes(ax, figsize=(7.0, 1.0 + 0.45 * max(1, len(lanes))))
    for row, lane in enumerate(lanes):
        for kind, colour in _TIMELINE_COLOURS.items():
            spans = [
                (e.start_seconds - start_seconds, e.end_seconds - e.start_seconds)
                for e in shown
                if e.lane == lane and e.kind == kind
            ]
            if spans:
                ax.broken_barh(spans, (row - 0.35, 0.7), facecolors=colour, label=kind)
    handles, names = ax.get_legend_handles_labels()
    unique = dict(zip(names, handles, strict=True))
    if unique:
        ax.legend(unique.values(), unique.keys(), fontsize=8, loc="lower right", ncols=len(unique))
    ax.set_yticks(range(len(lanes)), labels=lanes, fontsize=8)
    ax.set_ylim(len(lanes) - 0.4 + 0.8, -0.6)
    ax.set_xlabel("seconds")
    ax.set_xlim(0, window_seconds if window_seconds is not None else None)
    ax.set_title(title, fontsize=10)
    return ax


def timelines(named_events: Mapping[str, Sequence]) -> Figure:
    """Returns a Figure with several timelines (title -> that run's events, as for `timeline`) one above
    the other, on one time axis, each titled with its length."""
    heights = [1.0 + 0.45 * len({e.lane for e in events}) for events in named_events.values()]
    figure = Figure(figsize=(7.0, sum(heights)), layout="constrained")
    axes = figure.subplots(len(heights), 1, sharex=True, height_ratios=heights, squeeze=False)
    for ax, (name, events) in zip(axes[:, 0], named_events.items(), strict=True):
        seconds = max((e.end_seconds for e in events), default=0.0)
        timeline(events, ax=ax, title=f"{name}: {seconds:.2f} s")
        ax.set_xlabel("")
    axes[-1, 0].set_xlabel("seconds")
    return figure


def benchmark_bars(
    labels: Sequence[str],
    medians: Sequence[float],
    *,
    low: Sequence[float],
    high: Sequence[float],
    cpu_seconds_per_1000: Sequence[float] | None = None,
    limit: float | None = None,
    limit_range: tuple[float, float] | None = None,
    limit_label: str | None = None,
    unit: str = "images/s",
    log_scale: bool = False,
    ax: Axes | None = None,
    title: str = "Median of the repeats, whiskers from the slowest to the fastest",
) -> Axes:
    """Draws on `ax` (or new Axes) a bar per row, its median, with a whisker from its slowest to its fastest
    repeat (`low`, `high`); rows are drawn top to bottom.

    Args:
        cpu_seconds_per_1000: CPU seconds per 1,000 elements per row, written beside the value (or None).
        limit: a reference rate drawn as a vertical dashed line (or None).
        limit_range: (slowest, fastest) of the limit, shaded behind the line.
        log_scale: a logarithmic x axis (rows that differ by orders of magnitude).
    """
    if not len(labels) == len(medians) == len(low) == len(high):
        raise ValueError(
            f"benchmark_bars got {len(labels)} labels, {len(medians)} medians, {len(low)} lows, "
            f"{len(high)} highs"
        )
    ax = _new_axes(ax, figsize=(8.0, 0.8 + 0.5 * max(1, len(labels))))
    positions = np.arange(len(labels))
    medians_array = np.asarray(medians, float)
    high_array = np.asarray(high, float)
    whiskers = [medians_array - np.asarray(low, float), high_array - medians_array]
    ax.barh(positions, medians_array, color="#1f77b4", height=0.6)
    ax.errorbar(medians_array, positions, xerr=whiskers, fmt="none", ecolor="black", capsize=4, lw=1)
    texts = [f"{value:,.0f}" for value in medians_array]
    if cpu_seconds_per_1000 is not None:
        texts = [
            f"{text} · {cpu:.3g} CPU s/1000" for text, cpu in zip(texts, cpu_seconds_per_1000, strict=True)
        ]
    # Beyond the whisker, so the text never sits on a bar or a whisker.
    for position, right, text in zip(positions, high_array, texts, strict=True):
        ax.text(right * (1.15 if log_scale else 1.0), float(position), "  " + text, va="center", fontsize=8)
    rightmost = max([*high_array, *(limit_range or ()), limit or 0.0])
    if limit is not None:
        if limit_range is not None:
            ax.axvspan(*limit_range, color="#d62728", alpha=0.08, lw=0)
        ax.axvline(limit, color="#d62728", ls="--", lw=1.5, label=limit_label or f"limit {limit:,.0f}")
        # Beyond the limit the axes are empty (nothing measured is faster): room for the legend.
        ax.legend(fontsize=8, loc="lower right", framealpha=0.9)
    ax.set_yticks(positions, labels=list(labels), fontsize=9)
    ax.invert_yaxis()
    if log_scale:
        ax.set_xscale("log")
        ax.set_xlim(min(low) / 2, rightmost * 30)
    else:
        ax.set_xlim(0, rightmost * 1.5)
    ax.set_xlabel(unit)
    ax.grid(axis="x", alpha=0.3)
    ax.set_title(title, fontsize=10)
    return ax
