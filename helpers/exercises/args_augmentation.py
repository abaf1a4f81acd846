"""Self-checks for notebook 03 (args and augmentation).

from helpers.exercises import args_augmentation as ex
ex.check_shard_datasets(make_shard_datasets)                     # core: one dataset per shard, args
ex.check_augmented_epochs(augmented_epochs_dataset_for)          # deep dive: seeding per epoch
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from helpers.exercises import _guards
from helpers.exercises.feedback import Feedback

__all__ = ["check_augmented_epochs", "check_shard_datasets"]

_SHARD_TOTAL = 12  # the core exercise: shard k of n holds the numbers k, k + n, k + 2n, ... below 12
# More than one shard count, so a hard-coded 3 is caught.
_SHARD_COUNTS = (3, 4)
# The deep-dive exercise: small random images, so the check runs in well under a second.
_IMAGE_COUNT, _IMAGE_SIZE, _EPOCHS, _SEEDS = 3, (24, 24), 3, (7, 8)

_SHARD_ERRORS = (
    (
        "must be a Python callable",
        "from_generator wants something it can call, each time the dataset is iterated.",
        "Give it the generator function itself, `shard_elements`, and put the values in args: "
        "`shard_elements(k, num_shards)` is a generator object, made once.",
    ),
    (
        "values must be a sequence",
        "args takes a tuple: one value for each parameter of the generator.",
        "(k, num_shards) is a tuple; (k) is only k in brackets.",
    ),
    (
        "positional argument",
        "from_generator calls the generator with the values in args, and with nothing else.",
        "shard_elements has two parameters, so args holds two values: the shard and the shard count.",
    ),
    (
        "'NoneType' object is not iterable",
        "The generator returned None instead of yielding: is there a `yield` in its body?",
        "range(shard, 12, num_shards) counts k, k + n, k + 2n, ...: yield from it.",
    ),
    (
        "output signature",
        "from_generator must be told what each element is.",
        "Each element is one integer: output_signature=tf.TensorSpec(shape=(), dtype=tf.int64).",
    ),
)


@_guards.self_check
def check_shard_datasets(make_shard_datasets: Callable[[int], list]) -> Feedback:
    """Checks the core exercise: `make_shard_datasets(num_shards)` returns one dataset per shard, dataset k
    yielding k, k + num_shards, ... below 12, for several shard counts. The typical mistake, a
    `lambda: shard_elements(k, num_shards)` in a loop, reads `k` after the loop: every dataset is the last."""
    import tensorflow as tf

    _guards.must_be_callable(
        make_shard_datasets, hint="Pass the function itself: check_shard_datasets(make_shard_datasets)."
    )
    name = getattr(make_shard_datasets, "__name__", "your function")
    for num_shards in _SHARD_COUNTS:
        datasets = _guards.run(
            make_shard_datasets,
            num_shards,
            failure=f"{name}({num_shards}) raised",
            advice=_SHARD_ERRORS,
        )
        if datasets is None:
            return Feedback.fail(
                f"{name}({num_shards}) returned None.",
                hint="Build one dataset per shard and return them in a list.",
                more="Write shard_elements first (it yields), then one from_generator call per shard, "
                "with the shard number in args.",
            )
        if not isinstance(datasets, list | tuple) or not all(
            isinstance(dataset, tf.data.Dataset) for dataset in datasets
        ):
            return Feedback.fail(
                f"{name}({num_shards}) returned {type(datasets).__name__}, not a list of tf.data.Dataset.",
                hint="Return a list with one dataset per shard.",
                more="A list comprehension over range(num_shards), one from_generator call for each shard.",
            )
        if len(datasets) != num_shards:
            return Feedback.fail(
                f"{name}({num_shards}) returned {len(datasets)} datasets.",
                hint="One dataset per shard, whatever num_shards is.",
                more="Loop over range(num_shards), not over a fixed number.",
            )
        produced = _guards.run(
            lambda datasets: [[int(n) for n in _guards.take_elements(d, _SHARD_TOTAL)] for d in datasets],
            datasets,
            failure=f"Iterating the datasets for {num_shards} shards raised",
            hint="Compare what the generator yields with what output_signature declares.",
            more="Each element is one integer, a scalar: tf.TensorSpec(shape=(), dtype=tf.int64).",
            advice=_SHARD_ERRORS,
        )
        expected = [list(range(shard, _SHARD_TOTAL, num_shards)) for shard in range(num_shards)]
        if produced == expected:
            continue
        if all(values == expected[-1] for values in produced):
            return Feedback.fail(
                f"With {num_shards} shards every dataset yields {expected[-1]}, the elements of the "
                "last shard: late binding.",
                hint="When does a lambda read k: when the dataset is built, or when it is iterated, "
                "after the loop has ended?",
                more="from_generator converts args when each dataset is built, so each keeps its own k: "
                "give it the generator function itself and args=(k, num_shards).",
            )
        if all(values == produced[0] for values in produced):
            return Feedback.fail(
                f"With {num_shards} shards every dataset yields the same elements {produced[0]}.",
                hint="Each dataset needs its own shard number.",
                more="Loop over k in range(num_shards) and pass that k through args.",
            )
        shard = next(k for k, values in enumerate(produced) if values != expected[k])
        return Feedback.fail(
            f"With {num_shards} shards, dataset {shard} yields {produced[shard]}; "
            f"expected {expected[shard]}.",
            hint=f"Dataset k yields k, k + num_shards, k + 2 * num_shards, ... below {_SHARD_TOTAL}.",
            more=f"range(shard, {_SHARD_TOTAL}, num_shards) counts that way.",
        )
    return Feedback.ok(
        f"Each dataset yields its own shard (checked with {' and '.join(map(str, _SHARD_COUNTS))} shards): "
        "every dataset kept the shard number it was built with."
    )


@_guards.self_check
def check_augmented_epochs(augmented_epochs_dataset: Callable) -> Feedback:
    """Checks the deep-dive exercise: `augmented_epochs_dataset(images, seed=, epochs=)` yields `epochs`
    augmented passes over `images`: the same on every build with one seed, new each epoch and with another."""
    images = np.random.default_rng(0).random((_IMAGE_COUNT, *_IMAGE_SIZE, 3), dtype=np.float32)
    first_seed, other_seed = _SEEDS
    name = getattr(augmented_epochs_dataset, "__name__", "your function")
    hint = (
        "Run it in a cell on its own and read the traceback; the images reach the generator as a NumPy "
        "array and the seed and epoch as NumPy integers."
    )

    def epochs_for(seed: int) -> np.ndarray:
        call = f"{name}(images, seed={seed}, epochs={_EPOCHS})"
        dataset = _guards.dataset_from(
            augmented_epochs_dataset,
            images,
            seed=seed,
            epochs=_EPOCHS,
            failure=f"Building {call} raised",
            hint=hint,
            subject=call,
            none_hint="End the function with `return` and the dataset it builds.",
            none_more="Inside: a generator taking the images, the seed and the epoch, and one from_generator "
            "pass per epoch, its number passed through args.",
            type_hint="Return the dataset built with tf.data.Dataset.from_generator.",
        )
        values = _guards.elements(
            dataset, _IMAGE_COUNT * _EPOCHS, failure=f"Iterating {call} raised", hint=hint
        )
        return np.stack([np.asarray(value) for value in values]) if values else np.empty((0,))

    first, again, other = (epochs_for(seed) for seed in (first_seed, first_seed, other_seed))
    if len(first) != _IMAGE_COUNT * _EPOCHS:
        return Feedback.fail(
            f"For {_IMAGE_COUNT} images and epochs={_EPOCHS} the dataset yielded {len(first)} images; "
            f"expected {_IMAGE_COUNT * _EPOCHS}.",
            hint="One pass over the images per epoch, each pass a new call of the generator.",
            more="tf.data.Dataset.range(epochs).flat_map(lambda epoch: from_generator(..., args=(...)))"
            " makes one pass per epoch and hands each its number.",
        )
    if first.shape[1:] != images.shape[1:]:
        return Feedback.fail(
            f"The dataset yields arrays of shape {first.shape[1:]}; expected one image of shape "
            f"{images.shape[1:]} per element.",
            hint="Yield one augmented image at a time.",
        )
    epochs = first.reshape(_EPOCHS, *images.shape)
    if all(np.allclose(epoch, images) for epoch in epochs):
        return Feedback.fail(
            "The dataset yields the images unchanged: nothing is augmented.",
            hint="Every image should pass through augment.augment_image with a random generator.",
        )
    if not np.array_equal(first, again):
        return Feedback.fail(
            f"Not reproducible: building the dataset twice with seed={first_seed} gave different "
            "images. The random numbers do not come from the seed alone (global np.random, or "
            "np.random.default_rng() without a seed?).",
            hint="Only values that reach the generator through args may decide its random choices.",
            more="Create the random generator inside the generator: augment.epoch_rng(seed, epoch=epoch).",
        )
    repeated = [index for index in range(1, _EPOCHS) if np.array_equal(epochs[index], epochs[0])]
    if repeated:
        return Feedback.fail(
            f"Epoch {repeated[0]} yields exactly the same augmented images as epoch 0: the RNG is "
            "seeded from the seed alone, so every epoch replays the same 'random' choices.",
            hint="Every epoch calls the generator again with the same args: what must change from one "
            "epoch to the next?",
            more="Pass the epoch number through args too and seed from both: "
            "augment.epoch_rng(seed, epoch=epoch); tf.data.Dataset.range(epochs).flat_map(...) "
            "gives each epoch its number.",
        )
    if np.array_equal(first, other):
        return Feedback.fail(
            f"seed={first_seed} and seed={other_seed} give the same images: the seed is ignored.",
            hint="Does the seed reach the random generator?",
            more="Pass the seed through args and use it: augment.epoch_rng(seed, epoch=epoch).",
        )
    return Feedback.ok(
        f"Reproducible (two builds with seed={first_seed} are identical), different in each of "
        f"{_EPOCHS} epochs, and a different seed gives different images."
    )
