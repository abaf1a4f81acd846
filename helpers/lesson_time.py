"""How long a lesson takes in a workshop, estimated from the notebook itself: its prose, code and exercises.

    estimate = lesson_time.estimate_notebook(NOTEBOOKS_DIR / "01_simple_generator.ipynb")
    estimate.core_minutes, estimate.total_minutes   # what the header, the README and INSTRUCTORS.md state
    estimate.sections                               # per section: core or deep dive, minutes

A section is a level-2 heading (`## ...`) and everything up to the next one; a heading that starts with
"Deep dive" marks an optional section. The core minutes count the core sections; the total counts them all.

The rates, and what they were calibrated on:
- Lesson text at 50 words a minute and code at 3 s a line: fitted (the total kept exact) to the 28 taught
  episodes of the Carpentries' python-novice-gapminder and python-novice-inflammation, whose front matter
  states 540 teaching minutes for 24,742 words and 946 lines of Python. Per episode the median error is 26%
  (their minutes are round numbers); a course of several lessons is estimated much better.
  `tools/calibrate_lesson_time.py` counts the episodes as this module counts a notebook and refits; a test
  keeps these rates equal to its fit.
- An exercise where the learner writes code: 7.5 minutes, the middle of the 5-10 minutes the Carpentries'
  instructor training gives a write-a-function exercise.
- Outputs cost nothing extra (the episodes' minutes include reading them); starting a kernel and waiting for
  long cells are not counted (keep core cells quick).
"""

from __future__ import annotations

import json
import math
import os
import re
from dataclasses import dataclass

__all__ = [
    "EXERCISE_MINUTES",
    "SECONDS_PER_CODE_LINE",
    "WORDS_PER_MINUTE",
    "LessonEstimate",
    "SectionEstimate",
    "estimate_notebook",
    "is_deep_dive",
    "stated_minutes",
]

WORDS_PER_MINUTE = 50
SECONDS_PER_CODE_LINE = 3
EXERCISE_MINUTES = 7.5

_WORD = re.compile(r"[A-Za-z0-9_']+")
_HEADING = re.compile(r"^(#{1,6})\s+(.*)$", re.MULTILINE)
_DEEP_DIVE = re.compile(r"^deep dive\b", re.IGNORECASE)
_EXERCISE = re.compile(r"^exercise\b", re.IGNORECASE)


@dataclass
class SectionEstimate:
    """One `##` section of a notebook.

    Attributes:
        title: the heading's text.
        core: False for a "Deep dive" section.
        words: words of prose, the heading's included.
        code_lines: non-blank lines of code.
        exercises: "Exercise" headings in the section.
    """

    title: str
    core: bool
    words: int = 0
    code_lines: int = 0
    exercises: int = 0

    @property
    def minutes(self) -> float:
        """Its time at a workshop's pace."""
        return (
            self.words / WORDS_PER_MINUTE
            + self.code_lines * SECONDS_PER_CODE_LINE / 60
            + self.exercises * EXERCISE_MINUTES
        )


@dataclass(frozen=True)
class LessonEstimate:
    """A notebook's estimate: its sections, and the minutes of its core and of everything.

    Attributes:
        sections: per section, in order (the title cell's text is a core section called by the title).
        core_minutes: the core sections, unrounded (`stated_minutes` rounds for display).
        total_minutes: every section, deep dives included, unrounded.
    """

    sections: tuple[SectionEstimate, ...]
    core_minutes: float
    total_minutes: float


def is_deep_dive(heading: str) -> bool:
    """True when a heading's text marks an optional section ("Deep dive: ...")."""
    return bool(_DEEP_DIVE.match(heading.strip()))


def stated_minutes(minutes: float) -> int:
    """Minutes as headers and tables state them: rounded up to a whole minute."""
    return max(1, math.ceil(minutes - 1e-9))


def estimate_notebook(path: str | os.PathLike[str]) -> LessonEstimate:
    """Returns the `LessonEstimate` of the notebook (.ipynb file) at `path`."""
    with open(path, encoding="utf-8") as file:
        cells = json.load(file)["cells"]
    sections = [SectionEstimate("(header)", core=True)]
    for cell in cells:
        source = "".join(cell["source"])
        if cell["cell_type"] == "code":
            sections[-1].code_lines += sum(1 for line in source.splitlines() if line.strip())
            continue
        if cell["cell_type"] != "markdown":
            continue
        position = 0
        for match in _HEADING.finditer(source):
            sections[-1].words += len(_WORD.findall(source[position : match.start()]))
            level, title = len(match.group(1)), match.group(2).strip()
            if level <= 2:
                sections.append(SectionEstimate(title, core=not is_deep_dive(title)))
            sections[-1].exercises += bool(_EXERCISE.match(title))
            sections[-1].words += len(_WORD.findall(title))
            position = match.end()
        sections[-1].words += len(_WORD.findall(source[position:]))
    estimates = tuple(
        section for section in sections if section.words or section.code_lines or section.exercises
    )
    return LessonEstimate(
        sections=estimates,
        core_minutes=sum(section.minutes for section in estimates if section.core),
        total_minutes=sum(section.minutes for section in estimates),
    )
