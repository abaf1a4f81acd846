"""The course site's Sphinx extension: what MyST-NB does not do for this course.

- `{course} lessons|deep-dives|optional|reference|toctree`: the landing page's tables and the site's order,
  made from `helpers.catalog` at build time (titles, objectives and minutes are never typed by hand).
- Every rendered code cell gets the anchor `id="cell-<cell id>"` (the notebook's nbformat 4.5 cell id), and
  a Markdown link `notebooks/x.ipynb#cell-<id>` (the error index's) leads there.
- Every message in the error index's first column becomes a search entry for the cell it links to, so
  searching an exact error message lands on the cell that raises it.
- A widget output (stored without state, so it cannot render) becomes a still image and a sentence.
- A link to `x.ipynb` in an HTML output (notebook 00's map of the course) leads to `x.html`; a link to a
  notebook the site does not have is a build warning naming it.

Used by docs/conf.py: `extensions = ["myst_nb", "course_site"]`.
"""

from __future__ import annotations

import functools
import json
import posixpath
import re
from pathlib import Path
from typing import Any

from docutils import nodes
from sphinx import addnodes
from sphinx.application import Sphinx
from sphinx.transforms import SphinxTransform
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

from helpers import catalog

__all__ = ["CellAnchors", "CourseDirective", "NotebookLinksInOutputs", "WidgetStills", "setup"]

logger = logging.getLogger(__name__)

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
# A relative link to a notebook in raw HTML: no scheme, not site-absolute, not a bare fragment.
NOTEBOOK_HREF = re.compile(r'href="(?![a-z][a-z0-9+.-]*:|/|#)([^"#]*)\.ipynb(#[^"]*)?"', re.IGNORECASE)
CELL_ANCHOR = "cell-"
WIDGET_SENTENCE = "A still image of a live widget: run this notebook in JupyterLab (`make lab`) to use it."


class CourseDirective(SphinxDirective):
    """`{course} <part>`: one part of the landing page (lessons, deep-dives, optional, reference, toctree)."""

    required_arguments = 1

    def run(self) -> list[nodes.Node]:
        part = self.arguments[0]
        lessons = catalog.lessons(Path(self.env.srcdir) / "notebooks")
        core = [lesson for lesson in lessons if lesson.core]
        optional = [lesson for lesson in lessons if not lesson.core]
        if part == "lessons":
            text = _lessons_table(core, workshop=True)
        elif part == "optional":
            text = _lessons_table(optional, workshop=False)
        elif part == "deep-dives":
            text = "\n".join(
                f"- {_link(lesson)}: "
                + "; ".join(title.removeprefix("Deep dive: ") for title in lesson.deep_dives)
                for lesson in core
                if lesson.deep_dives
            )
        elif part == "toctree":
            text = _toctree("The 2-hour course", [_docname(lesson) for lesson in core])
            text += _toctree("Optional notebooks", [_docname(lesson) for lesson in optional])
            text += _toctree("Reference", [Path(name).stem for name in self._reference_pages()])
        elif part == "reference":
            pages = self._reference_pages()
            text = "\n".join(f"- [](<{name}>): {pages[name]}" for name in pages)
        else:
            raise self.error(
                f"course: unknown part {part!r}; use lessons, deep-dives, optional, reference or toctree"
            )
        return self.parse_text_to_nodes(text)

    def _reference_pages(self) -> dict[str, str]:
        """The `course_reference_pages` this build has (the error index or cheat sheet may not exist yet)."""
        pages = self.config.course_reference_pages
        return {name: pages[name] for name in pages if (Path(self.env.srcdir) / name).exists()}


def _docname(lesson: catalog.Lesson) -> str:
    return "notebooks/" + lesson.path.removesuffix(".ipynb")


def _link(lesson: catalog.Lesson) -> str:
    number = Path(lesson.path).name[:2]
    return f"[{number} · {lesson.title}](notebooks/{lesson.path})"


def _lessons_table(lessons: list[catalog.Lesson], *, workshop: bool) -> str:
    """A MyST list-table: each lesson, its minutes (first, so a phone shows them), what a learner will do."""
    rows = [["Lesson", "Workshop (min)", "With deep dives (min)", "You will be able to"]]
    if not workshop:
        rows = [["Notebook", "Self-study (min)", "You will be able to"]]
    for lesson in lessons:
        minutes = [str(lesson.core_minutes)] if workshop else []
        objectives = "\n".join(f"- {objective}" for objective in lesson.objectives)
        rows.append([_link(lesson), *minutes, str(lesson.self_study_minutes), objectives])
    if workshop:
        rows.append(
            ["**The 2-hour course**", f"**{sum(lesson.core_minutes for lesson in lessons)}**", "", ""]
        )
    lines = [":::{list-table}", ":header-rows: 1", ":class: course-table", ""]
    for row in rows:
        for index, item in enumerate(row):
            marker = "* - " if index == 0 else "  - "
            lines.append(marker + item.replace("\n", "\n    "))
    return "\n".join([*lines, ":::", ""])


