"""pytest configuration shared by the unit tests and the notebooks run under nbval."""

import pytest

import helpers  # noqa: F401  (before any test imports TensorFlow: quiets its C++ logs, as in the notebooks)


def pytest_collectstart(collector):
    """nbval: do not compare stderr (TensorFlow's log lines and warnings differ from run to run)."""
    if collector.fspath and collector.fspath.ext == ".ipynb":
        collector.skip_compare += ("stderr",)


def pytest_collection_modifyitems(items):
    """pytest-xdist (`--dist loadgroup`): a notebook's cells run in order on one worker, in one kernel.

    Every other test has no group, so the workers share them out one by one.
    """
    for item in items:
        if item.path.suffix == ".ipynb":
            item.add_marker(pytest.mark.xdist_group(item.path.stem))
