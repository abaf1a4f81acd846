"""helpers.service: the local tf.data service cluster starts real processes and never leaves one running.

Most tests use stand-in servers (this module's `_FAKE_SERVER`, run through `service.main` so the
parent-watchdog is the real one) that start in a fraction of a second; one test starts a real TensorFlow
cluster, a dispatcher and two workers, and stops it with an error raised inside the block.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time

import psutil
import pytest

from helpers import service
from helpers.paths import REPO_ROOT

_GONE_TIMEOUT_SECONDS = 15.0

# A server without TensorFlow. FAKE_SERVER_MODE: "ok" (prints a port, sleeps), "ignore-sigterm" (same,
# but only SIGKILL stops it), "crash" (writes to stderr and exits 3), "silent" (never reports a port).
_FAKE_SERVER = textwrap.dedent(
    """
    import json, os, signal, sys, time
    from helpers import service

    def serve(role, *, dispatcher_address):
        mode = os.environ.get("FAKE_SERVER_MODE", "ok")
        if dispatcher_address == "-":
            dispatcher_address = sys.stdin.readline().strip()
        if mode == "crash":
            sys.stderr.write(f"fake {role} cannot start: no such thing\\n")
            raise SystemExit(3)
        if mode == "ignore-sigterm":
            signal.signal(signal.SIGTERM, signal.SIG_IGN)
        if mode != "silent":
            print(json.dumps({"role": role, "port": 40000 + os.getpid() % 20000}), flush=True)
        while True:
            time.sleep(0.1)

    service._serve = serve
    service.main(sys.argv[1:])
    """
)


@pytest.fixture
def fake_servers(tmp_path, monkeypatch):
    """Makes `local_cluster` start stand-in servers; returns a function to pick their behaviour."""
    script = tmp_path / "fake_server.py"
    script.write_text(_FAKE_SERVER)
    monkeypatch.setattr(
        service,
        "_server_command",
        lambda arguments: [sys.executable, str(script), *arguments, "--parent-pid", str(os.getpid())],
    )
    monkeypatch.setenv("FAKE_SERVER_MODE", "ok")
    return lambda mode: monkeypatch.setenv("FAKE_SERVER_MODE", mode)


def _pids(cluster):
    """The process ids of a cluster's dispatcher and workers."""
    return [server.process.pid for server in cluster._servers]


def _process_ids(pids):
    """(pid, create_time) pairs, so a recycled pid is not mistaken for a leftover."""
    return [(pid, psutil.Process(pid).create_time()) for pid in pids]


def _still_running(process_ids):
    running = []
    for pid, created in process_ids:
        try:
            process = psutil.Process(pid)
            if process.create_time() == created and process.status() != psutil.STATUS_ZOMBIE:
                running.append(pid)
        except psutil.NoSuchProcess:
            pass
    return running


def _wait_until_gone(process_ids, timeout_seconds=_GONE_TIMEOUT_SECONDS):
    deadline = time.monotonic() + timeout_seconds
    while _still_running(process_ids) and time.monotonic() < deadline:
        time.sleep(0.1)
    return _still_running(process_ids)


def _children():
    return {child.pid for child in psutil.Process().children(recursive=True)}


def test_stand_in_cluster_runs_separate_processes_and_stops_them(fake_servers):
    with service.local_cluster(workers=2) as cluster:
        process_ids = _process_ids(_pids(cluster))
        assert len(_pids(cluster)) == 3
        assert set(_pids(cluster)) <= _children()
        assert cluster.running_count() == 3
        assert cluster.dispatcher_address.startswith("127.0.0.1:")
        assert cluster.target == f"grpc://{cluster.dispatcher_address}"
        assert len(cluster.worker_addresses) == 2
        assert sorted(service.running_processes()) == sorted(_pids(cluster))
    assert cluster.running_count() == 0
    assert _still_running(process_ids) == []
    assert service.running_processes() == []


@pytest.mark.parametrize("error_type", [RuntimeError, KeyboardInterrupt])
def test_error_or_interrupt_inside_the_block_stops_every_process(fake_servers, error_type):
    with pytest.raises(error_type), service.local_cluster(workers=2) as cluster:
        process_ids = _process_ids(_pids(cluster))
        raise error_type("a cell failed")
    assert _still_running(process_ids) == []
    assert service.running_processes() == []


def test_server_ignoring_sigterm_is_killed_after_the_stop_timeout(fake_servers, monkeypatch):
    fake_servers("ignore-sigterm")
    monkeypatch.setattr(service, "_STOP_TIMEOUT_SECONDS", 1.0)
    started = time.monotonic()
    with service.local_cluster(workers=1) as cluster:
        process_ids = _process_ids(_pids(cluster))
        # Give the servers time to install their SIGTERM handler before the block ends.
        time.sleep(0.5)
    assert _still_running(process_ids) == []
    assert [process.returncode for process in (s.process for s in cluster._servers)] == [-9, -9]
    assert time.monotonic() - started < 10


def test_server_that_crashes_at_start_raises_with_its_stderr(fake_servers):
    fake_servers("crash")
    with pytest.raises(service.ClusterStartError, match="fake dispatcher cannot start: no such thing"):
        with service.local_cluster(workers=2):
            pytest.fail("the block must not run")
    assert service.running_processes() == []


def test_server_that_never_reports_a_port_times_out_and_is_stopped(fake_servers, monkeypatch):
    fake_servers("silent")
    monkeypatch.setattr(service, "_START_TIMEOUT_SECONDS", 1.0)
    before = _children()
    with pytest.raises(service.ClusterStartError, match="did not start within 1 s"):
        with service.local_cluster(workers=1):
            pytest.fail("the block must not run")
    assert service.running_processes() == []
    assert _children() - before == set()


