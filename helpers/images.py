"""Robust image loading with OpenCV, and an image generator for ``from_generator``.

    from helpers import images
    image = images.load_image(images.sample_image_paths()[0], size=(224, 224))  # RGB float32
    reader = images.make_image_reader(size=(224, 224), on_error="skip")  # pass to from_generator

Every loader returns RGB (never BGR), 3 channels, and either raises an error that names the file or
returns a correct image: never None, never NaN. No TensorFlow here.
"""

from __future__ import annotations

import errno
import logging
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import cv2
import numpy as np

from helpers.paths import SAMPLE_IMAGES_DIR, display_path

__all__ = [
    "ALPHA_BACKGROUND",
    "IMAGE_SUFFIXES",
    "ImageLoadError",
    "ImageReader",
    "SkippedFile",
    "load_image",
    "load_image_uint8",
    "make_image_reader",
    "sample_image_paths",
]

PathLike = str | os.PathLike[str] | bytes
ImageSize = tuple[int, int]

IMAGE_SUFFIXES = frozenset({".bmp", ".jpeg", ".jpg", ".png", ".tif", ".tiff", ".webp"})
"""File name endings that `sample_image_paths` treats as images."""

ALPHA_BACKGROUND = "white"
"""What transparent pixels become: images with an alpha channel are composited onto white.

Why composite rather than drop the alpha channel: the colour stored under a fully transparent pixel
is undefined (whatever the program that saved the file left there, often black, sometimes old
paint), so dropping alpha makes the pixels depend on the encoder instead of on what the image shows.
Why white: it is how browsers and image viewers show such files on a page, so the array matches what
a person labelling the image saw, and dark-on-transparent artwork (logos, scans, line drawings, the
common case) stays visible, where on black it would vanish.
"""

_JPEG_MAGIC = b"\xff\xd8\xff"
_PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
_ON_ERROR_CHOICES = ("raise", "skip")
_DTYPE_CHOICES = ("float32", "uint8")

_logger = logging.getLogger(__name__)


class ImageLoadError(ValueError):
    """A file (`path`, relative to the repository inside it) is not a decodable image, and the `reason`."""

    def __init__(self, path: str, reason: str) -> None:
        # Both parts go to args so the exception survives pickling (multiprocessing, tf.data).
        super().__init__(path, reason)
        self.path = path
        self.reason = reason

    def __str__(self) -> str:
        return f"cannot load image {self.path!r}: {self.reason}"


@dataclass(frozen=True)
class SkippedFile:
    """A file an `ImageReader` skipped under ``on_error="skip"``, and why (``"ImageLoadError: ..."``)."""

    path: str
    reason: str


def load_image(path: PathLike, size: ImageSize | None = None) -> np.ndarray:
    """Loads an image file as RGB float32 in [0, 1], shape (height, width, 3).

    Grayscale becomes 3 equal channels; alpha is composited onto white (`ALPHA_BACKGROUND` says why);
    16-bit images are divided by 65535, 8-bit ones by 255; JPEGs are turned upright by their EXIF
    orientation, as image viewers do (``tf.io.decode_jpeg`` ignores it). `path` may be ``bytes``, as
    ``from_generator``'s ``args`` pass strings. `size` is ``(height, width)`` or None: shrinking uses
    ``cv2.INTER_AREA`` (averaging, so no aliasing), enlarging either side ``cv2.INTER_LINEAR``.

    Raises:
        FileNotFoundError: The file does not exist (the message names it).
        ImageLoadError: The file cannot be decoded as an image (the message names it and says why).
        ValueError: ``size`` is not two positive integers.
    """
    pixels = _load_rgb(path, size)
    image = pixels.astype(np.float32)
    # Division (not multiplication by 1/255) keeps 255 -> exactly 1.0.
    image /= np.float32(np.iinfo(pixels.dtype).max)
    return image


