"""Test support code shared by the unit and browser tests: plain functions (fixtures and hooks: conftest.py).

- `write_test_jpegs`: small photo-like JPEGs to feed pipelines.
- `assert_fails`: an exercise check failed, saying what and hinting how.
- `numbered_pipeline`: a tiny lab pipeline (no files) for the run engine and the panel.
- `few_yield_rows`: the benchmark command's comparison, its two yield rows made short.
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


def numbered_images(count, shard, num_shards, size, batch_size, per_batch, broken):
    """Image i of an epoch is one grey, i * 37 % 256, as uint8; this shard's, one or a batch per yield."""
    import numpy as np

    if broken:
        raise FileNotFoundError("missing.jpg does not exist")
    mine = np.arange(count)[shard::num_shards]
    for start in range(0, len(mine), batch_size):
        values = mine[start : start + batch_size, None, None, None] * 37 % 256
        batch = np.broadcast_to(values, (len(values), size, size, 3)).astype(np.uint8)
        yield from [batch] if per_batch else batch


def numbered_pipeline(config, watch, *, broken=lambda config: False):
    """A lab pipeline as notebook 06 writes one, over `numbered_images` (no files): float32 batches.

    `config` may be any `pipelines.PipelineConfig`; `broken(config)` true makes its generators fail with a
    FileNotFoundError naming "missing.jpg" (the way a run fails on a missing file).
    """
    import tensorflow as tf

    per_batch = config.yield_mode == "batch"
    shape = (config.image_size, config.image_size, 3)
    signature = tf.TensorSpec(shape=(None, *shape) if per_batch else shape, dtype=tf.uint8)
    settings = (config.image_size, config.batch_size, per_batch, bool(broken(config)))
    generator = watch(numbered_images)
    dataset = tf.data.Dataset.range(config.shards).interleave(
        lambda shard: tf.data.Dataset.from_generator(
            generator, args=(config.image_count, shard, config.shards, *settings), output_signature=signature
        ),
        cycle_length=config.shards,
    )
    dataset = dataset if per_batch else dataset.batch(config.batch_size)
    return dataset.map(lambda batch: tf.cast(batch, tf.float32) / 255)


def few_yield_rows(run_comparison):
    """`run_comparison` reading 512 feature rows per repeat of its yield rows, not --quick's 8,192.

    The command's rows, checks and report stay the same; one row per yield is slow, so this saves the
    seconds a test spends on it.
    """
    return lambda **settings: run_comparison(**{**settings, "small_elements": 512})


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
