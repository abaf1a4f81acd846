"""Self-checks of notebook 02: right answers pass, each typical mistake gets its own message."""

import cv2
import nbformat
import numpy as np
import pytest
import tensorflow as tf

from helpers import images
from helpers.exercises import image_pipeline as ex
from helpers.paths import NOTEBOOKS_DIR

IMAGE_SIGNATURE = tf.TensorSpec(shape=(224, 224, 3), dtype=tf.float32)
NOTEBOOK = NOTEBOOKS_DIR / "02_image_pipeline.ipynb"


def notebook_exercise(function_name, *, check_call, solution):
    """`function_name` as the notebook's stub (or hidden solution) cell defines it, run from its source.

    The cell must define the function and, for a solution, end with the self-check call `check_call`;
    the test fails when the notebook drifts from that.
    """
    cells = [
        cell
        for cell in nbformat.read(NOTEBOOK, as_version=4).cells
        if cell.cell_type == "code"
        and f"def {function_name}(" in cell.source
        and ("solution" in cell.metadata.get("tags", [])) == solution
    ]
    assert len(cells) == 1, f"expected one {'solution' if solution else 'stub'} cell defining {function_name}"
    source = cells[0].source
    if solution:
        assert source.startswith("# Solution (reveal to see)\n")
        source, last_line = source.rstrip().rsplit("\n", 1)
        assert last_line == check_call
    namespace = {"cv2": cv2, "np": np, "tf": tf, "images": images}
    exec(compile(source, f"{NOTEBOOK.name}:{function_name}", "exec"), namespace)
    return namespace[function_name]


