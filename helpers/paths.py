"""Where the kit's files live, independent of the working directory.

from helpers.paths import SAMPLE_IMAGES_DIR, cache_dir
digits_dir = cache_dir("digits")
"""

from __future__ import annotations

import os
from pathlib import Path

__all__ = [
    "CACHE_DIR",
    "NOTEBOOKS_DIR",
    "REPO_ROOT",
    "SAMPLE_IMAGES_DIR",
    "cache_dir",
    "display_path",
    "without_machine_paths",
]

REPO_ROOT = Path(__file__).resolve().parent.parent
SAMPLE_IMAGES_DIR = REPO_ROOT / "sample_images"
NOTEBOOKS_DIR = REPO_ROOT / "notebooks"
# Generated data (digit images, benchmark JPEGs) goes here; git ignores it. FGLAB_CACHE_DIR moves it.
CACHE_DIR = Path(os.environ.get("FGLAB_CACHE_DIR", REPO_ROOT / ".cache")).resolve()


def cache_dir(name: str) -> Path:
    """Returns (and creates) the cache sub-folder `name`."""
    path = CACHE_DIR / name
    path.mkdir(parents=True, exist_ok=True)
    return path


def display_path(path: str | os.PathLike | bytes) -> str:
    """Returns `path` as the caller gave it (`../sample_images/x.jpg` from a notebook), but an absolute path
    inside the repository relative to it: messages never show where the kit lives on this machine."""
    text = os.fsdecode(path) if isinstance(path, bytes) else os.fspath(path)
    if not os.path.isabs(text):
        return text
    try:
        return Path(text).resolve().relative_to(REPO_ROOT).as_posix()
    except ValueError:
        return text


def without_machine_paths(text: str) -> str:
    """Returns `text` with every path inside the repository made relative to it: the one place that scrubs
    machine paths from messages, so they read the same on every machine and in stored notebook outputs."""
    return text.replace(str(REPO_ROOT) + os.sep, "")
