"""The performance lab's panel: run an image pipeline in the background, change it while it runs, watch.

    panel = widgets.PerformancePanel()
    panel                                                  # end a notebook cell with it to show it
    panel.run_button.click(); panel.wait_segment(2)        # the same, from code: a run until Stop...
    panel.set(yield_mode="batch"); panel.wait_segment(2)   # ...changed while it goes (a new segment)
    panel.stop_button.click(); result = panel.wait(30)     # result.segments: one per set of settings

The panel only binds controls to `helpers.pipelines` (the settings) and `helpers.runs` (the run, its
segments and live changes); `helpers.live_plot` draws the plot, `helpers.panel_view` renders the text,
tables and images, and `helpers.panel_settings` defines the controls, groups and presets (neither
imports ipywidgets); this module holds the widgets and the threads. A run works in a background thread,
so Stop and every control stay responsive; a control changed during a run is handed to it
(`runs.RunChanges`) and applies from its next batch. The threads only set widget properties (PNG
bytes of an Agg-rendered plot, HTML, a progress bar), a few times a second, so nothing piles up in
the notebook. May import ipywidgets and the kit's measurement and display helpers; only notebooks and
tests import it (`PRESETS`, `segments_html`, ... are re-exported here for them).
"""

from __future__ import annotations

import html
import threading
import time
from collections.abc import Sequence

import ipywidgets as w
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from helpers import live_plot, measure, messages, panel_settings, panel_view, pipelines, runs, timeline

# Re-exported: notebooks and tests read the panel's presets and renderings as `widgets.<name>`.
from helpers.panel_settings import PRESETS, RUN_SETTINGS
from helpers.panel_view import MAX_TABLE_ROWS, markers_html, running_status, segments_html

__all__ = [
    "PRESETS",
    "PerformancePanel",
    "RUN_SETTINGS",
    "markers_html",
    "running_status",
    "segments_html",
    "MAX_TABLE_ROWS",
    "STOP_WAIT_SECONDS",
]

STOP_WAIT_SECONDS = 1.0
_FULL_WIDTH_PX = 1100
_LABEL_WIDTH = "128px"
_CONTROL_WIDTH = "340px"
_GROUP_WIDTH = "350px"


def _control_widgets(values: dict[str, object]) -> dict[str, w.ValueWidget]:
    """One widget per `panel_settings.CONTROLS` entry, starting at `values[name]`."""
    controls = {}
    for name, spec in panel_settings.CONTROLS.items():
        value, label = values[name], spec.label
        if spec.kind == "menu":
            options = panel_settings.menu_options(spec, value)
            control = w.Dropdown(options=options, value=value, description=label)
        elif spec.kind == "buttons":
            control = w.ToggleButtons(options=list(spec.options), value=value, description=label)
        elif spec.kind == "slider":
            control = w.IntSlider(value=value, min=spec.low, max=spec.high, step=spec.step, description=label)
        else:
            control = w.Checkbox(value=value, description=label)
        style = {"description_width": _LABEL_WIDTH}
        layout = {"width": _CONTROL_WIDTH}
        if isinstance(control, w.ToggleButtons):
            # Buttons as wide as their labels, so "per element" and "AUTOTUNE" are not cut short, and
            # beside their label like every other control's: ToggleButtons is a block whose label is
            # inline (so its width is ignored), with the buttons below it, unless laid out as a row.
            style["button_width"] = "auto"
            layout["align_items"] = "center"
            control.add_class("widget-inline-hbox")
        control.style = style
        control.layout = w.Layout(**layout)
        controls[name] = control
    return controls


