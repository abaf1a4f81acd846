"""Short, stable texts of TensorFlow's errors and logged warnings, to print in notebooks and self-checks.

Usage:
    from helpers import messages
    kept = messages.keep_log_messages("tensorflow")   # before the code that warns; later: kept.messages
    try: list(dataset)
    except Exception as error: print(messages.error_summary(error))
    lines = messages.fresh_process_lines("import tensorflow as tf ...")  # what a script logs by default

TensorFlow's errors carry a node name, a traceback with machine paths and an op suffix, its logged warnings
the caller's file and line, its C++ log lines a timestamp and a thread id: all change from machine to machine
and run to run, so notebooks print these stable texts instead. No TensorFlow import here.
"""

from __future__ import annotations

import logging
import os
import re
import subprocess
import sys

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

    Also without Keras' bold (terminal escapes), XLA's attributes of a compiled function and the counter
    ending a traced function's name (`__inference_f_6` becomes `__inference_f`).

    Args:
        error: any exception; TensorFlow's `OpError`s keep the Python error raised inside the generator as
            the start of their message.
        innermost: return only that Python error ("ValueError: ..."), the last "Name: text" line of the
            message, when there is one (the lab panel's one-line status).

    Returns:
        One line, or a few when the message itself has several; the type's name when it is empty.
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
    """A logging handler that keeps the records of one logger; the logger's other handlers still run."""

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


def keep_log_messages(logger_name: str = "tensorflow") -> LogKeeper:
    """Starts keeping what the `logging` logger `logger_name` logs ("tensorflow": its deprecation warnings,
    which Jupyter prints with a path and line that differ between machines).

    Returns:
        A `LogKeeper` attached to that logger; read `.messages`, `close()` to detach it.
    """
    keeper = LogKeeper(logger_name)
    keeper.logger.addHandler(keeper)
    return keeper


def stable_line(line: str) -> str:
    """Returns one line of a process's output without what changes between runs and machines.

    A C++ log line keeps its level and source line (`W dataset.cc:997] ...`); a stack frame its file's name
    and function (`File "queue.py" in get`), and its line number only in `python -c` code; paths read
    `<site-packages>/` or relative to the repository.
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
    """Runs `script` with `python -u -c` in a new process, without the `TF_CPP_MIN_LOG_LEVEL` that
    `import helpers` sets, as a learner's own script runs: it shows every line TensorFlow logs.

    Args:
        script: Python source.
        timeout_seconds: the process is killed after this long; a last line then says it was stopped.

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
