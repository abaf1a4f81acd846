"""helpers.doctor: checked() validates elements nested in tuples and dicts; diagnose() finds mistakes."""

import collections
import inspect

import cv2
import numpy as np
import pytest
import tensorflow as tf

from helpers import doctor
from helpers.doctor import _diagnosis

Spec = tf.TensorSpec
RECORD = (
    {"image": Spec(shape=(None, 4, 4, 3), dtype=tf.float32), "name": Spec(shape=(), dtype=tf.string)},
    Spec(shape=(None,), dtype=tf.int32),
)


def good_record(batch_size=2):
    return {"image": np.zeros((batch_size, 4, 4, 3), np.float32), "name": "a.png"}, np.arange(batch_size)


def mismatch(element, signature, *, index=0):
    """The ElementMismatchError check_element raises (fails the test if it raises nothing)."""
    with pytest.raises(doctor.ElementMismatchError) as caught:
        doctor.check_element(element, signature, index=index)
    return caught.value


# check_element: structure


def test_matching_nested_element_passes():
    doctor.check_element(good_record(), RECORD)
    doctor.check_element(good_record(batch_size=1), RECORD)


def test_list_for_tuple_names_the_element_and_says_why():
    error = mismatch(list(good_record()), RECORD, index=7)
    assert (error.index, error.path, error.problem) == (7, "", "structure")
    assert str(error).startswith(
        "element 7: TensorFlow would refuse this: expected a tuple of 2, received a list of 2"
    )
    assert error.tensorflow_would == "refuse"
    assert "a list is not a tuple" in str(error)


def test_tuple_of_wrong_length():
    error = mismatch((*good_record(), 1), RECORD)
    assert error.problem == "structure"
    assert "expected a tuple of 2, received a tuple of 3" in str(error)


def test_dict_missing_and_unexpected_keys_are_listed():
    features, labels = good_record()
    error = mismatch(({"image": features["image"], "path": "a.png"}, labels), RECORD)
    assert error.path == "[0]"
    assert "missing ['name']" in str(error)
    assert "unexpected ['path']" in str(error)


def test_dict_where_tensor_expected_and_tensor_where_dict_expected():
    assert mismatch((np.zeros((1, 4, 4, 3)), np.arange(1)), RECORD).path == "[0]"
    error = mismatch(({"image": {"pixels": 1}, "name": "a"}, np.arange(1)), RECORD)
    assert (error.path, error.problem) == ("[0]['image']", "dtype")  # NumPy cannot make a float of a dict
    assert "received a dict with keys ['pixels']" in str(error)


def test_the_place_follows_the_signature_whatever_order_its_dict_keys_are_in():
    signature = {"z": Spec(shape=(), dtype=tf.int64), "a": Spec(shape=(2,), dtype=tf.int64)}
    assert mismatch({"z": 1, "a": [1, 2, 3]}, signature).path == "['a']"
    assert mismatch({"z": 1.5, "a": [1, 2]}, signature).path == "['z']"


# check_element: shape and dtype, with the place inside the structure


def test_shape_mismatch_names_the_place_and_both_shapes():
    features, labels = good_record()
    features["image"] = np.zeros((2, 4, 4), np.float32)
    error = mismatch((features, labels), RECORD, index=3)
    assert (error.index, error.path, error.problem) == (3, "[0]['image']", "shape")
    assert "expected float32 shape (None, 4, 4, 3), received an array, float32 shape (2, 4, 4)" in str(error)


def test_number_for_string_and_text_for_number():
    features, labels = good_record()
    features["name"] = 7
    assert mismatch((features, labels), RECORD).path == "[0]['name']"
    doctor.check_element(np.array(["1", "2"]), Spec(shape=(None,), dtype=tf.int32))  # parsed exactly
    error = mismatch(np.array(["1", "x"]), Spec(shape=(None,), dtype=tf.int32))
    assert error.problem == "dtype"
    assert "ValueError: invalid literal for int() with base 10: np.str_('x')" in str(error)  # TensorFlow's
    assert mismatch(["1.5"], Spec(shape=(1,), dtype=tf.int32)).tensorflow_would == "refuse"


