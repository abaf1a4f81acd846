"""Notebook 06 in JupyterLab: the notebook runs clean, and its panel works when a learner clicks it.

A learner's run: Run (it goes on until Stop), change the batch size and the yield mode while it runs, see
each change marked and a new segment in the table while throughput keeps updating, then Stop. Screenshots
of the panel at two window widths, mid-run and after Stop go to artifacts/browser/.
"""

import re
import time

from tests.browser.test_notebooks_in_browser import PANEL_NOTEBOOK, run_and_check_notebook

STOP_SECONDS = 2.0  # from the click to the panel saying so: the stop itself, and two browser round trips
SCREENSHOT_HEIGHT = 2400
CHANGE_SECONDS = 20.0  # from a click to its change marked: the next batch, a rebuild, a refresh


def _button(panel, label: str):
    return panel.locator("button", has_text=re.compile(rf"^\s*{re.escape(label)}\s*$"))


def _screenshot(page, panel, path, *, width: int | None = None) -> None:
    """Saves the window with the panel at its top; tall, so the whole panel shows (an element screenshot
    of it would be cut off by the notebook's own scrolling)."""
    if width is not None:
        page.set_viewport_size({"width": width, "height": SCREENSHOT_HEIGHT})
    panel.evaluate("element => element.scrollIntoView({block: 'start'})")
    time.sleep(0.5)  # let the layout settle
    page.screenshot(path=path)


def _wait_for_text(locator, text: str, *, timeout_seconds: float) -> None:
    deadline = time.monotonic() + timeout_seconds
    while text not in locator.inner_text():
        assert time.monotonic() < deadline, f"{text!r} did not appear; it reads: {locator.inner_text()!r}"
        time.sleep(0.2)


def _changing(locator, attribute: str | None, *, times: int, timeout_seconds: float) -> int:
    """Returns how many different values `locator`'s attribute (or text) took, waiting for `times`."""
    read = (lambda: locator.get_attribute(attribute)) if attribute else locator.inner_text
    seen = {read()}
    deadline = time.monotonic() + timeout_seconds
    while len(seen) < times and time.monotonic() < deadline:
        time.sleep(0.2)
        seen.add(read())
    return len(seen)


def test_performance_lab_panel_runs_changes_live_and_stops(lab, page, artifacts_dir):
    run_and_check_notebook(page, lab, PANEL_NOTEBOOK, artifacts_dir)
    panel = page.locator(".fglab-panel").first
    for width in (900, 1280):  # the rest at 1280 px
        _screenshot(page, panel, artifacts_dir / f"06_panel_{width}px.png", width=width)
    plot, strip, status, markers, history = (
        panel.locator(f".fglab-{name}") for name in ("live-plot", "strip", "status", "markers", "history")
    )
    batch_size = panel.locator(".widget-dropdown", has_text="batch size").locator("select")
    batch_size.select_option("32")
    _button(panel, "per element").click()
    last_run = re.search(r"Run (\d+)", status.inner_text())
    number = int(last_run.group(1)) + 1 if last_run else 1

    _button(panel, "Run").click()
    assert _changing(plot, "src", times=3, timeout_seconds=30) >= 3, "the live plot did not change twice"
    page.wait_for_function("image => image.naturalWidth > 0", arg=strip.element_handle(), timeout=10_000)
    batch_size.select_option("64")
    _wait_for_text(markers, "batch 32 -> 64", timeout_seconds=CHANGE_SECONDS)
    _button(panel, "per batch").click()
    _wait_for_text(markers, "per element -> per batch", timeout_seconds=CHANGE_SECONDS)
    _wait_for_text(status, "segment 3", timeout_seconds=CHANGE_SECONDS)
    for change in ("batch 32 -> 64", "per element -> per batch"):
        assert change in history.inner_text(), f"no segment for {change!r} in the table"
    # Throughput keeps updating after the changes: new plots, new numbers in the status line.
    assert _changing(plot, "src", times=3, timeout_seconds=15) >= 3, "the plot stopped changing"
    assert _changing(status, None, times=3, timeout_seconds=15) >= 3, "the status stopped changing"
    _screenshot(page, panel, artifacts_dir / "06_panel_running.png")

    _button(panel, "Stop").click()
    clicked = time.monotonic()
    page.wait_for_function(
        "([element, number]) => element.innerText.startsWith(`Run ${number} stopped`)",
        arg=[status.element_handle(), number],
        timeout=10_000,
    )
    stop_seconds = time.monotonic() - clicked
    _screenshot(page, panel, artifacts_dir / "06_panel_stopped.png")
    assert stop_seconds < STOP_SECONDS, (
        f"the panel reported stopped {stop_seconds:.1f} s after Stop; its status: {status.inner_text()}"
    )
    assert "3 segments" in status.inner_text()
    assert batch_size.input_value() == "64"
