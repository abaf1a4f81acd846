"""Re-executes notebooks and stores their outputs reproducibly: the only way stored outputs are made.

    python tools/run_notebooks.py notebooks/01_simple_generator.ipynb   # or: make notebook NB=...

Each notebook runs in a fresh kernel from the current environment, with `notebooks/` as working directory.
Stored: outputs and execution counts. Not stored: widget state, timing metadata, machine paths (rewritten to
paths relative to the repository or to `<site-packages>`), and the C++ start-up lines TensorFlow writes to
stderr before its logging is initialised (TF_CPP_MIN_LOG_LEVEL cannot silence those; they carry timestamps).
"""

from __future__ import annotations

import argparse
import os
import re
import site
import sys
import sysconfig
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

from helpers import cli_args

REPO_ROOT = Path(__file__).resolve().parent.parent
CELL_TIMEOUT_SECONDS = 600
TF_CPP_LOG_LINE = re.compile(
    r"^(WARNING: All log messages before absl::InitializeLog\(\) is called are written to STDERR"
    r"|[IWEF]\d{4} [\d:.]+ +\d+ [\w.]+:\d+\] .*)\n?",
    re.MULTILINE,
)


def _path_rewrites() -> list[tuple[re.Pattern[str], str]]:
    """Machine-specific prefixes, longest first, and what each becomes in stored outputs."""
    prefixes = {sysconfig.get_paths()["purelib"]: "<site-packages>"}
    for path in site.getsitepackages():
        prefixes.setdefault(path, "<site-packages>")
    prefixes[sys.base_prefix] = "<python>"
    prefixes[str(REPO_ROOT / "notebooks")] = "."
    prefixes[str(REPO_ROOT)] = ".."
    prefixes[str(Path.home())] = "~"
    ordered = sorted(prefixes.items(), key=lambda item: len(item[0]), reverse=True)
    rewrites = [(re.compile(re.escape(prefix)), replacement) for prefix, replacement in ordered]
    # Cell code runs from a temporary file named after the kernel's process id (TensorFlow warnings show it);
    # tests/nbval_sanitize.cfg makes the same replacement when nbval compares.
    return [*rewrites, (re.compile(r"/tmp/ipykernel_\d+/\d+\.py"), "<ipykernel>")]


def _scrub(value, rewrites):
    if isinstance(value, str):
        for pattern, replacement in rewrites:
            value = pattern.sub(replacement, value)
        return value
    if isinstance(value, list):
        return [_scrub(item, rewrites) for item in value]
    if isinstance(value, dict):
        return {key: _scrub(item, rewrites) for key, item in value.items()}
    return value


def _without_tf_cpp_logs(outputs: list) -> list:
    kept = []
    for output in outputs:
        if output.get("name") == "stderr":
            output["text"] = TF_CPP_LOG_LINE.sub("", "".join(output["text"]))
            if not output["text"]:
                continue
        kept.append(output)
    return kept


def run_notebook(path: Path) -> float:
    """Executes `path` in place and returns the seconds it took."""
    notebook = nbformat.read(path, as_version=4)
    client = NotebookClient(
        notebook,
        timeout=CELL_TIMEOUT_SECONDS,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
        record_timing=False,
        store_widget_state=False,
    )
    started = time.perf_counter()
    client.execute()
    seconds = time.perf_counter() - started
    rewrites = _path_rewrites()
    for cell in notebook.cells:
        if cell.cell_type == "code":
            cell.outputs = nbformat.from_dict(_without_tf_cpp_logs(_scrub(cell.outputs, rewrites)))
            cell.metadata.pop("execution", None)
    notebook.metadata.pop("widgets", None)
    nbformat.write(notebook, path)
    return seconds


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument(
        "notebooks",
        nargs="+",
        type=cli_args.existing_file(suffix=".ipynb"),
        help="notebook files to re-execute",
    )
    args = parser.parse_args(argv)
    os.environ.setdefault("PYTHONHASHSEED", "0")
    for path in args.notebooks:
        seconds = run_notebook(path.resolve())
        print(f"{path}: executed in {seconds:.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