def test_workers_must_be_positive():
    with pytest.raises(ValueError, match="at least 1"), service.local_cluster(workers=0):
        pytest.fail("the block must not run")


def test_error_summary_masks_the_changing_ports():
    error = ValueError("Failed to get element from worker 127.0.0.1:41873: boom (dispatcher localhost:35001)")
    assert service.error_summary(error) == (
        "ValueError: Failed to get element from worker 127.0.0.1:PORT: boom (dispatcher localhost:PORT)"
    )


def _run_script(tmp_path, body):
    """Runs a Python script using local_cluster with stand-in servers; returns its result and its servers'
    (pid, create_time)."""
    ids_file = tmp_path / "process_ids.json"
    script = tmp_path / "fake_server.py"
    script.write_text(_FAKE_SERVER)
    lines = [
        "import contextlib, json, os, signal, sys",
        "import psutil",
        "from helpers import service",
        "service._server_command = lambda arguments: "
        f"[sys.executable, {str(script)!r}, *arguments, '--parent-pid', str(os.getpid())]",
        "def save_pids(cluster):",
        "    pids = [server.process.pid for server in cluster._servers]",
        "    ids = [(pid, psutil.Process(pid).create_time()) for pid in pids]",
        f"    open({str(ids_file)!r}, 'w').write(json.dumps(ids))",
    ]
    main = tmp_path / "main.py"
    main.write_text("\n".join(lines) + "\n" + textwrap.dedent(body))
    environment = {**os.environ, "FAKE_SERVER_MODE": "ok", "PYTHONPATH": str(REPO_ROOT)}
    completed = subprocess.run(
        [sys.executable, str(main)], capture_output=True, text=True, timeout=120, env=environment
    )
    process_ids = [tuple(item) for item in json.loads(ids_file.read_text())] if ids_file.exists() else []
    return completed, process_ids


def test_script_that_never_closes_the_cluster_stops_it_at_exit(tmp_path):
    # A notebook keeps the cluster open across cells with an ExitStack; if the kernel exits before the
    # closing cell runs, the atexit hook stops the servers.
    completed, process_ids = _run_script(
        tmp_path,
        """
        stack = contextlib.ExitStack()
        cluster = stack.enter_context(service.local_cluster(workers=2))
        save_pids(cluster)
        """,
    )
    assert completed.returncode == 0, completed.stderr
    assert len(process_ids) == 3
    assert _wait_until_gone(process_ids) == []


def test_servers_exit_by_themselves_when_their_parent_is_killed(tmp_path):
    # SIGKILL skips `finally` and atexit: only the servers' own parent-watchdog can clean up.
    completed, process_ids = _run_script(
        tmp_path,
        """
        with service.local_cluster(workers=2) as cluster:
            save_pids(cluster)
            os.kill(os.getpid(), signal.SIGKILL)
        """,
    )
    assert completed.returncode == -signal.SIGKILL
    assert len(process_ids) == 3
    assert _wait_until_gone(process_ids) == []


def test_real_cluster_serves_a_dataset_and_an_error_inside_stops_it():
    # The one real cluster (each server process imports TensorFlow): a script failing mid-way leaves the
    # `with` block the same way, and the stand-in tests above cover the scripts' other exits.
    import tensorflow as tf

    before = _children()
    with pytest.raises(RuntimeError, match="cell failed"), service.local_cluster(workers=2) as cluster:
        process_ids = _process_ids(_pids(cluster))
        assert set(_pids(cluster)) <= _children()
        dataset = tf.data.Dataset.range(20).map(lambda x: x * 3)
        shared = dataset.apply(tf.data.experimental.service.distribute("distributed_epoch", cluster.target))
        assert sorted(int(x) for x in shared) == [x * 3 for x in range(20)]
        # Each worker makes a whole epoch of its own: every element twice shows both workers serving.
        each = tf.data.Dataset.range(6).apply(
            tf.data.experimental.service.distribute("parallel_epochs", cluster.target)
        )
        assert sorted(int(x) for x in each) == sorted([*range(6), *range(6)])
        raise RuntimeError("a cell failed mid-way")
    assert _still_running(process_ids) == []
    assert _children() - before == set()


def test_notebook_whose_cell_fails_mid_way_leaves_no_process(tmp_path):
    # As in a lesson: the cluster is kept open across cells, a later cell fails, so the closing cell never
    # runs; nbclient then shuts the kernel down, and nothing of the cluster may survive it.
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    script = tmp_path / "fake_server.py"
    script.write_text(_FAKE_SERVER)
    ids_file = tmp_path / "process_ids.json"
    cells = [
        "import contextlib, json, os, sys\nimport psutil\nfrom helpers import service\n"
        "service._server_command = lambda arguments: "
        f"[sys.executable, {str(script)!r}, *arguments, '--parent-pid', str(os.getpid())]",
        "stack = contextlib.ExitStack()\ncluster = stack.enter_context(service.local_cluster(workers=2))\n"
        "pids = [server.process.pid for server in cluster._servers]\n"
        "ids = [(pid, psutil.Process(pid).create_time()) for pid in pids]\n"
        f"open({str(ids_file)!r}, 'w').write(json.dumps(ids))",
        "raise RuntimeError('a cell fails mid-way')",
        "stack.close()",
    ]
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(source) for source in cells])
    client = NotebookClient(
        notebook, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
    )
    with pytest.raises(CellExecutionError, match="a cell fails mid-way"):
        client.execute()
    process_ids = [tuple(item) for item in json.loads(ids_file.read_text())]
    assert len(process_ids) == 3
    assert _wait_until_gone(process_ids) == []
