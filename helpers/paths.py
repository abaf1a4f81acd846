"""Where the kit's files live, independent of the working directory.

Usage:
    from helpers.paths import SAMPLE_IMAGES_DIR, cache_dir
    digits_dir = cache_dir("digits")
"""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["REPO_ROOT", "SAMPLE_IMAGES_DIR", "NOTEBOOKS_DIR", "CACHE_DIR", "cache_dir", "display_path"]

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
    """Returns `path` relative to the repository when it is inside it, so messages hold no machine path."""
    if isinstance(path, bytes):
        path = os.fsdecode(path)
    resolved = Path(path).resolve()
    try:
        return resolved.relative_to(REPO_ROOT).as_posix()
    except ValueError:
        return str(path)
