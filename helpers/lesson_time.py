"""How long a lesson takes, estimated from the notebook itself: its prose, its code and its exercises.

    estimate = lesson_time.estimate_notebook(NOTEBOOKS_DIR / "01_simple_generator.ipynb")
    estimate.self_study_minutes, estimate.workshop_minutes   # what the header and the README must state
    estimate.sections                                        # per section: core or deep dive, minutes

A section is a level-2 heading (`## ...`) and everything up to the next one; a heading that starts with
"Deep dive" marks an optional section, and so does a "### Deep dive" sub-section inside a core one.
Self-study counts every section; a workshop counts the core sections only, at a demo's pace.

The rates, and why:
- Prose is read at 180 words a minute: technical text full of code names, read to be understood and
  checked against the output (general reading runs at 230-250; a learner here reads more slowly).
- A line of code costs 5 s on one's own (read it, run the cell, glance at the result) and 3 s in a
  workshop, where the instructor runs the cell and says what it does while learners follow.
- An output costs 5 s to look at (self-study).
- An exercise costs 8 minutes on one's own (try, run the self-check, maybe open the solution) and 6 in a
  workshop, where the instructor sets it, waits, and shows the solution.
- A workshop covers prose at 360 words a minute: the instructor says the gist rather than reading it out.
Calibrated on notebook 01 worked through cell by cell: about 11 minutes of reading, 20 of code and
output, 24 for its three exercises.
"""

from __future__ import annotations

import json
import math
import os
import re
from dataclasses import dataclass

__all__ = [
    "CODE_SECONDS_PER_LINE",
    "EXERCISE_MINUTES",
    "OUTPUT_SECONDS",
    "PROSE_WORDS_PER_MINUTE",
    "STEP_MINUTES",
    "WORKSHOP_CODE_SECONDS_PER_LINE",
    "WORKSHOP_EXERCISE_MINUTES",
    "WORKSHOP_PROSE_WORDS_PER_MINUTE",
    "LessonEstimate",
    "SectionEstimate",
    "estimate_notebook",
    "is_deep_dive",
    "round_up_minutes",
]

PROSE_WORDS_PER_MINUTE = 180
WORKSHOP_PROSE_WORDS_PER_MINUTE = 360
CODE_SECONDS_PER_LINE = 5
WORKSHOP_CODE_SECONDS_PER_LINE = 3
OUTPUT_SECONDS = 5
EXERCISE_MINUTES = 8
WORKSHOP_EXERCISE_MINUTES = 6
# Stated minutes are the estimate rounded up to this step: "about 35 min", not "34.2 min".
STEP_MINUTES = 5

_WORD = re.compile(r"[A-Za-z0-9_']+")
_HEADING = re.compile(r"^(#{1,6})\s+(.*)$", re.MULTILINE)
_DEEP_DIVE = re.compile(r"^deep dive\b", re.IGNORECASE)
_EXERCISE = re.compile(r"^exercise\b", re.IGNORECASE)


@dataclass(frozen=True)
class SectionEstimate:
    """One `##` section of a notebook.

    Attributes:
        title: the heading's text.
        core: False for a "Deep dive" section (optional: self-study only).
        words: words of prose.
        code_lines: non-blank lines of code.
        outputs: code cells that show an output.
        exercises: "Exercise" headings in the section.
        self_study_minutes: time on one's own.
        workshop_minutes: time in a workshop (0 for a deep dive).
    """

    title: str
    core: bool
    words: int
    code_lines: int
    outputs: int
    exercises: int
    self_study_minutes: float
    workshop_minutes: float


@dataclass(frozen=True)
class LessonEstimate:
    """A notebook's estimate: its sections and the minutes a header should state.

    Attributes:
        sections: per section, in order.
        self_study_minutes: the sum over all sections, rounded up to `STEP_MINUTES`.
        workshop_minutes: the sum over the core sections, rounded up to `STEP_MINUTES`.
    """

    sections: tuple[SectionEstimate, ...]
    self_study_minutes: int
    workshop_minutes: int


