from pathlib import Path

from helpers.paths import REPO_ROOT, SAMPLE_IMAGES_DIR, display_path, without_machine_paths


def test_relative_paths_stay_as_given():
    assert display_path("../sample_images/missing.jpg") == "../sample_images/missing.jpg"
    assert display_path(b"../sample_images/x.png") == "../sample_images/x.png"


def test_absolute_paths_inside_the_repository_become_relative_to_it():
    assert display_path(SAMPLE_IMAGES_DIR / "rocket.jpg") == "sample_images/rocket.jpg"
    assert display_path(str(REPO_ROOT / "notebooks").encode()) == "notebooks"


def test_absolute_paths_elsewhere_stay_as_given():
    outside = Path("/nonexistent-kit-test/a.jpg")
    assert display_path(outside) == str(outside)


def test_without_machine_paths_makes_every_repository_path_relative():
    text = f"cannot read {REPO_ROOT}/sample_images/x.jpg (from {REPO_ROOT}/notebooks/01.ipynb); /etc/hosts"
    assert (
        without_machine_paths(text) == "cannot read sample_images/x.jpg (from notebooks/01.ipynb); /etc/hosts"
    )
