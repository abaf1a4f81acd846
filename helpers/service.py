"""A local tf.data service: a dispatcher and workers, each in its own process, always stopped afterwards.

    with service.local_cluster(workers=2) as cluster:
        ds = ds.apply(tf.data.experimental.service.distribute("distributed_epoch", cluster.target))

Each server is a fresh Python process (`subprocess`, never a fork of the kernel) running this module:
``python -m helpers.service dispatcher`` or ``... worker --dispatcher ADDRESS``, on a port the operating
system picks (port 0), so nothing can collide. Clients and workers reach them at 127.0.0.1 (TensorFlow's
gRPC servers listen on every interface, with no setting for that) while the `with` block lasts.
No TensorFlow import here: only the server processes import it.
"""

from __future__ import annotations

import argparse
import atexit
import json
import os
import queue
import re
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import IO

from helpers import cli_args, messages
from helpers.paths import REPO_ROOT

__all__ = ["ClusterStartError", "LocalCluster", "error_summary", "local_cluster", "main", "running_processes"]

# The address every client and worker uses to reach the servers.
_LOOPBACK_HOST = "127.0.0.1"

_START_TIMEOUT_SECONDS = 120.0
_STOP_TIMEOUT_SECONDS = 10.0
# How often a server checks that the process that started it is still alive.
_PARENT_POLL_SECONDS = 0.25
_STDERR_TAIL_CHARACTERS = 2_000
_ADDRESS = re.compile(r"\b(127\.0\.0\.1|localhost):\d+")


@dataclass
class _Server:
    process: subprocess.Popen
    # An unnamed temporary file (gone when closed) keeps stderr for error messages; unlike an unread
    # pipe it cannot fill up and block the server.
    stderr_file: IO[bytes]


# Every server process this module started and has not stopped yet, across all clusters.
_RUNNING: dict[int, _Server] = {}
_RUNNING_LOCK = threading.Lock()


class ClusterStartError(RuntimeError):
    """A server process exited or stayed silent while starting; the message holds its last stderr lines."""


@dataclass
class LocalCluster:
    """The servers of one `local_cluster`: the dispatcher's and each worker's ``"127.0.0.1:PORT"``."""

    dispatcher_address: str
    worker_addresses: tuple[str, ...] = ()
    _servers: list[_Server] = field(default_factory=list, repr=False)

    @property
    def target(self) -> str:
        """The `service=` argument for `tf.data.experimental.service.distribute`."""
        return f"grpc://{self.dispatcher_address}"

    def running_count(self) -> int:
        """Returns how many of this cluster's processes are still running (0 after the `with` block)."""
        return sum(server.process.poll() is None for server in self._servers)


@contextmanager
def local_cluster(workers: int = 2) -> Iterator[LocalCluster]:
    """Starts a tf.data service dispatcher and `workers` workers as separate processes; always stops them.

    They stop when the block ends, however it ends (normally, by an exception, by Jupyter's interrupt);
    an `atexit` hook stops them when Python exits, and each server exits by itself once the process that
    started it is gone (a kernel that crashed). A server may take 120 s to report its port (importing
    TensorFlow takes seconds) and 10 s to exit after SIGTERM.

    Yields:
        The `LocalCluster`; pass `cluster.target` to `distribute(...)`.

    Raises:
        ValueError: `workers` is less than 1.
        ClusterStartError: a server exited or did not report its port in time (with its stderr).
    """
    if workers < 1:
        raise ValueError(f"workers must be at least 1, got {workers}")
    cluster = LocalCluster(dispatcher_address="")
    try:
        # All servers start at once, so their TensorFlow imports overlap; the workers read the
        # dispatcher's address from stdin once the dispatcher has reported its port.
        dispatcher = _start_server(["dispatcher"], cluster)
        started = [_start_server(["worker", "--dispatcher", "-"], cluster) for _ in range(workers)]
        cluster.dispatcher_address = f"{_LOOPBACK_HOST}:{_read_port(dispatcher, _START_TIMEOUT_SECONDS)}"
        for worker in started:
            _send_line(worker, cluster.dispatcher_address)
        cluster.worker_addresses = tuple(
            f"{_LOOPBACK_HOST}:{_read_port(worker, _START_TIMEOUT_SECONDS)}" for worker in started
        )
        yield cluster
    finally:
        _stop(cluster._servers, timeout_seconds=_STOP_TIMEOUT_SECONDS)


