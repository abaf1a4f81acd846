"""The site `make site` builds (tools/build_site.py, docs/): built here from two small notebooks of its own.

One notebook shows an error, a print and a widget; an error index links to the error's cell. The browser test
(tests/browser/test_site.py) checks the real site in chromium.
"""

import importlib.util
import json
import re

import nbformat
import pytest

from helpers import catalog
from helpers.paths import REPO_ROOT

# MyST-Parser 5.2 still reads a Sphinx attribute that Sphinx 11 will remove; not ours to fix.
pytestmark = pytest.mark.filterwarnings("ignore:.*MystReferenceResolver.app.*:PendingDeprecationWarning")
ERROR_MESSAGE = "TypeError: `generator` must be a Python callable."
PYTHON = {"kernelspec": {"name": "python3", "display_name": "Python 3"}, "language_info": {"name": "python"}}


def _load_builder():
    spec = importlib.util.spec_from_file_location("build_site", REPO_ROOT / "tools" / "build_site.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


build_site = _load_builder()


def _header(number: str, title: str, objective: str) -> nbformat.NotebookNode:
    return nbformat.v4.new_markdown_cell(
        f"# {number} · {title}\nWhat it does.\n\n**Objectives**\n- {objective}\n\n**Time:** workshop 1 min"
    )


def _notebooks(root, *, linked: str = "optional/07_more") -> dict[str, nbformat.NotebookNode]:
    error = nbformat.v4.new_code_cell("tf.data.Dataset.from_generator(gen())")
    error.outputs = [
        nbformat.v4.new_output(
            "error",
            ename="TypeError",
            evalue="`generator` must be a Python callable.",
            traceback=["\x1b[0;31mTypeError\x1b[0m: `generator` must be a Python callable."],
        )
    ]
    panel = nbformat.v4.new_code_cell("panel")
    panel.outputs = [
        nbformat.v4.new_output(
            "execute_result",
            data={
                "text/plain": "PerformancePanel (open the notebook in JupyterLab to use it)",
                "application/vnd.jupyter.widget-view+json": {"model_id": "0", "version_major": 2},
            },
            execution_count=3,
        )
    ]
    course_map = nbformat.v4.new_code_cell("catalog.notebook_map()")
    course_map.outputs = [
        nbformat.v4.new_output(
            "execute_result",
            data={"text/html": f'<a href="{linked}.ipynb">{linked}</a>', "text/plain": "map"},
            execution_count=4,
        )
    ]
    printed = nbformat.v4.new_code_cell("print(6 * 7)")
    printed.outputs = [nbformat.v4.new_output("stream", name="stdout", text="42\n")]
    notebooks = {
        "01_first.ipynb": nbformat.v4.new_notebook(
            metadata=PYTHON,
            cells=[
                _header("01", "A first lesson", "Write a generator."),
                printed,
                error,
                panel,
                course_map,
                nbformat.v4.new_markdown_cell("## Key points\n- One."),
                nbformat.v4.new_markdown_cell("## Deep dive: what `args` become\nWords."),
            ],
        ),
        "optional/07_more.ipynb": nbformat.v4.new_notebook(
            metadata=PYTHON, cells=[_header("07", "More", "Read more."), nbformat.v4.new_code_cell("1")]
        ),
    }
    for name, notebook in notebooks.items():
        (root / "notebooks" / name).parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(notebook, root / "notebooks" / name)
    return notebooks


def _error_index(cell_id: str) -> str:
    return (
        "# Error index\n\n| Error | Cause | Fix | Shown in |\n|---|---|---|---|\n"
        f"| `` {ERROR_MESSAGE} `` | a generator object | pass the function | "
        f"[01, the callable](notebooks/01_first.ipynb#cell-{cell_id}) |\n"
    )


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    root = tmp_path_factory.mktemp("repo")
    notebooks = _notebooks(root)
    error_cell = notebooks["01_first.ipynb"].cells[2]
    (root / "ERRORS.md").write_text(_error_index(error_cell.id))
    (root / "INSTRUCTORS.md").write_text("# Teaching the kit\n\nSchedules.\n")
    site = root / "site"
    build_site.build(root, site, work_dir=root / "work")
    return root, site, notebooks


def test_a_page_per_notebook_and_reference_page_that_exists(built):
    _, site, notebooks = built
    for name in notebooks:
        assert (site / "notebooks" / name.replace(".ipynb", ".html")).is_file(), name
    assert (site / "ERRORS.html").is_file() and (site / "INSTRUCTORS.html").is_file()
    assert not (site / "CHEATSHEET.html").exists()
    landing = (site / "index.html").read_text()
    assert 'href="ERRORS.html"' in landing and 'href="INSTRUCTORS.html"' in landing
    assert "CHEATSHEET" not in landing


def test_landing_page_lists_lessons_minutes_objectives_and_deep_dives_from_the_catalog(built):
    root, site, _ = built
    landing = (site / "index.html").read_text()
    first, more = catalog.lessons(root / "notebooks")
    assert 'href="notebooks/01_first.html"' in landing and 'href="notebooks/optional/07_more.html"' in landing
    assert "Write a generator." in landing and "Read more." in landing
    course_row = re.search(r"The 2-hour course</strong></p></td>\s*<td><p><strong>(\d+)", landing)
    assert course_row and int(course_row.group(1)) == first.core_minutes
    assert f"<p>{more.self_study_minutes}</p>" in landing
    assert "what <code" in landing and "args</span></code> become" in landing  # the deep dive, its code kept


def test_every_code_cell_has_its_cell_id_as_anchor(built):
    _, site, notebooks = built
    page = (site / "notebooks" / "01_first.html").read_text()
    for cell in notebooks["01_first.ipynb"].cells:
        assert (f'id="cell-{cell.id}"' in page) == (cell.cell_type == "code"), cell.source


def test_error_index_links_to_the_cell_and_search_finds_the_message_there(built):
    _, site, notebooks = built
    cell_id = notebooks["01_first.ipynb"].cells[2].id
    assert f'href="notebooks/01_first.html#cell-{cell_id}"' in (site / "ERRORS.html").read_text()
    search_index = json.loads(
        re.search(r"Search.setIndex\((.*)\)", (site / "searchindex.js").read_text()).group(1)
    )
    entries = search_index["indexentries"][ERROR_MESSAGE.lower()]
    page = search_index["docnames"].index("notebooks/01_first")
    assert [entry[:2] for entry in entries] == [[page, f"cell-{cell_id}"]]


def test_a_widget_shows_as_a_still_and_a_sentence_never_an_empty_box(built):
    _, site, _ = built
    page = (site / "notebooks" / "01_first.html").read_text()
    assert "widget-view+json" not in page
    still = re.search(r'<div class="widget-still[^>]*>(.*?)</div>', page, re.S).group(1)
    assert 'src="../_images/panel.png"' in still
    assert "run this notebook in JupyterLab" in still
    assert (site / "_images" / "panel.png").stat().st_size < 200_000


def test_a_link_to_a_notebook_in_an_output_leads_to_its_page(built):
    _, site, _ = built
    page = (site / "notebooks" / "01_first.html").read_text()
    assert '<a href="optional/07_more.html">' in page and ".ipynb" not in page


def test_the_site_refers_to_nothing_outside_itself(built):
    _, site, _ = built
    assert build_site.outside_references(site) == []


def test_outside_references_are_found(tmp_path):
    (tmp_path / "page.html").write_text(
        '<script src="https://cdn.example/require.js"></script>'
        '<link rel="stylesheet" href="//fonts.example/x.css">'
        '<a href="https://example.org/">a plain link is not fetched</a>'
    )
    (tmp_path / "theme.css").write_text(
        "@import url(https://fonts.example/y.css); b { background: url('x.png') }"
    )
    assert build_site.outside_references(tmp_path) == [
        'page.html: <script src="https://cdn.example/require.js">',
        'page.html: <link rel="stylesheet" href="//fonts.example/x.css">',
        "theme.css: url(https://fonts.example/y.css)",
    ]


@pytest.mark.parametrize(
    ("cell_id", "linked", "warning"),
    [
        ("nope", "optional/07_more", "local id not found in doc 'notebooks/01_first': 'cell-nope'"),
        (None, "07_more", "an output links to 07_more.ipynb, a notebook the site does not have"),
    ],
    ids=["error index to a missing cell", "output to a missing notebook"],
)
def test_a_broken_link_fails_the_build_naming_it(tmp_path, capfd, cell_id, linked, warning):
    notebooks = _notebooks(tmp_path, linked=linked)
    (tmp_path / "ERRORS.md").write_text(_error_index(cell_id or notebooks["01_first.ipynb"].cells[2].id))
    with pytest.raises(RuntimeError, match="did not build"):
        build_site.build(tmp_path, tmp_path / "site", work_dir=tmp_path / "work")
    assert warning in capfd.readouterr().err
