"""The performance lab's panel: run a notebook's pipeline in the background, change it while it runs, watch.

    panel = widgets.PerformancePanel(lab_pipeline)         # lab_pipeline(config, watch) -> tf.data.Dataset
    panel                                                  # end a notebook cell with it to show it
    panel.run_button.click(); panel.wait_segment(2)        # the same, from code: a run until Stop...
    panel.set(yield_mode="batch"); panel.wait_segment(2)   # ...changed while it goes (a new segment)
    panel.stop_button.click(); result = panel.wait(30)     # result.segments: one per set of settings

The panel only maps state onto widgets: `runs.Runner` runs the pipeline (its segments, live changes,
Stop and timeline), `live_plot` draws the plot and `panel_view` renders text, tables and images; none
of them imports ipywidgets. A run works in a background thread, so Stop and every control stay
responsive; a second thread only sets widget properties (PNG and JPEG bytes, HTML, a progress bar), a
few times a second, so nothing piles up in the notebook.
"""

from __future__ import annotations

import html
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, fields

import ipywidgets as w
from matplotlib.figure import Figure

from helpers import live_plot, measure, messages, panel_view, pipelines, runs, timeline

__all__ = ["CONTROL_GROUPS", "PRESETS", "RUN_SETTINGS", "STOP_WAIT_SECONDS", "PerformancePanel"]

STOP_WAIT_SECONDS = 1.0
_RED, _AMBER = "#b3261e", "#b36b00"
_MENUS: dict[str, tuple[str, list[tuple[str, object]], list[int]]] = {  # label, named choices, numbers
    "data": (
        "data",
        [("sample photos", "samples"), ("JPEGs 640×480", "benchmark"), ("small JPEGs 160×120", "small")],
        [],
    ),
    "image_count": ("images per epoch", [], [64, 128, 256, 512, 1000]),
    "image_size": ("image size (px)", [], [64, 128, 224, 320]),
    "batch_size": ("batch size", [], [8, 16, 32, 64, 128, 256]),
    "epochs": ("epochs", [("until Stop", runs.UNTIL_STOP)], [1, 2, 3, 5, 10]),
}
_BUTTONS = {
    "yield_mode": ("yield", [("per element", "element"), ("per batch", "batch")]),
    "prefetch": ("prefetch", [("off", "off"), ("1", "1"), ("AUTOTUNE", "autotune")]),
}
_SLIDERS = {"shards": ("shards", 1, 8, 1), "decode_threads": ("decode threads", 0, 8, 1)}
_SLIDERS["train_step_ms"] = ("train step (ms)", 0, 200, 5)
_CHECKBOXES = {"augment": "augment", "inject_prefetch": "auto-prefetch", "live": "live plot, images"}
RUN_SETTINGS = ("train_step_ms", "epochs", "live")
"""The controls that set the run, not the pipeline (`panel.set` takes them too)."""

CONTROL_GROUPS = (
    ("1 · data", "what is read", ("data", "image_count", "image_size")),
    (
        "2 · generator",
        "Python, inside from_generator",
        ("yield_mode", "batch_size", "shards", "decode_threads", "augment"),
    ),
    ("3 · tf.data", "after the generator", ("prefetch", "inject_prefetch")),
    ("4 · consumer", "the training loop", ("train_step_ms", "epochs", "live")),
)
"""The controls in the order data flows through the pipeline: (heading, what it is, control names)."""


def _production(yield_mode: str, prefetch: str, *, shards: int = 1, decode_threads: int = 0) -> dict:
    """A preset: every setting of how images are produced, so presets do not depend on each other."""
    return {
        "yield_mode": yield_mode,
        "prefetch": prefetch,
        "inject_prefetch": prefetch != "off",
        "shards": shards,
        "decode_threads": decode_threads,
    }


PRESETS: dict[str, dict[str, object]] = {
    "one image per yield, no prefetch": _production("element", "off"),
    "one image per yield, prefetch": _production("element", "autotune"),
    "2 shards, prefetch": _production("element", "autotune", shards=2),
    "batches from 2 decode threads, prefetch": _production("batch", "autotune", decode_threads=2),
}
"""Named groups of settings for the preset menu (and for notebooks: `panel.set(**PRESETS[name])`)."""


