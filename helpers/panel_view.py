"""What the lab panel shows, rendered from a run's state: status lines, tables, the image strip, figures.

    panel_view.running_status(progress.segments(), progress.points(), epochs_done=progress.epochs_done)
    panel_view.segments_html(result.segments)     # one run's segments as a table
    panel_view.strip_jpeg(progress.last_batch)    # the current batch's first images, as JPEG bytes

No widgets: `helpers.widgets.PerformancePanel` puts these strings and bytes into its widgets, so all of it
is testable without ipywidgets (the tqdm model: a pure renderer, a front end that only maps state).
"""

from __future__ import annotations

import html
import io
import math
from collections.abc import Sequence

import cv2
import numpy as np
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from helpers import live_plot, plots, runs, timeline
from helpers.html_table import html_table

__all__ = [
    "MAX_TABLE_ROWS",
    "RedrawnFigure",
    "bar_chart",
    "epoch_bar",
    "history_html",
    "markers_html",
    "result_status",
    "running_status",
    "segments_html",
    "strip_jpeg",
    "timeline_figure",
]

MAX_TABLE_ROWS = 16
"""The panel's segments table shows the newest this many segments."""
_STRIP_IMAGES = 10
_STRIP_PIXELS = 96
_STRIP_GAP_PIXELS = 6
_TABLE_MIN_WIDTH_PX = 820  # narrower windows scroll the table sideways rather than squeeze its columns


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
    """Returns the epoch bar's value (0 to 1) and label: the run's share done, or the current epoch's.

    Args:
        epochs_done: epochs done so far, fractions included.
        epochs: the epochs the run was asked for; `runs.UNTIL_STOP` (0) when it goes on until Stop.
    """
    if epochs:
        return min(1.0, epochs_done / epochs), "run"
    return epochs_done % 1.0, f"epoch {math.floor(epochs_done) + 1}"


def result_status(result: runs.RunResult, *, number: int, stop_latency_seconds: float | None) -> str:
    """Returns the status line of a finished run (HTML-escaped).

    Args:
        result: the run's result.
        number: the run's number in the panel (1 for the first).
        stop_latency_seconds: how long Stop took to end it, said when it was stopped; None if unknown.
    """
    if result.error:
        return f"Run {number} failed: {html.escape(result.error)}"
    ended = ""
    if result.stopped and stop_latency_seconds is not None:
        ended = f" (ended {stop_latency_seconds:.2f} s after Stop)"
    segments = f"{len(result.segments)} segment{'s' if len(result.segments) != 1 else ''}"
    return (
        f"Run {number} {result.status}{ended}: {result.elements:,} elements in {result.seconds:.1f} s, "
        f"{segments}, median {result.median_elements_per_second:,.0f} elements/s"
    )


def segments_html(segments: Sequence[runs.Segment]) -> str:
    """Returns one run's segments (`RunResult.segments`) as an HTML table, one row per segment."""
    rows = runs.segment_rows(segments)
    if not rows:
        return "<i>No segments.</i>"
    return html_table(runs.SEGMENT_COLUMNS, [[_cell(value) for value in row.values()] for row in rows])


def history_html(results: Sequence[runs.RunResult], running: Sequence[runs.Segment] = ()) -> str:
    """Returns the segments of past runs (and of `running`, the current run's) as an HTML table.

    Args:
        results: the finished runs, oldest first (numbered from 1).
        running: the segments so far of a run still going (numbered after `results`).

    Returns:
        The newest `MAX_TABLE_ROWS` segments, a row each, in a box that scrolls sideways when narrow;
        the last segment of a run that did not finish says how it ended.
    """
    runs_shown: list[tuple[Sequence[runs.Segment], str]] = [(r.segments, r.status) for r in results]
    if running:
        runs_shown.append((running, "running"))
    rows = []
    for number, (segments, status) in enumerate(runs_shown, start=1):
        for row in runs.segment_rows(segments):
            cells = [_cell(value) for value in row.values()]
            if row["segment"] == len(segments) and status != "done":
                cells[5] += f" ({status})"  # the median elements/s column
            rows.append([str(number), *cells])
    if not rows:
        return "<i>No runs yet.</i>"
    table = html_table(("run", *runs.SEGMENT_COLUMNS), rows[-MAX_TABLE_ROWS:])
    return (
        f'<div style="overflow-x:auto;font-size:12px">'
        f'<div style="min-width:{_TABLE_MIN_WIDTH_PX}px">{table}</div></div>'
    )


