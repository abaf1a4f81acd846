"""helpers.widgets: the performance panel driven from code, as nbval and a learner's notebook drive it."""

from __future__ import annotations

import gc
import threading
import time

import cv2
import numpy as np
import psutil
import pytest

from helpers import live_plot, panel_settings, panel_view, pipelines, runs, widgets
from tests.support import write_test_jpegs

TINY = pipelines.PipelineConfig(data="samples", image_count=8, image_size=16, batch_size=4, prefetch="off")


@pytest.fixture(scope="module")
def tiny_jpegs(tmp_path_factory):
    return write_test_jpegs(tmp_path_factory.mktemp("tiny"), 8, height=24, width=32, seed=0)


@pytest.fixture
def panel(monkeypatch, tiny_jpegs):
    # Tiny files keep the many runs here quick; the panel's data choice is tested in test_pipelines.
    monkeypatch.setattr(
        pipelines,
        "resolve_paths",
        lambda config: [tiny_jpegs[i % len(tiny_jpegs)] for i in range(config.image_count)],
    )
    panel = widgets.PerformancePanel(TINY, train_step_ms=0, epochs=1, refresh_seconds=0.05)
    yield panel
    panel.close()


def test_building_the_panel_shows_nothing_and_reads_its_controls(panel):
    assert panel.config() == TINY
    bundle = panel._repr_mimebundle_()
    assert bundle["text/plain"].startswith("PerformancePanel")
    assert "application/vnd.jupyter.widget-view+json" in bundle
    assert "No runs yet" in panel.history.value
    assert panel.stop_button.disabled and not panel.run_button.disabled


def test_set_changes_controls_and_the_config(panel):
    panel.set(shards=3, yield_mode="batch", batch_size=24, train_step_ms=5)
    config = panel.config()
    assert (config.shards, config.yield_mode, config.batch_size) == (3, "batch", 24)
    assert panel.controls["train_step_ms"].value == 5
    with pytest.raises(KeyError, match="no control named 'colour'"):
        panel.set(colour="red")


def test_a_preset_sets_its_settings(panel):
    name = "batches from 2 decode threads, prefetch"
    panel.preset.value = name
    config = panel.config()
    for key, value in widgets.PRESETS[name].items():
        assert getattr(config, key) == value


def test_run_button_runs_in_the_background_and_records_the_result(panel):
    panel.set(augment=True, live=True)
    panel.run_button.click()
    result = panel.wait(60)
    assert result is not None and result.status == "done"
    assert result.elements == 8
    assert panel.progress.value == 1.0
    assert "Run 1 done" in panel.status.value
    assert bytes(panel.strip_image.value).startswith(b"\xff\xd8\xff")  # JPEG
    assert bytes(panel.timeline_image.value).startswith(b"\x89PNG")
    assert "augment" in panel.history.value and "(start)" in panel.history.value
    assert len(result.segments) == 1 and result.segments[0].elements == 8
    assert not panel.run_button.disabled and panel.stop_button.disabled


def test_strip_shows_the_batch_images(panel):
    panel.run_button.click()
    panel.wait(60)
    strip = cv2.imdecode(np.frombuffer(panel.strip_image.value, np.uint8), cv2.IMREAD_COLOR)
    assert strip.shape[:2] == (
        panel_view._STRIP_PIXELS,
        4 * panel_view._STRIP_PIXELS + 3 * panel_view._STRIP_GAP_PIXELS,
    )
    assert strip.std() > 10  # the images, not a blank strip


def test_live_plot_is_drawn_during_a_run(panel):
    panel.set(epochs=5, train_step_ms=150)
    panel.run_button.click()
    result = panel.wait(60)
    assert result.status == "done" and len(result.series) >= 2
    assert len(panel.refresh_times) >= 10
    assert bytes(panel.plot_image.value).startswith(b"\x89PNG")


def test_stop_ends_a_long_run_and_clear_forgets_runs(panel):
    panel.set(epochs=5, train_step_ms=200, image_count=64)
    panel.run_button.click()
    assert panel.running
    assert not panel.start()  # a second run is refused while one is going
    assert "still going" in panel.status.value
    panel.stop_button.click()
    result = panel.wait(10)
    assert result.stopped and result.elements < 5 * 64
    assert panel.stop_latency_seconds is not None
    assert f"ended {panel.stop_latency_seconds:.2f} s after Stop" in panel.status.value
    assert "(stopped)" in panel.history.value
    panel.clear_button.click()
    assert panel.results == [] and "No runs yet" in panel.history.value


