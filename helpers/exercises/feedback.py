"""The result of an exercise self-check: passed or not, what is wrong, a hint, and a second hint on request.

Feedback.fail("You returned None.", hint="What does a function without `return` give back?",
              more="End the function with `return dataset`.")
Feedback.ok("The dataset yields the right pairs.")
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
        hint: what to think about next (only for failures): the idea, not the edit.
        more: a second hint that may give more of the answer; in JupyterLab it sits folded under
            "Another hint", for those who ask.
    """

    passed: bool
    message: str
    hint: str = ""
    more: str = ""

    @classmethod
    def ok(cls, message: str) -> Feedback:
        return cls(True, message)

    @classmethod
    def fail(cls, message: str, *, hint: str, more: str = "") -> Feedback:
        return cls(False, message, hint, more)

    def __bool__(self) -> bool:
        return self.passed

    def __str__(self) -> str:
        head = "Correct: " if self.passed else "Not yet: "
        text = head + self.message + (f"\nHint: {self.hint}" if self.hint else "")
        return text + (f"\nAnother hint, if you need it: {self.more}" if self.more else "")

    __repr__ = __str__

    def _repr_html_(self) -> str:
        colour, head = ("#1b7f3a", "✔ Correct") if self.passed else ("#b3261e", "✘ Not yet")
        hint = f"<br><b>Hint:</b> {html.escape(self.hint)}" if self.hint else ""
        more = (
            f"<details><summary>Another hint</summary>{html.escape(self.more)}</details>" if self.more else ""
        )
        return (
            f'<div style="border-left:4px solid {colour};padding:4px 8px">'
            f'<b style="color:{colour}">{head}</b>: {html.escape(self.message)}{hint}{more}</div>'
        )
