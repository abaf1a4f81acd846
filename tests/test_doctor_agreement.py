"""doctor.checked agrees with TensorFlow: TensorFlow's own from_generator tests, re-created, and variants.

Each case is a generator function, its `output_signature` and `args`, run twice through plain
`tf.data.Dataset.from_generator`: once as it is and once wrapped in `doctor.checked`. Every element's
outcome (its value, or an error) is recorded live; nothing TensorFlow does is written down here.

- "agree": both runs give the same outcomes, element by element (TensorFlow's iterator goes on after a
  refused element, and so does the checked one). Where both refuse, the doctor's message says "TensorFlow
  would refuse this" and gives the case's reason.
- "stricter": TensorFlow accepts an element but changes a value in it (checked live: what TensorFlow
  returns differs from what was yielded), and the doctor refuses it saying "TensorFlow would silently
  change this", with the case's reason. Every other element agrees.

Cases named `tf:...` re-create a test of tensorflow/tensorflow's
`tensorflow/python/data/kernel_tests/from_generator_test.py` (its `output_types`/`output_shapes` written
as the `output_signature` TensorFlow builds from them); `api:` is the example in the `from_generator`
docstring; `variant:` cases are ours, many of them mistakes the doctor used to get wrong; `value:` cases
yield one value for one spec (casts that are exact or within the float type's precision pass).
"""

from __future__ import annotations

import collections
import itertools
from dataclasses import dataclass
from typing import Any

import numpy as np
import pytest
import tensorflow as tf

from helpers import doctor

# TensorFlow's own casting warns (300 as uint8, NaN as int32, complex as float32): what we compare.
pytestmark = [
    pytest.mark.filterwarnings("ignore:overflow encountered in cast:RuntimeWarning"),
    pytest.mark.filterwarnings("ignore:invalid value encountered in cast:RuntimeWarning"),
    pytest.mark.filterwarnings("ignore:Casting complex values to real:numpy.exceptions.ComplexWarning"),
]

Spec, Ragged, Sparse = tf.TensorSpec, tf.RaggedTensorSpec, tf.SparseTensorSpec
Point = collections.namedtuple("Point", "x y")
INT64 = Spec(shape=None, dtype=tf.int64)  # what output_types=tf.int64 alone becomes
INT64_PAIR = (INT64, INT64)
API_SIGNATURE = (Spec(shape=(), dtype=tf.int32), Ragged(shape=(2, None), dtype=tf.int32))


@dataclass(frozen=True)
class Case:
    name: str
    generator: Any
    signature: Any
    expect: str = "agree"  # or "stricter"
    reason: str = ""  # must appear in the doctor's message for each element it refuses
    args: tuple = ()
    limit: int = 200  # outcomes to draw (some generators never end)


def value_case(value, dtype, shown):
    """A generator yielding `value` once, declared as `dtype` of its own shape; `shown` if it changes."""
    name = f"value:{value!r}"[:40] + f" for {dtype.name}"
    signature = Spec(np.shape(value), dtype)
    return Case(name, elements(value), signature, "stricter" if shown else "agree", shown or "")


def elements(*values):
    """A generator function yielding `values` (each built fresh, so tensors are made at iteration)."""

    def generator():
        for value in values:
            yield value() if callable(value) else value

    return generator


def ragged(rows, **kwargs):
    return lambda: tf.ragged.constant(rows, **kwargs)


def sparse(dtype=tf.int64, dense_shape=(3, 4)):
    return lambda: tf.sparse.SparseTensor(
        indices=[[0, 0], [1, 2]], values=tf.constant([1, 2], dtype=dtype), dense_shape=dense_shape
    )


def api_element(label=42, rows=((1, 2), (3,)), **kwargs):
    return lambda: (
        label() if callable(label) else label,
        tf.ragged.constant([list(r) for r in rows], **kwargs),
    )


def squares_up_to_99():
    for i in range(1, 100):
        yield [i] * i


class FortyTwoForever:
    """tf's testFromGeneratorDestructorCalled: an iterator class, not a generator."""

    def __iter__(self):
        return self

    def __next__(self):
        return 42


def arrays_of_n(n):
    for _ in range(n):
        yield np.array(n, dtype=np.int64)


def counts_with_message(n, message):
    for i in range(n):
        yield i, message


def returns_a_pair():
    return np.float32(0.5), np.int64(1)  # the mistake: `return`, not `yield`


def fails_after_two():
    yield np.int64(1)
    yield np.int64(2)
    raise ValueError("item 2 is broken")


