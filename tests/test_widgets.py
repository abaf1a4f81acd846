"""helpers.widgets: the lab panel driven from code, as nbval and a learner's notebook drive it."""

from __future__ import annotations

import dataclasses
import functools
import gc
import threading
import time

import cv2
import numpy as np
import psutil
import pytest

from helpers import panel_view, pipelines, runs, widgets
from tests.support import numbered_pipeline

TINY = pipelines.PipelineConfig(data="samples", image_count=8, image_size=16, batch_size=4, prefetch="off")


@pytest.fixture
def panel():
    # augment=True makes the tiny pipeline's generators fail, as a missing file would.
    build = functools.partial(numbered_pipeline, broken=lambda config: config.augment)
    panel = widgets.PerformancePanel(build, TINY, train_step_ms=0, refresh_seconds=0.05).set(epochs=1)
    yield panel
    panel.stop_button.click()
    panel.wait(10)


def test_building_the_panel_shows_nothing_and_reads_its_controls(panel):
    assert panel._settings().config == TINY
    bundle = panel._repr_mimebundle_()
    assert bundle["text/plain"].startswith("PerformancePanel")
    assert "application/vnd.jupyter.widget-view+json" in bundle
    assert "No runs yet" in panel.history.value
    assert panel.stop_button.disabled and not panel.run_button.disabled


def test_every_control_is_a_pipeline_setting_or_a_run_setting_in_one_group():
    grouped = [name for names in widgets._GROUPS.values() for name in names]
    assert sorted(grouped) == sorted(set(grouped))
    fields = {field.name for field in dataclasses.fields(pipelines.PipelineConfig)}
    assert set(grouped) - fields == {"train_step_ms", "epochs", "live"}
    assert fields - set(grouped) == {"opencv_threads"}  # kept from the panel's config


def test_set_changes_controls_and_the_settings(panel):
    panel.set(shards=3, yield_mode="batch", batch_size=24, train_step_ms=5, epochs=7)
    settings = panel._settings()
    assert (settings.config.shards, settings.config.yield_mode, settings.config.batch_size) == (
        3,
        "batch",
        24,
    )
    assert (settings.train_step_ms, settings.epochs) == (5.0, 7)
    # A number a menu lacked joins it, in order.
    assert [value for _label, value in panel.controls["batch_size"].options][:5] == [4, 8, 16, 24, 32]
    assert panel.controls["epochs"].options[0] == ("until Stop", runs.UNTIL_STOP)
    with pytest.raises(KeyError, match="no control named 'colour'"):
        panel.set(colour="red")


@pytest.mark.parametrize("name", widgets.PRESETS)
def test_a_preset_sets_its_settings(panel, name):
    panel.preset.value = name
    config = panel._settings().config
    for key, value in widgets.PRESETS[name].items():
        assert getattr(config, key) == value


def test_run_button_runs_in_the_background_and_records_the_result(panel):
    panel.set(live=True)
    panel.run_button.click()
    result = panel.wait(60)
    assert result is not None and result.status == "done"
    assert result.elements == 8
    assert panel.progress.value == 1.0
    assert "Run 1 done" in panel.status.value
    assert bytes(panel.timeline_image.value).startswith(b"\x89PNG")
    assert "(start)" in panel.history.value
    assert len(result.segments) == 1 and result.segments[0].elements == 8
    assert not panel.run_button.disabled and panel.stop_button.disabled


def test_strip_shows_the_batch_images(panel):
    panel.run_button.click()
    panel.wait(60)
    strip = cv2.imdecode(np.frombuffer(panel.strip_image.value, np.uint8), cv2.IMREAD_GRAYSCALE)
    pixels, gap = panel_view._STRIP_PIXELS, panel_view._STRIP_GAP_PIXELS
    assert strip.shape == (pixels, 4 * pixels + 3 * gap)  # the last batch: images 4 to 7
    greys = [int(np.median(strip[:, i * (pixels + gap) : i * (pixels + gap) + pixels])) for i in range(4)]
    assert greys == pytest.approx([i * 37 % 256 for i in range(4, 8)], abs=2)


def test_live_plot_is_drawn_during_a_run(panel):
    panel.set(epochs=5, train_step_ms=150)
    panel.run_button.click()
    result = panel.wait(60)
    assert result.status == "done" and len(panel.refresh_cpu_seconds) >= 10
    assert bytes(panel.plot_image.value).startswith(b"\x89PNG")


def test_stop_ends_a_long_run_and_clear_forgets_runs(panel):
    panel.set(epochs=5, train_step_ms=200, image_count=64)
    panel.run_button.click()
    assert panel._running
    panel.run_button.click()  # from code, though disabled: a second run is refused while one is going
    assert "still going" in panel.status.value
    panel.stop_button.click()
    result = panel.wait(10)
    assert result.stopped and result.elements < 5 * 64
    assert panel.stop_latency_seconds is not None
    assert f"ended {panel.stop_latency_seconds:.2f} s after Stop" in panel.status.value
    assert "(stopped)" in panel.history.value
    panel.clear_button.click()
    assert panel.results == [] and "No runs yet" in panel.history.value


def test_an_error_in_a_run_is_shown_with_its_message(panel):
    panel.set(augment=True)
    panel.run_button.click()
    result = panel.wait(60)
    assert result.status == "failed" and "missing.jpg" in result.error
    assert "failed" in panel.status.value and "missing.jpg" in panel.status.value


def test_an_invalid_setting_is_reported_not_run(panel):
    panel.controls["image_count"].options = [0, 8]
    panel.controls["image_count"].value = 0
    panel.run_button.click()
    assert not panel._running and panel.results == []
    assert "Cannot run" in panel.status.value and "image_count" in panel.status.value


