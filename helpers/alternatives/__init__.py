"""The same image work through each input pipeline worth considering, measured and probed side by side.

    dataset = alternatives.numpy_function_dataset(paths, batch_size=32)   # paths -> float32 batches
    reference = alternatives.dataset_images(alternatives.reference_dataset(paths))
    checks = {"map": alternatives.check_same_output("map", alternatives.dataset_images(dataset), reference)}
    costs = alternatives.measure_pass_costs({"map": alternatives.dataset_pass(dataset)})
    probes = {"map": alternatives.probe_dataset(dataset)}                   # checkpoint, service, ...
    header, rows = alternatives.decision_rows(costs, probes, checks, limit_images_per_second=limit)

Every builder turns 640x480 JPEGs into batches of 224x224 RGB float32 in [0, 1] (OpenCV's area resize, or
TensorFlow ops that match it); `check_same_output` compares each with the reference generator's images.
The capability answers come from probes run on the real pipelines (a checkpoint tried, the graph
serialised and searched for Python ops, tf.data's file auto-sharding tried), not from a typed table.

The package, one job a module (every name is re-exported here; use it as `alternatives.<name>`):
`builders` (the pipelines, `ImageBatches` and its fit pass), `costs` (the output check, timed passes, the
machine's limit, other programs' load), `probes` (checkpoint, Python ops, auto-sharding), `decision`
(`decision_rows`). Importing the package imports TensorFlow and Keras (through `builders` and `probes`).
"""

from helpers.alternatives.builders import (
    BATCH_SIGNATURE,
    IMAGE_SIGNATURE,
    IMAGE_SIZE,
    ImageBatches,
    directory_dataset,
    graph_native_dataset,
    index_dataset,
    numpy_function_dataset,
    opencv_loader,
    process_pool_dataset,
    py_dataset_fit_pass,
    reference_dataset,
    tfrecord_dataset,
)
from helpers.alternatives.costs import (
    OtherLoad,
    OutputCheck,
    PassCost,
    check_same_output,
    dataset_images,
    dataset_pass,
    limit_pass,
    measure_pass_costs,
    timed_pass,
)
from helpers.alternatives.decision import decision_rows
from helpers.alternatives.probes import (
    PYTHON_OPS,
    Probes,
    auto_shard,
    graph_op_names,
    probe_dataset,
    probe_py_dataset,
)

__all__ = [
    "BATCH_SIGNATURE",
    "IMAGE_SIGNATURE",
    "IMAGE_SIZE",
    "ImageBatches",
    "OtherLoad",
    "OutputCheck",
    "PassCost",
    "Probes",
    "PYTHON_OPS",
    "auto_shard",
    "check_same_output",
    "dataset_images",
    "dataset_pass",
    "decision_rows",
    "directory_dataset",
    "graph_native_dataset",
    "graph_op_names",
    "index_dataset",
    "limit_pass",
    "measure_pass_costs",
    "numpy_function_dataset",
    "opencv_loader",
    "probe_dataset",
    "probe_py_dataset",
    "process_pool_dataset",
    "py_dataset_fit_pass",
    "reference_dataset",
    "tfrecord_dataset",
    "timed_pass",
]
