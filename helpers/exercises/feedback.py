"""The result of an exercise self-check: passed or not, what is wrong, and a hint.

Usage:
    def check_answer(answer) -> Feedback:
        if answer is None:
            return Feedback.fail("You returned None.", hint="End the function with `return ds`.")
        return Feedback.ok("The dataset yields the right pairs.")
"""

from __future__ import annotations

import html
from dataclasses import dataclass

__all__ = ["Feedback"]


@dataclass(frozen=True)
class Feedback:
    """Specific feedback on one exercise attempt; renders as text and as HTML in a notebook.

    Attributes:
        passed: whether the attempt does what the exercise asks.
        message: what was checked and found.
        hint: what to try next (only for failures).
    """

    passed: bool
    message: str
    hint: str = ""

    @classmethod
    def ok(cls, message: str) -> Feedback:
        return cls(True, message)

    @classmethod
    def fail(cls, message: str, *, hint: str) -> Feedback:
        return cls(False, message, hint)

    def __bool__(self) -> bool:
        return self.passed

    def __str__(self) -> str:
        head = "Correct: " if self.passed else "Not yet: "
        return head + self.message + (f"\nHint: {self.hint}" if self.hint else "")

    __repr__ = __str__

    def _repr_html_(self) -> str:
        colour, head = ("#1b7f3a", "✔ Correct") if self.passed else ("#b3261e", "✘ Not yet")
        hint = f"<br><b>Hint:</b> {html.escape(self.hint)}" if self.hint else ""
        return (
            f'<div style="border-left:4px solid {colour};padding:4px 8px">'
            f'<b style="color:{colour}">{head}</b>: {html.escape(self.message)}{hint}</div>'
        )