def _control(name: str, value: object) -> w.ValueWidget:
    """The widget for control `name`, starting at `value` (a menu gains a number it lacks)."""
    style, layout = {"description_width": "128px"}, {"width": "340px"}
    if name in _MENUS:
        control = w.Dropdown(options=_menu_options(name, value), value=value, description=_MENUS[name][0])
    elif name in _BUTTONS:
        label, options = _BUTTONS[name]
        control = w.ToggleButtons(options=options, value=value, description=label)
        # Buttons as wide as their labels, beside their label like every other control's.
        style["button_width"] = "auto"
        layout["align_items"] = "center"
        control.add_class("widget-inline-hbox")
    elif name in _SLIDERS:
        label, low, high, step = _SLIDERS[name]
        control = w.IntSlider(value=value, min=low, max=high, step=step, description=label)
    else:
        control = w.Checkbox(value=value, description=_CHECKBOXES[name])
    control.style, control.layout = style, w.Layout(**layout)
    return control


def _menu_options(name: str, *values: object) -> list[tuple[str, object]]:
    """The (label, value) choices of menu `name`: its named ones, then its numbers and `values`, in order."""
    _label, named, numbers = _MENUS[name]
    extra = {v for v in values if isinstance(v, int) and v not in {value for _, value in named}}
    return named + [(str(n), n) for n in sorted({*numbers, *extra})]


