"""The command that compares the article's pipeline with faster ones and with the machine's measured limit.

    python -m helpers.benchmark --quick --json out.json --plot out.png
    comparison = benchmark.run_comparison(image_count=256, repeats=3)   # the same from Python
    print(benchmark.format_table(comparison.rows))

Every image row does the same work on the same files (`helpers.image_work`: 640x480 JPEGs -> 224x224 RGB
float32 in [0, 1]) and is checked before anything is timed: its images must be the reference
generator's, every pixel within `image_work.SAME_OUTPUT_LEVELS`. The article's Example 2 is the one
exception: it is timed as written. The limit is measured: the same work in one spawned process per core,
no TensorFlow. The last two rows compare yielding small elements one at a time with yielding them in
batches of 256.

The figures come from `measure.compare` (one untimed pass of every row, then every row in turns, each
repeat at least `min_seconds` of whole passes; wall-clock and CPU time). Each target ratio is judged round
by round (`target_verdict`). `_comparison` holds the rows and `run_comparison`; `_command` the report and
`main`, which `__main__` runs.
"""

from helpers.benchmark._command import format_table, main, target_verdict
from helpers.benchmark._comparison import (
    Comparison,
    ComparisonRow,
    EqualWorkError,
    best_dataset,
    check_rows,
    decoded_batches,
    import_tensorflow_quietly,
    run_comparison,
)

__all__ = [
    "Comparison",
    "ComparisonRow",
    "EqualWorkError",
    "best_dataset",
    "check_rows",
    "decoded_batches",
    "format_table",
    "import_tensorflow_quietly",
    "main",
    "run_comparison",
    "target_verdict",
]