def test_none_is_reported_with_the_imread_hint():
    signature = ({"image": Spec(shape=(), dtype=tf.float32), "name": RECORD[0]["name"]}, RECORD[1])
    error = mismatch(({"image": None, "name": "a.png"}, np.arange(1)), signature)
    assert (error.path, error.problem) == ("[0]['image']", "lossy")
    assert "received None" in str(error)
    assert "None -> nan" in str(error)
    assert "cv2.imread" in str(error)
    assert "cv2.imread" in str(mismatch(None, Spec(shape=(), dtype=tf.int32)))


def test_lossy_message_shows_the_first_values_and_counts_the_others():
    error = mismatch(np.array([1, 300, 2, 256, 1000, 400]), Spec(shape=(6,), dtype=tf.uint8))
    assert (error.problem, error.tensorflow_would) == ("lossy", "change")
    assert "as uint8 it changes: 300 -> 44, 256 -> 0, 1000 -> 232 (and 1 more)" in str(error)


# check_element: ragged tensors


def test_ragged_and_sparse_specs_go_through_tensorflows_own_conversion():
    spec = tf.RaggedTensorSpec(shape=(None, None), dtype=tf.int32, ragged_rank=1)
    doctor.check_element(tf.ragged.constant([[1, 2], [3]]), spec)
    assert "tf.ragged.constant" in mismatch([[1, 2], [3]], spec).advice
    assert mismatch(tf.ragged.constant([[1, 2], [3]], dtype=tf.int64), spec).problem == "dtype"
    assert mismatch(tf.ragged.constant([[[1], [2]], [[3]]]), spec).problem == "shape"
    error = mismatch(tf.ragged.constant([[1, 2], [3]], row_splits_dtype=tf.int32), spec)
    assert (error.problem, error.tensorflow_would) == ("dtype", "refuse")
    assert (
        "received a tf.RaggedTensor, ragged int32 shape (2, None) (ragged_rank 1, row_splits int32)"
        in str(error)
    )
    sparse = tf.SparseTensorSpec(shape=[3, 4], dtype=tf.int64)
    values = tf.constant([1], tf.int64)
    doctor.check_element(tf.sparse.SparseTensor(indices=[[0, 0]], values=values, dense_shape=[3, 4]), sparse)
    wrong = mismatch(tf.sparse.SparseTensor(indices=[[0, 0]], values=values, dense_shape=[3, 5]), sparse)
    assert wrong.problem == "shape"
    assert "received a tf.SparseTensor, sparse int64 shape (3, 5)" in str(wrong)


def test_channels_first_image_gets_transpose_advice():
    error = mismatch(np.zeros((3, 32, 48), np.float32), Spec(shape=(None, None, 3), dtype=tf.float32))
    assert error.problem == "shape"
    assert "np.transpose(image, (1, 2, 0))" in error.advice
    batch = mismatch(np.zeros((2, 3, 8, 8), np.float32), Spec(shape=(None, 8, 8, 3), dtype=tf.float32))
    assert "(0, 2, 3, 1)" in batch.advice


def test_namedtuple_signature_needs_that_namedtuple():
    point = collections.namedtuple("Point", "x y")
    signature = point(Spec(shape=(), dtype=tf.int64), Spec(shape=(), dtype=tf.int64))
    doctor.check_element(point(1, 2), signature)
    assert "expected a Point namedtuple of 2, received a tuple of 2" in str(mismatch((1, 2), signature))
    assert mismatch(point(1, 2.5), signature).path == ".y"


# checked: the wrapper


def test_checked_keeps_the_call_signature_and_the_elements():
    def batches(count, batch_size=4):
        for start in range(0, count, batch_size):
            yield good_record(min(batch_size, count - start))

    wrapped = doctor.checked(batches, RECORD)
    assert inspect.signature(wrapped) == inspect.signature(batches)
    assert wrapped.__name__ == "batches"
    assert [labels.tolist() for _, labels in wrapped(6, batch_size=4)] == [[0, 1, 2, 3], [0, 1]]


def test_checked_raises_for_a_bad_element_with_its_index_then_goes_on_like_tensorflow():
    def records():
        yield good_record()
        yield good_record()
        yield [good_record()[0], np.arange(2)]
        yield good_record(batch_size=3)

    wrapped = doctor.checked(records, RECORD)()
    assert next(wrapped) and next(wrapped)
    with pytest.raises(doctor.ElementMismatchError, match="element 2"):
        next(wrapped)
    assert len(next(wrapped)[1]) == 3
    with pytest.raises(StopIteration):
        next(wrapped)


