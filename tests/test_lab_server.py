"""`make lab` starts JupyterLab on 127.0.0.1 with token authentication (the exact command, on a free port)."""

import os
import secrets
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request

import psutil
import pytest

from helpers.paths import REPO_ROOT

STARTUP_SECONDS = 90


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _status(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


@pytest.fixture
def lab_server():
    port, token = _free_port(), secrets.token_urlsafe(16)
    # BROWSER=true makes the "open a browser" step a no-op on a machine without one.
    env = {**os.environ, "BROWSER": "true"}
    process = subprocess.Popen(
        ["make", "--no-print-directory", "lab", f"PORT={port}", f"TOKEN={token}"],
        cwd=REPO_ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        while time.monotonic() < deadline:
            if process.poll() is not None:
                pytest.fail(f"make lab exited early:\n{process.stdout.read()}")
            try:
                _status(f"{base}/api/status")
                break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.5)
        else:
            pytest.fail(f"JupyterLab did not answer on port {port} within {STARTUP_SECONDS} s")
        yield base, token
    finally:
        _stop_group(process)


def _stop_group(process: subprocess.Popen) -> None:
    """Stops make and the jupyter server it started (same process group)."""
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=20)
    except ProcessLookupError:
        return
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def test_lab_requires_its_token_and_listens_on_loopback_only(lab_server):
    base, token = lab_server
    assert _status(f"{base}/api/status?token={token}") == 200
    assert _status(f"{base}/api/status") == 403
    assert _status(f"{base}/api/status?token=wrong-{token}") == 403
    listening = {
        connection.laddr.ip
        for connection in psutil.net_connections(kind="tcp")
        if connection.status == "LISTEN" and connection.laddr.port == int(base.rsplit(":", 1)[1])
    }
    assert listening == {"127.0.0.1"}
