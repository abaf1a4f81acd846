"""Self-check for optional notebook 09 (the questions people ask): names the first problem found.

from helpers.exercises import questions as ex
model = ex.two_input_model()                        # inputs "pixels" (8, 8, 1) and "counts" (3,)
ex.check_feature_dataset(make_feature_dataset)      # n -> a dataset of n (features dict, label) pairs
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from helpers.exercises import _guards
from helpers.exercises.feedback import Feedback

__all__ = ["check_feature_dataset", "two_input_model"]

_INPUT_SHAPES = {"pixels": (8, 8, 1), "counts": (3,)}  # two_input_model's inputs, by name
_ELEMENT_COUNTS = (48, 32)  # the n the learner's function is called with: whole batches of _BATCH_SIZE
_BATCH_SIZE = 16


def two_input_model():
    """A small Keras model with two named inputs, "pixels" (8, 8, 1) and "counts" (3,), and one output."""
    import keras

    pixels = keras.Input(_INPUT_SHAPES["pixels"], name="pixels")
    counts = keras.Input(_INPUT_SHAPES["counts"], name="counts")
    joined = keras.layers.Concatenate()([keras.layers.Flatten()(pixels), counts])
    model = keras.Model({"pixels": pixels, "counts": counts}, keras.layers.Dense(1)(joined))
    model.compile(optimizer="sgd", loss="mse")
    return model


@_guards.self_check
def check_feature_dataset(make_feature_dataset: Callable[[int], Any] | None) -> Feedback:
    """Checks a function building a dataset of (features dict, label) pairs for `two_input_model`.

    Expected: `make_feature_dataset(n)` returns an unbatched dataset of n pairs
    `({"pixels": float32 (8, 8, 1), "counts": float32 (3,)}, float32 label)`, for n = 48
    and 32; batched by 16, it trains `two_input_model()` for one epoch.
    """
    import tensorflow as tf

    for count in _ELEMENT_COUNTS:
        subject = f"make_feature_dataset({count})"
        dataset = _guards.dataset_from(
            make_feature_dataset,
            count,
            failure=f"{subject} raised",
            subject=subject,
            callable_hint="Define `def make_feature_dataset(n):` returning the dataset; pass the function "
            "itself.",
        )
        _check_signature(dataset.element_spec)
        elements = _guards.elements(
            dataset,
            count,
            failure=f"Iterating {subject} raised",
            hint="Each element the generator yields must have the signature's structure, shapes and dtypes.",
        )
        if len(elements) != count:
            got = f"more than {count}" if len(elements) > count else str(len(elements))
            _guards.fail(
                f"{subject} gave {got} elements; expected {count}.",
                hint="One pair per example, n of them, unbatched: the check batches the dataset itself.",
                more="Pass n to the generator through `args=(n,)`, yield n pairs; no `repeat`, no `batch`.",
            )
    batches = dataset.batch(_BATCH_SIZE).apply(tf.data.experimental.assert_cardinality(count // _BATCH_SIZE))
    _guards.run(
        two_input_model().fit,
        batches,
        epochs=1,
        verbose=0,
        shuffle=False,  # the default, True, only makes Keras warn that a dataset is not shuffled by fit
        failure="Training on it failed:",
        hint="The dict's keys, shapes and dtypes must be what the model's inputs take.",
    )
    return Feedback.ok(
        f"The dict keys match the model's input names: one epoch of fit ran on "
        f"{count // _BATCH_SIZE} batches of {_BATCH_SIZE}."
    )


def _check_signature(element_spec: Any) -> None:
    """Fails the check unless the dataset's element spec is what `two_input_model` takes."""
    import tensorflow as tf

    kind = _guards.describe_kind  # a spec as the learner wrote it: `TensorSpec(shape=(8, 8), dtype=float32)`

    if not (isinstance(element_spec, tuple) and len(element_spec) == 2 and isinstance(element_spec[0], dict)):
        _guards.fail(
            f"Each element is described as {kind(element_spec)}; expected a pair (features, label).",
            hint="Keras takes `(inputs, targets)` pairs; a model with named inputs takes a dict of inputs.",
            more='Signature: `({"pixels": tf.TensorSpec(...), "counts": tf.TensorSpec(...)}, '
            "tf.TensorSpec(...))`; the generator yields the same structure: `features_dict, label`.",
        )
    features, label = element_spec
    if set(features) != set(_INPUT_SHAPES):
        _guards.fail(
            f"The feature keys are {sorted(features)}; the model's inputs are named {sorted(_INPUT_SHAPES)}.",
            hint="Keras matches dict keys to the `name=` of each `keras.Input`.",
            more="Use the keys 'pixels' and 'counts', in the signature and in what the generator yields.",
        )
    for key, shape in _INPUT_SHAPES.items():
        spec = features[key]
        if not isinstance(spec, tf.TensorSpec) or spec.shape != shape or spec.dtype != tf.float32:
            _guards.fail(
                f"{key!r} is described as {kind(spec)}; the model takes float32 of shape {shape}.",
                hint="A spec describes one example, no batch dimension: the shape of the model's Input.",
                more=f'`"{key}": tf.TensorSpec(shape={shape}, dtype=tf.float32)`.',
            )
    if not isinstance(label, tf.TensorSpec) or label.dtype != tf.float32 or label.shape.rank != 0:
        _guards.fail(
            f"The label is described as {kind(label)}; expected one float32 number per example.",
            hint="The model has one output: its target is one number per example.",
            more="`tf.TensorSpec(shape=(), dtype=tf.float32)`, and yield `np.float32(...)`.",
        )
