"""What the lab panel shows, rendered from a run's state: status lines, the segments table, the image strip,
the live plot and the figures.

    panel_view.history_html(panel.results, progress.segments())   # every segment of every run, a table
    png = panel_view.LivePlot(cores=2).png(progress.points(), progress.segments(), now_seconds=12.5)

No widgets: `helpers.widgets.PerformancePanel` puts these strings and bytes into its widgets, so all of it is
testable without ipywidgets (the tqdm model: a pure renderer, a front end that only maps state).
"""

from __future__ import annotations

import html
import io
import math
from collections.abc import Sequence

import cv2
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from helpers import plots, runs, timeline
from helpers.html_table import html_table

__all__ = [
    "LivePlot",
    "bar_chart",
    "epoch_bar",
    "history_html",
    "markers_html",
    "result_status",
    "running_status",
    "strip_jpeg",
    "timeline_png",
]

_PLOT_SECONDS = 30.0  # the live plot shows the last this many seconds of a run
_STEP_SECONDS = 5.0  # the live plot scrolls in steps this long
_RATE, _CORES, _PREVIOUS, _MARKER = "#1f77b4", "#d9730d", "#9a9a9a", "#6b3fa0"  # the live plot's colours
_MARKER_ROWS = 3  # labels of changes close together are stacked in this many rows
_TABLE_ROWS = 16  # the segments table shows the newest this many
_TABLE_MIN_WIDTH_PX = 820  # narrower windows scroll the table sideways rather than squeeze its columns
_COLUMNS = (
    "run",
    "segment",
    "change",
    "settings",
    "seconds",
    "elements",
    "median elements/s",
    "cores busy",
    "CPU ms per element",
)
_STRIP_IMAGES, _STRIP_PIXELS, _STRIP_GAP_PIXELS = 10, 96, 6


def running_status(
    segments: Sequence[runs.Segment], points: Sequence[runs.LivePoint], *, epochs_done: float
) -> str:
    """Returns the status line of a running run: segment, epoch, latest elements/s and cores busy."""
    if not segments:
        return "Starting..."
    segment = segments[-1]
    change = f" ({html.escape(segment.change)})" if segment.change else ""
    parts = [f"Running: segment {segment.number}{change}", f"epoch {math.floor(epochs_done) + 1}"]
    parts.append(f"{segment.elements:,} elements")
    if points:
        parts += [
            f"{points[-1].elements_per_second:,.0f} elements/s",
            f"{points[-1].cores_busy:.1f} cores busy",
        ]
    return " · ".join(parts)


def epoch_bar(epochs_done: float, *, epochs: int) -> tuple[float, str]:
    """Returns the epoch bar's value (0 to 1) and label: the run's share done, or with `epochs`
    `runs.UNTIL_STOP` the current epoch's."""
    if epochs:
        return min(1.0, epochs_done / epochs), "run"
    return epochs_done % 1.0, f"epoch {math.floor(epochs_done) + 1}"


def result_status(result: runs.RunResult, *, number: int, stop_latency_seconds: float | None) -> str:
    """Returns the status line of run `number` once it ended, with how long Stop took if it was stopped."""
    if result.error:
        return f"Run {number} failed: {html.escape(result.error)}"
    stopped = result.stopped and stop_latency_seconds is not None
    ended = f" (ended {stop_latency_seconds:.2f} s after Stop)" if stopped else ""
    segments = f"{len(result.segments)} segment{'s' if len(result.segments) != 1 else ''}"
    return (
        f"Run {number} {result.status}{ended}: {result.elements:,} elements in {result.seconds:.1f} s, "
        f"{segments}, median {result.median_elements_per_second:,.0f} elements/s"
    )


def history_html(results: Sequence[runs.RunResult], running: Sequence[runs.Segment] = ()) -> str:
    """Returns the segments of past runs, then those of `running` (the current run's so far), as a table.

    The newest segments, a row each, in a box that scrolls sideways when narrow; the last segment of a
    run that did not finish says how it ended. The last column, CPU time per element, depends far less
    than elements/s on what else the machine does.
    """
    shown = [(result.segments, result.status) for result in results] + [(running, "running")]
    rows = [
        [
            number,
            f"{s.number}",
            s.change or "(start)",
            f"{s.config.describe()} · train step {s.train_step_ms:g} ms",
            f"{s.seconds:.1f}",
            f"{s.elements:,}",
            f"{s.median_elements_per_second:,.0f}"
            + (f" ({status})" if s is segments[-1] and status != "done" else ""),
            f"{s.cores_busy:.2f}",
            f"{s.cpu_seconds_per_element * 1000:.3f}",
        ]
        for number, (segments, status) in enumerate(shown, start=1)
        for s in segments
    ]
    if not rows:
        return "<i>No runs yet.</i>"
    table = html_table(_COLUMNS, rows[-_TABLE_ROWS:])
    return (
        f'<div style="overflow-x:auto;font-size:12px">'
        f'<div style="min-width:{_TABLE_MIN_WIDTH_PX}px">{table}</div></div>'
    )


