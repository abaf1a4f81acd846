"""helpers.pipelines: the config, the decoder that reuses buffers, the generator, and the datasets built."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
import tensorflow as tf

from helpers import images, pipelines


def write_jpegs(folder, count, *, width=40, height=30, seed=0):
    rng = np.random.default_rng(seed)
    paths = []
    for index in range(count):
        pixels = rng.integers(0, 256, size=(height, width, 3), dtype=np.uint8)
        pixels = cv2.GaussianBlur(pixels, (5, 5), 0)  # photo-like, so JPEG keeps it close
        path = folder / f"{index:03d}.jpg"
        assert cv2.imwrite(str(path), pixels)
        paths.append(str(path))
    return paths


def reference(path, size):
    """What the generator must produce: the kit's loader (tests/test_image_work.py tests the decoder)."""
    return images.load_image_uint8(path, size=(size, size))


@pytest.fixture(scope="module")
def jpegs(tmp_path_factory):
    return write_jpegs(tmp_path_factory.mktemp("jpegs"), 10)


def small_config(**changes):
    settings = dict(batch_size=4, image_size=16, image_count=10, prefetch="off")
    settings.update(changes)
    return pipelines.PipelineConfig(**settings)


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


# --- the generator -----------------------------------------------------------------------------


def test_per_element_and_per_batch_yield_the_same_pixels(jpegs):
    elements = list(pipelines.image_items(jpegs, image_size=16))
    batches = list(pipelines.image_items(jpegs, image_size=16, per_batch=True, batch_size=4))
    assert [b.shape[0] for b in batches] == [4, 4, 2]
    assert all(e.shape == (16, 16, 3) and e.dtype == np.uint8 for e in elements)
    np.testing.assert_array_equal(np.stack(elements), np.concatenate(batches))
    np.testing.assert_array_equal(elements[3], reference(jpegs[3], 16))


@pytest.mark.parametrize("per_batch", [False, True])
def test_decode_threads_give_the_same_images_in_the_same_order(jpegs, per_batch):
    plain = list(pipelines.image_items(jpegs, image_size=16, per_batch=per_batch, batch_size=3))
    threaded = list(
        pipelines.image_items(jpegs, image_size=16, per_batch=per_batch, batch_size=3, decode_threads=3)
    )
    np.testing.assert_array_equal(np.concatenate(plain), np.concatenate(threaded))


def test_shards_split_the_files_between_them(jpegs):
    shards = [list(pipelines.image_items(jpegs, image_size=16, shard=s, num_shards=3)) for s in range(3)]
    assert [len(s) for s in shards] == [4, 3, 3]
    np.testing.assert_array_equal(shards[1][0], reference(jpegs[1], 16))
    np.testing.assert_array_equal(shards[2][1], reference(jpegs[5], 16))


def test_augmentation_is_reproducible_and_differs_between_shards(jpegs):
    twice = [jpegs[0], jpegs[0], jpegs[1], jpegs[1]]  # each shard of two reads jpegs[0] and jpegs[1]

    def run(shard):
        return np.stack(list(pipelines.image_items(twice, shard, 2, image_size=16, augment=True)))

    plain = np.stack(list(pipelines.image_items(jpegs[:2], image_size=16)))
    first = run(0)
    np.testing.assert_array_equal(first, run(0))
    assert not np.array_equal(first, run(1))  # the same files, other random choices
    assert not np.array_equal(first, plain)


# --- datasets ----------------------------------------------------------------------------------


def collect(dataset):
    return np.concatenate([batch.numpy() for batch in dataset])


def test_dataset_gives_float32_batches_in_unit_range_matching_the_generator(jpegs):
    dataset = pipelines.image_dataset(small_config(), jpegs)
    assert dataset.element_spec == tf.TensorSpec((None, 16, 16, 3), tf.float32)
    batches = list(dataset)
    assert [int(b.shape[0]) for b in batches] == [4, 4, 2]
    pixels = collect(batches)
    assert pixels.min() >= 0.0 and pixels.max() <= 1.0
    expected = np.stack([reference(p, 16) for p in jpegs]).astype(np.float32) / 255
    np.testing.assert_allclose(pixels, expected, atol=1e-6)


@pytest.mark.parametrize(
    "changes",
    [
        {"yield_mode": "batch"},
        {"shards": 3},
        {"shards": 2, "yield_mode": "batch", "decode_threads": 2},
        {"prefetch": "autotune", "decode_threads": 1},
        {"augment": False, "prefetch": "1"},
    ],
)
def test_every_setting_delivers_the_same_images(jpegs, changes):
    plain = collect(pipelines.image_dataset(small_config(), jpegs))
    other = collect(pipelines.image_dataset(small_config(**changes), jpegs))
    # Shards interleave, so compare as sets of images (sorted by content).
    assert other.shape == plain.shape
    key = lambda a: np.argsort(a.reshape(len(a), -1).sum(axis=1))  # noqa: E731
    np.testing.assert_allclose(other[key(other)], plain[key(plain)], atol=1e-6)


def test_inject_prefetch_off_turns_off_all_automatic_asynchrony(jpegs):
    off = pipelines.image_dataset(small_config(inject_prefetch=False), jpegs).options()
    on = pipelines.image_dataset(small_config(), jpegs).options()
    assert off.experimental_optimization.inject_prefetch is False
    assert off.experimental_optimization.map_parallelization is False
    assert on.experimental_optimization.inject_prefetch is True
    assert on.experimental_optimization.map_parallelization is True


def test_a_bad_file_surfaces_as_a_tensorflow_error_naming_it(jpegs, tmp_path):
    broken = tmp_path / "broken.jpg"
    broken.write_bytes(b"")
    dataset = pipelines.image_dataset(small_config(), [*jpegs[:2], str(broken)])
    with pytest.raises(tf.errors.InvalidArgumentError, match="broken.jpg"):
        collect(dataset)


def test_small_data_is_the_benchmark_jpegs_at_160x120(monkeypatch, tmp_path):
    asked = {}

    def fake_benchmark_jpegs(count, *, width=640, height=480, progress=True):
        asked.update(count=count, width=width, height=height)
        return [tmp_path / f"{i}.jpg" for i in range(count)]

    monkeypatch.setattr(pipelines.datasets, "benchmark_jpegs", fake_benchmark_jpegs)
    paths = pipelines.resolve_paths(pipelines.PipelineConfig(data="small", image_count=5))
    assert len(paths) == 5 and asked == {"count": 5, "width": 160, "height": 120}