@pytest.fixture(scope="module")
def image_paths(tmp_path_factory):
    """Three colour images (red and blue clearly different) and one grayscale, as PNG and JPEG."""
    folder = tmp_path_factory.mktemp("images")
    paths = []
    for index, (height, width) in enumerate([(240, 320), (300, 200), (256, 256)]):
        rows, columns = np.mgrid[0:height, 0:width]
        red = (columns * 255 // width).astype(np.uint8)
        blue = (rows * 255 // height).astype(np.uint8)
        path = folder / f"colour{index}.{'png' if index % 2 else 'jpg'}"
        cv2.imwrite(str(path), np.dstack([blue, np.full_like(red, 60 * index), red]))
        paths.append(str(path))
    gray = folder / "gray.png"
    cv2.imwrite(str(gray), np.tile(np.arange(200, dtype=np.uint8), (150, 1)))
    return [*paths, str(gray)]


@pytest.fixture(scope="module")
def missing_path(tmp_path_factory):
    return str(tmp_path_factory.mktemp("empty") / "not_there.jpg")


def check_generator(function, image_paths, missing_path):
    return ex.check_rgb_image_generator(function, image_paths=image_paths, missing_path=missing_path)


# --- exercise 1: the generator -------------------------------------------------------------------------


def right_generator(image_paths):
    for path in image_paths:
        image = cv2.imread(path)
        if image is None:
            raise FileNotFoundError(f"cannot read {path}")
        image = cv2.resize(cv2.cvtColor(image, cv2.COLOR_BGR2RGB), (224, 224))
        yield image.astype(np.float32) / 255


def article_generator(image_paths):
    for path in image_paths:
        yield cv2.resize(cv2.imread(path), (224, 224)) / 255.0


def test_right_generator_passes(image_paths, missing_path):
    feedback = check_generator(right_generator, image_paths, missing_path)
    assert feedback.passed, str(feedback)
    assert "FileNotFoundError" in feedback.message


def test_kit_reader_passes(image_paths, missing_path):
    feedback = check_generator(images.make_image_reader(size=(224, 224)), image_paths, missing_path)
    assert feedback.passed, str(feedback)


def test_article_generator_is_told_bgr(image_paths, missing_path):
    feedback = check_generator(article_generator, image_paths, missing_path)
    assert not feedback.passed
    assert "BGR" in feedback.message and "COLOR_BGR2RGB" in feedback.hint


def rgb_float64(image_paths):
    for path in image_paths:
        yield cv2.resize(cv2.imread(path, cv2.IMREAD_COLOR_RGB), (224, 224)) / 255.0


def rgb_uint8(image_paths):
    for path in image_paths:
        yield cv2.resize(cv2.imread(path, cv2.IMREAD_COLOR_RGB), (224, 224))


def rgb_unscaled(image_paths):
    for path in image_paths:
        yield cv2.resize(cv2.imread(path, cv2.IMREAD_COLOR_RGB), (224, 224)).astype(np.float32)


def not_resized(image_paths):
    for path in image_paths:
        yield cv2.imread(path, cv2.IMREAD_COLOR_RGB).astype(np.float32) / 255


def grayscale_read(image_paths):
    for path in image_paths:
        yield cv2.resize(cv2.imread(path, cv2.IMREAD_GRAYSCALE), (224, 224)).astype(np.float32) / 255


def reversed_order(image_paths):
    yield from right_generator(list(reversed(image_paths)))


@pytest.mark.parametrize(
    ("function", "in_message", "in_hint"),
    [
        (rgb_float64, "float64", "astype(np.float32)"),
        (rgb_uint8, "uint8", "/ 255"),
        (rgb_unscaled, "expected [0, 1]", "255"),
        (not_resized, "expected (224, 224, 3)", "cv2.resize"),
        (grayscale_read, "expected (224, 224, 3)", "grayscale"),
        (reversed_order, "does not look like", "order"),
    ],
    ids=lambda value: getattr(value, "__name__", None),
)
def test_each_image_mistake_has_its_own_feedback(image_paths, missing_path, function, in_message, in_hint):
    feedback = check_generator(function, image_paths, missing_path)
    assert not feedback.passed
    assert in_message in feedback.message
    assert in_hint in feedback.hint


def returns_none(image_paths):
    for _ in image_paths:
        pass


def yields_none(image_paths):
    for _ in image_paths:
        yield None


def yields_too_few(image_paths):
    yield from right_generator(image_paths[:1])


@pytest.mark.parametrize(
    ("function", "in_message"),
    [
        (None, "Expected a generator function, got NoneType"),
        (returns_none, "returned None instead of a generator"),
        (yields_none, "yielded None for"),
        (yields_too_few, "yielded 1 images for 4 paths"),
        (lambda image_paths: 42, "returned an object of type int, which cannot be iterated"),
        (lambda image_paths: (1 / 0 for _ in image_paths), "ZeroDivisionError"),
    ],
    ids=["not-callable", "returns-none", "yields-none", "too-few", "not-iterable", "raises"],
)
def test_structural_mistakes(image_paths, missing_path, function, in_message):
    feedback = check_generator(function, image_paths, missing_path)
    assert not feedback.passed
    assert in_message in feedback.message


def resize_fails_on_missing(image_paths):
    for path in image_paths:
        image = cv2.imread(path, cv2.IMREAD_COLOR_RGB)
        yield cv2.resize(image, (224, 224)).astype(np.float32) / 255


def none_for_missing(image_paths):
    for path in image_paths:
        image = cv2.imread(path, cv2.IMREAD_COLOR_RGB)
        yield None if image is None else cv2.resize(image, (224, 224)).astype(np.float32) / 255


def anonymous_error(image_paths):
    for path in image_paths:
        image = cv2.imread(path, cv2.IMREAD_COLOR_RGB)
        if image is None:
            raise FileNotFoundError("file not found")
        yield cv2.resize(image, (224, 224)).astype(np.float32) / 255


def skips_missing(image_paths):
    for path in image_paths:
        image = cv2.imread(path, cv2.IMREAD_COLOR_RGB)
        if image is not None:
            yield cv2.resize(image, (224, 224)).astype(np.float32) / 255


@pytest.mark.parametrize(
    ("function", "in_message"),
    [
        (resize_fails_on_missing, "raised cv2.error"),
        (none_for_missing, "yielded None: cv2.imread returns None"),
        (anonymous_error, "does not name the file"),
        (skips_missing, "skipped the missing file"),
    ],
    ids=lambda value: getattr(value, "__name__", None),
)
def test_missing_file_mistakes(image_paths, missing_path, function, in_message):
    feedback = check_generator(function, image_paths, missing_path)
    assert not feedback.passed
    assert in_message in feedback.message
    assert "not_there.jpg" in feedback.message


def test_notebook_exercise_1_stub_and_solution_on_sample_images():
    """The notebook calls the check without paths: its stub (the article's code) is told BGR."""
    check_call = "exercises.check_rgb_image_generator(rgb_images)"
    stub = notebook_exercise("rgb_images", check_call=check_call, solution=False)
    solution = notebook_exercise("rgb_images", check_call=check_call, solution=True)
    feedback = ex.check_rgb_image_generator(stub)
    assert not feedback.passed and "BGR" in feedback.message
    assert ex.check_rgb_image_generator(solution).passed


# --- exercise 2: the dataset ---------------------------------------------------------------------------


def right_dataset(image_paths, batch_size):
    reader = images.make_image_reader(size=(224, 224), dtype="uint8")
    dataset = tf.data.Dataset.from_generator(
        reader, args=(image_paths,), output_signature=tf.TensorSpec((224, 224, 3), tf.uint8)
    )
    dataset = dataset.batch(batch_size).map(lambda batch: tf.cast(batch, tf.float32) / 255)
    return dataset.prefetch(tf.data.AUTOTUNE)


def float32_dataset(generator, image_paths, *, signature=IMAGE_SIGNATURE):
    return tf.data.Dataset.from_generator(lambda: generator(image_paths), output_signature=signature)


def test_right_dataset_passes(image_paths):
    feedback = ex.check_image_dataset(right_dataset, image_paths=image_paths, batch_size=3)
    assert feedback.passed, str(feedback)
    assert "[3, 1]" in feedback.message


def test_notebook_exercise_2_stub_and_solution_on_sample_images():
    check_call = "exercises.check_image_dataset(uint8_image_dataset)"
    stub = notebook_exercise("uint8_image_dataset", check_call=check_call, solution=False)
    solution = notebook_exercise("uint8_image_dataset", check_call=check_call, solution=True)
    feedback = ex.check_image_dataset(stub)
    assert not feedback.passed and "uint8" in feedback.message
    feedback = ex.check_image_dataset(solution)
    assert feedback.passed, str(feedback)
    assert "explicit prefetch" in feedback.message


def uint8_only(image_paths, batch_size):
    reader = images.make_image_reader(size=(224, 224), dtype="uint8")
    dataset = tf.data.Dataset.from_generator(
        reader, args=(image_paths,), output_signature=tf.TensorSpec((224, 224, 3), tf.uint8)
    )
    return dataset.batch(batch_size, drop_remainder=True)


def dropped(image_paths, batch_size):
    return float32_dataset(right_generator, image_paths).batch(batch_size, drop_remainder=True)


def not_prefetched(image_paths, batch_size):
    return float32_dataset(right_generator, image_paths).batch(batch_size)


def unbatched(image_paths, batch_size):
    return float32_dataset(right_generator, image_paths).prefetch(1)


def fixed_batches(image_paths, batch_size):
    def batches(paths):
        for start in range(0, len(paths), batch_size):
            yield np.stack(list(right_generator(paths[start : start + batch_size])))

    signature = tf.TensorSpec((batch_size, 224, 224, 3), tf.float32)
    return float32_dataset(batches, image_paths, signature=signature).prefetch(1)


def bgr_dataset(image_paths, batch_size):
    signature = tf.TensorSpec((224, 224, 3), tf.float64)
    dataset = float32_dataset(article_generator, image_paths, signature=signature).batch(batch_size)
    return dataset.map(lambda batch: tf.cast(batch, tf.float32)).prefetch(1)


def unscaled(image_paths, batch_size):
    return right_dataset(image_paths, batch_size).map(lambda batch: batch * 255)


def wrong_size(image_paths, batch_size):
    return right_dataset(image_paths, batch_size).map(lambda batch: batch[:, :200, :200, :])


def labelled(image_paths, batch_size):
    return right_dataset(image_paths, batch_size).map(lambda batch: (batch, 0))


def int32_dataset(image_paths, batch_size):
    return right_dataset(image_paths, batch_size).map(lambda batch: tf.cast(batch, tf.int32))


@pytest.mark.parametrize(
    ("function", "in_message", "in_hint"),
    [
        (uint8_only, "uint8", "tf.cast(batch, tf.float32) / 255"),
        (dropped, "delivered 3 of 4 images", "drop_remainder"),
        (unbatched, "single images, not batches", ".batch(batch_size)"),
        (fixed_batches, "an element of shape (1, 224, 224, 3) where", "None"),
        (bgr_dataset, "BGR", "COLOR_BGR2RGB"),
        (unscaled, "expected [0, 1]", "255"),
        (wrong_size, "expected (224, 224, 3)", "224x224"),
        (labelled, "element_spec is", "no tuple"),
        (int32_dataset, "int32, expected float32", "tf.float32"),
        (lambda image_paths, batch_size: None, "returned None", "return dataset"),
        (lambda image_paths, batch_size: [], "returned a list", "dataset itself"),
        (lambda image_paths: None, "raised TypeError", "from_generator"),
        (None, "Expected a function, got NoneType", "image_dataset"),
    ],
    ids=lambda value: getattr(value, "__name__", None),
)
def test_each_dataset_mistake_has_its_own_feedback(image_paths, function, in_message, in_hint):
    feedback = ex.check_image_dataset(function, image_paths=image_paths, batch_size=3)
    assert not feedback.passed
    assert in_message in feedback.message, str(feedback)
    assert in_hint in feedback.hint, str(feedback)


def prefetched_with_options(image_paths, batch_size):
    options = tf.data.Options()
    options.experimental_optimization.inject_prefetch = False
    return not_prefetched(image_paths, batch_size).prefetch(tf.data.AUTOTUNE).with_options(options)


def prefetched_then_mapped(image_paths, batch_size):
    return not_prefetched(image_paths, batch_size).prefetch(1).map(tf.identity)


@pytest.mark.parametrize("function", [right_dataset, prefetched_with_options])
def test_explicit_prefetch_is_recognised(image_paths, function):
    feedback = ex.check_image_dataset(function, image_paths=image_paths, batch_size=3)
    assert feedback.passed, str(feedback)
    assert "ends with an explicit prefetch" in feedback.message


@pytest.mark.parametrize("function", [not_prefetched, prefetched_then_mapped])
def test_no_final_prefetch_passes_with_a_note(image_paths, function):
    """TensorFlow injects a prefetch by default, so this is right; the note says why to write it anyway."""
    feedback = ex.check_image_dataset(function, image_paths=image_paths, batch_size=3)
    assert feedback.passed, str(feedback)
    assert "does not end with `.prefetch`" in feedback.message and "inject_prefetch" in feedback.message


def test_fixed_batch_dimension_without_a_short_batch(image_paths):
    """4 images in batches of 2 with drop_remainder: nothing lost, but the batch dimension is fixed."""
    feedback = ex.check_image_dataset(dropped, image_paths=image_paths, batch_size=2)
    assert not feedback.passed
    assert "batch dimension is fixed at 2" in feedback.message