def markers_html(segments: Sequence[runs.Segment]) -> str:
    """Returns the settings changes of a run (its segments after the first) as one line of HTML."""
    if len(segments) < 2:
        return ""
    items = " · ".join(f"{s.start_seconds:.1f} s: {html.escape(s.change)}" for s in segments[1:])
    return f'<span style="color:{_MARKER}">Changes: {items}</span>'


def strip_jpeg(batch) -> bytes:
    """A row of thumbnails of the first images of a float32 [0, 1] batch, as JPEG bytes.

    JPEG, not PNG: photos encode ten times faster and six times smaller, and every refresh sends them.
    """
    # Shrink first, convert after: 16x fewer pixels to scale and round.
    thumbs = [
        (cv2.resize(image, (_STRIP_PIXELS, _STRIP_PIXELS), interpolation=cv2.INTER_AREA) * 255).round()
        for image in np.asarray(batch)[:_STRIP_IMAGES]
    ]
    gap = np.full((_STRIP_PIXELS, _STRIP_GAP_PIXELS, 3), 255.0)
    row = np.hstack([part for thumb in thumbs for part in (thumb, gap)][:-1]).astype(np.uint8)
    _ok, jpeg = cv2.imencode(".jpg", cv2.cvtColor(row, cv2.COLOR_RGB2BGR), [cv2.IMWRITE_JPEG_QUALITY, 85])
    return jpeg.tobytes()


def bar_chart(result: runs.RunResult) -> Figure:
    """Returns a Figure with one bar per segment of `result`, its median elements/s, the first on top."""
    segments = result.segments
    figure = Figure(figsize=(6.0, 0.5 + 0.4 * max(1, len(segments))), layout="constrained")
    ax = figure.add_subplot()
    values = [s.median_elements_per_second for s in segments]
    bars = ax.barh(range(len(segments)), values, color=_RATE)
    ax.bar_label(bars, labels=[f"{value:,.0f}" for value in values], fontsize=8, padding=2)
    ax.set_yticks(
        range(len(segments)), labels=[f"{s.number}: {s.change or 'start'}" for s in segments], fontsize=8
    )
    ax.invert_yaxis()
    ax.margins(x=0.15)
    ax.set_xlabel("elements/s")
    ax.set_title("Median throughput of each segment", fontsize=10)
    return figure


def timeline_png(result: runs.RunResult, figure: Figure, *, window_seconds: float) -> bytes:
    """Draws the timeline of `result` on `figure`, `window_seconds` from its first batch on, as PNG bytes.

    From the first batch's arrival: before it, start-up (building, first decodes) would fill the view.
    The panel keeps one `figure` for every run: a new one each time costs memory that stays taken.
    """
    waits = [event.end_seconds for event in result.events if event.kind == timeline.WAIT]
    figure.clear()
    figure.set_size_inches(7.0, 1.2 + 0.45 * len({event.lane for event in result.events}))
    title, start = f"Timeline: {result.settings.config.describe()}", min(waits, default=0.0)
    plots.timeline(
        result.events,
        ax=figure.add_subplot(),
        start_seconds=start,
        window_seconds=window_seconds,
        title=title,
    )
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


def _nice_ceiling(value: float) -> float:
    """The smallest of 1, 2, 5, 10, 20, 50, ... that is at least `value`."""
    scale = 10 ** math.floor(math.log10(value)) if value > 0 else 1.0
    return next(step * scale for step in (1, 2, 5, 10) if step * scale >= value)


