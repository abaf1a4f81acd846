"""Self-checks for notebook 06 (make it fast): each returns Feedback saying what is wrong and a hint.

    from helpers.exercises import performance as ex
    ex.check_sharded_dataset(sharded_dataset)   # the core exercise: shards interleaved in parallel
    ex.check_tuned_config(tuned_config)         # the deep dive's: apply what the lab measured

The first builds the learner's pipeline on its own JPEGs, in two shapes (shards, batch size), and checks
every image arrives once, in batches, from shards run in parallel, with a prefetch last (read from the
pipeline's graph). Neither times anything: timings belong in the notebook, not in a check.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from helpers import datasets, images
from helpers.exercises import _guards
from helpers.exercises.feedback import Feedback

__all__ = ["check_sharded_dataset", "check_tuned_config"]

_IMAGE_SIZE = 64  # side of the images the exercise's batches hold, in pixels
_CASES = ((3, 2), (2, 3))  # (num_shards, batch_size) tried, on 7 files: shards of uneven length
_THROUGH_ARGS = (
    "Inside interleave the shard is a tensor, not a number: hand it to the generator through args."
)
_UINT8 = "Yield uint8 arrays, as images.load_image_uint8 returns them, stacked into batches."
_ADVICE = tuple(  # (text in the error, hint, second hint): the usual mistakes, building or reading
    (text, hint, "")
    for text, hint in {
        "SymbolicTensor": _THROUGH_ARGS,
        "PathLike": _THROUGH_ARGS,
        "slice indices": _THROUGH_ARGS,
        "must be a Python callable": "from_generator takes the generator function itself, and its arguments "
        "through args.",
        "element of shape": "The generator yields a shape the output_signature does not describe: does it "
        "yield batches?",
        "expected type": _UINT8,
        "did not match": _UINT8,
    }.items()
)


@_guards.self_check
def check_sharded_dataset(sharded_dataset: Callable) -> Feedback:
    """Checks the core exercise: `sharded_dataset(paths, num_shards, batch_size)`.

    Expected: `num_shards` `from_generator` shards interleaved in parallel (`num_parallel_calls`), shard
    `k` yielding uint8 batches (n, 64, 64, 3) of at most `batch_size` of its files (the batch dimension
    `None`), every file's image exactly once, and `prefetch` last, on seven small generated JPEGs.
    """
    image_paths = [str(p) for p in datasets.benchmark_jpegs(7, width=96, height=72, progress=False)]
    expected = [images.load_image_uint8(path, size=(_IMAGE_SIZE, _IMAGE_SIZE)) for path in image_paths]
    for num_shards, batch_size in _CASES:
        _check_case(sharded_dataset, image_paths, expected, num_shards, batch_size)
    return Feedback.ok(
        f"Every image once, in batches of at most the batch size, from shards run in parallel "
        f"(tried {len(image_paths)} files in {_CASES[0][0]} and in {_CASES[1][0]} shards), prefetch last."
    )


def _check_case(
    sharded_dataset: Callable, paths: list[str], expected: list[np.ndarray], num_shards: int, batch_size: int
) -> None:
    import tensorflow as tf

    call = f"sharded_dataset(paths, {num_shards}, {batch_size})"
    dataset = _guards.dataset_from(
        sharded_dataset,
        paths,
        num_shards,
        batch_size,
        failure=f"{call} raised",
        hint="Build it in steps: one from_generator shard first, then the interleave over the shards.",
        subject=call,
        none_hint="One from_generator dataset per shard, put together by interleave: return that dataset.",
        none_more="Write shard_batches first (it yields), then the output_signature, then "
        "Dataset.range(num_shards).interleave(lambda shard: tf.data.Dataset.from_generator(...)).",
        type_hint="Return the dataset the interleave makes.",
        advice=_ADVICE,
    )
    spec = dataset.element_spec
    if not isinstance(spec, tf.TensorSpec):
        _guards.fail(
            f"Each element should be one batch of images (one tensor), but the element_spec is {spec}.",
            hint="The output_signature describes one yielded batch: a single tf.TensorSpec.",
        )
    if spec.dtype != tf.uint8 or tuple(spec.shape[1:]) != (_IMAGE_SIZE, _IMAGE_SIZE, 3):
        _guards.fail(
            f"The batches are {spec.dtype.name} {tuple(spec.shape)}; expected uint8 (None, 64, 64, 3).",
            hint="images.load_image_uint8(path, size=(64, 64)) gives one image; a batch stacks them.",
        )
    if spec.shape[0] is not None:
        _guards.fail(
            f"The batch dimension is fixed at {spec.shape[0]}, but a shard's last batch can be shorter.",
            hint="Which size in the output_signature does not know its length in advance?",
            more="shape=(None, 64, 64, 3)",
        )
    batches = _guards.elements(
        dataset,
        len(paths),
        failure=f"Reading {call} raised",
        hint="Run shard_batches by hand on a few paths and look at what it yields.",
        advice=_ADVICE,
    )
    _check_images(batches, expected, batch_size, call)
    ops = _guards.pipeline_ops(dataset)
    if "ParallelInterleaveDatasetV4" not in ops:
        hint = "Run the shards at the same time: interleave can call its function in parallel."
        if not any("Interleave" in op for op in ops):
            hint = "Make the shards with tf.data.Dataset.range(num_shards).interleave(...)."
        _guards.fail(
            f"The images are right, but {call} does not run its shards in parallel.",
            hint=hint,
            more="interleave(..., cycle_length=num_shards, num_parallel_calls=num_shards)",
        )
    if any(op.startswith(("BatchDataset", "PaddedBatchDataset")) for op in ops):
        _guards.fail(
            f"{call} batches after the generators: they yield one image at a time.",
            hint="Every yield is a round trip into Python: let each shard yield whole batches.",
            more="In shard_batches, np.stack the images of each batch and yield the stack.",
        )
    if ops[-1] != "PrefetchDataset":
        _guards.fail(
            f"The shards are right, but {call} does not end with a prefetch.",
            hint="What lets the generators make the next batches while the model trains?",
            more="End with .prefetch(tf.data.AUTOTUNE).",
        )


def _check_images(batches: list[np.ndarray], expected: list[np.ndarray], batch_size: int, call: str) -> None:
    counts = [0] * len(expected)
    for batch in batches:
        if len(batch) > batch_size:
            _guards.fail(
                f"{call} gave a batch of {len(batch)} images.",
                hint="Each shard yields at most batch_size images at a time.",
            )
        for image in batch:
            matches = [index for index, known in enumerate(expected) if np.array_equal(image, known)]
            if not matches:
                _guards.fail(
                    f"{call} gave an image that matches none of the files.",
                    hint="Load each file with images.load_image_uint8(path, size=(64, 64)).",
                )
            counts[matches[0]] += 1
    arrived = sum(counts)
    if max(counts) > 1:
        _guards.fail(
            f"{call} gave {arrived} images for {len(expected)} files: some arrived {max(counts)} times.",
            hint="Each shard should read only its own files.",
            more="Shard k reads paths[k::num_shards]: the shard number and num_shards reach it through args.",
        )
    if arrived < len(expected):
        _guards.fail(
            f"{call} gave {arrived} of the {len(expected)} images.",
            hint="Together the shards must read every file once.",
            more="Shard k reads paths[k::num_shards], for every k in range(num_shards).",
        )


@_guards.self_check
def check_tuned_config(tuned_config: Callable) -> Feedback:
    """Checks the deep dive's exercise: `tuned_config(config)` applies what the lab measured.

    Expected changes: per-batch yield, `decode_threads` = the cores this process may use,
    `opencv_threads=1`, prefetch "autotune"; the data settings (data, image_count, image_size,
    batch_size, augment) left as given.
    """
    from helpers import measure, pipelines

    cores = measure.available_cores()
    given = pipelines.PipelineConfig(
        data="samples", image_count=8, image_size=32, batch_size=4, augment=True, prefetch="off"
    )
    hint = "Build the answer with `config.replace(setting=value, ...)`."
    tuned = _guards.run(tuned_config, given, failure="Your function raised", hint=hint)
    if tuned is None:
        _guards.fail(
            "Your function returned None.",
            hint="What does a function give back when it has no `return`?",
            more="Return `config.replace(...)` with the new settings.",
        )
    if not isinstance(tuned, pipelines.PipelineConfig):
        _guards.fail(
            f"Your function returned a {type(tuned).__name__}, not a PipelineConfig.",
            hint="`config.replace(...)` returns a new PipelineConfig.",
        )
    for name in ("data", "image_count", "image_size", "batch_size", "augment"):
        if getattr(tuned, name) != getattr(given, name):
            _guards.fail(
                f"{name} changed from {getattr(given, name)!r} to {getattr(tuned, name)!r}.",
                hint="Tune how images are produced, not which images or how many: keep data settings.",
            )
    for wrong, message, hint, setting in (  # (wrong, what is wrong, the idea, the setting)
        (
            tuned.yield_mode != "batch",
            f"yield_mode is {tuned.yield_mode!r}.",
            "Every yield is a round trip from TensorFlow into Python.",
            'yield_mode="batch"',
        ),
        (
            tuned.decode_threads != cores,
            f"decode_threads is {tuned.decode_threads}; this machine lets you use {cores} cores.",
            "OpenCV lets go of the GIL while it decodes: how many threads keep every core busy?",
            "decode_threads=measure.available_cores()",
        ),
        (
            tuned.opencv_threads != 1,
            f"opencv_threads is {tuned.opencv_threads}.",
            "Your decode threads are the parallelism; OpenCV's own thread pool would compete with them.",
            "opencv_threads=1",
        ),
        (
            tuned.prefetch != "autotune",
            f"prefetch is {tuned.prefetch!r}.",
            "What lets the generator make the next batches while the model trains?",
            'prefetch="autotune"',
        ),
    ):
        if wrong:
            _guards.fail(message, hint=hint, more=f"config.replace(..., {setting}, ...)")
    return Feedback.ok(
        "Per-batch yield, one decode thread per core, OpenCV single-threaded, prefetch AUTOTUNE. "
        "Try these settings in the panel."
    )
