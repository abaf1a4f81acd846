"""Checks yielded elements by running them through TensorFlow's own conversion, then comparing.

    from helpers.doctor import _validation
    _validation.check_element(300, tf.TensorSpec(shape=(), dtype=tf.uint8))   # raises: 300 -> 44

Nothing here re-states TensorFlow's rules. Each element goes through the steps `from_generator` applies
(`tensorflow/python/data/ops/from_generator_op.py`): `nest.flatten_up_to` for the structure, then per part
either NumPy casting (`script_ops.FuncRegistry._convert` and the dtype and shape checks that follow) or
`structure.normalize_element` and `structure.are_compatible`. What TensorFlow refuses is refused with
TensorFlow's own error; what it converts is compared with what was yielded, and a value that changed
(300 -> 44, 1.7 -> 1, None -> nan, a float rounded by more than the declared float type's eps) is refused
too, naming the element and the place inside it.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Iterator, Mapping
from typing import Any, Literal, NoReturn

import numpy as np

from helpers.messages import error_summary

__all__ = [
    "CHANNELS_FIRST",
    "ConversionPath",
    "ElementMismatchError",
    "Problem",
    "check_element",
    "checked",
    "conversion_path",
    "describe_spec",
    "describe_value",
    "leaves",
    "signature_error",
]

ConversionPath = Literal["numpy", "tensor"]
Problem = Literal["structure", "dtype", "shape", "lossy"]

CHANNELS_FIRST = "channels first: transpose to channels-last"
_COMPOSITE_ADVICE = {
    "RaggedTensorSpec": "yield a tf.RaggedTensor (tf.ragged.constant(rows)) whose dtype, ragged_rank, "
    "row_splits and fixed dimensions match the signature",
    "SparseTensorSpec": "yield a tf.SparseTensor (tf.sparse.from_dense(array)) whose dtype and fixed "
    "dimensions match the signature",
}
_SHOWN_VALUES = 3
_REASON_CHARACTERS = 200
_TENSOR_PATH_NOTE = (
    "with a ragged or sparse part, or one spec of unknown shape, TensorFlow converts with "
    "tf.convert_to_tensor, which does not cast"
)


class ElementMismatchError(ValueError):
    """A yielded element that TensorFlow would refuse, or would silently change.

    A ValueError on purpose: raised inside `from_generator`, TensorFlow turns it into
    `tf.errors.InvalidArgumentError` from `IteratorGetNext`, like its own conversion errors, with this
    error's name and message at the start of its message.

    Attributes:
        index: the position of the element in the generator's output (0 for the first).
        path: where inside the element, e.g. `[0]['image']`; empty for the element itself.
        problem: "structure", "dtype" or "shape" (TensorFlow would refuse the element), or "lossy"
            (TensorFlow would accept it and change a value).
        tensorflow_would: "refuse" or "change".
        advice: what to do about it (may be empty).
    """

    def __init__(self, message: str, *, index: int, path: str, problem: Problem, advice: str = "") -> None:
        super().__init__(message)
        self.index = index
        self.path = path
        self.problem = problem
        self.tensorflow_would = "change" if problem == "lossy" else "refuse"
        self.advice = advice


def checked(generator_fn: Callable[..., Any], output_signature: Any) -> Callable[..., Iterator[Any]]:
    """Returns a generator function that checks each element `generator_fn` yields, then yields it.

    Same call signature as `generator_fn`, so it drops into
    `tf.data.Dataset.from_generator(checked(fn, sig), args=..., output_signature=sig)`. A bad element
    raises `ElementMismatchError`; asked again, the iterator goes on with the next element, as
    TensorFlow's own iterator does after its conversion errors (so `ignore_errors()` skips just the bad
    elements).

    Args:
        generator_fn: the generator function (not a generator object: pass `fn`, not `fn()`).
        output_signature: the specs you give `from_generator`, nested in tuples and dicts.

    Returns:
        A function returning an iterator over the same elements, unchanged.

    Raises:
        TypeError: `generator_fn` is a generator object or not callable, or `output_signature` holds
            something that is not a `tf.TypeSpec` (raised at once).
        ElementMismatchError: while iterating, for each element TensorFlow would refuse or change.
    """
    if inspect.isgenerator(generator_fn) or not callable(generator_fn):
        raise TypeError(
            f"checked() needs a generator function, got {describe_value(generator_fn)}: "
            "pass the function (`fn`), not a generator object (`fn()`)"
        )
    problem = signature_error(output_signature)
    if problem:
        raise TypeError(problem)

    @functools.wraps(generator_fn)
    def checked_generator(*args: Any, **kwargs: Any) -> Iterator[Any]:
        return _CheckedElements(generator_fn(*args, **kwargs), output_signature)

    return checked_generator


class _CheckedElements:
    """An iterator, not a generator: raising for one element leaves it able to give the next one."""

    def __init__(self, returned: Any, signature: Any) -> None:
        self._signature = signature
        self._conversion = conversion_path(signature)
        self._elements = iter(returned)
        self._index = 0

    def __iter__(self) -> _CheckedElements:
        return self

    def __next__(self) -> Any:
        element = next(self._elements)
        self._index += 1
        _check(element, self._signature, self._index - 1, self._conversion)
        return element

    def close(self) -> None:
        """Closes the wrapped generator now (its `finally` blocks run) when TensorFlow stops early."""
        close = getattr(self._elements, "close", None)
        if close is not None:
            close()


def check_element(element: Any, output_signature: Any, *, index: int = 0) -> None:
    """Raises `ElementMismatchError` if TensorFlow would refuse `element` or change a value in it.

    Args:
        element: one yielded element.
        output_signature: specs nested in tuples, namedtuples and dicts.
        index: the element's position, used in the message.

    Raises:
        ElementMismatchError: the first problem found, with index, path, expected and received.
    """
    _check(element, output_signature, index, conversion_path(output_signature))


def signature_error(signature: Any) -> str:
    """TensorFlow's own complaint about a signature with a part that is not a `tf.TypeSpec`, or ""."""
    import tensorflow as tf
    from tensorflow.python.data.util import nest

    for spec in nest.flatten(signature):
        if not isinstance(spec, tf.TypeSpec):
            advice = (
                " (a list inside a signature is one value: use a tuple)" if isinstance(spec, list) else ""
            )
            return (
                "`output_signature` must contain objects that are subclass of `tf.TypeSpec` but found "
                f"{type(spec)} which is not{advice}"
            )
    return ""


