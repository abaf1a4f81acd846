"""The course's static site (`make site`) in chromium, served on 127.0.0.1, read the way a learner reads it.

From the landing page to the last lesson by the Next links; an exact error message from the error index,
searched, lands on the cell that raises it; opened from disk (as the README says), search still works. Every
page asks nothing of another host and logs no console error.
Screenshots at 1280 and 390 px wide go to artifacts/browser/site_*.png.
"""

import functools
import http.server
import importlib.util
import json
import re
import threading
from pathlib import Path

import pytest

from helpers import catalog
from helpers.paths import NOTEBOOKS_DIR, REPO_ROOT

# MyST-Parser 5.2 still reads a Sphinx attribute that Sphinx 11 will remove; not ours to fix.
pytestmark = pytest.mark.filterwarnings("ignore:.*MystReferenceResolver.app.*:PendingDeprecationWarning")
WIDTHS = (1280, 390)
HEIGHT = 900


def _stand_in_error_index() -> str:
    """An error index made like ERRORS.md (issue 24): each stored error's first line, linked to its cell."""
    rows = []
    for lesson in catalog.lessons():
        cells = json.loads((NOTEBOOKS_DIR / lesson.path).read_text(encoding="utf-8"))["cells"]
        for cell in cells:
            for output in cell.get("outputs", []):
                if output["output_type"] == "error":
                    message = f"{output['ename']}: {output['evalue'].splitlines()[0]}".replace("|", "\\|")
                    rows.append(
                        f"| `` {message} `` | [{lesson.path}](notebooks/{lesson.path}#cell-{cell['id']}) |"
                    )
    return "# Error index (stand-in)\n\n| Error | Shown in |\n|---|---|\n" + "\n".join(rows) + "\n"


@pytest.fixture(scope="module")
def site_dir(tmp_path_factory) -> Path:
    """The site `make site` built; while the repository has no ERRORS.md yet, one built the same way from the
    repository's pages and a stand-in error index."""
    if (REPO_ROOT / "ERRORS.md").exists():
        index = REPO_ROOT / "site" / "index.html"
        sources = [REPO_ROOT / "ERRORS.md", *(NOTEBOOKS_DIR / lesson.path for lesson in catalog.lessons())]
        if not index.exists() or index.stat().st_mtime < max(path.stat().st_mtime for path in sources):
            pytest.fail("site/ is missing or older than the notebooks or ERRORS.md: run `make site` first")
        return index.parent
    spec = importlib.util.spec_from_file_location("build_site", REPO_ROOT / "tools" / "build_site.py")
    build_site = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(build_site)
    root = tmp_path_factory.mktemp("repo")
    (root / "notebooks").symlink_to(NOTEBOOKS_DIR)
    for name in ("INSTRUCTORS.md", "CHEATSHEET.md"):
        if (REPO_ROOT / name).exists():
            (root / name).write_text((REPO_ROOT / name).read_text())
    (root / "ERRORS.md").write_text(_stand_in_error_index())
    return build_site.build(root, root / "site", work_dir=root / "work").parent


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


@pytest.fixture(scope="module")
def site_url(site_dir):
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(_QuietHandler, directory=str(site_dir))
    )
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}/"
    server.shutdown()
    server.server_close()


class Reader:
    """A browser tab on the site that records every request and every console error or warning."""

    def __init__(self, page, base_url: str) -> None:
        self.page, self.base_url = page, base_url
        self.requests: list[str] = []
        self.console: list[str] = []
        page.on("request", lambda request: self.requests.append(request.url))
        page.on("console", lambda message: self._console(message.type, message.text))
        page.on("pageerror", lambda error: self.console.append(f"uncaught: {error}"))

    def _console(self, kind: str, text: str) -> None:
        if kind in ("error", "warning"):
            self.console.append(f"{kind}: {text} ({self.page.url})")

    def open(self, path: str) -> None:
        self.page.goto(self.base_url + path)

    def screenshot(self, name: str, artifacts_dir: Path, *, full_page: bool = False, at=None) -> None:
        """Saves the page at each of WIDTHS as `site_<name>_<width>px.png` (element `at` scrolled to the top),
        then goes back to the first width."""
        for width in WIDTHS:
            self.page.set_viewport_size({"width": width, "height": HEIGHT})
            if at is not None:
                at.evaluate("element => element.scrollIntoView({block: 'start', behavior: 'instant'})")
            self.page.screenshot(path=artifacts_dir / f"site_{name}_{width}px.png", full_page=full_page)
        self.page.set_viewport_size({"width": WIDTHS[0], "height": HEIGHT})

    def assert_stayed_home(self) -> None:
        outside = [url for url in self.requests if not url.startswith((self.base_url, "data:"))]
        assert not outside, f"requests that left 127.0.0.1: {outside}"
        assert not self.console, f"console: {self.console}"