def running_processes() -> list[int]:
    """Returns the process ids of servers started by this module that are still running."""
    with _RUNNING_LOCK:
        return [pid for pid, server in _RUNNING.items() if server.process.poll() is None]


def error_summary(error: BaseException) -> str:
    """Returns `messages.error_summary(error)` with the servers' ports masked (they change every run)."""
    return _ADDRESS.sub(r"\1:PORT", messages.error_summary(error))


def _server_command(arguments: Sequence[str]) -> list[str]:
    """The command line of one server process (tests swap in a stand-in without TensorFlow)."""
    return [sys.executable, "-m", "helpers.service", *arguments, "--parent-pid", str(os.getpid())]


def _start_server(arguments: Sequence[str], cluster: LocalCluster) -> _Server:
    command = _server_command(arguments)
    environment = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": os.environ.get("TF_CPP_MIN_LOG_LEVEL", "3")}
    # The kit's folder first, so `-m helpers.service` finds this very package even if not installed.
    environment["PYTHONPATH"] = os.pathsep.join(
        filter(None, [str(REPO_ROOT), environment.get("PYTHONPATH", "")])
    )
    stderr_file = tempfile.TemporaryFile(mode="w+b")
    process = subprocess.Popen(
        command,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=stderr_file,
        text=True,
        cwd=REPO_ROOT,
        env=environment,
        # Own session: Jupyter's interrupt (SIGINT to the kernel's process group) does not reach the
        # servers; this module stops them itself, in order.
        start_new_session=True,
    )
    server = _Server(process, stderr_file)
    with _RUNNING_LOCK:
        _RUNNING[process.pid] = server
    cluster._servers.append(server)
    return server


def _read_port(server: _Server, timeout_seconds: float) -> int:
    """Waits for the server's one line of stdout, ``{"role": ..., "port": N}``, and returns N."""
    lines: queue.Queue[str] = queue.Queue()
    # A thread, because a pipe read cannot time out portably; it ends when the line (or EOF) arrives.
    threading.Thread(target=_read_line, args=(server.process.stdout, lines), daemon=True).start()
    try:
        line = lines.get(timeout=timeout_seconds)
    except queue.Empty:
        raise ClusterStartError(
            f"a tf.data service server did not start within {timeout_seconds:.0f} s" + _stderr_tail(server)
        ) from None
    try:
        return int(json.loads(line)["port"])
    except (ValueError, KeyError, TypeError):
        server.process.wait(timeout=_STOP_TIMEOUT_SECONDS)
        raise ClusterStartError(
            "a tf.data service server exited while starting "
            f"(exit code {server.process.returncode})" + _stderr_tail(server)
        ) from None


def _read_line(stream: IO[str], lines: queue.Queue[str]) -> None:
    try:
        lines.put(stream.readline())
    except (OSError, ValueError):  # the stream was closed because the cluster is being stopped
        lines.put("")


def _send_line(server: _Server, line: str) -> None:
    stdin = server.process.stdin
    assert stdin is not None  # every server is started with stdin=PIPE
    try:
        stdin.write(line + "\n")
        stdin.close()
    except BrokenPipeError:
        pass  # the server has exited; `_read_port` reports it with its stderr


def _stderr_tail(server: _Server) -> str:
    server.stderr_file.seek(0)
    text = server.stderr_file.read().decode(errors="replace").strip()
    return f"; its stderr ends with:\n{text[-_STDERR_TAIL_CHARACTERS:]}" if text else ""


