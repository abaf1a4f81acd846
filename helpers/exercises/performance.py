"""Self-checks for notebook 05 (the performance lab): each returns Feedback saying what is wrong and a hint.

    from helpers.exercises import performance as ex
    ex.check_wait_fraction(consumer_wait_fraction)   # reading a producer/consumer timeline
    ex.check_tuned_config(tuned_config)              # applying what the lab measured

The first check uses made-up timelines, so its answer is exact; the second checks the settings and runs
the pipeline for one batch, without timing anything (timings belong in the notebook, not in a check).
"""

from __future__ import annotations

import math
from collections.abc import Callable

from helpers import timeline
from helpers.exercises import _guards
from helpers.exercises.feedback import Feedback
from helpers.timeline import CONSUMER_LANE, PRODUCE, TRAIN_STEP, WAIT, Event

__all__ = ["check_tuned_config", "check_wait_fraction", "example_timelines"]


def example_timelines() -> dict[str, tuple[list[Event], float]]:
    """Made-up timelines with the consumer's true waiting fraction, by name.

    Returns:
        {name: (events, expected fraction)}; the producer's own events are there to be ignored.
    """

    def consumer(spans: list[tuple[str, float, float]]) -> list[Event]:
        return [Event(CONSUMER_LANE, kind, start, end) for kind, start, end in spans]

    no_prefetch = consumer(
        [(WAIT, 0.0, 0.3), (TRAIN_STEP, 0.3, 0.4), (WAIT, 0.4, 0.7), (TRAIN_STEP, 0.7, 0.8)]
    ) + [Event("producer 0", PRODUCE, 0.0, 0.3), Event("producer 0", PRODUCE, 0.4, 0.7)]
    prefetched = consumer(
        [(WAIT, 0.0, 0.3), (TRAIN_STEP, 0.3, 0.6), (WAIT, 0.6, 0.6), (TRAIN_STEP, 0.6, 0.9)]
    ) + [Event("producer 0", PRODUCE, 0.0, 0.3), Event("producer 0", PRODUCE, 0.3, 0.6)]
    no_training = consumer([(WAIT, 0.0, 0.2), (WAIT, 0.2, 0.5)])
    return {
        "no prefetch": (no_prefetch, 0.6 / 0.8),
        "prefetched": (prefetched, 0.3 / 0.9),
        "no training step": (no_training, 1.0),
    }


def check_wait_fraction(consumer_wait_fraction: Callable[[list[Event]], float]) -> Feedback:
    """Checks exercise 1: the fraction of the consumer's time spent waiting for data.

    Expected: consumer `WAIT` time / (consumer `WAIT` + `TRAIN_STEP` time), ignoring producer events.

    Args:
        consumer_wait_fraction: the learner's function, taking a list of `timeline.Event`.

    Returns:
        Feedback naming the first problem found, or success.
    """
    for name, (events, expected) in example_timelines().items():
        answer, problem = _guards.call(
            consumer_wait_fraction,
            list(events),
            failure=f"On the '{name}' timeline your function raised",
            hint="Each event has .lane, .kind, .start_seconds, .end_seconds and .duration_seconds.",
        )
        if problem is not None:
            return problem
        if answer is None:
            return Feedback.fail(
                "Your function returned None.",
                hint="End it with `return waiting / (waiting + training)`.",
            )
        try:
            value = float(answer)
        except (TypeError, ValueError):
            return Feedback.fail(
                f"Your function returned {answer!r}, not a number.",
                hint="Return one float between 0 and 1.",
            )
        if math.isclose(value, expected, abs_tol=1e-6):
            continue
        everything = sum(e.duration_seconds for e in events if e.kind in (WAIT, TRAIN_STEP, PRODUCE))
        waits = timeline.busy_seconds(events, WAIT)
        if math.isclose(value, waits / everything, abs_tol=1e-6):
            hint = "Count only the consumer's events (lane == timeline.CONSUMER_LANE)."
        elif expected < 1 and math.isclose(value, 1 - expected, abs_tol=1e-6):
            hint = "That is the training share; the question asks for the waiting share."
        elif value > 1:
            hint = "A fraction is at most 1: divide by the consumer's total (waiting + training)."
        else:
            hint = "Sum the durations of WAIT events and of TRAIN_STEP events on the consumer lane."
        return Feedback.fail(
            f"On the '{name}' timeline the consumer waits {expected:.0%} of its time; "
            f"your function says {value:.3g}.",
            hint=hint,
        )
    return Feedback.ok(
        "Right on all three timelines: waiting / (waiting + training), consumer only. "
        "Apply it to the two runs above."
    )


