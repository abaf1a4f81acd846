"""helpers.exercises.beyond: each self-check passes a right answer and names the problem of wrong ones."""

from __future__ import annotations

import tensorflow as tf

from helpers import graph_native, images
from helpers.exercises import beyond

LABELLED_FEATURES = {
    "image_bytes": tf.io.FixedLenFeature([], tf.string),
    "name": tf.io.FixedLenFeature([], tf.string),
    "label": tf.io.FixedLenFeature([], tf.int64),
}


def parse_labelled(serialized):
    return tf.io.parse_single_example(serialized, LABELLED_FEATURES)


def _decode_on_white(data):
    rgba = tf.io.decode_png(data, channels=4)
    opacity = tf.cast(rgba[..., 3:], tf.float32) / 255.0
    rgb = tf.cast(rgba[..., :3], tf.float32) * opacity + 255.0 * (1.0 - opacity)
    return tf.cast(tf.math.round(rgb), tf.uint8)


def test_decode_on_white_accepts_compositing():
    feedback = beyond.check_decode_on_white(_decode_on_white)
    assert feedback.passed, feedback


def test_decode_on_white_flags_dropped_alpha():
    feedback = beyond.check_decode_on_white(lambda data: tf.io.decode_png(data, channels=3))
    assert not feedback.passed
    assert feedback.message.startswith("retina_rgba.png:")
    assert "by up to 255 grey levels" in feedback.message
    assert "alpha" in feedback.hint and "channels=4" not in feedback.hint  # the idea first
    assert "channels=4" in feedback.more


def test_decode_on_white_flags_four_channels_and_wrong_dtype_and_eager_code():
    four = beyond.check_decode_on_white(lambda data: tf.io.decode_png(data, channels=4))
    assert "got 4 channels" in four.message
    floats = beyond.check_decode_on_white(lambda data: tf.cast(_decode_on_white(data), tf.float32))
    assert "float32 array" in floats.message and "tf.uint8" in floats.more
    eager = beyond.check_decode_on_white(lambda data: images.load_image_uint8(data.numpy()))
    assert "inside `Dataset.map` failed" in eager.message and ".numpy()" in eager.hint
    assert "decode_png" in eager.more
    assert "Expected a function" in beyond.check_decode_on_white(None).message


def test_decode_on_white_flags_a_decoder_that_breaks_opaque_images():
    def right_for_transparency_only(data):
        alpha = tf.io.decode_png(data, channels=4)[..., 3]
        composited = _decode_on_white(data)
        return tf.cond(tf.reduce_min(alpha) < 255, lambda: composited, lambda: 255 - composited)

    inverted = beyond.check_decode_on_white(right_for_transparency_only)
    assert inverted.message.startswith("astronaut.png:")
    assert "opacity is 1" in inverted.hint


def test_parse_record_accepts_the_feature_description_with_label():
    feedback = beyond.check_parse_record(parse_labelled)
    assert feedback.passed, feedback


def test_parse_record_flags_the_missing_label_and_failing_parses():
    missing = beyond.check_parse_record(graph_native.parse_image_record)
    assert missing.message == "The parsed record has no 'label' (keys: ['image_bytes', 'name'])."
    assert "FixedLenFeature" not in missing.hint
    assert '"label": tf.io.FixedLenFeature([], tf.int64)' in missing.more
    wrong_type = {
        "image_bytes": tf.io.FixedLenFeature([], tf.string),
        "name": tf.io.FixedLenFeature([], tf.string),
        "label": tf.io.FixedLenFeature([], tf.string),
    }
    failing = beyond.check_parse_record(lambda serialized: tf.io.parse_single_example(serialized, wrong_type))
    assert failing.message.startswith("Parsing the records failed:")


def test_parse_record_flags_swapped_values_and_non_dicts():
    def swapped(serialized):
        record = parse_labelled(serialized)
        return {**record, "image_bytes": record["name"]}

    assert "'image_bytes' differs from the file's bytes" in beyond.check_parse_record(swapped).message

    def off_by_one(serialized):
        record = parse_labelled(serialized)
        return {**record, "label": record["label"] + 1}

    assert beyond.check_parse_record(off_by_one).message == "camera.png: 'label' is np.int64(4); expected 3."
    assert "expected a dict" in beyond.check_parse_record(lambda serialized: serialized).message


def test_checkpointable_dataset_accepts_the_graph_native_pipeline():
    feedback = beyond.check_checkpointable_dataset(
        lambda paths: graph_native.image_dataset(paths, image_size=beyond.CHECKPOINT_IMAGE_SIZE)
    )
    assert feedback.passed, feedback


def test_checkpointable_dataset_flags_from_generator_with_tensorflows_message():
    reader = images.make_image_reader(size=beyond.CHECKPOINT_IMAGE_SIZE)
    signature = tf.TensorSpec(shape=(*beyond.CHECKPOINT_IMAGE_SIZE, 3), dtype=tf.float32)
    feedback = beyond.check_checkpointable_dataset(
        lambda paths: tf.data.Dataset.from_generator(reader, args=(paths,), output_signature=signature)
    )
    assert feedback.message == "Saving the iterator failed: FailedPreconditionError: PyFunc is stateful."
    assert "from_generator" in feedback.hint and "from_tensor_slices" in feedback.more


def test_checkpointable_dataset_flags_no_dataset_and_pairs():
    stub = beyond.check_checkpointable_dataset(lambda paths: None)
    assert stub.message == "Your function returned None." and "return" in stub.hint
    size = beyond.CHECKPOINT_IMAGE_SIZE
    pairs = beyond.check_checkpointable_dataset(
        lambda paths: graph_native.image_dataset(paths, list(range(len(paths))), image_size=size)
    )
    assert pairs.message == "china.jpg: got tuple; expected float32 (64, 64, 3)."
    assert "Expected a function" in beyond.check_checkpointable_dataset("paths").message


def test_checkpointable_dataset_stops_reading_an_endless_dataset():
    endless = beyond.check_checkpointable_dataset(
        lambda paths: graph_native.image_dataset(paths, image_size=beyond.CHECKPOINT_IMAGE_SIZE).repeat()
    )
    assert endless.message == "The dataset yielded 10 images for 5 paths."


def test_checkpointable_dataset_flags_wrong_images_and_counts():
    size = beyond.CHECKPOINT_IMAGE_SIZE
    repeated = beyond.check_checkpointable_dataset(
        lambda paths: graph_native.image_dataset(paths, image_size=size).repeat(2)
    )
    assert repeated.message == "The dataset yielded 10 images for 5 paths."
    uint8 = beyond.check_checkpointable_dataset(
        lambda paths: tf.data.Dataset.from_tensor_slices(paths).map(
            lambda path: graph_native.resize_like_opencv(graph_native.decode_rgb(tf.io.read_file(path)), size)
        )
    )
    assert uint8.message.startswith("china.jpg: got uint8 array of shape (64, 64, 3)")
    stretched = beyond.check_checkpointable_dataset(
        lambda paths: graph_native.image_dataset(paths, image_size=size).map(lambda image: image * 0.5)
    )
    assert "china.jpg: differs from images.load_image by up to" in stretched.message
