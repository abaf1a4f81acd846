"""helpers.alternatives: every builder gives the reference's images; probes, costs and the decision table."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import psutil
import pytest
import tensorflow as tf

from helpers import alternatives, process_work
from helpers.alternatives import builders, costs, decision, probes
from helpers.paths import REPO_ROOT
from tests.support import write_test_jpegs

BATCH_SIZE = 4


@pytest.fixture(scope="module")
def jpegs(tmp_path_factory):
    return write_test_jpegs(tmp_path_factory.mktemp("jpegs"), 6, height=240, width=320, seed=5)


@pytest.fixture(scope="module")
def reference(jpegs):
    return alternatives.dataset_images(alternatives.reference_dataset(jpegs, batch_size=BATCH_SIZE))


def test_reference_is_the_opencv_loader(jpegs, reference):
    assert reference.shape == (6, 224, 224, 3) and reference.dtype == np.float32
    np.testing.assert_array_equal(reference[2], alternatives.opencv_loader(jpegs[2]))


@pytest.mark.parametrize(
    "build",
    [
        alternatives.numpy_function_dataset,
        lambda paths, batch_size: alternatives.index_dataset(paths, batch_size=batch_size, shuffle=False),
        alternatives.process_pool_dataset,
        alternatives.graph_native_dataset,
        alternatives.tfrecord_dataset,
    ],
    ids=["numpy_function", "index", "process_pool", "graph_native", "tfrecord"],
)
def test_builders_give_the_reference_images(build, jpegs, reference, tmp_path):
    kwargs = {"folder": tmp_path} if build is alternatives.tfrecord_dataset else {}
    dataset = build(jpegs, batch_size=BATCH_SIZE, **kwargs)
    assert dataset.element_spec.dtype == tf.float32
    check = alternatives.check_same_output("candidate", alternatives.dataset_images(dataset), reference)
    assert check.same_output, check


def test_directory_dataset_reads_exactly_the_paths_and_reports_its_difference(jpegs, reference, tmp_path):
    dataset = alternatives.directory_dataset(jpegs, batch_size=BATCH_SIZE, folder=tmp_path / "links")
    check = alternatives.check_same_output("directory", alternatives.dataset_images(dataset), reference)
    assert check.images == len(jpegs)
    assert 0 < check.max_levels < 64  # the fast IDCT: close, not equal


def test_index_dataset_shuffles_every_index_once_per_epoch(jpegs, reference):
    shuffled = alternatives.dataset_images(alternatives.index_dataset(jpegs, batch_size=BATCH_SIZE, seed=1))
    order = [
        int(np.argmin(np.abs(reference - image).reshape(len(reference), -1).max(1))) for image in shuffled
    ]
    assert sorted(order) == list(range(len(jpegs)))
    assert order != list(range(len(jpegs)))


def test_check_same_output_names_a_shape_mismatch(reference):
    with pytest.raises(ValueError, match="short one"):
        alternatives.check_same_output("short one", reference[:2], reference)


def test_image_batches_gives_the_reference_images(jpegs, reference):
    batches = alternatives.ImageBatches(jpegs, batch_size=BATCH_SIZE)
    assert len(batches) == 2
    images = np.concatenate([batches[i][0] for i in range(len(batches))])
    assert alternatives.check_same_output("PyDataset", images, reference).same_output
    with pytest.raises(IndexError):
        batches[2]


def test_probes_tell_a_generator_from_a_graph_native_pipeline(jpegs, tmp_path):
    # Long enough that prefetch has not read the generator to its end when the probe saves.
    many = jpegs * 10
    generator = alternatives.probe_dataset(alternatives.reference_dataset(many, batch_size=BATCH_SIZE))
    assert not generator.checkpointable and "PyFunc is stateful" in generator.checkpoint_evidence
    assert generator.python_ops == ("PyFunc",) and not generator.runs_on_service_workers
    assert not generator.known_length and not generator.file_shardable
    graph = alternatives.probe_dataset(alternatives.graph_native_dataset(jpegs, batch_size=BATCH_SIZE))
    assert graph.checkpointable and graph.python_ops == () and graph.runs_on_service_workers
    assert graph.known_length and not graph.file_shardable
    records = alternatives.probe_dataset(
        alternatives.tfrecord_dataset(jpegs, batch_size=BATCH_SIZE, folder=tmp_path)
    )
    assert records.file_shardable and not records.known_length


def test_auto_shard_by_data_keeps_every_other_element():
    dataset = tf.data.Dataset.range(6)
    policy = tf.data.experimental.AutoShardPolicy.DATA
    shard = alternatives.auto_shard(dataset, num_workers=2, index=1, policy=policy)
    assert list(shard.as_numpy_iterator()) == [1, 3, 5]


def test_probe_py_dataset_goes_through_keras_generator(jpegs):
    probes = alternatives.probe_py_dataset(alternatives.ImageBatches(jpegs * 10, batch_size=BATCH_SIZE))
    assert not probes.checkpointable and probes.python_ops and probes.known_length


def test_measure_pass_costs_structure(jpegs):
    dataset = alternatives.graph_native_dataset(jpegs, batch_size=BATCH_SIZE)
    [cost] = alternatives.measure_pass_costs({"graph": alternatives.dataset_pass(dataset)}, repeats=2)
    assert cost.name == "graph" and cost.images == len(jpegs) and len(cost.samples) == 2
    assert cost.images_per_second > 0 and cost.cpu_seconds_per_image > 0
    assert cost.child_cpu_share == 0.0


def test_timed_pass_counts_worker_cpu(jpegs):
    with process_work.spawn_pool(1) as pool:
        dataset = alternatives.process_pool_dataset(jpegs * 4, batch_size=BATCH_SIZE, pool=pool)
        alternatives.dataset_pass(dataset)()
        elements, seconds, own, children = alternatives.timed_pass(alternatives.dataset_pass(dataset))
    assert elements == 24 and seconds > 0 and own > 0 and children > 0


def test_process_pool_dataset_without_a_pool_leaves_no_process(jpegs):
    def workers():
        return [
            child.pid
            for child in psutil.Process().children(recursive=True)
            if "resource_tracker" not in " ".join(child.cmdline())
        ]

    before = workers()
    dataset = alternatives.process_pool_dataset(jpegs, batch_size=BATCH_SIZE, workers=1)
    assert len(alternatives.dataset_images(dataset)) == len(jpegs)
    assert workers() == before


def test_other_load_is_never_negative():
    with alternatives.OtherLoad() as load:
        sum(range(10_000))
    assert load.other_cores >= 0.0


def test_decision_rows_come_from_the_results():
    cost = alternatives.PassCost("a", 10, 50.0, 0.004, 0.9, (50.0,))
    plain = alternatives.PassCost("b", 10, 100.0, 0.002, 0.0, (100.0,))
    probes = {
        "a": alternatives.Probes(False, "FailedPreconditionError", ("PyFunc",), False, False, False),
        "b": alternatives.Probes(True, "saved", (), True, False, True),
    }
    checks = {
        "a": alternatives.OutputCheck("a", 10, 0.0, 1.0, True),
        "b": alternatives.OutputCheck("b", 10, 3.0, 1.0, False),
    }
    header, rows = alternatives.decision_rows([cost, plain], probes, checks, limit_images_per_second=200.0)
    assert all(len(row) == len(header) for row in rows)
    assert rows[0][:5] == ["a", "0.25", "4.0", "yes (0)", "no"]
    assert rows[0][-1].startswith("yes: 90%") and rows[0][-2] == "yes"
    assert rows[1][:5] == ["b", "0.50", "2.0", "no (3)", "yes"]
    assert rows[1][7].startswith("yes: by file") and rows[1][-1].startswith("yes: no Python")


def test_directory_dataset_refuses_a_folder_of_real_files(jpegs, tmp_path):
    (tmp_path / "keep.txt").write_text("mine")
    with pytest.raises(ValueError, match="not links"):
        alternatives.directory_dataset(jpegs, folder=tmp_path)
    assert (tmp_path / "keep.txt").read_text() == "mine"


def test_imports_and_times_a_pass_without_the_resource_module():
    # Windows has no `resource`; psutil (imported first) needs it on Linux, the package must not.
    code = (
        "import sys, psutil\nsys.modules['resource'] = None\nfrom helpers import alternatives\n"
        "elements, seconds, own, children = alternatives.timed_pass(lambda: 3)\n"
        "print(elements, seconds > 0, children >= 0)"
    )
    completed = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO_ROOT, timeout=300
    )
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.split() == ["3", "True", "True"]


@pytest.mark.parametrize(
    "module",
    [alternatives, builders, costs, probes, decision, process_work],
    ids=lambda module: module.__name__,
)
def test_all_names_exist(module):
    assert all(hasattr(module, name) for name in module.__all__)


def test_the_package_re_exports_every_public_name_of_its_modules():
    public = {name for module in (builders, costs, probes, decision) for name in module.__all__}
    assert public == set(alternatives.__all__)