def test_checked_refuses_a_generator_object():
    def numbers():
        yield 1

    with pytest.raises(TypeError, match="not a generator object"):
        doctor.checked(numbers(), Spec(shape=(), dtype=tf.int32))


def test_checked_closes_the_wrapped_generator_when_stopped_early():
    closed = []

    def numbers():
        try:
            yield from range(10)
        finally:
            closed.append(True)

    wrapped = doctor.checked(numbers, Spec(shape=(), dtype=tf.int64))()
    next(wrapped)
    wrapped.close()
    assert closed == [True]


def test_checked_drops_into_from_generator_with_args():
    def scaled(values, scale):
        for value in values:
            yield {"value": np.float32(value * scale)}, np.int32(value)

    signature = ({"value": Spec(shape=(), dtype=tf.float32)}, Spec(shape=(), dtype=tf.int32))
    dataset = tf.data.Dataset.from_generator(
        doctor.checked(scaled, signature), args=([1, 2, 3], 0.5), output_signature=signature
    )
    assert [(float(f["value"]), int(label)) for f, label in dataset] == [(0.5, 1), (1.0, 2), (1.5, 3)]


def test_checked_error_surfaces_as_invalid_argument_error_with_the_message():
    def labels():
        yield np.int64(1)
        yield 1.7

    signature = Spec(shape=(), dtype=tf.int32)
    dataset = tf.data.Dataset.from_generator(doctor.checked(labels, signature), output_signature=signature)
    with pytest.raises(
        tf.errors.InvalidArgumentError,
        match=r"ElementMismatchError: element 1: TensorFlow would silently .*1\.7 -> 1",
    ):
        list(dataset)
    unchecked = tf.data.Dataset.from_generator(labels, output_signature=signature)
    assert [int(value) for value in unchecked] == [1, 1]  # what checked() protects against


# diagnose


def scalars(count):
    for i in range(count):
        yield np.float32(i)


def test_diagnose_generator_object():
    findings = doctor.diagnose(scalars(3), Spec(shape=(), dtype=tf.float32))
    assert findings.kinds == ["generator-object"]
    assert findings[0].severity == "error"
    assert findings.elements_sampled == 0


def test_diagnose_clean_generator_has_no_findings():
    def images():
        for _ in range(3):
            yield np.zeros((2, 8, 8, 3), np.float32), np.zeros(2, np.int64)

    signature = (Spec(shape=(None, 8, 8, 3), dtype=tf.float32), Spec(shape=(None,), dtype=tf.int64))
    findings = doctor.diagnose(images, signature)
    assert findings.kinds == []
    assert findings.elements_sampled == 3
    assert "No problems found in 3" in findings._repr_html_()


def test_diagnose_tiny_elements_reports_measured_cost():
    findings = doctor.diagnose(scalars, Spec(shape=(), dtype=tf.float32), args=(500,))
    assert findings.kinds == ["tiny-elements"]
    assert "µs per element through from_generator" in findings[0].seen
    assert "Yield batches" in findings[0].advice


def test_diagnose_batches_of_small_items_are_not_tiny_elements():
    def batches():
        for _ in range(5):
            yield np.zeros((4, 3), np.float32), np.zeros(4, np.int64)

    signature = (Spec(shape=(None, 3), dtype=tf.float32), Spec(shape=(None,), dtype=tf.int64))
    assert "tiny-elements" not in doctor.diagnose(batches, signature).kinds


def test_diagnose_float64_for_float32_names_the_place():
    def records():
        for _ in range(3):
            yield {"image": np.zeros((16, 16, 3)), "id": np.int64(1)}

    signature = {"image": Spec(shape=(16, 16, 3), dtype=tf.float32), "id": Spec(shape=(), dtype=tf.int64)}
    findings = doctor.diagnose(records, signature)
    assert "float64-for-float32" in findings.kinds
    assert "['image']" in findings[findings.kinds.index("float64-for-float32")].seen


