"""The decision table: one row per alternative, from its timing, its output check and its probes.

    results = measure.compare({...alternatives..., "limit": process_work.limit_pass(pool, paths)})
    header, rows = alternatives.decision_rows(results, probes, checks, limit=results.pop("limit"))

It only formats what was measured and probed (ratios to the machine's measured limit, CPU time per
image, the probed answers); it runs nothing.

May import: of this package only `probes`, and `helpers.measure` / `helpers.image_work`, for type hints.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from helpers.alternatives.probes import Probes
    from helpers.image_work import OutputCheck
    from helpers.measure import ThroughputResult

__all__ = ["decision_rows"]


def decision_rows(
    results: Mapping[str, ThroughputResult],
    probes: Mapping[str, Probes],
    checks: Mapping[str, OutputCheck],
    *,
    limit: ThroughputResult,
    gil_free_child_share: float = 0.25,
) -> tuple[list[str], list[list[str]]]:
    """Builds the decision table: one row per alternative, the measured ratios and the probed answers.

    Args:
        results: name -> its `measure.ThroughputResult` (their order is the table's).
        probes: name -> its `Probes`.
        checks: name -> its `image_work.OutputCheck` against the reference generator.
        limit: the machine's limit, timed in the same turns (`process_work.limit_pass`).
        gil_free_child_share: the share of CPU time in worker processes above which Python work is
            counted as escaping this process's GIL.

    Returns:
        (header, rows) for `helpers.html_table`.
    """
    header = [
        "alternative",
        "x limit",
        "CPU ms / image",
        "same output (max |Δ| levels)",
        "checkpoint",
        "tf.data service",
        "global shuffle",
        "shard across workers",
        "arbitrary Python",
        "escapes the GIL",
    ]
    rows = []
    for name, result in results.items():
        probe, check = probes[name], checks[name]
        python = bool(probe.python_ops)
        if not python:
            gil = "yes: no Python per element"
        elif result.child_cpu_share >= gil_free_child_share:
            gil = f"yes: {result.child_cpu_share:.0%} of CPU in workers"
        else:
            gil = "no: Python in this process"
        if probe.known_length:
            shuffle, shard = "yes: shuffle the keys", "yes: by key, before the work"
        elif probe.file_shardable:
            shuffle, shard = "no: file order + buffer", "yes: by file (auto-shard)"
        else:
            shuffle, shard = "no: a buffer only", "no: each worker runs it all"
        rows.append(
            [
                name,
                f"{result.elements_per_second / limit.elements_per_second:.2f}",
                f"{result.cpu_seconds_per_element * 1000:.1f}",
                f"{'yes' if check.same_output else 'no'} ({check.max_levels:g})",
                "yes" if probe.checkpointable else "no",
                "yes" if probe.runs_on_service_workers else "no: Python ops",
                shuffle,
                shard,
                "yes" if python else "no: TF ops only",
                gil,
            ]
        )
    return header, rows
