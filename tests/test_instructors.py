"""INSTRUCTORS.md and CHEATSHEET.md say what the notebooks hold.

Static checks only (nothing is executed): the schedules' minutes are `helpers.lesson_time`'s, their clocks add
up and the half day fits its stated length; every core lesson has a live-coding script whose typed code is the
notebook's own; every solution the guide names exists and every core exercise's solution is named; every
message the two pages quote is in a notebook's stored outputs.

When a test here fails after a notebook changed, update INSTRUCTORS.md (its tables, checkpoints, script
headings or typed code) to what the notebook now holds; the failure says which row or block.
"""

import html
import itertools
import json
import re
from dataclasses import dataclass

import pytest

from helpers import catalog, lesson_time
from helpers.paths import NOTEBOOKS_DIR, REPO_ROOT

GUIDE = (REPO_ROOT / "INSTRUCTORS.md").read_text(encoding="utf-8")
CHEATSHEET = (REPO_ROOT / "CHEATSHEET.md").read_text(encoding="utf-8")
CORE = [lesson for lesson in catalog.lessons() if lesson.core]
CHEATSHEET_WORDS = 500  # one printed page

_FENCE = re.compile(r"^[ \t]*```(\w*)\n(.*?)^[ \t]*```", re.MULTILINE | re.DOTALL)
_CODE_SPAN = re.compile(r"(?<!`)(`+)(?!`)(.+?)(?<!`)\1(?!`)", re.DOTALL)
# A quoted message: an exception or warning class and its text, or a sentence (the deprecation warning).
_MESSAGE = re.compile(r"^(?:[A-Z]\w*(?:Error|Warning): .+|(?:\S+ ){4,}\S*[\w)\]]\.)$")
_SCRIPT_HEADING = re.compile(r"^### (\d\d) · (.+) \((\d+) min\)$", re.MULTILINE)
_LOAD = re.compile(r"%load ((?:\.\./)?solutions/\d\d_\w+\.py)")  # not the NN_name.py placeholder


@dataclass(frozen=True)
class Row:
    """One row of a schedule table."""

    start_minutes: int
    block: str
    minutes: int | None
    rest: tuple[str, ...]

    @property
    def notebook(self) -> str | None:
        match = re.search(r"`(\d\d_\w+\.ipynb)`", self.block)
        return match.group(1) if match else None


def _section(heading: str) -> str:
    """The text of INSTRUCTORS.md's `## heading`, up to the next `## `."""
    match = re.search(rf"^## {re.escape(heading)}\n(.*?)(?=^## |\Z)", GUIDE, re.MULTILINE | re.DOTALL)
    assert match, f"INSTRUCTORS.md needs a section '## {heading}'"
    return match.group(1)


def _clock(text: str) -> int:
    match = re.fullmatch(r"(\d+):(\d\d)", text.strip())
    assert match, f"not a clock time (H:MM): {text!r}"
    return int(match.group(1)) * 60 + int(match.group(2))


def _schedule(heading: str) -> list[Row]:
    """The section's table: Clock | Block | Min | ..."""
    lines = [line for line in _section(heading).splitlines() if line.startswith("|")]
    rows = []
    for line in lines[2:]:  # after the header and the |---| line
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        minutes = int(cells[2]) if cells[2] else None
        rows.append(Row(_clock(cells[0]), cells[1], minutes, tuple(cells[3:])))
    assert rows, f"'## {heading}' has no schedule table"
    return rows


def _ends_at(heading: str) -> int:
    match = re.search(r"ends at\s+\*\*(\d+:\d\d)\*\*", _section(heading))
    assert match, f"'## {heading}' should say when it ends: 'The plan ends at **H:MM**'"
    return _clock(match.group(1))


def _lesson(notebook: str) -> catalog.Lesson:
    return next(lesson for lesson in CORE if lesson.path == notebook)


def _lesson_numbered(number: str) -> catalog.Lesson:
    return next(lesson for lesson in CORE if lesson.path[:2] == number)