def test_twenty_run_stop_cycles_leave_no_threads_and_little_memory(panel):
    process = psutil.Process()
    panel.set(epochs=runs.UNTIL_STOP, train_step_ms=20)

    def cycle():
        panel.run_button.click()
        deadline = time.monotonic() + 5
        while panel.progress.value == 0 and panel._running and time.monotonic() < deadline:
            time.sleep(0.01)  # stop once batches flow, as a learner would
        panel.stop_button.click()
        panel.wait(10)

    for _ in range(3):  # warm-up: TensorFlow's own thread pools start once
        cycle()
    gc.collect()
    threads_before, os_threads_before = threading.active_count(), process.num_threads()
    rss_before = process.memory_info().rss
    for _ in range(20):
        cycle()
    gc.collect()
    assert len(panel.results) == 23
    assert sum(r.stopped for r in panel.results) >= 20 and sum(r.elements for r in panel.results) > 0
    assert threading.active_count() <= threads_before
    assert process.num_threads() <= os_threads_before
    assert process.memory_info().rss - rss_before < 20 * 2**20  # under 1 MiB a cycle


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
    assert result.status == "stopped" and result.settings.epochs == runs.UNTIL_STOP
    assert [s.number for s in result.segments] == [1, 2, 3]
    assert result.segments[1].change in panel.history.value.replace("-&gt;", "->")
    assert result.segments[2].change in panel.markers.value.replace("-&gt;", "->")
    assert bytes(panel.plot_image.value).startswith(b"\x89PNG")
    table = panel_view.history_html([result])
    assert table.count("<tr>") == 4 and "batch 4 -&gt; 8" in table
    assert panel_view.bar_chart(result).axes[0].get_title() == "Median throughput of each segment"


def test_an_invalid_change_during_a_run_is_reported_and_the_run_goes_on(panel):
    panel.set(epochs=runs.UNTIL_STOP)
    panel.run_button.click()
    panel.wait_segment(0.1, timeout_seconds=30)
    panel.controls["image_count"].options = [0, 8]
    panel.controls["image_count"].value = 0
    assert "Cannot apply" in panel.status.value and "image_count" in panel.status.value
    time.sleep(0.2)  # a few refreshes: the message stays beside the run's progress
    assert "Cannot apply" in panel.status.value and "Running" in panel.status.value
    assert panel._running
    panel.stop_button.click()
    assert len(panel.wait(10).segments) == 1


def test_a_rebuild_that_fails_shows_its_error_and_ends_the_run(panel):
    panel.set(epochs=runs.UNTIL_STOP)
    panel.run_button.click()
    panel.wait_segment(0.1, timeout_seconds=30)
    panel.set(augment=True)
    result = panel.wait(30)
    assert result.status == "failed" and "missing.jpg" in result.error
    assert "failed" in panel.status.value and "missing.jpg" in panel.status.value
    assert [s.change for s in result.segments] == ["", "augment off -> on"]
    assert not panel._running and not panel.run_button.disabled and panel.stop_button.disabled


def test_stop_ends_a_run_until_stop_quickly(panel):
    panel.set(epochs=runs.UNTIL_STOP, train_step_ms=50, image_count=64)
    panel.run_button.click()
    panel.wait_segment(0.2, timeout_seconds=30)
    panel.stop_button.click()
    assert panel.wait(10).stopped and panel.stop_latency_seconds < 1.0


# --- the live plot (drawing only, no widgets) --------------------------------------------------


def changed(seconds: float, label: str) -> runs.Segment:
    """A segment that began `seconds` into a run with change `label`."""
    return runs.Segment(2, TINY, 0.0, label, seconds, 1.0, 8, 8.0, 8.0, 1.0)


def test_live_plot_redraws_in_full_only_when_the_view_changes():
    plot = panel_view.LivePlot(cores=2)
    plot.reset(previous=[runs.LivePoint(s / 2, 100.0, 1.0) for s in range(1, 40)])
    points = [runs.LivePoint(s / 2, 200.0, 1.5) for s in range(1, 20)]
    draws = plot.full_draws
    png = plot.png(points, [], now_seconds=10.0)
    assert png.startswith(b"\x89PNG") and plot.full_draws == draws + 1
    plot.png(points, [], now_seconds=10.4)
    assert plot.full_draws == draws + 1  # only the lines were drawn again
    assert list(plot.rate_line.get_ydata()) == [200.0] * 19
    assert plot.previous_rate.get_ydata()[0] == 100.0  # the previous run, faint, behind
    plot.png(points, [changed(0.0, ""), changed(9.0, "batch 32 -> 64")], now_seconds=10.8)
    assert plot.full_draws == draws + 2
    assert [t.get_text() for t in plot.rate_ax.texts] == [" batch 32 -> 64"]


def test_live_plot_scrolls_over_the_last_30_seconds_and_grows_its_scale():
    plot = panel_view.LivePlot(cores=2)
    plot.reset()
    points = [runs.LivePoint(s / 2, 50.0 * s, 1.0) for s in range(1, 90)]
    plot.png(points, [changed(0.0, ""), changed(3.0, "per element -> per batch")], now_seconds=44.6)
    x_min, x_max = plot.rate_ax.get_xlim()
    assert x_min <= 44.6 - 30 and 44.6 <= x_max <= 44.6 + 5
    assert min(plot.rate_line.get_xdata()) >= x_min - 1.0  # older points are not drawn
    assert plot.rate_ax.get_ylim()[1] >= max(p.elements_per_second for p in points)
    assert len(plot.rate_ax.texts) == 0  # the marker scrolled out of view
    assert plot.cores_ax.get_ylim()[1] > 2  # room above the dashed line at 2 cores
