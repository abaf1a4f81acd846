SENTENCE_SIGNATURE = (
    {"text": tf.TensorSpec((), tf.string), "word_lengths": tf.TensorSpec((None,), tf.int32)},
    tf.TensorSpec((), tf.int32),
)


def features_and_label(sentences):
    for record in generators.sentence_records(sentences):
        yield {"text": record["text"], "word_lengths": record["word_lengths"]}, record["word_count"]


def make_sentence_dataset(sentences):
    return tf.data.Dataset.from_generator(
        lambda: features_and_label(sentences), output_signature=SENTENCE_SIGNATURE
    )


ex.check_sentence_dataset(make_sentence_dataset)
