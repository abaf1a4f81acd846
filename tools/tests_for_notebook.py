"""Prints the tests that go with notebooks: the unit tests of the helpers they import, and their own checks.

    python tools/tests_for_notebook.py notebooks/03_args_and_augmentation.ipynb
    make test NB=notebooks/03_args_and_augmentation.ipynb    # that notebook under nbval, plus these tests

A notebook's helpers are read from its import lines (`from helpers import images, plots`,
`from helpers.exercises import args_augmentation as ex`); each module `m` brings `tests/test_m.py` and
`tests/test_m_*.py` (`helpers.exercises.x` brings `tests/test_exercises_x.py`). Its own checks are the
static hygiene tests, the error index's, the instructors' guide's, and its solutions' and core-alone tests.
"""

from __future__ import annotations

import ast
import json
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
TESTS = REPO_ROOT / "tests"


def helper_modules(notebook: Path) -> set[str]:
    """The `helpers` modules a notebook imports, as test-name stems (`images`, `exercises_pitfalls`)."""
    modules: set[str] = set()
    for cell in json.loads(notebook.read_text(encoding="utf-8"))["cells"]:
        if cell["cell_type"] != "code":
            continue
        # IPython magics and shell escapes are not Python.
        source = "\n".join(
            line for line in "".join(cell["source"]).splitlines() if line.lstrip()[:1] not in "%!"
        )
        try:
            tree = ast.parse(source)
        except SyntaxError:
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "helpers":
                inner = node.module.split(".")[1:]
                if inner:
                    modules.add("_".join([*inner, *(alias.name for alias in node.names)][:2]))
                else:
                    modules.update(alias.name for alias in node.names)
            elif isinstance(node, ast.Import):
                modules.update(
                    alias.name.split(".")[1] for alias in node.names if alias.name.startswith("helpers.")
                )
    return modules


def tests_for(notebook: Path) -> list[str]:
    """Test files and node ids (relative to the repository) for one notebook."""
    found: set[Path] = set()
    for module in helper_modules(notebook):
        found.update(TESTS.glob(f"test_{module}.py"))
        found.update(TESTS.glob(f"test_{module}_*.py"))
    own = [
        "tests/test_notebook_hygiene.py",
        "tests/test_error_index.py",  # its live errors are indexed in ERRORS.md
        "tests/test_instructors.py",  # INSTRUCTORS.md's plans, scripts and quotes still match it
        f"tests/test_core_alone.py::test_the_core_runs_first_so_nbval_runs_it_alone[{notebook.stem}]",
    ]
    # Solutions are named after their notebook's number: notebooks/solutions/03_shard_datasets.py.
    own += [
        f"tests/test_solutions.py::test_solution_passes_its_check[{solution.stem}]"
        for solution in sorted((REPO_ROOT / "notebooks" / "solutions").glob(f"{notebook.stem[:2]}_*.py"))
    ]
    core_alone = (REPO_ROOT / "notebooks" / notebook.name).exists()
    own = [test for test in own if core_alone or "core_alone" not in test]
    return sorted(str(path.relative_to(REPO_ROOT)) for path in found) + own


def main(argv: list[str]) -> int:
    if not argv:
        print(__doc__, file=sys.stderr)
        return 2
    tests: list[str] = []
    for name in argv:
        notebook = Path(name).resolve()
        if not notebook.is_file() or notebook.suffix != ".ipynb":
            print(f"error: not a notebook: {name}", file=sys.stderr)
            return 2
        tests += [test for test in tests_for(notebook) if test not in tests]
    print(" ".join(tests))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
