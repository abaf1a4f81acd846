NUMBER = tf.TensorSpec(shape=(), dtype=tf.int32)


def numbers_dataset(texts, skipped):
    def whole_numbers(texts):
        for text in texts:
            try:
                number = int(text)
            except ValueError:
                skipped.append(text)  # nothing lost silently
                continue
            yield number

    return tf.data.Dataset.from_generator(whole_numbers, args=(texts,), output_signature=NUMBER)


ex.check_numbers_dataset(numbers_dataset)
