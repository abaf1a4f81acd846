def worker_share(paths, num_workers, worker_index):
    def load(index):
        return image_work.decode_resize_into(paths[index], np.empty((224, 224, 3), np.uint8))

    def load_image(index):
        image = tf.numpy_function(load, [index], tf.uint8, stateful=False)
        return tf.cast(tf.ensure_shape(image, (224, 224, 3)), tf.float32) / 255.0

    indices = tf.data.Dataset.range(len(paths)).shard(num_workers, worker_index)  # split before decoding
    return indices.map(load_image, num_parallel_calls=tf.data.AUTOTUNE)


ex.check_worker_share(worker_share)
