"""Test support code shared by the unit and browser tests: plain functions (fixtures and hooks: conftest.py).

- `write_test_jpegs`: small photo-like JPEGs to feed pipelines.
- `assert_fails`: an exercise check failed, saying what and hinting how.
- `running_lab`: a JupyterLab started exactly as `make lab` starts it.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from helpers.paths import REPO_ROOT

STARTUP_SECONDS = 90


@dataclass(frozen=True)
class LabServer:
    base_url: str
    token: str
    root: Path

    def url(self, path: str, *, with_token: bool = True) -> str:
        separator = "&" if "?" in path else "?"
        return f"{self.base_url}{path}" + (f"{separator}token={self.token}" if with_token else "")


def write_test_jpegs(folder: Path, count: int, *, height: int, width: int, seed: int) -> list[str]:
    """Writes `count` small blurred-noise JPEGs (they compress like photos) and returns their paths."""
    import cv2
    import numpy as np

    rng = np.random.default_rng(seed)
    paths = []
    for index in range(count):
        pixels = cv2.GaussianBlur(rng.integers(0, 256, (height, width, 3), dtype=np.uint8), (5, 5), 0)
        paths.append(str(folder / f"{index}.jpg"))
        cv2.imwrite(paths[-1], pixels)
    return paths


def assert_fails(feedback, *fragments: str, hint: str) -> None:
    """Asserts that a self-check's `Feedback` failed, its message has every fragment and its hint `hint`."""
    assert not feedback.passed, str(feedback)
    for fragment in fragments:
        assert fragment in feedback.message, str(feedback)
    assert hint in feedback.hint, str(feedback)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def http_status(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


@contextlib.contextmanager
def running_lab(root: Path = REPO_ROOT, *, env: dict[str, str] | None = None) -> Iterator[LabServer]:
    """Runs `make lab` on a free port with a random token, serving `root`; stops it and its children after."""
    port, token = free_port(), secrets.token_urlsafe(16)
    # BROWSER=true makes the "open a browser" step a no-op.
    process = subprocess.Popen(
        ["make", "--no-print-directory", "lab", f"PORT={port}", f"TOKEN={token}", f"LAB_ROOT={root}"],
        cwd=REPO_ROOT,
        env={**os.environ, "BROWSER": "true", **(env or {})},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    server = LabServer(f"http://127.0.0.1:{port}", token, root)
    try:
        _wait_until_up(process, server)
        yield server
    finally:
        _stop_group(process)


def _wait_until_up(process: subprocess.Popen, server: LabServer) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"make lab exited early:\n{process.stdout.read()}")
        try:
            http_status(server.url("/api/status", with_token=False))
            return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.5)
    raise TimeoutError(f"JupyterLab did not answer at {server.base_url} within {STARTUP_SECONDS} s")


def _stop_group(process: subprocess.Popen) -> None:
    """Stops make and the jupyter server it started (they share a process group)."""
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=20)
    except ProcessLookupError:
        return
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
