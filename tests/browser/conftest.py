"""Browser fixtures: Debian's chromium driven by Playwright against a real JupyterLab on a copy of the kit."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from helpers.paths import REPO_ROOT
from tests.browser.jupyterlab import shut_down_kernels
from tests.support import running_lab

CHROMIUM = Path("/usr/bin/chromium")
# An offline machine: no background requests, no component updates, no sync (see DESIGN.md).
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS_DIR = REPO_ROOT / "artifacts" / "browser"


@pytest.fixture(scope="session")
def lab_copy(tmp_path_factory) -> Path:
    """A temporary copy of the notebooks and sample images, so running them leaves the repo untouched."""
    root = tmp_path_factory.mktemp("lab")
    shutil.copytree(REPO_ROOT / "notebooks", root / "notebooks", ignore=shutil.ignore_patterns(".ipynb_*"))
    shutil.copytree(REPO_ROOT / "sample_images", root / "sample_images")
    return root


@pytest.fixture(scope="session")
def lab(lab_copy, tmp_path_factory):
    settings = tmp_path_factory.mktemp("jupyter-settings")
    # JupyterLab 4 renders only the cells on screen ("windowing"); render them all, so the checks see every
    # output. Fresh per-run state too: no remembered layout or open tabs from an earlier run.
    tracker = settings / "user" / "@jupyterlab" / "notebook-extension" / "tracker.jupyterlab-settings"
    tracker.parent.mkdir(parents=True)
    tracker.write_text(json.dumps({"windowingMode": "none"}))
    env = {
        "JUPYTERLAB_WORKSPACES_DIR": str(settings / "workspaces"),
        "JUPYTERLAB_SETTINGS_DIR": str(settings / "user"),
    }
    with running_lab(lab_copy, env=env) as server:
        yield server


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: `make test-browser` installs Debian's chromium package")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, lab):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    yield page
    context.close()
    shut_down_kernels(lab)


@pytest.fixture(scope="session")
def artifacts_dir() -> Path:
    ARTIFACTS_DIR.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS_DIR
