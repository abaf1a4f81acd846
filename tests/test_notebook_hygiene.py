"""The stored notebooks: shaped as lessons, their minutes stated where they are estimated, outputs portable.

Static checks only (nothing is executed here): headers, sections, exercises and solutions, the minutes the
README and INSTRUCTORS.md state, and stored outputs.
"""

import json
import re

import pytest

from helpers import catalog, lesson_time
from helpers.paths import NOTEBOOKS_DIR, REPO_ROOT

LESSONS = catalog.lessons()
CORE = [lesson for lesson in LESSONS if lesson.core]
NOTEBOOKS = sorted(NOTEBOOKS_DIR.glob("*.ipynb")) + sorted(NOTEBOOKS_DIR.glob("optional/*.ipynb"))
SOLUTIONS = sorted((NOTEBOOKS_DIR / "solutions").glob("*.py"))
MACHINE_PATH = re.compile(r"(/work/|/root/|/home/[a-z]|/tmp/|/Users/|[A-Z]:\\\\Users)")
WORKSHOP_MINUTES = 120


def _cells(lesson):
    return json.loads((NOTEBOOKS_DIR / lesson.path).read_text())["cells"]


def _sections(lesson):
    """(heading, cells) per `#`/`##` heading; a heading opens its cell (checked below)."""
    sections = []
    for cell in _cells(lesson):
        first = "".join(cell["source"]).split("\n", 1)[0]
        if cell["cell_type"] == "markdown" and re.match(r"#{1,2} ", first):
            sections.append((first.lstrip("# ").strip(), []))
        sections[-1][1].append(cell)
    return sections


def _stated(text, label):
    match = re.search(rf"{label}:?\*{{0,2}}:? (\d+) min", text, re.IGNORECASE)
    return int(match.group(1)) if match else None


def _ids(lessons):
    return [lesson.path for lesson in lessons]


def test_every_notebook_is_in_the_catalog():
    assert [NOTEBOOKS_DIR / lesson.path for lesson in LESSONS] == NOTEBOOKS


def test_the_course_fits_two_hours():
    assert catalog.core_path_minutes() <= WORKSHOP_MINUTES, [
        (lesson.path, lesson.core_minutes) for lesson in CORE
    ]


@pytest.mark.parametrize("lesson", LESSONS, ids=_ids(LESSONS))
def test_header_states_questions_objectives_minutes_and_prerequisites(lesson):
    header = "".join(_cells(lesson)[0]["source"])
    assert "**Questions**" in header and "**Prerequisites:**" in header, f"{lesson.path}: incomplete header"
    assert lesson.objectives, f"{lesson.path}: no objectives"
    assert _stated(header, "self-study") == lesson.self_study_minutes, (
        f"{lesson.path}: header's self-study minutes differ from the estimate, {lesson.self_study_minutes}"
    )
    if lesson.core:
        assert _stated(header, "workshop") == lesson.core_minutes, (
            f"{lesson.path}: header's workshop minutes differ from the estimate, {lesson.core_minutes}"
        )


@pytest.mark.parametrize("lesson", LESSONS, ids=_ids(LESSONS))
def test_readme_states_the_estimated_minutes(lesson):
    readme = (REPO_ROOT / "README.md").read_text()
    rows = [line for line in readme.splitlines() if line.startswith(f"| `{lesson.path}` |")]
    assert len(rows) == 1, f"README.md needs one row for {lesson.path}: paste catalog.readme_table()"
    numbers = [int(cell) for cell in rows[0].strip(" |").split(" | ") if cell.isdigit()]
    expected = (
        [lesson.core_minutes, lesson.self_study_minutes] if lesson.core else [lesson.self_study_minutes]
    )
    assert numbers == expected, f"README's row for {lesson.path}: paste catalog.readme_table()"


@pytest.mark.parametrize("document", ["README.md", "INSTRUCTORS.md"])
def test_documents_state_the_course_minutes(document):
    text = (REPO_ROOT / document).read_text()
    stated = re.findall(
        r"2-hour course\D{0,40}?(\d+) min|\*\*The 2-hour course\*\* \| \| \*\*(\d+)\*\*", text
    )
    assert stated, f"{document} states no minutes for the 2-hour course"
    assert {int(a or b) for a, b in stated} == {catalog.core_path_minutes()}, (
        f"{document}: update the minutes"
    )


@pytest.mark.parametrize("lesson", LESSONS, ids=_ids(LESSONS))
def test_headings_open_their_cells(lesson):
    for index, cell in enumerate(_cells(lesson)):
        lines = "".join(cell["source"]).splitlines()
        late = [line for line in lines[1:] if cell["cell_type"] == "markdown" and re.match(r"#{1,3} ", line)]
        assert not late, f"{lesson.path} cell {index}: put {late[0]!r} at the top of its own cell"


@pytest.mark.parametrize("lesson", CORE, ids=_ids(CORE))
def test_key_points_close_the_core_and_deep_dives_follow(lesson):
    headings = [heading for heading, _ in _sections(lesson)]
    kinds = ["deep" if lesson_time.is_deep_dive(heading) else "core" for heading in headings]
    assert "Key points" in headings, f"{lesson.path} has no Key points"
    last_core = max(i for i, kind in enumerate(kinds) if kind == "core")
    assert headings[last_core] == "Key points", f"{lesson.path}: Key points must be the last core section"
    assert "deep" not in kinds[:last_core], f"{lesson.path}: a deep dive stands before Key points"


@pytest.mark.parametrize("lesson", CORE[1:], ids=_ids(CORE[1:]))
def test_core_lessons_have_learners_write_the_code(lesson):
    exercises = []
    for heading, cells in _sections(lesson):
        if lesson_time.is_deep_dive(heading):
            continue
        for cell in cells:
            text = "".join(cell["source"])
            if cell["cell_type"] == "markdown" and re.match(r"#+ Exercise", text):
                exercises.append([])
            elif exercises and cell["cell_type"] == "code":
                exercises[-1].append(text)
    assert exercises, f"{lesson.path}: its core has no exercise"
    for starter in exercises:
        assert not any("from_generator(" in text for text in starter), (
            f"{lesson.path}: an exercise cell already holds the from_generator call the learner should write"
        )


def test_solutions_are_loaded_on_demand_only():
    references = {}
    for lesson in LESSONS:
        for index, cell in enumerate(_cells(lesson)):
            text = "".join(cell["source"])
            tags = cell["metadata"].get("tags", [])
            assert "solution" not in tags and not re.match(r"#\s*solution", text, re.IGNORECASE), (
                f"{lesson.path} cell {index}: Run All would run this solution; use %load solutions/..."
            )
            for name in re.findall(r"%load (?:\.\./)?solutions/(\S+\.py)", text):
                references.setdefault(name, []).append(lesson.path)
    assert sorted(references) == [path.name for path in SOLUTIONS], (
        "every solution referenced, every reference real"
    )
    assert all(len(places) == 1 for places in references.values()), references


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda path: path.stem)
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
