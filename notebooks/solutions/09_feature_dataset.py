FEATURE_SIGNATURE = (
    {"pixels": tf.TensorSpec((8, 8, 1), tf.float32), "counts": tf.TensorSpec((3,), tf.float32)},
    tf.TensorSpec((), tf.float32),
)


def feature_dicts(n):
    rng = np.random.default_rng(0)
    for _ in range(n):
        pixels = rng.random((8, 8, 1), dtype=np.float32)
        counts = rng.random(3, dtype=np.float32)
        yield {"pixels": pixels, "counts": counts}, np.float32(pixels.mean() + counts.sum())


def make_feature_dataset(n):
    return tf.data.Dataset.from_generator(feature_dicts, args=(n,), output_signature=FEATURE_SIGNATURE)


ex.check_feature_dataset(make_feature_dataset)
