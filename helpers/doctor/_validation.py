"""Checks yielded elements by running them through TensorFlow's own conversion, then comparing.

No rule of TensorFlow's is written again here. Each element takes the steps of `from_generator_op.py`:
`nest.flatten_up_to` for the structure, then per part NumPy casting (`FuncRegistry._convert`, the shape
check) or `structure.normalize_element` and `are_compatible`. What TensorFlow refuses is refused with its
own error; what it converts is compared with what was yielded, and a changed value is refused too.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Iterator, Mapping
from typing import Any, Literal, NoReturn

import ml_dtypes  # a TensorFlow dependency; its finfo knows bfloat16 as well as NumPy's floats
import numpy as np
import tensorflow as tf
from tensorflow.python.data.util import nest, structure
from tensorflow.python.ops import script_ops

from helpers.messages import error_summary

__all__ = [
    "CHANNELS_FIRST",
    "ElementMismatchError",
    "check_element",
    "checked",
    "conversion_path",
    "describe_value",
    "leaves",
    "signature_error",
]

ConversionPath = Literal["numpy", "tensor"]
Problem = Literal["structure", "dtype", "shape", "lossy"]

CHANNELS_FIRST = "channels first: transpose to channels-last"
_SHOWN_VALUES = 3
_COMPOSITE_ADVICE = {
    "RaggedTensorSpec": "yield a tf.RaggedTensor (tf.ragged.constant(rows)) of the declared dtype, shape, "
    "ragged_rank and row_splits_dtype",
    "SparseTensorSpec": "yield a tf.SparseTensor (tf.sparse.from_dense(array)) of the declared dtype, shape",
}
_TENSOR_PATH_NOTE = "for this signature TensorFlow converts with tf.convert_to_tensor, which does not cast"


class ElementMismatchError(ValueError):
    """A yielded element that TensorFlow would refuse, or would silently change.

    A ValueError: inside `from_generator` it surfaces as `tf.errors.InvalidArgumentError`, this message
    at the start of TensorFlow's.

    Attributes:
        index: the element's position in the generator's output (0 for the first).
        path: where inside the element, e.g. `[0]['image']`; empty for the element itself.
        problem: "structure", "dtype" or "shape" (TensorFlow would refuse it), or "lossy" (change it).
        tensorflow_would: "refuse" or "change".
        advice: what to do about it (may be empty).
    """

    def __init__(self, message: str, *, index: int, path: str, problem: Problem, advice: str = "") -> None:
        super().__init__(message)
        self.index, self.path, self.problem, self.advice = index, path, problem, advice
        self.tensorflow_would = "change" if problem == "lossy" else "refuse"


def checked(generator_fn: Callable[..., Any], output_signature: Any) -> Callable[..., Iterator[Any]]:
    """Returns a generator function that checks each element `generator_fn` yields, then yields it.

    Same call signature as `generator_fn`, so it drops into `from_generator(checked(fn, sig), args=...,
    output_signature=sig)`. After a bad element the iterator goes on with the next one, as TensorFlow's
    does after its own conversion errors (so `ignore_errors()` skips just the bad elements).

    Args:
        generator_fn: the generator function (pass `fn`, not a generator object `fn()`).
        output_signature: the specs you give `from_generator`, nested in tuples and dicts.

    Raises:
        TypeError: at once, for a generator object or a signature TensorFlow refuses.
        ElementMismatchError: while iterating, for each element TensorFlow would refuse or change.
    """
    if inspect.isgenerator(generator_fn) or not callable(generator_fn):
        raise TypeError(
            f"checked() needs a generator function, got {describe_value(generator_fn)}: "
            "pass the function (`fn`), not a generator object (`fn()`)"
        )
    if problem := signature_error(output_signature):
        raise TypeError(problem)

    @functools.wraps(generator_fn)
    def checked_generator(*args: Any, **kwargs: Any) -> Iterator[Any]:
        return _CheckedElements(generator_fn(*args, **kwargs), output_signature)

    return checked_generator


class _CheckedElements:
    """An iterator, not a generator: raising for one element leaves it able to give the next one."""

    def __init__(self, returned: Any, signature: Any) -> None:
        self._signature, self._conversion = signature, conversion_path(signature)
        self._elements, self._index = iter(returned), 0

    def __iter__(self) -> _CheckedElements:
        return self

    def __next__(self) -> Any:
        element = next(self._elements)
        self._index += 1
        _check(element, self._signature, self._index - 1, self._conversion)
        return element

    def close(self) -> None:
        """Closes the wrapped generator now (its `finally` blocks run) when TensorFlow stops early."""
        getattr(self._elements, "close", lambda: None)()


def check_element(element: Any, output_signature: Any, *, index: int = 0) -> None:
    """Raises `ElementMismatchError` if TensorFlow would refuse `element` or change a value in it.

    Args:
        element: one yielded element.
        output_signature: specs nested in tuples, namedtuples and dicts.
        index: the element's position, for the message.
    """
    _check(element, output_signature, index, conversion_path(output_signature))


def signature_error(signature: Any) -> str:
    """TensorFlow's complaint about a part of the signature that is not a `tf.TypeSpec`, or ""."""
    wrong = [spec for spec in nest.flatten(signature) if not isinstance(spec, tf.TypeSpec)]
    if not wrong:
        return ""
    advice = " (TensorFlow takes a list as one value: use a tuple)" if isinstance(wrong[0], list) else ""
    return f"output_signature holds {describe_value(wrong[0])}, which is not a tf.TypeSpec{advice}"


