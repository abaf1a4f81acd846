"""environment.yml (conda) and requirements.txt (pip) must pin the same packages at the same versions."""

import re

import tomllib
import yaml
from packaging.specifiers import SpecifierSet

from helpers.environment import pinned_versions
from helpers.paths import REPO_ROOT


def _requirement_lines() -> list[str]:
    lines = (REPO_ROOT / "requirements.txt").read_text().splitlines()
    return [line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#")]


def _conda_environment() -> dict:
    return yaml.safe_load((REPO_ROOT / "environment.yml").read_text())


def test_every_requirement_is_pinned_exactly():
    for line in _requirement_lines():
        assert re.fullmatch(r"[A-Za-z0-9_.\-]+==[0-9][0-9A-Za-z.]*", line), line


def test_conda_pip_section_matches_requirements_and_installs_the_kit():
    pip_sections = [item["pip"] for item in _conda_environment()["dependencies"] if isinstance(item, dict)]
    assert len(pip_sections) == 1
    assert pip_sections[0] == [*_requirement_lines(), "-e ."]


def test_conda_python_is_one_the_kit_supports():
    pythons = [
        item
        for item in _conda_environment()["dependencies"]
        if isinstance(item, str) and item.startswith("python")
    ]
    assert len(pythons) == 1
    version = pythons[0].split("=", 1)[1]
    requires = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["project"]["requires-python"]
    assert version in SpecifierSet(requires)


def test_pins_include_what_the_kit_is_built_on():
    pins = pinned_versions()
    assert pins["tensorflow"].startswith("2.21.")
    assert pins["ipywidgets"].startswith("8.")
    assert pins["jupyterlab"].startswith("4.")
    assert "opencv-python-headless" in pins and "opencv-python" not in pins
    assert {"numpy", "matplotlib", "ipykernel", "nbval", "pytest"} <= pins.keys()
