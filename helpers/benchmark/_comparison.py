"""The comparison: the pipelines its rows run, each checked against the reference, then timed in turns.

TensorFlow, tqdm and the lesson helpers are imported only inside functions, so `--help` stays instant.
"""

from __future__ import annotations

import contextlib
import os
import re
import sys
import tempfile
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import cv2
import numpy as np

from helpers import image_work, measure, process_work
from helpers.image_work import OutputCheck
from helpers.measure import PassTiming

if TYPE_CHECKING:
    import tensorflow as tf

__all__ = [
    "Comparison",
    "ComparisonRow",
    "EqualWorkError",
    "article_dataset",
    "best_dataset",
    "check_rows",
    "decoded_batches",
    "graph_native_dataset",
    "import_tensorflow_quietly",
    "index_dataset",
    "numpy_function_dataset",
    "reference_dataset",
    "run_comparison",
]

BATCH_SIZE = 32
_CHECK_IMAGES = 32  # images each row delivers for the output check (the first of the benchmark set)
_SMALL_BATCH_SIZE = 256
_SMALL_FEATURES = 16
# The per-batch row reads this many times more rows per chunk, so each chunk lasts long enough to time.
_BATCH_YIELD_MULTIPLE = 32


def _scaled(batch: tf.Tensor) -> tf.Tensor:
    import tensorflow as tf

    return tf.cast(batch, tf.float32) / 255.0


def reference_dataset(paths: Sequence[str]) -> tf.data.Dataset:
    """The reference generator (`image_work.reference_images`), one image per yield, batched by TensorFlow."""
    import tensorflow as tf

    signature = tf.TensorSpec(shape=(*image_work.IMAGE_SIZE, 3), dtype=tf.float32)
    dataset = tf.data.Dataset.from_generator(
        image_work.reference_images, args=(list(paths),), output_signature=signature
    )
    return dataset.batch(BATCH_SIZE).prefetch(tf.data.AUTOTUNE)


def decoded_batches(paths: Sequence[str], batch_size: int, threads: int) -> Iterator[np.ndarray]:
    """The best generator: uint8 RGB batches, every image decoded into its slot by one of `threads` threads.

    While one batch is finished, the next is already queued, so no thread waits for the generator to be
    called again (OpenCV releases the GIL while it decodes and resizes). OpenCV runs single-threaded:
    one level of parallelism, ours.
    """
    cv2.setNumThreads(1)
    size = int(batch_size)
    with ThreadPoolExecutor(int(threads)) as pool:
        pending: deque = deque()
        for start in range(0, len(paths), size):
            batch = np.empty((min(size, len(paths) - start), *image_work.IMAGE_SIZE, 3), np.uint8)
            images = zip(paths[start : start + size], batch, strict=True)
            pending.append((batch, [pool.submit(image_work.decode_resize_into, *image) for image in images]))
            if len(pending) > 1:
                yield _finished(*pending.popleft())
        if pending:
            yield _finished(*pending.popleft())


def _finished(batch: np.ndarray, futures: list) -> np.ndarray:
    for future in futures:
        future.result()  # re-raises a decode error here, naming the file
    return batch


def best_dataset(paths: Sequence[str], *, threads: int) -> tf.data.Dataset:
    """`decoded_batches` through `from_generator`, scaled to float32 in TensorFlow, two batches ahead.

    tf.data's autotuning is off: its model thread made deleting each iterator (the end of every pass,
    every epoch) wait up to half a second, and nothing here needs tuning.
    """
    import tensorflow as tf

    dataset = tf.data.Dataset.from_generator(
        decoded_batches,
        args=(list(paths), BATCH_SIZE, threads),
        output_signature=tf.TensorSpec(shape=(None, *image_work.IMAGE_SIZE, 3), dtype=tf.uint8),
    )
    options = tf.data.Options()
    options.autotune.enabled = False
    return dataset.map(_scaled).prefetch(2).with_options(options)


def _load(path: str | bytes) -> np.ndarray:
    return image_work.decode_resize_into(path, np.empty((*image_work.IMAGE_SIZE, 3), np.uint8))


def _python_loads(elements: tf.data.Dataset, load: Callable[[Any], np.ndarray]) -> tf.data.Dataset:
    """`elements.map(numpy_function(load), AUTOTUNE)`, batched and scaled like every row."""
    import tensorflow as tf

    def load_one(element: tf.Tensor) -> tf.Tensor:
        image = tf.numpy_function(load, [element], tf.uint8, stateful=False)
        return tf.ensure_shape(image, (*image_work.IMAGE_SIZE, 3))

    dataset = elements.map(load_one, num_parallel_calls=tf.data.AUTOTUNE)
    return dataset.batch(BATCH_SIZE).map(_scaled).prefetch(tf.data.AUTOTUNE)


