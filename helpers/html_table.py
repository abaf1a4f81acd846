"""Left-aligned HTML tables for `_repr_html_` methods (JupyterLab right-aligns table cells by default).

html_table(["Check", "Found"], [["Python", "3.11.7"]])
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence

__all__ = ["Markup", "html_table"]

_CELL_STYLE = "text-align:left;vertical-align:top;padding:2px 8px"


class Markup(str):
    """A cell value that is already HTML: inserted as is, not escaped."""


def html_table(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """Returns an HTML table; cell values are escaped unless they are `Markup`."""

    def cell(tag: str, value: object) -> str:
        text = value if isinstance(value, Markup) else html.escape(str(value))
        return f'<{tag} style="{_CELL_STYLE}">{text}</{tag}>'

    head = "".join(cell("th", title) for title in header)
    body = "".join("<tr>" + "".join(cell("td", value) for value in row) + "</tr>" for row in rows)
    return f"<table><tr>{head}</tr>{body}</table>"
