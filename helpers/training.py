"""The pieces of notebook 05 (training a Keras model from a generator pipeline), tested and reusable.

    from helpers import training
    model = training.build_model()
    with training.ran_out_warnings() as ran_out:
        model.fit(dataset, epochs=2, verbose=0)

The notebook writes its generator out in full; `digit_examples` is the same, for the exercise checks.
"""

from __future__ import annotations

import contextlib
import functools
import time
import warnings
from collections.abc import Collection, Iterator, Mapping, Sequence

import keras
import numpy as np
import tensorflow as tf

from helpers import images, measure

__all__ = [
    "IMAGE_SIZE",
    "NUM_CLASSES",
    "DIGIT_SIGNATURE",
    "stratified_split",
    "digit_examples",
    "build_model",
    "RAN_OUT_OF_DATA",
    "ran_out_warnings",
    "EpochTimer",
    "format_history",
    "compare_step_seconds",
    "seconds_per_pass",
    "least_confident",
]

IMAGE_SIZE = (32, 32)
"""(height, width) the 8x8 digits are enlarged to: room for two 3x3 convolutions and two poolings."""

NUM_CLASSES = 10

DIGIT_SIGNATURE = (
    tf.TensorSpec(shape=(*IMAGE_SIZE, 1), dtype=tf.float32),
    tf.TensorSpec(shape=(), dtype=tf.int64),
)
"""What `digit_examples` yields: one grayscale image in [0, 1] and its class."""


def stratified_split(
    labels: Sequence[int] | np.ndarray, *, validation_fraction: float, seed: int
) -> tuple[np.ndarray, np.ndarray]:
    """Splits example indices into (training, validation), each sorted, keeping each class's share in both.

    scikit-learn's `train_test_split(..., stratify=labels)`, seeded by `seed`.

    Raises:
        ValueError: `validation_fraction`, the share that goes to validation, is not between 0 and 1.
    """
    from sklearn.model_selection import train_test_split

    if not 0 < validation_fraction < 1:
        raise ValueError(f"validation_fraction must be between 0 and 1, got {validation_fraction}")
    labels = np.asarray(labels)
    training_indices, validation_indices = train_test_split(
        np.arange(len(labels)), test_size=validation_fraction, stratify=labels, random_state=seed
    )
    return np.sort(training_indices), np.sort(validation_indices)


def digit_examples(
    image_paths: Sequence[str | bytes] | np.ndarray, labels: Sequence[int] | np.ndarray
) -> Iterator[tuple[np.ndarray, np.int64]]:
    """Yields (image, label) pairs matching `DIGIT_SIGNATURE`: the files in the given order, unchanged.

    Both arguments can travel through `from_generator`'s `args` (the paths then arrive as bytes).
    """
    for path, label in zip(image_paths, labels, strict=True):
        # The PNGs are grayscale, so the three channels load_image returns are equal: keep one.
        yield images.load_image(path, size=IMAGE_SIZE)[..., :1], np.int64(label)


RAN_OUT_OF_DATA = "Your input ran out of data"
"""How Keras' warning begins when a dataset ends before `fit` or `evaluate` expected it to."""

# Other warnings that ran_out_warnings has passed on: each is shown once, as Python's default filter does.
_PASSED_ON: set[tuple[str, int, type[Warning], str]] = set()


@contextlib.contextmanager
def ran_out_warnings() -> Iterator[list[str]]:
    """Collects every Keras "Your input ran out of data" warning raised inside the block (Python would show
    only the first); other warnings are shown when the block ends, each once, as Python does.

    Yields:
        A list that holds, once the block has ended, the message of every such warning, in order.
    """
    messages: list[str] = []
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            yield messages
    finally:
        for warning in caught:
            text = str(warning.message)
            place = (warning.filename, warning.lineno, warning.category, text)
            if text.startswith(RAN_OUT_OF_DATA):
                messages.append(text)
            elif place not in _PASSED_ON:
                _PASSED_ON.add(place)
                warnings.warn_explicit(warning.message, warning.category, warning.filename, warning.lineno)


