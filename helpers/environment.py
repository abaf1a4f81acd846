"""Checks the learner's set-up and says what to do about each problem.

from helpers import environment
environment.check_environment()     # a table of passes and failures, each failure with a fix
"""

from __future__ import annotations

import importlib
import importlib.metadata
import os
import platform
import sys
from dataclasses import dataclass

from helpers.html_table import Markup, html_table
from helpers.paths import CACHE_DIR, REPO_ROOT, SAMPLE_IMAGES_DIR

__all__ = ["Check", "EnvironmentReport", "check_environment", "pinned_versions"]

_REINSTALL = (
    "Run `make lab` again from the kit's folder (it reinstalls the pinned versions), then restart the kernel."
)
_MIN_SAMPLE_IMAGES = 12
_IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png")


@dataclass(frozen=True)
class Check:
    """One line of the report: what was checked, what was found, and what to do if it failed."""

    name: str
    passed: bool
    found: str
    advice: str = ""


@dataclass(frozen=True)
class EnvironmentReport:
    """Every check, as text or (in a notebook) as a table."""

    checks: tuple[Check, ...]

    @property
    def passed(self) -> bool:
        return all(check.passed for check in self.checks)

    @property
    def failures(self) -> tuple[Check, ...]:
        return tuple(check for check in self.checks if not check.passed)

    def __repr__(self) -> str:
        lines = [
            f"{'PASS' if c.passed else 'FAIL'}  {c.name}: {c.found}"
            + ("" if c.passed else f"\n      what to do: {c.advice}")
            for c in self.checks
        ]
        summary = "All checks passed." if self.passed else f"{len(self.failures)} check(s) failed."
        return "\n".join([*lines, summary])

    def _repr_html_(self) -> str:
        passed, failed = (
            Markup('<b style="color:#1b7f3a">✔ pass</b>'),
            Markup('<b style="color:#b3261e">✘ FAIL</b>'),
        )
        rows = [[passed if c.passed else failed, c.name, c.found, c.advice] for c in self.checks]
        summary = (
            "<b>All checks passed.</b>"
            if self.passed
            else f"<b>{len(self.failures)} check(s) failed</b>: follow 'what to do' on each red line."
        )
        return html_table(["", "Check", "Found", "What to do"], rows) + f"<p>{summary}</p>"


def pinned_versions() -> dict[str, str]:
    """The exact versions requirements.txt pins, by canonical package name.

    Raises:
        packaging.requirements.InvalidRequirement: a line of requirements.txt is not a requirement.
    """
    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name

    pins: dict[str, str] = {}
    for line in (REPO_ROOT / "requirements.txt").read_text().splitlines():
        if text := line.split("#", 1)[0].strip():
            requirement = Requirement(text)
            for spec in requirement.specifier:
                if spec.operator == "==":
                    pins[canonicalize_name(requirement.name)] = spec.version
    return pins


def check_environment() -> EnvironmentReport:
    """Runs every check (imports TensorFlow, so it takes a few seconds) and returns the report."""
    import tensorflow as tf

    pins = pinned_versions()
    python_ok = (3, 10) <= sys.version_info[:2] <= (3, 13)
    upgrade = "TensorFlow 2.21 needs Python 3.10 to 3.13; run `make lab PYTHON=python3.11`."
    checks = [Check("Python", python_ok, platform.python_version(), "" if python_ok else upgrade)]
    for distribution in ("tensorflow", "numpy", "opencv-python-headless", "ipywidgets"):
        checks.append(_check_package(distribution, pins.get(distribution)))
    try:
        widgets = f"jupyterlab_widgets {importlib.metadata.version('jupyterlab_widgets')}"
        checks.append(Check("JupyterLab widget support", True, widgets))
    except importlib.metadata.PackageNotFoundError:
        checks.append(Check("JupyterLab widget support", False, "jupyterlab_widgets missing", _REINSTALL))
    gpus = len(tf.config.list_physical_devices("GPU"))
    cores = f"{os.cpu_count() or 1} CPU cores, {gpus} GPU{'' if gpus == 1 else 's'}"
    checks.append(Check("Processors", True, cores))  # no GPU is fine: every lesson is sized for 2 CPU cores
    images = [path for path in SAMPLE_IMAGES_DIR.glob("*") if path.suffix.lower() in _IMAGE_SUFFIXES]
    images_ok = len(images) >= _MIN_SAMPLE_IMAGES
    restore = "The sample_images/ folder is incomplete: `git checkout -- sample_images` restores it."
    found = f"{len(images)} images in sample_images/"
    checks.append(Check("Sample images", images_ok, found, "" if images_ok else restore))
    try:
        CACHE_DIR.mkdir(parents=True, exist_ok=True)
        probe = CACHE_DIR / ".write-test"
        probe.write_text("ok")
        probe.unlink()
        checks.append(Check("Cache folder writable", True, ".cache/ (generated data goes here)"))
    except OSError as error:
        advice = "Set FGLAB_CACHE_DIR to a folder you can write to, then restart the kernel."
        checks.append(Check("Cache folder writable", False, f"{error.strerror}", advice))
    return EnvironmentReport(tuple(checks))


def _check_package(distribution: str, pinned: str | None) -> Check:
    try:
        installed = importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return Check(distribution, False, "not installed", _REINSTALL)
    if pinned is not None and installed != pinned:
        return Check(distribution, False, f"{installed} (the kit pins {pinned})", _REINSTALL)
    return Check(distribution, True, installed)
