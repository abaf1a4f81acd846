"""pytest configuration shared by the unit tests and the notebooks run under nbval."""

import helpers  # noqa: F401  (before any test imports TensorFlow: quiets its C++ logs, as in the notebooks)


def pytest_collectstart(collector):
    """nbval: do not compare stderr (TensorFlow's log lines and warnings differ from run to run)."""
    if collector.fspath and collector.fspath.ext == ".ipynb":
        collector.skip_compare += ("stderr",)
