"""helpers.pipelines: the lab's config and the files it names."""

from __future__ import annotations

import pytest

from helpers import images, pipelines

# --- config ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"batch_size": 0}, "batch_size"),
        ({"shards": 9}, "shards"),
        ({"prefetch": "2"}, "prefetch"),
        ({"yield_mode": "row"}, "yield_mode"),
        ({"data": "web"}, "data"),
        ({"image_size": True}, "image_size"),
    ],
)
def test_config_rejects_bad_values_naming_the_field(changes, field):
    with pytest.raises(ValueError, match=field):
        pipelines.PipelineConfig(**changes)


def test_config_is_frozen_and_replace_checks():
    config = pipelines.PipelineConfig()
    with pytest.raises(AttributeError):
        config.batch_size = 8
    assert config.replace(shards=2).shards == 2
    with pytest.raises(ValueError, match="shards"):
        config.replace(shards=0)


def test_describe_names_the_settings_that_differ_from_plain():
    text = pipelines.PipelineConfig(shards=3, inject_prefetch=False, augment=True).describe()
    for part in ("3 shards", "auto-prefetch off", "augment", "batch 32"):
        assert part in text
    assert "shards" not in pipelines.PipelineConfig().describe()


def test_describe_says_how_images_are_produced_not_which():
    text = pipelines.PipelineConfig(shards=2, opencv_threads=1, image_count=64).describe()
    assert text == "batch 32 · per element · 2 shards · prefetch autotune"


def test_samples_are_repeated_to_the_image_count():
    paths = pipelines.resolve_paths(pipelines.PipelineConfig(data="samples", image_count=30))
    samples = images.sample_image_paths()
    assert len(paths) == 30
    assert paths[: len(samples)] == samples
    assert paths[len(samples)] == samples[0]


def test_small_data_is_the_benchmark_jpegs_at_160x120(monkeypatch, tmp_path):
    asked = {}

    def fake_benchmark_jpegs(count, *, width=640, height=480, progress=True):
        asked.update(count=count, width=width, height=height)
        return [tmp_path / f"{i}.jpg" for i in range(count)]

    monkeypatch.setattr(pipelines.datasets, "benchmark_jpegs", fake_benchmark_jpegs)
    paths = pipelines.resolve_paths(pipelines.PipelineConfig(data="small", image_count=5))
    assert len(paths) == 5 and asked == {"count": 5, "width": 160, "height": 120}