def conversion_path(signature: Any) -> ConversionPath:
    """Which of its two conversions `from_generator` applies to elements of this signature.

    The same test as TensorFlow's `from_generator_op.py`: when every part is a `tf.TensorSpec` and the
    structure of dtypes and of shapes are both truthy (not a single spec of unknown shape, not an empty
    tuple), values are cast by NumPy ("numpy"); otherwise `tf.convert_to_tensor` converts them ("tensor"),
    and it refuses Python floats for integers, text for numbers and tensors of another dtype.
    """
    from tensorflow.python.data.util import nest
    from tensorflow.python.framework import tensor_spec

    flat = nest.flatten(signature)
    if all(isinstance(spec, tensor_spec.TensorSpec) for spec in flat):
        types = nest.pack_sequence_as(signature, [spec.dtype for spec in flat])
        shapes = nest.pack_sequence_as(signature, [spec.shape for spec in flat])
        if types and shapes:
            return "numpy"
    return "tensor"


def leaves(element: Any, signature: Any, *, index: int = 0) -> list[tuple[str, Any, Any]]:
    """(path, value, spec) for each part of `element`, split by TensorFlow's own `nest.flatten_up_to`.

    Raises:
        ElementMismatchError: TensorFlow would refuse the element's structure; the path is the deepest
            part that does not fit.
    """
    from tensorflow.python.data.util import nest

    try:
        values = nest.flatten_up_to(signature, element)
    except (TypeError, ValueError):
        _structure_failure(element, signature, index)
    return list(zip(nest.flatten(_paths(signature, "")), values, nest.flatten(signature), strict=True))


