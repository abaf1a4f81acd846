"""The kit's notebooks: titles, objectives and minutes, in one place (the start-here map and README use it).

The minutes are not written here: each lesson reads them from `lesson_time.estimate_notebook` of its own
notebook, so what the README and the headers state is what the notebook's length implies.

Usage:
    from helpers import catalog
    catalog.notebook_map()        # an HTML table in a notebook
    catalog.core_path_minutes()   # the workshop minutes of every lesson's core sections, end to end
    print(catalog.readme_table())  # the README's table of notebooks, to paste
"""

from __future__ import annotations

import functools
import html
from dataclasses import dataclass

from helpers import lesson_time
from helpers.html_table import Markup, html_table
from helpers.paths import NOTEBOOKS_DIR

__all__ = ["Lesson", "LESSONS", "core_path_minutes", "self_study_minutes", "notebook_map", "readme_table"]


@dataclass(frozen=True)
class Lesson:
    """One notebook of the kit; its minutes come from the notebook itself.

    Attributes:
        filename: the notebook's file name in `notebooks/`.
        title: what the lesson is called.
        objectives: what a learner can do afterwards.
    """

    filename: str
    title: str
    objectives: tuple[str, ...]

    @property
    def estimate(self) -> lesson_time.LessonEstimate:
        """The notebook's `lesson_time` estimate (read once per file and content)."""
        path = NOTEBOOKS_DIR / self.filename
        return _estimate(str(path), path.stat().st_mtime_ns)

    @property
    def self_study_minutes(self) -> int:
        """Every section, on one's own, rounded up to 5 minutes."""
        return self.estimate.self_study_minutes

    @property
    def workshop_minutes(self) -> int:
        """The core sections at a workshop's pace, rounded up to 5 minutes."""
        return self.estimate.workshop_minutes

    @property
    def core_sections(self) -> tuple[str, ...]:
        """The sections a workshop covers, in order (Setup and Key points included; the title cell not)."""
        return tuple(section.title for section in self.estimate.sections[1:] if section.core)

    @property
    def deep_dives(self) -> tuple[str, ...]:
        """The optional sections, left to self-study."""
        return tuple(section.title for section in self.estimate.sections if not section.core)


@functools.lru_cache(maxsize=32)
def _estimate(path: str, modified_ns: int) -> lesson_time.LessonEstimate:
    del modified_ns  # part of the cache key only: an edited notebook is estimated again
    return lesson_time.estimate_notebook(path)


LESSONS: tuple[Lesson, ...] = (
    Lesson(
        "00_start_here.ipynb",
        "Start here: check your set-up",
        ("Confirm Python, TensorFlow, OpenCV and widgets work", "Find your way through the kit"),
    ),
    Lesson(
        "01_simple_generator.ipynb",
        "A first generator dataset",
        (
            "Build a dataset from a Python generator with output_signature",
            "Know when the generator runs, and why it must be a callable",
            "Handle unknown cardinality, variable shapes, ragged and nested outputs",
        ),
    ),
    Lesson(
        "02_image_pipeline.ipynb",
        "An image pipeline with OpenCV",
        (
            "Run the article's OpenCV pipeline and see its hidden bugs",
            "Load images robustly: RGB, float32, clear errors",
            "Batch, prefetch and measure throughput",
        ),
    ),
    Lesson(
        "03_args_and_augmentation.ipynb",
        "Arguments and augmentation",
        (
            "Know what `args` become inside the generator",
            "Avoid the late-binding lambda trap",
            "Switch augmentation with args and seed it per epoch and shard",
        ),
    ),
    Lesson(
        "04_pitfalls.ipynb",
        "Pitfall gallery and the pipeline doctor",
        (
            "Recognise the common from_generator failures by their messages",
            "Fix each one",
            "Validate and diagnose generators before TensorFlow sees them",
        ),
    ),
    Lesson(
        "05_performance_lab.ipynb",
        "The performance lab",
        (
            "Change batch, prefetch, shards and yield mode and watch throughput live",
            "Read a producer/consumer timeline",
            "Know the ceiling of a generator pipeline on your machine",
        ),
    ),
    Lesson(
        "06_training.ipynb",
        "Train a Keras model from a generator",
        (
            "Feed model.fit from from_generator with the right cardinality",
            "Augment the training set only, seeded per epoch",
            "Tell whether training is input-bound; cache with save/load",
        ),
    ),
    Lesson(
        "07_beyond_from_generator.ipynb",
        "Beyond from_generator",
        (
            "Rewrite the pipeline graph-native",
            "Use TFRecord and checkpoint an input pipeline",
            "Scale out with tf.data service across processes",
        ),
    ),
    Lesson(
        "08_choosing_a_pipeline.ipynb",
        "Choosing an input pipeline",
        (
            "Write the fast generator pattern: decode-ahead threads, reused buffers, uint8 out",
            "Compare from_generator with its alternatives on speed, CPU time and capabilities",
            "Know when threads cannot help and what processes cost",
        ),
    ),
    Lesson(
        "09_questions_people_ask.ipynb",
        "The questions people ask",
        (
            "Yield sparse tensors and dicts of features for a multi-input model",
            "Shuffle well, and feed tf.distribute from a generator",
            "Keep large data out of the graph; respect the API's two caveats",
        ),
    ),
)


