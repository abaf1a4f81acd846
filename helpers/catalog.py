"""The kit's notebooks: titles, objectives and minutes, in one place (the start-here map and README use it).

Usage:
    from helpers import catalog
    catalog.notebook_map()        # an HTML table in a notebook
"""

from __future__ import annotations

import html
from dataclasses import dataclass

from helpers.html_table import Markup, html_table

__all__ = ["Lesson", "LESSONS", "notebook_map"]


@dataclass(frozen=True)
class Lesson:
    """One notebook of the kit."""

    filename: str
    title: str
    objectives: tuple[str, ...]
    self_study_minutes: int
    workshop_minutes: int


LESSONS: tuple[Lesson, ...] = (
    Lesson(
        "00_start_here.ipynb",
        "Start here: check your set-up",
        ("Confirm Python, TensorFlow, OpenCV and widgets work", "Find your way through the kit"),
        5,
        5,
    ),
    Lesson(
        "01_simple_generator.ipynb",
        "A first generator dataset",
        (
            "Build a dataset from a Python generator with output_signature",
            "Know when the generator runs, and why it must be a callable",
            "Handle unknown cardinality, variable shapes, ragged and nested outputs",
        ),
        70,
        15,
    ),
    Lesson(
        "02_image_pipeline.ipynb",
        "An image pipeline with OpenCV",
        (
            "Run the article's OpenCV pipeline and see its hidden bugs",
            "Load images robustly: RGB, float32, clear errors",
            "Batch, prefetch and measure throughput",
        ),
        60,
        15,
    ),
    Lesson(
        "03_args_and_augmentation.ipynb",
        "Arguments and augmentation",
        (
            "Know what `args` become inside the generator",
            "Avoid the late-binding lambda trap",
            "Switch augmentation with args and seed it per epoch and shard",
        ),
        65,
        15,
    ),
    Lesson(
        "04_pitfalls.ipynb",
        "Pitfall gallery and the pipeline doctor",
        (
            "Recognise the common from_generator failures by their messages",
            "Fix each one",
            "Validate and diagnose generators before TensorFlow sees them",
        ),
        65,
        15,
    ),
    Lesson(
        "05_performance_lab.ipynb",
        "The performance lab",
        (
            "Change batch, prefetch, shards and yield mode and watch throughput live",
            "Read a producer/consumer timeline",
            "Know the ceiling of a generator pipeline on your machine",
        ),
        40,
        30,
    ),
    Lesson(
        "06_training.ipynb",
        "Train a Keras model from a generator",
        (
            "Feed model.fit from from_generator with the right cardinality",
            "Augment the training set only, seeded per epoch",
            "Tell whether training is input-bound; cache with save/load",
        ),
        40,
        30,
    ),
    Lesson(
        "07_beyond_from_generator.ipynb",
        "Beyond from_generator",
        (
            "Rewrite the pipeline graph-native",
            "Use TFRecord and checkpoint an input pipeline",
            "Scale out with tf.data service across processes",
        ),
        40,
        30,
    ),
    Lesson(
        "08_choosing_a_pipeline.ipynb",
        "Choosing an input pipeline",
        (
            "Write the fast generator pattern: decode-ahead threads, reused buffers, uint8 out",
            "Compare from_generator with its alternatives on speed, CPU time and capabilities",
            "Know when threads cannot help and what processes cost",
        ),
        45,
        30,
    ),
    Lesson(
        "09_questions_people_ask.ipynb",
        "The questions people ask",
        (
            "Yield sparse tensors and dicts of features for a multi-input model",
            "Shuffle well, and feed tf.distribute from a generator",
            "Keep large data out of the graph; respect the API's two caveats",
        ),
        35,
        20,
    ),
)


def notebook_map() -> _HtmlTable:
    """Returns the lessons as a table (HTML in a notebook, text elsewhere)."""
    return _HtmlTable(LESSONS)


class _HtmlTable:
    def __init__(self, lessons: tuple[Lesson, ...]) -> None:
        self.lessons = lessons

    def __repr__(self) -> str:
        return "\n".join(
            f"{lesson.filename}  {lesson.title}  ({lesson.self_study_minutes} min self-study, "
            f"{lesson.workshop_minutes} min workshop)"
            for lesson in self.lessons
        )

    def _repr_html_(self) -> str:
        rows = [
            [
                Markup(f'<a href="{html.escape(lesson.filename)}">{html.escape(lesson.filename)}</a>'),
                Markup(
                    f"<b>{html.escape(lesson.title)}</b><br>"
                    + "<br>".join("• " + html.escape(objective) for objective in lesson.objectives)
                ),
                lesson.self_study_minutes,
                lesson.workshop_minutes,
            ]
            for lesson in self.lessons
        ]
        return html_table(["Notebook", "What you will learn", "Self-study (min)", "Workshop (min)"], rows)
