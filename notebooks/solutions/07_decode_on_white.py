def decode_on_white(data):
    rgba = tf.io.decode_png(data, channels=4)
    opacity = tf.cast(rgba[..., 3:], tf.float32) / 255.0
    rgb = tf.cast(rgba[..., :3], tf.float32) * opacity + 255.0 * (1.0 - opacity)
    return tf.cast(tf.math.round(rgb), tf.uint8)


ex.check_decode_on_white(decode_on_white)
