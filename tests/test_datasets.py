"""Tests for helpers.datasets: the digits PNGs and the benchmark JPEGs, written into temporary folders."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import pytest
from sklearn.datasets import load_digits

from helpers import datasets, images, paths

DIGITS = load_digits()


def file_bytes(files: list[Path]) -> list[bytes]:
    return [path.read_bytes() for path in files]


def in_folder(folder: Path, make: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Calls `make` (a dataset writer) with its folder at `folder` instead of in the cache."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(datasets, "cache_dir", lambda _name: folder)
        folder.mkdir(parents=True, exist_ok=True)
        return make(*args, **kwargs)


@pytest.fixture
def no_writes(monkeypatch: pytest.MonkeyPatch) -> None:
    """Makes any file write fail, to prove that complete output is reused as is."""

    def refuse(path: Path, data: bytes) -> None:
        raise AssertionError(f"unexpected write of {path.name}")

    monkeypatch.setattr(datasets, "_write_atomically", refuse)


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Points helpers.paths.cache_dir at a temporary folder (what FGLAB_CACHE_DIR does at import)."""
    monkeypatch.setattr(paths, "CACHE_DIR", tmp_path / "cache")
    return tmp_path / "cache"


@pytest.fixture(scope="module")
def digits_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("digits")
    in_folder(folder, datasets.digit_files, progress=False)
    return folder


# --- digits ---------------------------------------------------------------------------------


def test_digit_files_one_png_per_image_in_class_folders(digits_folder: Path) -> None:
    files, labels = in_folder(digits_folder, datasets.digit_files, progress=False)
    assert len(files) == len(labels) == len(DIGITS.images) == 1797
    assert labels == DIGITS.target.tolist()
    assert all(type(label) is int for label in labels)
    assert all(path.parent == digits_folder / str(label) for path, label in zip(files, labels, strict=True))
    assert sorted(p.name for p in digits_folder.iterdir() if p.is_dir()) == list(datasets.DIGIT_CLASSES)
    assert sum(1 for _ in digits_folder.glob("?/*.png")) == 1797


@pytest.mark.parametrize("index", [0, 1, 500, 1796])
def test_digit_pixels_are_the_dataset_scaled_to_255(digits_folder: Path, index: int) -> None:
    files, _ = in_folder(digits_folder, datasets.digit_files, progress=False)
    pixels = cv2.imread(str(files[index]), cv2.IMREAD_UNCHANGED)
    assert pixels.shape == (8, 8) and pixels.dtype == np.uint8
    np.testing.assert_array_equal(pixels, np.rint(DIGITS.images[index] * 255 / 16))


def test_digit_values_span_0_to_255(digits_folder: Path) -> None:
    files, _ = in_folder(digits_folder, datasets.digit_files, progress=False)
    stacked = np.stack([cv2.imread(str(path), cv2.IMREAD_UNCHANGED) for path in files[:50]])
    assert stacked.min() == 0 and stacked.max() == 255


def test_digits_load_through_helpers_images(digits_folder: Path) -> None:
    files, _ = in_folder(digits_folder, datasets.digit_files, progress=False)
    image = images.load_image(files[0])
    assert image.shape == (8, 8, 3)
    np.testing.assert_allclose(image[..., 0], np.rint(DIGITS.images[0] * 255 / 16) / 255, atol=1e-7)


def test_complete_digits_are_reused_without_writing(digits_folder: Path, no_writes: None) -> None:
    files, _ = in_folder(digits_folder, datasets.digit_files, progress=False)
    assert len(files) == 1797


def test_half_written_digits_are_rebuilt(tmp_path: Path, digits_folder: Path) -> None:
    folder = tmp_path / "digits"
    files, _ = in_folder(folder, datasets.digit_files, progress=False)
    expected = file_bytes(files)
    # An interrupted run: no completion marker, a file missing, one garbled, a stray one.
    (folder / ".complete.json").unlink()
    files[3].unlink()
    files[4].write_bytes(b"garbage")
    stray = folder / "7" / "9999.png"
    stray.write_bytes(b"old")
    rebuilt, _ = in_folder(folder, datasets.digit_files, progress=False)
    assert file_bytes(rebuilt) == expected
    assert not stray.exists()
    assert (folder / ".complete.json").is_file()


