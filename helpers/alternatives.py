"""The same image work through each input pipeline worth considering, measured and probed side by side.

    dataset = alternatives.numpy_function_dataset(paths, batch_size=32)   # paths -> float32 batches
    reference = alternatives.dataset_images(alternatives.reference_dataset(paths))
    checks = {"map": alternatives.check_same_output("map", alternatives.dataset_images(dataset), reference)}
    costs = alternatives.measure_pass_costs({"map": alternatives.dataset_pass(dataset)})
    probes = {"map": alternatives.probe_dataset(dataset)}                   # checkpoint, service, ...
    header, rows = alternatives.decision_rows(costs, probes, checks, limit_images_per_second=limit)

Every builder turns 640x480 JPEGs into batches of 224x224 RGB float32 in [0, 1] (OpenCV's area resize, or
TensorFlow ops that match it); `check_same_output` compares each with the reference generator's images.
The capability answers come from probes run on the real pipelines (a checkpoint tried, the graph
serialised and searched for Python ops, tf.data's file auto-sharding tried), not from a typed table.
"""

from __future__ import annotations

import math
import os
import resource
import statistics
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import keras
import numpy as np
import psutil
import tensorflow as tf

from helpers import graph_native, images, process_work
from helpers.messages import error_summary
from helpers.paths import cache_dir

__all__ = [
    "BATCH_SIGNATURE",
    "IMAGE_SIGNATURE",
    "IMAGE_SIZE",
    "ImageBatches",
    "OtherLoad",
    "OutputCheck",
    "PassCost",
    "Probes",
    "PYTHON_OPS",
    "auto_shard",
    "check_same_output",
    "dataset_images",
    "dataset_pass",
    "decision_rows",
    "directory_dataset",
    "graph_native_dataset",
    "graph_op_names",
    "index_dataset",
    "limit_pass",
    "measure_pass_costs",
    "numpy_function_dataset",
    "opencv_loader",
    "probe_dataset",
    "probe_py_dataset",
    "process_pool_dataset",
    "py_dataset_fit_pass",
    "reference_dataset",
    "tfrecord_dataset",
    "timed_pass",
]

IMAGE_SIZE = process_work.IMAGE_SIZE
IMAGE_SIGNATURE = tf.TensorSpec(shape=(*IMAGE_SIZE, 3), dtype=tf.float32)
"""One output image: 224x224 RGB float32 in [0, 1]."""
BATCH_SIGNATURE = tf.TensorSpec(shape=(None, *IMAGE_SIZE, 3), dtype=tf.uint8)
"""A batch of RGB uint8 images, as the fast generators yield them (scaled to float32 in TensorFlow)."""
PYTHON_OPS = frozenset({"PyFunc", "PyFuncStateless", "EagerPyFunc"})
"""Graph ops that call back into this Python process (from_generator, numpy_function, py_function)."""


def opencv_loader(path: bytes | str) -> np.ndarray:
    """Reads one image as RGB float32 in [0, 1], 224x224 (`images.load_image`: the kit's reference)."""
    return images.load_image(os.fsdecode(path), size=IMAGE_SIZE)


def _uint8_loader(path: bytes | str) -> np.ndarray:
    return process_work.decode_into(path, np.empty((*IMAGE_SIZE, 3), np.uint8))


def _scaled(batch: tf.Tensor) -> tf.Tensor:
    return tf.cast(batch, tf.float32) / 255.0


def reference_dataset(paths: Sequence[str], *, batch_size: int = 32) -> tf.data.Dataset:
    """The naive generator: one float32 image per `yield` from `opencv_loader`, batched by TensorFlow."""

    def one_image_at_a_time(paths):
        for path in paths:
            yield opencv_loader(path)

    dataset = tf.data.Dataset.from_generator(
        one_image_at_a_time, args=([str(p) for p in paths],), output_signature=IMAGE_SIGNATURE
    )
    return dataset.batch(batch_size).prefetch(tf.data.AUTOTUNE)


