"""plots.register_notebook_display: a Figure ending a notebook cell is shown as a PNG, without pyplot."""

import pytest
from IPython.core.interactiveshell import InteractiveShell
from matplotlib.figure import Figure

from helpers import plots


@pytest.fixture
def shell():
    shell = InteractiveShell.instance()
    yield shell
    InteractiveShell.clear_instance()


def test_outside_ipython_does_nothing():
    assert InteractiveShell.initialized() is False
    assert plots.register_notebook_display() is False


def test_figure_is_formatted_as_png(shell):
    fig = Figure(figsize=(6.0, 4.0))
    fig.add_subplot()
    before, _ = shell.display_formatter.format(fig)
    assert "image/png" not in before
    assert plots.register_notebook_display() is True
    data, _ = shell.display_formatter.format(fig)
    assert data["image/png"][:8] == b"\x89PNG\r\n\x1a\n"
    assert data["text/plain"].startswith("<Figure size")