def conversion_path(signature: Any) -> ConversionPath:
    """Which conversion `from_generator` applies to elements of this signature: "numpy" or "tensor".

    TensorFlow's own test (`from_generator_op.py`): all parts `tf.TensorSpec`s, and dtypes and shapes
    both truthy (not one spec of unknown shape), gives NumPy casting; anything else gets
    `tf.convert_to_tensor`, which refuses Python floats for integers, text for numbers, other dtypes.
    """
    flat = nest.flatten(signature)
    if all(isinstance(spec, tf.TensorSpec) for spec in flat):
        types = nest.pack_sequence_as(signature, [spec.dtype for spec in flat])
        shapes = nest.pack_sequence_as(signature, [spec.shape for spec in flat])
        if types and shapes:
            return "numpy"
    return "tensor"


def leaves(element: Any, signature: Any, *, index: int = 0) -> list[tuple[str, Any, Any]]:
    """(path, value, spec) for each part of `element`, as TensorFlow's `nest.flatten_up_to` splits it.

    Raises:
        ElementMismatchError: TensorFlow refuses the structure; at the deepest part that does not fit.
    """
    parts = _parts(element, signature, index)
    return list(zip(nest.flatten(_paths(signature, "")), parts, nest.flatten(signature), strict=True))


def _parts(element: Any, signature: Any, index: int) -> list[Any]:
    """The element's parts, in the order of `nest.flatten(signature)`."""
    try:
        return nest.flatten_up_to(signature, element)
    except (TypeError, ValueError):
        _structure_failure(element, signature, index)


def _children(spec: Any) -> list[tuple[str, Any, Any]]:
    """(step, key, spec) for each part of a dict or tuple of specs; none for a spec."""
    if isinstance(spec, Mapping):
        return [(f"[{key!r}]", key, part) for key, part in spec.items()]
    if not isinstance(spec, tuple):
        return []
    fields = getattr(spec, "_fields", None)
    return [(f".{fields[i]}" if fields else f"[{i}]", i, part) for i, part in enumerate(spec)]


def _paths(spec: Any, path: str) -> Any:
    """The signature with each spec replaced by its path, for TensorFlow's nest to flatten in its order."""
    parts = {key: _paths(part, path + step) for step, key, part in _children(spec)}
    if isinstance(spec, Mapping):
        return parts
    if isinstance(spec, tuple):
        return type(spec)(*parts.values()) if hasattr(spec, "_fields") else tuple(parts.values())
    return path


