"""Small Playwright steps for JupyterLab 4: open a notebook, run all cells, wait, save."""

from __future__ import annotations

import json
import re
import time
import urllib.request

from playwright.sync_api import Page

from tests.support import LabServer

KERNEL_START_SECONDS = 90
QUEUED = ".jp-InputPrompt:has-text('[*]')"
# The status bar reads "<kernel name> | Idle" when the kernel waits for work.
IDLE = re.compile(r"\S \| Idle$")
SETTLE_SECONDS = 3.0
CURRENT_NOTEBOOK = ".jp-NotebookPanel:not(.lm-mod-hidden)"
ALL_CELLS_SHOWN = f"count => document.querySelectorAll('{CURRENT_NOTEBOOK} .jp-Cell').length === count"


def open_notebook(page: Page, lab: LabServer, name: str) -> None:
    """Opens notebooks/`name`, waits until all its cells are shown and its kernel is idle."""
    path = lab.root / "notebooks" / name
    notebook = json.loads(path.read_text())
    # A workspace of its own: JupyterLab would otherwise reopen the tabs of earlier tests beside it. Its
    # name is one part of the URL's path, so optional/07_x.ipynb becomes optional-07-x.
    workspace = name.removesuffix(".ipynb").replace("_", "-").replace("/", "-")
    page.goto(lab.url(f"/lab/workspaces/{workspace}/tree/notebooks/{name}"))
    page.wait_for_function(
        ALL_CELLS_SHOWN,
        arg=len(notebook["cells"]),
        timeout=KERNEL_START_SECONDS * 1000,
    )
    page.get_by_text(IDLE).wait_for(timeout=KERNEL_START_SECONDS * 1000)


def run_all_cells(page: Page, *, timeout_seconds: float) -> None:
    """Runs every cell from the Run menu, then waits until no cell is queued and the kernel stays idle.

    The kernel is briefly idle between two cells, and collapsed (solution) cells show no prompt, so "idle
    and no [*]" must hold for a few seconds in a row before the run counts as finished.
    """
    page.locator(".lm-MenuBar-itemLabel", has_text="Run").first.click()
    page.locator(".lm-Menu-itemLabel", has_text="Run All Cells").first.click()
    page.locator(QUEUED).first.wait_for(timeout=10_000)
    deadline = time.monotonic() + timeout_seconds
    quiet_since = None
    while time.monotonic() < deadline:
        quiet = page.locator(QUEUED).count() == 0 and page.get_by_text(IDLE).count() > 0
        quiet_since = (quiet_since or time.monotonic()) if quiet else None
        if quiet_since is not None and time.monotonic() - quiet_since >= SETTLE_SECONDS:
            return
        time.sleep(0.25)
    raise TimeoutError(f"cells still running after {timeout_seconds} s")


def save_notebook(page: Page) -> None:
    dialogs = page.locator(".jp-Dialog").all_inner_texts()
    assert not dialogs, f"JupyterLab shows a dialog: {dialogs}"
    page.locator(".lm-MenuBar-itemLabel", has_text="File").first.click()
    page.locator(".lm-Menu-itemLabel", has_text="Save Notebook").first.click()
    # The tab's dirty marker disappears once the save completed.
    page.locator(".jp-mod-current.jp-mod-dirty").wait_for(state="detached", timeout=30_000)


def shut_down_kernels(lab: LabServer) -> int:
    """Shuts down every kernel of the lab server and returns how many there were.

    Closing a tab leaves its kernel running; shutting them down lets the next test start on an idle
    machine, not beside the kernels of every notebook before it."""

    def call(method: str, path: str) -> bytes:
        request = urllib.request.Request(
            f"{lab.base_url}{path}", method=method, headers={"Authorization": f"token {lab.token}"}
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.read()

    kernels = json.loads(call("GET", "/api/kernels"))
    for kernel in kernels:
        call("DELETE", f"/api/kernels/{kernel['id']}")
    return len(kernels)