@pytest.fixture
def reader(browser, site_url):
    context = browser.new_context(viewport={"width": WIDTHS[0], "height": HEIGHT})
    yield Reader(context.new_page(), site_url)
    context.close()


def _page_of(lesson: catalog.Lesson) -> str:
    return "notebooks/" + lesson.path.removesuffix(".ipynb") + ".html"


def test_landing_page_leads_through_every_lesson_by_next(reader, artifacts_dir):
    lessons = catalog.lessons()
    reader.open("index.html")
    reader.screenshot("landing", artifacts_dir, full_page=True)
    course = reader.page.locator("table.course-table").first
    assert course.locator("a").count() == sum(lesson.core for lesson in lessons)
    course.locator("a").first.click()
    for number, lesson in enumerate(lessons):
        if number:
            reader.page.locator("a.next-page").click()
        reader.page.wait_for_url(reader.base_url + _page_of(lesson))
        body = reader.page.locator("article")
        assert lesson.title in body.locator("h1").inner_text()
        outputs = " ".join(body.locator(".cell_output").all_inner_texts())
        assert "Error displaying widget" not in outputs and "widget-view" not in outputs
        for still in body.locator(".widget-still").all():
            assert still.locator("img").evaluate("image => image.complete && image.naturalWidth > 0")
            assert "run this notebook in JupyterLab" in still.inner_text()
            cell = still.locator("xpath=ancestor::div[starts-with(@id, 'cell-')]")
            reader.screenshot(f"widget_{Path(lesson.path).stem[:2]}", artifacts_dir, at=cell)
    reader.assert_stayed_home()


def test_an_error_message_searched_lands_on_the_cell_that_raises_it(reader, artifacts_dir):
    reader.open("ERRORS.html")
    row = reader.page.locator("article table tbody tr").first
    message = " ".join(row.locator("td").first.inner_text().split())
    anchor = row.locator("a[href*='#cell-']").first.get_attribute("href").split("#")[1]

    reader.open("index.html")
    reader.page.locator("input.sidebar-search").fill(message)
    reader.page.locator("input.sidebar-search").press("Enter")
    result = reader.page.locator(f"#search-results a[href$='#{anchor}']")
    result.first.wait_for(timeout=15_000)
    reader.screenshot("search", artifacts_dir)
    result.first.click()

    reader.page.wait_for_url(re.compile(f"#{anchor}$"))
    cell = reader.page.locator(f"[id='{anchor}']")
    assert message in " ".join(cell.inner_text().split())
    # The theme scrolls smoothly to an anchor: the cell arrives at the top of the window within a second.
    reader.page.wait_for_function(
        "cell => cell.getBoundingClientRect().top >= 0 && cell.getBoundingClientRect().top < innerHeight / 4",
        arg=cell.element_handle(),
        timeout=5_000,
    )
    reader.screenshot("error_cell", artifacts_dir, at=cell)
    reader.assert_stayed_home()


def test_opened_from_disk_search_works_and_the_console_stays_clean(browser, site_dir):
    context = browser.new_context(viewport={"width": WIDTHS[0], "height": HEIGHT})
    reader = Reader(context.new_page(), site_dir.as_uri() + "/")
    reader.open("search.html?q=padded_batch")
    reader.page.locator("#search-results li a").first.wait_for(timeout=15_000)
    reader.assert_stayed_home()
    context.close()