def numpy_function_dataset(paths: Sequence[str], *, batch_size: int = 32) -> tf.data.Dataset:
    """`from_tensor_slices(paths).map(tf.numpy_function(loader), num_parallel_calls=AUTOTUNE)`."""

    def load(path: tf.Tensor) -> tf.Tensor:
        image = tf.numpy_function(_uint8_loader, [path], tf.uint8, stateful=False)
        return tf.ensure_shape(image, (*IMAGE_SIZE, 3))

    dataset = tf.data.Dataset.from_tensor_slices([str(p) for p in paths])
    dataset = dataset.map(load, num_parallel_calls=tf.data.AUTOTUNE)
    return dataset.batch(batch_size).map(_scaled).prefetch(tf.data.AUTOTUNE)


def index_dataset(
    paths: Sequence[str], *, batch_size: int = 32, shuffle: bool = True, seed: int = 0
) -> tf.data.Dataset:
    """The index pattern: `Dataset.range(n).shuffle(n).map(index -> numpy_function)`.

    Only integers travel through the graph; the paths stay in a Python list the loader looks into. The
    indices are shuffled over all n (a new order every epoch) and can be sharded before any work.

    Args:
        paths: the image files.
        batch_size: images per batch.
        shuffle: shuffle the indices (False keeps the order of `paths`, to compare outputs).
        seed: the shuffle's seed.
    """
    path_list = [str(p) for p in paths]

    def load_index(index: np.int64) -> np.ndarray:
        return _uint8_loader(path_list[int(index)])

    def load(index: tf.Tensor) -> tf.Tensor:
        image = tf.numpy_function(load_index, [index], tf.uint8, stateful=False)
        return tf.ensure_shape(image, (*IMAGE_SIZE, 3))

    dataset = tf.data.Dataset.range(len(path_list))
    if shuffle:
        dataset = dataset.shuffle(len(path_list), seed=seed, reshuffle_each_iteration=True)
    dataset = dataset.map(load, num_parallel_calls=tf.data.AUTOTUNE)
    return dataset.batch(batch_size).map(_scaled).prefetch(tf.data.AUTOTUNE)


def process_pool_dataset(
    paths: Sequence[str], *, batch_size: int = 32, pool=None, workers: int | None = None
) -> tf.data.Dataset:
    """A generator farming the decoding out to spawned processes; yields uint8 batches, scaled in TF.

    Args:
        paths: the image files.
        batch_size: images per yielded batch.
        pool: a running `process_work.spawn_pool` (kept across passes: start-up paid once); None spawns
            a pool for each pass and shuts it down when the pass ends or fails.
        workers: processes when `pool` is None (default: the available cores).
    """
    path_list = [str(p) for p in paths]
    worker_count = workers or _cores()

    def batches_from(executor):
        results = executor.map(process_work.decode_image, path_list, chunksize=8)
        for start in range(0, len(path_list), batch_size):
            count = min(batch_size, len(path_list) - start)
            yield np.stack([next(results)[1] for _ in range(count)])

    def pooled_batches():
        if pool is not None:
            yield from batches_from(pool)
            return
        with process_work.spawn_pool(worker_count) as own_pool:
            yield from batches_from(own_pool)

    dataset = tf.data.Dataset.from_generator(pooled_batches, output_signature=BATCH_SIGNATURE)
    return dataset.map(_scaled).prefetch(tf.data.AUTOTUNE)


def graph_native_dataset(paths: Sequence[str], *, batch_size: int = 32) -> tf.data.Dataset:
    """`helpers.graph_native.image_dataset` (TensorFlow ops only, matching OpenCV), batched."""
    dataset = graph_native.image_dataset([str(p) for p in paths], image_size=IMAGE_SIZE)
    return dataset.batch(batch_size).prefetch(tf.data.AUTOTUNE)


