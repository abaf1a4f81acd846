"""The performance lab's panel: change an image pipeline, run it in the background, watch it live.

    panel = widgets.PerformancePanel()
    panel                                                  # end a notebook cell with it to show it
    panel.set(shards=2); panel.run_button.click(); result = panel.wait(60)   # the same, from code

The panel only binds controls to `helpers.pipelines` (the settings) and `helpers.runs.run_pipeline`
(the run). A run works in a background thread, so Stop and every control stay responsive; that thread
only sets widget properties (PNG bytes of an Agg-rendered plot, HTML, a progress bar), a few times a
second, so nothing piles up in the notebook. Changed controls apply to the next run.
"""

from __future__ import annotations

import html
import io
import math
import threading
import time
from collections.abc import Sequence

import cv2
import ipywidgets as w
import numpy as np
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from helpers import measure, pipelines, plots, runs, timeline
from helpers.html_table import html_table

__all__ = ["PRESETS", "PerformancePanel", "RUN_SETTINGS"]

RUN_SETTINGS = ("train_step_ms", "epochs", "live")
"""Settings of a run that are not pipeline settings: `panel.set` accepts these too."""

PRESETS: dict[str, dict[str, object]] = {
    "one image per yield, no prefetch": {
        "yield_mode": "element",
        "prefetch": "off",
        "inject_prefetch": False,
        "shards": 1,
        "decode_threads": 0,
    },
    "one image per yield, prefetch": {
        "yield_mode": "element",
        "prefetch": "autotune",
        "inject_prefetch": True,
        "shards": 1,
        "decode_threads": 0,
    },
    "2 shards, prefetch": {
        "yield_mode": "element",
        "prefetch": "autotune",
        "inject_prefetch": True,
        "shards": 2,
        "decode_threads": 0,
    },
    "batches from 2 decode threads, prefetch": {
        "yield_mode": "batch",
        "prefetch": "autotune",
        "inject_prefetch": True,
        "shards": 1,
        "decode_threads": 2,
    },
}
"""Named groups of settings for the preset menu (and for notebooks: `panel.set(**PRESETS[name])`)."""

STOP_WAIT_SECONDS = 1.0
MAX_BARS = 12
_STRIP_IMAGES = 8
_STRIP_PIXELS = 72
_STYLE = {"description_width": "130px"}
_LAYOUT = w.Layout(width="330px")


def _strip_jpeg(batch) -> bytes:
    """A row of thumbnails of the first images of a float32 [0, 1] batch, as JPEG bytes.

    JPEG, not PNG: photos encode ten times faster and six times smaller, and every refresh sends them.
    """
    pixels = np.asarray(batch)[:_STRIP_IMAGES]  # a view of the tensor's memory, no TensorFlow op
    # Shrink first, convert after: 16x fewer pixels to scale and round.
    thumbs = [
        (cv2.resize(image, (_STRIP_PIXELS, _STRIP_PIXELS), interpolation=cv2.INTER_AREA) * 255)
        .round()
        .astype(np.uint8)
        for image in pixels
    ]
    gap = np.full((_STRIP_PIXELS, 4, 3), 255, np.uint8)
    row = np.hstack([part for thumb in thumbs for part in (thumb, gap)][:-1])
    bgr = cv2.cvtColor(row, cv2.COLOR_RGB2BGR)
    return cv2.imencode(".jpg", bgr, [cv2.IMWRITE_JPEG_QUALITY, 85])[1].tobytes()


class _RedrawnFigure:
    """One Figure kept and redrawn for every update of an image widget.

    Why: a new Figure per update costs tens of MB of memory over the first hundred updates (allocator
    fragmentation, caches) before it levels off; a kept one levels off at a few MB. Fixed margins
    (no layout engine) keep each redraw quick.
    """

    def __init__(self, *, left_inches: float) -> None:
        self.figure = Figure(dpi=72)
        self._canvas = FigureCanvasAgg(self.figure)
        self._left_inches = left_inches

    def new_axes(self, size_inches: tuple[float, float]) -> Axes:
        width, height = size_inches
        self.figure.clear()
        self.figure.set_size_inches(size_inches)
        self.figure.subplots_adjust(
            left=self._left_inches / width,
            right=1 - 0.3 / width,
            bottom=0.5 / height,
            top=1 - 0.3 / height,
        )
        return self.figure.add_subplot()

    def png(self) -> bytes:
        buffer = io.BytesIO()
        self._canvas.print_png(buffer)
        return buffer.getvalue()


