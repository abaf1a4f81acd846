"""Short, stable texts of TensorFlow's errors and logged warnings, to print in notebooks and self-checks.

Usage:
    from helpers import messages
    kept = messages.keep_log_messages("tensorflow")   # before the code that warns; later: kept.messages
    try: list(dataset)
    except Exception as error: print(messages.error_summary(error))
    lines = messages.fresh_process_lines("import tensorflow as tf ...")  # what a script logs by default

Errors raised while a `tf.data` iterator runs carry an internal node name, a Python traceback with machine
paths and an op suffix; logged warnings start with the caller's file and line; TensorFlow's C++ log lines
start with a timestamp and a thread id. All change from machine to machine and run to run, so notebooks print
these stable texts instead. No TensorFlow import here.
"""

from __future__ import annotations

import logging
import os
import re
import subprocess
import sys
from types import TracebackType

from helpers.paths import without_machine_paths

__all__ = ["LogKeeper", "error_summary", "fresh_process_lines", "keep_log_messages", "stable_line"]

_FUNCTION_NODE = re.compile(r"^\{\{function_node [^}]*\}\}\s*")
_OP_SUFFIX = re.compile(r"\s*\[Op:[^\]]*\](?: name:.*)?$", re.DOTALL)
_TRACEBACK = "\nTraceback (most recent call last)"
# TensorFlow's deprecation warnings begin "From <file>:<line>: ".
_FROM_LOCATION = re.compile(r"^From .*?:\d+: ")
# Keras prints the line that matters in bold; XLA appends the compiled function's attributes to its name.
_ANSI_ESCAPE = re.compile(r"\x1b\[[0-9;]*m")
_XLA_ATTRIBUTES = re.compile(r"\[_XlaMustCompile=[^\]]*\]")
# A traced function's name ends in a counter that depends on everything traced before it.
_TRACE_COUNTER = re.compile(r"(__inference_\w+?)_\d+\b")
# "W0000 00:00:1796631345.011552   13825 dataset.cc:997] text": level, timestamp, thread id, source line.
_CPP_LOG_PREFIX = re.compile(r"^([IWEF])\d{4} [\d:.]+\s+\d+ ([\w.]+:\d+\]) ")
# faulthandler's "Thread 0x00007f4fbdffb6c0 (most recent call first):" and its frames,
# '  File "/usr/lib/python3.11/queue.py", line 171 in get' (tracebacks write "line 171, in get").
_THREAD_ID = re.compile(r"^(Current thread|Thread) 0x[0-9a-fA-F]+ ")
_FRAME = re.compile(r'^(\s*)File "([^"]+)", line (\d+),? in (.+)$')
_SITE_PACKAGES = re.compile(r"[^\s\"'<>]*/site-packages/")


def error_summary(error: BaseException, *, innermost: bool = False) -> str:
    """Returns "ErrorType: message" without TensorFlow's node name, traceback, op suffix or repo path.

    Also without Keras' bold (terminal escape codes), XLA's attributes of a compiled function and the counter
    at the end of a traced function's name (`__inference_f_6` becomes `__inference_f`).

    Args:
        error: any exception; TensorFlow's `OpError`s (e.g. `InvalidArgumentError` from `IteratorGetNext`)
            keep the Python error raised inside the generator as the start of their message.
        innermost: return only the Python error raised inside the generator ("ValueError: ..."), found as
            the last "Name: text" line of the wrapped message, when there is one (the lab panel's
            one-line status); otherwise the wrapping error's type comes first.

    Returns:
        One line, or a few when the message itself has several (never a traceback); just the type's
        name when the message is empty.
    """
    text = getattr(error, "message", None) or str(error)
    if innermost:
        lines = [line.strip() for line in str(text).splitlines() if line.strip()]
        for line in reversed(lines):
            head = line.split(":", 1)[0]
            if head.endswith(("Error", "Exception")) and " " not in head:
                return without_machine_paths(line)
    text = _TRACE_COUNTER.sub(r"\1", _XLA_ATTRIBUTES.sub("", _ANSI_ESCAPE.sub("", text)))
    text = _FUNCTION_NODE.sub("", text)
    text = text.split(_TRACEBACK, 1)[0]
    text = _OP_SUFFIX.sub("", text.strip())
    text = without_machine_paths(text).strip()
    return f"{type(error).__name__}: {text}" if text else type(error).__name__


