"""Argument types shared by the kit's commands: a mistyped value stops a command before it does any work.

    parser.add_argument("--images", type=cli_args.whole_number(1, 20_000, why="each one is decoded ..."))

Each raises `argparse.ArgumentTypeError`, which argparse prints as the usage and one line ("error: argument
--images: '0' is not a whole number from 1 to 20,000"), exiting with status 2. No other helper is imported,
so `--help` and a rejected value stay instant.
"""

from __future__ import annotations

import argparse
import math
import os
import tempfile
from collections.abc import Callable
from pathlib import Path

__all__ = ["existing_file", "image_size", "number", "whole_number", "writable_file"]


def whole_number(low: int, high: int | None = None, *, why: str = "") -> Callable[[str], int]:
    """An argparse type: an integer from `low` to `high` (None: no upper bound); `why` explains the bound.

    Returns:
        A function turning the argument's text into an int, or raising `argparse.ArgumentTypeError`.
    """
    allowed = f"a whole number from {low:,} to {high:,}" if high is not None else f"a whole number >= {low:,}"
    return _bounded(int, low, high, allowed, why)


def number(low: float, high: float, *, why: str = "") -> Callable[[str], float]:
    """An argparse type: a finite decimal number from `low` to `high`; `why` explains the upper bound.

    Returns:
        A function turning the argument's text into a float, or raising `argparse.ArgumentTypeError`.
    """
    return _bounded(float, low, high, f"a number from {low:g} to {high:g}", why)


def image_size(max_side: int, *, why: str = "") -> Callable[[str], tuple[int, int]]:
    """An argparse type: `WIDTHxHEIGHT` in pixels, each side from 1 to `max_side`; `why` explains the bound.

    Returns:
        A function turning "640x480" into `(640, 480)`, or raising `argparse.ArgumentTypeError`.
    """
    allowed = f"WIDTHxHEIGHT such as 640x480, each side from 1 to {max_side:,} pixels"

    def parse(text: str) -> tuple[int, int]:
        try:
            width, height = (int(part) for part in text.lower().split("x"))
        except ValueError:
            raise _rejected(text, allowed) from None
        if min(width, height) < 1:
            raise _rejected(text, allowed)
        if max(width, height) > max_side:
            raise _rejected(text, allowed, why)
        return width, height

    return parse


def writable_file(*, suffix: str | None = None) -> Callable[[str], Path]:
    """An argparse type: a file that can be written (ending in `suffix`, if given), in a folder that exists.

    The folder is checked by creating (and at once removing) a temporary file in it, the one test that
    also holds for root and for read-only file systems. A missing folder is an error, not created: a typo
    in its name would otherwise leave a stray folder and the results where nobody looks.
    """

    def parse(text: str) -> Path:
        path = _with_suffix(text, suffix)
        folder = os.path.dirname(text) or "."
        if path.is_dir():
            raise argparse.ArgumentTypeError(f"cannot write {text!r}: it is a folder")
        if not os.path.isdir(folder):
            raise argparse.ArgumentTypeError(f"cannot write {text!r}: the folder {folder!r} does not exist")
        try:
            with tempfile.TemporaryFile(dir=folder):
                pass
        except OSError as error:
            raise argparse.ArgumentTypeError(
                f"cannot write {text!r}: no file can be made in the folder {folder!r} ({error.strerror})"
            ) from None
        return path

    return parse


def existing_file(*, suffix: str | None = None) -> Callable[[str], Path]:
    """An argparse type: a file that exists (ending in `suffix`, if given)."""

    def parse(text: str) -> Path:
        path = _with_suffix(text, suffix)
        if not path.is_file():
            raise argparse.ArgumentTypeError(
                f"{text!r} {'is a folder' if path.is_dir() else 'does not exist'}"
            )
        return path

    return parse


def _bounded(
    convert: Callable[[str], int | float], low: float, high: float | None, allowed: str, why: str
) -> Callable:
    def parse(text: str) -> int | float:
        try:
            value = convert(text)
        except ValueError:
            raise _rejected(text, allowed) from None
        if not (math.isfinite(value) and value >= low):
            raise _rejected(text, allowed)
        if high is not None and value > high:
            raise _rejected(text, allowed, why)
        return value

    return parse


def _with_suffix(text: str, suffix: str | None) -> Path:
    path = Path(text)
    if suffix is not None and path.suffix.lower() != suffix:
        raise argparse.ArgumentTypeError(f"{text!r} does not end in {suffix}")
    return path


def _rejected(text: str, allowed: str, why: str = "") -> argparse.ArgumentTypeError:
    # The reason is given only for a value over the upper bound: it explains that bound.
    return argparse.ArgumentTypeError(f"{text!r} is not {allowed}" + (f" ({why})" if why else ""))
