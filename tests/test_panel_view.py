"""helpers.panel_view: what the performance panel shows, rendered without any widget."""

from __future__ import annotations

import subprocess
import sys

import cv2
import numpy as np
from matplotlib.figure import Figure

from helpers import panel_view, pipelines, runs, timeline

CONFIG = pipelines.PipelineConfig(data="samples", image_count=8, image_size=16, batch_size=4)


def segment(number: int, *, change: str = "", start_seconds: float = 0.0) -> runs.Segment:
    return runs.Segment(number, CONFIG, 5.0, change, start_seconds, 2.0, 1234, 600.0, 610.0, 1.5)


def result(*segments: runs.Segment, stopped: bool = False, error: str = "", events=()) -> runs.RunResult:
    points = tuple(runs.LivePoint(1.0, rate, 1.0) for rate in (9, 610, 700))  # median 610
    settings = runs.RunSettings(CONFIG, 5.0)
    return runs.RunResult(settings, 1234, 2.0, stopped, error, events, segments, points)


def test_importing_it_imports_neither_widgets_nor_tensorflow():
    code = "import sys, helpers.panel_view; print(sorted({'ipywidgets', 'tensorflow'} & set(sys.modules)))"
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    assert done.stdout.strip() == "[]"


def test_the_status_and_marker_lines_render_without_widgets():
    assert panel_view.markers_html([segment(1)]) == ""
    line = panel_view.markers_html([segment(1), segment(2, change="batch 32 -> 64", start_seconds=3.25)])
    assert "3.2 s: batch 32 -&gt; 64" in line
    assert panel_view.running_status([], [], epochs_done=0) == "Starting..."


def test_the_running_status_names_the_segment_epoch_rate_and_cores():
    line = panel_view.running_status(
        [segment(1), segment(2, change="batch 4 -> 8")], [runs.LivePoint(1.0, 1500.4, 1.26)], epochs_done=2.5
    )
    assert line == (
        "Running: segment 2 (batch 4 -&gt; 8) · epoch 3 · 1,234 elements · 1,500 elements/s · 1.3 cores busy"
    )


def test_the_epoch_bar_shows_the_run_or_until_stop_the_current_epoch():
    assert panel_view.epoch_bar(1.5, epochs=3) == (0.5, "run")
    assert panel_view.epoch_bar(3.2, epochs=3) == (1.0, "run")
    assert panel_view.epoch_bar(2.25, epochs=runs.UNTIL_STOP) == (0.25, "epoch 3")


def test_the_status_of_a_finished_run_says_how_it_ended():
    stopped = panel_view.result_status(result(segment(1), stopped=True), number=2, stop_latency_seconds=0.125)
    assert stopped.startswith("Run 2 stopped (ended 0.12 s after Stop): 1,234 elements in 2.0 s, 1 segment,")
    two = panel_view.result_status(result(segment(1), segment(2)), number=1, stop_latency_seconds=None)
    assert "Run 1 done: " in two and "2 segments" in two and "610 elements/s" in two
    failed = panel_view.result_status(result(error="ValueError: <bad>"), number=3, stop_latency_seconds=None)
    assert failed == "Run 3 failed: ValueError: &lt;bad&gt;"


def test_the_segments_table_has_a_row_per_segment():
    table = panel_view.history_html([result(segment(1), segment(2, change="batch 4 -> 8"))])
    assert table.count("<tr>") == 3 and "1,234" in table and "batch 4 -&gt; 8" in table
    assert "batch 4 · per element · prefetch autotune · train step 5 ms" in table
    assert ">2.500<" in table  # CPU ms per element: 1.5 cores / 600 elements/s


def test_the_history_shows_the_newest_rows_and_marks_the_running_segment():
    assert panel_view.history_html([]) == "<i>No runs yet.</i>"
    past = [result(*(segment(n) for n in range(1, 16)), stopped=True), result(segment(1), segment(2))]
    running = [segment(1), segment(2, change="batch 4 -> 8")]
    html = panel_view.history_html(past, running)
    assert html.count("<tr>") == 1 + panel_view._TABLE_ROWS  # the header, then the newest rows
    assert "(stopped)" in html and "(running)" in html and "(done)" not in html
    assert html.rindex("batch 4 -&gt; 8") > html.index("(stopped)")  # the running run comes last


def test_the_strip_is_the_first_ten_images_side_by_side():
    batch = np.random.default_rng(0).random((12, 40, 30, 3), dtype=np.float32)
    strip = cv2.imdecode(np.frombuffer(panel_view.strip_jpeg(batch), np.uint8), cv2.IMREAD_COLOR)
    pixels, gap = panel_view._STRIP_PIXELS, panel_view._STRIP_GAP_PIXELS
    assert strip.shape == (pixels, 10 * pixels + 9 * gap, 3)
    assert strip[:, pixels + 1 : pixels + gap - 1].min() > 200  # the white gap between two images


def test_the_timeline_of_a_run_starts_at_its_first_batch():
    events = (
        timeline.Event("producer 1", timeline.PRODUCE, 0.0, 0.3),  # start-up: before the first batch
        timeline.Event("consumer", timeline.WAIT, 0.0, 0.5),
        timeline.Event("producer 0", timeline.PRODUCE, 0.1, 0.7),
        timeline.Event("consumer", timeline.TRAIN_STEP, 0.5, 0.6),
    )
    figure = Figure()
    for _ in range(2):  # the panel draws every run's timeline on the same figure
        png = panel_view.timeline_png(result(segment(1), events=events), figure, window_seconds=2.0)
    (ax,) = figure.axes
    assert png.startswith(b"\x89PNG") and tuple(figure.get_size_inches()) == (7.0, 1.2 + 0.45 * 3)
    assert ax.get_xlim() == (0.0, 2.0) and ax.get_title().startswith("Timeline: ")
    assert sorted(label.get_text() for label in ax.get_yticklabels()) == ["consumer", "producer 0"]


def test_the_bar_chart_has_a_bar_per_segment_its_median_rate():
    bars = panel_view.bar_chart(result(segment(1), segment(2, change="batch 4 -> 8"))).axes[0]
    assert bars.get_title() == "Median throughput of each segment"
    assert [label.get_text() for label in bars.get_yticklabels()] == ["1: start", "2: batch 4 -> 8"]
    assert [round(bar.get_width()) for bar in bars.patches] == [610, 610]