def test_an_error_in_a_run_is_shown_with_its_message(panel, monkeypatch, tmp_path):
    missing = tmp_path / "missing.jpg"
    monkeypatch.setattr(pipelines, "resolve_paths", lambda config: [missing])
    panel.run_button.click()
    result = panel.wait(60)
    assert result.status == "failed"
    assert "missing.jpg" in result.error
    assert "failed" in panel.status.value and "missing.jpg" in panel.status.value


def test_an_invalid_setting_is_reported_not_run(panel):
    panel.controls["image_count"].options = [0, 8]
    panel.controls["image_count"].value = 0
    assert panel.start() is False
    assert "Cannot run" in panel.status.value and "image_count" in panel.status.value


def test_fifty_run_stop_cycles_leave_no_threads_and_little_memory(panel):
    process = psutil.Process()
    panel.set(epochs=runs.UNTIL_STOP, train_step_ms=20)

    def cycle():
        panel.run_button.click()
        deadline = time.monotonic() + 5
        while panel.progress.value == 0 and panel.running and time.monotonic() < deadline:
            time.sleep(0.01)  # stop once batches flow, as a learner would
        panel.stop_button.click()
        panel.wait(10)

    for _ in range(3):  # warm-up: TensorFlow's own thread pools start once
        cycle()
    gc.collect()
    threads_before, os_threads_before = threading.active_count(), process.num_threads()
    rss_before = process.memory_info().rss
    for _ in range(50):
        cycle()
    gc.collect()
    assert len(panel.results) == 53
    assert sum(r.stopped for r in panel.results) >= 50 and sum(r.elements for r in panel.results) > 0
    assert threading.active_count() <= threads_before
    assert process.num_threads() <= os_threads_before
    assert process.memory_info().rss - rss_before < 50 * 2**20


def test_controls_changed_during_a_run_apply_to_it_as_new_segments(panel):
    panel.set(epochs=runs.UNTIL_STOP, train_step_ms=5, live=True)
    panel.run_button.click()
    assert panel.wait_segment(0.2, timeout_seconds=30).number == 1
    panel.controls["batch_size"].value = 8  # as a learner's click sets it
    second = panel.wait_segment(0.2, timeout_seconds=30)
    assert (second.number, second.change, second.config.batch_size) == (2, "batch 4 -> 8", 8)
    panel.preset.value = "batches from 2 decode threads, prefetch"  # several settings, one change
    third = panel.wait_segment(0.2, timeout_seconds=30)
    assert third.number == 3 and third.config.yield_mode == "batch" and third.config.decode_threads == 2
    assert "per element -> per batch" in third.change and "decode threads 0 -> 2" in third.change
    time.sleep(0.3)  # one refresh or more
    assert "batch 4 -&gt; 8" in panel.markers.value and "running" in panel.history.value
    assert "segment 3" in panel.status.value
    panel.stop_button.click()
    result = panel.wait(10)
    assert result.status == "stopped" and result.epochs == runs.UNTIL_STOP
    assert [s.number for s in result.segments] == [1, 2, 3] == [s.number for s in panel.segments()]
    assert [m.label for m in result.markers] == [s.change for s in result.segments[1:]]
    assert result.segments[1].change in panel.history.value.replace("-&gt;", "->")
    assert bytes(panel.plot_image.value).startswith(b"\x89PNG")
    table = widgets.segments_html(result.segments)
    assert table.count("<tr>") == 4 and "batch 4 -&gt; 8" in table
    assert panel.bar_chart(result).axes[0].get_title() == "Median throughput of each segment"


def test_an_invalid_change_during_a_run_is_reported_and_the_run_goes_on(panel):
    panel.set(epochs=runs.UNTIL_STOP)
    panel.run_button.click()
    panel.wait_segment(0.1, timeout_seconds=30)
    panel.controls["image_count"].options = [0, 8]
    panel.controls["image_count"].value = 0
    assert "Cannot apply" in panel.status.value and "image_count" in panel.status.value
    time.sleep(0.2)  # a few refreshes: the message stays beside the run's progress
    assert "Cannot apply" in panel.status.value and "Running" in panel.status.value
    assert panel.running
    panel.stop_button.click()
    assert len(panel.wait(10).segments) == 1