def _children(spec: Any) -> list[tuple[str, Any, Any]]:
    """(step, key, spec) for each part of a dict or tuple of specs; none for a spec."""
    if isinstance(spec, Mapping):
        return [(f"[{key!r}]", key, part) for key, part in spec.items()]
    if isinstance(spec, tuple):
        fields = getattr(spec, "_fields", None)
        return [(f".{fields[i]}" if fields else f"[{i}]", i, part) for i, part in enumerate(spec)]
    return []


def _paths(spec: Any, path: str) -> Any:
    """The signature's structure with each spec replaced by its path, for TensorFlow's nest to flatten."""
    parts = {key: _paths(part, path + step) for step, key, part in _children(spec)}
    if isinstance(spec, Mapping):
        return parts
    if isinstance(spec, tuple):
        return type(spec)(*parts.values()) if hasattr(spec, "_fields") else tuple(parts.values())
    return path


def _structure_failure(value: Any, spec: Any, index: int, path: str = "") -> NoReturn:
    """Raises for the deepest part of `value` that TensorFlow's nest does not match with `spec`."""
    from tensorflow.python.data.util import nest

    try:
        nest.flatten_up_to(spec, value)
    except (TypeError, ValueError) as error:
        for step, key, part in _children(spec):
            try:
                inner = value[key]
            except (KeyError, IndexError, TypeError):
                continue  # the part is missing: this level does not fit
            try:
                nest.flatten_up_to(part, inner)
            except (TypeError, ValueError):
                _structure_failure(inner, part, index, path + step)
        advice = ""
        if isinstance(value, list) and isinstance(spec, tuple):
            advice = "a list is not a tuple: yield a tuple"
        elif hasattr(spec, "_fields"):
            advice = f"the signature is a namedtuple: yield {type(spec).__name__}(...)"
        elif isinstance(spec, Mapping) and isinstance(value, Mapping):
            missing, extra = sorted(set(spec) - set(value), key=str), sorted(set(value) - set(spec), key=str)
            advice = "yield a dict with exactly the signature's keys" + (
                f", missing {missing}" if missing else ""
            )
            advice += f", unexpected {extra}" if extra else ""
        expected, received = describe_spec(spec), describe_value(value)
        _fail(index, path, "structure", expected, received, _reason(error), advice)
    raise AssertionError("TensorFlow's nest accepts this part")  # only called where nest refused


def _check(element: Any, signature: Any, index: int, conversion: ConversionPath) -> None:
    convert = _numpy_conversion if conversion == "numpy" else _tensor_conversion
    for path, value, spec in leaves(element, signature, index=index):
        expected, received = describe_spec(spec), describe_value(value)
        advice = "cv2.imread returns None for a missing or unreadable file" if value is None else ""
        converted, problem, reason = convert(value, spec)
        if problem and type(spec).__name__ in _COMPOSITE_ADVICE:
            advice = _COMPOSITE_ADVICE[type(spec).__name__]
        elif problem == "dtype" and conversion == "tensor" and not advice:
            advice = _TENSOR_PATH_NOTE
        elif problem == "shape":
            advice = _shape_advice(converted, spec)
            if not hasattr(value, "shape"):
                received += f" (shape {_dims(converted.shape)})"
        if problem is None and not hasattr(converted, "_type_spec"):  # not a ragged or sparse tensor
            reason = _change(value, converted)
            problem = "lossy" if reason else None
            advice = advice or "convert explicitly in the generator, after checking the values"
        if problem is not None:
            _fail(index, path, problem, expected, received, reason, advice)


