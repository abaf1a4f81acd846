"""Every notebook, run the way a learner runs it: in JupyterLab, in a browser, with Run All Cells."""

import json

import pytest

from helpers import catalog
from tests.browser.jupyterlab import CURRENT_NOTEBOOK, open_notebook, run_all_cells, save_notebook

RUN_ALL_SECONDS = 400
PANEL_NOTEBOOK = "06_performance_lab.ipynb"  # run in test_performance_lab.py, which also drives its panel


def run_and_check_notebook(page, lab, name: str, artifacts_dir) -> None:
    """Opens `name`, runs all cells, and checks: no widget failed to render, every cell ran, and only cells
    tagged raises-exception hold an error (read back from the notebook JupyterLab saved)."""
    open_notebook(page, lab, name)
    run_all_cells(page, timeout_seconds=RUN_ALL_SECONDS)
    page.screenshot(path=artifacts_dir / f"{name.removesuffix('.ipynb')}.png")
    assert page.locator(f"{CURRENT_NOTEBOOK} .jp-OutputArea", has_text="Error displaying widget").count() == 0
    save_notebook(page)
    saved = json.loads((lab.root / "notebooks" / name).read_text())
    for index, cell in enumerate(saved["cells"]):
        if cell["cell_type"] != "code" or not "".join(cell["source"]).strip():
            continue
        assert cell["execution_count"] is not None, (
            f"cell {index} never ran (an earlier error stopped Run All?)"
        )
        errors = [output for output in cell["outputs"] if output["output_type"] == "error"]
        if "raises-exception" not in cell["metadata"].get("tags", []):
            assert not errors, f"cell {index} raised {errors[0]['ename']}: {errors[0]['evalue']}"


@pytest.mark.parametrize(
    "name", [lesson.path for lesson in catalog.lessons() if lesson.path != PANEL_NOTEBOOK]
)
def test_notebook_runs_clean_in_jupyterlab(name, lab, page, artifacts_dir):
    run_and_check_notebook(page, lab, name, artifacts_dir)