def test_diagnose_shape_varies_against_a_fixed_batch_dimension():
    def batches():
        for size in (32, 32, 22):
            yield np.zeros((size, 3), np.float32)

    findings = doctor.diagnose(batches, Spec(shape=(32, 3), dtype=tf.float32))
    assert findings.kinds == ["shape-varies"]
    assert "sizes [32, 22]" in findings[0].seen


def test_diagnose_signature_mismatch_and_lossy_values():
    def pairs():
        yield [np.float32(1), 2]

    pair = (Spec(shape=(), dtype=tf.float32), Spec(shape=(), dtype=tf.int64))
    assert doctor.diagnose(pairs, pair).kinds == ["signature-mismatch"]

    def labels():
        yield np.zeros((2, 2), np.float32), np.array([1.5, 2.0])

    signature = (Spec(shape=(2, 2), dtype=tf.float32), Spec(shape=(2,), dtype=tf.int32))
    findings = doctor.diagnose(labels, signature)
    assert findings.kinds == ["signature-mismatch"]
    assert "1.5 -> 1" in findings[0].seen


def test_diagnose_unscaled_uint8():
    def uint8_images():
        for _ in range(2):
            yield np.full((16, 16, 3), 200, np.uint8)

    findings = doctor.diagnose(uint8_images, Spec(shape=(16, 16, 3), dtype=tf.float32))
    assert findings.kinds == ["unscaled-uint8"]
    assert "uint8 values (max 200) declared as float32" in findings[0].seen


def write_reddish_photo(path):
    """A photo-like image: brighter in red than in blue, saved by OpenCV (so stored and read as BGR)."""
    rgb = np.zeros((32, 32, 3), np.uint8)
    rgb[..., 0], rgb[..., 1], rgb[..., 2] = 180, 120, 60
    cv2.imwrite(str(path), cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR))
    return path


def test_diagnose_bgr_hint_for_images_read_with_opencv(tmp_path):
    paths = [str(write_reddish_photo(tmp_path / f"photo{i}.png")) for i in range(3)]

    def opencv_images(paths):
        for path in paths:
            yield cv2.imread(path.decode())

    def rgb_images(paths):
        for path in paths:
            yield cv2.cvtColor(cv2.imread(path.decode()), cv2.COLOR_BGR2RGB)

    signature = Spec(shape=(32, 32, 3), dtype=tf.uint8)
    bgr = doctor.diagnose(opencv_images, signature, args=(paths,))
    assert "bgr-looking" in bgr.kinds
    assert bgr[bgr.kinds.index("bgr-looking")].severity == "hint"
    assert "bgr-looking" not in doctor.diagnose(rgb_images, signature, args=(paths,)).kinds


def test_guess_channel_order():
    reddish = np.zeros((16, 16, 3), np.uint8)
    reddish[..., 0] = 200
    assert doctor.guess_channel_order(reddish) == "RGB"
    assert doctor.guess_channel_order(reddish[..., ::-1]) == "BGR"
    assert doctor.guess_channel_order(np.full((16, 16, 3), 0.5)) == "unknown"
    assert doctor.guess_channel_order([reddish, reddish]) == "RGB"


def test_diagnose_missing_signature_suggests_one():
    def records():
        for length in (3, 5):
            yield {"tokens": np.arange(length, dtype=np.int32), "text": "abc"}, 1

    findings = doctor.diagnose(records)
    assert findings.kinds[0] == "missing-signature"  # then tiny-elements: 20 bytes each, one at a time
    assert (
        "({'tokens': tf.TensorSpec(shape=(None,), dtype=tf.int32), 'text': tf.TensorSpec(shape=(), "
        "dtype=tf.string)}, tf.TensorSpec(shape=(), dtype=tf.int64))" in findings[0].advice
    )


def test_suggest_signature_is_usable_by_from_generator():
    def records():
        for length in (3, 5):
            yield np.ones((length, 2)), tf.ragged.constant([[1], [2, 3]])

    signature = _diagnosis._suggest_signature(list(records()))
    assert signature[0] == Spec(shape=(None, 2), dtype=tf.float32)
    assert isinstance(signature[1], tf.RaggedTensorSpec)

    def converted():
        for values, ragged in records():
            yield values.astype(np.float32), ragged

    assert len(list(tf.data.Dataset.from_generator(converted, output_signature=signature))) == 2