class _LivePlot:
    """The live throughput plot, drawn cheaply enough to refresh several times a second during a run.

    Full drawing costs tens of milliseconds (and holds the GIL the generator needs), so the axes are
    drawn only when the data outgrow them (then with room to spare); in between, the saved background
    is restored and only the line is drawn on it ("blitting").
    """

    def __init__(self) -> None:
        self.figure = Figure(figsize=(6.0, 2.2), dpi=72)
        self.figure.subplots_adjust(left=0.13, right=0.97, bottom=0.24, top=0.87)
        self._canvas = FigureCanvasAgg(self.figure)
        self.ax = plots.throughput_over_time([], ax=self.figure.add_subplot())
        self.line = self.ax.lines[-1]
        self._background = None
        self.full_draws = 0
        self._draw_axes(x_max=5.0, y_max=1000.0)

    def reset(self) -> None:
        """Empties the plot for a new run; the y-axis keeps the last run's scale (often about right)."""
        self.line.set_data([], [])
        self._draw_axes(x_max=5.0, y_max=self.ax.get_ylim()[1])

    def final_png(self, series: Sequence[tuple[float, float]]) -> bytes:
        """Draws a finished run with axes fitted to it (the next run starts from this y scale)."""
        times = [t for t, _ in series]
        rates = [r for _, r in series]
        self._draw_axes(x_max=_nice_ceiling(max(times) * 1.1), y_max=_nice_ceiling(max(rates) * 1.25))
        return self.png(series)

    def _draw_axes(self, *, x_max: float, y_max: float) -> None:
        self.ax.set_xlim(0, x_max)
        self.ax.set_ylim(0, y_max)
        self.line.set_visible(False)
        self._canvas.draw()
        self._background = self._canvas.copy_from_bbox(self.ax.bbox)
        self.line.set_visible(True)
        self.full_draws += 1

    def png(self, series: Sequence[tuple[float, float]]) -> bytes:
        times = [t for t, _ in series]
        rates = [r for _, r in series]
        x_max, y_max = self.ax.get_xlim()[1], self.ax.get_ylim()[1]
        if times and (times[-1] > x_max or max(rates) > y_max):
            self._draw_axes(
                x_max=x_max if times[-1] <= x_max else _nice_ceiling(times[-1] * 1.5),
                y_max=y_max if max(rates) <= y_max else _nice_ceiling(max(rates) * 1.25),
            )
        self._canvas.restore_region(self._background)
        self.line.set_data(times, rates)
        self.ax.draw_artist(self.line)
        rgba = np.asarray(self._canvas.buffer_rgba())
        return cv2.imencode(".png", cv2.cvtColor(rgba, cv2.COLOR_RGBA2BGR))[1].tobytes()


def _nice_ceiling(value: float) -> float:
    """The smallest of 1, 2, 5, 10, 20, 50, ... that is at least `value`."""
    scale = 10 ** math.floor(math.log10(value)) if value > 0 else 1.0
    return next(step * scale for step in (1, 2, 5, 10) if step * scale >= value)