DATASTRUCTURES = {
    "a": Spec(shape=[], dtype=tf.string),
    "b": Spec(shape=[None], dtype=tf.int32),
    "c": Spec(shape=[None], dtype=tf.int32),
}

CASES = [
    # TensorFlow's own tests, one by one
    Case("tf:testFromGeneratorUsingFn", squares_up_to_99, INT64),
    Case("tf:testFromGeneratorUsingList", lambda: [[i] * i for i in range(1, 100)], INT64),
    Case("tf:testFromGeneratorUsingNdarray", lambda: np.arange(100, dtype=np.int64), INT64),
    Case("tf:testFromGeneratorUsingGeneratorExpression", lambda: ([i] * i for i in range(1, 100)), INT64),
    Case(
        "tf:testFromMultipleConcurrentGenerators",
        lambda: (([i] * i, [i, i**2, i**3]) for i in range(1, 10)),
        (Spec(shape=[None], dtype=tf.int64), Spec(shape=[3], dtype=tf.int64)),
    ),
    *[
        Case(
            f"tf:testFromGeneratorImplicitConversion[{dtype.name}]", elements([1], [2], [3]), Spec([1], dtype)
        )
        for dtype in (tf.int8, tf.int32, tf.int64)
    ],
    Case("tf:testFromGeneratorString", elements("foo", b"bar", "baz"), Spec(shape=[], dtype=tf.string)),
    Case(
        "tf:testFromGeneratorDatastructures",
        elements(
            {"a": "foo", "b": [1, 2], "c": (9,)},
            {"a": "bar", "b": [3], "c": (7, 6)},
            {"a": "baz", "b": [5, 6], "c": (5, 4)},
        ),
        DATASTRUCTURES,
    ),
    Case(
        "tf:testFromGeneratorTypeError",
        elements(*[np.array(v, dtype=np.int64) for v in ([1, 2, 3], [4, 5, 6])], "ERROR", np.arange(7, 10)),
        Spec(shape=[3], dtype=tf.int64),
        reason="invalid literal for int()",
    ),
    Case(
        "tf:testFromGeneratorShapeError",
        elements(np.array([1, 2, 3]), np.array([4, 5, 6]), np.array([7, 8, 9, 10]), np.array([11, 12, 13])),
        Spec(shape=[3], dtype=tf.int64),
        reason="expected int64 shape (3,), received an array, int64 shape (4,)",
    ),
    Case(
        "tf:testFromGeneratorStructureError",
        elements((1, 2), (3, 4), 5, (6, 7, 8), (9, 10)),
        INT64_PAIR,
        reason="expected a tuple of 2",
    ),
    Case("tf:testFromGeneratorHeterogeneous", elements(1, [2, 3]), INT64),
    Case("tf:testFromGeneratorStopShort", elements(0, 1, 2), INT64, limit=2),
    Case("tf:testFromGeneratorDestructorCalled", FortyTwoForever, INT64, limit=2),
    Case("tf:testFromGeneratorWithArgs", arrays_of_n, Spec(shape=(), dtype=tf.int64), args=(4,)),
    Case(
        "tf:testFromGeneratorWithTwoArgs",
        counts_with_message,
        (Spec(shape=(), dtype=tf.int64), Spec(shape=(), dtype=tf.string)),
        args=(3, "Hi!"),
    ),
    Case("tf:testSharedName", lambda: ([20] for _ in range(10)), INT64),
    Case("tf:testFromGeneratorRaggedTensor", elements(ragged([[1, 2], [3]])), Ragged((2, None), tf.int32)),
    Case("tf:testFromGeneratorSparseTensor", elements(sparse()), Sparse([3, 4], tf.int64)),
    Case("api:from_generator docstring", elements(api_element()), API_SIGNATURE),
    # Variants of the API example: the tensor path (a ragged part) refuses what NumPy would cast
    Case(
        "variant:api int32 tf.constant for int64",
        elements(api_element(lambda: tf.constant(42))),
        (Spec(shape=(), dtype=tf.int64), API_SIGNATURE[1]),
        reason="requested dtype int64 for Tensor with dtype int32",
    ),
    Case("variant:api np.int64 for int32", elements(api_element(np.int64(42))), API_SIGNATURE),
    Case("variant:api Python float 1.5 for int32", elements(api_element(1.5)), API_SIGNATURE, reason="1.5"),
    Case(
        "variant:api NumPy 1.5 for int32",
        elements(api_element(np.array(1.5)), api_element(np.array(2.0))),
        API_SIGNATURE,
        expect="stricter",
        reason="1.5 -> 1",
    ),
    Case(
        "variant:api NumPy 300 for uint8",
        elements(api_element(np.array(300))),
        (Spec(shape=(), dtype=tf.uint8), API_SIGNATURE[1]),
        expect="stricter",
        reason="300 -> 44",
    ),
    Case(
        "variant:api int32 row_splits for the default int64",
        elements(api_element(row_splits_dtype=tf.int32), api_element()),
        API_SIGNATURE,
        reason="(ragged_rank 1, row_splits int32)",
    ),
    Case(
        "variant:api a list for the ragged part",
        elements(lambda: (42, [[1, 2], [3]])),
        API_SIGNATURE,
        reason="yield a tf.RaggedTensor",
    ),
    # Ragged and sparse variants of TensorFlow's tests
    Case(
        "variant:ragged int64 values for int32",
        elements(ragged([[1, 2], [3]], dtype=tf.int64)),
        Ragged((2, None), tf.int32),
        reason="expected ragged int32",
    ),
    Case(
        "variant:ragged rank 2 for ragged_rank 1",
        elements(ragged([[[1], [2]], [[3]]])),
        Ragged((2, None, None), tf.int32, ragged_rank=1),
        reason="(ragged_rank 2, row_splits int64)",
    ),
    Case(
        "variant:ragged rank 2 declared",
        elements(ragged([[[1], [2]], [[3]]])),
        Ragged((2, None, None), tf.int32),
    ),
    Case(
        "variant:ragged 3 rows for 2",
        elements(ragged([[1, 2], [3], []])),
        Ragged((2, None), tf.int32),
        reason="received a tf.RaggedTensor, ragged int32 shape (3, None)",
    ),
    Case(
        "variant:sparse wrong dense shape",
        elements(sparse(dense_shape=(3, 5)), sparse()),
        Sparse([3, 4], tf.int64),
        reason="received a tf.SparseTensor, sparse int64 shape (3, 5)",
    ),
    Case(
        "variant:sparse int32 values for int64",
        elements(sparse(dtype=tf.int32)),
        Sparse([3, 4], tf.int64),
        reason="received a tf.SparseTensor, sparse int32 shape (3, 4)",
    ),
    Case(
        "variant:sparse a dense array",
        elements(np.zeros((3, 4), np.int64)),
        Sparse([3, 4], tf.int64),
        reason="tf.sparse.from_dense",
    ),
    Case("variant:sparse unknown rows declared", elements(sparse()), Sparse([None, 4], tf.int64)),
    # Structure
    Case(
        "variant:namedtuple signature, plain tuple",
        elements((1, 2), Point(3, 4)),
        Point(Spec((), tf.int64), Spec((), tf.int64)),
        reason="expected a Point namedtuple of 2, received a tuple of 2",
    ),
    Case(
        "variant:tuple signature, namedtuple", elements(Point(1, 2)), (Spec((), tf.int64), Spec((), tf.int64))
    ),
    Case(
        "variant:namedtuple signature with a ragged part, plain tuple",
        elements(lambda: (1, tf.ragged.constant([[1, 2], [3]]))),
        Point(Spec((), tf.int32), Ragged((2, None), tf.int32)),
        reason="expected a Point namedtuple of 2, received a tuple of 2",
    ),
    Case("variant:a tuple for one TensorSpec is data", elements((1, 2)), Spec((2,), tf.int64)),
    Case(
        "variant:a dict for one TensorSpec",
        elements({"a": 1}),
        Spec((), tf.int64),
        reason="not 'dict'",
    ),
    Case(
        "variant:a ragged tensor for a TensorSpec",
        elements(ragged([[1, 2], [3]])),
        Spec((2, None), tf.int32),
        reason="not 'RaggedTensor'",
    ),
    Case("variant:list for a tuple", elements([1, 2], (3, 4)), INT64_PAIR, reason="a list is not a tuple"),
    Case(
        "variant:datastructures, a missing key",
        elements({"a": "foo", "b": [1, 2]}),
        DATASTRUCTURES,
        reason="missing ['c']",
    ),
    Case(
        "variant:datastructures, an unexpected key",
        elements({"a": "foo", "b": [1], "c": [2], "d": [3]}),
        DATASTRUCTURES,
        reason="unexpected ['d']",
    ),
    Case(
        "variant:datastructures, text in field c",
        elements({"a": "foo", "b": [1, 2], "c": (9,)}, {"a": "bar", "b": [3], "c": "x"}),
        DATASTRUCTURES,
        reason="at ['c']",
    ),
    Case(
        "variant:return instead of yield",
        returns_a_pair,
        (Spec((), tf.float32), Spec((), tf.int64)),
        reason="expected a tuple of 2, received",
    ),
    Case("variant:generator raises", fails_after_two, Spec((), tf.int64), reason="item 2 is broken"),
    # Values TensorFlow converts exactly: no false alarms
    Case("variant:float 3.0 for int64", elements(np.array([3.0, 1.0])), Spec((2,), tf.int64)),
    Case("variant:text '12' for int64", elements("12", b"7"), Spec((), tf.int64)),
    Case("variant:0 and 1 for bool", elements([0, 1, 1]), Spec((3,), tf.bool)),
    Case(
        "variant:int32 tensor for int64, known shape",
        elements(lambda: tf.constant([1, 2])),
        Spec((2,), tf.int64),
    ),
    Case("variant:float64 rounds to float32", elements(np.array([0.1, 1 / 3])), Spec((2,), tf.float32)),
    Case("variant:uint8 for float32", elements(np.array([0, 255], np.uint8)), Spec((2,), tf.float32)),
    Case("variant:True for int32", elements(True), Spec((), tf.int32)),
    Case("variant:str and bytes for string", elements(["a", b"b"]), Spec((2,), tf.string)),
    # ... and what the tensor path refuses of them
    Case(
        "variant:int32 tensor for int64, unknown shape",
        elements(lambda: tf.constant([1, 2])),
        INT64,
        reason="with dtype int32: <tf.Tensor: shape=(2,), dtype=int32, numpy=array([1, 2], dtype=int32)> "
        "(for this signature TensorFlow converts with tf.convert_to_tensor, which does not cast)",
    ),
    Case(
        "variant:text '12' for int64, unknown shape",
        elements("12"),
        INT64,
        reason="Cannot convert '12' to EagerTensor of dtype int64",
    ),
    Case(
        "variant:0 and 1 for bool, unknown shape",
        elements([0, 1, 1]),
        Spec(None, tf.bool),
        reason="Cannot convert",
    ),
    Case("variant:Python 1.7 for int32, unknown shape", elements(1.7), Spec(None, tf.int32), reason="1.7"),
    Case("variant:2**70 for int64", elements(2**70), Spec((), tf.int64), reason="OverflowError"),
    Case(
        "variant:text '1.5' for int32",
        elements("1.5", "2"),
        Spec((), tf.int32),
        reason="invalid literal for int()",
    ),
    Case("variant:7 for string", elements(7), Spec((), tf.string), reason="Unsupported object type int"),
    Case("variant:None for int32", elements(None), Spec((), tf.int32), reason="cv2.imread"),
    Case(
        "variant:channels first for channels last",
        elements(np.zeros((3, 8, 8), np.float32)),
        Spec((8, 8, 3), tf.float32),
        reason="transpose to channels-last",
    ),
    # Values TensorFlow changes silently: the doctor is stricter, and says how
    Case("variant:300 for uint8", elements(np.int64(7), 300), Spec((), tf.uint8), "stricter", "300 -> 44"),
    Case("variant:-1 for uint8", elements(-1), Spec((), tf.uint8), "stricter", "-1 -> 255"),
    Case(
        "variant:2**40 for int32",
        elements(np.array(2**40)),
        Spec((), tf.int32),
        "stricter",
        "1099511627776 -> 0",
    ),
    Case("variant:1.7 for int32", elements(1.7, 2.0), Spec((), tf.int32), "stricter", "1.7 -> 1"),
    Case(
        "variant:NaN for int32", elements(float("nan")), Spec((), tf.int32), "stricter", "nan -> -2147483648"
    ),
    Case("variant:1e300 for float32", elements(1e300), Spec((), tf.float32), "stricter", "1e+300 -> inf"),
    Case(
        "variant:1e-40 for float32",
        elements(1e-40),
        Spec((), tf.float32),
        "stricter",
        "1e-40 -> ",
    ),
    Case("variant:2**25+1 for float32", elements(2**25 + 1), Spec((), tf.float32), "stricter", "33554433 ->"),
    Case("variant:2 for bool", elements([0, 2]), Spec((2,), tf.bool), "stricter", "2 -> True"),
    Case(
        "variant:text 'False' for bool", elements("False"), Spec((), tf.bool), "stricter", "'False' -> True"
    ),
    Case("variant:None for float32", elements(None), Spec((), tf.float32), "stricter", "None -> nan"),
    Case("variant:complex for float32", elements(1 + 2j), Spec((), tf.float32), "stricter", "(1+2j) -> 1.0"),
    # One value for one spec: rounding within the float type's precision and exact casts pass, the rest not
    *[
        value_case(value, dtype, shown)
        for value, dtype, shown in [
            (np.array([0.5, 2.0, 2.25]), tf.int64, "0.5 -> 0, 2.25 -> 2"),
            (2.5, tf.bool, "2.5 -> True"),
            (1e-300, tf.float32, "1e-300 -> 0.0"),
            (float("inf"), tf.int32, "inf -> "),
            (1e39, tf.bfloat16, "-> inf"),
            (b"\xff", tf.bool, "-> True"),
            ("0", tf.bool, "'0' -> True"),
            (np.full(10, 300), tf.uint8, "(and 7 more)"),
            (tf.constant([1.5]), tf.int32, "1.5 -> 1"),
            (0.1, tf.float32, None),
            (np.array([1.0, -3.25, 1e30, 1 / 3, 2e-38]), tf.float32, None),
            (255, tf.uint8, None),
            (-(2**31), tf.int32, None),
            (np.int64(7), tf.int16, None),
            (np.array([True, False]), tf.bool, None),
            ("1", tf.bool, None),
            ("1e3", tf.float32, None),
            (b"bytes", tf.string, None),
            (b"\xff", tf.string, None),
            (np.array(["a", "b"]), tf.string, None),
            (float("nan"), tf.float32, None),
            (np.float32(2.5), tf.float16, None),
            (np.array([1.0, 0.0]), tf.bool, None),
            (np.int64(2**53), tf.float64, None),
            (np.float32(0.1), tf.bfloat16, None),
            (tf.constant([1.0, 2.0]), tf.float32, None),
            (1.7, tf.complex64, None),
        ]
    ],
    Case("value:1.5 for bfloat16, unknown shape", elements(1.5), Spec(None, tf.bfloat16)),
    Case(
        "value:None for string",
        elements(None),
        Spec((), tf.string),
        reason="Unsupported object type NoneType",
    ),
]


