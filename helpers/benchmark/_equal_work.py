"""Before anything is timed: every image row must deliver the reference generator's images.

    checks = check_rows({"mine": lambda paths: my_dataset(paths)}, check_paths)   # or EqualWorkError

The rule is the kit's one (`image_work.check_same_output`: every pixel within `SAME_OUTPUT_LEVELS`
grey levels). The article's Example 2 is the documented exception: it is timed as written. It may
import `helpers.image_work` and NumPy at import time (a row's dataset is only iterated).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import numpy as np

from helpers import image_work
from helpers.image_work import OutputCheck

__all__ = ["CHECK_IMAGES", "EqualWorkError", "check_rows"]

CHECK_IMAGES = 32
"""Images each row delivers for the check (the first ones of the benchmark set)."""


class EqualWorkError(ValueError):
    """A row does not deliver the reference's images; its message lists every failed check."""


def _images(delivered: Iterable | np.ndarray) -> np.ndarray:
    """The images of one pass over a dataset of batches (or the array itself)."""
    if isinstance(delivered, np.ndarray):
        return delivered
    return np.concatenate([np.asarray(batch) for batch in delivered])


def check_rows(
    rows: Mapping[str, Callable[[Sequence[str]], Any]],
    check_paths: Sequence[str],
    *,
    exempt: Sequence[str] = ("article_example_2",),
    step: Callable[[str], None] | None = None,
) -> dict[str, OutputCheck]:
    """Checks every row's images against the reference generator's, on the same files.

    Args:
        rows: name -> a function building the row's pipeline (or its images) for some paths.
        check_paths: the files every row delivers.
        exempt: rows checked and reported, but allowed to differ (the article's Example 2).
        step: called with the row's name after each check (a progress bar).

    Returns:
        name -> its `image_work.OutputCheck`, in the order of `rows`.

    Raises:
        EqualWorkError: a row that is not exempt delivers other images; the message lists each.
    """
    reference = np.stack(list(image_work.reference_images(check_paths)))
    checks = {}
    for name, build in rows.items():
        try:
            checks[name] = image_work.check_same_output(name, _images(build(check_paths)), reference)
        except ValueError as error:  # another count or shape of images
            raise EqualWorkError(str(error)) from None
        if step is not None:
            step(name)
    failed = [check for name, check in checks.items() if not check.same_output and name not in exempt]
    if failed:
        raise EqualWorkError(
            "these rows do not deliver the reference generator's images, so timing them would compare "
            "different work:\n" + "\n".join(str(check) for check in failed)
        )
    return checks
