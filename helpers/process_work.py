"""Work that runs in spawned worker processes, and the pools that run it (no TensorFlow import).

    with process_work.spawn_pool(2) as pool:                       # closed however the block ends
        images = list(pool.map(process_work.decode_image, paths))  # (pid, uint8 224x224 RGB) pairs
    rows = process_work.parse_records(process_work.text_records(1_000))

A spawned process starts a fresh interpreter and imports the module of the function it runs; it cannot
unpickle a function defined in a notebook. This module imports only NumPy and OpenCV, so a worker is
ready in a fraction of a second (a module importing TensorFlow would cost each worker seconds).
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import random
import threading
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor

import cv2
import numpy as np

__all__ = [
    "IMAGE_SIZE",
    "RECORD_FIELDS",
    "decode_image",
    "decode_into",
    "parse_record",
    "parse_records",
    "parse_slice",
    "spawn_pool",
    "spawn_start_method",
    "startup_seconds",
    "text_records",
    "worker_pid",
]

IMAGE_SIZE = (224, 224)
"""(height, width) every image is resized to."""

RECORD_FIELDS = 24
"""Numeric fields in one text record of `text_records`."""

_buffers: dict[tuple[int, int], np.ndarray] = {}


def decode_into(path: str | bytes | os.PathLike[str], out: np.ndarray) -> np.ndarray:
    """Decodes a JPEG as RGB into a buffer kept per thread and resizes it into `out` (uint8).

    The work every alternative does, and the unit of the machine's limit (one thread of this, times the
    cores). Reusing the decode buffer avoids a fresh 900 KiB array, and its page faults, per image.

    Args:
        path: the image file.
        out: uint8 (height, width, 3): where the resized image goes.

    Returns:
        `out`.

    Raises:
        FileNotFoundError: the file does not exist.
        ValueError: OpenCV cannot decode the file (the message names it).
    """
    path = os.fsdecode(path)
    if not os.path.exists(path):
        raise FileNotFoundError(f"image file not found: {path}")
    buffer = _buffers.get(_thread_key())
    if buffer is None or not _decoded_into(path, buffer):
        buffer = cv2.imread(path, cv2.IMREAD_COLOR_RGB)
        if buffer is None:
            raise ValueError(f"OpenCV cannot decode {path}")
        _buffers[_thread_key()] = buffer
    decoded = buffer
    height, width = out.shape[:2]
    # As `images.load_image`: area averaging to shrink, bilinear to enlarge.
    shrinking = decoded.shape[0] >= height and decoded.shape[1] >= width
    interpolation = cv2.INTER_AREA if shrinking else cv2.INTER_LINEAR
    cv2.resize(decoded, (width, height), dst=out, interpolation=interpolation)
    return out


def decode_image(path: str | bytes) -> tuple[int, np.ndarray]:
    """Decodes and resizes one image in a worker; returns (the worker's pid, uint8 (224, 224, 3))."""
    cv2.setNumThreads(1)
    return os.getpid(), decode_into(path, np.empty((*IMAGE_SIZE, 3), np.uint8))


def worker_pid(_: object = None) -> int:
    """Returns the process id of the worker running it (a near-empty task, to time start-up)."""
    return os.getpid()


def _decoded_into(path: str, buffer: np.ndarray) -> bool:
    """Decodes `path` into this thread's `buffer`; False when it has another size or does not decode."""
    # imread into a buffer leaves it untouched when decoding fails: mark the first and last rows
    # and treat "still marked" as a failure (a decode writes every row).
    marker = (np.arange(buffer.shape[1] * 3) * 97 % 251).astype(np.uint8).reshape(-1, 3)
    buffer[0] = buffer[-1] = marker
    try:
        decoded = cv2.imread(path, buffer, cv2.IMREAD_COLOR_RGB)
    except cv2.error:  # a file of another size than the buffer
        return False
    return decoded is buffer and not (np.array_equal(buffer[0], marker) or np.array_equal(buffer[-1], marker))


def _thread_key() -> tuple[int, int]:
    return os.getpid(), threading.get_native_id()


def text_records(count: int, *, seed: int = 0) -> list[str]:
    """Returns `count` text records like `id=7;values=0.125,3.5,...;tags=red|blue`, the same on every run."""
    rng = random.Random(seed)
    tags = ("red", "green", "blue", "cyan", "black")
    records = []
    for index in range(count):
        values = ",".join(f"{rng.uniform(-100, 100):.4f}" for _ in range(RECORD_FIELDS))
        chosen = "|".join(rng.sample(tags, 2))
        records.append(f"id={index};values={values};tags={chosen}")
    return records


def parse_record(record: str) -> list[float]:
    """Parses one record in pure Python: its values, their mean and spread, and a tag flag.

    Raises:
        ValueError: the record is not `id=...;values=...;tags=...` (the message quotes it).
    """
    fields = dict(part.split("=", 1) for part in record.split(";") if "=" in part)
    if not {"id", "values", "tags"} <= fields.keys():
        raise ValueError(f"not a record: {record[:60]!r}")
    values = [float(text) for text in fields["values"].split(",")]
    mean = sum(values) / len(values)
    spread = (sum((value - mean) ** 2 for value in values) / len(values)) ** 0.5
    return [*values, mean, spread, float("red" in fields["tags"].split("|"))]


def parse_records(records: Sequence[str]) -> np.ndarray:
    """Parses records with `parse_record` into float32 (len(records), RECORD_FIELDS + 3)."""
    return np.asarray([parse_record(record) for record in records], dtype=np.float32).reshape(
        len(records), RECORD_FIELDS + 3
    )


_records_cache: dict[tuple[int, int], list[str]] = {}


def parse_slice(bounds: tuple[int, int], *, count: int, seed: int = 0) -> np.ndarray:
    """Parses records `bounds[0]:bounds[1]` of `text_records(count, seed=seed)`, made once per process.

    What a worker is sent is then two integers, not the records: the way to feed a pool cheaply (a real
    worker would read its slice of a file by offset).

    Raises:
        ValueError: the bounds are outside the records.
    """
    start, stop = bounds
    if not 0 <= start <= stop <= count:
        raise ValueError(f"slice {start}:{stop} is outside the {count} records")
    key = (count, seed)
    if key not in _records_cache:
        _records_cache.clear()
        _records_cache[key] = text_records(count, seed=seed)
    return parse_records(_records_cache[key][start:stop])


@contextlib.contextmanager
def spawn_pool(workers: int) -> Iterator[ProcessPoolExecutor]:
    """A process pool whose workers are spawned (fresh interpreters), shut down when the block ends.

    Spawn, not fork: forking a process in which TensorFlow (or OpenCV) already runs threads copies locks
    some other thread held, and the child can hang. On any exit, normal or not, the workers are stopped,
    so no process outlives the block.

    Args:
        workers: worker processes.

    Yields:
        The `ProcessPoolExecutor`.
    """
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"))
    try:
        yield pool
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


@contextlib.contextmanager
def spawn_start_method() -> Iterator[None]:
    """Makes `spawn` the default start method inside the block (for libraries that use the default, such
    as Keras's PyDataset workers), and restores the previous default after."""
    previous = multiprocessing.get_start_method(allow_none=True)
    multiprocessing.set_start_method("spawn", force=True)
    try:
        yield
    finally:
        multiprocessing.set_start_method(previous, force=True)


def startup_seconds(workers: int) -> float:
    """Seconds to spawn a pool of `workers`, have each run a near-empty task, and shut it down."""
    started = time.perf_counter()
    with spawn_pool(workers) as pool:
        list(pool.map(worker_pid, range(workers)))
    return time.perf_counter() - started
