"""Every exercise's solution passes its self-check, run the way a learner runs it.

Solutions live in `notebooks/solutions/NN_name.py` (NN: their notebook's number). A learner loads one on
demand with `%load solutions/NN_name.py`, which puts the code in a cell without running it, so Run All never
reveals a solution. Here each runs after its notebook's Setup cells, in one namespace, as it would in the
notebook; its last line is the self-check, which must say "Correct".
"""

import ast
import json

import pytest

from helpers.paths import NOTEBOOKS_DIR

SOLUTIONS = sorted((NOTEBOOKS_DIR / "solutions").glob("*.py"))
NOTEBOOKS = sorted(NOTEBOOKS_DIR.glob("*.ipynb")) + sorted(NOTEBOOKS_DIR.glob("optional/*.ipynb"))


def notebook_for(solution):
    matches = [path for path in NOTEBOOKS if path.name[:3] == solution.name[:3]]
    assert len(matches) == 1, f"{solution.name} should start with the number of one notebook, not {matches}"
    return matches[0]


def setup_source(notebook):
    """The code cells of the notebook's "## Setup" section."""
    source, in_setup = [], False
    for cell in json.loads(notebook.read_text())["cells"]:
        text = "".join(cell["source"])
        if cell["cell_type"] == "markdown" and text.startswith("#"):
            in_setup = text.splitlines()[0].strip() == "## Setup"
        elif cell["cell_type"] == "code" and in_setup:
            source.append(text)
    assert source, f"{notebook.name} has no code in a '## Setup' section"
    return "\n".join(source)


def test_there_are_solutions():
    assert len(SOLUTIONS) >= 5


@pytest.mark.parametrize("solution", SOLUTIONS, ids=lambda path: path.stem)
def test_solution_passes_its_check(solution, monkeypatch):
    notebook = notebook_for(solution)
    monkeypatch.chdir(notebook.parent)
    namespace: dict = {}
    exec(compile(setup_source(notebook), f"{notebook.name}: Setup", "exec"), namespace)
    module = ast.parse(solution.read_text(), filename=str(solution))
    check = module.body.pop()
    assert isinstance(check, ast.Expr), f"{solution.name} should end with its self-check call"
    exec(compile(module, str(solution), "exec"), namespace)
    feedback = eval(compile(ast.Expression(check.value), str(solution), "eval"), namespace)
    assert feedback.passed, f"{solution.name}: {feedback}"
