LABELLED_FEATURES = {
    "image_bytes": tf.io.FixedLenFeature([], tf.string),
    "name": tf.io.FixedLenFeature([], tf.string),
    "label": tf.io.FixedLenFeature([], tf.int64),
}


def parse_labelled_record(serialized):
    return tf.io.parse_single_example(serialized, LABELLED_FEATURES)


ex.check_parse_record(parse_labelled_record)
