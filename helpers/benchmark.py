"""The command that compares the article's pipeline with faster ones on the same images.

    python -m helpers.benchmark --quick --json out.json

Every row of the comparison does the same work on the same files (640x480 JPEGs -> 224x224 RGB float32
in [0, 1]) except the last two, which compare yielding small elements one at a time with yielding them in
batches of 256.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
import tensorflow as tf

from helpers import article, datasets, pipelines
from helpers.measure import ThroughputResult, available_cores, count_elements, dataset_pass, measure_rate
from helpers.paths import display_path

__all__ = [
    "ComparisonRow",
    "compare",
    "format_table",
    "main",
]


IMAGE_SIZE = 224
SMALL_BATCH_SIZE = 256
SMALL_FEATURES = 16
# The per-batch row reads this many times more rows per repeat, so each repeat lasts long enough to time.
BATCH_YIELD_MULTIPLE = 32
SMALL_ELEMENT_SIGNATURE = tf.TensorSpec(shape=(SMALL_FEATURES,), dtype=tf.float32)
SMALL_BATCH_SIGNATURE = tf.TensorSpec(shape=(None, SMALL_FEATURES), dtype=tf.float32)
FLOAT32_IMAGE_SIGNATURE = tf.TensorSpec(shape=(IMAGE_SIZE, IMAGE_SIZE, 3), dtype=tf.float32)


@dataclass(frozen=True)
class ComparisonRow:
    """One row of the comparison table.

    Attributes:
        name: the row's key (`article_example_2`, `float32`, ...).
        elements_per_second: median over the repeats.
        ratio_to_limit: `elements_per_second / limit`; None for the small-element rows.
        ratio: the ratio shown (to `limit`, or between the two small-element rows).
        ratio_to: what `ratio` compares with.
        what: what the row runs.
        samples: elements/s of each repeat.
    """

    name: str
    elements_per_second: float
    ratio_to_limit: float | None
    ratio: float
    ratio_to: str
    what: str
    samples: tuple[float, ...] = ()


@dataclass(frozen=True)
class _Candidate:
    name: str
    what: str
    make_dataset: Callable[[], tf.data.Dataset] | None = None
    run_once: Callable[[], int] | None = None
    rate_multiplier: int = 1  # the limit row: one thread's rate times the cores


def float32_images(image_paths: Iterable[bytes | str]) -> Iterable[np.ndarray]:
    """The article's Example 2 generator with two fixes: RGB (not BGR) and float32 arithmetic.

    Yields:
        float32 RGB images (224, 224, 3) in [0, 1].
    """
    for image_path in image_paths:
        image = cv2.imread(os.fsdecode(image_path))
        image = cv2.resize(image, (IMAGE_SIZE, IMAGE_SIZE))
        image = cv2.cvtColor(image, cv2.COLOR_BGR2RGB)
        yield image.astype(np.float32) / np.float32(255)


def feature_rows(features: np.ndarray) -> Iterable[np.ndarray]:
    """Yields the rows of `features` one at a time."""
    yield from features


def feature_batches(features: np.ndarray, batch_size: int) -> Iterable[np.ndarray]:
    """Yields `features` in slices of `batch_size` rows."""
    for start in range(0, len(features), int(batch_size)):
        yield features[start : start + int(batch_size)]


def best_generator_configs(cores: int) -> dict[str, pipelines.PipelineConfig]:
    """The generator pipelines the comparison tries for `best_from_generator`, by name."""
    base = pipelines.PipelineConfig(
        batch_size=32, yield_mode="batch", opencv_threads=1, prefetch="autotune", image_count=1
    )
    return {
        f"one generator, {cores} decode threads": base.replace(decode_threads=cores),
        f"{cores} sharded generators": base.replace(shards=cores),
        f"one generator, {cores + 1} decode threads": base.replace(decode_threads=cores + 1),
    }


def graph_native_dataset(paths: Sequence[str]) -> tf.data.Dataset:
    """TensorFlow ops only: read, decode, resize (bilinear) and scale in a parallel map; batch; prefetch."""

    def load(path: tf.Tensor) -> tf.Tensor:
        image = tf.io.decode_jpeg(tf.io.read_file(path), channels=3)
        return tf.image.resize(image, (IMAGE_SIZE, IMAGE_SIZE)) / 255.0

    dataset = (
        tf.data.Dataset.from_tensor_slices(list(paths))
        .map(load, num_parallel_calls=tf.data.AUTOTUNE, deterministic=False)
        .batch(32)
        .prefetch(tf.data.AUTOTUNE)
    )
    return dataset


def _stream_chunks(dataset: tf.data.Dataset, elements: int) -> Callable[[], int]:
    """Each call reads the next `elements` (or a little more) from one endless pass over `dataset`.

    For fast pipelines where starting an iterator (tens of milliseconds) would swamp the measurement.
    """
    stream = None

    def next_chunk() -> int:
        nonlocal stream
        stream = stream or iter(dataset.repeat())
        count = 0
        while count < elements:
            count += count_elements(next(stream))
        return count

    return next_chunk


def _limit_pass(paths: Sequence[str]) -> Callable[[], int]:
    out = np.empty((IMAGE_SIZE, IMAGE_SIZE, 3), np.uint8)

    def one_pass() -> int:
        cv2.setNumThreads(1)
        for path in paths:
            pipelines.decode_resize_into(path, out)
        return len(paths)

    return one_pass


def compare(
    *,
    image_count: int = 600,
    small_elements: int = 16_384,
    repeats: int = 3,
    quick: bool = False,
    log: Callable[[str], None] | None = None,
) -> tuple[list[ComparisonRow], list[ThroughputResult]]:
    """Measures every row of the comparison on the same images, interleaving the rows' repeats.

    Repeats are taken round-robin (row 1, row 2, ..., row 1, row 2, ...) so a change in the machine's
    load during the run affects every row alike.

    Args:
        image_count: benchmark JPEGs (640x480) per pass.
        small_elements: rows of features (the same rows feed both small-element rows); the per-element
            row times this many per repeat, the per-batch row `BATCH_YIELD_MULTIPLE` times as many.
        repeats: timed passes per row (the median is reported).
        quick: try only the first `best_from_generator` candidate.
        log: called with a short progress line per row and repeat (None: silent).

    Returns:
        (the rows in table order, every candidate's `ThroughputResult`).
    """
    log = log or (lambda _line: None)
    cores = available_cores()
    paths = [str(p) for p in datasets.benchmark_jpegs(image_count, progress=False)]
    configs = best_generator_configs(cores)
    if quick:
        configs = dict(list(configs.items())[:1])
    features = np.random.default_rng(0).random((small_elements, SMALL_FEATURES), dtype=np.float32)
    candidates = [
        _Candidate(
            "article_example_2",
            "the article's Example 2 as written (BGR, float64 declared float32)",
            make_dataset=lambda: article.example_2_dataset(paths),
        ),
        _Candidate(
            "float32",
            "Example 2 with float32 arithmetic and RGB, output_signature",
            make_dataset=lambda: (
                tf.data.Dataset.from_generator(
                    float32_images, args=(paths,), output_signature=FLOAT32_IMAGE_SIGNATURE
                )
                .batch(32)
                .prefetch(tf.data.AUTOTUNE)
            ),
        ),
        *(
            _Candidate(
                f"best_from_generator: {label}",
                config.describe().split(" · OpenCV")[0],
                make_dataset=lambda config=config: pipelines.image_dataset(config, paths),
            )
            for label, config in configs.items()
        ),
        _Candidate(
            "graph_native",
            "from_tensor_slices + map(read, decode_jpeg, resize), AUTOTUNE, prefetch",
            make_dataset=lambda: graph_native_dataset(paths),
        ),
        _Candidate(
            "limit",
            f"single-thread OpenCV decode + resize x {cores} cores",
            run_once=_limit_pass(paths),
            rate_multiplier=cores,
        ),
        _Candidate(
            "per_element_yield",
            f"rows of {SMALL_FEATURES} floats, one per yield, batched by {SMALL_BATCH_SIZE}",
            run_once=_stream_chunks(
                tf.data.Dataset.from_generator(
                    feature_rows, args=(features,), output_signature=SMALL_ELEMENT_SIGNATURE
                ).batch(SMALL_BATCH_SIZE),
                small_elements,
            ),
        ),
        _Candidate(
            "per_batch_yield",
            f"the same rows yielded in batches of {SMALL_BATCH_SIZE}",
            run_once=_stream_chunks(
                tf.data.Dataset.from_generator(
                    feature_batches,
                    args=(features, SMALL_BATCH_SIZE),
                    output_signature=SMALL_BATCH_SIGNATURE,
                ),
                small_elements * BATCH_YIELD_MULTIPLE,
            ),
        ),
    ]
    passes: dict[str, Callable[[], int]] = {}
    for candidate in candidates:
        if candidate.make_dataset is not None:
            dataset = candidate.make_dataset()
            for _ in dataset.take(2):  # warm-up: tracing, threads, the file cache
                pass
            passes[candidate.name] = dataset_pass(dataset)
        else:
            candidate.run_once()
            passes[candidate.name] = candidate.run_once
    samples: dict[str, list[float]] = {c.name: [] for c in candidates}
    elements: dict[str, int] = {}
    for repeat in range(repeats):
        for candidate in candidates:
            result = measure_rate(passes[candidate.name], name=candidate.name, repeats=1)
            samples[candidate.name].append(result.elements_per_second * candidate.rate_multiplier)
            elements[candidate.name] = result.elements
            log(f"repeat {repeat + 1}/{repeats} {candidate.name}: {samples[candidate.name][-1]:,.0f}/s")
    results = [
        ThroughputResult.from_samples(c.name, samples[c.name], elements=elements[c.name]) for c in candidates
    ]
    by_name = {r.name: r for r in results}
    what = {c.name: c.what for c in candidates}
    best = max(
        (r for r in results if r.name.startswith("best_from_generator")),
        key=lambda r: r.elements_per_second,
    )
    limit = by_name["limit"].elements_per_second
    what["best_from_generator"] = f"{best.name.split(': ', 1)[1]}: uint8 batches of 32, scaled in TensorFlow"
    by_name["best_from_generator"] = best
    rows = [
        ComparisonRow(
            name,
            by_name[name].elements_per_second,
            by_name[name].elements_per_second / limit,
            by_name[name].elements_per_second / limit,
            "limit",
            what[name],
            by_name[name].samples,
        )
        for name in ("article_example_2", "float32", "best_from_generator", "graph_native", "limit")
    ]
    for name, other in (("per_element_yield", "per_batch_yield"), ("per_batch_yield", "per_element_yield")):
        rate = by_name[name].elements_per_second
        ratio = rate / by_name[other].elements_per_second
        rows.append(ComparisonRow(name, rate, None, ratio, other, what[name], by_name[name].samples))
    return rows, results


def format_table(rows: Sequence[ComparisonRow]) -> str:
    """Returns the rows as an aligned text table with a line of key ratios under it."""
    lines = [f"{'row':<20} {'elements/s':>11}  {'ratio':>14}  what"]
    for row in rows:
        target = "limit" if row.ratio_to == "limit" else row.ratio_to.replace("_yield", "")
        lines.append(
            f"{row.name:<20} {row.elements_per_second:>11,.0f}  {row.ratio:>6.2f}x {target:<7}  {row.what}"
        )
    by_name = {row.name: row for row in rows}
    best = by_name["best_from_generator"].elements_per_second
    lines.append("")
    lines.append(
        "best_from_generator / article_example_2 = "
        f"{best / by_name['article_example_2'].elements_per_second:.2f}x; "
        f"/ graph_native = {best / by_name['graph_native'].elements_per_second:.2f}x; "
        f"per_batch_yield / per_element_yield = {by_name['per_batch_yield'].ratio:.0f}x"
    )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """The command: `python -m helpers.benchmark [--quick] [--json PATH] [--images N] [--repeats N]`."""
    parser = argparse.ArgumentParser(
        prog="python -m helpers.benchmark",
        description="Compare from_generator pipelines with a graph-native one and the machine's limit, "
        "on the same 640x480 JPEGs -> 224x224 RGB float32 in [0, 1].",
    )
    parser.add_argument("--quick", action="store_true", help="fewer images and repeats (< 60 s)")
    parser.add_argument("--json", type=Path, metavar="PATH", help="also write the rows as JSON")
    parser.add_argument("--images", type=int, help="JPEGs per pass (default 600; quick 200)")
    parser.add_argument("--repeats", type=int, help="timed passes per row (default 5; quick 3)")
    parser.add_argument("--verbose", action="store_true", help="print each repeat as it is measured")
    args = parser.parse_args(argv)
    image_count = args.images or (200 if args.quick else 600)
    repeats = args.repeats or (3 if args.quick else 5)
    small_elements = 8_192 if args.quick else 16_384
    started = time.perf_counter()
    cores = available_cores()
    print(
        f"{image_count} JPEGs 640x480 -> {IMAGE_SIZE}x{IMAGE_SIZE} RGB float32 [0, 1]; "
        f"{cores} cores; median of {repeats} repeats (interleaved)",
        flush=True,
    )
    log = (lambda line: print("  " + line, file=sys.stderr, flush=True)) if args.verbose else None
    rows, results = compare(
        image_count=image_count,
        small_elements=small_elements,
        repeats=repeats,
        quick=args.quick,
        log=log,
    )
    print(format_table(rows))
    candidates = [r for r in results if r.name.startswith("best_from_generator")]
    if len(candidates) > 1:
        print("\nbest_from_generator candidates:")
        for result in candidates:
            print(f"  {result.name.split(': ', 1)[1]:<36} {result.elements_per_second:>8,.0f}/s")
    if args.json:
        payload = [
            {
                "name": row.name,
                "elements_per_second": row.elements_per_second,
                "ratio_to_limit": row.ratio_to_limit,
                "ratio": row.ratio,
                "ratio_to": row.ratio_to,
                "what": row.what,
                "samples": list(row.samples),
            }
            for row in rows
        ]
        args.json.write_text(json.dumps(payload, indent=2) + "\n")
        print(f"\nwrote {display_path(args.json)}")
    print(f"took {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