PLANS = ["The 2-hour plan", "The half-day plan"]


def test_the_two_hour_plan_gives_each_core_notebook_its_estimated_minutes():
    rows = [(row.notebook, row.minutes) for row in _schedule("The 2-hour plan") if row.notebook]
    assert rows == [(lesson.path, lesson.core_minutes) for lesson in CORE], (
        "INSTRUCTORS.md's 2-hour plan: one row per core notebook, in order, with catalog's core_minutes"
    )


@pytest.mark.parametrize("heading", PLANS)
def test_the_clock_adds_up(heading):
    rows = _schedule(heading)
    assert rows[0].start_minutes == 0, f"{heading}: the first row starts at 0:00"
    assert rows[-1].block == "End" and rows[-1].minutes is None, f"{heading}: the last row is 'End'"
    for row, following in itertools.pairwise(rows):
        assert row.minutes is not None, f"{heading}: {row.block!r} has no minutes"
        assert following.start_minutes == row.start_minutes + row.minutes, (
            f"{heading}: {following.block!r} should start {row.minutes} min after {row.block!r}"
        )
    assert _ends_at(heading) == rows[-1].start_minutes, f"{heading}: the stated end differs from the table's"


def test_the_checkpoints_are_the_two_hour_plan_starts():
    starts = {row.notebook[:2]: row.start_minutes for row in _schedule("The 2-hour plan") if row.notebook}
    checkpoint = r"At \*\*(\d+:\d\d)\*\* you should be starting (\d\d)"
    checkpoints = re.findall(checkpoint, _section("The 2-hour plan"))
    assert {number for _, number in checkpoints} == set(starts) - {"00"}, "one checkpoint per lesson 01-06"
    for clock, number in checkpoints:
        assert _clock(clock) == starts[number], f"checkpoint for {number}: the table starts it then"


def test_the_half_day_adds_named_deep_dives_with_their_estimated_minutes():
    rows = [row for row in _schedule("The half-day plan") if row.notebook]
    assert [row.notebook for row in rows] == [lesson.path for lesson in CORE], "one row per core notebook"
    for row in rows:
        lesson = _lesson(row.notebook)
        stated = {
            section.title: lesson_time.stated_minutes(section.minutes)
            for section in lesson.estimate.sections
            if not section.core
        }
        added = 0
        for item in filter(None, (part.strip() for part in row.rest[0].split(";"))):
            match = re.fullmatch(r"(.+) \((\d+)\)", item)
            assert match, f"{row.notebook}: write each deep dive as 'its title without Deep dive: (minutes)'"
            title, minutes = "Deep dive: " + match.group(1), int(match.group(2))
            assert title in stated, f"{row.notebook} has no section {title!r}"
            assert minutes == stated[title], f"{row.notebook}, {title!r}: the estimate says {stated[title]}"
            added += minutes
        assert row.minutes == lesson.core_minutes + added, (
            f"{row.notebook}: {lesson.core_minutes} core minutes + {added} of deep dives"
        )


def test_the_half_day_fits_its_stated_length():
    match = re.search(r"fits in \d+ hours \((\d+) min\)", _section("The half-day plan"))
    assert match, "the half-day plan should state its length: 'fits in 4 hours (240 min)'"
    end = _schedule("The half-day plan")[-1].start_minutes
    assert end <= int(match.group(1)), f"the half-day plan ends {end} min after its start, over its length"


def test_every_core_lesson_has_a_script_with_its_minutes():
    scripts = [(number, title, int(minutes)) for number, title, minutes in _SCRIPT_HEADING.findall(GUIDE)]
    expected = [(lesson.path[:2], lesson.title, lesson.core_minutes) for lesson in CORE]
    assert scripts == expected, "INSTRUCTORS.md: a '### NN · Title (M min)' script per core lesson, in order"


def _scripts() -> list[tuple[catalog.Lesson, str]]:
    text = _section("Live-coding scripts")
    headings = list(_SCRIPT_HEADING.finditer(text))
    ends = [heading.start() for heading in headings[1:]] + [len(text)]
    return [
        (_lesson_numbered(heading.group(1)), text[heading.end() : end])
        for heading, end in zip(headings, ends, strict=True)
    ]


