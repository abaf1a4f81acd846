"""Short, stable texts of TensorFlow's errors and logged warnings, to print in notebooks and self-checks.

Usage:
    from helpers import messages
    kept = messages.keep_log_messages("tensorflow")   # before the code that warns; later: kept.messages
    try: list(dataset)
    except Exception as error: print(messages.error_summary(error))

Errors raised while a `tf.data` iterator runs carry an internal node name, a Python traceback with machine
paths and an op suffix; logged warnings start with the caller's file and line. Both change from machine to
machine and run to run, so notebooks print these summaries instead. No TensorFlow import here.
"""

from __future__ import annotations

import logging
import re
from types import TracebackType

from helpers.paths import without_machine_paths

__all__ = ["LogKeeper", "error_summary", "keep_log_messages"]

_FUNCTION_NODE = re.compile(r"^\{\{function_node [^}]*\}\}\s*")
_OP_SUFFIX = re.compile(r"\s*\[Op:[^\]]*\](?: name:.*)?$", re.DOTALL)
_TRACEBACK = "\nTraceback (most recent call last)"
# TensorFlow's deprecation warnings begin "From <file>:<line>: ".
_FROM_LOCATION = re.compile(r"^From .*?:\d+: ")


def error_summary(error: BaseException, *, innermost: bool = False) -> str:
    """Returns "ErrorType: message" without TensorFlow's node name, traceback, op suffix or repo path.

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