# Running a case through TensorFlow


def as_plain(value: Any) -> Any:
    """A dataset output as nested Python values, for comparing two runs."""
    if isinstance(value, tf.RaggedTensor):
        return ("ragged", value.to_list())
    if isinstance(value, tf.SparseTensor):
        return ("sparse", tf.sparse.to_dense(value).numpy().tolist())
    if isinstance(value, dict):
        return {key: as_plain(item) for key, item in value.items()}
    if isinstance(value, tuple):
        return tuple(as_plain(item) for item in value)
    return np.asarray(value.numpy()).tolist()


def outcomes(generator: Any, case: Case) -> list[tuple[str, Any]]:
    """("value", output) or ("error", message) for each element, as a plain TensorFlow iterator gives them."""
    dataset = tf.data.Dataset.from_generator(
        generator, args=case.args or None, output_signature=case.signature
    )
    iterator, seen = iter(dataset), []
    while len(seen) < case.limit:
        try:
            seen.append(("value", as_plain(next(iterator))))
        except StopIteration:
            break
        except tf.errors.OpError as error:
            seen.append(("error", error.message))
    return seen


def yielded(case: Case) -> list[Any]:
    """What the generator yields, in Python, with args as TensorFlow passes them (str as bytes)."""
    args = [tf.convert_to_tensor(arg).numpy() for arg in case.args]
    return list(itertools.islice(iter(case.generator(*args)), case.limit))


