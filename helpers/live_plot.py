"""The performance lab's live plot: throughput and cores busy over the last 30 s, settings changes marked.

    plot = live_plot.LivePlot(cores=2)
    plot.reset(previous=last_result.points)          # a new run; the last one is drawn faintly
    png = plot.png(progress.points(), progress.markers(), now_seconds=progress.now_seconds())

Drawing only, no widgets: `helpers.widgets.PerformancePanel` puts the PNG bytes into an image widget a
few times a second, from a background thread, while the pipeline runs. Drawing holds the GIL the
generator needs, so it must stay cheap: the axes, the faint previous run and the change markers are
drawn in full only (the window scrolls in `step_seconds` steps, a change is marked, the data outgrow
the y-axis); otherwise the saved background is restored and only this run's two lines are drawn on
it ("blitting"), and OpenCV encodes the PNG.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING

import cv2
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

if TYPE_CHECKING:  # the types only: importing helpers.runs would import TensorFlow
    from helpers.runs import LivePoint, Marker

__all__ = [
    "LivePlot",
    "nice_ceiling",
    "CORES_COLOUR",
    "MARKER_COLOUR",
    "PREVIOUS_COLOUR",
    "RATE_COLOUR",
]

RATE_COLOUR = "#1f77b4"
CORES_COLOUR = "#d9730d"
PREVIOUS_COLOUR = "#9a9a9a"
MARKER_COLOUR = "#6b3fa0"
_MARKER_ROWS = 3  # labels of changes close together are stacked in this many rows


def nice_ceiling(value: float) -> float:
    """The smallest of 1, 2, 5, 10, 20, 50, ... that is at least `value`."""
    scale = 10 ** math.floor(math.log10(value)) if value > 0 else 1.0
    return next(step * scale for step in (1, 2, 5, 10) if step * scale >= value)


class LivePlot:
    """Elements/s (top) and cores busy (bottom) against seconds since the run started.

    Attributes:
        window_seconds: the time shown at least; the view scrolls once a run is longer.
        step_seconds: the view scrolls in steps of this many seconds.
        cores: the cores this process may use (a dashed line on the cores plot).
        full_draws: how many times the whole figure was drawn (the rest were quick redraws).
    """

    def __init__(
        self,
        *,
        cores: int,
        window_seconds: float = 30.0,
        step_seconds: float = 5.0,
        size_inches: tuple[float, float] = (11.0, 3.4),
        dpi: int = 80,
    ) -> None:
        self.window_seconds = window_seconds
        self.step_seconds = step_seconds
        self.cores = max(1, int(cores))
        self.full_draws = 0
        self.figure = Figure(figsize=size_inches, dpi=dpi)
        self.figure.subplots_adjust(left=0.07, right=0.985, bottom=0.13, top=0.91, hspace=0.12)
        self._canvas = FigureCanvasAgg(self.figure)
        self.rate_ax, self.cores_ax = self.figure.subplots(
            2, 1, sharex=True, gridspec_kw={"height_ratios": (2.6, 1.0)}
        )
        self.previous_rate = self.rate_ax.plot([], [], color=PREVIOUS_COLOUR, lw=1.2, alpha=0.55)[0]
        self.rate_line = self.rate_ax.plot([], [], color=RATE_COLOUR, lw=1.8, marker=".", ms=4)[0]
        self.previous_cores = self.cores_ax.plot([], [], color=PREVIOUS_COLOUR, lw=1.0, alpha=0.55)[0]
        self.cores_line = self.cores_ax.plot([], [], color=CORES_COLOUR, lw=1.6)[0]
        self.previous_rate.set_label("previous run")
        self.rate_line.set_label("this run")
        # Above the plot, where neither the lines nor the change labels go.
        handles = [self.rate_line, self.previous_rate]
        self.figure.legend(handles=handles, loc="upper right", ncols=2, fontsize=8, frameon=False)
        self.rate_ax.set_ylabel("elements/s")
        self.rate_ax.grid(alpha=0.3)
        self.rate_ax.tick_params(labelbottom=False)
        self.cores_ax.axhline(self.cores, color=CORES_COLOUR, lw=0.8, ls="--", alpha=0.6)
        self.cores_ax.set_ylim(0, self.cores * 1.25)
        self.cores_ax.set_ylabel("cores busy")
        self.cores_ax.set_xlabel("seconds since Run")
        self.cores_ax.grid(alpha=0.3)
        for line in (self.rate_line, self.cores_line):
            line.set_animated(True)
        self._marker_artists: list = []
        self._view: tuple | None = None
        self._background = None
        self._previous: tuple[LivePoint, ...] = ()
        self._y_max = 100.0
        self.png([], [], now_seconds=0.0)  # the first draw loads fonts (slow): now, not during a run

    def reset(self, previous: Sequence[LivePoint] = ()) -> None:
        """Starts a new run; `previous` (the last run's points) is drawn faintly behind it."""
        self._previous = tuple(previous)
        self._y_max = nice_ceiling(max((p.elements_per_second for p in previous), default=80.0) * 1.25)
        self._view = None

    def png(self, points: Sequence[LivePoint], markers: Sequence[Marker], *, now_seconds: float) -> bytes:
        """Returns the plot as PNG bytes: the window ending a little after `now_seconds`.

        Args:
            points: this run's windows so far (`RunProgress.points`).
            markers: this run's settings changes (`RunProgress.markers`).
            now_seconds: seconds since the run started.
        """
        x_max = max(self.window_seconds, math.ceil(now_seconds / self.step_seconds) * self.step_seconds)
        # One step wider than the window once it scrolls, so the last `window_seconds` always show.
        x_min = max(0.0, x_max - self.window_seconds - self.step_seconds)
        shown = [p for p in points if p.seconds >= x_min - 1.0]
        peak = max((p.elements_per_second for p in shown), default=0.0)
        if peak > self._y_max:
            self._y_max = nice_ceiling(peak * 1.6)  # room to grow: each rescale is a full draw
        # Numbered before filtering, so a label keeps its row while older ones scroll out of view.
        shown_markers = tuple((i, m) for i, m in enumerate(markers) if m.seconds >= x_min - 1.0)
        view = (x_min, x_max, self._y_max, shown_markers)
        if view != self._view:
            self._draw_background(view)
        self._canvas.restore_region(self._background)
        seconds = [p.seconds for p in shown]
        self.rate_line.set_data(seconds, [p.elements_per_second for p in shown])
        self.cores_line.set_data(seconds, [p.cores_busy for p in shown])
        for line in (self.rate_line, self.cores_line):
            line.axes.draw_artist(line)
        rgba = np.asarray(self._canvas.buffer_rgba())
        return cv2.imencode(".png", cv2.cvtColor(rgba, cv2.COLOR_RGBA2BGR))[1].tobytes()

    def _make_marker_artists(self, markers: tuple[tuple[int, Marker], ...]) -> None:
        """Makes a dashed line on both plots and a label for each marker (drawn with the background).

        In the background, not redrawn on every update: a label costs about 2 ms to draw.
        """
        for artist in self._marker_artists:
            artist.remove()
        self._marker_artists = []
        for index, marker in markers:
            for ax in (self.rate_ax, self.cores_ax):
                # A Line2D added as is: `axvline` would also re-run autoscaling, 6 ms per line.
                line = Line2D([marker.seconds] * 2, [0, 1], transform=ax.get_xaxis_transform())
                line.set(color=MARKER_COLOUR, linewidth=1.0, linestyle="--")
                self._marker_artists.append(ax.add_artist(line))
            label = self.rate_ax.text(
                marker.seconds,
                0.96 - 0.12 * (index % _MARKER_ROWS),
                f" {marker.label}",
                transform=self.rate_ax.get_xaxis_transform(),
                fontsize=9,
                color=MARKER_COLOUR,
                va="top",
                clip_on=True,
                bbox={"facecolor": "white", "edgecolor": "none", "alpha": 0.8, "pad": 1.0},
            )
            self._marker_artists.append(label)

    def _draw_background(self, view: tuple) -> None:
        """Draws everything but this run's lines and markers, and keeps the picture to draw them on."""
        x_min, x_max, y_max, markers = view
        self._make_marker_artists(markers)
        self.rate_ax.set_xlim(x_min, x_max)
        self.rate_ax.set_ylim(0, y_max)
        previous = [p for p in self._previous if x_min - 1.0 <= p.seconds <= x_max + 1.0]
        self.previous_rate.set_data([p.seconds for p in previous], [p.elements_per_second for p in previous])
        self.previous_cores.set_data([p.seconds for p in previous], [p.cores_busy for p in previous])
        self._canvas.draw()  # animated artists (this run's lines) are left out
        self._background = self._canvas.copy_from_bbox(self.figure.bbox)
        self._view = view
        self.full_draws += 1