def directory_dataset(
    paths: Sequence[str], *, batch_size: int = 32, folder: str | os.PathLike[str] | None = None
) -> tf.data.Dataset:
    """`keras.utils.image_dataset_from_directory` over exactly `paths` (linked into one folder).

    Keras lists a folder, so the files are symlinked into `folder` (default: under the kit's cache);
    `interpolation="area"` resizes as OpenCV's `INTER_AREA`, and the result is divided by 255.

    Args:
        paths: the image files; their names must sort in the order wanted (they are read sorted).
        batch_size: images per batch.
        folder: where the links go; links left there by an earlier call are replaced.

    Raises:
        ValueError: `folder` holds something other than links (nothing is deleted then).
    """
    folder = Path(folder) if folder is not None else cache_dir("alternatives_links") / f"n{len(paths)}"
    folder.mkdir(parents=True, exist_ok=True)
    entries = list(folder.iterdir())
    if any(not entry.is_symlink() for entry in entries):
        raise ValueError(f"{folder} holds files that are not links; give an empty folder for the links")
    for old in entries:
        old.unlink()
    for path in paths:
        (folder / Path(path).name).symlink_to(Path(path).resolve())
    dataset = keras.utils.image_dataset_from_directory(
        str(folder),
        labels=None,
        image_size=IMAGE_SIZE,
        interpolation="area",
        batch_size=batch_size,
        shuffle=False,
        verbose=False,
    )
    return dataset.map(lambda batch: batch / 255.0).prefetch(tf.data.AUTOTUNE)


def tfrecord_dataset(
    paths: Sequence[str],
    *,
    batch_size: int = 32,
    shards: int = 2,
    folder: str | os.PathLike[str] | None = None,
) -> tf.data.Dataset:
    """TFRecord shards (written once with `graph_native.write_tfrecord`) read back and decoded in TF ops.

    Shard k holds `paths[k::shards]`; interleaving the shards one record at a time restores the order
    of `paths`.

    Args:
        paths: the image files.
        batch_size: images per batch.
        shards: record files.
        folder: where the shards go (default: under the kit's cache); existing ones are rewritten.
    """
    folder = Path(folder) if folder is not None else cache_dir("alternatives_tfrecords") / f"n{len(paths)}"
    folder.mkdir(parents=True, exist_ok=True)
    files = []
    for shard in range(shards):
        files.append(str(folder / f"shard-{shard:02d}-of-{shards:02d}.tfrecord"))
        graph_native.write_tfrecord(list(paths)[shard::shards], files[-1])

    def decode(record: dict[str, tf.Tensor]) -> tf.Tensor:
        image = graph_native.resize_like_opencv(graph_native.decode_rgb(record["image_bytes"]), IMAGE_SIZE)
        return tf.cast(image, tf.float32) / 255.0

    dataset = tf.data.Dataset.from_tensor_slices(files).interleave(
        lambda file: tf.data.TFRecordDataset(file).map(graph_native.parse_image_record),
        cycle_length=shards,
        block_length=1,
        num_parallel_calls=tf.data.AUTOTUNE,
        deterministic=True,
    )
    dataset = dataset.map(decode, num_parallel_calls=tf.data.AUTOTUNE)
    return dataset.batch(batch_size).prefetch(tf.data.AUTOTUNE)