def test_diagnose_args_arrive_as_bytes_and_the_error_they_cause():
    def jpegs(names):
        for name in names:
            if name.endswith(".jpg"):
                yield name

    findings = doctor.diagnose(jpegs, Spec(shape=(), dtype=tf.string), args=(["a.jpg"],))
    assert findings.kinds == ["generator-raised", "args-as-bytes"]
    assert "TypeError" in findings[0].seen
    assert "tf.errors.InvalidArgumentError" in findings[0].advice
    assert "arrive as bytes" in findings[0].advice
    assert "[b'a.jpg']" in findings[1].seen


def test_diagnose_args_that_cannot_become_tensors():
    findings = doctor.diagnose(scalars, Spec(shape=(), dtype=tf.float32), args=(None,))
    assert findings.kinds == ["args-not-convertible"]


def test_diagnose_empty_generator():
    assert doctor.diagnose(scalars, Spec(shape=(), dtype=tf.float32), args=(0,)).kinds == ["empty"]


@pytest.mark.parametrize("error_type", [ValueError, TypeError, KeyError, NotImplementedError, MemoryError])
def test_generator_error_advice_names_the_error_tensorflow_really_raises(error_type):
    def failing():
        yield np.int64(0)
        raise error_type("broken")

    signature = Spec(shape=(), dtype=tf.int64)
    with pytest.raises(tf.errors.OpError) as caught:
        list(tf.data.Dataset.from_generator(failing, output_signature=signature))
    findings = doctor.diagnose(failing, signature)
    assert findings.kinds == ["generator-raised"]
    assert f"tf.errors.{type(caught.value).__name__} " in findings[0].advice
    assert "after 1 element(s)" in findings[0].seen


def test_diagnose_is_bounded_for_an_endless_generator():
    def endless():
        while True:
            yield np.zeros((4, 64), np.float32)

    findings = doctor.diagnose(endless, Spec(shape=(4, 64), dtype=tf.float32), max_elements=5)
    assert findings.elements_sampled == 5


def test_diagnosis_renders_as_text_and_html_most_severe_first():
    def uint8_batches():
        for size in (4, 2):
            yield np.full((size, 16, 16, 3), 9, np.uint8)

    findings = doctor.diagnose(uint8_batches, Spec(shape=(4, 16, 16, 3), dtype=tf.float32))
    assert [finding.severity for finding in findings] == ["error", "warning"]
    assert str(findings).splitlines()[1].startswith("- ERROR shape-varies")
    html = findings._repr_html_()
    assert html.count("<tr>") == 3 and "unscaled-uint8" in html
    assert "text-align:left" in html  # rendered by helpers.html_table


def test_invalid_signature_is_refused_by_checked_and_reported_by_diagnose():
    signature = (Spec(shape=(), dtype=tf.int32), [Spec(shape=(), dtype=tf.int32)])
    with pytest.raises(TypeError, match=r"holds a list of 1, which is not a tf.TypeSpec .*use a tuple"):
        doctor.checked(scalars, signature)
    assert doctor.diagnose(scalars, signature, args=(3,)).kinds == ["invalid-signature"]


def test_diagnose_without_signature_on_elements_of_different_structures():
    def mixed():
        yield {"a": np.int64(1)}
        yield {"b": np.int64(2)}

    findings = doctor.diagnose(mixed)
    assert findings.kinds == ["missing-signature"]
    assert findings[0].severity == "error"


def test_diagnose_photos_of_different_sizes_declared_none_none_3(tmp_path):
    sizes = [(32, 48), (40, 24), (16, 16)]
    paths = []
    for i, (height, width) in enumerate(sizes):
        rgb = np.zeros((height, width, 3), np.uint8)
        rgb[..., 0], rgb[..., 2] = 180, 60
        paths.append(str(tmp_path / f"photo{i}.png"))
        cv2.imwrite(paths[-1], cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR))  # a reddish photo, read back as BGR

    def opencv_photos(paths):
        for path in paths:
            yield cv2.imread(path.decode()).astype(np.float32) / 255

    signature = Spec(shape=(None, None, 3), dtype=tf.float32)
    dataset = tf.data.Dataset.from_generator(opencv_photos, args=(paths,), output_signature=signature)
    assert len(list(dataset)) == 3
    findings = doctor.diagnose(opencv_photos, signature, args=(paths,))
    assert "bgr-looking" in findings.kinds
    assert "over 3 image(s)" in findings[findings.kinds.index("bgr-looking")].seen
    assert doctor.guess_channel_order([np.zeros((8, 8, 3)), np.ones((16, 4, 3))]) == "unknown"


