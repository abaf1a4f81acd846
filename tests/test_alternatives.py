"""helpers.alternatives: the capability probes, the decision table and the PyDataset of the kit's images."""

from __future__ import annotations

import numpy as np
import pytest
import tensorflow as tf

from helpers import alternatives, graph_native, image_work, measure
from tests.support import write_test_jpegs

BATCH_SIZE = 4


@pytest.fixture(scope="module")
def jpegs(tmp_path_factory):
    return write_test_jpegs(tmp_path_factory.mktemp("jpegs"), 6, height=240, width=320, seed=5)


def _generator_dataset(paths):
    signature = tf.TensorSpec((224, 224, 3), tf.float32)
    dataset = tf.data.Dataset.from_generator(
        image_work.reference_images, args=(paths,), output_signature=signature
    )
    return dataset.batch(BATCH_SIZE)


def test_image_batches_give_the_reference_images(jpegs):
    batches = alternatives.ImageBatches(jpegs, batch_size=BATCH_SIZE)
    assert len(batches) == 2
    images = np.concatenate([batches[i][0] for i in range(len(batches))])
    reference = np.stack(list(image_work.reference_images(jpegs)))
    assert image_work.check_same_output("PyDataset", images, reference).same_output
    with pytest.raises(IndexError):
        batches[2]


def test_probes_tell_a_generator_from_a_graph_native_pipeline(jpegs, tmp_path):
    # Long enough that prefetch has not read the generator to its end when the probe saves.
    generator = alternatives.probe_dataset(_generator_dataset(jpegs * 10).prefetch(2))
    assert not generator.checkpointable and "PyFunc is stateful" in generator.checkpoint_evidence
    assert generator.python_ops == ("PyFunc",) and not generator.runs_on_service_workers
    assert not generator.known_length and not generator.file_shardable
    graph = alternatives.probe_dataset(graph_native.image_dataset(jpegs).batch(BATCH_SIZE))
    assert graph.checkpointable and graph.python_ops == () and graph.runs_on_service_workers
    assert graph.known_length and not graph.file_shardable
    files = [str(tmp_path / f"shard-{shard}.tfrecord") for shard in range(2)]
    for shard, file in enumerate(files):
        graph_native.write_tfrecord(jpegs[shard::2], file)
    records = alternatives.probe_dataset(tf.data.TFRecordDataset(files).map(graph_native.parse_image_record))
    assert records.file_shardable and not records.known_length


def test_auto_shard_by_data_keeps_every_other_element():
    dataset = tf.data.Dataset.range(6)
    policy = tf.data.experimental.AutoShardPolicy.DATA
    shard = alternatives.auto_shard(dataset, num_workers=2, index=1, policy=policy)
    assert list(shard.as_numpy_iterator()) == [1, 3, 5]


def test_probe_py_dataset_goes_through_keras_generator(jpegs):
    found = alternatives.probe_py_dataset(alternatives.ImageBatches(jpegs * 10, batch_size=BATCH_SIZE))
    assert not found.checkpointable and found.python_ops and found.known_length


def _result(name, images_per_second, cpu_seconds_per_image, child_share):
    cpu = cpu_seconds_per_image * 10
    timing = measure.PassTiming(10, 10 / images_per_second, cpu, cpu * child_share)
    return measure.ThroughputResult(name, (timing,))


def test_decision_rows_come_from_the_results():
    results = {"a": _result("a", 50.0, 0.004, 0.9), "b": _result("b", 100.0, 0.002, 0.0)}
    found = {
        "a": alternatives.Probes(False, "FailedPreconditionError", ("PyFunc",), False, False, False),
        "b": alternatives.Probes(True, "saved", (), True, False, True),
    }
    checks = {
        "a": image_work.OutputCheck("a", 10, 0.0, True, True),
        "b": image_work.OutputCheck("b", 10, 3.0, True, False),
    }
    header, rows = alternatives.decision_rows(results, found, checks, limit=_result("limit", 200.0, 0.002, 1))
    assert all(len(row) == len(header) for row in rows)
    assert rows[0][:5] == ["a", "0.25", "4.0", "yes (0)", "no"]
    assert rows[0][-1].startswith("yes: 90%") and rows[0][-2] == "yes"
    assert rows[1][:5] == ["b", "0.50", "2.0", "no (3)", "yes"]
    assert rows[1][7].startswith("yes: by file") and rows[1][-1].startswith("yes: no Python")


def test_all_names_exist():
    assert all(hasattr(alternatives, name) for name in alternatives.__all__)