def _toctree(caption: str, docnames: list[str]) -> str:
    if not docnames:
        return ""
    return "\n".join([":::{toctree}", ":hidden:", f":caption: {caption}", "", *docnames, ":::", ""])


class CellAnchors(SphinxTransform):
    """Gives every code cell MyST-NB rendered the anchor `cell-<its nbformat cell id>`.

    Each anchor is an explicit target (named after page and cell, as cell ids repeat across notebooks), so a
    Markdown link `x.ipynb#cell-<id>` resolves to it, and a link to a missing cell is MyST's warning
    "local id not found".
    """

    default_priority = 500  # before SphinxDomains (850), which registers the targets

    def apply(self, **kwargs: Any) -> None:
        source = Path(self.document["source"])
        if source.suffix != ".ipynb":
            return
        ids = [cell.get("id", "") for cell in json.loads(source.read_text(encoding="utf-8"))["cells"]]
        for cell in self.document.findall(nodes.container):
            if cell.get("nb_element") == "cell_code" and ids[cell["cell_index"]]:
                anchor = CELL_ANCHOR + ids[cell["cell_index"]]
                cell["ids"].insert(0, anchor)
                cell["names"].append(f"{self.env.docname}#{anchor}")
                self.document.note_explicit_target(cell)


class WidgetStills(SphinxTransform):
    """Puts a still image (`course_widget_stills`) and a sentence where a notebook shows a live widget."""

    default_priority = 500

    def apply(self, **kwargs: Any) -> None:
        bundles = [
            node
            for node in self.document.findall(nodes.container)
            if node.get("nb_element") == "mime_bundle"
            and any(child.get("mime_type") == WIDGET_VIEW for child in node.children)
        ]
        for bundle in bundles:
            text = "".join(
                child.astext() for child in bundle.children if child.get("mime_type") == "text/plain"
            )
            widget = re.match(r"\w*", text).group()  # "PerformancePanel (open ...)", "HTML(value=...)"
            still = nodes.container(classes=["widget-still"])
            if widget in self.config.course_widget_stills:
                uri, alt = self.config.course_widget_stills[widget]
                still += nodes.image(uri="/" + uri, alt=alt)
            still += self._sentence()
            bundle.replace_self(still)

    @staticmethod
    def _sentence() -> nodes.paragraph:
        before, command, after = WIDGET_SENTENCE.split("`")
        return nodes.paragraph("", "", nodes.Text(before), nodes.literal(command, command), nodes.Text(after))


class NotebookLinksInOutputs(SphinxTransform):
    """Points each link to a notebook in raw HTML (an output, as MyST-NB passes it on) at its page."""

    default_priority = 500

    def apply(self, **kwargs: Any) -> None:
        for raw in list(self.document.findall(nodes.raw)):
            if "html" not in raw.get("format", "").split():
                continue
            text = NOTEBOOK_HREF.sub(functools.partial(self._page_link, raw), raw.astext())
            if text != raw.astext():
                raw.replace_self(nodes.raw(text, text, format=raw["format"], classes=raw["classes"]))

    def _page_link(self, raw: nodes.raw, match: re.Match[str]) -> str:
        path, fragment = match.group(1), match.group(2) or ""
        if (
            posixpath.normpath(posixpath.join(posixpath.dirname(self.env.docname), path))
            not in self.env.found_docs
        ):
            logger.warning(
                f"an output links to {path}.ipynb, a notebook the site does not have", location=raw
            )
            return match.group()
        return f'href="{path}.html{fragment}"'


def _error_cells(doctree: nodes.document) -> list[tuple[str, str, str]]:
    """The error index's rows: (the exact message in the first column, notebook docname, cell anchor)."""
    found = []
    for row in doctree.findall(nodes.row):
        if not row.children:
            continue
        message = " ".join(row[0].astext().split())
        for xref in row.findall(addnodes.pending_xref):
            if (xref.get("reftargetid") or "").startswith(CELL_ANCHOR):
                found.append((message, xref["reftarget"], xref["reftargetid"]))
    return found


def _add_search_entries(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """Adds an index entry from each error message to its cell.

    Sphinx's search matches a query against whole entries, so the exact message finds the cell first. A `;`
    in a message splits its entry in two (as in any index entry): such a message is found by its parts.
    """
    index_page = app.config.course_error_index
    if index_page not in app.env.all_docs:
        return
    for message, notebook, anchor in _error_cells(app.env.get_doctree(index_page)):
        if notebook != docname:
            continue
        for cell in doctree.findall(nodes.container):
            if anchor in cell["ids"]:
                cell.insert(0, addnodes.index(entries=[("single", message, anchor, "", None)]))


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_config_value("course_widget_stills", {}, "env")
    app.add_config_value("course_error_index", "ERRORS", "env")
    app.add_config_value("course_reference_pages", {}, "env")
    app.add_directive("course", CourseDirective)
    app.add_transform(CellAnchors)
    app.add_transform(WidgetStills)
    app.add_transform(NotebookLinksInOutputs)
    app.connect("doctree-resolved", _add_search_entries)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
