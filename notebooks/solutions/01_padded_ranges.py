RANGE_SIGNATURE = tf.TensorSpec(shape=(None,), dtype=tf.int32)  # one range, of any length


def integer_ranges(lengths):
    for n in lengths:
        yield np.arange(n, dtype=np.int32)


def make_padded_ranges(lengths, batch_size):
    ranges = tf.data.Dataset.from_generator(lambda: integer_ranges(lengths), output_signature=RANGE_SIGNATURE)
    return ranges.padded_batch(batch_size, padding_values=-1)  # not 0: every range starts with 0


ex.check_padded_ranges(make_padded_ranges)
