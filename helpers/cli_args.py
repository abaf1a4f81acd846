"""Argument types shared by the kit's commands: a mistyped value stops a command before it does any work.

    parser.add_argument("--images", type=cli_args.whole_number(1, 20_000, why="each one is decoded ..."))
    parser.add_argument("--json", type=cli_args.writable_file())

Each type raises `argparse.ArgumentTypeError`, which argparse prints as the usage and one line naming the
argument and the value ("error: argument --images: '0' is not a whole number from 1 to 20,000"), then exits
with status 2. No other helper is imported, so `--help` and a rejected value stay instant.
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
    """An argparse type: an integer from `low` to `high`.

    Args:
        low: the smallest value allowed.
        high: the largest value allowed; None for no upper bound.
        why: why the upper bound exists, added to the message for a value above it.

    Returns:
        A function turning the argument's text into an int, or raising `argparse.ArgumentTypeError`.
    """
    allowed = f"a whole number from {low:,} to {high:,}" if high is not None else f"a whole number >= {low:,}"

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise _rejected(text, allowed) from None
        if value < low:
            raise _rejected(text, allowed)
        if high is not None and value > high:
            raise _rejected(text, allowed, why)
        return value

    return parse


def number(low: float, high: float, *, why: str = "") -> Callable[[str], float]:
    """An argparse type: a finite decimal number from `low` to `high`.

    Args:
        low: the smallest value allowed.
        high: the largest value allowed.
        why: why the upper bound exists, added to the message for a value above it.

    Returns:
        A function turning the argument's text into a float, or raising `argparse.ArgumentTypeError`.
    """
    allowed = f"a number from {low:g} to {high:g}"

    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            raise _rejected(text, allowed) from None
        if not (math.isfinite(value) and value >= low):
            raise _rejected(text, allowed)
        if value > high:
            raise _rejected(text, allowed, why)
        return value

    return parse


def image_size(max_side: int, *, why: str = "") -> Callable[[str], tuple[int, int]]:
    """An argparse type: `WIDTHxHEIGHT` in pixels, each side from 1 to `max_side`.

    Args:
        max_side: the largest width or height allowed.
        why: why the bound exists, added to the message for a side above it.

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
    """An argparse type: a file that can be written, in a folder that exists.

    The folder is checked by creating (and at once removing) a temporary file in it, the one test that
    also holds for root and for read-only file systems. A missing folder is an error, not created: a typo
    in its name would otherwise leave a stray folder and the results where nobody looks.

    Args:
        suffix: the ending the file name must have (".png"), or None for any name.

    Returns:
        A function turning the argument's text into a `Path`, or raising `argparse.ArgumentTypeError`.
    """

    def parse(text: str) -> Path:
        path = Path(text)
        folder = os.path.dirname(text) or "."
        if suffix is not None and path.suffix.lower() != suffix:
            raise argparse.ArgumentTypeError(f"{text!r} does not end in {suffix}")
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
    """An argparse type: a file that exists.

    Args:
        suffix: the ending the file name must have (".ipynb"), or None for any name.

    Returns:
        A function turning the argument's text into a `Path`, or raising `argparse.ArgumentTypeError`.
    """

    def parse(text: str) -> Path:
        path = Path(text)
        if suffix is not None and path.suffix.lower() != suffix:
            raise argparse.ArgumentTypeError(f"{text!r} does not end in {suffix}")
        if not path.is_file():
            problem = "is a folder" if path.is_dir() else "does not exist"
            raise argparse.ArgumentTypeError(f"{text!r} {problem}")
        return path

    return parse


def _rejected(text: str, allowed: str, why: str = "") -> argparse.ArgumentTypeError:
    # The reason is given only for a value over the upper bound: it explains that bound.
    return argparse.ArgumentTypeError(f"{text!r} is not {allowed}" + (f" ({why})" if why else ""))
