"""helpers.process_work: the work spawned workers run (decode, parse) and pools that leave nothing behind."""

from __future__ import annotations

import multiprocessing
import os

import numpy as np
import psutil
import pytest

from helpers import images, process_work
from tests.support import write_test_jpegs


@pytest.fixture(scope="module")
def jpegs(tmp_path_factory):
    return write_test_jpegs(tmp_path_factory.mktemp("jpegs"), 3, height=240, width=320, seed=3)


def test_decode_into_matches_the_reference_loader(jpegs):
    out = np.empty((224, 224, 3), np.uint8)
    for path in jpegs * 2:  # the second round decodes into the reused buffer
        process_work.decode_into(path, out)
        reference = images.load_image_uint8(path, size=(224, 224))
        assert np.abs(out.astype(int) - reference.astype(int)).max() <= 1


def test_decode_into_enlarges_like_the_reference_loader(tmp_path):
    [path] = write_test_jpegs(tmp_path, 1, height=60, width=80, seed=4)
    out = process_work.decode_into(path, np.empty((224, 224, 3), np.uint8))
    reference = images.load_image_uint8(path, size=(224, 224))
    assert np.abs(out.astype(int) - reference.astype(int)).max() <= 1


def test_decode_into_names_a_missing_or_broken_file(jpegs, tmp_path):
    out = np.empty((224, 224, 3), np.uint8)
    process_work.decode_into(jpegs[0], out)  # this thread now has a buffer: a failure must still show
    broken = tmp_path / "broken.jpg"
    broken.write_bytes(b"not a JPEG")
    with pytest.raises(ValueError, match="broken.jpg"):
        process_work.decode_into(str(broken), out)
    with pytest.raises(FileNotFoundError, match="missing.jpg"):
        process_work.decode_into(str(tmp_path / "missing.jpg"), out)


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
        results = list(pool.map(process_work.decode_image, jpegs))
    assert all(pid != os.getpid() for pid, _ in results)
    reference = images.load_image_uint8(jpegs[0], size=(224, 224))
    assert np.abs(results[0][1].astype(int) - reference.astype(int)).max() <= 1
    assert _children() == before


def test_spawn_pool_stops_its_workers_when_the_block_fails():
    before = _children()
    with pytest.raises(RuntimeError, match="boom"), process_work.spawn_pool(2) as pool:
        list(pool.map(process_work.worker_pid, range(2)))
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