def numpy_function_dataset(paths: Sequence[str]) -> tf.data.Dataset:
    """`from_tensor_slices(paths).map(tf.numpy_function(load), num_parallel_calls=AUTOTUNE)` (notebook 08)."""
    import tensorflow as tf

    return _python_loads(tf.data.Dataset.from_tensor_slices(list(paths)), _load)


def index_dataset(paths: Sequence[str], *, seed: int = 0) -> tf.data.Dataset:
    """The index pattern (notebook 08): `range(n).shuffle(n).map(index -> numpy_function(load))`."""
    import tensorflow as tf

    path_list = [str(path) for path in paths]
    indices = tf.data.Dataset.range(len(path_list)).shuffle(len(path_list), seed=seed)
    return _python_loads(indices, lambda index: _load(path_list[int(index)]))


def graph_native_dataset(paths: Sequence[str]) -> tf.data.Dataset:
    """Notebook 07's pipeline (`graph_native.image_dataset`), batched like the other rows."""
    import tensorflow as tf

    from helpers import graph_native

    dataset = graph_native.image_dataset(paths, image_size=image_work.IMAGE_SIZE)
    return dataset.batch(BATCH_SIZE).prefetch(tf.data.AUTOTUNE)


def article_dataset(paths: Sequence[str]) -> tf.data.Dataset:
    """The article's Example 2 as written (`article.example_2_dataset`), without its deprecation warning."""
    import tensorflow as tf

    from helpers import article

    logger = tf.get_logger()
    level = logger.level
    logger.setLevel("ERROR")  # the row measures the article's `output_types`: its warning is expected
    try:
        return article.example_2_dataset(list(paths))
    finally:
        logger.setLevel(level)


def _feature_batches(features: np.ndarray, batch_size: int) -> Iterator[np.ndarray]:
    """Yields `features` in slices of `batch_size` rows."""
    for start in range(0, len(features), int(batch_size)):
        yield features[start : start + int(batch_size)]


def _stream_chunks(dataset: tf.data.Dataset, elements: int) -> Callable[[], int]:
    """Each call reads the next `elements` (or a little more) from one endless pass over `dataset`.

    For fast pipelines where starting an iterator (tens of milliseconds) would swamp the measurement.
    The stream has no prefetch (tf.data's injected one is turned off): it stays alive while the other
    rows take their turns, and a prefetch would keep producing in the background, stealing their CPU
    and handing the next chunk a full buffer.
    """
    import tensorflow as tf

    options = tf.data.Options()
    options.experimental_optimization.inject_prefetch = False
    synchronous = dataset.repeat().with_options(options)
    stream = None

    def next_chunk() -> int:
        nonlocal stream
        stream = stream or iter(synchronous)
        count = 0
        while count < elements:
            count += measure.count_elements(next(stream))
        return count

    return next_chunk


# The rows, in table order: the image rows, then the two small-element rows, each compared with the other.
_WHAT = {
    "article_example_2": "the article's Example 2 as written: BGR, bilinear resize, float64 declared "
    "float32 (the baseline; the one row allowed another output)",
    "float32": "the reference generator (image_work.reference_images): one float32 image per yield from "
    "images.load_image (OpenCV decode, area resize), batched by TensorFlow",
    "best_from_generator": f"from_generator(decoded_batches): uint8 batches of {BATCH_SIZE}, each image "
    "decoded in a thread pool (one thread per core) with the next batch queued; scaled to float32 in "
    "TensorFlow, prefetch 2, tf.data autotuning off",
    "numpy_function_map": "notebook 08: from_tensor_slices(paths).map(numpy_function(load), AUTOTUNE)",
    "index_pattern": "notebook 08: range(n).shuffle(n).map(index -> numpy_function(load), AUTOTUNE)",
    "graph_native": "notebook 07's graph_native.image_dataset: TensorFlow ops only (accurate IDCT, area)",
    "limit": "the same work in one spawned process per core, side by side, no TensorFlow",
    "per_element_yield": f"rows of {_SMALL_FEATURES} floats, one per yield, batched by {_SMALL_BATCH_SIZE}",
    "per_batch_yield": f"the same rows yielded in batches of {_SMALL_BATCH_SIZE}",
}
_YIELD_RATIO_TO = {"per_element_yield": "per_batch_yield", "per_batch_yield": "per_element_yield"}