class PerformancePanel:
    """Controls for a pipeline, Run/Stop/Clear buttons, a live plot, the current batch, the segments.

    A run goes on until Stop (or for the epochs chosen). A control changed while it runs applies from the
    next batch: the pipeline is built again with the new settings, the run goes on, and a new segment
    begins, marked on the plot with what changed.

    Attributes:
        controls: the input widgets by name: the `pipelines.PipelineConfig` fields the panel offers,
            plus `train_step_ms`, `epochs` (`runs.UNTIL_STOP` = until Stop) and `live`.
        run_button, stop_button, clear_button: the buttons (`.click()` them from code).
        results: the finished runs (`runs.RunResult`), oldest first.
        stop_latency_seconds: how long the last Stop took to end its run, or None.
        refresh_cpu_seconds: the CPU time each live refresh of the last run used (drawing included).
        widget: the panel's top widget (a VBox).
    """

    def __init__(
        self,
        build: Callable[[pipelines.PipelineConfig, timeline.Watch], object],
        config: pipelines.PipelineConfig | None = None,
        *,
        train_step_ms: int = 10,
        epochs: int = runs.UNTIL_STOP,
        live: bool = True,
        refresh_seconds: float = 0.45,
        timeline_seconds: float = 2.0,
    ) -> None:
        """Builds the widgets (nothing is displayed: show `panel` or `panel.widget`).

        Args:
            build: `build(config, watch)` returns the dataset for `config` (float32 image batches), its
                generator functions wrapped with `watch`, so Stop and the timeline reach them.
            config: the initial settings; `PipelineConfig()` when None. Fields without a control
                (`opencv_threads`, `seed`) keep its values.
            train_step_ms: the initial simulated training step, in milliseconds.
            epochs: the initial number of epochs per run; `runs.UNTIL_STOP` runs until Stop.
            live: start with the live plot and image strip on.
            refresh_seconds: time between live refreshes while running.
            timeline_seconds: length of the timeline shown after a run, in seconds.
        """
        self._base = config or pipelines.PipelineConfig()
        self.refresh_seconds, self.timeline_seconds = refresh_seconds, timeline_seconds
        values = {**asdict(self._base), "train_step_ms": train_step_ms, "epochs": epochs, "live": live}
        names = [name for _heading, _note, group in CONTROL_GROUPS for name in group]
        self.controls = {name: _control(name, values[name]) for name in names}
        self.preset = w.Dropdown(
            options=[("choose a preset...", ""), *((name, name) for name in PRESETS)],
            description="preset",
            style={"description_width": "50px"},
            layout=w.Layout(width="360px"),
        )
        self.preset.observe(lambda change: change["new"] and self.set(**PRESETS[change["new"]]), "value")
        self.run_button = w.Button(description="Run", button_style="success", icon="play")
        self.stop_button = w.Button(description="Stop", button_style="danger", icon="stop", disabled=True)
        self.clear_button = w.Button(description="Clear runs", icon="trash")
        self.run_button.on_click(lambda _button: self.start())
        self.stop_button.on_click(lambda _button: self.stop())
        self.clear_button.on_click(lambda _button: self.clear())
        self.progress = w.FloatProgress(min=0.0, max=1.0, description="epoch", layout=w.Layout(width="300px"))
        self.status = w.HTML("Ready. Choose settings and press Run; change them while it runs.")
        wide = {"width": "100%", "max_width": "1100px"}
        self.plot_image = w.Image(format="png", layout=w.Layout(**wide))
        self.markers = w.HTML()
        self.strip_image = w.Image(format="jpeg", layout=w.Layout(**wide))
        self.history = w.HTML()
        self.timeline_image = w.Image(format="png", layout=w.Layout(width="100%", max_width="720px"))
        self.results: list[runs.RunResult] = []
        self.stop_latency_seconds: float | None = None
        self.refresh_cpu_seconds: list[float] = []
        self._live_plot = live_plot.LivePlot(cores=measure.available_cores())
        self._timeline = panel_view.RedrawnFigure()
        self._runner = runs.Runner(build)
        self._worker: threading.Thread | None = None
        self._stop_event = threading.Event()
        self._stop_asked_at: float | None = None
        self._progress: runs.RunProgress | None = None
        self._asked: runs.RunSettings | None = None
        self._setting = False  # `set` applies several controls as one change
        self._change_error = ""
        for control in self.controls.values():
            control.observe(self._control_changed, names="value")
        self.widget = self._layout()
        self._show_history()

    def _layout(self) -> w.VBox:
        groups = []
        for heading, note, names in CONTROL_GROUPS:
            title = w.HTML(f'<b>{heading}</b> <span style="color:#666">{note}</span>')
            groups.append(w.VBox([title, *(self.controls[n] for n in names)], layout=w.Layout(width="350px")))
        for button in (self.run_button, self.stop_button, self.clear_button):
            button.layout = w.Layout(width="auto", min_width="90px")
        row = w.Layout(flex_flow="row wrap")
        panel = w.VBox(
            [
                w.HTML("<b>from_generator performance lab</b>"),
                w.HBox(groups, layout=w.Layout(flex_flow="row wrap", grid_gap="4px 18px")),
                w.HBox([self.run_button, self.stop_button, self.clear_button, self.preset], layout=row),
                w.HBox([self.progress, self.status]),
                self.plot_image,
                self.markers,
                w.HTML("<b>Current batch</b> (its first images, as the consumer gets them)"),
                self.strip_image,
                w.HTML("<b>Segments</b> (one per set of settings; newest run last)"),
                self.history,
                w.HTML("<b>Timeline of the last run</b> (from its first batch)"),
                self.timeline_image,
            ]
        )
        # Stable CSS classes, so browser tests (and custom styles) can find the parts.
        for widget, name in (
            (panel, "panel"),
            (self.status, "status"),
            (self.plot_image, "live-plot"),
            (self.markers, "markers"),
            (self.strip_image, "strip"),
            (self.history, "history"),
            (self.timeline_image, "timeline"),
        ):
            widget.add_class(f"fglab-{name}")
        return panel

    def _repr_mimebundle_(self, **kwargs) -> dict:
        bundle = self.widget._repr_mimebundle_(**kwargs)
        # The widget's own text form lists every property (PNG bytes included); keep text output stable.
        bundle["text/plain"] = "PerformancePanel (open the notebook in JupyterLab to use it)"
        return bundle

    # --- settings -------------------------------------------------------------------------------

    def run_settings(self) -> runs.RunSettings:
        """Returns the settings the controls show now (the pipeline's, the training step, the epochs).

        Raises:
            ValueError: a setting is out of range.
        """
        values = {name: control.value for name, control in self.controls.items()}
        pipeline = {f.name: values[f.name] for f in fields(self._base) if f.name in values}
        return runs.RunSettings(
            self._base.replace(**pipeline), float(values["train_step_ms"]), int(values["epochs"])
        )

    def set(self, **values) -> PerformancePanel:
        """Sets controls by name, as clicks would; during a run they apply together, as one change.

        Returns:
            The panel, so calls can be chained.

        Raises:
            KeyError: an unknown name.
        """
        unknown = sorted(set(values) - set(self.controls))
        if unknown:
            raise KeyError(f"no control named {unknown[0]!r}; there are {sorted(self.controls)}")
        self._setting = True
        try:
            for name, value in values.items():
                control = self.controls[name]
                if name in _MENUS and value not in (shown := [option[1] for option in control.options]):
                    control.options = _menu_options(name, value, *shown)
                control.value = value
        finally:
            self._setting = False
        self._control_changed(None)
        return self

    def _control_changed(self, _change) -> None:
        """Hands the controls' settings to the running run (which applies them at its next batch)."""
        if self._setting or not self.running:
            return
        try:
            settings = self.run_settings()
        except ValueError as exc:
            self._change_error = f"Cannot apply: {html.escape(str(exc))}"
            self._set_status(self._change_error, _RED)
            return
        self._change_error = ""
        if settings != self._asked:
            self._asked = settings
            self._runner.request(settings)

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
            self._set_status("A run is still going: press Stop first.", _AMBER)
            return False
        try:
            settings = self.run_settings()
        except ValueError as exc:
            self._set_status(f"Cannot run: {html.escape(str(exc))}", _RED)
            return False
        self._stop_event, self._stop_asked_at = threading.Event(), None
        self._asked, self._change_error = settings, ""
        self._progress = runs.RunProgress()
        self.refresh_cpu_seconds = []
        self._live_plot.reset(previous=self.last_result.points if self.last_result else ())
        # Drawn in full here, before the run, so the run's own refreshes only add its lines.
        self.plot_image.value = self._live_plot.png([], [], now_seconds=0.0)
        self.markers.value = ""
        self.run_button.disabled, self.stop_button.disabled = True, False
        self.progress.value, self.progress.bar_style = 0.0, ""
        self._set_status(f"Starting: {html.escape(settings.config.describe())}")
        self._worker = threading.Thread(target=self._work, args=(settings, self._progress), daemon=True)
        self._worker.start()
        return True

    def stop(self) -> bool:
        """Asks the run to stop (what Stop does) and waits up to `STOP_WAIT_SECONDS` for it.

        Returns:
            True when the run has ended (or none was running).
        """
        worker = self._worker
        if worker is None or not worker.is_alive():
            return True
        self._stop_asked_at = time.perf_counter()
        self._stop_event.set()
        self.stop_button.disabled = True
        worker.join(timeout=STOP_WAIT_SECONDS)
        if worker.is_alive():
            self._set_status("Stopping: waiting for the current batch...", _AMBER)
            return False
        return True

    def wait(self, timeout_seconds: float = 60.0) -> runs.RunResult | None:
        """Waits for the current run to end, its pipeline closed, and returns its result (None if none).

        Raises:
            TimeoutError: the run is still going after `timeout_seconds`.
        """
        if self._worker is not None:
            self._worker.join(timeout=timeout_seconds)
            if self._worker.is_alive() or not self._runner.wait_closed(timeout_seconds):
                raise TimeoutError(f"the run is still going after {timeout_seconds:g} s")
        return self.last_result

    def wait_segment(self, seconds: float = 2.0, *, timeout_seconds: float = 60.0) -> runs.Segment | None:
        """Waits until the run works with the controls' settings and has for `seconds` (from code).

        Returns:
            The current segment so far, or None when the run ended first.

        Raises:
            TimeoutError: still not there after `timeout_seconds`.
        """
        deadline = time.monotonic() + timeout_seconds
        progress, asked = self._progress, self._asked
        while self.running and progress is not None and asked is not None:
            settings, measured = progress.current_segment()
            if settings is not None and settings.same_work(asked) and measured >= seconds:
                return progress.segments()[-1]
            if time.monotonic() > deadline:
                raise TimeoutError(
                    f"no {seconds:g} s segment with the panel's settings after {timeout_seconds:g} s"
                )
            time.sleep(0.05)
        return None

    def clear(self) -> None:
        """Forgets the past runs (what Clear does)."""
        self.results.clear()
        self._show_history()
        self.timeline_image.value = b""

    def close(self) -> None:
        """Stops a run, waits for it, and closes every widget of the panel."""
        self._stop_event.set()
        if self._worker is not None:
            self._worker.join(timeout=10)
        self._runner.wait_closed(10)
        _close_tree(self.widget)

    def _work(self, settings: runs.RunSettings, progress: runs.RunProgress) -> None:
        finished = threading.Event()
        refresher = threading.Thread(target=self._refresh_loop, args=(progress, finished), daemon=True)
        refresher.start()
        try:  # errors in the pipeline are in the result; anything else is shown, never lost in a thread
            result = self._runner.run(settings, stop_event=self._stop_event, progress=progress)
            if self._stop_asked_at is not None:
                self.stop_latency_seconds = time.perf_counter() - self._stop_asked_at
            finished.set()
            refresher.join()
            self.results.append(result)
            self._show_result(result)
        except Exception as exc:
            self._set_status(f"Failed: {html.escape(messages.error_summary(exc))}", _RED)
        finally:
            finished.set()
            self.run_button.disabled, self.stop_button.disabled = False, True

    def _refresh_loop(self, progress: runs.RunProgress, finished: threading.Event) -> None:
        while not finished.wait(self.refresh_seconds):
            try:
                self._refresh(progress)
            except Exception as exc:  # a failed refresh must not end the run
                self._set_status(f"Display error: {html.escape(messages.error_summary(exc))}", _RED)

    def _refresh(self, progress: runs.RunProgress) -> None:
        """Shows the run's progress: status, epoch bar, segments, and (when live) plot and images."""
        cpu_started = time.thread_time()
        now = progress.now_seconds()
        points = progress.points(
            since_seconds=now - self._live_plot.window_seconds - self._live_plot.step_seconds - 1
        )
        segments = progress.segments()
        epochs = self._asked.epochs if self._asked is not None else 0
        self.progress.value, self.progress.description = panel_view.epoch_bar(
            progress.epochs_done, epochs=epochs
        )
        status = panel_view.running_status(segments, points, epochs_done=progress.epochs_done)
        if self._change_error:  # kept in view until a valid change replaces it
            status += f' · <span style="color:{_RED}">{self._change_error}</span>'
        self._set_status(status)
        self._show_history(segments)
        if self.controls["live"].value:
            markers = progress.markers()
            self.plot_image.value = self._live_plot.png(points, markers, now_seconds=now)
            self.markers.value = panel_view.markers_html(markers)
            if progress.last_batch is not None:
                self.strip_image.value = panel_view.strip_jpeg(progress.last_batch)
        self.refresh_cpu_seconds.append(time.thread_time() - cpu_started)

    # --- showing results ------------------------------------------------------------------------

    def _set_status(self, text: str, colour: str = "#333") -> None:
        self.status.value = f'<span style="color:{colour}">{text}</span>'

    def _show_result(self, result: runs.RunResult) -> None:
        status = panel_view.result_status(
            result, number=len(self.results), stop_latency_seconds=self.stop_latency_seconds
        )
        self._set_status(status, _RED if result.error else "#333")
        self.progress.bar_style = "danger" if result.error else ("warning" if result.stopped else "success")
        if result.status == "done":
            self.progress.value = 1.0
        if result.points:
            now = result.points[-1].seconds
            self.plot_image.value = self._live_plot.png(result.points, result.markers, now_seconds=now)
            self.markers.value = panel_view.markers_html(result.markers)
        if self._progress is not None and self._progress.last_batch is not None:
            self.strip_image.value = panel_view.strip_jpeg(self._progress.last_batch)
        self._show_history()
        if result.events:
            ax = self._timeline.new_axes((7.0, 1.2 + 0.45 * len({event.lane for event in result.events})))
            panel_view.timeline_figure(result, window_seconds=self.timeline_seconds, ax=ax)
            self.timeline_image.value = self._timeline.png()

    def _show_history(self, running=()) -> None:
        self.history.value = panel_view.history_html(self.results, running)

    def bar_chart(self, result: runs.RunResult | None = None) -> Figure:
        """Returns a Figure with one bar per segment of `result` (default: the last run), its median rate."""
        result = result or self.last_result
        if result is None:
            raise ValueError("no run yet: press Run first")
        return panel_view.bar_chart(result)


def _close_tree(widget: w.Widget) -> None:
    for child in getattr(widget, "children", ()):
        _close_tree(child)
    widget.close()
