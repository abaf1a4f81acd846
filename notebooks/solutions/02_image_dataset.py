import cv2
import numpy as np
import tensorflow as tf

from helpers.exercises import image_pipeline as ex


def load_rgb(path):
    image = cv2.imread(path)
    if image is None:
        raise FileNotFoundError(f"cannot read image file {path!r}")
    image = cv2.cvtColor(image, cv2.COLOR_BGR2RGB)
    image = cv2.resize(image, (224, 224))
    return image.astype(np.float32) / 255


IMAGE_SIGNATURE = tf.TensorSpec(shape=(224, 224, 3), dtype=tf.float32)


def rgb_images(image_paths):
    for path in image_paths:
        yield load_rgb(path)


def image_dataset(image_paths, batch_size):
    dataset = tf.data.Dataset.from_generator(
        lambda: rgb_images(image_paths), output_signature=IMAGE_SIGNATURE
    )
    return dataset.batch(batch_size).prefetch(tf.data.AUTOTUNE)


ex.check_image_pipeline(image_dataset)