def test_diagnose_channels_first_images_advises_transpose_not_none():
    def channels_first(count):
        for size in range(16, 16 + count):
            yield np.zeros((3, size, size + 4), np.float32)

    findings = doctor.diagnose(channels_first, Spec(shape=(None, None, 3), dtype=tf.float32), args=(3,))
    assert findings.kinds == ["signature-mismatch"]
    assert findings[0].advice.startswith("Channels first: transpose to channels-last")


def test_diagnose_return_instead_of_yield():
    def image_label():
        return np.zeros((8, 8, 3), np.float32), np.int64(1)

    signature = (Spec(shape=(8, 8, 3), dtype=tf.float32), Spec(shape=(), dtype=tf.int64))
    findings = doctor.diagnose(image_label, signature)
    assert findings.kinds[:2] == ["return-not-yield", "signature-mismatch"]
    assert "`yield` instead of `return`" in findings[0].advice


def test_diagnose_a_function_returning_a_list_of_elements_is_fine():
    def batches():
        return [np.zeros((2, 8), np.float32) for _ in range(3)]

    assert "return-not-yield" not in doctor.diagnose(batches, Spec(shape=(None, 8), dtype=tf.float32)).kinds


ACCEPTED_PIPELINES = {
    "ragged": (
        [(tf.constant(42), tf.ragged.constant([[1, 2], [3]]))] * 2,
        (Spec(shape=(), dtype=tf.int32), tf.RaggedTensorSpec(shape=(2, None), dtype=tf.int32)),
    ),
    "sparse": (
        [tf.sparse.SparseTensor(indices=[[0, 0]], values=tf.constant([1], tf.int64), dense_shape=[3, 4])] * 2,
        tf.SparseTensorSpec(shape=[3, 4], dtype=tf.int64),
    ),
    "dict": (
        [{"a": "foo", "b": [1, 2], "c": (9,)}, {"a": "bar", "b": [3], "c": (7, 6)}],
        {
            "a": Spec(shape=[], dtype=tf.string),
            "b": Spec(shape=[None], dtype=tf.int32),
            "c": Spec(shape=[None], dtype=tf.int32),
        },
    ),
    "images of two sizes": (
        [np.zeros((20, 30, 3), np.uint8), np.zeros((50, 10, 3), np.uint8)],
        Spec(shape=(None, None, 3), dtype=tf.uint8),
    ),
}


@pytest.mark.parametrize("name", ACCEPTED_PIPELINES)
def test_diagnose_does_not_raise_on_pipelines_tensorflow_accepts(name):
    elements, signature = ACCEPTED_PIPELINES[name]

    def generator():
        yield from elements

    assert len(list(tf.data.Dataset.from_generator(generator, output_signature=signature))) == len(elements)
    findings = doctor.diagnose(generator, signature)
    assert not [finding for finding in findings if finding.severity == "error"]


def test_checked_generators_in_parallel_interleave_give_what_plain_ones_give():
    def shard_values(shard, num_shards):
        for value in range(int(shard), 40, int(num_shards)):
            yield np.array([value, value * 2], np.int64), np.float32(value / 2)

    signature = (Spec(shape=(2,), dtype=tf.int64), Spec(shape=(), dtype=tf.float32))

    def interleaved(generator_fn):
        shards = tf.data.Dataset.range(2).interleave(
            lambda shard: tf.data.Dataset.from_generator(
                generator_fn, args=(shard, 2), output_signature=signature
            ),
            cycle_length=2,
            num_parallel_calls=2,
            deterministic=True,
        )
        return [(pair.numpy().tolist(), float(half)) for pair, half in shards]

    assert interleaved(doctor.checked(shard_values, signature)) == interleaved(shard_values)