def is_deep_dive(heading: str) -> bool:
    """True when a heading's text marks an optional section ("Deep dive: ...")."""
    return bool(_DEEP_DIVE.match(heading.strip()))


def round_up_minutes(minutes: float) -> int:
    """Rounds up to the next multiple of `STEP_MINUTES` (at least one step)."""
    return max(STEP_MINUTES, STEP_MINUTES * math.ceil(minutes / STEP_MINUTES - 1e-9))


def estimate_notebook(path: str | os.PathLike[str]) -> LessonEstimate:
    """Estimates the self-study and workshop minutes of the notebook at `path`.

    Args:
        path: an .ipynb file.

    Returns:
        The `LessonEstimate`.
    """
    with open(path, encoding="utf-8") as file:
        cells = json.load(file)["cells"]
    sections: list[dict] = []
    current = _new_section("(header)", core=True)
    sections.append(current)
    for cell in cells:
        source = "".join(cell["source"])
        if cell["cell_type"] == "markdown":
            for chunk_heading, chunk_text in _split_on_headings(source):
                if chunk_heading is not None:
                    level, title = chunk_heading
                    if level <= 2:
                        current = _new_section(title, core=not is_deep_dive(title))
                        sections.append(current)
                    elif is_deep_dive(title):
                        current = _new_section(title, core=False, parent=current)
                        sections.append(current)
                    elif current["parent"] is not None:
                        # A plain sub-heading after a deep-dive sub-section returns to its core parent.
                        current = current["parent"]
                    if _EXERCISE.match(title):
                        current["exercises"] += 1
                current["words"] += len(_WORD.findall(chunk_text))
        elif cell["cell_type"] == "code":
            current["code_lines"] += sum(1 for line in source.splitlines() if line.strip())
            current["outputs"] += 1 if cell.get("outputs") else 0
    estimates = tuple(_estimate(section) for section in sections if _has_content(section))
    return LessonEstimate(
        sections=estimates,
        self_study_minutes=round_up_minutes(sum(s.self_study_minutes for s in estimates)),
        workshop_minutes=round_up_minutes(sum(s.workshop_minutes for s in estimates)),
    )


def _new_section(title: str, *, core: bool, parent: dict | None = None) -> dict:
    return {
        "title": title,
        "core": core,
        "parent": parent,
        "words": 0,
        "code_lines": 0,
        "outputs": 0,
        "exercises": 0,
    }


def _has_content(section: dict) -> bool:
    return any(section[key] for key in ("words", "code_lines", "outputs", "exercises"))


def _split_on_headings(markdown: str) -> list[tuple[tuple[int, str] | None, str]]:
    """Splits a markdown cell into (heading or None, text) pieces; a heading's own words count as text."""
    pieces: list[tuple[tuple[int, str] | None, str]] = []
    position = 0
    for match in _HEADING.finditer(markdown):
        if match.start() > position:
            pieces.append((None, markdown[position : match.start()]))
        pieces.append(((len(match.group(1)), match.group(2).strip()), match.group(2)))
        position = match.end()
    if position < len(markdown):
        pieces.append((None, markdown[position:]))
    return pieces


def _estimate(section: dict) -> SectionEstimate:
    self_study = (
        section["words"] / PROSE_WORDS_PER_MINUTE
        + section["code_lines"] * CODE_SECONDS_PER_LINE / 60
        + section["outputs"] * OUTPUT_SECONDS / 60
        + section["exercises"] * EXERCISE_MINUTES
    )
    workshop = 0.0
    if section["core"]:
        workshop = (
            section["words"] / WORKSHOP_PROSE_WORDS_PER_MINUTE
            + section["code_lines"] * WORKSHOP_CODE_SECONDS_PER_LINE / 60
            + section["exercises"] * WORKSHOP_EXERCISE_MINUTES
        )
    return SectionEstimate(
        title=section["title"],
        core=section["core"],
        words=section["words"],
        code_lines=section["code_lines"],
        outputs=section["outputs"],
        exercises=section["exercises"],
        self_study_minutes=self_study,
        workshop_minutes=workshop,
    )
