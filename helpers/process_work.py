"""Work that runs in spawned worker processes, and the pools that run it (no TensorFlow import).

    with process_work.spawn_pool(measure.available_cores()) as pool:   # closed however the block ends
        limit = process_work.limit_pass(pool, paths)                    # the machine's limit, one pass
        results = measure.compare({"mine": my_dataset, "limit": limit})
    rows = process_work.parse_records(process_work.text_records(1_000))

A spawned process starts a fresh interpreter and imports the module of the function it runs; it cannot
unpickle a function defined in a notebook. This module imports only NumPy, OpenCV and `image_work`, so a
worker is ready in a fraction of a second (a module importing TensorFlow would cost each worker seconds).
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import random
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Executor, ProcessPoolExecutor

import cv2
import numpy as np

from helpers.image_work import IMAGE_SIZE, decode_resize_into

__all__ = [
    "RECORD_FIELDS",
    "decode_batch",
    "limit_pass",
    "parse_record",
    "parse_records",
    "parse_slice",
    "reference_work",
    "spawn_pool",
    "spawn_start_method",
    "startup_seconds",
    "text_records",
]

RECORD_FIELDS = 24
"""Numeric fields in one text record of `text_records`."""


def reference_work(paths: Sequence[str], *, out: np.ndarray | None = None) -> int:
    """Does the reference work on `paths` here, as fast as one core can; returns how many it did.

    Decode, resize (`image_work.decode_resize_into`) and scale to float32 in [0, 1], into buffers reused
    from image to image, OpenCV single-threaded: the work every image row does, with nothing else. A
    worker of `limit_pass` runs it.

    Args:
        paths: the image files.
        out: float32 (len(paths), 224, 224, 3) to keep the images in (to check them); None keeps none.
    """
    cv2.setNumThreads(1)
    resized = np.empty((*IMAGE_SIZE, 3), np.uint8)
    scaled = np.empty((*IMAGE_SIZE, 3), np.float32)
    for index, path in enumerate(paths):
        decode_resize_into(path, resized)
        np.divide(resized, np.float32(255), out=scaled if out is None else out[index])
    return len(paths)


def limit_pass(pool: Executor, paths: Sequence[str]) -> Callable[[], int]:
    """One pass of the machine's limit for the reference work: `reference_work` on every worker at once.

    The limit is measured, not multiplied: the files, in chunks of 8 (small, so the workers finish
    together), go to the pool's workers as each one is free, with no TensorFlow anywhere. Give it a
    pool of one spawned worker per core (`spawn_pool`); `measure.compare`'s warm-up pass starts the workers,
    so their start-up is not timed, and it counts their CPU time as the row's.

    Returns:
        A function doing one pass and returning the images done.
    """
    chunks = [[os.fsdecode(path) for path in paths[start : start + 8]] for start in range(0, len(paths), 8)]

    def one_pass() -> int:
        return sum(pool.map(reference_work, chunks))

    return one_pass


def decode_batch(paths: Sequence[str]) -> np.ndarray:
    """Decodes and resizes `paths` in a worker: one uint8 RGB batch (len(paths), 224, 224, 3)."""
    cv2.setNumThreads(1)
    batch = np.empty((len(paths), *IMAGE_SIZE, 3), np.uint8)
    for path, out in zip(paths, batch, strict=True):
        decode_resize_into(path, out)
    return batch


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
    """A pool of `workers` spawned processes (fresh interpreters), shut down however the block ends.

    Spawn, not fork: forking a process in which TensorFlow (or OpenCV) already runs threads copies locks
    some other thread held, and the child can hang. No process outlives the block.
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
        [task.result() for task in [pool.submit(os.getpid) for _ in range(workers)]]  # near-empty tasks
    return time.perf_counter() - started