def _numpy_conversion(value: Any, spec: Any) -> tuple[Any, Problem | None, str]:
    """TensorFlow's NumPy path for one part: its cast, its dtype and shape checks, the tensor it makes."""
    import tensorflow as tf
    from tensorflow.python.ops import script_ops

    target = spec.dtype.as_numpy_dtype
    try:
        with np.errstate(all="ignore"):  # per thread, unlike warnings filters; TensorFlow warns itself
            converted = script_ops.FuncRegistry._convert(value, dtype=target)
        if converted.dtype == object:  # text: the py_func's own conversion to a tensor checks the items
            tf.convert_to_tensor(converted)
    except Exception as error:  # TensorFlow fails on any exception here (OverflowError too)
        return None, "dtype", _reason(error)
    if converted.dtype != target:
        return converted, "dtype", f"NumPy made {converted.dtype} of it"
    if not spec.shape.is_compatible_with(converted.shape):
        return converted, "shape", ""
    return converted, None, ""


def _tensor_conversion(value: Any, spec: Any) -> tuple[Any, Problem | None, str]:
    """TensorFlow's tensor path for one part: `normalize_element`, then `are_compatible` with the spec."""
    from tensorflow.python.data.util import structure

    try:
        with np.errstate(all="ignore"):
            converted = structure.normalize_element(value, spec)
    except (TypeError, ValueError) as error:
        return None, "dtype", _reason(error).replace("component_0: ", "")
    value_spec = structure.type_spec_from_value(converted)
    if structure.are_compatible(value_spec, spec):
        return (np.asarray(converted.numpy()) if hasattr(converted, "numpy") else converted), None, ""
    same_type = type(value_spec) is type(spec)
    dtypes = [(s.dtype, getattr(s, "row_splits_dtype", None)) for s in (value_spec, spec)]
    problem: Problem = "shape" if same_type and dtypes[0] == dtypes[1] else "dtype"
    made = (
        ""
        if type(value).__module__.startswith("tensorflow")
        else f"TensorFlow makes it {describe_spec(value_spec)}"
    )
    return converted, problem, made


def _shape_advice(converted: Any, spec: Any) -> str:
    shape, expected = tuple(converted.shape), spec.shape.as_list() if spec.shape.rank is not None else None
    if expected is None or not isinstance(converted, np.ndarray):
        return "declare a dimension that varies as None"
    if len(shape) == len(expected) >= 3 and expected[-1] == shape[-3] in (1, 3, 4):
        channels_last = (*shape[:-3], shape[-2], shape[-1], shape[-3])
        if spec.shape.is_compatible_with(channels_last):
            axes = "(1, 2, 0)" if len(shape) == 3 else "(0, 2, 3, 1)"
            return f"{CHANNELS_FIRST} with np.transpose(image, {axes})"
    if len(shape) != len(expected):
        return f"{len(shape)} dimension(s) where the signature has {len(expected)}"
    return "declare a dimension that varies as None"


def _change(value: Any, converted: np.ndarray) -> str:
    """How TensorFlow's conversion changed `value` ("300 -> 44"), or "" if every value came through."""
    if converted.dtype == object:
        return ""  # text stays text (str becomes UTF-8 bytes)
    try:
        original = np.asarray(value.numpy() if hasattr(value, "numpy") else value)
    except (TypeError, ValueError):
        return ""
    if original.dtype == converted.dtype or original.shape != converted.shape:
        return ""
    with np.errstate(all="ignore"):
        changed = _changed(original, converted)
    if not changed.any():
        return ""
    before, after = original[changed][:_SHOWN_VALUES], converted[changed][:_SHOWN_VALUES]
    pairs = ", ".join(f"{_scalar(b)!r} -> {_scalar(a)!r}" for b, a in zip(before, after, strict=True))
    more = int(np.count_nonzero(changed)) - len(before)
    return f"as {converted.dtype} it changes: {pairs}" + (f" (and {more} more)" if more else "")