def _structure_failure(value: Any, spec: Any, index: int, path: str = "") -> NoReturn:
    """Raises for the deepest part of `value` that TensorFlow's nest does not match with `spec`."""
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
        elif isinstance(spec, Mapping) and isinstance(value, Mapping):
            missing, extra = sorted(set(spec) - set(value), key=str), sorted(set(value) - set(spec), key=str)
            advice = f"yield the signature's keys: missing {missing}, unexpected {extra}"
        _fail(index, path, "structure", _describe_spec(spec), describe_value(value), _reason(error), advice)
    raise AssertionError("only called where TensorFlow's nest refuses the structure")


def _check(element: Any, signature: Any, index: int, conversion: ConversionPath) -> None:
    """Each part through TensorFlow's conversion for this signature, then compared with what was yielded."""
    convert = _numpy_conversion if conversion == "numpy" else _tensor_conversion
    parts = zip(_parts(element, signature, index), nest.flatten(signature), strict=True)
    for position, (value, spec) in enumerate(parts):
        advice = "cv2.imread returns None for a missing or unreadable file" if value is None else ""
        converted, problem, reason = convert(value, spec)
        if problem and type(spec).__name__ in _COMPOSITE_ADVICE:
            advice = _COMPOSITE_ADVICE[type(spec).__name__]
        elif problem == "dtype" and conversion == "tensor":
            advice = advice or _TENSOR_PATH_NOTE
        elif problem == "shape":
            advice = _shape_advice(converted, spec)
            reason = "" if hasattr(value, "shape") else f"its shape is {tuple(converted.shape)!r}"
        elif problem is None and isinstance(converted, np.ndarray):
            reason = _change(value, converted)
            problem = "lossy" if reason else None
            advice = advice or "convert explicitly in the generator, after checking the values"
        if problem is not None:  # described only now: the descriptions cost time on every good element
            path = nest.flatten(_paths(signature, ""))[position]
            _fail(index, path, problem, _describe_spec(spec), describe_value(value), reason, advice)


def _numpy_conversion(value: Any, spec: Any) -> tuple[Any, Problem | None, str]:
    """TensorFlow's NumPy path for one part: its cast, its shape check, the tensor the py_func makes."""
    try:
        with np.errstate(all="ignore"):  # per thread, unlike warnings filters; TensorFlow warns itself
            converted = script_ops.FuncRegistry._convert(value, dtype=spec.dtype.as_numpy_dtype)
        if converted.dtype == object:  # text: the py_func's own conversion to a tensor checks the items
            tf.convert_to_tensor(converted)
    except Exception as error:  # TensorFlow fails on any exception here (OverflowError too)
        return None, "dtype", _reason(error)
    return converted, None if spec.shape.is_compatible_with(converted.shape) else "shape", ""


def _tensor_conversion(value: Any, spec: Any) -> tuple[Any, Problem | None, str]:
    """TensorFlow's tensor path for one part: `normalize_element`, then `are_compatible` with the spec."""
    try:
        with np.errstate(all="ignore"):
            converted = structure.normalize_element(value, spec)
    except (TypeError, ValueError) as error:
        return None, "dtype", _reason(error).replace("component_0: ", "")
    made = structure.type_spec_from_value(converted)
    if structure.are_compatible(made, spec):
        return (np.asarray(converted.numpy()) if hasattr(converted, "numpy") else converted), None, ""
    dtypes = [(type(s), s.dtype, getattr(s, "row_splits_dtype", None)) for s in (made, spec)]
    from_python = not type(value).__module__.startswith("tensorflow")
    reason = f"TensorFlow makes it {_describe_spec(made)}" if from_python else ""
    return converted, "shape" if dtypes[0] == dtypes[1] else "dtype", reason


def _shape_advice(converted: Any, spec: Any) -> str:
    shape, rank = tuple(converted.shape), spec.shape.rank
    if isinstance(converted, np.ndarray) and rank is not None and rank == len(shape) >= 3:
        channels_last = (*shape[:-3], shape[-2], shape[-1], shape[-3])
        if shape[-3] in (1, 3, 4) and spec.shape.is_compatible_with(channels_last):
            axes = "(1, 2, 0)" if len(shape) == 3 else "(0, 2, 3, 1)"
            return f"{CHANNELS_FIRST} with np.transpose(image, {axes})"
    if rank is not None and rank != len(shape):
        return f"{len(shape)} dimension(s) where the signature has {rank}"
    return "declare a dimension that varies as None"


