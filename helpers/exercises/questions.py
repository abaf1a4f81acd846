"""Self-check for notebook 09 (the questions people ask): names the first problem found and gives a hint.

    from helpers.exercises import questions
    model = questions.two_input_model()                        # inputs "pixels" (8, 8, 1) and "counts" (3,)
    questions.check_feature_dicts(feature_dicts, FEATURE_SIGNATURE)

The check builds `from_generator(feature_dicts, args=(64,), output_signature=...)`, batches it and trains
`two_input_model()` on it for one epoch with `fit`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from helpers.exercises import _guards
from helpers.exercises.feedback import Feedback
from helpers.messages import error_summary

__all__ = ["INPUT_SHAPES", "check_feature_dicts", "two_input_model"]

INPUT_SHAPES = {"pixels": (8, 8, 1), "counts": (3,)}
"""The two inputs of `two_input_model`, by `keras.Input` name."""
_ELEMENTS, _BATCH_SIZE = 64, 16


def two_input_model():
    """A small Keras model with two named inputs, "pixels" (8, 8, 1) and "counts" (3,), and one output."""
    import keras

    pixels = keras.Input(INPUT_SHAPES["pixels"], name="pixels")
    counts = keras.Input(INPUT_SHAPES["counts"], name="counts")
    joined = keras.layers.Concatenate()([keras.layers.Flatten()(pixels), counts])
    model = keras.Model({"pixels": pixels, "counts": counts}, keras.layers.Dense(1)(joined))
    model.compile(optimizer="sgd", loss="mse")
    return model


def check_feature_dicts(feature_dicts: Callable[..., Any] | None, signature: Any) -> Feedback:
    """Checks a generator of (features dict, label) pairs for `two_input_model`, and its signature.

    Expected: `feature_dicts(n)` yields n pairs `({"pixels": float32 (8, 8, 1), "counts": float32 (3,)},
    float32 label)`; `signature` describes them with `tf.TensorSpec`s in the same structure; batched by 16,
    the dataset trains `two_input_model()` for one epoch.

    Args:
        feature_dicts: the learner's generator function, taking the number of pairs.
        signature: the learner's `output_signature`.

    Returns:
        Feedback on the first problem found, or that the generator is right.
    """
    import tensorflow as tf

    if not callable(feature_dicts):
        return _guards.not_callable(
            feature_dicts,
            expected="a generator function",
            hint="Define `def feature_dicts(n):` with `yield features, label` inside.",
        )
    if not (isinstance(signature, tuple) and len(signature) == 2 and isinstance(signature[0], dict)):
        return Feedback.fail(
            f"The signature is {type(signature).__name__}; expected a pair (dict of TensorSpec, TensorSpec).",
            hint='Write `({"pixels": tf.TensorSpec(...), "counts": tf.TensorSpec(...)}, '
            "tf.TensorSpec(...))`.",
        )
    keys = set(signature[0])
    if keys != set(INPUT_SHAPES):
        return Feedback.fail(
            f"The feature keys are {sorted(keys)}; the model's inputs are named {sorted(INPUT_SHAPES)}.",
            hint="Keras matches dict keys to the `name=` of each `keras.Input`.",
        )
    for key, shape in INPUT_SHAPES.items():
        spec = signature[0][key]
        if not isinstance(spec, tf.TensorSpec) or tuple(spec.shape) != shape or spec.dtype != tf.float32:
            return Feedback.fail(
                f"{key!r} is declared as {spec!r}; the model expects float32 of shape {shape}.",
                hint=f'`"{key}": tf.TensorSpec(shape={shape}, dtype=tf.float32)`.',
            )
    try:
        dataset = tf.data.Dataset.from_generator(feature_dicts, args=(_ELEMENTS,), output_signature=signature)
        dataset = dataset.batch(_BATCH_SIZE).apply(
            tf.data.experimental.assert_cardinality(_ELEMENTS // _BATCH_SIZE)
        )
        two_input_model().fit(dataset, epochs=1, verbose=0)
    except Exception as error:
        return Feedback.fail(
            f"Training on it failed: {error_summary(error)}",
            hint="Yield exactly n pairs, each `(dict of two float32 arrays, np.float32 label)`, matching "
            "the signature.",
        )
    return Feedback.ok(
        f"The generator's dict keys match the model's input names: one epoch of fit ran on "
        f"{_ELEMENTS // _BATCH_SIZE} batches of {_BATCH_SIZE}."
    )