def _stop(servers: Sequence[_Server], *, timeout_seconds: float) -> None:
    """Terminates, waits for, and if needed kills `servers`; finishes even if interrupted meanwhile."""
    interrupted: BaseException | None = None
    # Workers first, then the dispatcher, so no worker is left retrying a vanished dispatcher.
    ordered = list(reversed(servers))
    for server in ordered:
        try:
            if server.process.poll() is None:
                server.process.terminate()
        except BaseException as error:  # a second interrupt must not leave servers running
            interrupted = interrupted or error
    deadline = time.monotonic() + timeout_seconds
    for server in ordered:
        try:
            server.process.wait(timeout=max(0.0, deadline - time.monotonic()))
        except BaseException as error:  # TimeoutExpired, or an interrupt while waiting
            if not isinstance(error, subprocess.TimeoutExpired):
                interrupted = interrupted or error
            server.process.kill()
            server.process.wait()
        finally:
            with _RUNNING_LOCK:
                _RUNNING.pop(server.process.pid, None)
            for stream in (server.process.stdin, server.process.stdout, server.stderr_file):
                if stream is not None:
                    stream.close()
    if interrupted is not None:
        raise interrupted


@atexit.register
def _stop_all_at_exit() -> None:
    """Stops servers whose `with` block never ended (e.g. a notebook kept the cluster open and exited)."""
    with _RUNNING_LOCK:
        servers = list(_RUNNING.values())
    _stop(servers, timeout_seconds=_STOP_TIMEOUT_SECONDS)


# --- the server side: what `python -m helpers.service ...` runs -------------------------------------------


def _exit_when_orphaned(parent_pid: int) -> None:
    # When the parent dies, the operating system re-parents this process, so getppid() changes.
    while os.getppid() == parent_pid:
        time.sleep(_PARENT_POLL_SECONDS)
    os._exit(0)


def _serve(role: str, *, dispatcher_address: str | None) -> None:
    import tensorflow as tf

    # Read only now, after the import: the seconds TensorFlow takes to import overlap the dispatcher's start.
    if dispatcher_address == "-":
        dispatcher_address = sys.stdin.readline().strip()
        if not dispatcher_address:
            raise SystemExit("no dispatcher address on stdin")
    data_service = tf.data.experimental.service
    if role == "dispatcher":
        server = data_service.DispatchServer(data_service.DispatcherConfig())  # port 0: the system picks
    else:
        server = data_service.WorkerServer(
            data_service.WorkerConfig(
                dispatcher_address=dispatcher_address,
                # %port% is replaced by the port the server bound, so the dispatcher tells clients an
                # address that really reaches this worker.
                worker_address=f"{_LOOPBACK_HOST}:%port%",
            )
        )
    bound_port = int(server._address.rsplit(":", 1)[1])
    print(json.dumps({"role": role, "port": bound_port}), flush=True)
    server.join()


def main(argv: list[str] | None = None) -> int:
    """Runs one tf.data service server (`argv`, default `sys.argv[1:]`) until it is terminated or its parent
    process is gone; returns the exit code."""
    parser = argparse.ArgumentParser(prog="python -m helpers.service", description=__doc__.split("\n")[0])
    parser.add_argument("role", choices=["dispatcher", "worker"])
    parser.add_argument(
        "--dispatcher", help="the dispatcher's HOST:PORT, or - to read it from stdin (workers only)"
    )
    parser.add_argument("--parent-pid", type=cli_args.whole_number(1), help="exit when this process is gone")
    args = parser.parse_args(argv)
    if args.role == "worker" and not args.dispatcher:
        parser.error("a worker needs --dispatcher HOST:PORT")
    if args.parent_pid is not None:
        threading.Thread(target=_exit_when_orphaned, args=(args.parent_pid,), daemon=True).start()
    _serve(args.role, dispatcher_address=args.dispatcher)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
