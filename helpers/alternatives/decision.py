"""The decision table: one row per alternative, from its measured pass costs, output check and probes.

    header, rows = alternatives.decision_rows(costs, probes, checks, limit_images_per_second=limit)

It only formats what was measured and probed (ratios to the machine's limit, CPU time per image, the probed
answers); it runs nothing.

May import: of this package only `costs` and `probes`, for type hints (no TensorFlow).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from helpers.alternatives.costs import OutputCheck, PassCost
    from helpers.alternatives.probes import Probes

__all__ = ["decision_rows"]


def decision_rows(
    costs: Sequence[PassCost],
    probes: dict[str, Probes],
    checks: dict[str, OutputCheck],
    *,
    limit_images_per_second: float,
    gil_free_child_share: float = 0.25,
) -> tuple[list[str], list[list[str]]]:
    """Builds the decision table: one row per alternative, the measured ratios and the probed answers.

    Args:
        costs: the measured passes (their order is the table's).
        probes: name -> its `Probes`.
        checks: name -> its `OutputCheck` against the reference generator.
        limit_images_per_second: the machine's limit (`limit_pass`'s rate times the cores).
        gil_free_child_share: the share of CPU time in worker processes above which Python work is
            counted as escaping this process's GIL.

    Returns:
        (header, rows) for `helpers.html_table`.
    """
    header = [
        "alternative",
        "x limit",
        "CPU ms / image",
        "same output (max Δ levels)",
        "checkpoint",
        "tf.data service",
        "global shuffle",
        "shard across workers",
        "arbitrary Python",
        "escapes the GIL",
    ]
    rows = []
    for cost in costs:
        probe, check = probes[cost.name], checks[cost.name]
        python = bool(probe.python_ops)
        if not python:
            gil = "yes: no Python per element"
        elif cost.child_cpu_share >= gil_free_child_share:
            gil = f"yes: {cost.child_cpu_share:.0%} of CPU in workers"
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
                cost.name,
                f"{cost.images_per_second / limit_images_per_second:.2f}",
                f"{cost.cpu_seconds_per_image * 1000:.1f}",
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