def _changed(original: np.ndarray, converted: np.ndarray) -> np.ndarray:
    """True where a converted value differs from the yielded one.

    Exact for integers, booleans and None (which becomes NaN); a float, or text that reads as a number,
    may move by the declared float type's relative precision (`eps`): ordinary rounding is no change.
    """
    same = converted.astype(original.dtype) == original
    if original.dtype.kind in "fcUS":
        try:
            yielded = original.astype(np.complex128)  # text too: "1e3" is 1000, "False" is no number
        except (TypeError, ValueError):
            return ~same
        received = converted.astype(np.complex128)
        tolerance = _eps(converted.dtype) * np.abs(yielded)
        same |= (np.abs(received - yielded) <= tolerance) | (np.isnan(yielded) & np.isnan(received))
    return ~same


def _eps(dtype: np.dtype) -> float:
    """The relative precision of a float type (bfloat16 included), 0 for integers and bool."""
    import ml_dtypes  # a TensorFlow dependency; its finfo knows bfloat16 as well as NumPy's floats

    try:
        return float(ml_dtypes.finfo(dtype).eps)
    except ValueError:
        return 0.0


def _scalar(value: Any) -> Any:
    return value.item() if isinstance(value, np.generic) else value


def _reason(error: BaseException) -> str:
    text = error_summary(error).splitlines()[0]
    return text if len(text) <= _REASON_CHARACTERS else text[: _REASON_CHARACTERS - 3] + "..."


def _fail(
    index: int,
    path: str,
    problem: Problem,
    expected: str,
    received: str,
    reason: str = "",
    advice: str = "",
) -> NoReturn:
    where = f" at {path}" if path else ""
    verdict = "silently change" if problem == "lossy" else "refuse"
    message = (
        f"element {index}{where}: TensorFlow would {verdict} this: expected {expected}, received {received}"
    )
    message += (f": {reason}" if reason else "") + (f" ({advice})" if advice else "")
    raise ElementMismatchError(message, index=index, path=path, problem=problem, advice=advice)


# Specs and values in a few words, for messages.


def _dims(shape: Any) -> str:
    """(None, 224, 3) as Python source; (3,) for one dimension."""
    dims = ["None" if dim is None else str(dim) for dim in shape]
    return "(" + ", ".join(dims) + ("," if len(dims) == 1 else "") + ")"


def describe_spec(spec: Any) -> str:
    """E.g. "float32 shape (None, 3)", "a tuple of 2", "ragged int32 shape (2, None) (ragged_rank 1, ...)"."""
    if isinstance(spec, Mapping):
        return f"a dict with keys {sorted(spec, key=str)}"
    if isinstance(spec, tuple):
        kind = f"{type(spec).__name__} namedtuple" if hasattr(spec, "_fields") else "tuple"
        return f"a {kind} of {len(spec)}"
    shape = "of unknown shape" if spec.shape.rank is None else "shape " + _dims(spec.shape.as_list())
    text = f"{spec.dtype.name} {shape}"
    if hasattr(spec, "ragged_rank"):
        return f"ragged {text} (ragged_rank {spec.ragged_rank}, row_splits {spec.row_splits_dtype.name})"
    return f"sparse {text}" if type(spec).__name__ == "SparseTensorSpec" else text


def describe_value(value: Any) -> str:
    """What a value is, in a few words: "a list of 2", "an array, uint8 shape (3, 64, 64)", "str '1'"."""
    if value is None:
        return "None"
    if inspect.isgenerator(value):
        return "a generator object"
    if isinstance(value, (Mapping, tuple)):
        return describe_spec(value)
    if isinstance(value, list):
        return f"a list of {len(value)}"
    if isinstance(value, np.ndarray):
        return f"an array, {value.dtype} shape {_dims(value.shape)}"
    if isinstance(value, (str, bytes, int, float, bool, complex, np.generic)):
        return f"{type(value).__name__} {repr(_scalar(value))[:40]}"
    if type(value).__module__.startswith("tensorflow"):  # a tf.Tensor, tf.RaggedTensor or tf.SparseTensor
        import tensorflow as tf

        name = "Tensor" if type(value).__name__ == "EagerTensor" else type(value).__name__
        return f"a tf.{name}, {describe_spec(tf.type_spec_from_value(value))}"
    return f"a {type(value).__name__}"
