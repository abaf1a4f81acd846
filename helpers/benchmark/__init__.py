"""The command that compares the article's pipeline with faster ones and with the machine's measured limit.

    python -m helpers.benchmark --quick --json out.json --plot out.png

Every image row does the same work on the same files (`helpers.image_work`: 640x480 JPEGs -> 224x224 RGB
float32 in [0, 1]) and is checked before anything is timed: its images must be the reference
generator's, every pixel within `image_work.SAME_OUTPUT_LEVELS`. The article's Example 2 is the one
exception: it is timed as written. The limit is measured: the same work in one spawned process per core,
no TensorFlow. The last two rows compare yielding small elements one at a time with yielding them in
batches of 256.

How the figures are made: `measure.compare`, the kit's one timing loop: one untimed pass of every row,
then every row in turns (row 1, row 2, ..., row 1, ...), each repeat running whole passes for at least
`min_seconds`, with wall-clock time and the CPU time of the process and its workers. Rows report the
median and the spread of their repeats. Each target ratio is judged round by round (`target_verdict`):
met, missed, or not settled when the rounds fall on both sides.

From Python: `comparison = benchmark.run_comparison(image_count=256, repeats=3)` then
`print(benchmark.format_table(comparison.rows))`. TensorFlow is imported only when a comparison runs,
so `--help` is instant and prints no TensorFlow start-up lines.

The package, each module importing only those before it: `_startup` (`import_tensorflow_quietly`),
`_workloads` (the pipelines the rows run; the sizes), `_equal_work` (`check_rows`: every row's output
before timing), `_comparison` (`run_comparison`), `_report` (`target_ratios`, `target_verdict`,
`format_table`, `to_json`, `plot_comparison`) and `_command` (`main`, which `__main__` runs).
"""

from helpers.benchmark._command import main
from helpers.benchmark._comparison import (
    IMAGE_ROW_NAMES,
    YIELD_ROW_NAMES,
    Comparison,
    ComparisonRow,
    run_comparison,
)
from helpers.benchmark._equal_work import CHECK_IMAGES, EqualWorkError, check_rows
from helpers.benchmark._report import (
    TARGETS,
    format_table,
    machine_facts,
    plot_comparison,
    target_ratios,
    target_verdict,
    to_json,
)
from helpers.benchmark._startup import import_tensorflow_quietly
from helpers.benchmark._workloads import BATCH_SIZE, best_dataset, decoded_batches

__all__ = [
    "BATCH_SIZE",
    "CHECK_IMAGES",
    "IMAGE_ROW_NAMES",
    "TARGETS",
    "YIELD_ROW_NAMES",
    "Comparison",
    "ComparisonRow",
    "EqualWorkError",
    "best_dataset",
    "check_rows",
    "decoded_batches",
    "format_table",
    "import_tensorflow_quietly",
    "machine_facts",
    "main",
    "plot_comparison",
    "run_comparison",
    "target_ratios",
    "target_verdict",
    "to_json",
]
