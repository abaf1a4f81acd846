"""helpers.environment: the start-here checks and how failures are reported."""

from helpers import environment


def test_pinned_versions_come_from_requirements():
    pins = environment.pinned_versions()
    assert pins["tensorflow"].startswith("2.21")
    assert all("==" not in version for version in pins.values())


def test_a_version_other_than_the_pin_fails_with_advice():
    check = environment._check_package("numpy", "0.0.1")
    assert not check.passed
    assert "the kit pins 0.0.1" in check.found
    assert "make lab" in check.advice


def test_a_missing_package_fails_with_advice():
    check = environment._check_package("no-such-package-for-the-kit", None)
    assert not check.passed and check.found == "not installed" and check.advice


def test_report_renders_failures_with_what_to_do():
    report = environment.EnvironmentReport(
        (environment.Check("A", True, "fine"), environment.Check("B", False, "broken", "do this"))
    )
    assert not report.passed and report.failures[0].name == "B"
    assert "what to do: do this" in repr(report)
    assert "do this" in report._repr_html_() and "1 check(s) failed" in report._repr_html_()


def test_the_installed_kit_passes_every_check():
    report = environment.check_environment()
    assert report.passed, repr(report)
