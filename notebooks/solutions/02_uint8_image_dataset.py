import tensorflow as tf

from helpers import images
from helpers.exercises import image_pipeline as ex


UINT8_IMAGE_SIGNATURE = tf.TensorSpec(shape=(224, 224, 3), dtype=tf.uint8)


def uint8_images(image_paths):
    for path in image_paths:
        yield images.load_image_uint8(path, size=(224, 224))


def uint8_image_dataset(image_paths, batch_size):
    dataset = tf.data.Dataset.from_generator(
        lambda: uint8_images(image_paths), output_signature=UINT8_IMAGE_SIGNATURE
    )
    dataset = dataset.batch(batch_size)
    dataset = dataset.map(lambda batch: tf.cast(batch, tf.float32) / 255)
    return dataset.prefetch(tf.data.AUTOTUNE)


ex.check_image_dataset(uint8_image_dataset)