def _change(value: Any, converted: np.ndarray) -> str:
    """How TensorFlow's conversion changed `value` ("300 -> 44"), or "" if every value came through."""
    try:
        original = np.asarray(value)
    except (TypeError, ValueError):
        return ""
    if converted.dtype == object or original.dtype == converted.dtype or original.shape != converted.shape:
        return ""  # text stays text (str becomes UTF-8 bytes), or nothing was converted
    with np.errstate(all="ignore"):
        changed = _changed(original, converted)
    if not changed.any():
        return ""
    before, after = original[changed][:_SHOWN_VALUES], converted[changed][:_SHOWN_VALUES]
    pairs = ", ".join(f"{_scalar(b)!r} -> {_scalar(a)!r}" for b, a in zip(before, after, strict=True))
    more = int(np.count_nonzero(changed)) - len(before)
    return f"as {converted.dtype} it changes: {pairs}" + (f" (and {more} more)" if more else "")


def _changed(original: np.ndarray, converted: np.ndarray) -> np.ndarray:
    """True where a converted value differs from the yielded one: exactly for integers, booleans and
    None (which becomes NaN); by more than the declared float type's `eps` for a float or numeric text."""
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
    try:
        return float(ml_dtypes.finfo(dtype).eps)
    except ValueError:
        return 0.0


def _scalar(value: Any) -> Any:
    return value.item() if isinstance(value, np.generic) else value


def _reason(error: BaseException) -> str:
    text = error_summary(error).splitlines()[0]  # TensorFlow's own words, cut before a long value's repr
    return text if len(text) <= 200 else text[:197] + "..."


def _fail(
    index: int, path: str, problem: Problem, expected: str, received: str, reason: str, advice: str
) -> NoReturn:
    verdict = "silently change" if problem == "lossy" else "refuse"
    message = f"element {index}{f' at {path}' if path else ''}: TensorFlow would {verdict} this: "
    message += f"expected {expected}, received {received}" + (f": {reason}" if reason else "")
    message += f" ({advice})" if advice else ""
    raise ElementMismatchError(message, index=index, path=path, problem=problem, advice=advice)


# Specs and values in a few words, for messages.


def _describe_spec(spec: Any) -> str:
    """E.g. "float32 shape (None, 3)", "a tuple of 2", "ragged int32 shape (2, None) (ragged_rank 1, ...)"."""
    if isinstance(spec, Mapping):
        return f"a dict with keys {sorted(spec, key=str)}"
    if isinstance(spec, tuple):
        return (
            f"a {type(spec).__name__ + ' namedtuple' if hasattr(spec, '_fields') else 'tuple'} of {len(spec)}"
        )
    shape = "of unknown shape" if spec.shape.rank is None else f"shape {tuple(spec.shape.as_list())!r}"
    text = f"{spec.dtype.name} {shape}"
    if hasattr(spec, "ragged_rank"):
        return f"ragged {text} (ragged_rank {spec.ragged_rank}, row_splits {spec.row_splits_dtype.name})"
    return f"sparse {text}" if type(spec).__name__ == "SparseTensorSpec" else text


def describe_value(value: Any) -> str:
    """What a value is, in a few words: "a list of 2", "an array, uint8 shape (3, 64, 64)", "str '1'"."""
    if value is None or inspect.isgenerator(value):
        return "None" if value is None else "a generator object"
    if isinstance(value, (Mapping, tuple)):
        return _describe_spec(value)
    if isinstance(value, list):
        return f"a list of {len(value)}"
    if isinstance(value, np.ndarray):
        return f"an array, {value.dtype} shape {value.shape!r}"
    if isinstance(value, (str, bytes, int, float, bool, complex, np.generic)):
        return f"{type(value).__name__} {repr(_scalar(value))[:40]}"
    if type(value).__module__.startswith("tensorflow"):  # a tf.Tensor, tf.RaggedTensor or tf.SparseTensor
        name = "Tensor" if type(value).__name__ == "EagerTensor" else type(value).__name__
        return f"a tf.{name}, {_describe_spec(tf.type_spec_from_value(value))}"
    return f"a {type(value).__name__}"