class LivePlot:
    """Elements/s (top) and cores busy (bottom) over the last 30 seconds of a run, changes marked, the
    previous run drawn faintly behind.

    Drawing holds the GIL the generator needs, so it must stay cheap: the axes, the previous run and the
    change markers are drawn in full only when the view changes (it scrolls in steps, a change is marked,
    the data outgrow the y-axis); otherwise the saved background is restored and only this run's two
    lines are drawn on it ("blitting"), and OpenCV encodes the PNG.

    Attributes:
        full_draws: how many times the whole figure was drawn (the rest were quick redraws).
    """

    def __init__(self, *, cores: int) -> None:
        self.full_draws = 0
        self.figure = Figure(figsize=(11.0, 3.4), dpi=80)
        self.figure.subplots_adjust(left=0.07, right=0.985, bottom=0.13, top=0.91, hspace=0.12)
        self._canvas = FigureCanvasAgg(self.figure)
        self.rate_ax, self.cores_ax = self.figure.subplots(2, 1, sharex=True, height_ratios=(2.6, 1.0))
        self.previous_rate = self.rate_ax.plot(
            [], [], color=_PREVIOUS, lw=1.2, alpha=0.55, label="previous run"
        )[0]
        self.rate_line = self.rate_ax.plot([], [], color=_RATE, lw=1.8, marker=".", ms=4, label="this run")[0]
        self.previous_cores = self.cores_ax.plot([], [], color=_PREVIOUS, lw=1.0, alpha=0.55)[0]
        self.cores_line = self.cores_ax.plot([], [], color=_CORES, lw=1.6)[0]
        # Above the plot, where neither the lines nor the change labels go.
        handles = [self.rate_line, self.previous_rate]
        self.figure.legend(handles=handles, loc="upper right", ncols=2, fontsize=8, frameon=False)
        self.rate_line.set_animated(True)  # after the legend, so its copy of the line is drawn
        self.cores_line.set_animated(True)
        self.rate_ax.set_ylabel("elements/s")
        self.rate_ax.tick_params(labelbottom=False)
        self.cores_ax.axhline(max(1, cores), color=_CORES, lw=0.8, ls="--", alpha=0.6)
        self.cores_ax.set(ylim=(0, max(1, cores) * 1.25), ylabel="cores busy", xlabel="seconds since Run")
        for ax in (self.rate_ax, self.cores_ax):
            ax.grid(alpha=0.3)
        self._markers: list = []
        self._view: tuple | None = None
        self._background = None
        self.reset()
        self.png([], [], now_seconds=0.0)  # the first draw loads fonts (slow): now, not during a run

    def reset(self, previous: Sequence[runs.LivePoint] = ()) -> None:
        """Starts a new run; `previous` (the last run's points) is drawn faintly behind it."""
        self._previous = tuple(previous)
        self._y_max = _nice_ceiling(max((p.elements_per_second for p in previous), default=80.0) * 1.25)
        self._view = None

    def png(
        self, points: Sequence[runs.LivePoint], segments: Sequence[runs.Segment], *, now_seconds: float
    ) -> bytes:
        """Returns the plot of a run's `points` and the changes that began its `segments`, as PNG bytes:
        the view ends a little after `now_seconds` (seconds since the run started)."""
        x_max = max(_PLOT_SECONDS, math.ceil(now_seconds / _STEP_SECONDS) * _STEP_SECONDS)
        # One step wider than the plot's 30 s once it scrolls, so the last 30 s always show.
        x_min = max(0.0, x_max - _PLOT_SECONDS - _STEP_SECONDS)
        shown = [p for p in points if p.seconds >= x_min - 1.0]
        peak = max((p.elements_per_second for p in shown), default=0.0)
        if peak > self._y_max:
            self._y_max = _nice_ceiling(peak * 1.6)  # room to grow: each rescale is a full draw
        # Numbered before filtering, so a label keeps its row while older ones scroll out of view.
        markers = [(i, s.start_seconds, s.change) for i, s in enumerate(segments[1:])]
        view = (x_min, x_max, self._y_max, tuple(m for m in markers if m[1] >= x_min - 1.0))
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

    def _draw_background(self, view: tuple) -> None:
        """Draws everything but this run's lines, and keeps the picture to draw them on."""
        x_min, x_max, y_max, markers = view
        for artist in self._markers:
            artist.remove()
        self._markers = []
        for index, seconds, label in markers:  # in the background: a label costs about 2 ms to draw
            for ax in (self.rate_ax, self.cores_ax):
                # A Line2D added as is: `axvline` would also re-run autoscaling, 6 ms per line.
                line = Line2D(
                    [seconds] * 2, [0, 1], transform=ax.get_xaxis_transform(), color=_MARKER, lw=1.0, ls="--"
                )
                self._markers.append(ax.add_artist(line))
            text = self.rate_ax.text(
                seconds,
                0.96 - 0.12 * (index % _MARKER_ROWS),
                f" {label}",
                transform=self.rate_ax.get_xaxis_transform(),
                fontsize=9,
                color=_MARKER,
                va="top",
                clip_on=True,
                bbox={"facecolor": "white", "edgecolor": "none", "alpha": 0.8, "pad": 1.0},
            )
            self._markers.append(text)
        self.rate_ax.set(xlim=(x_min, x_max), ylim=(0, y_max))
        previous = [p for p in self._previous if x_min - 1.0 <= p.seconds <= x_max + 1.0]
        self.previous_rate.set_data([p.seconds for p in previous], [p.elements_per_second for p in previous])
        self.previous_cores.set_data([p.seconds for p in previous], [p.cores_busy for p in previous])
        self._canvas.draw()  # animated artists (this run's lines) are left out
        self._background = self._canvas.copy_from_bbox(self.figure.bbox)
        self._view = view
        self.full_draws += 1