def load_image_uint8(path: PathLike, size: ImageSize | None = None) -> np.ndarray:
    """Loads an image file as RGB uint8, shape (height, width, 3): `load_image` without the float conversion
    (fast pipelines yield uint8, 4x less data, and scale in TensorFlow); 16-bit images are rounded to 0..255.
    """
    pixels = _load_rgb(path, size)
    if pixels.dtype == np.uint16:
        # round(x * 255 / 65535) in integers: no float copy of the image.
        pixels = ((pixels.astype(np.uint32) * 255 + 32767) // 65535).astype(np.uint8)
    return pixels


@dataclass(eq=False)
class ImageReader:
    """A generator function with its settings bound, for ``tf.data.Dataset.from_generator``.

    Calling it starts a new pass: ``reader(paths)`` yields images, ``reader(paths, labels)`` yields
    ``(image, label)`` pairs; through ``from_generator``'s ``args`` the paths arrive as bytes.
    With ``on_error="skip"``, files that are missing or cannot be decoded are left out, logged as a
    warning and recorded in `skipped` (one entry per file per pass; ``skipped.clear()`` resets it).
    With ``on_error="raise"`` the first bad file stops the pass with its error.

    Attributes:
        size: ``(height, width)`` every image is resized to, or None.
        on_error: ``"raise"`` or ``"skip"``.
        dtype: ``"float32"`` ([0, 1]) or ``"uint8"`` ([0, 255]).
        skipped: The files skipped so far.

    Raises:
        ValueError: a setting that is not allowed (named in the message).
    """

    size: ImageSize | None = None
    on_error: Literal["raise", "skip"] = field(default="raise", kw_only=True)
    dtype: Literal["float32", "uint8"] = field(default="float32", kw_only=True)
    skipped: list[SkippedFile] = field(default_factory=list, init=False)

    def __post_init__(self) -> None:
        if self.on_error not in _ON_ERROR_CHOICES:
            raise ValueError(f"on_error must be one of {_ON_ERROR_CHOICES}, got {self.on_error!r}")
        if self.dtype not in _DTYPE_CHOICES:
            raise ValueError(f"dtype must be one of {_DTYPE_CHOICES}, got {self.dtype!r}")
        self.size = _check_size(self.size)

    def __call__(
        self, paths: Sequence[PathLike], labels: Sequence[Any] | None = None
    ) -> Iterator[np.ndarray] | Iterator[tuple[np.ndarray, Any]]:
        """Yields the images of `paths` (str, Path or bytes) in order, with its label if `labels` is given.

        Raises:
            TypeError: `paths` is a single path instead of a sequence of them.
            ValueError: `labels` and `paths` differ in length.
            FileNotFoundError: With ``on_error="raise"``, a file is missing.
            ImageLoadError: With ``on_error="raise"``, a file cannot be decoded.
        """
        if isinstance(paths, str | bytes | os.PathLike):
            # Iterating one path would "load" each of its characters: say what went wrong instead.
            raise TypeError(f"paths must be a sequence of paths, got a single path {paths!r}")
        if labels is not None and len(labels) != len(paths):
            raise ValueError(f"got {len(paths)} paths but {len(labels)} labels")
        load = load_image if self.dtype == "float32" else load_image_uint8
        for index, path in enumerate(paths):
            try:
                image = load(path, self.size)
            except (OSError, ImageLoadError) as error:
                if self.on_error == "raise":
                    raise
                detail = error.reason if isinstance(error, ImageLoadError) else error.strerror or str(error)
                skipped = SkippedFile(path=display_path(path), reason=f"{type(error).__name__}: {detail}")
                # list.append is atomic, so shards running in several threads may share one reader.
                self.skipped.append(skipped)
                _logger.warning("skipped %s (%s)", skipped.path, skipped.reason)
                continue
            yield image if labels is None else (image, labels[index])


# The kit names factories that bind settings make_<noun> (STYLE.md); the class is that factory.
make_image_reader = ImageReader


def sample_image_paths() -> list[Path]:
    """Returns the kit's sample photographs (``sample_images/``, images only), sorted by file name."""
    return sorted(
        path
        for path in SAMPLE_IMAGES_DIR.iterdir()
        if path.is_file() and path.suffix.lower() in IMAGE_SUFFIXES
    )


def _check_size(size: ImageSize | None) -> ImageSize | None:
    if size is None:
        return None
    try:
        height, width = size
    except (TypeError, ValueError):
        raise ValueError(f"size must be (height, width), got {size!r}") from None
    for value in (height, width):
        if isinstance(value, bool) or not isinstance(value, int | np.integer) or value <= 0:
            raise ValueError(f"size must be two positive integers (height, width), got {size!r}")
    return (int(height), int(width))


def _load_rgb(path: PathLike, size: ImageSize | None) -> np.ndarray:
    """Reads, decodes and resizes: RGB uint8 or uint16, 3 channels, alpha composited."""
    size = _check_size(size)
    pixels = _decode(path)
    if size is not None and pixels.shape[:2] != size:
        height, width = size
        shrinking = height <= pixels.shape[0] and width <= pixels.shape[1]
        interpolation = cv2.INTER_AREA if shrinking else cv2.INTER_LINEAR
        pixels = cv2.resize(pixels, (width, height), interpolation=interpolation)
    return pixels


def _decode(path: PathLike) -> np.ndarray:
    # Reading with Python (not cv2.imread) gives real errors and handles non-ASCII paths everywhere.
    if isinstance(path, bytes):
        path = os.fsdecode(path)
    if not isinstance(path, str | os.PathLike):
        raise TypeError(f"path must be str, bytes or os.PathLike, got {type(path).__name__}")
    name = display_path(path)
    try:
        data = Path(path).read_bytes()
    except FileNotFoundError:
        raise FileNotFoundError(errno.ENOENT, "image file not found", name) from None
    except IsADirectoryError:
        raise ImageLoadError(name, "it is a directory, not a file") from None
    if not data:
        raise ImageLoadError(name, "the file is empty (0 bytes)")
    # A JPEG has no alpha and 8 bits: decode straight to RGB, applying its EXIF orientation.
    # Anything else keeps its alpha channel and bit depth (IMREAD_UNCHANGED), handled below.
    is_jpeg = data.startswith(_JPEG_MAGIC)
    flags = cv2.IMREAD_COLOR_RGB if is_jpeg else cv2.IMREAD_UNCHANGED
    try:
        pixels = cv2.imdecode(np.frombuffer(data, dtype=np.uint8), flags)
    except cv2.error:
        pixels = None
    if pixels is None:
        size = f"{len(data):,} bytes"
        kind = "JPEG" if is_jpeg else "PNG" if data.startswith(_PNG_MAGIC) else None
        reason = f"a {kind} that OpenCV cannot decode: truncated or corrupt ({size})"
        if kind is None:
            reason = f"not an image format OpenCV can decode ({size}, starts with {data[:8]!r})"
        raise ImageLoadError(name, reason)
    if pixels.dtype not in (np.uint8, np.uint16):
        raise ImageLoadError(name, f"{pixels.dtype} pixels; only 8- and 16-bit images are supported")
    if is_jpeg:
        return pixels
    channels = 1 if pixels.ndim == 2 else pixels.shape[2]
    if channels == 1:
        return cv2.cvtColor(pixels, cv2.COLOR_GRAY2RGB)
    if channels == 3:
        return cv2.cvtColor(pixels, cv2.COLOR_BGR2RGB)
    if channels == 4:
        return _composite_on_white(cv2.cvtColor(pixels, cv2.COLOR_BGRA2RGBA))
    raise ImageLoadError(name, f"{channels} channels; expected 1, 3 or 4")


def _composite_on_white(rgba: np.ndarray) -> np.ndarray:
    max_value = np.iinfo(rgba.dtype).max
    alpha = rgba[..., 3:]
    if np.all(alpha == max_value):
        return np.ascontiguousarray(rgba[..., :3])
    opacity = alpha.astype(np.float32) / max_value
    rgb = rgba[..., :3].astype(np.float32) * opacity + max_value * (1.0 - opacity)
    return np.rint(rgb).astype(rgba.dtype)