class LogKeeper(logging.Handler):
    """A logging handler that keeps the records of one logger; the logger's other handlers still run.

    Use it as a context manager to detach it at the end, or call `close()`.
    """

    def __init__(self, logger_name: str) -> None:
        super().__init__()
        self.logger = logging.getLogger(logger_name)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    @property
    def messages(self) -> list[str]:
        """The kept messages, without the "From <file>:<line>: " that names the caller."""
        return [_FROM_LOCATION.sub("", record.getMessage()) for record in self.records]

    def close(self) -> None:
        """Detaches from the logger (the kept records stay readable)."""
        self.logger.removeHandler(self)
        super().close()

    def __enter__(self) -> LogKeeper:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()


def keep_log_messages(logger_name: str = "tensorflow") -> LogKeeper:
    """Starts keeping what `logger_name` logs and returns the keeper.

    TensorFlow logs its Python-level warnings (e.g. deprecations) through the `logging` logger
    "tensorflow"; in Jupyter they are printed with a path and line that differ between machines.

    Args:
        logger_name: the `logging` logger to listen to.

    Returns:
        A `LogKeeper` attached to that logger; read `.messages`.
    """
    keeper = LogKeeper(logger_name)
    keeper.logger.addHandler(keeper)
    return keeper


def stable_line(line: str) -> str:
    """Returns one line of a process's output without what changes between runs and machines.

    A C++ log line keeps its level and source line (`W dataset.cc:997] Input of ...`), not its timestamp
    and thread id; a stack frame keeps the file's name and the function (`File "queue.py" in get`), and the
    line number only for code run with `python -c` (`File "<string>", line 7 in tasks`); paths into
    site-packages read `<site-packages>/`, paths inside the repository are relative.
    """
    line = _ANSI_ESCAPE.sub("", line)
    line = _CPP_LOG_PREFIX.sub(r"\1 \2 ", line)
    line = _THREAD_ID.sub(r"\1 ", line)
    frame = _FRAME.match(line)
    if frame:
        indent, path, number, function = frame.groups()
        where = f'"{path}", line {number}' if path.startswith("<") else f'"{os.path.basename(path)}"'
        return f"{indent}File {where} in {function}"
    return without_machine_paths(_SITE_PACKAGES.sub("<site-packages>/", line))


def fresh_process_lines(script: str, *, timeout_seconds: float = 120) -> list[str]:
    """Runs `script` in a new Python process with TensorFlow's default logging; returns what it printed.

    The kit quiets TensorFlow's C++ log (`TF_CPP_MIN_LOG_LEVEL=3`, set by `import helpers`); the new process
    runs without that setting, as a learner's own script does, so it shows every line TensorFlow logs.

    Args:
        script: Python source, run with `python -u -c` (its frames show as `File "<string>"`).
        timeout_seconds: the process is killed after this long; what it printed until then is returned,
            followed by a line saying it was stopped.

    Returns:
        stdout and stderr in the order they were written, one `stable_line` per line.
    """
    environment = {name: value for name, value in os.environ.items() if name != "TF_CPP_MIN_LOG_LEVEL"}
    command = [sys.executable, "-u", "-c", script]
    try:
        output = subprocess.run(
            command,
            env=environment,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            timeout=timeout_seconds,
        ).stdout
        stopped = []
    except subprocess.TimeoutExpired as expired:
        output = expired.stdout or b""
        stopped = [f"(stopped after {timeout_seconds:g} s)"]
    text = output.decode(errors="replace") if isinstance(output, bytes) else output
    return [stable_line(line) for line in text.splitlines()] + stopped
