"""helpers.lesson_time: minutes estimated from a notebook's prose, code, outputs and exercises."""

import json

import pytest

from helpers import lesson_time


def _notebook(tmp_path, cells):
    path = tmp_path / "lesson.ipynb"
    path.write_text(json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}))
    return path


def _markdown(text):
    return {"cell_type": "markdown", "metadata": {}, "source": text}


def _code(text, *, output=True):
    outputs = [{"output_type": "stream", "name": "stdout", "text": "x"}] if output else []
    return {"cell_type": "code", "metadata": {}, "source": text, "outputs": outputs, "execution_count": 1}


def test_sections_split_on_level_two_headings_and_deep_dives_are_self_study_only(tmp_path):
    words_90 = " ".join(["word"] * 90)
    path = _notebook(
        tmp_path,
        [
            _markdown("# Title\n" + words_90),
            _markdown("## Core part\n" + words_90),
            _code("a = 1\n\nb = 2\n"),
            _markdown("## Deep dive: the details\n" + words_90),
            _code("c = 3\n", output=False),
        ],
    )
    estimate = lesson_time.estimate_notebook(path)
    assert [(s.title, s.core) for s in estimate.sections] == [
        ("Title", True),
        ("Core part", True),
        ("Deep dive: the details", False),
    ]
    core, deep = estimate.sections[1], estimate.sections[2]
    assert (core.words, core.code_lines, core.outputs) == (92, 2, 1)  # the heading's words count too
    assert (deep.code_lines, deep.outputs, deep.workshop_minutes) == (1, 0, 0.0)
    assert deep.self_study_minutes > 0
    assert core.self_study_minutes == pytest.approx(92 / 180 + 2 * 5 / 60 + 5 / 60)


def test_exercises_count_where_their_heading_stands(tmp_path):
    path = _notebook(
        tmp_path,
        [
            _markdown("## Exercises\n### Exercise 1: one\ntext"),
            _markdown("### Deep dive: more\ntext\n### Exercise 2: two\n"),
            _markdown("## Deep dive: extra\n### Exercise 3: three"),
        ],
    )
    sections = lesson_time.estimate_notebook(path).sections
    assert [(s.title, s.core, s.exercises) for s in sections] == [
        ("Exercises", True, 2),
        ("Deep dive: more", False, 0),
        ("Deep dive: extra", False, 1),
    ]


def test_stated_minutes_round_up_to_whole_steps(tmp_path):
    assert [lesson_time.round_up_minutes(m) for m in (0, 0.1, 5, 5.01, 29.9)] == [5, 5, 5, 10, 30]
    long_prose = " ".join(["word"] * 1800)  # 10 minutes of reading
    estimate = lesson_time.estimate_notebook(_notebook(tmp_path, [_markdown("## Read\n" + long_prose)]))
    assert estimate.self_study_minutes == 15  # 10.01 minutes -> 15
    assert estimate.workshop_minutes == 10  # read at twice the pace: 5.01 -> 10


@pytest.mark.parametrize("heading", ["Deep dive: x", "deep dive - y", "  Deep dive"])
def test_deep_dive_headings(heading):
    assert lesson_time.is_deep_dive(heading)
    assert not lesson_time.is_deep_dive("Why not a deep dive")