def test_missing_digit_file_with_marker_present_triggers_a_rebuild(tmp_path: Path) -> None:
    folder = tmp_path / "digits"
    files, _ = in_folder(folder, datasets.digit_files, progress=False)
    files[10].unlink()
    in_folder(folder, datasets.digit_files, progress=False)
    assert files[10].is_file()


def test_digits_are_deterministic(tmp_path: Path, digits_folder: Path) -> None:
    again, _ = in_folder(tmp_path / "again", datasets.digit_files, progress=False)
    first, _ = in_folder(digits_folder, datasets.digit_files, progress=False)
    assert file_bytes(again) == file_bytes(first)


def test_digits_default_to_the_cache_folder(cache: Path) -> None:
    files, _ = datasets.digit_files(progress=False)
    assert files[0].parent.parent == cache / "digits"


def test_progress_bar_on_stderr_only_when_asked(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    in_folder(tmp_path / "quiet", datasets.digit_files, progress=False)
    assert capsys.readouterr().err == ""
    in_folder(tmp_path / "loud", datasets.digit_files, progress=True)
    captured = capsys.readouterr()
    assert "digits" in captured.err and "1797/1797" in captured.err
    assert captured.out == ""


# --- benchmark JPEGs ------------------------------------------------------------------------


def test_benchmark_jpegs_small_set(tmp_path: Path) -> None:
    files = in_folder(tmp_path, datasets.benchmark_jpegs, 5, width=64, height=48, progress=False)
    assert [path.name for path in files] == [f"{index:06d}.jpg" for index in range(5)]
    for path in files:
        assert path.read_bytes()[:3] == b"\xff\xd8\xff"
        image = images.load_image_uint8(path)
        assert image.shape == (48, 64, 3)
        assert image.std() > 5  # a photo crop, not a flat colour


def test_benchmark_jpegs_are_deterministic(tmp_path: Path) -> None:
    first = in_folder(tmp_path / "a", datasets.benchmark_jpegs, 5, width=64, height=48, progress=False)
    second = in_folder(tmp_path / "b", datasets.benchmark_jpegs, 5, width=64, height=48, progress=False)
    assert file_bytes(first) == file_bytes(second)
    assert len(set(file_bytes(first))) == 5


def test_benchmark_jpegs_reuse_extend_and_shrink(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fresh = in_folder(tmp_path / "fresh", datasets.benchmark_jpegs, 8, width=32, height=24, progress=False)
    folder = tmp_path / "grown"
    in_folder(folder, datasets.benchmark_jpegs, 5, width=32, height=24, progress=False)

    written: list[str] = []
    real_write = datasets._write_atomically

    def spy(path: Path, data: bytes) -> None:
        written.append(path.name)
        real_write(path, data)

    monkeypatch.setattr(datasets, "_write_atomically", spy)
    grown = in_folder(folder, datasets.benchmark_jpegs, 8, width=32, height=24, progress=False)
    # Only the 3 new files (in any order: writer threads), then the completion marker.
    assert sorted(written[:-1]) == [f"{index:06d}.jpg" for index in range(5, 8)]
    assert written[-1] == ".complete.json"
    assert file_bytes(grown) == file_bytes(fresh)

    written.clear()
    fewer = in_folder(folder, datasets.benchmark_jpegs, 3, width=32, height=24, progress=False)
    assert fewer == grown[:3] and written == []
    again = in_folder(folder, datasets.benchmark_jpegs, 8, width=32, height=24, progress=False)
    assert again == grown and written == []


def test_half_written_benchmark_jpegs_are_rebuilt(tmp_path: Path) -> None:
    files = in_folder(tmp_path, datasets.benchmark_jpegs, 4, width=32, height=24, progress=False)
    expected = file_bytes(files)
    (tmp_path / ".complete.json").unlink()
    files[1].write_bytes(b"")
    stray = tmp_path / "000042.jpg"
    stray.write_bytes(b"old")
    unrelated = tmp_path / "keep.txt"
    unrelated.write_text("not ours")
    rebuilt = in_folder(tmp_path, datasets.benchmark_jpegs, 4, width=32, height=24, progress=False)
    assert file_bytes(rebuilt) == expected
    assert not stray.exists() and unrelated.exists()


def test_changed_recipe_rebuilds(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def make() -> list[bytes]:
        return file_bytes(
            in_folder(tmp_path, datasets.benchmark_jpegs, 2, width=32, height=24, progress=False)
        )

    before = make()
    monkeypatch.setattr(datasets, "_JPEG_QUALITY", 50)
    assert make() != before
    monkeypatch.undo()
    assert make() == before


def test_benchmark_folder_name_includes_the_size(cache: Path) -> None:
    files = datasets.benchmark_jpegs(2, width=64, height=48, progress=False)
    assert files[0].parent == cache / "benchmark_jpegs_64x48"


@pytest.mark.parametrize(
    "kwargs", [{"count": 0}, {"count": -3}, {"count": 2.5}, {"width": 0}, {"height": True}, {"count": 10**6}]
)
def test_benchmark_jpegs_reject_bad_arguments(tmp_path: Path, kwargs: dict) -> None:
    arguments = {"count": 2, "width": 32, "height": 24, **kwargs}
    count = arguments.pop("count")
    with pytest.raises(ValueError):
        in_folder(tmp_path, datasets.benchmark_jpegs, count, progress=False, **arguments)
    assert list(tmp_path.iterdir()) == []


# --- command line ---------------------------------------------------------------------------


def test_cli_digits(cache: Path, capsys: pytest.CaptureFixture) -> None:
    assert datasets.main(["digits", "--quiet"]) == 0
    assert "1797 digit images in 10 class folders" in capsys.readouterr().out
    assert (cache / "digits" / "0" / "0000.png").is_file()


def test_cli_benchmark_jpegs(cache: Path, capsys: pytest.CaptureFixture) -> None:
    assert datasets.main(["benchmark-jpegs", "--count", "3", "--size", "40x30", "--quiet"]) == 0
    assert "3 JPEGs of 40x30 pixels" in capsys.readouterr().out
    assert images.load_image(cache / "benchmark_jpegs_40x30" / "000002.jpg").shape == (30, 40, 3)


@pytest.mark.parametrize(
    "argv", [[], ["benchmark-jpegs", "--size", "640"], ["benchmark-jpegs", "--count", "0"]]
)
def test_cli_usage_errors_exit_2(argv: list[str], capsys: pytest.CaptureFixture) -> None:
    with pytest.raises(SystemExit) as caught:
        datasets.main(argv)
    assert caught.value.code == 2
    assert "usage:" in capsys.readouterr().err


def test_cli_help_through_python_m_and_fglab_cache_dir(tmp_path: Path) -> None:
    help_text = subprocess.run(
        [sys.executable, "-m", "helpers.datasets", "--help"], capture_output=True, text=True, check=True
    ).stdout
    assert "benchmark-jpegs" in help_text and "digits" in help_text
    environment = {**os.environ, "FGLAB_CACHE_DIR": str(tmp_path)}
    subprocess.run(
        [
            sys.executable,
            "-m",
            "helpers.datasets",
            "benchmark-jpegs",
            "--count",
            "2",
            "--size",
            "16x12",
            "--quiet",
        ],
        env=environment,
        check=True,
        capture_output=True,
    )
    assert sorted(p.name for p in (tmp_path / "benchmark_jpegs_16x12").glob("*.jpg")) == [
        "000000.jpg",
        "000001.jpg",
    ]


def test_benchmark_jpegs_refuses_a_size_it_could_not_hold_in_memory(tmp_path: Path) -> None:
    side = datasets.MAX_IMAGE_SIDE + 1
    with pytest.raises(ValueError, match=f"at most {datasets.MAX_IMAGE_SIDE:,} pixels, got 640x{side}"):
        in_folder(tmp_path, datasets.benchmark_jpegs, 1, width=640, height=side, progress=False)
    assert list(tmp_path.iterdir()) == []
