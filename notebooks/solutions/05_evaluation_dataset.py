def make_evaluation_dataset(image_paths, labels, batch_size):
    dataset = tf.data.Dataset.from_generator(
        training.digit_examples,  # the core's digit_examples (no shuffle, no augmentation), kept in helpers
        output_signature=training.DIGIT_SIGNATURE,
        args=(image_paths, labels),
    )
    batches = math.ceil(len(image_paths) / batch_size)
    return dataset.batch(batch_size).apply(tf.data.experimental.assert_cardinality(batches))


ex.check_evaluation_dataset(make_evaluation_dataset)