def leaves(value: Any) -> list[Any]:
    if isinstance(value, dict):
        return [leaf for key in sorted(value) for leaf in leaves(value[key])]
    if isinstance(value, tuple) and not (len(value) == 2 and value[0] in ("ragged", "sparse")):
        return [leaf for item in value for leaf in leaves(item)]
    return [value]


def same_value(sent: Any, received: Any) -> bool:
    """True when TensorFlow returned exactly what was yielded (text compared as text, numbers as numbers)."""
    if hasattr(sent, "numpy"):
        sent = sent.numpy()
    sent_array, received_array = np.asarray(sent, dtype=object), np.asarray(received, dtype=object)
    if sent_array.shape != received_array.shape:
        return False
    for a, b in zip(sent_array.flat, received_array.flat, strict=True):
        a = a.decode(errors="replace") if isinstance(a, bytes) else a
        b = b.decode(errors="replace") if isinstance(b, bytes) else b
        if type(a) is not type(b) and (isinstance(a, str) or isinstance(b, str) or a is None):
            return False
        if not (a == b or (a != a and b != b)):  # NaN equals NaN here
            return False
    return True


@pytest.fixture(scope="module")
def tensorflow_outcomes():
    """A case's `outcomes` through plain from_generator, computed once: two tests compare with them."""
    seen: dict[str, list[tuple[str, Any]]] = {}

    def of(case: Case) -> list[tuple[str, Any]]:
        if case.name not in seen:
            seen[case.name] = outcomes(case.generator, case)
        return seen[case.name]

    return of


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_checked_agrees_with_tensorflow(case, tensorflow_outcomes):
    plain = tensorflow_outcomes(case)
    checked = outcomes(doctor.checked(case.generator, case.signature), case)
    assert len(plain) == len(checked), f"TensorFlow: {plain}\nchecked: {checked}"
    stricter = 0
    for index, ((plain_kind, plain_value), (checked_kind, checked_value)) in enumerate(
        zip(plain, checked, strict=True)
    ):
        if plain_kind == checked_kind == "value":
            assert repr(checked_value) == repr(plain_value)  # repr: NaN equals NaN
        elif plain_kind == checked_kind == "error":
            if "ElementMismatchError" in checked_value:
                assert f"element {index}" in checked_value
                assert "TensorFlow would refuse this" in checked_value
                assert case.reason in checked_value
        else:
            assert (plain_kind, checked_kind) == ("value", "error"), f"element {index}: {plain}\n{checked}"
            assert case.expect == "stricter", f"element {index}: {checked_value}"
            assert "TensorFlow would silently change this" in checked_value
            assert case.reason in checked_value
            sent = leaves(yielded(case)[index])
            assert not all(same_value(s, r) for s, r in zip(sent, leaves(plain_value), strict=True)), (
                "TensorFlow kept the value, so the doctor had no reason to refuse it"
            )
            stricter += 1
    assert (stricter > 0) == (case.expect == "stricter")
    if case.expect == "agree" and case.reason:
        assert any(kind == "error" for kind, _ in plain), "a reason is given, so TensorFlow should refuse"