def _control_widgets(
    config: pipelines.PipelineConfig, *, train_step_ms: int, epochs: int, live: bool
) -> dict[str, w.ValueWidget]:
    def dropdown(options, value, description):
        options = sorted({*options, value}) if all(isinstance(o, int) for o in options) else options
        return w.Dropdown(options=options, value=value, description=description)

    controls = {
        "data": w.Dropdown(
            options=[("sample photos", "samples"), ("benchmark JPEGs", "benchmark")],
            value=config.data,
            description="data",
        ),
        "image_count": dropdown([64, 128, 256, 512, 1000], config.image_count, "images per epoch"),
        "image_size": dropdown([64, 128, 224, 320], config.image_size, "image size (px)"),
        "batch_size": dropdown([8, 16, 32, 64, 128, 256], config.batch_size, "batch size"),
        "yield_mode": w.ToggleButtons(
            options=[("per element", "element"), ("per batch", "batch")],
            value=config.yield_mode,
            description="yield",
        ),
        "shards": w.IntSlider(value=config.shards, min=1, max=8, description="generator shards"),
        "decode_threads": w.IntSlider(
            value=config.decode_threads, min=0, max=8, description="decode threads"
        ),
        "opencv_threads": w.Dropdown(
            options=[("default", 0), ("1", 1), ("2", 2), ("4", 4)],
            value=config.opencv_threads,
            description="OpenCV threads",
        ),
        "prefetch": w.ToggleButtons(
            options=[("off", "off"), ("1", "1"), ("AUTOTUNE", "autotune")],
            value=config.prefetch,
            description="prefetch",
        ),
        "inject_prefetch": w.Checkbox(value=config.inject_prefetch, description="tf.data auto-prefetch"),
        "augment": w.Checkbox(value=config.augment, description="augment"),
        "cache": w.Checkbox(value=config.cache, description="cache"),
        "train_step_ms": w.IntSlider(
            value=train_step_ms, min=0, max=200, step=5, description="train step (ms)"
        ),
        "epochs": w.IntSlider(value=epochs, min=1, max=5, description="epochs"),
        "live": w.Checkbox(value=live, description="live plot and images"),
    }
    for control in controls.values():
        if isinstance(control, w.ToggleButtons):
            # Buttons as wide as their labels, so "per element" and "AUTOTUNE" are not cut short.
            control.style = {"description_width": "70px", "button_width": "auto"}
        else:
            control.style = _STYLE
        control.layout = w.Layout(width="330px")
    return controls


