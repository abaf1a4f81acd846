def checkpointable_dataset(paths):
    return tf.data.Dataset.from_tensor_slices(paths).map(
        lambda path: graph_native.load_image(path, image_size=ex.CHECKPOINT_IMAGE_SIZE),
        num_parallel_calls=tf.data.AUTOTUNE,
    )


ex.check_checkpointable_dataset(checkpointable_dataset)