# Lines the TensorFlow and CUDA libraries print while they load, before TF_CPP_MIN_LOG_LEVEL applies
# (absl writes everything to stderr until its logging is initialised): harmless on a CPU-only machine.
_STARTUP_NOISE = re.compile(
    r"All log messages before absl::InitializeLog\(\) is called are written to STDERR"
    r"|oneDNN custom operations are on"
    r"|cudart_stub\.cc|Could not find cuda drivers|cuda_executor|cuInit"
    r"|Unable to register cu(DNN|FFT|BLAS) factory|computation_placer|TF-TRT Warning"
    r"|This TensorFlow binary is optimized to use available CPU instructions"
    r"|rebuild TensorFlow with the appropriate compiler flags"
)


def import_tensorflow_quietly():
    """Imports TensorFlow with its load-time C++ lines (absl, oneDNN, CUDA) kept off stderr; returns it.

    `TF_CPP_MIN_LOG_LEVEL` hides TensorFlow's own logging, but a few lines are printed while the libraries
    load, before that setting is read. They are captured at the file descriptor and dropped; any other
    line (a real error) is passed on to stderr.
    """
    if "tensorflow" in sys.modules:
        return sys.modules["tensorflow"]
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    sys.stderr.flush()
    saved = os.dup(2)
    with tempfile.TemporaryFile() as captured:
        os.dup2(captured.fileno(), 2)
        try:
            import tensorflow as tf
        finally:
            sys.stderr.flush()
            os.dup2(saved, 2)
            os.close(saved)
            captured.seek(0)
            for line in captured.read().decode(errors="replace").splitlines():
                if line.strip() and not _STARTUP_NOISE.search(line):
                    print(line, file=sys.stderr)
    return tf


class EqualWorkError(ValueError):
    """A row does not deliver the reference's images; its message lists every failed check."""


def check_rows(
    rows: Mapping[str, Callable[[Sequence[str]], Any]],
    check_paths: Sequence[str],
    *,
    step: Callable[[str], None] | None = None,
) -> dict[str, OutputCheck]:
    """Checks every row's images against the reference generator's, on the same files.

    The rule is the kit's one (`image_work.check_same_output`). The article's Example 2 is checked and
    reported but allowed to differ: it is timed as written.

    Args:
        rows: name -> a function building the row's pipeline (or its images) for some paths.
        check_paths: the files every row delivers.
        step: called with the row's name after each check (a progress bar).

    Returns:
        name -> its `image_work.OutputCheck`, in the order of `rows`.

    Raises:
        EqualWorkError: a row other than the article's delivers other images; the message lists each.
    """
    reference = np.stack(list(image_work.reference_images(check_paths)))
    checks = {}
    for name, build in rows.items():
        delivered: Iterable | np.ndarray = build(check_paths)
        if not isinstance(delivered, np.ndarray):
            delivered = np.concatenate([np.asarray(batch) for batch in delivered])
        try:
            checks[name] = image_work.check_same_output(name, delivered, reference)
        except ValueError as error:  # another count or shape of images
            raise EqualWorkError(str(error)) from None
        if step is not None:
            step(name)
    exempt = "article_example_2"  # timed as written
    failed = [check for name, check in checks.items() if not check.same_output and name != exempt]
    if failed:
        raise EqualWorkError(
            "these rows do not deliver the reference generator's images, so timing them would compare "
            "different work:\n" + "\n".join(str(check) for check in failed)
        )
    return checks


@dataclass(frozen=True)
class ComparisonRow:
    """One row of the comparison table: elements/s (median, slowest and fastest repeat, each repeat in round
    order: round i of every row ran back to back), median CPU ms per image (or row, `unit` "rows") of this
    process and its workers, the ratio to the limit (or between the two small-element rows), and the
    output check's largest difference from the reference in grey levels (None for the small-element rows).
    """

    name: str
    what: str
    unit: str
    elements_per_second: float
    min_elements_per_second: float
    max_elements_per_second: float
    samples: tuple[float, ...]
    cpu_ms_per_element: float
    ratio: float
    ratio_to: str
    max_difference_levels: float | None = None


@dataclass(frozen=True)
class Comparison:
    """Everything one comparison measured: the rows in table order, each image row's output check, what was
    run, and the 1-minute load average at the start and at the end (None where unavailable)."""

    rows: list[ComparisonRow]
    checks: dict[str, OutputCheck]
    settings: dict[str, object]
    load_average: dict[str, float | None]


@contextlib.contextmanager
def _opencv_threads(count: int) -> Iterator[None]:
    previous = cv2.getNumThreads()
    cv2.setNumThreads(count)
    try:
        yield
    finally:
        cv2.setNumThreads(previous)


def _load_average() -> float | None:
    try:
        return round(os.getloadavg()[0], 2)
    except OSError:
        return None


