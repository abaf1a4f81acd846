# The generator and signature from "Build", repeated so that this solution also runs on its own.
IMAGE_SPEC = tf.TensorSpec(shape=(32, 32, 1), dtype=tf.float32)
DIGIT_SIGNATURE = (IMAGE_SPEC, tf.TensorSpec(shape=(), dtype=tf.int64))  # (image, label)


def digit_examples(image_paths, labels):
    for path, label in zip(image_paths, labels, strict=True):
        image = images.load_image(path, size=(32, 32))[..., :1]  # grayscale: keep one channel
        yield image, label


def make_training_dataset(image_paths, labels, batch_size):
    dataset = tf.data.Dataset.from_generator(
        digit_examples, output_signature=DIGIT_SIGNATURE, args=(image_paths, labels)
    )
    batches = math.ceil(len(image_paths) / batch_size)  # the last batch may be short: round up
    return (
        dataset.shuffle(len(image_paths))  # a buffer as large as the data: a full shuffle, anew every epoch
        .batch(batch_size)
        .apply(tf.data.experimental.assert_cardinality(batches))
    )


ex.check_training_dataset(make_training_dataset)
