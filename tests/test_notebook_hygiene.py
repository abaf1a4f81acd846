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


def _stated_minutes(text, label):
    """The minutes `text` states after `label` ("self-study 30 min", "Workshop: 30 min"), or None."""
    match = re.search(rf"{label}:?\*{{0,2}}:? (\d+) min", text, re.IGNORECASE)
    return int(match.group(1)) if match else None


def _mismatch(where, stated, estimated):
    return f"{where} says {stated}, estimate {estimated}: update the header and README"


@pytest.mark.parametrize("lesson", catalog.LESSONS, ids=lambda lesson: lesson.filename)
def test_header_states_the_estimated_minutes(lesson):
    header = "".join(_cells(NOTEBOOKS_DIR / lesson.filename)[0]["source"])
    for label, estimated in (
        ("self-study", lesson.self_study_minutes),
        ("workshop", lesson.workshop_minutes),
    ):
        stated = _stated_minutes(header, label)
        assert stated is not None, f"{lesson.filename}'s header states no {label} minutes"
        assert stated == estimated, _mismatch(f"{lesson.filename}'s header ({label})", stated, estimated)


@pytest.mark.parametrize("lesson", catalog.LESSONS, ids=lambda lesson: lesson.filename)
def test_readme_row_states_the_estimated_minutes(lesson):
    readme_rows = [
        line
        for line in (REPO_ROOT / "README.md").read_text().splitlines()
        if line.startswith("| ") and lesson.filename in line
    ]
    assert readme_rows, f"README.md has no row for {lesson.filename}"
    stated = [int(cell) for cell in readme_rows[0].strip(" |").split(" | ")[-2:]]
    estimated = [lesson.self_study_minutes, lesson.workshop_minutes]
    for label, stated_minutes, estimated_minutes in zip(
        ("self-study", "workshop"), stated, estimated, strict=True
    ):
        assert stated_minutes == estimated_minutes, _mismatch(
            f"README's row for {lesson.filename} ({label})", stated_minutes, estimated_minutes
        )


def test_readme_states_the_core_path_minutes():
    readme = (REPO_ROOT / "README.md").read_text()
    match = re.search(r"core path[^.\n]*?(\d+) min", readme, re.IGNORECASE)
    assert match, "README.md states no core path minutes"
    stated, estimated = int(match.group(1)), catalog.core_path_minutes()
    assert stated == estimated, f"README's core path says {stated}, estimate {estimated}: update the README"


def test_stated_minutes_are_read_as_written():
    # The parser itself: both header styles the kit has used, and a mismatch message naming both numbers.
    assert _stated_minutes("**Time:** self-study 45 min · workshop 15 min", "workshop") == 15
    assert _stated_minutes("**Self-study: 40 min · Workshop: 30 min**", "self-study") == 40
    assert _stated_minutes("no minutes here", "workshop") is None
    assert "says 30, estimate 35" in _mismatch("header", 30, 35)


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
