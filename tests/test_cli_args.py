"""Bad input to the kit's commands: one line of argparse usage naming the argument and the value, before any
work, and nothing measured lost when an output cannot be written at the end (helpers.cli_args)."""

from __future__ import annotations

import argparse
import subprocess
import sys

import pytest

from helpers import benchmark, cli_args, datasets, service
from helpers.benchmark import _command
from helpers.paths import REPO_ROOT
from tests.support import few_yield_rows

BENCHMARK = ["-m", "helpers.benchmark"]
JPEGS = ["-m", "helpers.datasets", "benchmark-jpegs"]
SERVICE = ["-m", "helpers.service", "dispatcher"]
RUN_NOTEBOOKS = ["tools/run_notebooks.py"]
# The same commands' `main(argv)`, called in this process: the table runs without a Python start-up per row.
MAINS = {
    tuple(BENCHMARK): benchmark.main,
    tuple(JPEGS): lambda argv: datasets.main(["benchmark-jpegs", *argv]),
    tuple(SERVICE): lambda argv: service.main(["dispatcher", *argv]),
}
# A folder nobody can make a file in, not even root.
UNWRITABLE = "/proc"

# (command, argument, value): each must be refused with exit status 2 before any work starts.
BAD_ARGUMENTS = [
    *[(BENCHMARK, "--images", value) for value in ("0", "-3", "20001", "1e9", "abc", "2.5")],
    *[(BENCHMARK, "--repeats", value) for value in ("0", "-1", "101", "abc")],
    *[(BENCHMARK, "--seconds", value) for value in ("-1", "61", "1e999", "nan", "abc")],
    *[(BENCHMARK, "--json", value) for value in ("/nonexistent/dir/x.json", f"{UNWRITABLE}/x.json", ".")],
    *[(BENCHMARK, "--plot", value) for value in ("/nonexistent/dir/x.png", f"{UNWRITABLE}/x.png", "x.svg")],
    *[(JPEGS, "--count", value) for value in ("0", "-1", "1000000", "abc")],
    *[(JPEGS, "--size", value) for value in ("0x0", "640x0", "100000x100000", "4097x480", "abc", "640")],
    *[(SERVICE, "--parent-pid", value) for value in ("0", "-5", "abc")],
    *[(RUN_NOTEBOOKS, "notebooks", value) for value in ("notebooks/nope.ipynb", "notebooks", "README.md")],
]


def assert_one_usage_line(status, stdout, stderr, argument, value):
    assert status == 2, stderr
    assert stdout == ""
    assert "Traceback" not in stderr
    # argparse's usage may wrap onto indented lines; below it comes the one line that matters.
    lines = [line for line in stderr.splitlines() if not line.startswith(("usage:", " "))]
    assert len(lines) == 1, stderr
    assert f"error: argument {argument}: " in lines[0] and repr(value) in lines[0]


def run_command(command, arguments):
    completed = subprocess.run(
        [sys.executable, *command, *arguments], capture_output=True, text=True, cwd=REPO_ROOT, timeout=60
    )
    return completed.returncode, completed.stdout, completed.stderr


@pytest.mark.parametrize(("command", "argument", "value"), BAD_ARGUMENTS)
def test_a_bad_argument_is_one_usage_line_naming_it(command, argument, value, capsys, monkeypatch):
    arguments = [value] if argument == "notebooks" else [argument, value]
    main = MAINS.get(tuple(command))
    if main is None:  # a script in tools/, not importable as a module
        assert_one_usage_line(*run_command(command, arguments), argument, value)
        return
    monkeypatch.chdir(REPO_ROOT)
    with pytest.raises(SystemExit) as exited:
        main(arguments)
    captured = capsys.readouterr()
    assert_one_usage_line(exited.value.code, captured.out, captured.err, argument, value)


@pytest.mark.parametrize(
    ("command", "argument", "value"),
    [(BENCHMARK, "--images", "0"), (JPEGS, "--size", "100000x100000"), (SERVICE, "--parent-pid", "abc")],
)
def test_the_command_line_itself_gives_that_one_line(command, argument, value):
    assert_one_usage_line(*run_command(command, [argument, value]), argument, value)


def test_a_bound_says_why_it_exists_and_a_typo_gets_no_reason():
    images = cli_args.whole_number(1, 10, why="each is decoded")
    with pytest.raises(argparse.ArgumentTypeError, match=r"^'11' is not a whole number from 1 to 10 \(each"):
        images("11")
    for text in ("0", "x"):
        with pytest.raises(argparse.ArgumentTypeError) as caught:
            images(text)
        assert str(caught.value) == f"{text!r} is not a whole number from 1 to 10"
    assert images("1") == 1 and images(" 10 ") == 10
    assert cli_args.whole_number(0)("123456789012") == 123456789012
    assert cli_args.number(0, 60)("0") == 0.0 and cli_args.number(0, 60)("60") == 60.0
    assert cli_args.image_size(4096)("640X480") == (640, 480)


def test_a_writable_file_is_checked_without_leaving_a_file_behind(tmp_path):
    path = cli_args.writable_file(suffix=".png")(str(tmp_path / "rows.PNG"))
    assert path == tmp_path / "rows.PNG" and list(tmp_path.iterdir()) == []
    path.write_bytes(b"")
    assert cli_args.existing_file(suffix=".png")(str(path)) == path


def test_a_run_that_cannot_write_its_json_still_prints_the_table_and_writes_the_plot(
    tmp_path, monkeypatch, capsys
):
    folder = tmp_path / "results"
    folder.mkdir()
    measure = few_yield_rows(_command.run_comparison)

    def measure_then_lose_the_folder(**settings):
        comparison = measure(**settings)
        folder.rmdir()  # as if deleted, or its disk filled up, while the run measured
        return comparison

    monkeypatch.setattr(_command, "run_comparison", measure_then_lose_the_folder)
    json_path, png_path = folder / "rows.json", tmp_path / "rows.png"
    small = ["--quick", "--images", "4", "--repeats", "1", "--seconds", "0", "--no-progress"]
    code = benchmark.main([*small, "--json", str(json_path), "--plot", str(png_path)])
    out, err = capsys.readouterr()
    assert code == 1
    assert "best_from_generator" in out and "graph_native" in out
    assert png_path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and f"wrote {png_path}" in out
    assert "Traceback" not in err
    assert err.strip().splitlines()[-1] == f"error: could not write {json_path}: No such file or directory"
