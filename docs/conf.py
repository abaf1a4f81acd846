"""Sphinx configuration of the course's static site (built by `make site`, see tools/build_site.py).

The notebooks are rendered with the outputs they are stored with (never executed), and every page works
offline: nothing is fetched when the site is built or read.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

project = "from_generator lab kit"
author = "the from_generator lab kit's authors"
copyright = "the from_generator lab kit's authors"

extensions = ["myst_nb", "course_site"]

# The stored outputs are the lesson: show them as they are.
nb_execution_mode = "off"
nb_merge_streams = True
# ipywidgets' HTML manager and require.js would come from a CDN; widgets are shown as stills instead.
nb_ipywidgets_js = {}
# MathJax would come from a CDN too, but Sphinx adds it only to a page with math, and no page has any:
# tools/build_site.py refuses a site that would fetch anything from another host.
myst_enable_extensions = ["colon_fence"]

# Furo: a sidebar, previous/next links and search, from files shipped in its wheel (no web fonts, no CDN).
html_theme = "furo"
html_title = "from_generator lab kit"
html_static_path = ["_static"]
html_css_files = ["course.css"]
# Without one, every page view asks for /favicon.ico and logs a 404 in the console.
html_favicon = "_static/favicon.png"
html_copy_source = False
html_show_sourcelink = False
# Summaries under search results are fetched page by page, which browsers refuse for a site opened as files
# (site/index.html straight from disk); the results themselves work either way.
html_show_search_summary = False

# The live widgets' stills: the widget's class name -> (image in docs/images, what it shows). Taken from
# `make test-browser`: panel.png is artifacts/browser/05_panel_stopped.png cropped to the panel (256 colours),
# widgets_render.png notebook 00's widget output in JupyterLab.
course_widget_stills = {
    "PerformancePanel": ("images/panel.png", "The performance lab's panel after a run"),
    "HTML": ("images/widgets_render.png", "A green box: widgets render in this JupyterLab"),
}

# Pages rendered beside the notebooks, in this order, if the repository has them; what each one is.
course_reference_pages = {
    "ERRORS.md": "every error message the course raises, its cause, its fix and the cell that shows it live.",
    "CHEATSHEET.md": "the course on one page.",
    "INSTRUCTORS.md": "schedules, a live-coding script per lesson, where learners get stuck.",
}