def test_a_rebuild_that_fails_shows_its_error_and_ends_the_run(panel, monkeypatch, tiny_jpegs, tmp_path):
    def paths(config):
        if config.batch_size == 2:
            return [tmp_path / "missing.jpg"]
        return [tiny_jpegs[i % len(tiny_jpegs)] for i in range(config.image_count)]

    monkeypatch.setattr(pipelines, "resolve_paths", paths)
    panel.set(epochs=runs.UNTIL_STOP)
    panel.run_button.click()
    panel.wait_segment(0.1, timeout_seconds=30)
    panel.set(batch_size=2)
    result = panel.wait(30)
    assert result.status == "failed" and "missing.jpg" in result.error
    assert "failed" in panel.status.value and "missing.jpg" in panel.status.value
    assert [s.change for s in result.segments] == ["", "batch 4 -> 2"]
    assert not panel.running and not panel.run_button.disabled and panel.stop_button.disabled


def test_stop_ends_a_run_until_stop_quickly(panel):
    panel.set(epochs=runs.UNTIL_STOP, train_step_ms=50, image_count=64)
    panel.run_button.click()
    panel.wait_segment(0.2, timeout_seconds=30)
    assert panel.stop() is True  # ended within STOP_WAIT_SECONDS
    assert panel.last_result.stopped and panel.stop_latency_seconds < widgets.STOP_WAIT_SECONDS


def test_the_names_notebooks_use_stay_in_widgets():
    # Notebook 05 reads `widgets.PRESETS` and `widgets.segments_html`; they live in the pure modules now.
    assert widgets.PRESETS is panel_settings.PRESETS and widgets.RUN_SETTINGS is panel_settings.RUN_SETTINGS
    for name in ("segments_html", "markers_html", "running_status", "MAX_TABLE_ROWS"):
        assert getattr(widgets, name) is getattr(panel_view, name)
    assert all(hasattr(widgets, name) for name in widgets.__all__)


# --- the live plot (drawing only, no widgets) --------------------------------------------------


def test_live_plot_redraws_in_full_only_when_the_view_changes():
    plot = live_plot.LivePlot(cores=2)
    plot.reset(previous=[runs.LivePoint(s / 2, 100.0, 1.0) for s in range(1, 40)])
    points = [runs.LivePoint(s / 2, 200.0, 1.5) for s in range(1, 20)]
    draws = plot.full_draws
    png = plot.png(points, [], now_seconds=10.0)
    assert png.startswith(b"\x89PNG") and plot.full_draws == draws + 1
    plot.png(points, [], now_seconds=10.4)
    assert plot.full_draws == draws + 1  # only the lines were drawn again
    assert list(plot.rate_line.get_ydata()) == [200.0] * 19
    assert plot.previous_rate.get_ydata()[0] == 100.0  # the previous run, faint, behind
    plot.png(points, [runs.Marker(9.0, "batch 32 -> 64")], now_seconds=10.8)
    assert plot.full_draws == draws + 2
    assert [t.get_text() for t in plot.rate_ax.texts] == [" batch 32 -> 64"]


def test_live_plot_scrolls_over_the_last_30_seconds_and_grows_its_scale():
    plot = live_plot.LivePlot(cores=2, window_seconds=30.0, step_seconds=5.0)
    plot.reset()
    points = [runs.LivePoint(s / 2, 50.0 * s, 1.0) for s in range(1, 90)]
    plot.png(points, [runs.Marker(3.0, "per element -> per batch")], now_seconds=44.6)
    x_min, x_max = plot.rate_ax.get_xlim()
    assert x_min <= 44.6 - 30 and 44.6 <= x_max <= 44.6 + 5
    assert min(plot.rate_line.get_xdata()) >= x_min - 1.0  # older points are not drawn
    assert plot.rate_ax.get_ylim()[1] >= max(p.elements_per_second for p in points)
    assert len(plot.rate_ax.texts) == 0  # the marker scrolled out of view
    assert plot.cores_ax.get_ylim()[1] > 2  # room above the dashed line at 2 cores
