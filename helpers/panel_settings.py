"""What the performance panel lets you set: its controls as data, their groups, and named presets.

    spec = panel_settings.CONTROLS["batch_size"]  # ControlSpec(kind="menu", label="batch size", ...)
    panel_settings.menu_options(spec, 24)         # [8, 16, 24, 32, 64, 128, 256]
    panel_settings.run_settings(values, seed=0)   # the controls' values -> runs.RunSettings

No widgets: `helpers.widgets.PerformancePanel` builds one widget per `ControlSpec` and lays them out by
`CONTROL_GROUPS`, and reads their values back as settings with `run_settings`. Kept apart so these
definitions can be checked against `pipelines.PipelineConfig` without building a panel. May import
`helpers.runs`, and `helpers.pipelines` only inside functions (it imports TensorFlow).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from helpers import runs

if TYPE_CHECKING:
    from helpers.pipelines import PipelineConfig

__all__ = [
    "CONTROLS",
    "CONTROL_GROUPS",
    "PRESETS",
    "RUN_SETTINGS",
    "ControlSpec",
    "menu_options",
    "pipeline_config",
    "run_settings",
]


@dataclass(frozen=True)
class ControlSpec:
    """One control of the panel: its kind, its label and its choices.

    Attributes:
        kind: "menu" (a drop-down), "buttons" (toggle buttons), "slider" (whole numbers) or "checkbox".
        label: the text beside it.
        options: the choices of a menu or buttons: values, or (label, value) pairs.
        numbers: a menu's numbered choices, after `options`; the value it starts with joins them.
        low, high, step: a slider's range and step.
    """

    kind: str
    label: str
    options: tuple = ()
    numbers: tuple[int, ...] = ()
    low: int = 0
    high: int = 0
    step: int = 1


def menu_options(spec: ControlSpec, value: Any) -> list:
    """Returns the choices of a menu that starts at `value`: a number not in the menu is added, in order.

    Plain numbers when the menu has only numbers, else `(label, value)` pairs, numbers labelled by value.
    """
    if not spec.numbers:
        return list(spec.options)
    named = {option_value for _label, option_value in spec.options}
    numbers = sorted({*spec.numbers, value} - named)
    return [*spec.options, *((str(n), n) for n in numbers)] if spec.options else numbers


CONTROLS: dict[str, ControlSpec] = {
    "data": ControlSpec(
        "menu",
        "data",
        options=(
            ("sample photos", "samples"),
            ("JPEGs 640×480", "benchmark"),
            ("small JPEGs 160×120", "small"),
        ),
    ),
    "image_count": ControlSpec("menu", "images per epoch", numbers=(64, 128, 256, 512, 1000)),
    "image_size": ControlSpec("menu", "image size (px)", numbers=(64, 128, 224, 320)),
    "batch_size": ControlSpec("menu", "batch size", numbers=(8, 16, 32, 64, 128, 256)),
    "yield_mode": ControlSpec(
        "buttons", "yield", options=(("per element", "element"), ("per batch", "batch"))
    ),
    "shards": ControlSpec("slider", "shards", low=1, high=8),
    "decode_threads": ControlSpec("slider", "decode threads", low=0, high=8),
    "opencv_threads": ControlSpec(
        "menu", "OpenCV threads", options=(("default", 0), ("1", 1), ("2", 2), ("4", 4))
    ),
    "augment": ControlSpec("checkbox", "augment"),
    "prefetch": ControlSpec(
        "buttons", "prefetch", options=(("off", "off"), ("1", "1"), ("AUTOTUNE", "autotune"))
    ),
    "inject_prefetch": ControlSpec("checkbox", "auto-prefetch"),
    "cache": ControlSpec("checkbox", "cache"),
    "train_step_ms": ControlSpec("slider", "train step (ms)", low=0, high=200, step=5),
    "epochs": ControlSpec(
        "menu", "epochs", options=(("until Stop", runs.UNTIL_STOP),), numbers=(1, 2, 3, 5, 10)
    ),
    "live": ControlSpec("checkbox", "live plot, images"),
}
"""The panel's controls by name: every `pipelines.PipelineConfig` field but `seed`, and `RUN_SETTINGS`."""

RUN_SETTINGS = ("train_step_ms", "epochs", "live")
"""Settings of a run that are not pipeline settings: `panel.set` accepts these too."""


def pipeline_config(values: Mapping[str, Any], *, seed: int) -> PipelineConfig:
    """Returns the pipeline settings among the controls' `values` (by name), with `seed`.

    Raises:
        ValueError: a setting is out of range.
    """
    from helpers.pipelines import PipelineConfig  # here: helpers.pipelines imports TensorFlow

    pipeline_values = {name: value for name, value in values.items() if name not in RUN_SETTINGS}
    return PipelineConfig(seed=seed, **pipeline_values)


def run_settings(values: Mapping[str, Any], *, seed: int) -> runs.RunSettings:
    """Returns the settings of a run from the controls' `values`: the pipeline's, training step, epochs.

    Raises:
        ValueError: a setting is out of range.
    """
    return runs.RunSettings(
        pipeline_config(values, seed=seed),
        train_step_ms=float(values["train_step_ms"]),
        epochs=int(values["epochs"]),
    )


CONTROL_GROUPS = (
    ("1 · data", "what is read", ("data", "image_count", "image_size")),
    (
        "2 · generator",
        "Python, inside from_generator",
        ("yield_mode", "batch_size", "shards", "decode_threads", "opencv_threads", "augment"),
    ),
    ("3 · tf.data", "after the generator", ("prefetch", "inject_prefetch", "cache")),
    ("4 · consumer", "the training loop", ("train_step_ms", "epochs", "live")),
)
"""The controls in the order data flows through the pipeline: (heading, what it is, control names)."""

PRESETS: dict[str, dict[str, object]] = {
    "one image per yield, no prefetch": {
        "yield_mode": "element",
        "prefetch": "off",
        "inject_prefetch": False,
        "shards": 1,
        "decode_threads": 0,
    },
    "one image per yield, prefetch": {
        "yield_mode": "element",
        "prefetch": "autotune",
        "inject_prefetch": True,
        "shards": 1,
        "decode_threads": 0,
    },
    "2 shards, prefetch": {
        "yield_mode": "element",
        "prefetch": "autotune",
        "inject_prefetch": True,
        "shards": 2,
        "decode_threads": 0,
    },
    "batches from 2 decode threads, prefetch": {
        "yield_mode": "batch",
        "prefetch": "autotune",
        "inject_prefetch": True,
        "shards": 1,
        "decode_threads": 2,
    },
}
"""Named groups of settings for the preset menu (and for notebooks: `panel.set(**PRESETS[name])`)."""