class PerformancePanel:
    """Controls for an image pipeline, Run/Stop/Clear buttons, a live plot, the current batch, segments.

    A run goes on until Stop (or for the epochs chosen). A control changed while it runs applies from
    the next batch: the pipeline is rebuilt with the new settings, the run goes on, and a new segment
    begins, marked on the plot with what changed.

    Attributes:
        controls: the input widgets by name: every `pipelines.PipelineConfig` field except `seed`,
            plus `train_step_ms`, `epochs` (`runs.UNTIL_STOP` = until Stop) and `live`.
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
        epochs: int = runs.UNTIL_STOP,
        live: bool = True,
        refresh_seconds: float = 0.45,
        timeline_seconds: float = 2.0,
    ) -> None:
        """Builds the widgets (nothing is displayed: show `panel` or `panel.widget`).

        Args:
            config: the initial settings; `PipelineConfig()` when None.
            train_step_ms: the initial simulated training step, in milliseconds.
            epochs: the initial number of epochs per run; `runs.UNTIL_STOP` runs until Stop.
            live: start with the live plot and image strip on.
            refresh_seconds: time between live refreshes while running.
            timeline_seconds: length of the timeline shown after a run, in seconds.
        """
        config = config or pipelines.PipelineConfig()
        self.refresh_seconds = refresh_seconds
        self.timeline_seconds = timeline_seconds
        self._seed = config.seed
        values = {**config.as_dict(), "train_step_ms": train_step_ms, "epochs": epochs, "live": live}
        self.controls = _control_widgets(values)
        self.preset = w.Dropdown(
            options=[("choose a preset...", "")] + [(name, name) for name in PRESETS],
            value="",
            description="preset",
            style={"description_width": "50px"},
            layout=w.Layout(width="360px"),
        )
        self.preset.observe(self._apply_preset, names="value")
        self.run_button = w.Button(description="Run", button_style="success", icon="play")
        self.stop_button = w.Button(description="Stop", button_style="danger", icon="stop", disabled=True)
        self.clear_button = w.Button(description="Clear runs", icon="trash")
        self.run_button.on_click(lambda _button: self.start())
        self.stop_button.on_click(lambda _button: self.stop())
        self.clear_button.on_click(lambda _button: self.clear())
        self.progress = w.FloatProgress(
            value=0.0, min=0.0, max=1.0, description="epoch", layout=w.Layout(width="300px")
        )
        self.status = w.HTML(value="Ready. Choose settings and press Run; change them while it runs.")
        full_width = w.Layout(width="100%", max_width=f"{_FULL_WIDTH_PX}px")
        self.plot_image = w.Image(format="png", layout=full_width)
        self.markers = w.HTML()
        self.strip_image = w.Image(
            format="jpeg", layout=w.Layout(width="100%", max_width=f"{_FULL_WIDTH_PX}px")
        )
        self.history = w.HTML()
        self.timeline_image = w.Image(format="png", layout=w.Layout(width="100%", max_width="720px"))
        self.results: list[runs.RunResult] = []
        self.stop_latency_seconds: float | None = None
        self.refresh_times: list[float] = []
        self.refresh_cpu_seconds: list[float] = []
        self._live_plot = live_plot.LivePlot(cores=measure.available_cores())
        self._timeline_figure = panel_view.RedrawnFigure(left_inches=0.9)
        self._runner = runs.PipelineRunner()
        self._worker: threading.Thread | None = None
        self._stop_event = threading.Event()
        self._stop_requested_at: float | None = None
        self._changes = runs.RunChanges()
        self._progress: runs.RunProgress | None = None
        self._asked: runs.RunSettings | None = None
        self._holding_changes = 0
        self._change_error = ""
        for control in self.controls.values():
            control.observe(self._control_changed, names="value")
        groups = []
        for heading, note, names in panel_settings.CONTROL_GROUPS:
            title = w.HTML(f'<b>{heading}</b> <span style="color:#666">{note}</span>')
            box = w.VBox([title, *(self.controls[n] for n in names)], layout=w.Layout(width=_GROUP_WIDTH))
            box.add_class("fglab-group")
            groups.append(box)
        settings = w.HBox(groups, layout=w.Layout(flex_flow="row wrap", grid_gap="4px 18px"))
        for button in (self.run_button, self.stop_button, self.clear_button):
            button.layout = w.Layout(width="auto", min_width="90px")
        buttons = w.HBox(
            [self.run_button, self.stop_button, self.clear_button, self.preset],
            layout=w.Layout(flex_flow="row wrap"),
        )
        self.widget = w.VBox(
            [
                w.HTML("<b>from_generator performance lab</b>"),
                settings,
                buttons,
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
        for widget, css_class in (
            (self.widget, "fglab-panel"),
            (self.status, "fglab-status"),
            (self.plot_image, "fglab-live-plot"),
            (self.markers, "fglab-markers"),
            (self.strip_image, "fglab-strip"),
            (self.history, "fglab-history"),
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
        return panel_settings.pipeline_config(self._values(), seed=self._seed)

    def run_settings(self) -> runs.RunSettings:
        """Returns the settings the controls show now, the run's (training step, epochs) included.

        Raises:
            ValueError: a setting is out of range.
        """
        return panel_settings.run_settings(self._values(), seed=self._seed)

    def _values(self) -> dict[str, object]:
        return {name: control.value for name, control in self.controls.items()}

    def set(self, **values) -> PerformancePanel:
        """Sets controls by name (pipeline settings, `train_step_ms`, `epochs`, `live`).

        During a run, the new settings apply together, from the next batch on (one segment).

        Returns:
            The panel, so calls can be chained.

        Raises:
            KeyError: an unknown name.
        """
        unknown = sorted(set(values) - set(self.controls))
        if unknown:
            raise KeyError(f"no control named {unknown[0]!r}; there are {sorted(self.controls)}")
        self._holding_changes += 1
        try:
            for name, value in values.items():
                control = self.controls[name]
                options = _option_values(control) if isinstance(control, w.Dropdown) else []
                if options and value not in options and all(type(o) is int for o in control.options):
                    control.options = sorted({*options, value})
                control.value = value
        finally:
            self._holding_changes -= 1
        self._control_changed(None)
        return self

    def _apply_preset(self, change) -> None:
        if change["new"]:
            self.set(**PRESETS[change["new"]])

    def _control_changed(self, _change) -> None:
        """Hands the controls' settings to the running run (which applies them at its next batch)."""
        if self._holding_changes or not self.running:
            return
        try:
            settings = self.run_settings()
        except ValueError as exc:
            self._change_error = f"Cannot apply: {html.escape(str(exc))}"
            self._set_status(self._change_error, colour="#b3261e")
            return
        self._change_error = ""
        if settings != self._asked:
            self._asked = settings
            self._changes.request(settings)

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
            settings = self.run_settings()
        except ValueError as exc:
            self._set_status(f"Cannot run: {html.escape(str(exc))}", colour="#b3261e")
            return False
        self._stop_event = threading.Event()
        self._stop_requested_at = None
        self._changes = runs.RunChanges()
        self._change_error = ""
        self._asked = settings
        self._progress = runs.RunProgress(settings.config.image_count * settings.epochs)
        self.refresh_times = []
        self.refresh_cpu_seconds = []
        self._live_plot.reset(previous=self.last_result.points if self.last_result else ())
        # Drawn in full here, before the run, so the run's own refreshes only add its lines.
        self.plot_image.value = self._live_plot.png([], [], now_seconds=0.0)
        self.markers.value = ""
        self.run_button.disabled, self.stop_button.disabled = True, False
        self.progress.value = 0.0
        self.progress.bar_style = ""
        self._set_status(f"Starting: {html.escape(settings.config.describe())}")
        self._worker = threading.Thread(
            target=self._work, args=(settings, self._progress), name="performance-lab-run", daemon=True
        )
        self._worker.start()
        return True

    def stop(self) -> bool:
        """Asks the running run to stop (what Stop does) and waits up to `STOP_WAIT_SECONDS` for it.

        Returns:
            True when the run has ended (or none was running).
        """
        worker = self._worker
        if worker is None or not worker.is_alive():
            return True
        self._stop_requested_at = time.perf_counter()
        self._stop_event.set()
        self.stop_button.disabled = True
        worker.join(timeout=STOP_WAIT_SECONDS)
        if worker.is_alive():
            self._set_status("Stopping: waiting for the current batch to finish...", colour="#b36b00")
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

        For notebooks driving a run: `panel.set(yield_mode="batch"); panel.wait_segment(3)`.

        Args:
            seconds: time the current segment should have run since its first batch.
            timeout_seconds: give up after this long.

        Returns:
            The current segment so far, or None when the run ended first.

        Raises:
            TimeoutError: still not there after `timeout_seconds`.
        """
        deadline = time.monotonic() + timeout_seconds
        progress, asked = self._progress, self._asked
        while self.running and progress is not None and asked is not None:  # both set when a run starts
            settings, measured = progress.current_segment()
            if settings is not None and settings.same_work(asked) and measured >= seconds:
                return progress.segments()[-1]
            if time.monotonic() > deadline:
                raise TimeoutError(
                    f"no {seconds:g} s segment with the panel's settings after {timeout_seconds:g} s"
                )
            time.sleep(0.05)
        return None

    def segments(self) -> list[runs.Segment]:
        """Returns the segments of the current run, or of the last one when none is running."""
        if self.running and self._progress is not None:
            return self._progress.segments()
        return list(self.last_result.segments) if self.last_result else []

    def clear(self) -> None:
        """Forgets the past runs (what Clear does)."""
        self.results.clear()
        self._show_history()
        self.timeline_image.value = b""

    def close(self) -> None:
        """Stops a run, waits for it, and closes every widget of the panel."""
        worker = self._worker
        if worker is not None and worker.is_alive():
            self._stop_event.set()
            worker.join(timeout=10)
        self._runner.wait_closed(10)
        _close_tree(self.widget)

    def _work(self, settings: runs.RunSettings, progress: runs.RunProgress) -> None:
        finished = threading.Event()
        refresher = threading.Thread(
            target=self._refresh_loop, args=(progress, finished), name="performance-lab-refresh", daemon=True
        )
        refresher.start()
        result = None
        try:
            result = self._runner.run(
                settings.config,
                epochs=settings.epochs,
                train_step_ms=settings.train_step_ms,
                stop_event=self._stop_event,
                progress=progress,
                recorder=timeline.TimelineRecorder(),
                changes=self._changes,
            )
        except Exception as exc:  # shown in the panel, never lost in a thread
            self._show_failure(exc)
        finally:
            # The run has ended here (its pipeline closed); the display catches up after a last refresh.
            if self._stop_requested_at is not None:
                self.stop_latency_seconds = time.perf_counter() - self._stop_requested_at
            finished.set()
            refresher.join()
            try:
                if result is not None:
                    self.results.append(result)
                    self._show_result(result)
            except Exception as exc:  # the same: a result that cannot be drawn is reported
                self._show_failure(exc)
            self.run_button.disabled, self.stop_button.disabled = False, True

    def _show_failure(self, exc: BaseException) -> None:
        self._set_status(f"Failed: {html.escape(messages.error_summary(exc, innermost=True))}", "#b3261e")

    def _refresh_loop(self, progress: runs.RunProgress, finished: threading.Event) -> None:
        while not finished.wait(self.refresh_seconds):
            try:
                self._refresh(progress)
            except Exception as exc:  # a failed refresh must not end the run
                self._set_status(f"Display error: {html.escape(str(exc))}", "#b3261e")

    def _refresh(self, progress: runs.RunProgress) -> None:
        """Shows the run's progress: status, epoch bar, segments, and (when live) plot and images."""
        started, cpu_started = time.perf_counter(), time.thread_time()
        now = progress.now_seconds()
        shown_seconds = self._live_plot.window_seconds + self._live_plot.step_seconds
        points = progress.points(since_seconds=now - shown_seconds - 1.0)
        segments = progress.segments()
        epochs = self._asked.epochs if self._asked is not None else 0
        done = progress.epochs_done
        self.progress.value, self.progress.description = panel_view.epoch_bar(done, epochs=epochs)
        status = running_status(segments, points, epochs_done=done)
        if self._change_error:  # kept in view until a valid change replaces it
            status += f' · <span style="color:#b3261e">{self._change_error}</span>'
        self._set_status(status)
        self._show_history(segments)
        if self.controls["live"].value:
            markers = progress.markers()
            self.plot_image.value = self._live_plot.png(points, markers, now_seconds=now)
            self.markers.value = markers_html(markers)
            if progress.last_batch is not None:
                self.strip_image.value = panel_view.strip_jpeg(progress.last_batch)
        self.refresh_times.append(started)
        self.refresh_cpu_seconds.append(time.thread_time() - cpu_started)

    # --- showing results ------------------------------------------------------------------------

    def _set_status(self, text: str, colour: str = "#333") -> None:
        self.status.value = f'<span style="color:{colour}">{text}</span>'

    def _show_result(self, result: runs.RunResult) -> None:
        number = len(self.results)
        status = panel_view.result_status(
            result, number=number, stop_latency_seconds=self.stop_latency_seconds
        )
        if result.error:
            self.progress.bar_style = "danger"
            self._set_status(status, "#b3261e")
        else:
            self.progress.bar_style = "success" if not result.stopped else "warning"
            if not result.stopped:
                self.progress.value = 1.0
            self._set_status(status)
        if result.points:
            now = result.points[-1].seconds
            self.plot_image.value = self._live_plot.png(result.points, result.markers, now_seconds=now)
            self.markers.value = markers_html(result.markers)
        if result.segments and result.elements:
            last_batch = self._progress.last_batch if self._progress is not None else None
            if last_batch is not None:
                self.strip_image.value = panel_view.strip_jpeg(last_batch)
        self._show_history()
        if result.events:
            ax = self._timeline_figure.new_axes(panel_view.timeline_size_inches(result))
            self.timeline_figure(result, ax=ax)
            self.timeline_image.value = self._timeline_figure.png()

    def _show_history(self, running: Sequence[runs.Segment] = ()) -> None:
        self.history.value = self.history_html(running)

    def history_html(self, running: Sequence[runs.Segment] = ()) -> str:
        """Returns the segments of the past runs (and of `running`, the current run's) as an HTML table.

        The newest `MAX_TABLE_ROWS` segments are shown.
        """
        return panel_view.history_html(self.results, running)

    def bar_chart(self, result: runs.RunResult | None = None, *, ax: Axes | None = None) -> Figure:
        """Returns a Figure with one bar per segment of `result` (default: the last run), its median rate."""
        return panel_view.bar_chart(self._result(result), ax=ax)

    def timeline_figure(self, result: runs.RunResult | None = None, *, ax: Axes | None = None) -> Figure:
        """Returns the timeline of `result` (default: the last run), from its first batch on."""
        return panel_view.timeline_figure(self._result(result), window_seconds=self.timeline_seconds, ax=ax)

    def _result(self, result: runs.RunResult | None) -> runs.RunResult:
        result = result or self.last_result
        if result is None:
            raise ValueError("no run yet: press Run first")
        return result


def _option_values(dropdown: w.Dropdown) -> list:
    return [option[1] if isinstance(option, tuple) else option for option in dropdown.options]


def _close_tree(widget: w.Widget) -> None:
    for child in getattr(widget, "children", ()):
        _close_tree(child)
    widget.close()