def build_model(*, filters: int = 16) -> keras.Model:
    """A small CNN for the digits (two convolution + pooling blocks, one dense layer), compiled with Adam,
    sparse categorical cross-entropy and accuracy.

    `filters` is the first convolution's (the second has twice as many). Fixed layer names keep the summary
    the same however many models a session builds; `keras.utils.set_random_seed` first makes the weights so.
    """
    model = keras.Sequential(
        [
            keras.Input(shape=(*IMAGE_SIZE, 1), name="image"),
            keras.layers.Conv2D(filters, 3, activation="relu", name="conv_1"),
            keras.layers.MaxPooling2D(name="pool_1"),
            keras.layers.Conv2D(2 * filters, 3, activation="relu", name="conv_2"),
            keras.layers.MaxPooling2D(name="pool_2"),
            keras.layers.Flatten(name="flatten"),
            keras.layers.Dense(NUM_CLASSES, activation="softmax", name="class_probabilities"),
        ],
        name="digits_cnn",
    )
    model.compile(
        optimizer=keras.optimizers.Adam(1e-3),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    return model


class EpochTimer(keras.callbacks.Callback):
    """Records the wall-clock seconds of every epoch in `epoch_seconds` (validation included)."""

    def __init__(self) -> None:
        super().__init__()
        self.epoch_seconds: list[float] = []
        self._started = 0.0

    def on_epoch_begin(self, epoch: int, logs: Mapping[str, float] | None = None) -> None:
        self._started = time.perf_counter()

    def on_epoch_end(self, epoch: int, logs: Mapping[str, float] | None = None) -> None:
        self.epoch_seconds.append(time.perf_counter() - self._started)


def format_history(history: Mapping[str, Sequence[float]]) -> str:
    """Returns `model.fit(...).history` as a text table: one row per epoch, metrics in alphabetical order,
    values to 2 decimals."""
    names = sorted(history)
    width = max([len(name) for name in names] + [5])
    lines = ["epoch  " + "  ".join(f"{name:>{width}}" for name in names)]
    for epoch in range(len(history[names[0]]) if names else 0):
        lines.append(f"{epoch + 1:>5}  " + "  ".join(f"{history[name][epoch]:>{width}.2f}" for name in names))
    return "\n".join(lines)


def compare_step_seconds(
    model: keras.Model,
    datasets: Mapping[str, tf.data.Dataset],
    *,
    steps_per_epoch: int,
    without_model: Collection[str] = (),
) -> dict[str, float]:
    """Trains `model` one epoch on each dataset in turn, 3 times; returns seconds per step for each.

    Taking turns (`measure.compare`) exposes every dataset to the same background load; the fastest epoch
    is the least disturbed. An untimed round comes first (tracing, filling any `.cache()`).

    Args:
        model: a compiled model; its weights change (use a fresh one).
        datasets: name -> a dataset of at least `steps_per_epoch` batches of (inputs, targets).
        steps_per_epoch: batches per epoch.
        without_model: names in `datasets` that are only iterated, with no training: the input's own pace.

    Returns:
        name -> the fastest epoch's seconds divided by `steps_per_epoch`, in the order of `datasets`.

    Raises:
        ValueError: `without_model` names a dataset not in `datasets`.
    """
    unknown = set(without_model) - set(datasets)
    if unknown:
        raise ValueError(f"without_model names datasets that are not given: {sorted(unknown)}")

    def one_epoch(dataset: tf.data.Dataset, train: bool) -> int:
        if train:
            model.fit(dataset, steps_per_epoch=steps_per_epoch, shuffle=False, verbose=0)
        else:
            for _ in dataset.take(steps_per_epoch):
                pass
        return steps_per_epoch

    epochs = {
        name: functools.partial(one_epoch, dataset, name not in without_model)
        for name, dataset in datasets.items()
    }
    results = measure.compare(epochs, repeats=3)
    return {name: 1 / result.max_elements_per_second for name, result in results.items()}


def seconds_per_pass(dataset: tf.data.Dataset) -> float:
    """Returns the wall-clock seconds of the fastest of 3 whole passes over a finite `dataset` (the one least
    disturbed by other programs)."""
    return min(measure.time_pass(dataset).seconds for _ in range(3))


def least_confident(
    probabilities: np.ndarray, labels: Sequence[int] | np.ndarray, *, count: int
) -> np.ndarray:
    """Returns the indices of the `count` examples whose true class got the lowest probability, lowest first
    (ties by index); `probabilities` is (examples, classes)."""
    labels = np.asarray(labels)
    true_class_probability = np.asarray(probabilities)[np.arange(len(labels)), labels]
    return np.argsort(true_class_probability, kind="stable")[:count]
