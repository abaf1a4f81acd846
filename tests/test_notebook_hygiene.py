"""The stored notebooks: every one listed in the catalog and the README, executed, free of machine paths."""

import json
import re

import pytest

from helpers import catalog
from helpers.paths import NOTEBOOKS_DIR, REPO_ROOT

NOTEBOOKS = sorted(NOTEBOOKS_DIR.glob("*.ipynb"))
MACHINE_PATH = re.compile(r"(/work/|/root/|/home/[a-z]|/tmp/|/Users/|[A-Z]:\\\\Users)")


def _cells(path):
    return json.loads(path.read_text())["cells"]


def test_catalog_lists_exactly_the_notebooks():
    assert [lesson.filename for lesson in catalog.LESSONS] == [path.name for path in NOTEBOOKS]


@pytest.mark.parametrize("lesson", catalog.LESSONS, ids=lambda lesson: lesson.filename)
def test_readme_and_header_give_the_catalog_minutes(lesson):
    readme_rows = [
        line
        for line in (REPO_ROOT / "README.md").read_text().splitlines()
        if line.startswith("| ") and lesson.filename in line
    ]
    assert readme_rows, f"README.md has no row for {lesson.filename}"
    assert f"| {lesson.self_study_minutes} | {lesson.workshop_minutes} |" in readme_rows[0]
    header = "".join(_cells(NOTEBOOKS_DIR / lesson.filename)[0]["source"]).lower()
    assert re.search(rf"self-study:? {lesson.self_study_minutes} min", header), header
    assert re.search(rf"workshop:? {lesson.workshop_minutes} min", header), header


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda path: path.name)
def test_stored_outputs_are_complete_and_portable(path):
    notebook = json.loads(path.read_text())
    assert "widgets" not in notebook["metadata"], "widget state is stored; rerun `make notebook`"
    for index, cell in enumerate(notebook["cells"]):
        if cell["cell_type"] != "code":
            continue
        where = f"{path.name} cell {index}"
        assert cell["execution_count"] is not None, f"{where} was not executed"
        assert "execution" not in cell["metadata"], f"{where} stores timing metadata"
        tags = cell["metadata"].get("tags", [])
        for output in cell["outputs"]:
            if output["output_type"] == "error":
                assert "raises-exception" in tags, f"{where} stores an unexpected error"
            match = MACHINE_PATH.search(json.dumps(output))
            assert match is None, f"{where} shows a machine path: {match and match.group(0)}"
