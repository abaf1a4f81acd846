import tensorflow as tf

from helpers import augment
from helpers.exercises import args_augmentation as ex


def augmented_epochs_dataset_for(images_array, *, seed, epochs):
    def augmented_images(images_array, seed, epoch):
        rng = augment.epoch_rng(seed, epoch=epoch)  # the same every run, new in every epoch
        for image in images_array:
            yield augment.augment_image(image, rng)

    signature = tf.TensorSpec(shape=images_array.shape[1:], dtype=tf.float32)
    return tf.data.Dataset.range(epochs).flat_map(
        lambda epoch: tf.data.Dataset.from_generator(
            augmented_images, args=(images_array, seed, epoch), output_signature=signature
        )
    )


ex.check_augmented_epochs(augmented_epochs_dataset_for)