class PerformancePanel:
    """Controls for an image pipeline, Run/Stop/Clear buttons, live throughput, past runs, a timeline.

    Attributes:
        controls: the input widgets by name: every `pipelines.PipelineConfig` field except `seed`,
            plus `train_step_ms`, `epochs` and `live` (live plot and images on or off).
        run_button, stop_button, clear_button: the buttons (`.click()` them from code).
        results: the finished runs (`runs.RunResult`), oldest first.
        stop_latency_seconds: how long the last Stop took to end its run, or None.
        refresh_times: `time.perf_counter()` at the start of each live refresh of the last run.
        refresh_cpu_seconds: CPU time each of those refreshes used (drawing included).
        widget: the panel's top widget (a VBox).
    """

    def __init__(
        self,
        config: pipelines.PipelineConfig | None = None,
        *,
        train_step_ms: int = 10,
        epochs: int = 1,
        live: bool = True,
        refresh_seconds: float = 0.45,
        timeline_seconds: float = 2.0,
    ) -> None:
        """Builds the widgets (nothing is displayed: show `panel` or `panel.widget`).

        Args:
            config: the initial settings; `PipelineConfig()` when None.
            train_step_ms: the initial simulated training step, in milliseconds.
            epochs: the initial number of epochs per run.
            live: start with the live plot and image strip on.
            refresh_seconds: time between live refreshes while running.
            timeline_seconds: length of the timeline shown after a run, in seconds.
        """
        config = config or pipelines.PipelineConfig()
        self.refresh_seconds = refresh_seconds
        self.timeline_seconds = timeline_seconds
        self._seed = config.seed
        self.controls = _control_widgets(config, train_step_ms=train_step_ms, epochs=epochs, live=live)
        self.preset = w.Dropdown(
            options=[("choose a preset...", "")] + [(name, name) for name in PRESETS],
            value="",
            description="preset",
            style=_STYLE,
            layout=_LAYOUT,
        )
        self.preset.observe(self._apply_preset, names="value")
        self.run_button = w.Button(description="Run", button_style="success", icon="play")
        self.stop_button = w.Button(description="Stop", button_style="danger", icon="stop", disabled=True)
        self.clear_button = w.Button(description="Clear runs", icon="trash")
        self.run_button.on_click(lambda _button: self.start())
        self.stop_button.on_click(lambda _button: self.stop())
        self.clear_button.on_click(lambda _button: self.clear())
        self.progress = w.FloatProgress(value=0.0, min=0.0, max=1.0, description="progress")
        self.status = w.HTML(value="Ready. Choose settings and press Run.")
        self.plot_image = w.Image(format="png", layout=w.Layout(width="432px"))
        self.strip_image = w.Image(format="jpeg")
        self.history = w.HTML()
        self.bars_image = w.Image(format="png", layout=w.Layout(width="432px"))
        self.timeline_image = w.Image(format="png", layout=w.Layout(width="504px"))
        self.results: list[runs.RunResult] = []
        self.stop_latency_seconds: float | None = None
        self.refresh_times: list[float] = []
        self.refresh_cpu_seconds: list[float] = []
        self._live_plot = _LivePlot()
        self._bars_figure = _RedrawnFigure(left_inches=0.5)
        self._timeline_figure = _RedrawnFigure(left_inches=0.9)
        self._runner = runs.PipelineRunner()
        self._worker: threading.Thread | None = None
        self._stop_event = threading.Event()
        self._stop_requested_at: float | None = None
        names = list(self.controls)
        half = (len(names) + 1) // 2
        columns = w.HBox(
            [
                w.VBox([self.preset, *(self.controls[n] for n in names[:half])]),
                w.VBox([self.controls[n] for n in names[half:]]),
            ]
        )
        buttons = w.HBox([self.run_button, self.stop_button, self.clear_button, self.progress])
        self.widget = w.VBox(
            [
                w.HTML("<b>from_generator performance lab</b>"),
                columns,
                buttons,
                self.status,
                self.plot_image,
                self.strip_image,
                w.HTML("<b>Past runs</b>"),
                self.history,
                self.bars_image,
                w.HTML("<b>Timeline of the last run</b>"),
                self.timeline_image,
            ]
        )
        # Stable CSS classes, so browser tests (and custom styles) can find the parts.
        for widget, css_class in (
            (self.widget, "fglab-panel"),
            (self.status, "fglab-status"),
            (self.plot_image, "fglab-live-plot"),
            (self.strip_image, "fglab-strip"),
            (self.history, "fglab-history"),
            (self.bars_image, "fglab-bars"),
            (self.timeline_image, "fglab-timeline"),
        ):
            widget.add_class(css_class)
        self._show_history()

    def _repr_mimebundle_(self, **kwargs) -> dict:
        bundle = self.widget._repr_mimebundle_(**kwargs)
        # The widget's own text form lists every property (PNG bytes included); keep text output stable.
        bundle["text/plain"] = "PerformancePanel (open the notebook in JupyterLab to use it)"
        return bundle

    # --- settings -------------------------------------------------------------------------------

    def config(self) -> pipelines.PipelineConfig:
        """Returns the pipeline settings the controls show now.

        Raises:
            ValueError: a setting is out of range.
        """
        names = [n for n in self.controls if n not in RUN_SETTINGS]
        return pipelines.PipelineConfig(seed=self._seed, **{n: self.controls[n].value for n in names})

    def set(self, **values) -> PerformancePanel:
        """Sets controls by name (pipeline settings, `train_step_ms`, `epochs`, `live`).

        Returns:
            The panel, so calls can be chained.

        Raises:
            KeyError: an unknown name.
        """
        for name, value in values.items():
            if name not in self.controls:
                raise KeyError(f"no control named {name!r}; there are {sorted(self.controls)}")
            control = self.controls[name]
            options = _option_values(control) if isinstance(control, w.Dropdown) else []
            if options and value not in options and all(type(o) is int for o in control.options):
                control.options = sorted({*options, value})
            control.value = value
        return self

    def _apply_preset(self, change) -> None:
        if change["new"]:
            self.set(**PRESETS[change["new"]])

    # --- running --------------------------------------------------------------------------------

    @property
    def running(self) -> bool:
        return self._worker is not None and self._worker.is_alive()

    @property
    def last_result(self) -> runs.RunResult | None:
        return self.results[-1] if self.results else None

    def start(self) -> bool:
        """Starts a run with the current settings in a background thread (what Run does).

        Returns:
            False (and says why in the status line) when a run is still going or a setting is invalid.
        """
        if self.running:
            self._set_status("A run is still going: press Stop first.", colour="#b36b00")
            return False
        try:
            config = self.config()
        except ValueError as exc:
            self._set_status(f"Cannot run: {exc}", colour="#b3261e")
            return False
        settings = {name: self.controls[name].value for name in RUN_SETTINGS}
        self._stop_event = threading.Event()
        self._stop_requested_at = None
        self.refresh_times = []
        self.refresh_cpu_seconds = []
        self._live_plot.reset()
        self.run_button.disabled, self.stop_button.disabled = True, False
        self.progress.value = 0.0
        self.progress.bar_style = ""
        self._set_status(f"Starting: {html.escape(config.describe())}")
        self._worker = threading.Thread(
            target=self._work, args=(config, settings), name="performance-lab-run", daemon=True
        )
        self._worker.start()
        return True

    def stop(self) -> bool:
        """Asks the running run to stop (what Stop does) and waits up to `STOP_WAIT_SECONDS` for it.

        Returns:
            True when the run has ended (or none was running).
        """
        if not self.running:
            return True
        self._stop_requested_at = time.perf_counter()
        self._stop_event.set()
        self.stop_button.disabled = True
        self._worker.join(timeout=STOP_WAIT_SECONDS)
        if self._worker.is_alive():
            self._set_status("Stopping: waiting for the current batch to finish...", colour="#b36b00")
            return False
        return True

    def wait(self, timeout_seconds: float = 60.0) -> runs.RunResult | None:
        """Waits for the current run to end and returns its result (None if it failed to produce one).

        Raises:
            TimeoutError: the run is still going after `timeout_seconds`.
        """
        if self._worker is not None:
            self._worker.join(timeout=timeout_seconds)
            if self._worker.is_alive():
                raise TimeoutError(f"the run is still going after {timeout_seconds:g} s")
        return self.last_result

    def clear(self) -> None:
        """Forgets the past runs (what Clear does)."""
        self.results.clear()
        self._show_history()
        self.timeline_image.value = b""

    def close(self) -> None:
        """Stops a run, waits for it, and closes every widget of the panel."""
        if self.running:
            self._stop_event.set()
            self._worker.join(timeout=10)
        _close_tree(self.widget)

    def _work(self, config: pipelines.PipelineConfig, settings: dict[str, object]) -> None:
        progress = runs.RunProgress(config.image_count * int(settings["epochs"]))
        finished = threading.Event()
        refresher = threading.Thread(
            target=self._refresh_loop,
            args=(progress, finished, bool(settings["live"])),
            name="performance-lab-refresh",
            daemon=True,
        )
        refresher.start()
        result = None
        try:
            result = self._runner.run(
                config,
                epochs=int(settings["epochs"]),
                train_step_ms=float(settings["train_step_ms"]),
                stop_event=self._stop_event,
                progress=progress,
                recorder=timeline.TimelineRecorder(),
            )
        except Exception as exc:  # noqa: BLE001 - shown in the panel, never lost in a thread
            self._set_status(f"Failed: {html.escape(runs.describe_error(exc))}", "#b3261e")
        finally:
            finished.set()
            refresher.join()
            if self._stop_requested_at is not None:
                self.stop_latency_seconds = time.perf_counter() - self._stop_requested_at
            try:
                self._refresh(progress, live=bool(settings["live"]), final=True)
                if result is not None:
                    self.results.append(result)
                    self._show_result(result)
            except Exception as exc:  # noqa: BLE001
                self._set_status(f"Failed: {html.escape(runs.describe_error(exc))}", "#b3261e")
            self.run_button.disabled, self.stop_button.disabled = False, True

    def _refresh_loop(self, progress: runs.RunProgress, finished: threading.Event, live: bool) -> None:
        while not finished.wait(self.refresh_seconds):
            try:
                self._refresh(progress, live=live)
            except Exception as exc:  # noqa: BLE001 - a failed refresh must not end the run
                self._set_status(f"Display error: {html.escape(str(exc))}", "#b3261e")

    def _refresh(self, progress: runs.RunProgress, *, live: bool, final: bool = False) -> None:
        """Shows the run's progress; `final` (after the run) leaves the plot to `_show_result`."""
        started, cpu_started = time.perf_counter(), time.thread_time()
        samples = progress.samples()
        total = max(1, progress.total_elements)
        self.progress.value = min(1.0, progress.elements / total)
        series = list(zip(*measure.throughput_series(samples), strict=True))
        rate = f", {series[-1][1]:,.0f} elements/s" if series else ""
        self._set_status(f"Running: {progress.elements:,} of {total:,} elements{rate}")
        if live and series and not final:
            self.plot_image.value = self._live_plot.png(series)
        if live and progress.last_batch is not None:
            self.strip_image.value = _strip_jpeg(progress.last_batch)
        if not final:
            self.refresh_times.append(started)
            self.refresh_cpu_seconds.append(time.thread_time() - cpu_started)

    # --- showing results ------------------------------------------------------------------------

    def _set_status(self, text: str, colour: str = "#333") -> None:
        self.status.value = f'<span style="color:{colour}">{text}</span>'

    def _show_result(self, result: runs.RunResult) -> None:
        number = len(self.results)
        if result.error:
            self.progress.bar_style = "danger"
            self._set_status(f"Run {number} failed: {html.escape(result.error)}", "#b3261e")
        else:
            self.progress.bar_style = "success" if not result.stopped else "warning"
            ended = ""
            if result.stopped and self.stop_latency_seconds is not None:
                ended = f" (ended {self.stop_latency_seconds:.2f} s after Stop)"
            self._set_status(
                f"Run {number} {result.status}{ended}: {result.elements:,} elements in "
                f"{result.seconds:.1f} s, median {result.median_elements_per_second:,.0f} elements/s"
            )
        if result.series:
            self.plot_image.value = self._live_plot.final_png(result.series)
        self._show_history()
        if result.events:
            ax = self._timeline_figure.new_axes((7.0, 1.2 + 0.45 * len(_lanes(result))))
            self.timeline_figure(result, ax=ax)
            self.timeline_image.value = self._timeline_figure.png()

    def _show_history(self) -> None:
        self.history.value = self.history_html()
        if self.results:
            shown = min(len(self.results), MAX_BARS)
            self.bar_chart(ax=self._bars_figure.new_axes((6.0, 0.7 + 0.3 * shown)))
            self.bars_image.value = self._bars_figure.png()
        else:
            self.bars_image.value = b""

    def history_html(self) -> str:
        """Returns the past runs as an HTML table: number, settings, training step, result."""
        if not self.results:
            return "<i>No runs yet.</i>"
        rows = []
        for number, result in enumerate(self.results, start=1):
            median = f"{result.median_elements_per_second:,.0f}"
            if result.status != "done":
                median += f" ({result.status})"
            rows.append(
                (
                    number,
                    result.config.describe(),
                    f"{result.train_step_ms:g} ms",
                    result.epochs,
                    f"{result.elements:,}",
                    median,
                )
            )
        return html_table(("#", "settings", "train step", "epochs", "elements", "median elements/s"), rows)

    def bar_chart(self, *, ax: Axes | None = None) -> Figure:
        """Returns a Figure with one bar per run (median elements/s), the last `MAX_BARS` runs."""
        first = max(0, len(self.results) - MAX_BARS)
        labels = [f"#{n}" for n in range(first + 1, len(self.results) + 1)]
        values = [r.median_elements_per_second for r in self.results[first:]]
        return plots.run_bars(labels, values, ax=ax).figure

    def timeline_figure(self, result: runs.RunResult | None = None, *, ax: Axes | None = None) -> Figure:
        """Returns the timeline of `result` (default: the last run), from its first batch on."""
        result = result or self.last_result
        if result is None:
            raise ValueError("no run yet: press Run first")
        # From the first batch's arrival: before it, start-up (building, first decodes) fills the view.
        waits = [e for e in result.events if e.kind == timeline.WAIT]
        start = waits[0].end_seconds if waits else 0.0
        title = f"Timeline: {result.config.describe().split(' · OpenCV')[0]}"
        ax = plots.timeline(
            result.events,
            ax=ax,
            start_seconds=start,
            window_seconds=self.timeline_seconds,
            title=title,
        )
        return ax.figure


def _lanes(result: runs.RunResult) -> set[str]:
    return {event.lane for event in result.events}


def _option_values(dropdown: w.Dropdown) -> list:
    return [option[1] if isinstance(option, tuple) else option for option in dropdown.options]


def _close_tree(widget: w.Widget) -> None:
    for child in getattr(widget, "children", ()):
        _close_tree(child)
    widget.close()
