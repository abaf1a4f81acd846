"""Each core notebook's core sections run on their own, without its deep dives.

A workshop runs only the core; a deep dive may build on the core, never the other way round. The core is the
notebook's beginning (every section up to Key points; each deep dive follows them), so the strict nbval run of
the notebook, top to bottom in a fresh kernel, runs every core cell before any deep-dive cell exists: an error
there that the lesson did not mean (no `raises-exception` tag) fails that run. This module checks that the
core is that beginning; running the core again in a kernel of its own would only repeat nbval's work.
"""

import nbformat
import pytest

from helpers import lesson_time
from helpers.paths import NOTEBOOKS_DIR

CORE_NOTEBOOKS = sorted(NOTEBOOKS_DIR.glob("*.ipynb"))


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


def is_the_beginning(cells, notebook):
    """True when `cells` are the notebook's first cells, in order, with no other cell among them."""
    return [id(cell) for cell in cells] == [id(cell) for cell in notebook.cells[: len(cells)]]


def lesson(*sources):
    return nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_markdown_cell(text) if text.startswith("#") else nbformat.v4.new_code_cell(text)
            for text in sources
        ]
    )


def test_core_cells_leave_out_deep_dives():
    notebook = lesson("# 01 · Title", "core = 1", "## Key points", "## Deep dive: more", "deep = 2")
    assert [cell.source for cell in core_cells(notebook)] == ["# 01 · Title", "core = 1", "## Key points"]
    assert is_the_beginning(core_cells(notebook), notebook)


def test_a_core_section_after_a_deep_dive_is_not_the_beginning():
    notebook = lesson("# 01 · Title", "## Deep dive: more", "deep = 2", "## Key points", "uses(deep)")
    assert not is_the_beginning(core_cells(notebook), notebook)


@pytest.mark.parametrize("path", CORE_NOTEBOOKS, ids=lambda path: path.stem)
def test_the_core_runs_first_so_nbval_runs_it_alone(path):
    notebook = nbformat.read(path, as_version=4)
    core = core_cells(notebook)
    assert is_the_beginning(core, notebook), f"{path.name}: a core cell comes after a deep dive"
    assert any(cell.cell_type == "code" for cell in core), f"{path.name}: no core code"
