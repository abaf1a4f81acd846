"""Notebook 05 in JupyterLab: the notebook runs clean, and its panel works when a learner clicks it."""

import re
import time

from tests.browser.test_notebooks_in_browser import PANEL_NOTEBOOK, run_and_check_notebook

STOP_SECONDS = 2.0


def _button(panel, label: str):
    return panel.locator("button", has_text=re.compile(rf"^\s*{label}\s*$"))


def test_performance_lab_panel_runs_updates_live_and_stops(lab, page, artifacts_dir):
    run_and_check_notebook(page, lab, PANEL_NOTEBOOK, artifacts_dir)
    panel = page.locator(".fglab-panel").first
    panel.scroll_into_view_if_needed()
    plot, strip, status = (
        panel.locator(name) for name in (".fglab-live-plot", ".fglab-strip", ".fglab-status")
    )
    runs_before = len(panel.locator(".fglab-history tr").all()) - 1  # minus the header row

    _button(panel, "Run").click()
    plot_sources = {plot.get_attribute("src")}
    deadline = time.monotonic() + 30
    while len(plot_sources) < 3 and time.monotonic() < deadline:
        time.sleep(0.2)
        plot_sources.add(plot.get_attribute("src"))
    assert len(plot_sources) >= 3, "the live throughput plot did not change twice within 30 s"
    page.wait_for_function("image => image.naturalWidth > 0", arg=strip.element_handle(), timeout=10_000)
    panel.screenshot(path=artifacts_dir / "05_panel_running.png")

    panel.locator(".widget-dropdown", has_text="batch size").locator("select").select_option("16")
    _button(panel, "Stop").click()
    clicked = time.monotonic()
    page.wait_for_function(
        "([element, number]) => element.innerText.startsWith(`Run ${number} stopped`)",
        arg=[status.element_handle(), runs_before + 1],
        timeout=10_000,
    )
    stop_seconds = time.monotonic() - clicked
    panel.screenshot(path=artifacts_dir / "05_panel_stopped.png")
    assert stop_seconds < STOP_SECONDS, (
        f"the panel reported stopped {stop_seconds:.1f} s after Stop; its status: {status.inner_text()}"
    )
    assert panel.locator(".widget-dropdown", has_text="batch size").locator("select").input_value() == "16"
