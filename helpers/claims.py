"""Checking the source article's claims live: the measurements behind each check, and the closing table.

Usage:
    from helpers import claims
    checked = claims.ClaimsTable()
    checked.add("yield data in small batches", measured="per batch: 40x the rows/s", verdict="Holds.")
    memory = claims.peak_memory(lambda: iter(big_generator()))   # MemoryUse(resident_mib=..., ...)
    checked                                                       # the table "the article says / we measured"

Notebooks 01-03 quote a claim, measure what it says on the learner's machine, print a one-line verdict
computed from the measurement (with wide margins, so it holds on a quiet, busy or 1-core machine) and add
the result to a `ClaimsTable`, which closes the notebook. Nothing here imports TensorFlow; speeds are
timed with `measure.compare`.
"""

from __future__ import annotations

import tracemalloc
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import psutil

from helpers.html_table import html_table

__all__ = [
    "CheckedClaim",
    "ClaimsTable",
    "MemoryUse",
    "peak_memory",
]

_MIB = 2**20


@dataclass(frozen=True, repr=False)
class CheckedClaim:
    """One claim of the article: a short quote, what the notebook measured, and the verdict it supports."""

    article_says: str
    measured: str
    verdict: str

    def __repr__(self) -> str:
        # A notebook cell ending with `checked.add(...)` shows just the verdict line.
        return f"Verdict: {self.verdict}"


@dataclass
class ClaimsTable:
    """The claims a notebook checked, in order; shows as the table "the article says / what we measured"."""

    claims: list[CheckedClaim] = field(default_factory=list)

    def add(self, article_says: str, *, measured: str, verdict: str) -> CheckedClaim:
        """Records a checked claim and returns it (a notebook cell ending with it shows the verdict).

        Raises:
            ValueError: when the quote, the measurement or the verdict is empty.
        """
        for name, value in (("article_says", article_says), ("measured", measured), ("verdict", verdict)):
            if not value.strip():
                raise ValueError(f"a checked claim needs a non-empty {name}")
        claim = CheckedClaim(article_says, measured, verdict)
        self.claims.append(claim)
        return claim

    def rows(self) -> list[tuple[str, str, str]]:
        """(article says, what we measured, verdict) for each claim, in the order they were checked."""
        return [(claim.article_says, claim.measured, claim.verdict) for claim in self.claims]

    def _repr_html_(self) -> str:
        return html_table(["The article says", "What we measured", "Verdict"], self.rows())

    def __repr__(self) -> str:
        lines = []
        for number, (says, measured, verdict) in enumerate(self.rows(), start=1):
            lines += [f"{number}. The article says: {says}", f"   We measured: {measured}", f"   {verdict}"]
        return "\n".join(lines)


@dataclass(frozen=True)
class MemoryUse:
    """Memory a pass over an iterable needed beyond what the process held when the pass began.

    Attributes:
        resident_mib: the largest growth of the process's resident set (RSS, from psutil), sampled after
            every element: everything in RAM for this process, memory-mapped file pages it has read included.
        allocated_mib: the peak of memory allocated through Python's allocator while iterating (tracemalloc;
            NumPy arrays included, memory-mapped pages not).
        elements: how many elements the pass gave.
    """

    resident_mib: float
    allocated_mib: float
    elements: int


def peak_memory(make_iterable: Callable[[], Iterable]) -> MemoryUse:
    """Iterates `make_iterable()` once and returns the memory the pass needed (see `MemoryUse`).

    Args:
        make_iterable: called once, inside the measurement, so memory its iterator allocates is counted.
    """
    process = psutil.Process()
    was_tracing = tracemalloc.is_tracing()
    if not was_tracing:
        tracemalloc.start()
    tracemalloc.reset_peak()
    traced_before = tracemalloc.get_traced_memory()[0]
    resident_before = process.memory_info().rss
    resident_peak = resident_before
    elements = 0
    try:
        for _ in make_iterable():
            elements += 1
            resident_peak = max(resident_peak, process.memory_info().rss)
        allocated_peak = tracemalloc.get_traced_memory()[1] - traced_before
    finally:
        if not was_tracing:
            tracemalloc.stop()
    return MemoryUse((resident_peak - resident_before) / _MIB, allocated_peak / _MIB, elements)