def _code_lines(text: str) -> str:
    return "\n".join(line.strip() for line in text.splitlines() if line.strip())


@pytest.mark.parametrize("lesson, script", _scripts(), ids=lambda value: getattr(value, "path", ""))
def test_the_code_a_script_types_is_the_notebooks_own(lesson, script):
    cells = json.loads((NOTEBOOKS_DIR / lesson.path).read_text(encoding="utf-8"))["cells"]
    notebook_code = [_code_lines("".join(cell["source"])) for cell in cells if cell["cell_type"] == "code"]
    for language, block in _FENCE.findall(script):
        assert language == "python", f"{lesson.path}: the script's code blocks are Python"
        typed = _code_lines(block)
        assert any(typed in code for code in notebook_code), f"{lesson.path} holds no cell with:\n{typed}"


def test_every_solution_named_exists_and_every_core_solution_is_named():
    named = set(_LOAD.findall(GUIDE))
    for path in named:
        base = NOTEBOOKS_DIR / ("optional" if path.startswith("../") else "")
        assert (base / path).resolve().is_file(), f"INSTRUCTORS.md names {path}, which does not exist"
    for lesson in CORE:
        text = (NOTEBOOKS_DIR / lesson.path).read_text(encoding="utf-8")
        for path in set(_LOAD.findall(text)):
            assert path in named, f"INSTRUCTORS.md's solutions table lacks `%load {path}` ({lesson.path})"


def _stored_outputs() -> list[str]:
    """Every stored output of every notebook, as text, whitespace collapsed."""
    texts = []
    for path in sorted(NOTEBOOKS_DIR.glob("*.ipynb")) + sorted(NOTEBOOKS_DIR.glob("optional/*.ipynb")):
        for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
            for output in cell.get("outputs", []):
                if output["output_type"] == "stream":
                    text = "".join(output["text"])
                elif output["output_type"] == "error":
                    traceback = re.sub(r"\x1b\[[0-9;]*m", "", "\n".join(output["traceback"]))
                    text = f"{output['ename']}: {output['evalue']}\n{traceback}"
                else:
                    data = output.get("data", {})
                    shown = "".join(data.get("text/html", "")) or "".join(data.get("text/plain", ""))
                    text = html.unescape(re.sub(r"<[^>]+>", " ", shown))
                texts.append(" ".join(text.split()))
    return texts


def _quoted_messages(document: str) -> list[str]:
    prose = _FENCE.sub("", document)
    spans = (" ".join(match.group(2).split()) for match in _CODE_SPAN.finditer(prose))
    return [span for span in spans if _MESSAGE.match(span)]


def _shown(message: str, outputs: list[str]) -> bool:
    """True when one output holds the message's parts (split at "…"), in order."""
    parts = [part.strip() for part in message.split("…") if part.strip()]
    for text in outputs:
        position = 0
        for part in parts:
            position = text.find(part, position)
            if position < 0:
                break
            position += len(part)
        else:
            return True
    return False


@pytest.mark.parametrize("name, document", [("INSTRUCTORS.md", GUIDE), ("CHEATSHEET.md", CHEATSHEET)])
def test_quoted_messages_are_shown_live(name, document):
    messages = _quoted_messages(document)
    assert len(messages) >= 5, f"{name} quotes fewer messages than expected: is the pattern still right?"
    outputs = _stored_outputs()
    missing = [message for message in messages if not _shown(message, outputs)]
    assert not missing, (
        f"{name} quotes messages no notebook shows (quote them as stored; '…' for a cut):\n"
        + ("\n".join(missing))
    )


def test_the_cheat_sheet_fits_one_page_and_the_guide_links_it():
    assert len(CHEATSHEET.split()) <= CHEATSHEET_WORDS, "CHEATSHEET.md should print on one page"
    assert "](CHEATSHEET.md)" in GUIDE