def check_tuned_config(tuned_config: Callable) -> Feedback:
    """Checks exercise 2: `tuned_config(config)` applies what the lab measured, and the result runs.

    Expected changes: per-batch yield, `decode_threads` = the cores this process may use,
    `opencv_threads=1`, prefetch "autotune"; the data settings (data, image_count, image_size,
    batch_size, augment, cache) left as given.

    Args:
        tuned_config: the learner's function, taking and returning a `pipelines.PipelineConfig`.

    Returns:
        Feedback naming the first problem found, or success.
    """
    from helpers import measure, pipelines

    cores = measure.available_cores()
    given = pipelines.PipelineConfig(
        data="samples", image_count=8, image_size=32, batch_size=4, augment=True, prefetch="off"
    )
    tuned, problem = _guards.call(
        tuned_config,
        given,
        failure="Your function raised",
        hint="Build the answer with `config.replace(setting=value, ...)`.",
    )
    if problem is not None:
        return problem
    if tuned is None:
        return Feedback.fail(
            "Your function returned None.", hint="Return `config.replace(...)` with the new settings."
        )
    if not isinstance(tuned, pipelines.PipelineConfig):
        return Feedback.fail(
            f"Your function returned a {type(tuned).__name__}, not a PipelineConfig.",
            hint="`config.replace(...)` returns a new PipelineConfig.",
        )
    for name in ("data", "image_count", "image_size", "batch_size", "augment", "cache"):
        if getattr(tuned, name) != getattr(given, name):
            return Feedback.fail(
                f"{name} changed from {getattr(given, name)!r} to {getattr(tuned, name)!r}.",
                hint="Tune how images are produced, not which images or how many: keep data settings.",
            )
    problems = [
        (
            tuned.yield_mode != "batch",
            f"yield_mode is {tuned.yield_mode!r}.",
            "Every yield costs a trip through TensorFlow's py_func: yield whole batches.",
        ),
        (
            tuned.decode_threads != cores,
            f"decode_threads is {tuned.decode_threads}; this machine lets you use {cores} cores.",
            "OpenCV releases the GIL while decoding: one decode thread per core keeps every core busy.",
        ),
        (
            tuned.opencv_threads != 1,
            f"opencv_threads is {tuned.opencv_threads}.",
            "Your decode threads are the parallelism; OpenCV's own thread pool would compete with "
            "them. Set opencv_threads=1.",
        ),
        (
            tuned.prefetch != "autotune",
            f"prefetch is {tuned.prefetch!r}.",
            "With prefetch('autotune') the next batches are made while the model trains.",
        ),
    ]
    for wrong, message, hint in problems:
        if wrong:
            return Feedback.fail(message, hint=hint)
    batch, problem = _guards.call(
        lambda: next(iter(pipelines.image_dataset(tuned, pipelines.resolve_paths(tuned)))),
        failure="The settings are right but the pipeline failed:",
        hint="Check the other settings you changed.",
    )
    if problem is not None:
        return problem
    return Feedback.ok(
        "Per-batch yield, one decode thread per core, OpenCV single-threaded, prefetch AUTOTUNE; "
        f"the first batch has shape {tuple(batch.shape)}. Try these settings in the panel."
    )