def _limit_images(paths: Sequence[str]) -> np.ndarray:
    """The limit's work on `paths` in this process, its images kept: what the output check compares."""
    images = np.empty((len(paths), *image_work.IMAGE_SIZE, 3), np.float32)
    process_work.reference_work(paths, out=images)
    return images


def run_comparison(
    *,
    image_count: int = 600,
    small_elements: int = 16_384,
    repeats: int = 3,
    min_seconds: float = 0.0,
    progress: bool = False,
) -> Comparison:
    """Checks that every image row delivers the reference's images, then times every row in turns.

    Every row takes one untimed pass, then `repeats` timed ones in turns (`measure.compare`), so a change
    in the machine's load affects every row alike. The limit's workers are spawned once, before anything
    is timed. OpenCV runs single-threaded in every row (one level of parallelism), restored afterwards.

    Args:
        image_count: benchmark JPEGs (640x480) per pass.
        small_elements: rows of features; the per-element row reads this many per repeat, the per-batch
            row 32 times as many (so each repeat lasts long enough to time).
        repeats: timed repeats per row.
        min_seconds: a repeat runs whole passes until it lasts this long (0: one pass).
        progress: show a progress bar on stderr.

    Returns:
        The `Comparison`.

    Raises:
        EqualWorkError: a row's images are not the reference's (the article's Example 2 excepted).
    """
    tf = import_tensorflow_quietly()
    from tqdm import tqdm

    from helpers import datasets

    load_at_start = _load_average()
    cores = measure.available_cores()
    paths = [str(path) for path in datasets.benchmark_jpegs(image_count, progress=False)]
    features = np.random.default_rng(0).random((small_elements, _SMALL_FEATURES), dtype=np.float32)
    builders: dict[str, Callable[[Sequence[str]], Any]] = {
        "article_example_2": article_dataset,
        "float32": reference_dataset,
        "best_from_generator": lambda paths: best_dataset(paths, threads=cores),
        "numpy_function_map": numpy_function_dataset,
        "index_pattern": index_dataset,
        "graph_native": graph_native_dataset,
        "limit": _limit_images,
    }
    steps = len(builders) + repeats * len(_WHAT)
    bar = tqdm(total=steps, desc="benchmark", unit="step", file=sys.stderr, disable=not progress, leave=False)

    def on_result(name: str, repeat: int, timing: PassTiming) -> None:
        bar.set_postfix_str(name, refresh=False)
        bar.update()

    per_element = tf.data.Dataset.from_generator(
        iter, args=(features,), output_signature=tf.TensorSpec((_SMALL_FEATURES,), tf.float32)
    ).batch(_SMALL_BATCH_SIZE)
    per_batch = tf.data.Dataset.from_generator(
        _feature_batches,
        args=(features, _SMALL_BATCH_SIZE),
        output_signature=tf.TensorSpec((None, _SMALL_FEATURES), tf.float32),
    )
    try:
        with _opencv_threads(1), process_work.spawn_pool(cores) as pool:
            checks = check_rows(builders, paths[:_CHECK_IMAGES], step=lambda name: bar.update())
            work = {name: build(paths) for name, build in builders.items() if name != "limit"}
            work["limit"] = process_work.limit_pass(pool, paths)
            work["per_element_yield"] = _stream_chunks(per_element, small_elements)
            work["per_batch_yield"] = _stream_chunks(per_batch, small_elements * _BATCH_YIELD_MULTIPLE)
            results = measure.compare(work, repeats=repeats, min_seconds=min_seconds, on_result=on_result)
    finally:
        bar.close()
    settings: dict[str, object] = {
        "image_count": image_count,
        "small_elements": small_elements,
        "repeats": repeats,
        "min_seconds": min_seconds,
        "check_images": len(paths[:_CHECK_IMAGES]),
        "same_output_levels": image_work.SAME_OUTPUT_LEVELS,
        "batch_size": BATCH_SIZE,
        "decode_threads": cores,
    }
    rows = []
    for name, what in _WHAT.items():
        result, check, ratio_to = results[name], checks.get(name), _YIELD_RATIO_TO.get(name, "limit")
        rows.append(
            ComparisonRow(
                name=name,
                what=what,
                unit="rows" if name in _YIELD_RATIO_TO else "images",
                elements_per_second=result.elements_per_second,
                min_elements_per_second=result.min_elements_per_second,
                max_elements_per_second=result.max_elements_per_second,
                samples=result.samples,
                cpu_ms_per_element=result.cpu_seconds_per_element * 1000,
                ratio=result.elements_per_second / results[ratio_to].elements_per_second,
                ratio_to=ratio_to,
                max_difference_levels=None if check is None else check.max_levels,
            )
        )
    return Comparison(rows, checks, settings, {"start": load_at_start, "end": _load_average()})
