def save_once(dataset, folder):
    if not tf.io.gfile.exists(folder):
        dataset.save(folder)
    return tf.data.Dataset.load(folder)  # the copy on disk: the generator does not run again


ex.check_save_once(save_once)
