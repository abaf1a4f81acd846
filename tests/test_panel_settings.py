"""helpers.panel_settings: the performance panel's controls, groups and presets, checked without widgets."""

from __future__ import annotations

import dataclasses
import subprocess
import sys

import pytest

from helpers import panel_settings, pipelines, runs
from helpers.panel_settings import CONTROL_GROUPS, CONTROLS, PRESETS, RUN_SETTINGS


def default_values(**changes) -> dict[str, object]:
    values = {name: value for name, value in pipelines.PipelineConfig().as_dict().items() if name != "seed"}
    return {**values, "train_step_ms": 10, "epochs": runs.UNTIL_STOP, "live": True, **changes}


def test_importing_it_imports_neither_widgets_nor_tensorflow():
    code = (
        "import sys, helpers.panel_settings; print(sorted({'ipywidgets', 'tensorflow'} & set(sys.modules)))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    assert done.stdout.strip() == "[]"


def test_there_is_a_control_for_every_pipeline_setting_and_run_setting():
    fields = {field.name for field in dataclasses.fields(pipelines.PipelineConfig)} - {"seed"}
    assert set(CONTROLS) == fields | set(RUN_SETTINGS)
    assert {spec.kind for spec in CONTROLS.values()} <= {"menu", "buttons", "slider", "checkbox"}


def test_every_control_is_in_exactly_one_group():
    grouped = [name for _heading, _note, names in CONTROL_GROUPS for name in names]
    assert sorted(grouped) == sorted(CONTROLS)


@pytest.mark.parametrize("name", PRESETS)
def test_a_preset_sets_controls_to_values_they_offer(name):
    for control, value in PRESETS[name].items():
        spec = CONTROLS[control]
        if spec.kind == "slider":
            assert spec.low <= value <= spec.high, (control, value)
        elif spec.kind == "checkbox":
            assert isinstance(value, bool), (control, value)
        else:
            assert value in [option[1] for option in spec.options], (control, value)
    assert (
        panel_settings.pipeline_config(default_values(**PRESETS[name]), seed=0).shards
        == PRESETS[name]["shards"]
    )


def test_a_number_menu_takes_in_the_value_it_starts_with():
    assert panel_settings.menu_options(CONTROLS["batch_size"], 24) == [8, 16, 24, 32, 64, 128, 256]
    assert panel_settings.menu_options(CONTROLS["batch_size"], 32) == [8, 16, 32, 64, 128, 256]
    epochs = panel_settings.menu_options(CONTROLS["epochs"], 7)
    assert epochs == [
        ("until Stop", runs.UNTIL_STOP),
        ("1", 1),
        ("2", 2),
        ("3", 3),
        ("5", 5),
        ("7", 7),
        ("10", 10),
    ]
    assert panel_settings.menu_options(CONTROLS["epochs"], runs.UNTIL_STOP)[1:] == [
        (str(n), n) for n in (1, 2, 3, 5, 10)
    ]
    assert panel_settings.menu_options(CONTROLS["data"], "small") == list(CONTROLS["data"].options)


def test_the_controls_values_become_the_runs_settings():
    settings = panel_settings.run_settings(default_values(batch_size=24, train_step_ms=15, epochs=3), seed=7)
    expected = pipelines.PipelineConfig(batch_size=24, seed=7)
    assert settings == runs.RunSettings(expected, train_step_ms=15.0, epochs=3)
    assert isinstance(settings.train_step_ms, float)
    with pytest.raises(ValueError, match="image_count"):
        panel_settings.run_settings(default_values(image_count=0), seed=0)
