"""The performance lab's panel: run a notebook's pipeline in the background, change it while it runs, watch.

    panel = widgets.PerformancePanel(lab_pipeline)         # lab_pipeline(config, watch) -> tf.data.Dataset
    panel                                                  # end a notebook cell with it to show it
    panel.run_button.click(); panel.wait_segment(2)        # the same, from code: a run until Stop...
    panel.set(yield_mode="batch"); panel.wait_segment(2)   # ...changed while it goes (a new segment)
    panel.stop_button.click(); result = panel.wait(30)     # result.segments: one per set of settings

The panel only maps state onto widgets: `runs.Runner` runs the pipeline (its segments, live changes, Stop
and timeline) and `panel_view` renders what it shows; neither imports ipywidgets. A run works in a
background thread, so Stop and every control stay responsive; a second thread only sets widget properties
(PNG and JPEG bytes, HTML, a progress bar), a few times a second, so nothing piles up in the notebook.
"""

from __future__ import annotations

import html
import threading
import time
from collections.abc import Callable
from dataclasses import asdict

import ipywidgets as w
from matplotlib.figure import Figure

from helpers import measure, messages, panel_view, pipelines, runs, timeline

__all__ = ["PRESETS", "PerformancePanel"]

_TIMELINE_SECONDS = 2.0  # the timeline shown after a run covers this much from its first batch
_RED, _AMBER = "#b3261e", "#b36b00"
# The controls, by group in the order data flows through the pipeline: {name: (label, choices)}, where choices
# are a menu (a list of (label, value) pairs and numbers), buttons (a tuple of pairs), a slider (a range) or a
# checkbox (None).
_GROUPS: dict[tuple[str, str], dict[str, tuple[str, object]]] = {
    ("1 · data", "what is read"): {
        "data": (
            "data",
            [("sample photos", "samples"), ("JPEGs 640×480", "benchmark"), ("small JPEGs 160×120", "small")],
        ),
        "image_count": ("images per epoch", [64, 128, 256, 512, 1000]),
        "image_size": ("image size (px)", [64, 128, 224, 320]),
    },
    ("2 · generator", "Python, inside from_generator"): {
        "yield_mode": ("yield", (("per element", "element"), ("per batch", "batch"))),
        "batch_size": ("batch size", [8, 16, 32, 64, 128, 256]),
        "shards": ("shards", range(1, 9)),
        "decode_threads": ("decode threads", range(9)),
        "augment": ("augment", None),
    },
    ("3 · tf.data", "after the generator"): {
        "prefetch": ("prefetch", (("off", "off"), ("1", "1"), ("AUTOTUNE", "autotune"))),
        "inject_prefetch": ("auto-prefetch", None),
    },
    ("4 · consumer", "the training loop"): {
        "train_step_ms": ("train step (ms)", range(0, 201, 5)),
        "epochs": ("epochs", [("until Stop", runs.UNTIL_STOP), 1, 2, 3, 5, 10]),
        "live": ("live plot, images", None),
    },
}
_CONTROLS = {name: spec for group in _GROUPS.values() for name, spec in group.items()}

PRESETS: dict[str, dict[str, object]] = {
    # Each sets every setting of how images are produced, so presets do not depend on each other.
    name: dict(
        zip(("yield_mode", "prefetch", "inject_prefetch", "shards", "decode_threads"), values, strict=True)
    )
    for name, values in (
        ("one image per yield, no prefetch", ("element", "off", False, 1, 0)),
        ("one image per yield, prefetch", ("element", "autotune", True, 1, 0)),
        ("2 shards, prefetch", ("element", "autotune", True, 2, 0)),
        ("batches from 2 decode threads, prefetch", ("batch", "autotune", True, 1, 2)),
    )
}
"""Named groups of settings for the preset menu (and for notebooks: `panel.set(**PRESETS[name])`)."""


