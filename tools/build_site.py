"""Builds the course's static site from the stored notebooks, without running them: `make site`.

    python tools/build_site.py        # then open site/index.html in a browser

Sphinx reads a staged copy of the pages under .cache/site/source (docs/index.md as the landing page, every
notebook the catalog lists, the reference pages docs/conf.py names that exist, docs/images), builds HTML with
docs/conf.py, warnings counted as errors, and the result replaces site/.
"""

from __future__ import annotations

import argparse
import re
import runpy
import shutil
import sys
import time
from pathlib import Path

from sphinx.cmd.build import build_main

from helpers import catalog
from helpers.paths import REPO_ROOT, cache_dir

__all__ = ["build", "outside_references", "stage"]

DOCS_DIR = REPO_ROOT / "docs"
# What a browser would fetch from another host: scripts, stylesheets, images, fonts, imported CSS.
_OUTSIDE = re.compile(
    r"<(?:script|img|iframe|source|embed)\b[^>]*\bsrc=[\"'](?:https?:)?//[^>]*>"
    r"|<link\b[^>]*\bhref=[\"'](?:https?:)?//[^>]*>"
    r"|url\(\s*[\"']?(?:https?:)?//[^)]*\)"
    r"|@import\s+[\"'](?:https?:)?//[^\"']*[\"']",
    re.IGNORECASE,
)


def stage(repo_root: Path, source_dir: Path) -> Path:
    """Copies what the site is made of from `repo_root` (a checkout) into a fresh `source_dir`."""
    shutil.rmtree(source_dir, ignore_errors=True)
    source_dir.mkdir(parents=True)
    shutil.copy2(DOCS_DIR / "index.md", source_dir / "index.md")
    shutil.copytree(DOCS_DIR / "images", source_dir / "images")
    for lesson in catalog.lessons(repo_root / "notebooks"):
        target = source_dir / "notebooks" / lesson.path
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(repo_root / "notebooks" / lesson.path, target)
    for name in runpy.run_path(str(DOCS_DIR / "conf.py"))["course_reference_pages"]:
        if (repo_root / name).exists():
            shutil.copy2(repo_root / name, source_dir / name)
    return source_dir


def build(repo_root: Path = REPO_ROOT, site_dir: Path | None = None, *, work_dir: Path | None = None) -> Path:
    """Builds the site of `repo_root` into `site_dir` (default `<repo_root>/site`) and returns its index.html.

    Raises:
        RuntimeError: Sphinx reported a warning or an error (it printed them), or a page would fetch
            something from another host.
    """
    site_dir = site_dir or repo_root / "site"
    work_dir = work_dir or cache_dir("site")
    source_dir = stage(repo_root, work_dir / "source")
    html_dir = work_dir / "html"
    shutil.rmtree(html_dir, ignore_errors=True)
    # -E: a fresh environment each time, so nothing of an earlier build survives; -W: warnings are errors.
    arguments = [
        "-b",
        "html",
        "-c",
        str(DOCS_DIR),
        "-d",
        str(work_dir / "doctrees"),
        "-E",
        "-W",
        "--keep-going",
    ]
    if build_main([*arguments, "-q", str(source_dir), str(html_dir)]) != 0:
        raise RuntimeError("the site did not build: see Sphinx's messages above")
    if outside := outside_references(html_dir):
        raise RuntimeError("the site would fetch from other hosts:\n" + "\n".join(outside))
    shutil.rmtree(site_dir, ignore_errors=True)
    shutil.move(html_dir, site_dir)
    return site_dir / "index.html"


def outside_references(site_dir: Path) -> list[str]:
    """Every reference in the site's HTML and CSS that a browser would fetch from another host."""
    return [
        f"{path.relative_to(site_dir).as_posix()}: {match.group()}"
        for path in sorted([*site_dir.rglob("*.html"), *site_dir.rglob("*.css")])
        for match in _OUTSIDE.finditer(path.read_text(encoding="utf-8"))
    ]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--site-dir", type=Path, default=REPO_ROOT / "site", help="where the site goes")
    site_dir = parser.parse_args().site_dir.resolve()
    started = time.perf_counter()
    try:
        index = build(site_dir=site_dir)
    except RuntimeError as error:
        sys.exit(str(error))
    pages = len(list(site_dir.rglob("*.html")))
    megabytes = sum(path.stat().st_size for path in site_dir.rglob("*") if path.is_file()) / 1e6
    print(
        f"{index.relative_to(REPO_ROOT) if index.is_relative_to(REPO_ROOT) else index}: {pages} pages, "
        f"{megabytes:.1f} MB, built in {time.perf_counter() - started:.0f} s"
    )


if __name__ == "__main__":
    main()