class ImageBatches(keras.utils.PyDataset):
    """A `keras.utils.PyDataset` of (images, labels) batches: float32 RGB in [0, 1], labels all 0.

    Keras calls `__getitem__(i)` for batch i, from `workers` threads or, with `use_multiprocessing`,
    processes (which unpickle this object, so it must live in an importable module, not a notebook).
    `on_epoch_end` reshuffles which files make up each batch: random access gives a global shuffle.
    """

    def __init__(
        self,
        paths: Sequence[str],
        *,
        batch_size: int = 32,
        shuffle: bool = False,
        seed: int = 0,
        **kwargs,
    ) -> None:
        super().__init__(**kwargs)
        self.paths = [str(p) for p in paths]
        self.batch_size = batch_size
        self.shuffle = shuffle
        self._rng = np.random.default_rng(seed)
        self.order = np.arange(len(self.paths))
        if shuffle:
            self._rng.shuffle(self.order)

    def __len__(self) -> int:
        return math.ceil(len(self.paths) / self.batch_size)

    def __getitem__(self, index: int) -> tuple[np.ndarray, np.ndarray]:
        if not 0 <= index < len(self):
            raise IndexError(f"batch {index} of {len(self)}")
        chosen = self.order[index * self.batch_size : (index + 1) * self.batch_size]
        batch = np.stack([_uint8_loader(self.paths[i]) for i in chosen]).astype(np.float32) / 255.0
        return batch, np.zeros(len(chosen), np.int64)

    def on_epoch_end(self) -> None:
        if self.shuffle:
            self._rng.shuffle(self.order)


def py_dataset_fit_pass(py_dataset: ImageBatches, model: keras.Model) -> Callable[[], int]:
    """Returns a function running one epoch of `model.fit(py_dataset)`, returning the images it saw.

    `use_multiprocessing=True` workers are spawned (see `process_work.spawn_start_method`), so the pass
    includes starting them: Keras starts its pool at each epoch.
    """

    def one_epoch() -> int:
        with process_work.spawn_start_method():
            model.fit(py_dataset, epochs=1, verbose=0)
        return len(py_dataset.paths)

    return one_epoch


def dataset_images(dataset: tf.data.Dataset) -> np.ndarray:
    """All images of one pass over a dataset of batches (or of (batch, labels) pairs), concatenated."""
    batches = [batch[0] if isinstance(batch, tuple) else batch for batch in dataset.as_numpy_iterator()]
    return np.concatenate(batches)


@dataclass(frozen=True)
class OutputCheck:
    """How one alternative's images compare with the reference generator's.

    Attributes:
        name: the alternative.
        images: images compared.
        max_levels: the largest difference of any pixel channel, in grey levels (of 255).
        tolerance_levels: the largest difference that counts as the same output.
        same_output: same number of images, same shapes, every difference within the tolerance.
    """

    name: str
    images: int
    max_levels: float
    tolerance_levels: float
    same_output: bool


def check_same_output(
    name: str, candidate: np.ndarray, reference: np.ndarray, *, tolerance_levels: float = 1.0
) -> OutputCheck:
    """Compares images (float in [0, 1]) with the reference's, pixel by pixel, in grey levels.

    The default tolerance, 1 grey level, is what rounding leaves between OpenCV's fixed-point resize
    and a float computation of the same area average (notebook 07).

    Raises:
        ValueError: the counts or the image shapes differ (the message names the alternative).
    """
    if candidate.shape != reference.shape:
        raise ValueError(f"{name}: got images of shape {candidate.shape}, the reference {reference.shape}")
    levels = round(float(np.abs(candidate.astype(np.float64) - reference).max()) * 255.0, 2)
    return OutputCheck(name, len(candidate), levels, tolerance_levels, levels <= tolerance_levels)


@dataclass(frozen=True)
class PassCost:
    """Time and CPU time of the timed passes over one alternative (medians).

    Attributes:
        name: the alternative.
        images: images per pass.
        images_per_second: images / wall seconds of a pass.
        cpu_seconds_per_image: CPU seconds of this process and its child processes, per image.
        child_cpu_share: the part of that CPU time used in child (worker) processes.
        samples: images per second of each timed pass.
    """

    name: str
    images: int
    images_per_second: float
    cpu_seconds_per_image: float
    child_cpu_share: float
    samples: tuple[float, ...]