def _control(label: str, choices: object, value: object) -> w.ValueWidget:
    if isinstance(choices, list):
        control = w.Dropdown(options=_menu(choices, value), value=value, description=label)
    elif isinstance(choices, tuple):  # buttons as wide as their labels, beside their label
        control = w.ToggleButtons(
            options=choices, value=value, description=label, style={"button_width": "auto"}
        )
        control.layout.align_items = "center"
        control.add_class("widget-inline-hbox")
    elif isinstance(choices, range):
        control = w.IntSlider(
            value=value, min=choices.start, max=choices[-1], step=choices.step, description=label
        )
    else:
        control = w.Checkbox(value=value, description=label)
    control.style.description_width, control.layout.width = "128px", "340px"
    return control


def _part(widget: w.Widget, name: str) -> w.Widget:
    widget.add_class(f"fglab-{name}")
    return widget


def _menu(choices: list, *values: object) -> list[tuple[str, object]]:
    """A menu's (label, value) options: its named ones, then its numbers and those in `values`, in order."""
    named = [choice for choice in choices if isinstance(choice, tuple)]
    named_values = {value for _label, value in named}
    numbers = {v for v in (*choices, *values) if isinstance(v, int) and v not in named_values}
    return named + [(str(number), number) for number in sorted(numbers)]


