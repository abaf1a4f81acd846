"""Calibrates `helpers.lesson_time` on lessons taught in many workshops: the Carpentries' Python lessons.

    python tools/calibrate_lesson_time.py                      # fit the rates to the committed counts
    python tools/calibrate_lesson_time.py --count EPISODES...  # count episodes again (Markdown files)

Every Carpentries episode states its teaching and exercise minutes in its front matter. This tool counts what
the kit's estimator counts in a notebook (words of lesson text; non-blank lines of Python), in each episode's
lesson text (challenges, solutions, objectives, questions, key points and instructor notes left out), and fits
the two rates: minutes = words / words_per_minute + code_lines * seconds_per_line / 60. The fit keeps the
total of the episodes' stated teaching minutes exact (a course is planned by its total) and, under that,
chooses the code rate that minimises the squared log error per episode. The counts are committed beside this
file (`lesson_time_calibration.csv`, from swcarpentry/python-novice-gapminder at 58eec486 and
swcarpentry/python-novice-inflammation at 2b3613a5), so the fit is checked offline by the tests.
"""

from __future__ import annotations

import argparse
import csv
import math
import re
import statistics
import sys
from dataclasses import dataclass
from pathlib import Path

CALIBRATION_CSV = Path(__file__).with_name("lesson_time_calibration.csv")
FIELDS = ("episode", "teaching_minutes", "exercise_minutes", "words", "code_lines", "challenges")
_WORD = re.compile(r"[A-Za-z0-9_']+")
_NOT_LESSON_TEXT = {"challenge", "solution", "objectives", "questions", "keypoints", "instructor", "prereq"}


@dataclass(frozen=True)
class Fit:
    """The rates, and how well they reproduce each episode's stated teaching minutes."""

    words_per_minute: float
    seconds_per_line: float
    median_relative_error: float
    within_half: int
    episodes: int


def count_episode(name: str, markdown: str) -> dict[str, int | str]:
    """Counts one episode's front matter minutes, lesson-text words, Python lines and challenges."""
    parts = re.match(r"---\n(.*?)\n---\n(.*)", markdown, re.S)
    if parts is None:
        raise ValueError(f"{name}: no front matter stating its minutes")
    front, body = parts.groups()
    meta = dict(line.split(":", 1) for line in front.splitlines() if ":" in line)
    counts = {"words": 0, "code_lines": 0, "challenges": 0}
    counts["teaching_minutes"] = int(meta["teaching"])
    counts["exercise_minutes"] = int(meta["exercises"])
    blocks: list[str] = []
    fence = None
    for line in body.splitlines():
        text = line.strip()
        in_lesson_text = not _NOT_LESSON_TEXT.intersection(blocks)
        if fence is not None:
            if text.startswith("```"):
                fence = None
            elif fence == "python" and in_lesson_text and text:
                counts["code_lines"] += 1
            continue
        if text.startswith("```"):
            fence = text[3:].strip("{}. ").split(" ")[0] or "text"
            continue
        block = re.match(r"^:{3,}\s*(\w+)?\s*$", text)
        if block:
            if block.group(1):
                blocks.append(block.group(1))
                counts["challenges"] += int(block.group(1) == "challenge")
            elif blocks:
                blocks.pop()
            continue
        if in_lesson_text and not re.match(r"^\[[^\]]+\]:\s", text):
            counts["words"] += len(_WORD.findall(re.sub(r"\]\([^)]*\)|\{[^}]*\}", "]", text)))
    return {"episode": name, **counts}


def read_counts(path: Path = CALIBRATION_CSV) -> list[dict[str, int | str]]:
    """The committed counts: one row per episode that states teaching minutes."""
    with path.open(newline="") as file:
        return [
            {key: value if key == "episode" else int(value) for key, value in row.items()}
            for row in csv.DictReader(file)
        ]


def fit_rates(episodes: list[dict[str, int | str]]) -> Fit:
    """Fits the two rates: the total kept exact, the per-episode squared log error minimised."""
    taught = [e for e in episodes if int(e["teaching_minutes"]) > 0]
    total_minutes = sum(int(e["teaching_minutes"]) for e in taught)
    total_words = sum(int(e["words"]) for e in taught)
    total_lines = sum(int(e["code_lines"]) for e in taught)
    best: tuple[float, float, float, list[float]] | None = None
    for quarter_seconds in range(0, 121):
        seconds_per_line = quarter_seconds / 4
        words_per_minute = total_words / (total_minutes - total_lines * seconds_per_line / 60)
        predicted = [
            int(e["words"]) / words_per_minute + int(e["code_lines"]) * seconds_per_line / 60 for e in taught
        ]
        stated = [int(e["teaching_minutes"]) for e in taught]
        loss = sum(math.log(p / s) ** 2 for p, s in zip(predicted, stated, strict=True))
        if best is None or loss < best[0]:
            errors = [abs(p / s - 1) for p, s in zip(predicted, stated, strict=True)]
            best = (loss, words_per_minute, seconds_per_line, errors)
    assert best is not None
    _, words_per_minute, seconds_per_line, errors = best
    return Fit(
        words_per_minute=words_per_minute,
        seconds_per_line=seconds_per_line,
        median_relative_error=statistics.median(errors),
        within_half=sum(error <= 0.5 for error in errors),
        episodes=len(taught),
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--count", nargs="+", type=Path, metavar="EPISODE", help="episode Markdown files")
    args = parser.parse_args(argv)
    if args.count:
        writer = csv.DictWriter(sys.stdout, fieldnames=FIELDS, lineterminator="\n")
        writer.writeheader()
        for path in args.count:
            counts = count_episode(f"{path.parent.parent.name}/{path.name}", path.read_text())
            if counts["teaching_minutes"]:
                writer.writerow(counts)
        return 0
    fit = fit_rates(read_counts())
    print(
        f"{fit.episodes} episodes: {fit.words_per_minute:.1f} words a minute and {fit.seconds_per_line:g} s "
        f"a line of code; per episode the median error is {fit.median_relative_error:.0%}, and "
        f"{fit.within_half} of {fit.episodes} are within 50% of their stated minutes"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
