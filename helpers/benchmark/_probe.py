"""The untimed probe that chooses the `best_from_generator` configuration among the generator candidates.

    probe = probe_generator_configs(generator_candidates(cores), paths, repeats=2)   # probe.chosen: a label

It may import `._workloads` and `helpers.measure` at import time; `helpers.pipelines` (and so TensorFlow)
only inside functions.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from helpers import measure
from helpers.benchmark._workloads import warm_up
from helpers.measure import PassTiming, ThroughputResult

if TYPE_CHECKING:
    from helpers.pipelines import PipelineConfig

__all__ = ["Probe", "probe_generator_configs"]


@dataclass(frozen=True)
class Probe:
    """The untimed probe that chose the `best_from_generator` configuration.

    Attributes:
        chosen: the label of the configuration with the highest median in the probe.
        candidates: label -> its probe `ThroughputResult` (not used for the row's figures).
        configs: label -> the `PipelineConfig` tried.
    """

    chosen: str
    candidates: dict[str, ThroughputResult]
    configs: dict[str, PipelineConfig]


def probe_generator_configs(
    configs: Mapping[str, PipelineConfig],
    paths: Sequence[str],
    *,
    repeats: int = 2,
    min_seconds: float = 0.0,
    on_result: Callable[[str, int, PassTiming], None] | None = None,
) -> Probe:
    """Times each candidate configuration in turns and picks the one with the highest median.

    The probe's figures choose the configuration only: the chosen one is then measured again, like
    every other row, so the noise that made it win does not inflate its row.

    Args:
        configs: label -> the candidate.
        paths: the images of one pass.
        repeats: rounds of the probe.
        min_seconds: shortest repeat (whole passes).
        on_result: called after each timed repeat (name, round, timing).

    Returns:
        The `Probe`.
    """
    from helpers import pipelines

    datasets = {label: pipelines.image_dataset(config, paths) for label, config in configs.items()}
    for dataset in datasets.values():
        warm_up(dataset)
    tasks = {
        label: (
            lambda dataset=dataset: measure.repeat_for(
                lambda: measure.time_dataset_pass(dataset), min_seconds=min_seconds
            )
        )
        for label, dataset in datasets.items()
    }
    timings = measure.round_robin(tasks, repeats=repeats, on_result=on_result)
    candidates = {label: ThroughputResult.from_timings(label, timed) for label, timed in timings.items()}
    chosen = max(candidates, key=lambda label: candidates[label].elements_per_second)
    return Probe(chosen=chosen, candidates=candidates, configs=dict(configs))