def _cell(value: object) -> str:
    return f"{value:,}" if isinstance(value, int) else str(value)


def markers_html(markers: Sequence[runs.Marker]) -> str:
    """Returns the settings changes of a run as one line of HTML ("" when there were none)."""
    if not markers:
        return ""
    items = " · ".join(f"{m.seconds:.1f} s: {html.escape(m.label)}" for m in markers)
    return f'<span style="color:{live_plot.MARKER_COLOUR}">Changes: {items}</span>'


def strip_jpeg(batch) -> bytes:
    """A row of thumbnails of the first images of a float32 [0, 1] batch, as JPEG bytes.

    JPEG, not PNG: photos encode ten times faster and six times smaller, and every refresh sends them.
    """
    pixels = np.asarray(batch)[:_STRIP_IMAGES]
    # Shrink first, convert after: 16x fewer pixels to scale and round.
    thumbs = [
        (cv2.resize(image, (_STRIP_PIXELS, _STRIP_PIXELS), interpolation=cv2.INTER_AREA) * 255)
        .round()
        .astype(np.uint8)
        for image in pixels
    ]
    gap = np.full((_STRIP_PIXELS, _STRIP_GAP_PIXELS, 3), 255, np.uint8)
    row = np.hstack([part for thumb in thumbs for part in (thumb, gap)][:-1])
    bgr = cv2.cvtColor(row, cv2.COLOR_RGB2BGR)
    return cv2.imencode(".jpg", bgr, [cv2.IMWRITE_JPEG_QUALITY, 85])[1].tobytes()


class RedrawnFigure:
    """One Figure kept and redrawn for every update of an image widget.

    Why: a new Figure per update costs tens of MB of memory over the first hundred updates (allocator
    fragmentation, caches) before it levels off; a kept one levels off at a few MB.
    """

    def __init__(self) -> None:
        self.figure = Figure(dpi=72, layout="constrained")
        self._canvas = FigureCanvasAgg(self.figure)

    def new_axes(self, size_inches: tuple[float, float]) -> Axes:
        self.figure.clear()
        self.figure.set_size_inches(size_inches)
        return self.figure.add_subplot()

    def png(self) -> bytes:
        buffer = io.BytesIO()
        self._canvas.print_png(buffer)
        return buffer.getvalue()


def bar_chart(result: runs.RunResult, *, ax: Axes | None = None) -> Figure:
    """Returns a Figure with one bar per segment of `result`, its median rate."""
    labels = [f"{s.number}: {s.change or 'start'}" for s in result.segments]
    values = [s.median_elements_per_second for s in result.segments]
    return plots.figure_of(plots.run_bars(labels, values, ax=ax, title="Median throughput of each segment"))


def timeline_figure(result: runs.RunResult, *, window_seconds: float, ax: Axes | None = None) -> Figure:
    """Returns the timeline of `result`, `window_seconds` long from its first batch on."""
    # From the first batch's arrival: before it, start-up (building, first decodes) fills the view.
    waits = [e for e in result.events if e.kind == timeline.WAIT]
    start = waits[0].end_seconds if waits else 0.0
    title = f"Timeline: {result.settings.config.describe(pipeline_only=True)}"
    ax = plots.timeline(result.events, ax=ax, start_seconds=start, window_seconds=window_seconds, title=title)
    return plots.figure_of(ax)
