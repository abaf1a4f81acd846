"""What a pipeline can do, found by trying it, and the decision table; a keras PyDataset of the kit's images.

    probes = {"map": alternatives.probe_dataset(dataset)}      # checkpoint, service, sharding, ...
    header, rows = alternatives.decision_rows(results, probes, checks, limit=limit)
    batches = alternatives.ImageBatches(paths, batch_size=32, workers=2)

Notebook 08 builds each alternative in its own cell, times them with `measure.compare` beside the
measured limit (`process_work.limit_pass`) and checks their images with `image_work.check_same_output`.
The capability answers come from probes run on the real pipelines (a checkpoint tried, the graph
serialised and searched for Python ops, tf.data's file auto-sharding tried), not from a typed table.

The package, one job a module (every name is re-exported here): `probes` (checkpoint, Python ops,
auto-sharding), `decision` (`decision_rows`), `py_dataset` (`ImageBatches`, which Keras's worker
processes must import, and its fit pass). Importing the package imports TensorFlow and Keras.
"""

from helpers.alternatives.decision import decision_rows
from helpers.alternatives.probes import (
    PYTHON_OPS,
    Probes,
    auto_shard,
    graph_op_names,
    probe_dataset,
    probe_py_dataset,
)
from helpers.alternatives.py_dataset import ImageBatches, py_dataset_fit_pass

__all__ = [
    "PYTHON_OPS",
    "ImageBatches",
    "Probes",
    "auto_shard",
    "decision_rows",
    "graph_op_names",
    "probe_dataset",
    "probe_py_dataset",
    "py_dataset_fit_pass",
]
