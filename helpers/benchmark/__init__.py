"""The command that compares the article's pipeline with faster ones on the same images.

    python -m helpers.benchmark --quick --json out.json --plot out.png

Every image row does the same work on the same files (640x480 JPEGs -> 224x224 RGB float32 in [0, 1]),
checked before anything is timed: each row's images are compared with the reference generator's
(`float32_images`). The article's Example 2 is the documented exception (it yields BGR). The last two
rows compare yielding small elements one at a time with yielding them in batches of 256.

How the figures are made: the best generator configuration is chosen first, in a separate probe whose
figures are kept but not reported as the row; then every row is timed in turns (row 1, row 2, ..., row 1,
...), each repeat running whole passes for at least `min_seconds`, with wall-clock and process CPU time.
Rows report the median and the spread (min, max, quartiles) of their repeats. Each target ratio is
judged round by round (`target_verdict`): met, missed, or not settled when the rounds fall on both sides.

From Python (notebook 05): `rows, results = benchmark.compare(image_count=256, repeats=3)` then
`print(benchmark.format_table(rows))`. TensorFlow is imported only when a comparison runs, so `--help`
is instant and prints no TensorFlow start-up lines.

The package, each module importing only those before it: `_startup` (`import_tensorflow_quietly`),
`_workloads` (the generators, datasets and limit the rows run; the sizes), `_equal_work`
(`check_equal_work`, and `check_rows` for every image row), `_probe` (`probe_generator_configs`),
`_comparison` (the rows and the timed rounds: `run_comparison`, `compare`), `_report` (`target_ratios`,
`target_verdict`, `format_table`, `to_json`, `plot_comparison`) and `_command` (`main`, which `__main__`
runs). Nothing imports TensorFlow at import time.
"""

from helpers.benchmark._command import main
from helpers.benchmark._comparison import (
    IMAGE_ROW_NAMES,
    YIELD_ROW_NAMES,
    Comparison,
    ComparisonRow,
    compare,
    run_comparison,
)
from helpers.benchmark._equal_work import (
    CHECK_IMAGES,
    MEAN_DIFFERENCE_BOUND_LEVELS,
    EqualWorkCheck,
    EqualWorkError,
    check_equal_work,
)
from helpers.benchmark._probe import Probe, probe_generator_configs
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
from helpers.benchmark._workloads import (
    BATCH_SIZE,
    BATCH_YIELD_MULTIPLE,
    IMAGE_SIZE,
    SMALL_BATCH_SIZE,
    SMALL_FEATURES,
    feature_batches,
    feature_rows,
    float32_images,
    generator_candidates,
)

__all__ = [
    "CHECK_IMAGES",
    "IMAGE_ROW_NAMES",
    "MEAN_DIFFERENCE_BOUND_LEVELS",
    "TARGETS",
    "Comparison",
    "ComparisonRow",
    "EqualWorkCheck",
    "EqualWorkError",
    "Probe",
    "check_equal_work",
    "compare",
    "feature_batches",
    "feature_rows",
    "float32_images",
    "format_table",
    "generator_candidates",
    "import_tensorflow_quietly",
    "machine_facts",
    "main",
    "plot_comparison",
    "probe_generator_configs",
    "run_comparison",
    "target_ratios",
    "target_verdict",
    "to_json",
    "BATCH_SIZE",
    "BATCH_YIELD_MULTIPLE",
    "IMAGE_SIZE",
    "SMALL_BATCH_SIZE",
    "SMALL_FEATURES",
    "YIELD_ROW_NAMES",
]
