"""The comparison command (`helpers.benchmark`): equal work, the probe, spread, CPU cost, JSON, plot."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest
import tensorflow as tf

from helpers import benchmark, measure, pipelines, plots
from helpers.benchmark import _equal_work, _workloads
from helpers.paths import REPO_ROOT
from tests.support import write_test_jpegs

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
    return write_test_jpegs(tmp_path_factory.mktemp("jpegs"), 6, height=30, width=40, seed=1)


@pytest.fixture(scope="module")
def reference(jpegs):
    return np.stack(list(benchmark.float32_images(jpegs)))


# --- the equal-work check ---------------------------------------------------------------------


def test_the_reference_generator_yields_rgb_float32_in_0_1(jpegs, reference):
    assert reference.shape == (6, 224, 224, 3) and reference.dtype == np.float32
    assert 0.0 <= reference.min() and reference.max() <= 1.0


def test_a_pipeline_yielding_the_same_images_passes_even_in_another_order(reference):
    check = benchmark.check_equal_work("same", reference[::-1].copy(), reference)
    assert check.passed and check.problems == ()
    assert check.mean_difference_levels == 0.0
    assert "same: 6 images (224, 224, 3) float32" in check.message and "same work" in check.message


def test_a_pipeline_yielding_bgr_fails_with_a_clear_message(reference):
    check = benchmark.check_equal_work("bgr", reference[..., ::-1].copy(), reference)
    assert not check.passed
    assert check.mean_difference_levels > benchmark.MEAN_DIFFERENCE_BOUND_LEVELS
    assert "colour channels are swapped (BGR, not RGB" in check.message
    assert "NOT the same work" in check.message


def test_wrong_dtype_range_count_or_repeated_images_fail(reference):
    float64 = benchmark.check_equal_work("f64", reference.astype(np.float64), reference)
    assert any("dtype float64" in problem for problem in float64.problems)
    unscaled = benchmark.check_equal_work("x255", reference * 255, reference)
    assert any("not in [0, 1]" in problem for problem in unscaled.problems)
    short = benchmark.check_equal_work("short", reference[:4], reference)
    assert any("shape (4, 224, 224, 3)" in problem for problem in short.problems)
    repeated = benchmark.check_equal_work("same twice", np.stack([reference[0]] * 6), reference)
    assert any("missing and others repeated" in problem for problem in repeated.problems)


def test_the_article_s_bgr_is_the_documented_exception(reference):
    bgr = reference[..., ::-1].copy()
    check = benchmark.check_equal_work(
        "article", bgr, reference, known_difference="BGR", channels_reversed=True
    )
    assert check.passed and check.known_difference == "BGR"
    assert check.as_delivered_levels > benchmark.MEAN_DIFFERENCE_BOUND_LEVELS
    # Told it yields BGR, an RGB pipeline fails: the exception is checked, not assumed.
    rgb = benchmark.check_equal_work("article", reference, reference, channels_reversed=True)
    assert not rgb.passed and "RGB where BGR was expected" in rgb.message


def test_every_row_of_the_comparison_does_the_reference_s_work(jpegs):
    configs = benchmark.generator_candidates(2)
    steps = []
    from helpers import article

    checks = _equal_work.check_rows(jpegs, configs, article, steps.append)
    names = [check.name for check in checks]
    assert names[:2] == ["article_example_2", "float32"] and names[-2:] == ["graph_native", "limit"]
    assert len(names) == 6 + len(configs) and len(steps) == len(names)
    assert all(check.passed for check in checks), [check.message for check in checks]
    by_name = {check.name: check for check in checks}
    assert by_name["article_example_2"].known_difference
    assert by_name["float32"].mean_difference_levels == 0.0


def test_the_graph_native_row_is_notebook_07_s_pipeline(jpegs):
    from helpers import graph_native

    row = _workloads.graph_native_dataset(jpegs)
    taught = graph_native.image_dataset(jpegs).batch(32)
    np.testing.assert_array_equal(next(iter(row)).numpy(), next(iter(taught)).numpy())


# --- the probe --------------------------------------------------------------------------------


def test_the_probe_records_every_candidate_and_chooses_the_fastest_median(jpegs):
    base = pipelines.PipelineConfig(batch_size=4, image_size=16, yield_mode="batch", image_count=1)
    configs = {"plain": base, "two threads": base.replace(decode_threads=2)}
    seen = []
    probe = benchmark.probe_generator_configs(
        configs, jpegs, repeats=2, on_result=lambda label, repeat, timing: seen.append(label)
    )
    assert seen == ["plain", "two threads"] * 2
    assert set(probe.candidates) == set(configs) and probe.configs == configs
    assert all(len(result.samples) == 2 and result.elements == 6 for result in probe.candidates.values())
    assert all(result.cpu_seconds_per_1000 > 0 for result in probe.candidates.values())
    fastest = max(probe.candidates.values(), key=lambda result: result.elements_per_second)
    assert probe.chosen == fastest.name


# --- the command ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def command_output(tmp_path_factory):
    folder = tmp_path_factory.mktemp("command")
    out, png = folder / "rows.json", folder / "rows.png"
    args = ["--quick", "--images", "4", "--repeats", "1", "--seconds", "0", "--no-progress"]
    code = benchmark.main([*args, "--json", str(out), "--plot", str(png)])
    return code, json.loads(out.read_text()), png


def test_command_writes_rows_with_spread_and_cpu_cost(command_output):
    code, payload, _ = command_output
    assert code == 0
    rows = payload["rows"]
    assert [row["name"] for row in rows] == ROW_NAMES
    for row in rows:
        assert row["min_elements_per_second"] <= row["elements_per_second"] <= row["max_elements_per_second"]
        assert row["q1_elements_per_second"] <= row["q3_elements_per_second"]
        assert row["cpu_seconds_per_1000"] > 0
        assert len(row["samples"]) == 1
    by_name = {row["name"]: row for row in rows}
    limit = by_name["limit"]["elements_per_second"]
    assert by_name["limit"]["ratio_to_limit"] == pytest.approx(1.0)
    assert rows[0]["ratio_to_limit"] == pytest.approx(rows[0]["elements_per_second"] / limit)
    per_element, per_batch = by_name["per_element_yield"], by_name["per_batch_yield"]
    assert per_element["ratio_to_limit"] is None and per_batch["ratio_to_limit"] is None
    assert per_element["ratio"] == pytest.approx(1 / per_batch["ratio"])
    assert [row["unit"] for row in rows] == ["images"] * 7 + ["rows"] * 2
    assert rows[0]["known_difference"] and rows[3]["mean_difference_levels"] < 3


def test_command_json_has_machine_facts_targets_probe_and_checks(command_output):
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
    probe = payload["probe"]
    assert len(probe["candidates"]) == 3 and probe["chosen"] in [c["label"] for c in probe["candidates"]]
    # The probe ran 2 rounds; the chosen configuration was then timed again as its own row (1 repeat).
    assert all(len(candidate["samples"]) == 2 for candidate in probe["candidates"])
    best = payload["rows"][2]
    assert probe["chosen"] in best["what"] and len(best["samples"]) == 1
    assert all(check["passed"] for check in payload["equal_work_checks"])
    assert payload["settings"]["mean_difference_bound_levels"] == benchmark.MEAN_DIFFERENCE_BOUND_LEVELS


def test_command_plot_is_a_png(command_output):
    _, _, png = command_output
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_table_shows_spread_cpu_cost_and_the_target_ratios(command_output):
    _, payload, _ = command_output
    rows = [benchmark.ComparisonRow(**{**row, "samples": tuple(row["samples"])}) for row in payload["rows"]]
    table = benchmark.format_table(rows)
    assert "min - max" in table and "CPU s/1000" in table
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
    # check_rows looks the limit row's check images up in its own module, so the patch goes there.
    monkeypatch.setattr(
        _equal_work, "limit_check_images", lambda paths: np.zeros((len(paths), 224, 224, 3), np.uint8)
    )
    assert (
        benchmark.main(["--quick", "--images", "4", "--repeats", "1", "--seconds", "0", "--no-progress"]) == 1
    )
    error = capsys.readouterr().err
    assert "limit: 4 images" in error and "dtype uint8" in error


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
