import warnings

import cv2
import keras
import numpy as np
import pytest
import tensorflow as tf

from helpers import images, plots, training


@pytest.fixture(scope="module")
def digit_pngs(tmp_path_factory):
    """Twelve 8x8 grayscale PNGs, each with its own pattern, labels 0, 1, 2, 0, 1, 2, ..."""
    folder = tmp_path_factory.mktemp("digits")
    rng = np.random.default_rng(0)
    paths, labels = [], []
    for index in range(12):
        path = folder / f"{index}.png"
        cv2.imwrite(str(path), rng.integers(0, 256, size=(8, 8), dtype=np.uint8))
        paths.append(str(path))
        labels.append(index % 3)
    return paths, labels


def test_stratified_split_keeps_class_shares_and_covers_every_example_once():
    labels = np.repeat(np.arange(4), [10, 20, 30, 40])
    train, validation = training.stratified_split(labels, validation_fraction=0.2, seed=0)
    assert np.array_equal(np.sort(np.concatenate([train, validation])), np.arange(100))
    assert np.bincount(labels[validation]).tolist() == [2, 4, 6, 8]
    assert np.all(np.diff(train) > 0) and np.all(np.diff(validation) > 0)


def test_stratified_split_is_seeded():
    labels = np.repeat(np.arange(3), 30)
    first = training.stratified_split(labels, validation_fraction=0.3, seed=1)
    again = training.stratified_split(labels, validation_fraction=0.3, seed=1)
    other = training.stratified_split(labels, validation_fraction=0.3, seed=2)
    assert np.array_equal(first[1], again[1])
    assert not np.array_equal(first[1], other[1])


@pytest.mark.parametrize("fraction", [0, 1, -0.1, 1.5])
def test_stratified_split_rejects_fractions_outside_0_1(fraction):
    with pytest.raises(ValueError, match="validation_fraction"):
        training.stratified_split([0, 1, 0, 1], validation_fraction=fraction, seed=0)


def test_digit_examples_yields_the_files_in_order_unchanged(digit_pngs):
    paths, labels = digit_pngs
    examples = list(training.digit_examples(paths, labels))
    assert [int(label) for _, label in examples] == labels
    first_image, first_label = examples[0]
    assert first_image.shape == (*training.IMAGE_SIZE, 1) and first_image.dtype == np.float32
    assert isinstance(first_label, np.int64)
    expected = images.load_image(paths[0], size=training.IMAGE_SIZE)[..., :1]
    np.testing.assert_array_equal(first_image, expected)


def test_digit_examples_accepts_bytes_paths_as_from_generator_passes_them(digit_pngs):
    paths, labels = digit_pngs
    as_bytes = np.array([path.encode() for path in paths])
    from_bytes = next(training.digit_examples(as_bytes, labels))
    from_str = next(training.digit_examples(paths, labels))
    np.testing.assert_array_equal(from_bytes[0], from_str[0])


def test_digit_examples_matches_its_signature_through_from_generator(digit_pngs):
    paths, labels = digit_pngs
    dataset = tf.data.Dataset.from_generator(
        training.digit_examples, output_signature=training.DIGIT_SIGNATURE, args=(paths, labels)
    )
    assert [int(label) for _, label in dataset.as_numpy_iterator()] == labels


def test_digit_examples_refuses_paths_and_labels_of_different_lengths(digit_pngs):
    paths, labels = digit_pngs
    with pytest.raises(ValueError, match="zip"):
        list(training.digit_examples(paths, labels[:-1]))


def test_ran_out_warnings_collects_every_one_and_passes_others_on_once():
    def warn_twice():
        for _ in range(2):
            warnings.warn(f"{training.RAN_OUT_OF_DATA}; interrupting training.", UserWarning, stacklevel=1)
            warnings.warn("an unrelated warning from test_training", UserWarning, stacklevel=1)

    with warnings.catch_warnings(record=True) as shown:
        warnings.simplefilter("always")
        with training.ran_out_warnings() as ran_out:
            warn_twice()
        with training.ran_out_warnings() as ran_out_again:
            warn_twice()
    assert ran_out == ran_out_again == [f"{training.RAN_OUT_OF_DATA}; interrupting training."] * 2
    assert [str(warning.message) for warning in shown] == ["an unrelated warning from test_training"]


def test_ran_out_warnings_keeps_what_it_collected_when_the_block_raises():
    with pytest.raises(RuntimeError), training.ran_out_warnings() as ran_out:
        warnings.warn(f"{training.RAN_OUT_OF_DATA}.", UserWarning, stacklevel=1)
        raise RuntimeError("stop")
    assert ran_out == [f"{training.RAN_OUT_OF_DATA}."]


def test_keras_warns_once_per_epoch_about_a_dataset_of_unknown_length_and_not_once_it_is_known():
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    model.compile(loss="mse")

    def pairs():
        for _ in range(4):
            yield np.zeros(2, np.float32), np.float32(0)

    signature = (tf.TensorSpec((2,), tf.float32), tf.TensorSpec((), tf.float32))
    unknown = tf.data.Dataset.from_generator(pairs, output_signature=signature).batch(2)
    known = unknown.apply(tf.data.experimental.assert_cardinality(2))
    with training.ran_out_warnings() as ran_out_unknown:
        model.fit(unknown, epochs=3, shuffle=False, verbose=0)
    with training.ran_out_warnings() as ran_out_known:
        model.fit(known, epochs=3, shuffle=False, verbose=0)
    assert len(ran_out_unknown) == 3 and ran_out_known == []


