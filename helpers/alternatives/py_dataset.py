"""A keras `PyDataset` of the kit's images, and one epoch of `fit` over it (notebook 08's PyDataset rows).

    batches = alternatives.ImageBatches(paths, batch_size=32, workers=2, use_multiprocessing=True)
    one_epoch = alternatives.py_dataset_fit_pass(batches, model)   # for `measure.compare`

It lives in a module, not a notebook, because Keras's worker processes unpickle it. It may import Keras,
NumPy and `helpers.process_work`; nothing else of this package.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import keras
import numpy as np

from helpers import process_work

__all__ = ["ImageBatches", "py_dataset_fit_pass"]


class ImageBatches(keras.utils.PyDataset):
    """A `keras.utils.PyDataset` of (images, labels) batches: the kit's images (`image_work`), labels all 0.

    Keras calls `__getitem__(i)` for batch i, from `workers` threads or, with `use_multiprocessing`,
    processes (which unpickle this object, so it must live in an importable module, not a notebook).
    `on_epoch_end` reshuffles which files make up each batch: random access gives a global shuffle.
    """

    def __init__(
        self,
        paths: Sequence[str],
        *,
        batch_size: int = 32,
        shuffle: bool = False,
        seed: int = 0,
        **kwargs,
    ) -> None:
        super().__init__(**kwargs)
        self.paths = [str(p) for p in paths]
        self.batch_size = batch_size
        self.shuffle = shuffle
        self._rng = np.random.default_rng(seed)
        self.order = np.arange(len(self.paths))
        if shuffle:
            self._rng.shuffle(self.order)

    def __len__(self) -> int:
        return math.ceil(len(self.paths) / self.batch_size)

    def __getitem__(self, index: int) -> tuple[np.ndarray, np.ndarray]:
        if not 0 <= index < len(self):
            raise IndexError(f"batch {index} of {len(self)}")
        chosen = self.order[index * self.batch_size : (index + 1) * self.batch_size]
        batch = process_work.decode_batch([self.paths[i] for i in chosen])
        return batch.astype(np.float32) / np.float32(255), np.zeros(len(chosen), np.int64)

    def on_epoch_end(self) -> None:
        if self.shuffle:
            self._rng.shuffle(self.order)


def py_dataset_fit_pass(py_dataset: ImageBatches, model: keras.Model) -> Callable[[], int]:
    """Returns a function running one epoch of `model.fit(py_dataset)`, returning the images it saw.

    `use_multiprocessing=True` workers are spawned (see `process_work.spawn_start_method`), so the pass
    includes starting them: Keras starts its pool at each epoch.
    """

    def one_epoch() -> int:
        with process_work.spawn_start_method():
            model.fit(py_dataset, epochs=1, verbose=0)
        return len(py_dataset.paths)

    return one_epoch