def _children_cpu_seconds() -> float:
    """CPU seconds of child processes: those ended (and waited for) plus those still running."""
    ended = resource.getrusage(resource.RUSAGE_CHILDREN)
    running = 0.0
    for child in psutil.Process().children(recursive=True):
        try:
            times = child.cpu_times()
        except psutil.Error:
            continue
        running += times.user + times.system
    return ended.ru_utime + ended.ru_stime + running


def timed_pass(run_once: Callable[[], int]) -> tuple[int, float, float, float]:
    """Runs `run_once` and returns (elements, wall seconds, own CPU seconds, child CPU seconds).

    The one place this module measures CPU time (process_time plus worker processes), so it can be
    replaced by `helpers.measure`'s CPU fields.
    """
    started, own_started, children_started = time.perf_counter(), time.process_time(), _children_cpu_seconds()
    elements = run_once()
    seconds = time.perf_counter() - started
    own = time.process_time() - own_started
    children = max(0.0, _children_cpu_seconds() - children_started)
    return elements, seconds, own, children


class OtherLoad:
    """A `with` block that measures how many cores other programs kept busy while it ran.

    Time alone misleads on a shared machine: a program busy on the second core leaves parallel code
    nothing to gain. Other programs' share is the machine's busy CPU time minus this process's and its
    children's, divided by the seconds passed.

    Attributes:
        other_cores: cores other programs kept busy on average (set when the block ends).
    """

    other_cores: float = 0.0

    def __enter__(self) -> OtherLoad:
        self._started = (time.perf_counter(), _machine_busy_seconds(), _own_and_children_seconds())
        return self

    def __exit__(self, *exc_info: object) -> None:
        started, machine, ours = self._started
        seconds = max(time.perf_counter() - started, 1e-9)
        others = (_machine_busy_seconds() - machine) - (_own_and_children_seconds() - ours)
        self.other_cores = max(0.0, others / seconds)  # the clocks tick apart: may dip below 0


def _machine_busy_seconds() -> float:
    times = psutil.cpu_times()
    return sum(getattr(times, name, 0.0) for name in ("user", "nice", "system", "irq", "softirq", "steal"))


def _own_and_children_seconds() -> float:
    return time.process_time() + _children_cpu_seconds()


def dataset_pass(dataset: tf.data.Dataset) -> Callable[[], int]:
    """Returns a function that iterates `dataset` once and returns the images it delivered."""

    def one_pass() -> int:
        total = 0
        for batch in dataset:
            first = batch[0] if isinstance(batch, tuple) else batch
            total += int(first.shape[0])
        return total

    return one_pass


def measure_pass_costs(
    passes: dict[str, Callable[[], int]], *, repeats: int = 3, warmup: bool = True
) -> list[PassCost]:
    """Times full passes of each alternative, taking turns, and keeps each one's medians.

    Taking turns (pass 1 of each, then pass 2 of each, ...) spreads a busy moment on the machine over all
    of them, so their ratios stay meaningful.

    Args:
        passes: name -> a function doing one pass and returning the images it delivered.
        repeats: timed passes each.
        warmup: run one untimed pass of each first (tracing, file cache, thread pools).

    Returns:
        One `PassCost` per alternative, in the order given.
    """
    if warmup:
        for run_once in passes.values():
            run_once()
    timings: dict[str, list[tuple[int, float, float, float]]] = {name: [] for name in passes}
    for _ in range(repeats):
        for name, run_once in passes.items():
            timings[name].append(timed_pass(run_once))
    costs = []
    for name, timed in timings.items():
        images = timed[-1][0]
        rates = tuple(count / seconds for count, seconds, _, _ in timed)
        cpu = statistics.median((own + child) / count for count, _, own, child in timed)
        child_share = statistics.median(child / max(own + child, 1e-9) for _, _, own, child in timed)
        costs.append(PassCost(name, images, statistics.median(rates), cpu, child_share, rates))
    return costs


