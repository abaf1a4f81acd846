"""helpers.process_work: what spawned workers run (the limit, decode, parse) and pools that leave nothing."""

from __future__ import annotations

import multiprocessing
import os

import numpy as np
import psutil
import pytest

from helpers import image_work, images, process_work
from tests.support import write_test_jpegs


@pytest.fixture(scope="module")
def jpegs(tmp_path_factory):
    return write_test_jpegs(tmp_path_factory.mktemp("jpegs"), 3, height=240, width=320, seed=3)


def test_reference_work_gives_the_reference_images(jpegs):
    out = np.empty((len(jpegs), 224, 224, 3), np.float32)
    assert process_work.reference_work(jpegs, out=out) == len(jpegs)
    reference = np.stack(list(image_work.reference_images(jpegs)))
    assert image_work.check_same_output("reference work", out, reference).same_output
    assert process_work.reference_work(jpegs) == len(jpegs)  # nothing kept


def test_decode_batch_gives_the_reference_images_as_uint8(jpegs):
    batch = process_work.decode_batch(jpegs)
    assert batch.shape == (3, 224, 224, 3) and batch.dtype == np.uint8
    np.testing.assert_array_equal(batch[1], images.load_image_uint8(jpegs[1], size=(224, 224)))


def test_the_limit_runs_every_file_in_workers_without_tensorflow(jpegs):
    with process_work.spawn_pool(2) as pool:
        one_pass = process_work.limit_pass(pool, jpegs * 5)
        assert one_pass() == 15
        imported = pool.submit(eval, "'tensorflow' in __import__('sys').modules").result()
    assert imported is False
    with process_work.spawn_pool(1) as pool, pytest.raises(FileNotFoundError, match="missing.jpg"):
        process_work.limit_pass(pool, ["missing.jpg"])()


def test_text_records_are_reproducible_and_parse():
    records = process_work.text_records(5, seed=1)
    assert records == process_work.text_records(5, seed=1)
    assert records != process_work.text_records(5, seed=2)
    rows = process_work.parse_records(records)
    assert rows.shape == (5, process_work.RECORD_FIELDS + 3) and rows.dtype == np.float32
    values = [float(text) for text in records[0].split(";")[1].split("=")[1].split(",")]
    np.testing.assert_allclose(rows[0, : process_work.RECORD_FIELDS], values, rtol=1e-6)
    np.testing.assert_allclose(rows[0, process_work.RECORD_FIELDS], np.mean(values), rtol=1e-5)
    np.testing.assert_allclose(rows[0, process_work.RECORD_FIELDS + 1], np.std(values), rtol=1e-4)
    assert rows[0, -1] == float("red" in records[0])


def test_parse_record_rejects_a_malformed_record():
    with pytest.raises(ValueError, match="not a record: 'id=1;values=2'"):
        process_work.parse_record("id=1;values=2")


def _children() -> list[int]:
    """Child processes, except multiprocessing's resource tracker (one per parent, for its lifetime)."""
    children = []
    for child in psutil.Process().children(recursive=True):
        try:
            if "resource_tracker" not in " ".join(child.cmdline()):
                children.append(child.pid)
        except psutil.NoSuchProcess:
            continue
    return children


def test_spawn_pool_runs_elsewhere_and_leaves_no_process(jpegs):
    before = _children()
    with process_work.spawn_pool(2) as pool:
        pids = [task.result() for task in [pool.submit(os.getpid) for _ in range(4)]]
        batch = pool.submit(process_work.decode_batch, jpegs).result()
    assert all(pid != os.getpid() for pid in pids)
    np.testing.assert_array_equal(batch, process_work.decode_batch(jpegs))
    assert _children() == before


def test_spawn_pool_stops_its_workers_when_the_block_fails():
    before = _children()
    with pytest.raises(RuntimeError, match="boom"), process_work.spawn_pool(2) as pool:
        pool.submit(os.getpid).result()
        raise RuntimeError("boom")
    assert _children() == before


def test_spawn_start_method_restores_the_previous_default():
    previous = multiprocessing.get_start_method(allow_none=True)
    with process_work.spawn_start_method():
        assert multiprocessing.get_start_method() == "spawn"
    assert multiprocessing.get_start_method(allow_none=True) == previous


def test_startup_seconds_is_positive_and_leaves_no_process():
    before = _children()
    assert process_work.startup_seconds(1) > 0
    assert _children() == before


def test_parse_slice_parses_the_same_records_and_checks_bounds():
    expected = process_work.parse_records(process_work.text_records(10, seed=2)[3:7])
    np.testing.assert_array_equal(process_work.parse_slice((3, 7), count=10, seed=2), expected)
    with pytest.raises(ValueError, match="outside the 10 records"):
        process_work.parse_slice((8, 12), count=10)
