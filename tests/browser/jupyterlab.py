"""Small Playwright steps for JupyterLab 4: open a notebook, run all cells, wait, save."""

from __future__ import annotations

import json
import time

from playwright.sync_api import Page

from tests.conftest import LabServer

KERNEL_START_SECONDS = 90
QUEUED = ".jp-InputPrompt:has-text('[*]')"
ALL_CELLS_SHOWN = (
    "count => document.querySelectorAll('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-Cell').length === count"
)


def open_notebook(page: Page, lab: LabServer, name: str) -> None:
    """Opens notebooks/`name`, waits until all its cells are shown and its kernel is idle."""
    path = lab.root / "notebooks" / name
    notebook = json.loads(path.read_text())
    kernel = notebook["metadata"]["kernelspec"]["display_name"]
    page.goto(lab.url(f"/lab/tree/notebooks/{name}"))
    page.wait_for_function(
        ALL_CELLS_SHOWN,
        arg=len(notebook["cells"]),
        timeout=KERNEL_START_SECONDS * 1000,
    )
    page.get_by_text(f"{kernel} | Idle").wait_for(timeout=KERNEL_START_SECONDS * 1000)


def run_all_cells(page: Page, *, timeout_seconds: float) -> None:
    """Runs every cell from the Run menu, then waits until no cell is queued or running."""
    page.locator(".lm-MenuBar-itemLabel", has_text="Run").first.click()
    page.locator(".lm-Menu-itemLabel", has_text="Run All Cells").first.click()
    page.locator(QUEUED).first.wait_for(timeout=10_000)
    deadline = time.monotonic() + timeout_seconds
    while time.monotonic() < deadline:
        if page.locator(QUEUED).count() == 0 and page.get_by_text("| Idle").count():
            return
        time.sleep(0.5)
    raise TimeoutError(f"cells still running after {timeout_seconds} s")


def save_notebook(page: Page) -> None:
    dialogs = page.locator(".jp-Dialog").all_inner_texts()
    assert not dialogs, f"JupyterLab shows a dialog: {dialogs}"
    page.locator(".lm-MenuBar-itemLabel", has_text="File").first.click()
    page.locator(".lm-Menu-itemLabel", has_text="Save Notebook").first.click()
    # The tab's dirty marker disappears once the save completed.
    page.locator(".jp-mod-current.jp-mod-dirty").wait_for(state="detached", timeout=30_000)
