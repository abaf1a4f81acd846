"""The alternatives to `from_generator` notebook 08 compares: probes of what a pipeline can do, the
decision table, and a keras `PyDataset` of the kit's images.

    probes = {"map": alternatives.probe_dataset(dataset)}      # checkpoint, service, sharding, ...
    batches = alternatives.ImageBatches(paths, batch_size=32, workers=2)
    header, rows = alternatives.decision_rows(results, probes, checks, limit=limit)

Notebook 08 builds each alternative in its own cell, times them with `measure.compare` beside the
measured limit (`process_work.limit_pass`) and checks their images with `image_work.check_same_output`.
The capability answers come from probes run on the real pipelines (a checkpoint tried, the graph
serialised and searched for Python ops, tf.data's file auto-sharding tried, the rewrite tf.distribute
applies per worker), not from a typed table. `ImageBatches` lives in a module, not a notebook, because
Keras's worker processes unpickle it.
"""

from __future__ import annotations

import dataclasses
import math
import os
import tempfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import keras
import numpy as np
import tensorflow as tf

from helpers import process_work
from helpers.messages import error_summary

if TYPE_CHECKING:
    from helpers.image_work import OutputCheck
    from helpers.measure import ThroughputResult

__all__ = [
    "ImageBatches",
    "Probes",
    "auto_shard",
    "decision_rows",
    "probe_dataset",
    "probe_py_dataset",
    "py_dataset_fit_pass",
]

_PYTHON_OPS = frozenset({"PyFunc", "PyFuncStateless", "EagerPyFunc"})
"""Graph ops that call back into this Python process (from_generator, numpy_function, py_function)."""


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


def _graph_op_names(dataset: tf.data.Dataset) -> set[str]:
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
    python_ops = tuple(sorted(_graph_op_names(dataset) & _PYTHON_OPS))
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

    probes = probe_dataset(PyDatasetAdapter(py_dataset, shuffle=False).get_tf_dataset())
    return dataclasses.replace(probes, known_length=len(py_dataset) > 0)


def decision_rows(
    results: Mapping[str, ThroughputResult],
    probes: Mapping[str, Probes],
    checks: Mapping[str, OutputCheck],
    *,
    limit: ThroughputResult,
) -> tuple[list[str], list[list[str]]]:
    """Builds the decision table: one row per alternative, the measured ratios and the probed answers.

    Args:
        results: name -> its `measure.ThroughputResult` (their order is the table's).
        probes: name -> its `Probes`.
        checks: name -> its `image_work.OutputCheck` against the reference generator.
        limit: the machine's limit, timed in the same turns (`process_work.limit_pass`).

    Returns:
        (header, rows) for `helpers.html_table`.
    """
    header = [
        "alternative",
        "x limit",
        "CPU ms / image",
        "same output (max |Δ| levels)",
        "checkpoint",
        "tf.data service",
        "global shuffle",
        "shard across workers",
        "arbitrary Python",
        "escapes the GIL",
    ]
    rows = []
    for name, result in results.items():
        probe, check = probes[name], checks[name]
        python = bool(probe.python_ops)
        if not python:
            gil = "yes: no Python per element"
        elif result.child_cpu_share >= 0.25:  # a quarter of the CPU time in workers: Python escaped the GIL
            gil = f"yes: {result.child_cpu_share:.0%} of CPU in workers"
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
                name,
                f"{result.elements_per_second / limit.elements_per_second:.2f}",
                f"{result.cpu_seconds_per_element * 1000:.1f}",
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


class ImageBatches(keras.utils.PyDataset):
    """A `keras.utils.PyDataset` of (images, labels) batches: the kit's images (`image_work`), labels all 0.

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
        batch = process_work.decode_batch([self.paths[i] for i in chosen])
        return batch.astype(np.float32) / np.float32(255), np.zeros(len(chosen), np.int64)

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
