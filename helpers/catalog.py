"""The kit's notebooks (the course in `notebooks/`, optional ones in `notebooks/optional/`): titles and
objectives from each header cell, minutes from `lesson_time`, so the README, INSTRUCTORS.md and notebook 00
state what the notebooks hold.

    from helpers import catalog
    catalog.notebook_map()          # an HTML table in a notebook
    catalog.core_path_minutes()     # the 2-hour course: every core notebook's core sections, end to end
    print(catalog.readme_table())   # the README's table of notebooks, to paste
"""

from __future__ import annotations

import functools
import html
import json
import re
from dataclasses import dataclass
from pathlib import Path

from helpers import lesson_time
from helpers.html_table import Markup, html_table
from helpers.paths import NOTEBOOKS_DIR

__all__ = ["Lesson", "core_path_minutes", "lessons", "notebook_map", "readme_table"]

_TITLE = re.compile(r"^#\s+\d+\s*·\s*(.+)$", re.MULTILINE)
_OBJECTIVES = re.compile(r"^\*\*Objectives\*\*.*\n((?:- .*\n?(?:  .*\n?)*)+)", re.MULTILINE)


@dataclass(frozen=True)
class Lesson:
    """One notebook of the kit.

    Attributes:
        path: relative to `notebooks/` (`"optional/07_beyond_from_generator.ipynb"`).
        title: from its header's `# NN · Title` line.
        objectives: the bullets under its header's **Objectives**.
        estimate: its `lesson_time` estimate.
    """

    path: str
    title: str
    objectives: tuple[str, ...]
    estimate: lesson_time.LessonEstimate

    @property
    def core(self) -> bool:
        """True for a notebook of the 2-hour course, False for an optional one."""
        return "/" not in self.path

    @property
    def core_minutes(self) -> int:
        """Its core sections at a workshop's pace, as stated (0 for an optional notebook)."""
        return lesson_time.stated_minutes(self.estimate.core_minutes) if self.core else 0

    @property
    def self_study_minutes(self) -> int:
        """Every section, deep dives included, as stated."""
        return lesson_time.stated_minutes(self.estimate.total_minutes)

    @property
    def core_sections(self) -> tuple[str, ...]:
        """The sections a workshop covers, in order (the title cell, Setup and Key points left out)."""
        skipped = {self.estimate.sections[0].title, "Setup", "Key points"}
        return tuple(s.title for s in self.estimate.sections if s.core and s.title not in skipped)

    @property
    def deep_dives(self) -> tuple[str, ...]:
        """The optional sections."""
        return tuple(section.title for section in self.estimate.sections if not section.core)


def lessons(notebooks_dir: Path = NOTEBOOKS_DIR) -> tuple[Lesson, ...]:
    """Every notebook: the core ones in order, then the optional ones."""
    paths = sorted(notebooks_dir.glob("*.ipynb")) + sorted(notebooks_dir.glob("optional/*.ipynb"))
    return tuple(_lesson(str(path), path.stat().st_mtime_ns, notebooks_dir) for path in paths)


@functools.lru_cache(maxsize=64)
def _lesson(path: str, modified_ns: int, notebooks_dir: Path) -> Lesson:
    del modified_ns  # part of the cache key only: an edited notebook is read again
    header = "".join(json.loads(Path(path).read_text(encoding="utf-8"))["cells"][0]["source"])
    title = _TITLE.search(header)
    objectives = _OBJECTIVES.search(header)
    if not title or not objectives:
        raise ValueError(f"{path}: its first cell needs a '# NN · Title' line and an **Objectives** list")
    bullets = re.split(r"\n- ", "\n" + objectives.group(1).strip())[1:]
    return Lesson(
        path=Path(path).relative_to(notebooks_dir).as_posix(),
        title=title.group(1).strip(),
        objectives=tuple(" ".join(bullet.split()) for bullet in bullets),
        estimate=lesson_time.estimate_notebook(path),
    )


def core_path_minutes() -> int:
    """The 2-hour course: the stated core minutes of every core notebook, added up."""
    return sum(lesson.core_minutes for lesson in lessons() if lesson.core)


def readme_table() -> str:
    """The README's two tables (the course, then the optional notebooks), in Markdown, to paste."""
    course = [
        "| Notebook | Topic | Core sections | Workshop (min) | With deep dives (min) |",
        "|---|---|---|---|---|",
    ]
    optional = ["| Optional notebook | Topic | Self-study (min) |", "|---|---|---|"]
    for lesson in lessons():
        if lesson.core:
            course.append(
                f"| `{lesson.path}` | {lesson.title} | {'; '.join(lesson.core_sections)} | "
                f"{lesson.core_minutes} | {lesson.self_study_minutes} |"
            )
        else:
            optional.append(f"| `{lesson.path}` | {lesson.title} | {lesson.self_study_minutes} |")
    course.append(f"| | **The 2-hour course** | | **{core_path_minutes()}** | |")
    return "\n".join(course) + "\n\n" + "\n".join(optional)


def notebook_map() -> _NotebookMap:
    """The notebooks as a table (HTML in a notebook, text elsewhere), with each one's minutes."""
    return _NotebookMap(lessons())


def _minutes(lesson: Lesson) -> str:
    if lesson.core:
        return f"{lesson.core_minutes} min in the workshop, {lesson.self_study_minutes} with its deep dives"
    return f"optional, {lesson.self_study_minutes} min"


@dataclass(frozen=True)
class _NotebookMap:
    lessons: tuple[Lesson, ...]

    def __repr__(self) -> str:
        lines = [f"{lesson.path}  {lesson.title}  ({_minutes(lesson)})" for lesson in self.lessons]
        lines.append(f"the 2-hour course: {core_path_minutes()} min")
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        rows = [
            [
                Markup(f'<a href="{html.escape(lesson.path)}">{html.escape(lesson.path)}</a>'),
                Markup(
                    f"<b>{html.escape(lesson.title)}</b><br>"
                    + "<br>".join("• " + html.escape(objective) for objective in lesson.objectives)
                ),
                _minutes(lesson),
            ]
            for lesson in self.lessons
        ]
        rows.append(["", Markup("<b>The 2-hour course</b>"), f"{core_path_minutes()} min"])
        return html_table(["Notebook", "What you will learn", "Minutes"], rows)