def limit_pass(paths: Sequence[str]) -> Callable[[], int]:
    """One pass of the machine's limit for this work: decode + resize in one thread, OpenCV only.

    As `python -m helpers.benchmark` defines the limit (one thread, `cv2.setNumThreads(1)`, uint8 into a
    reused buffer, no TensorFlow), with this lesson's resize: the limit is its rate times the cores.
    Measure it with the alternatives, taking turns, so a busy moment on the machine affects all alike.
    """
    import cv2

    out = np.empty((*IMAGE_SIZE, 3), np.uint8)

    def one_pass() -> int:
        previous = cv2.getNumThreads()
        cv2.setNumThreads(1)
        try:
            for path in paths:
                process_work.decode_into(path, out)
        finally:
            cv2.setNumThreads(previous)
        return len(paths)

    return one_pass


@dataclass(frozen=True)
class Probes:
    """Answers about one pipeline, each found by trying it.

    Attributes:
        checkpointable: `tf.train.Checkpoint(iterator=...)` saved the iterator after one batch, mid-stream.
        checkpoint_evidence: "saved", or the error raised.
        python_ops: the ops in its graph that call back into this Python process.
        runs_on_service_workers: the graph serialises with no Python op in it, so tf.data service workers
            in other processes can rebuild and run it.
        known_length: its cardinality is known (a random-access source: paths or indices).
        file_shardable: tf.data's FILE auto-sharding (what tf.distribute tries first) accepted it.
    """

    checkpointable: bool
    checkpoint_evidence: str
    python_ops: tuple[str, ...]
    runs_on_service_workers: bool
    known_length: bool
    file_shardable: bool


def graph_op_names(dataset: tf.data.Dataset) -> set[str]:
    """The op types in a dataset's serialised graph, including those inside its functions."""
    from tensorflow.core.framework import graph_pb2

    policy = tf.data.experimental.ExternalStatePolicy.WARN
    graph = graph_pb2.GraphDef()
    graph.ParseFromString(dataset._as_serialized_graph(external_state_policy=policy).numpy())
    names = {node.op for node in graph.node}
    for function in graph.library.function:
        names |= {node.op for node in function.node_def}
    return names


def _try_checkpoint(dataset: tf.data.Dataset) -> tuple[bool, str]:
    # Saved mid-stream: a dataset so short that prefetch has read it to its end after one batch has no
    # generator left to save, and would pass for checkpointable (probe a few dozen elements or more).
    iterator = iter(dataset)
    next(iterator)
    with tempfile.TemporaryDirectory() as folder:
        try:
            tf.train.Checkpoint(iterator=iterator).save(os.path.join(folder, "probe"))
        except tf.errors.OpError as error:
            return False, error_summary(error)
    return True, "saved"


def auto_shard(
    dataset: tf.data.Dataset,
    *,
    num_workers: int,
    index: int,
    policy: tf.data.experimental.AutoShardPolicy = tf.data.experimental.AutoShardPolicy.AUTO,
) -> tf.data.Dataset:
    """Returns worker `index`'s share of `dataset` as tf.distribute's multi-worker auto-sharding makes it.

    The same rewrite `MultiWorkerMirroredStrategy` applies to each worker's dataset (tf.data's internal
    `_AutoShardDataset`), run here in one process: FILE shards the files a reader op opens and fails when
    there is none; DATA keeps every `num_workers`-th element of the output (each worker computes them all).

    Args:
        dataset: the pipeline.
        num_workers: how many workers share it.
        index: this worker.
        policy: the `tf.data.experimental.AutoShardPolicy`.
    """
    from tensorflow.python.data.experimental.ops.distribute import _AutoShardDataset

    options = tf.data.Options()
    options.experimental_distribute.auto_shard_policy = policy
    return _AutoShardDataset(dataset.with_options(options), num_workers=num_workers, index=index)


def _try_file_sharding(dataset: tf.data.Dataset) -> bool:
    policy = tf.data.experimental.AutoShardPolicy.FILE
    try:
        next(iter(auto_shard(dataset, num_workers=2, index=0, policy=policy)))
    except (tf.errors.NotFoundError, tf.errors.InvalidArgumentError):
        return False
    return True


