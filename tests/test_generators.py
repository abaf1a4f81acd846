"""helpers.generators: what each generator yields, with no TensorFlow involved."""

import subprocess
import sys

import numpy as np

from helpers import generators


def test_square_pairs_default_is_the_articles_ten_pairs():
    assert list(generators.square_pairs()) == [(i, i * i) for i in range(10)]


def test_square_pairs_count_and_fresh_generator_each_call():
    assert list(generators.square_pairs(3)) == [(0, 0), (1, 1), (2, 4)]
    assert list(generators.square_pairs(0)) == []
    first = generators.square_pairs(4)
    assert len(list(first)) == 4
    assert list(first) == [], "a generator object is used up after one pass"
    assert len(list(generators.square_pairs(4))) == 4


def test_paragraph_word_lengths_split_sentences_at_end_marks():
    paragraphs = ["One two. Three four five! Six?", "No end mark here"]
    assert list(generators.paragraph_word_lengths(paragraphs)) == [
        [[3, 3], [5, 4, 4], [3]],
        [[2, 3, 4, 4]],
    ]


def test_sentence_records_accept_a_one_shot_iterator():
    records = list(generators.sentence_records(iter(["Hi there.", "Go!"])))
    assert [record["text"] for record in records] == ["Hi there.", "Go!"]
    assert [record["word_lengths"].tolist() for record in records] == [[2, 5], [2]]
    assert [record["word_count"] for record in records] == [2, 1]
    assert records[0]["word_lengths"].dtype == np.int32


def test_sentence_records_ignore_punctuation_around_words():
    records = generators.sentence_records(["Pad them.", "Hello, (big) world!", "", "..."])
    assert [record["word_lengths"].tolist() for record in records] == [[3, 4], [5, 3, 5], [], []]


def test_module_does_not_import_tensorflow():
    code = "import sys, helpers.generators; print('tensorflow' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"
