"""Self-check for notebook 08 (choosing a pipeline): names the first problem found and gives a hint.

    from helpers.exercises import choosing
    choosing.check_worker_share(worker_share)   # (paths, num_workers, worker_index) -> that worker's images

The check uses a few benchmark JPEGs and compares with the reference generator, `helpers.image_work`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from helpers.exercises import _guards
from helpers.exercises.feedback import Feedback
from helpers.messages import error_summary

__all__ = ["SHARE_IMAGE_COUNT", "check_worker_share", "graph_source_of_shard"]

SHARE_IMAGE_COUNT = 6
"""Benchmark JPEGs the check splits between two workers."""


def graph_source_of_shard(dataset: Any) -> str | None:
    """Returns the op type feeding the dataset's `ShardDataset` (None when it has no shard)."""
    from tensorflow.core.framework import graph_pb2

    graph = graph_pb2.GraphDef()
    graph.ParseFromString(dataset._as_serialized_graph().numpy())
    nodes = {node.name: node for node in graph.node}
    for node in graph.node:
        if node.op == "ShardDataset":
            source = nodes.get(node.input[0].split(":")[0].lstrip("^"))
            return source.op if source is not None else None
    return None


def check_worker_share(worker_share: Callable[..., Any] | None) -> Feedback:
    """Checks a function returning one worker's share of the images, sharded by index before decoding.

    Expected: `worker_share(paths, num_workers, worker_index)` returns a dataset of float32 (224, 224, 3)
    images of `paths[worker_index::num_workers]`, in order, within one grey level of
    `image_work.reference_images`, with `Dataset.shard` applied to the indices (a `RangeDataset`), so a
    worker decodes only its own images.

    Args:
        worker_share: the learner's function.

    Returns:
        Feedback on the first problem found, or that the function is right.
    """
    from helpers import datasets, image_work

    if not callable(worker_share):
        return _guards.not_callable(
            worker_share,
            hint="Define `def worker_share(paths, num_workers, worker_index):` returning a dataset.",
        )
    paths = [str(path) for path in datasets.benchmark_jpegs(SHARE_IMAGE_COUNT, progress=False)]
    shares = []
    for worker_index in range(2):
        try:
            dataset = worker_share(paths, 2, worker_index)
            images = _guards.take_elements(dataset, len(paths[worker_index::2]))
        except _guards.Stalled as stalled:
            return stalled.feedback
        except Exception as error:
            return Feedback.fail(
                f"Worker {worker_index} of 2 failed: {error_summary(error)}",
                hint="Start from `tf.data.Dataset.range(len(paths)).shard(num_workers, worker_index)`.",
            )
        shares.append((dataset, images))
    for worker_index, (dataset, images) in enumerate(shares):
        expected = paths[worker_index::2]
        if len(images) != len(expected):
            return Feedback.fail(
                f"Worker {worker_index} got {len(images)} images; expected {len(expected)} (every 2nd of "
                f"{len(paths)}, starting at {worker_index}).",
                hint="Shard with `.shard(num_workers, worker_index)`; do not batch or repeat.",
            )
        references = image_work.reference_images(expected)
        for image, reference in zip(images, references, strict=True):
            if image.shape != (224, 224, 3) or image.dtype != np.float32:
                return Feedback.fail(
                    f"Got a {image.dtype} image of shape {image.shape}; expected float32 (224, 224, 3).",
                    hint="Decode to uint8 in the numpy_function, then `tf.cast(image, tf.float32) / 255.0`.",
                )
            levels = float(np.abs(image - reference).max()) * 255
            if levels > image_work.SAME_OUTPUT_LEVELS + 1e-3:
                return Feedback.fail(
                    f"Worker {worker_index}: an image differs from the reference by {levels:.0f} levels.",
                    hint="Keep the order (no shuffle) and map index -> paths[index] with the same loader.",
                )
        source = graph_source_of_shard(dataset)
        if source != "RangeDataset":
            where = "no `shard` at all" if source is None else f"the shard reads from a {source}"
            return Feedback.fail(
                f"The images are right, but {where}: each worker would decode every image and keep half.",
                hint="Shard the indices first, `Dataset.range(n).shard(num_workers, worker_index)`, "
                "then map.",
            )
    return Feedback.ok(
        "Both workers get their own images, in order, and shard the indices before decoding: "
        "each decodes only its share."
    )
