"""Image datasets for the lessons, written once into the git-ignored cache and reused after.

    from helpers import datasets
    paths, labels = datasets.digit_files()  # 1,797 PNGs of scikit-learn's 8x8 digits, 10 classes
    jpeg_paths = datasets.benchmark_jpegs(1000, width=640, height=480)  # photo-like JPEGs

The same from a shell: ``python -m helpers.datasets digits`` or ``... benchmark-jpegs --count 1000 --size
640x480``. Both write the same bytes on every run; a ``.complete.json`` written last marks a folder complete,
so complete output is reused and an interrupted run's output rebuilt.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import threading
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import cv2
import numpy as np
from tqdm import tqdm

from helpers import cli_args, images
from helpers.paths import cache_dir, display_path

__all__ = ["DIGIT_CLASSES", "MAX_BENCHMARK_JPEGS", "MAX_IMAGE_SIDE", "benchmark_jpegs", "digit_files", "main"]

DIGIT_CLASSES = tuple(str(digit) for digit in range(10))
"""Class folder names of the digits set, in label order."""
MAX_BENCHMARK_JPEGS = 999_999
"""Most files `benchmark_jpegs` writes: their names have six digits."""
MAX_IMAGE_SIDE = 4096
"""Largest width or height `benchmark_jpegs` makes: bigger ones would be enlarged blur, costly in memory."""

_JPEG_QUALITY = 90  # a typical camera/web setting
_MARKER_NAME = ".complete.json"
_SIZE_BOUND_REASON = (
    f"each image is built in memory, several at a time: {MAX_IMAGE_SIDE}x{MAX_IMAGE_SIDE} RGB is "
    f"{MAX_IMAGE_SIDE * MAX_IMAGE_SIDE * 3 / 2**20:.0f} MiB"
)
# Bumped whenever a recipe changes what is written, so older cached output gets rebuilt.
_DIGITS_RECIPE = {"dataset": "sklearn.datasets.load_digits", "scale": "rint(v*255/16)", "v": 1}
_BENCHMARK_RECIPE_VERSION = 1
# Writing is OpenCV encoding + file I/O, both outside the GIL, so threads do help.
_WRITER_THREADS = min(8, os.cpu_count() or 1)


def digit_files(*, progress: bool = True) -> tuple[list[Path], list[int]]:
    """Returns ``(paths, labels)``: scikit-learn's digits as PNG files, in dataset order, written if needed.

    The 1,797 8x8 grayscale images of ``sklearn.datasets.load_digits`` (bundled, no download), 0..16 scaled
    to 0..255, as ``<label>/<index>.png`` in ``cache_dir("digits")``, with a tqdm bar on stderr if
    `progress`.
    """
    from sklearn.datasets import load_digits

    folder = cache_dir("digits")
    digits = load_digits()
    labels = [int(label) for label in digits.target]
    paths = [folder / str(label) / f"{index:04d}.png" for index, label in enumerate(labels)]
    marker = {"recipe": _DIGITS_RECIPE, "count": len(paths)}
    if _read_marker(folder) == marker and all(path.is_file() for path in paths):
        return paths, labels
    (folder / _MARKER_NAME).unlink(missing_ok=True)
    for name in DIGIT_CLASSES:
        (folder / name).mkdir(parents=True, exist_ok=True)
    _remove_strays(folder, "?/*.png", keep=paths)
    pixels = np.rint(digits.images * (255 / 16)).astype(np.uint8)

    def write_digit(index: int) -> None:
        _write_atomically(paths[index], _encode(".png", pixels[index]))

    _write_all(write_digit, range(len(paths)), desc="digits", progress=progress)
    _write_atomically(folder / _MARKER_NAME, json.dumps(marker, indent=1).encode())
    return paths, labels


def benchmark_jpegs(
    count: int = 1000,
    *,
    width: int = 640,
    height: int = 480,
    progress: bool = True,
) -> list[Path]:
    """Returns `count` photo-like JPEGs of ``width x height`` pixels, writing those missing.

    Each is a random crop (30-100% of the largest with the target's aspect ratio, +-25%) of a sample
    photograph, maybe mirrored, rescaled and slightly brightened or darkened, so it compresses like a
    photo. File ``i`` depends only on ``i``: asking for more files later writes only the new ones. They go
    to ``cache_dir(f"benchmark_jpegs_{width}x{height}")``, with a tqdm bar on stderr if `progress`.

    Returns:
        The paths ``000000.jpg``, ``000001.jpg``, ... in order.

    Raises:
        ValueError: `count`, `width` or `height` is not a positive integer, or above its bound
            (`MAX_BENCHMARK_JPEGS`, `MAX_IMAGE_SIDE`).
    """
    for name, value in (("count", count), ("width", width), ("height", height)):
        if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
            raise ValueError(f"{name} must be a positive integer, got {value!r}")
    if count > MAX_BENCHMARK_JPEGS:
        raise ValueError(f"count must be at most {MAX_BENCHMARK_JPEGS:,}, got {count:,}")
    if max(width, height) > MAX_IMAGE_SIDE:
        raise ValueError(f"width and height must be at most {MAX_IMAGE_SIDE:,} pixels, got {width}x{height}")
    folder = cache_dir(f"benchmark_jpegs_{width}x{height}")
    sample_paths = images.sample_image_paths()
    recipe = {
        "v": _BENCHMARK_RECIPE_VERSION,
        "width": width,
        "height": height,
        "quality": _JPEG_QUALITY,
        "sources": [path.name for path in sample_paths],
    }
    paths = [folder / f"{index:06d}.jpg" for index in range(count)]

    marker = _read_marker(folder)
    complete = marker["count"] if marker and marker.get("recipe") == recipe else 0
    if not all(path.is_file() for path in paths[: min(complete, count)]):
        complete = 0
    if complete >= count:
        return paths
    if complete == 0:
        (folder / _MARKER_NAME).unlink(missing_ok=True)
        _remove_strays(folder, "[0-9][0-9][0-9][0-9][0-9][0-9].jpg", keep=paths)

    sources = [images.load_image_uint8(path) for path in sample_paths]
    # A photo enlarged more than 2x is mostly blur and compresses far better than a real one.
    sources = [image for image in sources if min(image.shape[:2]) >= min(width, height) // 2] or sources

    def write_jpeg(index: int) -> None:
        # [0, i]: the same files as earlier versions wrote
        rgb = _photo_crop(sources, np.random.default_rng([0, index]), width, height)
        data = _encode(".jpg", rgb[..., ::-1], [cv2.IMWRITE_JPEG_QUALITY, _JPEG_QUALITY])
        _write_atomically(paths[index], data)

    desc = f"benchmark JPEGs {width}x{height}"
    _write_all(write_jpeg, range(complete, count), desc=desc, progress=progress)
    _write_atomically(
        folder / _MARKER_NAME, json.dumps({"recipe": recipe, "count": count}, indent=1).encode()
    )
    return paths


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: ``python -m helpers.datasets {digits,benchmark-jpegs} ...``; returns the exit status."""
    parser = argparse.ArgumentParser(
        prog="python -m helpers.datasets",
        description="Write the kit's generated image datasets into the git-ignored cache "
        "(reused when already complete).",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    digits = commands.add_parser(
        "digits", help="scikit-learn's 1,797 8x8 digits as PNGs in cache_dir('digits')/<label>/<index>.png"
    )
    jpegs = commands.add_parser(
        "benchmark-jpegs",
        help="photo-like JPEGs cropped from the sample photos, for throughput experiments, in "
        "cache_dir('benchmark_jpegs_<WIDTH>x<HEIGHT>')",
    )
    jpegs.add_argument(
        "--count",
        type=cli_args.whole_number(1, MAX_BENCHMARK_JPEGS, why="file names have six digits"),
        default=1000,
        help=f"number of files, 1 to {MAX_BENCHMARK_JPEGS:,} (default 1000)",
    )
    jpegs.add_argument(
        "--size",
        type=cli_args.image_size(MAX_IMAGE_SIDE, why=_SIZE_BOUND_REASON),
        default=(640, 480),
        metavar="WIDTHxHEIGHT",
        help=f"image size in pixels, width first, each side at most {MAX_IMAGE_SIDE:,} (default 640x480)",
    )
    for command in (digits, jpegs):
        command.add_argument("--quiet", action="store_true", help="no progress bar")
    args = parser.parse_args(argv)

    if args.command == "digits":
        paths, labels = digit_files(progress=not args.quiet)
        folder = display_path(paths[0].parent.parent)
        print(f"{len(paths)} digit images in {len(set(labels))} class folders in {folder}")
    else:
        width, height = args.size
        paths = benchmark_jpegs(args.count, width=width, height=height, progress=not args.quiet)
        print(f"{len(paths)} JPEGs of {width}x{height} pixels in {display_path(paths[0].parent)}")
    return 0


def _photo_crop(sources: list[np.ndarray], rng: np.random.Generator, width: int, height: int) -> np.ndarray:
    source = sources[rng.integers(len(sources))]
    source_height, source_width = source.shape[:2]
    aspect = width / height * math.exp(rng.uniform(math.log(0.8), math.log(1.25)))
    largest_width = min(source_width, source_height * aspect)
    scale = math.sqrt(rng.uniform(0.3, 1.0))
    crop_width = max(1, min(source_width, round(largest_width * scale)))
    crop_height = max(1, min(source_height, round(largest_width * scale / aspect)))
    top = rng.integers(source_height - crop_height + 1)
    left = rng.integers(source_width - crop_width + 1)
    crop = source[top : top + crop_height, left : left + crop_width]
    if rng.random() < 0.5:
        crop = crop[:, ::-1]
    shrinking = width <= crop_width and height <= crop_height
    interpolation = cv2.INTER_AREA if shrinking else cv2.INTER_LINEAR
    resized = cv2.resize(np.ascontiguousarray(crop), (width, height), interpolation=interpolation)
    return cv2.convertScaleAbs(resized, alpha=rng.uniform(0.85, 1.15), beta=rng.uniform(-15, 15))


def _encode(extension: str, pixels: np.ndarray, params: Sequence[int] = ()) -> bytes:
    ok, buffer = cv2.imencode(extension, pixels, list(params))
    if not ok:
        raise RuntimeError(f"OpenCV could not encode a {pixels.shape} image as {extension}")
    return buffer.tobytes()


def _write_atomically(path: Path, data: bytes) -> None:
    # A reader (or a second writer, e.g. two notebooks under pytest-xdist) never sees half a file.
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    temporary.write_bytes(data)
    os.replace(temporary, path)


def _write_all(write: Callable[[int], None], indices: Iterable[int], *, desc: str, progress: bool) -> None:
    indices = list(indices)
    with (
        ThreadPoolExecutor(max_workers=_WRITER_THREADS) as pool,
        tqdm(total=len(indices), desc=desc, unit="file", disable=not progress) as bar,
    ):
        # map() re-raises the first error in a writer thread here instead of losing it.
        for _ in pool.map(write, indices):
            bar.update()


def _read_marker(folder: Path) -> dict[str, Any] | None:
    try:
        marker = json.loads((folder / _MARKER_NAME).read_text())
    except (OSError, ValueError):
        return None
    return marker if isinstance(marker, dict) and isinstance(marker.get("count"), int) else None


def _remove_strays(folder: Path, pattern: str, *, keep: list[Path]) -> None:
    # Only files this module names, so a cache folder shared with other files loses nothing else.
    wanted = set(keep)
    for path in folder.glob(pattern):
        if path not in wanted:
            path.unlink()


if __name__ == "__main__":
    raise SystemExit(main())
