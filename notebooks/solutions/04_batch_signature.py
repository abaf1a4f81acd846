SIGNATURE = (
    tf.TensorSpec(shape=(None, 8, 8, 3), dtype=tf.uint8),  # uint8 as yielded; scale later in .map if needed
    tf.TensorSpec(shape=(None,), dtype=tf.int64),  # None: the last batch holds 2
)
ex.check_batch_signature(SIGNATURE)