def test_there_are_forty_cases_or_more_and_both_verdicts():
    assert len(CASES) >= 40
    assert len({case.name for case in CASES}) == len(CASES)  # a name is its outcomes' key
    assert {case.expect for case in CASES} == {"agree", "stricter"}
    assert sum(case.name.startswith("tf:") for case in CASES) >= 20


@pytest.mark.parametrize(
    ("signature", "element"),
    [
        (Spec(shape=(), dtype=tf.int64), 3.0),
        (Spec(shape=None, dtype=tf.int64), 3.0),
        ((Spec(shape=None, dtype=tf.int64),), (3.0,)),
        ({"a": Spec(shape=None, dtype=tf.int64)}, {"a": 3.0}),
        ((Spec(shape=(), dtype=tf.int64), API_SIGNATURE[1]), (3.0, tf.ragged.constant([[1, 2], [3]]))),
    ],
    ids=["scalar", "unknown shape", "tuple of unknown shape", "dict of unknown shape", "with a ragged part"],
)
def test_conversion_path_is_the_one_tensorflow_takes(signature, element):
    """NumPy casts the Python float 3.0 to int64; tf.convert_to_tensor refuses it. So TF shows its path."""
    dataset = tf.data.Dataset.from_generator(lambda: iter([element]), output_signature=signature)
    try:
        next(iter(dataset))
        tensorflow_path = "numpy"
    except tf.errors.InvalidArgumentError:
        tensorflow_path = "tensor"
    assert doctor.conversion_path(signature) == tensorflow_path


ACCEPTED = [case for case in CASES if case.expect == "agree" and not case.reason]


@pytest.mark.parametrize("case", ACCEPTED, ids=[case.name for case in ACCEPTED])
def test_diagnose_finds_no_error_where_tensorflow_takes_every_element(case, tensorflow_outcomes):
    assert all(kind == "value" for kind, _ in tensorflow_outcomes(case))
    findings = doctor.diagnose(case.generator, case.signature, args=case.args, max_elements=case.limit)
    assert [finding for finding in findings if finding.severity == "error"] == []
