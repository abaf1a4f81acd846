"""The capability probes: what a pipeline can do, found by trying it on the real pipeline.

    probes = {"map": alternatives.probe_dataset(dataset)}      # checkpoint, service, sharding, ...

A checkpoint of its iterator is tried mid-stream, its graph is serialised and searched for ops that call
back into Python (`PYTHON_OPS`), and tf.data's FILE auto-sharding is tried (`auto_shard`, the rewrite
tf.distribute applies per worker); a keras `PyDataset` is probed through the tf.data dataset Keras feeds
to `fit`.

May import: TensorFlow, Keras and `helpers.messages`; of this package only `py_dataset`, for type hints.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from typing import TYPE_CHECKING

import tensorflow as tf

from helpers.messages import error_summary

if TYPE_CHECKING:
    from helpers.alternatives.py_dataset import ImageBatches

__all__ = [
    "PYTHON_OPS",
    "Probes",
    "auto_shard",
    "graph_op_names",
    "probe_dataset",
    "probe_py_dataset",
]

PYTHON_OPS = frozenset({"PyFunc", "PyFuncStateless", "EagerPyFunc"})
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
