"""helpers.lesson_time: minutes estimated from a notebook's prose, code and exercises, at calibrated rates."""

import importlib.util
import json
import sys

import pytest

from helpers import lesson_time
from helpers.paths import REPO_ROOT


def _notebook(tmp_path, cells):
    path = tmp_path / "lesson.ipynb"
    path.write_text(json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}))
    return path


def _markdown(text):
    return {"cell_type": "markdown", "metadata": {}, "source": text}


def _code(text):
    return {"cell_type": "code", "metadata": {}, "source": text, "outputs": [], "execution_count": 1}


def _calibration_tool():
    spec = importlib.util.spec_from_file_location(
        "calibrate", REPO_ROOT / "tools" / "calibrate_lesson_time.py"
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclass looks itself up there
    spec.loader.exec_module(module)
    return module


def test_sections_split_on_level_two_headings_and_deep_dives_count_only_in_the_total(tmp_path):
    words_100 = " ".join(["word"] * 98)
    path = _notebook(
        tmp_path,
        [
            _markdown("# 01 · Title\n" + words_100),
            _markdown("## Core part\n" + words_100),
            _code("a = 1\n\nb = 2\n"),
            _markdown("## Deep dive: the details\n" + " ".join(["word"] * 96)),
            _code("c = 3\n"),
        ],
    )
    estimate = lesson_time.estimate_notebook(path)
    assert [(s.title, s.core, s.words, s.code_lines) for s in estimate.sections] == [
        ("01 · Title", True, 100, 0),
        ("Core part", True, 100, 2),
        ("Deep dive: the details", False, 100, 1),
    ]
    per_100_words = 100 / lesson_time.WORDS_PER_MINUTE
    per_line = lesson_time.SECONDS_PER_CODE_LINE / 60
    assert estimate.core_minutes == pytest.approx(2 * per_100_words + 2 * per_line)
    assert estimate.total_minutes == pytest.approx(3 * per_100_words + 3 * per_line)


def test_exercises_count_in_the_section_where_their_heading_stands(tmp_path):
    path = _notebook(
        tmp_path,
        [
            _markdown("## Build\n### Exercise: one\ntext"),
            _markdown("## Key points\n- one"),
            _markdown("## Deep dive: extra\n### Exercise 2: two"),
        ],
    )
    estimate = lesson_time.estimate_notebook(path)
    assert [(s.title, s.core, s.exercises) for s in estimate.sections] == [
        ("Build", True, 1),
        ("Key points", True, 0),
        ("Deep dive: extra", False, 1),
    ]
    assert estimate.total_minutes - estimate.core_minutes == pytest.approx(
        lesson_time.EXERCISE_MINUTES + 6 / lesson_time.WORDS_PER_MINUTE  # two headings, 6 words
    )


def test_stated_minutes_round_up_to_a_whole_minute():
    assert [lesson_time.stated_minutes(m) for m in (0, 0.2, 5, 5.01, 29.9)] == [1, 1, 5, 6, 30]


@pytest.mark.parametrize("heading", ["Deep dive: x", "deep dive - y", "  Deep dive"])
def test_deep_dive_headings(heading):
    assert lesson_time.is_deep_dive(heading)
    assert not lesson_time.is_deep_dive("Why not a deep dive")


def test_the_rates_are_the_fit_to_the_carpentries_episodes():
    tool = _calibration_tool()
    fit = tool.fit_rates(tool.read_counts())
    assert fit.episodes == 28
    assert round(fit.words_per_minute) == lesson_time.WORDS_PER_MINUTE
    assert fit.seconds_per_line == lesson_time.SECONDS_PER_CODE_LINE
    # What the module's docstring says of the fit.
    assert round(fit.median_relative_error, 2) == 0.26
    assert fit.within_half == 21


def test_the_calibration_counts_an_episode_as_the_estimator_counts_a_notebook():
    episode = """---
title: Loops
teaching: 10
exercises: 5
---
:::::: objectives
- Not lesson text.
::::::
A loop repeats work.

```python
for i in range(3):

    print(i)
```
```output
0
```
:::::: challenge
## Try it
```python
print('not counted')
```
:::: solution
Hidden.
::::
::::::
"""
    counts = _calibration_tool().count_episode("lesson/01-loops.md", episode)
    assert counts == {
        "episode": "lesson/01-loops.md",
        "words": 4,
        "code_lines": 2,
        "challenges": 1,
        "teaching_minutes": 10,
        "exercise_minutes": 5,
    }
