"""Plain Python/NumPy generator functions to feed `tf.data.Dataset.from_generator` (no TensorFlow here).

    from helpers import generators
    list(generators.square_pairs(3))                             # [(0, 0), (1, 1), (2, 4)]
    list(generators.paragraph_word_lengths(["Pad them. Go!"]))   # [[[3, 4], [2]]]

Each is named for what it yields; the `tf.TensorSpec` signature that matches it lives beside the
`from_generator` call in the notebook. Pass the function itself (or a `lambda` calling it), never a generator.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import Any

import numpy as np

__all__ = ["paragraph_word_lengths", "pixel_label_batches", "sentence_records", "square_pairs"]


def square_pairs(count: int = 10) -> Iterator[tuple[int, int]]:
    """Yields `(i, i**2)` (two Python ints) for `i` in `range(count)`: the kit's first generator (the
    article's is `i, i*2`)."""
    for i in range(count):
        yield (i, i**2)


def _words(sentence: str) -> list[str]:
    words = (word.strip(".,;:!?\"'()") for word in sentence.split())
    return [word for word in words if word]


def paragraph_word_lengths(paragraphs: Iterable[str]) -> Iterator[list[list[int]]]:
    """Yields, per paragraph, the word lengths of each of its sentences (ended by '.', '!' or '?').

    Paragraphs differ in sentences and sentences in words: an element has two variable dimensions, the
    shape of a `tf.RaggedTensor` with `ragged_rank=1`.

    Yields:
        Lists (one per sentence) of lists of ints (one per word).
    """
    for paragraph in paragraphs:
        sentences = re.split(r"(?<=[.!?])\s+", paragraph.strip())
        yield [[len(word) for word in _words(sentence)] for sentence in sentences if sentence]


def sentence_records(sentences: Iterable[str]) -> Iterator[dict[str, Any]]:
    """Yields one dict per sentence: `{"text": str, "word_lengths": int32 array, "word_count": int}`."""
    for sentence in sentences:
        lengths = np.array([len(word) for word in _words(sentence)], dtype=np.int32)
        yield {"text": sentence, "word_lengths": lengths, "word_count": len(lengths)}


def pixel_label_batches(
    count: int, batch_size: int, *, seed: int = 0
) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """Yields `count` random 8x8 RGB uint8 images with int64 labels, `batch_size` at a time.

    The last batch is shorter when `batch_size` does not divide `count`, as real batched data is; `seed`
    makes every pass yield the same batches.

    Yields:
        `(images, labels)`: uint8 (n, 8, 8, 3) with values 0..255 and int64 (n,) of 0..9.
    """
    rng = np.random.default_rng(seed)
    for start in range(0, count, batch_size):
        size = min(batch_size, count - start)
        yield (
            rng.integers(0, 256, size=(size, 8, 8, 3), dtype=np.uint8),
            rng.integers(0, 10, size=size, dtype=np.int64),
        )