def test_build_model_outputs_class_probabilities_with_stable_layer_names():
    first = training.build_model(filters=4)
    second = training.build_model(filters=4)
    probabilities = first.predict(np.zeros((2, *training.IMAGE_SIZE, 1), np.float32), verbose=0)
    assert probabilities.shape == (2, training.NUM_CLASSES)
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, rtol=1e-5)
    assert [layer.name for layer in first.layers] == [layer.name for layer in second.layers]
    assert first.name == second.name == "digits_cnn"


def test_build_model_learns_a_separable_toy_problem():
    keras.utils.set_random_seed(0)
    model = training.build_model()
    rng = np.random.default_rng(0)
    x = rng.random((64, *training.IMAGE_SIZE, 1), dtype=np.float32) * 0.2
    y = np.arange(64) % 2
    x[y == 1, :, :16] += 0.8
    history = model.fit(x, y, epochs=10, batch_size=8, verbose=0)
    assert history.history["accuracy"][-1] == 1.0


def test_epoch_timer_records_every_epoch_and_prints_nothing(capsys):
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    model.compile(loss="mse")
    timer = training.EpochTimer()
    model.fit(np.zeros((4, 2)), np.zeros(4), epochs=3, verbose=0, callbacks=[timer])
    assert len(timer.epoch_seconds) == 3 and all(seconds > 0 for seconds in timer.epoch_seconds)
    assert capsys.readouterr().out == ""


def test_format_history_rounds_and_aligns_one_row_per_epoch():
    table = training.format_history({"loss": [1.23456, 0.5], "accuracy": [0.5, 0.987]})
    header, first, second = table.splitlines()
    assert header.split() == ["epoch", "accuracy", "loss"]
    assert first.split() == ["1", "0.50", "1.23"]
    assert second.split() == ["2", "0.99", "0.50"]
    assert len({len(line) for line in (header, first, second)}) == 1


def test_compare_step_seconds_takes_turns_and_trains_every_round():
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    model.compile(loss="mse")
    small = tf.data.Dataset.from_tensor_slices((np.zeros((4, 2)), np.zeros(4))).batch(2)
    seconds = training.compare_step_seconds(
        model, {"first": small, "cached": small.cache()}, steps_per_epoch=2
    )
    assert list(seconds) == ["first", "cached"]
    assert all(value > 0 for value in seconds.values())
    assert model.optimizer.iterations.numpy() == 2 * 2 * 4


def test_compare_step_seconds_only_iterates_the_datasets_named_without_model():
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    model.compile(loss="mse")
    passes = []

    def counting():
        passes.append(1)
        for _ in range(4):
            yield np.zeros(2), 0.0

    signature = (tf.TensorSpec((2,), tf.float64), tf.TensorSpec((), tf.float64))
    alone = tf.data.Dataset.from_generator(counting, output_signature=signature).batch(2)
    small = tf.data.Dataset.from_tensor_slices((np.zeros((4, 2)), np.zeros(4))).batch(2)
    seconds = training.compare_step_seconds(
        model, {"alone": alone, "trained": small}, steps_per_epoch=2, without_model=["alone"]
    )
    assert list(seconds) == ["alone", "trained"] and all(value > 0 for value in seconds.values())
    assert len(passes) == 4
    assert model.optimizer.iterations.numpy() == 2 * 4


def test_compare_step_seconds_needs_known_names():
    with pytest.raises(ValueError, match="not given"):
        training.compare_step_seconds(None, {"a": None}, steps_per_epoch=1, without_model=["b"])


def test_seconds_per_pass_iterates_the_dataset_three_times():
    passes = []

    def counting():
        passes.append(1)
        yield from range(3)

    dataset = tf.data.Dataset.from_generator(counting, output_signature=tf.TensorSpec((), tf.int64))
    assert training.seconds_per_pass(dataset) > 0
    assert len(passes) == 3


def test_least_confident_orders_by_true_class_probability():
    probabilities = np.array([[0.9, 0.1], [0.4, 0.6], [0.2, 0.8], [0.5, 0.5]])
    labels = [0, 0, 1, 1]
    assert training.least_confident(probabilities, labels, count=3).tolist() == [1, 3, 2]
    assert training.least_confident(probabilities, labels, count=10).tolist() == [1, 3, 2, 0]


def test_training_curves_draws_training_and_validation_per_metric():
    history = {"loss": [1.0, 0.5, 0.3], "val_loss": [1.1, 0.6, 0.4], "accuracy": [0.5, 0.8, 0.9]}
    fig = plots.training_curves(history)
    loss_ax, accuracy_ax = fig.axes
    assert [line.get_label() for line in loss_ax.lines] == ["training", "validation"]
    assert [line.get_label() for line in accuracy_ax.lines] == ["training"]
    assert loss_ax.lines[1].get_xdata().tolist() == [1, 2, 3]
    assert loss_ax.lines[1].get_ydata().tolist() == [1.1, 0.6, 0.4]