def core_path_minutes(lessons: tuple[Lesson, ...] = ()) -> int:
    """The workshop minutes of the core path: every lesson's core sections, end to end.

    Args:
        lessons: the lessons to add up; all of `LESSONS` by default.

    Returns:
        The sum of the lessons' workshop minutes.
    """
    return sum(lesson.workshop_minutes for lesson in lessons or LESSONS)


def self_study_minutes(lessons: tuple[Lesson, ...] = ()) -> int:
    """The self-study minutes of every lesson, end to end (all of `LESSONS` by default)."""
    return sum(lesson.self_study_minutes for lesson in lessons or LESSONS)


def readme_table(lessons: tuple[Lesson, ...] = ()) -> str:
    """The README's table of notebooks (Markdown), minutes from the estimates, with the core path's total.

    Args:
        lessons: the lessons to list; all of `LESSONS` by default.

    Returns:
        The table's lines, ready to paste.
    """
    lessons = lessons or LESSONS
    lines = [
        "| Notebook | Topic | Core sections (workshop) | Self-study (min) | Workshop (min) |",
        "|---|---|---|---|---|",
    ]
    lines += [
        f"| `{lesson.filename}` | {lesson.title} | {'; '.join(_shown_core(lesson))} | "
        f"{lesson.self_study_minutes} | {lesson.workshop_minutes} |"
        for lesson in lessons
    ]
    return "\n".join(lines)


def notebook_map() -> _HtmlTable:
    """Returns the lessons as a table (HTML in a notebook, text elsewhere), with each one's core path."""
    return _HtmlTable(LESSONS)


def _shown_core(lesson: Lesson) -> tuple[str, ...]:
    # Every lesson has a Setup and Key points: the map shows only what tells the lessons apart.
    return tuple(title for title in lesson.core_sections if title not in ("Setup", "Key points"))


class _HtmlTable:
    def __init__(self, lessons: tuple[Lesson, ...]) -> None:
        self.lessons = lessons

    def __repr__(self) -> str:
        lines = [
            f"{lesson.filename}  {lesson.title}  ({lesson.self_study_minutes} min self-study, "
            f"{lesson.workshop_minutes} min workshop: {', '.join(_shown_core(lesson))})"
            for lesson in self.lessons
        ]
        lines.append(
            f"core path: {core_path_minutes(self.lessons)} min workshop; "
            f"everything: {self_study_minutes(self.lessons)} min self-study"
        )
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        rows = [
            [
                Markup(f'<a href="{html.escape(lesson.filename)}">{html.escape(lesson.filename)}</a>'),
                Markup(
                    f"<b>{html.escape(lesson.title)}</b><br>"
                    + "<br>".join("• " + html.escape(objective) for objective in lesson.objectives)
                ),
                Markup("<br>".join(html.escape(title) for title in _shown_core(lesson))),
                lesson.self_study_minutes,
                lesson.workshop_minutes,
            ]
            for lesson in self.lessons
        ]
        rows.append(
            [
                "",
                Markup("<b>All lessons</b>"),
                "the core path",
                self_study_minutes(self.lessons),
                core_path_minutes(self.lessons),
            ]
        )
        header = [
            "Notebook",
            "What you will learn",
            "Core sections (workshop)",
            "Self-study (min)",
            "Workshop (min)",
        ]
        return html_table(header, rows)
