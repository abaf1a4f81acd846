"""The comparison command (`helpers.benchmark`): equal work, the probe, spread, CPU cost, JSON, plot."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest
import tensorflow as tf

from helpers import benchmark, image_work, images, measure, plots, process_work
from helpers.benchmark import _command, _comparison
from helpers.paths import REPO_ROOT
from tests.support import few_yield_rows, write_test_jpegs

ROW_NAMES = [
    "article_example_2",
    "float32",
    "best_from_generator",
    "numpy_function_map",
    "index_pattern",
    "graph_native",
    "limit",
    "per_element_yield",
    "per_batch_yield",
]


@pytest.fixture(scope="module")
def jpegs(tmp_path_factory):
    return write_test_jpegs(tmp_path_factory.mktemp("jpegs"), 6, height=48, width=64, seed=1)


# --- the rows and their output check ----------------------------------------------------------


def test_the_best_generator_yields_uint8_batches_in_order_and_the_dataset_scales_them(jpegs):
    batches = list(benchmark.decoded_batches(jpegs * 3, 4, 2))
    assert [len(batch) for batch in batches] == [4, 4, 4, 4, 2]
    assert batches[0].dtype == np.uint8
    np.testing.assert_array_equal(np.concatenate(batches), process_work.decode_batch(jpegs * 3))
    dataset = benchmark.best_dataset(jpegs, threads=2)
    assert dataset.element_spec == tf.TensorSpec((None, 224, 224, 3), tf.float32)
    assert dataset.options().autotune.enabled is False


def test_a_file_that_does_not_decode_stops_the_best_generator_naming_it(jpegs, tmp_path):
    broken = tmp_path / "broken.jpg"
    broken.write_bytes(b"not a JPEG")
    with pytest.raises(images.ImageLoadError, match="broken.jpg"):
        list(benchmark.decoded_batches([*jpegs, str(broken)], 4, 2))


def test_every_row_delivers_the_reference_s_images_but_the_article(jpegs):
    rows = {
        "article_example_2": _comparison.article_dataset,
        "float32": _comparison.reference_dataset,
        "best_from_generator": lambda paths: benchmark.best_dataset(paths, threads=2),
        "numpy_function_map": _comparison.numpy_function_dataset,
        "index_pattern": _comparison.index_dataset,
        "graph_native": _comparison.graph_native_dataset,
    }
    steps = []
    checks = benchmark.check_rows(rows, jpegs, step=steps.append)
    assert list(checks) == list(rows) == steps
    assert not checks["article_example_2"].same_output  # BGR, bilinear: the documented exception
    assert all(check.same_output for name, check in checks.items() if name != "article_example_2")
    assert not checks["index_pattern"].in_order  # shuffled, matched image by image
    assert checks["float32"].max_levels == 0


def test_a_row_with_other_images_stops_before_timing(jpegs):
    def unscaled(paths):
        return np.stack(list(image_work.reference_images(paths))) * 255

    with pytest.raises(benchmark.EqualWorkError, match="x255: 6 images") as raised:
        benchmark.check_rows({"same": _comparison.reference_dataset, "x255": unscaled}, jpegs)
    assert "same:" not in str(raised.value)
    with pytest.raises(benchmark.EqualWorkError, match="short: got images of shape"):
        benchmark.check_rows({"short": lambda paths: unscaled(paths[:2]) / 255}, jpegs)


def test_the_graph_native_row_is_notebook_07_s_pipeline(jpegs):
    from helpers import graph_native

    row = _comparison.graph_native_dataset(jpegs)
    taught = graph_native.image_dataset(jpegs).batch(32)
    np.testing.assert_array_equal(next(iter(row)).numpy(), next(iter(taught)).numpy())


# --- the command ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def command_output(tmp_path_factory):
    folder = tmp_path_factory.mktemp("command")
    out, png = folder / "rows.json", folder / "rows.png"
    args = ["--quick", "--images", "4", "--repeats", "1", "--seconds", "0", "--no-progress"]
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(_command, "run_comparison", few_yield_rows(_command.run_comparison))
        code = benchmark.main([*args, "--json", str(out), "--plot", str(png)])
    return code, json.loads(out.read_text()), png


def test_command_writes_rows_with_spread_and_cpu_cost(command_output):
    code, payload, _ = command_output
    assert code == 0
    rows = payload["rows"]
    assert [row["name"] for row in rows] == ROW_NAMES
    for row in rows:
        assert row["min_elements_per_second"] <= row["elements_per_second"] <= row["max_elements_per_second"]
        assert row["cpu_ms_per_element"] > 0
        assert len(row["samples"]) == 1
    by_name = {row["name"]: row for row in rows}
    limit = by_name["limit"]["elements_per_second"]
    assert by_name["limit"]["ratio"] == pytest.approx(1.0)
    assert rows[0]["ratio_to"] == "limit"
    assert rows[0]["ratio"] == pytest.approx(rows[0]["elements_per_second"] / limit)
    per_element, per_batch = by_name["per_element_yield"], by_name["per_batch_yield"]
    assert per_element["ratio"] == pytest.approx(1 / per_batch["ratio"])
    assert per_element["max_difference_levels"] is None
    assert [row["unit"] for row in rows] == ["images"] * 7 + ["rows"] * 2


def test_command_json_has_machine_facts_targets_and_checks(command_output):
    _, payload, _ = command_output
    machine = payload["machine"]
    assert machine["available_cores"] == measure.available_cores()
    assert machine["tensorflow"] == tf.__version__
    assert {"cpu_model", "opencv", "numpy", "date", "python"} <= set(machine)
    assert [(t["numerator"], t["denominator"], t["target"]) for t in payload["target_ratios"]] == [
        ("best_from_generator", "article_example_2", 4.0),
        ("best_from_generator", "graph_native", 1.2),
        ("best_from_generator", "limit", 0.8),
        ("per_batch_yield", "per_element_yield", 50.0),
    ]
    checks = payload["output_checks"]
    assert list(checks) == ROW_NAMES[:7]
    assert [check["same_output"] for check in checks.values()] == [False] + [True] * 6
    assert payload["settings"]["same_output_levels"] == image_work.SAME_OUTPUT_LEVELS


def test_command_plot_is_a_png(command_output):
    _, _, png = command_output
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_table_shows_spread_cpu_cost_and_the_target_ratios(command_output):
    _, payload, _ = command_output
    rows = [benchmark.ComparisonRow(**{**row, "samples": tuple(row["samples"])}) for row in payload["rows"]]
    table = benchmark.format_table(rows)
    assert "min - max" in table and "CPU ms" in table and "max |Δ|" in table
    assert "best_from_generator / graph_native =" in table and "target >= 1.2" in table
    for target in payload["target_ratios"]:
        line = next(
            line for line in table.splitlines() if f"{target['numerator']} / {target['denominator']}" in line
        )
        assert f": {target['verdict']}" in line.lower()
    assert all(name in table for name in ROW_NAMES)


def test_a_target_is_met_or_missed_only_when_every_round_agrees():
    assert benchmark.target_verdict(1.3, 1.9, 1.2) == "met"
    assert benchmark.target_verdict(1.2, 1.2, 1.2) == "met"
    assert benchmark.target_verdict(0.9, 1.19, 1.2) == "missed"
    assert benchmark.target_verdict(0.96, 1.87, 1.2) == "not settled"


def test_benchmark_bars_draw_each_row_with_its_whisker_and_the_limit():
    ax = plots.benchmark_bars(
        ["a", "b"],
        [100.0, 300.0],
        low=[90.0, 250.0],
        high=[120.0, 320.0],
        limit=400.0,
        limit_range=(380, 420),
    )
    assert [round(p.get_width()) for p in ax.patches if p.get_height() == pytest.approx(0.6)] == [100, 300]
    assert [round(line.get_xdata()[0]) for line in ax.lines if line.get_linestyle() == "--"] == [400]
    with pytest.raises(ValueError, match="2 labels, 1 medians"):
        plots.benchmark_bars(["a", "b"], [1.0], low=[1.0], high=[1.0])


def test_an_unequal_row_stops_the_command_before_timing(monkeypatch, capsys):
    # run_comparison looks the limit's check images up in its own module, so the patch goes there.
    monkeypatch.setattr(
        _comparison, "_limit_images", lambda paths: np.zeros((len(paths), 224, 224, 3), np.uint8)
    )
    assert (
        benchmark.main(["--quick", "--images", "4", "--repeats", "1", "--seconds", "0", "--no-progress"]) == 1
    )
    error = capsys.readouterr().err
    assert "limit: 4 images" in error and "NOT the same output" in error


# --- start-up: quiet, and --help without TensorFlow -------------------------------------------


def _run(code: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO_ROOT, timeout=300
    )


def test_help_does_not_import_tensorflow_and_prints_no_log_line():
    completed = subprocess.run(
        [sys.executable, "-m", "helpers.benchmark", "--help"], capture_output=True, text=True, cwd=REPO_ROOT
    )
    assert completed.returncode == 0 and "--plot PATH" in completed.stdout
    assert completed.stderr == ""
    code = (
        "import sys\nfrom helpers import benchmark\ntry:\n    benchmark.main(['--help'])\n"
        "except SystemExit:\n    pass\nprint('tensorflow' in sys.modules, file=sys.stderr)"
    )
    assert _run(code).stderr.strip() == "False"


def test_tensorflow_imported_by_the_command_prints_no_cpp_log_line():
    code = (
        "from helpers import benchmark\ntf = benchmark.import_tensorflow_quietly()\n"
        "ds = tf.data.Dataset.range(4).map(lambda x: x * 2).batch(2)\nprint(sum(int(b.shape[0]) for b in ds))"
    )
    completed = _run(code)
    assert completed.returncode == 0 and completed.stdout.strip() == "4"
    for noise in ("absl", "oneDNN", "cuda", "I0000", "W0000", "E0000"):
        assert noise not in completed.stderr, completed.stderr
