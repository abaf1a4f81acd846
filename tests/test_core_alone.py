"""Each core notebook's core sections run on their own, top to bottom, without its deep dives.

A workshop runs only the core; a deep dive may build on the core, never the other way round. The cells kept
are those of every section whose heading does not start with "Deep dive"; nbclient runs them in a fresh
kernel, and an error fails the test unless its cell carries the `raises-exception` tag (an error the lesson
means).
"""

import nbformat
import pytest
from nbclient import NotebookClient

from helpers import lesson_time
from helpers.paths import NOTEBOOKS_DIR

CORE_NOTEBOOKS = sorted(NOTEBOOKS_DIR.glob("*.ipynb"))
CELL_TIMEOUT_SECONDS = 300


def core_cells(notebook):
    """The notebook's cells outside its deep dives."""
    kept, in_deep_dive = [], False
    for cell in notebook.cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("# ") or line.startswith("## "):
                    in_deep_dive = lesson_time.is_deep_dive(line.lstrip("# "))
        if not in_deep_dive:
            kept.append(cell)
    return kept


def test_core_cells_leave_out_deep_dives():
    notebook = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_markdown_cell("# 01 · Title"),
            nbformat.v4.new_code_cell("core = 1"),
            nbformat.v4.new_markdown_cell("## Deep dive: more"),
            nbformat.v4.new_code_cell("deep = 2"),
            nbformat.v4.new_markdown_cell("## Key points"),
        ]
    )
    assert [cell.source for cell in core_cells(notebook)] == ["# 01 · Title", "core = 1", "## Key points"]


@pytest.mark.parametrize("path", CORE_NOTEBOOKS, ids=lambda path: path.stem)
def test_core_sections_run_alone(path):
    notebook = nbformat.read(path, as_version=4)
    notebook.cells = core_cells(notebook)
    client = NotebookClient(
        notebook,
        timeout=CELL_TIMEOUT_SECONDS,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
    )
    client.execute()  # raises CellExecutionError, naming the cell, on an error the lesson did not mean
