"""tools/run_notebooks.py: executes a notebook in place, stores outputs without timing or machine paths."""

import importlib.util
import sys

import nbformat

from helpers.paths import REPO_ROOT


def _load_runner():
    spec = importlib.util.spec_from_file_location("run_notebooks", REPO_ROOT / "tools" / "run_notebooks.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_runs_a_notebook_and_scrubs_machine_paths(tmp_path):
    runner = _load_runner()
    notebook = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_code_cell("import helpers.paths\nprint(helpers.paths.REPO_ROOT / 'x')"),
            nbformat.v4.new_code_cell(f"print({sys.prefix!r})\n6 * 7"),
            nbformat.v4.new_code_cell(
                "import sys\n"
                "sys.stderr.write('I0000 00:00:1795624345.015700   17686 port.cc:153] oneDNN notice\\n')\n"
                "sys.stderr.write('a real warning\\n')\n"
                "print('From /tmp/ipykernel_4242/3655424499.py:6: calling')"
            ),
        ]
    )
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    path = tmp_path / "probe.ipynb"
    nbformat.write(notebook, path)

    seconds = runner.run_notebook(path)

    stored = nbformat.read(path, as_version=4)
    first, second, third = stored.cells
    assert seconds > 0
    assert first.outputs[0]["text"] == "../x\n"
    assert str(REPO_ROOT) not in second.outputs[0]["text"]
    assert second.outputs[1]["data"]["text/plain"] == "42"
    assert all("execution" not in cell.metadata for cell in stored.cells)
    assert [output["text"] for output in third.outputs if output.get("name") == "stderr"] == [
        "a real warning\n"
    ]
    assert [output["text"] for output in third.outputs if output.get("name") == "stdout"] == [
        "From <ipykernel>:6: calling\n"
    ]
    assert [cell.execution_count for cell in stored.cells] == [1, 2, 3]
