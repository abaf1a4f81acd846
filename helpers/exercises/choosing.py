"""Self-check for notebook 08 (choosing a pipeline): names the first problem found and gives a hint.

    from helpers.exercises import choosing as ex
    ex.check_worker_share(worker_share)   # (paths, num_workers, worker_index) -> that worker's images

The check splits a few benchmark JPEGs between two workers, compares each worker's images with the
reference (`helpers.image_work`) and reads the pipeline's steps from its graph: the `shard` must come
before any `map`, so that a worker decodes only its own images.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from helpers.exercises import _guards
from helpers.exercises.feedback import Feedback

__all__ = ["check_worker_share"]

_IMAGE_COUNT = 7  # benchmark JPEGs split between the workers: an odd count, so the shares differ in length
_WORKERS = 2
_SHARD_FIRST = (
    "Start from `tf.data.Dataset.range(len(paths)).shard(num_workers, worker_index)`, then `map` each index "
    "to its image with `tf.numpy_function`, as the index pattern does."
)
_ADVICE = (
    (
        "SymbolicTensor",
        "Python code in a `map` runs once, while TensorFlow traces it, with a symbolic tensor that cannot "
        "index a Python list.",
        "Look the path up inside the function `tf.numpy_function` calls: it receives the index as a NumPy "
        "integer.",
    ),
)


@_guards.self_check
def check_worker_share(worker_share: Callable[..., Any]) -> Feedback:
    """Checks `worker_share(paths, num_workers, worker_index)`: one worker's images, sharded before decoding.

    Expected: a dataset of float32 (224, 224, 3) images of `paths[worker_index::num_workers]`, one per
    element, in order, within `image_work.SAME_OUTPUT_LEVELS` of `image_work.reference_images`, with a
    `shard` before any `map` in the pipeline.
    """
    from helpers import datasets

    paths = [str(path) for path in datasets.benchmark_jpegs(_IMAGE_COUNT, progress=False)]
    for worker_index in range(_WORKERS):
        call = f"worker_share(paths, {_WORKERS}, {worker_index})"
        dataset = _guards.dataset_from(
            worker_share,
            paths,
            _WORKERS,
            worker_index,
            failure=f"{call} raised",
            subject=call,
            none_hint="A function without `return` gives back None: return this worker's dataset.",
            none_more=_SHARD_FIRST,
            type_hint="Return a tf.data.Dataset of this worker's images.",
            advice=_ADVICE,
        )
        _check_images(dataset, paths, worker_index, call)
        _check_shard_comes_first(dataset, call)
    return Feedback.ok(
        f"Both workers get their own images ({_IMAGE_COUNT} files split in 2), in order, and shard "
        "before decoding: each decodes only its share."
    )


def _check_images(dataset: Any, paths: list[str], worker_index: int, call: str) -> None:
    import numpy as np

    from helpers import image_work

    expected = paths[worker_index::_WORKERS]
    images = _guards.elements(dataset, len(expected), failure=f"Reading {call} raised", advice=_ADVICE)
    if len(images) != len(expected):
        _guards.fail(
            f"{call} gave {len(images)} elements; expected {len(expected)} images: every 2nd of the "
            f"{len(paths)} paths, starting at path {worker_index}.",
            hint="One image per element, each of this worker's paths once: no batch, no repeat.",
            more="`.shard(num_workers, worker_index)` keeps every num_workers-th element, starting at "
            "worker_index.",
        )
    for position, (image, reference) in enumerate(
        zip(images, image_work.reference_images(expected), strict=True)
    ):
        image = np.asarray(image)
        if image.shape != reference.shape or image.dtype != np.float32:
            _guards.fail(
                f"{call} gave a {image.dtype} image of shape {image.shape}; expected float32 "
                f"{reference.shape}.",
                hint="The images are float32 in [0, 1], as every pipeline of this notebook delivers them.",
                more="Decode to uint8 inside the `numpy_function`, state the shape with `tf.ensure_shape`, "
                "then `tf.cast(image, tf.float32) / 255.0`.",
            )
        levels = float(np.abs(image - reference).max()) * 255
        if levels > image_work.SAME_OUTPUT_LEVELS + 1e-3:
            _guards.fail(
                f"{call}: image {position} differs from the reference's image of "
                f"path {worker_index + _WORKERS * position} by {levels:.0f} grey levels.",
                hint="A worker keeps the order of its paths: no shuffle, and index k loads paths[k].",
                more="Load each image with `image_work.decode_resize_into`, then divide by 255.",
            )


def _check_shard_comes_first(dataset: Any, call: str) -> None:
    ops = _guards.pipeline_ops(dataset)
    if "ShardDataset" not in ops:
        _guards.fail(
            f"The images are right, but {call}'s pipeline has no `shard`: {' -> '.join(ops)}.",
            hint="Which tf.data step splits a dataset between workers?",
            more=_SHARD_FIRST,
        )
    before = [op for op in ops[: ops.index("ShardDataset")] if "Map" in op]
    if before:
        _guards.fail(
            f"The images are right, but the `shard` comes after a {before[0]}: each worker would decode "
            "every image and keep its share.",
            hint="Every step before the shard runs on every element, in every worker: split the work while "
            "it is still numbers.",
            more=_SHARD_FIRST,
        )
