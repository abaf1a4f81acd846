"""tools/error_index.py and ERRORS.md: every message a notebook shows live is indexed; the index is current.

When a test here fails after you changed a notebook: a new message needs an `Entry` in tools/error_index.py
(its cause and its fix, for learners); an entry that no notebook shows any more should be deleted; then
`python tools/error_index.py` rewrites ERRORS.md.
"""

import importlib.util
import json
import sys

import nbformat
import pytest

from helpers.paths import REPO_ROOT


def _load_tool():
    spec = importlib.util.spec_from_file_location("error_index", REPO_ROOT / "tools" / "error_index.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up while they are made
    spec.loader.exec_module(module)
    return module


error_index = _load_tool()
ERRORS = [error for path in error_index.notebook_paths() for error in error_index.live_errors(path)]


def test_the_notebooks_show_errors_live():
    assert len({error.notebook for error in ERRORS}) >= 5, "fewer notebooks with live errors than expected"


def test_every_live_error_has_an_entry():
    missing = error_index.unindexed(ERRORS, error_index.ENTRIES)
    assert not missing, "Add an Entry (match, cause, fix) to tools/error_index.py for:\n" + "\n".join(
        f"  {error.notebook} cell {error.cell_index} ({error.section}): {error.text!r}" for error in missing
    )


def test_every_entry_matches_a_live_error():
    stale = error_index.stale_entries(ERRORS, error_index.ENTRIES)
    assert not stale, (
        "No notebook shows these any more; delete them from tools/error_index.py:\n"
        + "\n".join(f"  {entry.match!r}" for entry in stale)
    )


def test_errors_md_is_generated_from_the_notebooks():
    expected = error_index.render(ERRORS, error_index.ENTRIES)
    assert (REPO_ROOT / "ERRORS.md").read_text(encoding="utf-8") == expected, (
        "ERRORS.md is out of date: run python tools/error_index.py"
    )


def test_every_entry_has_a_row_and_every_live_cell_a_link():
    text = (REPO_ROOT / "ERRORS.md").read_text(encoding="utf-8")
    rows = [line for line in text.splitlines() if line.startswith("| ") and not line.startswith("| Message")]
    assert len(rows) == len(error_index.ENTRIES)
    for error in ERRORS:
        assert f"({error.notebook}#cell-{error.cell_id})" in text, error


def _notebook(tmp_path, cells):
    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    path = notebooks / "01_x.ipynb"
    nbformat.write(nbformat.v4.new_notebook(cells=cells), path)
    return path


def _stream(text, name="stdout"):
    return nbformat.v4.new_output("stream", name=name, text=text)


def test_the_detection_rule(tmp_path):
    raw_error = (
        "{{function_node __wrapped__IteratorGetNext_device_/job:localhost}} TypeError: `generator` yielded "
        "an element of shape (4,) where an element of shape (3,) was expected.\nTraceback (most recent call "
        "last):\n  File ...\n\t [[{{node PyFunc}}]] [Op:IteratorGetNext] name: "
    )
    printed = (
        "InvalidArgumentError: ValueError: item 3 is broken\n"
        "None -> ValueError: Attempt to convert a value (None)\n"
        "inside map: AttributeError: 'SymbolicTensor' object has no attribute 'numpy'\n"
        "    W dataset.cc:997] Input of GeneratorDatasetOp::Dataset will not be optimized\n"
        "WARNING:tensorflow:From <ipykernel>:1: calling x is deprecated\n"
        "ValueError: Exception encountered when calling Sequential.call().\n\n"
        "\x1b[1mInvalid input shape for input\x1b[0m\n"
        "         ValueError -> tf.errors.InvalidArgumentError     an instance of ValueError: False\n"
        "a plain line, and one that names ValueError without a message\n"
    )
    code = nbformat.v4.new_code_cell(
        "x", outputs=[_stream(printed), _stream("x.py:7: UserWarning: careful", "stderr")]
    )
    failing = nbformat.v4.new_code_cell(
        "y",
        outputs=[
            nbformat.v4.new_output("error", ename="InvalidArgumentError", evalue=raw_error, traceback=[])
        ],
    )
    table = nbformat.v4.new_code_cell(
        "z",
        outputs=[
            nbformat.v4.new_output(
                "display_data",
                data={
                    "text/html": "<table><tr><td>TypeError: The dataset length is unknown.</td></tr></table>"
                },
            )
        ],
    )
    cells = [nbformat.v4.new_markdown_cell("# 01 · Title"), nbformat.v4.new_markdown_cell("## A section")]
    path = _notebook(tmp_path, [*cells, code, failing, table])
    found = error_index.live_errors(path, root=tmp_path)
    assert [error.text for error in found] == [
        "InvalidArgumentError: ValueError: item 3 is broken",
        "ValueError: Attempt to convert a value (None)",
        "AttributeError: 'SymbolicTensor' object has no attribute 'numpy'",
        "W dataset.cc:997] Input of GeneratorDatasetOp::Dataset will not be optimized",
        "WARNING:tensorflow:From <ipykernel>:1: calling x is deprecated",
        "ValueError: Exception encountered when calling Sequential.call(). Invalid input shape for input",
        "UserWarning: careful",
        "InvalidArgumentError: TypeError: `generator` yielded an element of shape (4,) where an element of "
        "shape (3,) was expected.",
        "TypeError: The dataset length is unknown.",
    ]
    first = found[0]
    assert (first.title, first.section, first.cell_index) == ("01 · Title", "A section", 2)
    assert first.link == f"[01 · Title › A section](notebooks/01_x.ipynb#cell-{code.id})"


def test_an_unindexed_error_and_a_deleted_entry_are_reported(tmp_path):
    new_error = nbformat.v4.new_code_cell("x", outputs=[_stream("ZeroDivisionError: division by zero\n")])
    path = _notebook(tmp_path, [nbformat.v4.new_markdown_cell("# 01 · Title"), new_error])
    assert [
        error.text
        for error in error_index.unindexed(error_index.live_errors(path, root=tmp_path), error_index.ENTRIES)
    ] == ["ZeroDivisionError: division by zero"]
    entries = error_index.ENTRIES
    for index, entry in enumerate(entries):
        fewer = entries[:index] + entries[index + 1 :]
        assert error_index.render(ERRORS, fewer) != error_index.render(ERRORS, entries), entry.match


@pytest.mark.parametrize("path", error_index.notebook_paths(), ids=lambda path: path.stem)
def test_cells_with_live_errors_have_ids(path):
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    for error in error_index.live_errors(path):
        assert cells[error.cell_index].get("id"), f"{path.name} cell {error.cell_index} has no id to link to"