def probe_dataset(dataset: tf.data.Dataset) -> Probes:
    """Probes a tf.data pipeline: checkpoint its iterator, search its graph, try file auto-sharding."""
    checkpointable, evidence = _try_checkpoint(dataset)
    python_ops = tuple(sorted(graph_op_names(dataset) & PYTHON_OPS))
    return Probes(
        checkpointable=checkpointable,
        checkpoint_evidence=evidence,
        python_ops=python_ops,
        runs_on_service_workers=not python_ops,
        known_length=int(dataset.cardinality()) >= 0,
        file_shardable=_try_file_sharding(dataset),
    )


def probe_py_dataset(py_dataset: ImageBatches) -> Probes:
    """Probes a PyDataset through the tf.data dataset Keras makes of it to feed `fit` (a generator).

    Its length is its own `len()` (random access by batch index).
    """
    from keras.src.trainers.data_adapters.py_dataset_adapter import PyDatasetAdapter

    adapter = PyDatasetAdapter(py_dataset, shuffle=False)
    fed_to_fit = adapter.get_tf_dataset()
    probes = probe_dataset(fed_to_fit)
    return Probes(
        checkpointable=probes.checkpointable,
        checkpoint_evidence=probes.checkpoint_evidence,
        python_ops=probes.python_ops,
        runs_on_service_workers=probes.runs_on_service_workers,
        known_length=len(py_dataset) > 0,
        file_shardable=probes.file_shardable,
    )


def decision_rows(
    costs: Sequence[PassCost],
    probes: dict[str, Probes],
    checks: dict[str, OutputCheck],
    *,
    limit_images_per_second: float,
    gil_free_child_share: float = 0.25,
) -> tuple[list[str], list[list[str]]]:
    """Builds the decision table: one row per alternative, the measured ratios and the probed answers.

    Args:
        costs: the measured passes (their order is the table's).
        probes: name -> its `Probes`.
        checks: name -> its `OutputCheck` against the reference generator.
        limit_images_per_second: the machine's limit (`limit_pass`'s rate times the cores).
        gil_free_child_share: the share of CPU time in worker processes above which Python work is
            counted as escaping this process's GIL.

    Returns:
        (header, rows) for `helpers.html_table`.
    """
    header = [
        "alternative",
        "x limit",
        "CPU ms / image",
        "same output (max Δ levels)",
        "checkpoint",
        "tf.data service",
        "global shuffle",
        "shard across workers",
        "arbitrary Python",
        "escapes the GIL",
    ]
    rows = []
    for cost in costs:
        probe, check = probes[cost.name], checks[cost.name]
        python = bool(probe.python_ops)
        if not python:
            gil = "yes: no Python per element"
        elif cost.child_cpu_share >= gil_free_child_share:
            gil = f"yes: {cost.child_cpu_share:.0%} of CPU in workers"
        else:
            gil = "no: Python in this process"
        if probe.known_length:
            shuffle, shard = "yes: shuffle the keys", "yes: by key, before the work"
        elif probe.file_shardable:
            shuffle, shard = "no: file order + buffer", "yes: by file (auto-shard)"
        else:
            shuffle, shard = "no: a buffer only", "no: each worker runs it all"
        rows.append(
            [
                cost.name,
                f"{cost.images_per_second / limit_images_per_second:.2f}",
                f"{cost.cpu_seconds_per_image * 1000:.1f}",
                f"{'yes' if check.same_output else 'no'} ({check.max_levels:g})",
                "yes" if probe.checkpointable else "no",
                "yes" if probe.runs_on_service_workers else "no: Python ops",
                shuffle,
                shard,
                "yes" if python else "no: TF ops only",
                gil,
            ]
        )
    return header, rows


def _cores() -> int:
    from helpers.measure import available_cores

    return available_cores()