class PerformancePanel:
    """Controls for a pipeline, Run/Stop/Clear buttons, a live plot, the current batch, the segments.

    A run goes on until Stop (or for the epochs chosen). A control changed while it runs applies from the
    next batch: the pipeline is built again with the new settings, the run goes on, and a new segment
    begins, marked on the plot with what changed.

    `controls` are the input widgets by name: the `pipelines.PipelineConfig` fields offered, plus
    `train_step_ms`, `epochs` (`runs.UNTIL_STOP`: until Stop) and `live`. `refresh_cpu_seconds` holds the
    CPU time of each live refresh of the last run (drawing included).
    """

    def __init__(
        self,
        build: Callable[[pipelines.PipelineConfig, timeline.Watch], object],
        config: pipelines.PipelineConfig | None = None,
        *,
        train_step_ms: int = 10,
        refresh_seconds: float = 0.45,
    ) -> None:
        """Builds the widgets (nothing is displayed: show `panel` or `panel.widget`).

        Args:
            build: `build(config, watch)` returns the dataset for `config` (float32 image batches), its
                generator functions wrapped with `watch`, so Stop and the timeline reach them.
            config: the initial settings; `PipelineConfig()` when None. The field without a control
                (`opencv_threads`) keeps its value.
            train_step_ms: the initial simulated training step, in milliseconds.
            refresh_seconds: time between live refreshes while running.
        """
        self._base = config or pipelines.PipelineConfig()
        self.refresh_seconds = refresh_seconds
        values = asdict(self._base) | {
            "train_step_ms": train_step_ms,
            "epochs": runs.UNTIL_STOP,
            "live": True,
        }
        self.controls = {name: _control(*spec, values[name]) for name, spec in _CONTROLS.items()}
        for control in self.controls.values():
            control.observe(self._control_changed, names="value")
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
        self.run_button.on_click(lambda _button: self._start())
        self.stop_button.on_click(lambda _button: self._stop())
        self.clear_button.on_click(lambda _button: self._clear())
        self.progress = w.FloatProgress(min=0.0, max=1.0, description="epoch", layout=w.Layout(width="300px"))
        # Stable CSS classes, so browser tests (and custom styles) can find the parts.
        wide = {"width": "100%", "max_width": "1100px"}
        self.status = _part(
            w.HTML("Ready. Choose settings and press Run; change them while it runs."), "status"
        )
        self.plot_image = _part(w.Image(format="png", layout=wide), "live-plot")
        self.markers = _part(w.HTML(), "markers")
        self.strip_image = _part(w.Image(format="jpeg", layout=wide), "strip")
        self.history = _part(w.HTML(panel_view.history_html([])), "history")
        self.timeline_image = _part(
            w.Image(format="png", layout={"width": "100%", "max_width": "720px"}), "timeline"
        )
        self.results: list[runs.RunResult] = []
        self.stop_latency_seconds: float | None = None
        self.refresh_cpu_seconds: list[float] = []
        self._live_plot = panel_view.LivePlot(cores=measure.available_cores())
        self._timeline_figure = Figure(dpi=72, layout="constrained")
        self._runner = runs.Runner(build)
        self._worker: threading.Thread | None = None
        self._stop_event = threading.Event()
        self._stop_asked_at: float | None = None
        self._progress: runs.RunProgress | None = None
        self._setting = False  # `set` applies several controls as one change
        self._change_error = ""
        self.widget = self._layout()

    def _layout(self) -> w.VBox:
        groups = [
            w.VBox(
                [
                    w.HTML(f'<b>{heading}</b> <span style="color:#666">{note}</span>'),
                    *(self.controls[name] for name in group),
                ],
                layout=w.Layout(width="350px"),
            )
            for (heading, note), group in _GROUPS.items()
        ]
        for button in (self.run_button, self.stop_button, self.clear_button):
            button.layout = w.Layout(width="auto", min_width="90px")
        return _part(
            w.VBox(
                [
                    w.HTML("<b>from_generator performance lab</b>"),
                    w.HBox(groups, layout=w.Layout(flex_flow="row wrap", grid_gap="4px 18px")),
                    w.HBox(
                        [self.run_button, self.stop_button, self.clear_button, self.preset],
                        layout=w.Layout(flex_flow="row wrap"),
                    ),
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
            ),
            "panel",
        )

    def _repr_mimebundle_(self, **kwargs) -> dict:
        bundle = self.widget._repr_mimebundle_(**kwargs)
        # The widget's own text form lists every property (PNG bytes included); keep text output stable.
        bundle["text/plain"] = "PerformancePanel (open the notebook in JupyterLab to use it)"
        return bundle

    # --- settings -------------------------------------------------------------------------------

    def _settings(self) -> runs.RunSettings:
        """The settings the controls show (ValueError: one is out of range)."""
        values = {name: control.value for name, control in self.controls.items()}
        pipeline = {name: values[name] for name in asdict(self._base) if name in values}
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
                choices = _CONTROLS[name][1]
                if isinstance(choices, list) and value not in (shown := [v for _, v in control.options]):
                    control.options = _menu(choices, value, *shown)
                control.value = value
        finally:
            self._setting = False
        self._control_changed(None)
        return self

    def _control_changed(self, _change) -> None:
        """Hands the controls' settings to the running run (which applies them at its next batch)."""
        if self._setting or not self._running:
            return
        try:
            settings = self._settings()
        except ValueError as exc:
            self._change_error = f"Cannot apply: {html.escape(str(exc))}"
            self._set_status(self._change_error, _RED)
            return
        self._change_error = ""
        self._runner.requested = settings

    # --- running --------------------------------------------------------------------------------

    @property
    def _running(self) -> bool:
        return self._worker is not None and self._worker.is_alive()

    def _start(self) -> None:
        """Starts a run with the controls' settings in a background thread (what Run does)."""
        if self._running:
            self._set_status("A run is still going: press Stop first.", _AMBER)
            return
        try:
            settings = self._settings()
        except ValueError as exc:
            self._set_status(f"Cannot run: {html.escape(str(exc))}", _RED)
            return
        self._stop_event, self._stop_asked_at = threading.Event(), None
        self._runner.requested, self._change_error = settings, ""
        self._progress = progress = runs.RunProgress()
        self.refresh_cpu_seconds = []
        self._live_plot.reset(previous=self.results[-1].points if self.results else ())
        # Drawn in full here, before the run, so the run's own refreshes only add its lines.
        self.plot_image.value = self._live_plot.png([], [], now_seconds=0.0)
        self.markers.value = ""
        self.run_button.disabled, self.stop_button.disabled = True, False
        self.progress.value, self.progress.bar_style = 0.0, ""
        self._set_status(f"Starting: {html.escape(settings.config.describe())}")
        self._worker = threading.Thread(target=self._work, args=(settings, progress), daemon=True)
        self._worker.start()

    def _stop(self) -> None:
        """Asks the run to stop (what Stop does); it ends at its next batch, or its generators' next yield."""
        if self._running:
            self._stop_asked_at = time.perf_counter()
            self._stop_event.set()
            self.stop_button.disabled = True

    def wait(self, timeout_seconds: float = 60.0) -> runs.RunResult | None:
        """Waits for the current run to end, its pipeline closed, and returns the last result (None if none).

        Raises:
            TimeoutError: the run is still going after `timeout_seconds`.
        """
        if self._worker is not None:
            self._worker.join(timeout=timeout_seconds)
            if self._worker.is_alive() or not self._runner.wait_closed(timeout_seconds):
                raise TimeoutError(f"the run is still going after {timeout_seconds:g} s")
        return self.results[-1] if self.results else None

    def wait_segment(self, seconds: float = 2.0, *, timeout_seconds: float = 60.0) -> runs.Segment | None:
        """Waits until the run works with the controls' settings and has for `seconds` since its first batch.

        Returns:
            The current segment so far, or None when the run ended first.

        Raises:
            TimeoutError: still not there after `timeout_seconds`.
        """
        deadline = time.monotonic() + timeout_seconds
        progress, asked = self._progress, self._runner.requested
        while self._running and progress is not None and asked is not None:
            for current in progress.segments()[-1:]:  # none before the run's thread begins the first
                same = (current.config, current.train_step_ms) == (asked.config, asked.train_step_ms)
                if same and current.seconds >= seconds:
                    return current
            if time.monotonic() > deadline:
                raise TimeoutError(
                    f"no {seconds:g} s segment with the panel's settings after {timeout_seconds:g} s"
                )
            time.sleep(0.05)
        return None

    def _clear(self) -> None:
        self.results.clear()
        self.history.value = panel_view.history_html([])
        self.timeline_image.value = b""

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
            self._show(progress, result)
        except Exception as exc:
            self._set_status(f"Failed: {html.escape(messages.error_summary(exc))}", _RED)
        finally:
            finished.set()
            self.run_button.disabled, self.stop_button.disabled = False, True

    def _refresh_loop(self, progress: runs.RunProgress, finished: threading.Event) -> None:
        while not finished.wait(self.refresh_seconds):
            cpu_started = time.thread_time()
            try:
                self._show(progress)
            except Exception as exc:  # a failed refresh must not end the run
                self._set_status(f"Display error: {html.escape(messages.error_summary(exc))}", _RED)
            self.refresh_cpu_seconds.append(time.thread_time() - cpu_started)

    # --- showing --------------------------------------------------------------------------------

    def _set_status(self, text: str, colour: str = "#333") -> None:
        self.status.value = f'<span style="color:{colour}">{text}</span>'

    def _show(self, progress: runs.RunProgress, result: runs.RunResult | None = None) -> None:
        """Shows a run's progress, or once it ended its `result`: status, bar, segments, plot, images."""
        segments, points = progress.segments(), progress.points()
        if result is None:
            epochs = self._runner.requested.epochs if self._runner.requested is not None else 0
            bar = panel_view.epoch_bar(progress.epochs_done, epochs=epochs)
            self.progress.value, self.progress.description = bar
            status = panel_view.running_status(segments, points, epochs_done=progress.epochs_done)
            if self._change_error:  # kept in view until a valid change replaces it
                status += f' · <span style="color:{_RED}">{self._change_error}</span>'
            self._set_status(status)
            self.history.value = panel_view.history_html(self.results, segments)
        else:
            latency = self.stop_latency_seconds
            status = panel_view.result_status(result, number=len(self.results), stop_latency_seconds=latency)
            self._set_status(status, _RED if result.error else "#333")
            self.progress.bar_style = {"failed": "danger", "stopped": "warning"}.get(result.status, "success")
            if result.status == "done":
                self.progress.value = 1.0
            self.history.value = panel_view.history_html(self.results)
            if result.events:
                figure, seconds = self._timeline_figure, _TIMELINE_SECONDS
                self.timeline_image.value = panel_view.timeline_png(result, figure, window_seconds=seconds)
        if result is not None or self.controls["live"].value:
            now = time.perf_counter() - progress.origin
            if result is not None:  # the end of the run: its last window
                now = points[-1].seconds if points else 0.0
            self.plot_image.value = self._live_plot.png(points, segments, now_seconds=now)
            self.markers.value = panel_view.markers_html(segments)
            if progress.last_batch is not None:
                self.strip_image.value = panel_view.strip_jpeg(progress.last_batch)

    bar_chart = staticmethod(panel_view.bar_chart)  # panel.bar_chart(result): a bar per segment
