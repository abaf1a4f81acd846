"""Validates yielded elements against a signature by TensorFlow's own conversion rules, before TF sees them.

    from helpers.doctor import _validation
    _validation.check_element(300, tf.TensorSpec(shape=(), dtype=tf.uint8))   # raises: 300 -> 44

An element is refused when TensorFlow would refuse it (wrong structure, a value it cannot convert, a wrong
shape) or when TensorFlow would silently change it (300 -> 44 as uint8, 1.7 -> 1, 1e300 -> inf). A value
TensorFlow converts exactly passes: 3.0 for int64, "12" for int64 on the NumPy path, [0, 1] for tf.bool.

TensorFlow converts in one of two ways, chosen by the signature (see `_signature.conversion_path`):
NumPy casting (`np.asarray(value).astype(dtype)`), or `tf.convert_to_tensor(value, dtype)`, which refuses
what NumPy would cast. The checks run the same conversion TensorFlow runs, then compare the result with
the value that was yielded.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Literal, NoReturn

import numpy as np

from helpers.doctor._signature import (
    ConversionPath,
    conversion_path,
    describe_spec,
    describe_value,
    dims_text,
    is_namedtuple,
    is_ragged_spec,
    is_ragged_value,
    is_sparse_spec,
    signature_problem,
)

__all__ = [
    "ElementMismatchError",
    "check_element",
    "checked",
    "fits",
    "return_hint",
    "Problem",
]

_SHOWN_VALUES = 3
_UNPARSED = object()  # a text that means no number

Problem = Literal["structure", "dtype", "shape", "lossy"]


class ElementMismatchError(ValueError):
    """A yielded element that TensorFlow would refuse, or would silently change.

    A ValueError on purpose: called directly (`list(checked(fn, sig)(*args))`) it raises as itself; raised
    inside `from_generator`, TensorFlow turns a ValueError into `tf.errors.InvalidArgumentError` from
    `IteratorGetNext`, exactly like its own structure and shape errors, with this error's name and message
    at the start of the TensorFlow message. So `except tf.errors.InvalidArgumentError` catches both.

    Attributes:
        index: the position of the element in the generator's output (0 for the first).
        path: where inside the element, e.g. `[0]['image']`; empty for the element itself.
        problem: "structure", "dtype" or "shape" (TensorFlow would refuse the element), or "lossy"
            (TensorFlow would accept it and change a value).
        tensorflow_would: "refuse" or "change".
        advice: what to do about it.
    """

    def __init__(self, message: str, *, index: int, path: str, problem: Problem, advice: str = "") -> None:
        super().__init__(message)
        self.index = index
        self.path = path
        self.problem = problem
        self.tensorflow_would = "change" if problem == "lossy" else "refuse"
        self.advice = advice


def checked(generator_fn: Callable[..., Any], output_signature: Any) -> Callable[..., Iterator[Any]]:
    """Returns a generator function that validates each element `generator_fn` yields, then yields it.

    Same call signature as `generator_fn` (it passes `*args, **kwargs` through), so it drops into
    `tf.data.Dataset.from_generator(checked(fn, sig), args=..., output_signature=sig)`.

    A bad element raises `ElementMismatchError` for that element only; asked again, the checked iterator
    goes on with the next element, as TensorFlow's own iterator does after its own conversion errors
    (`ignore_errors()` therefore skips just the bad elements). Called directly, `list(...)` stops at the
    first bad element, as any Python loop stops at an exception.

    Args:
        generator_fn: the generator function (not a generator object: pass `fn`, not `fn()`).
        output_signature: the same `tf.TensorSpec` / `tf.RaggedTensorSpec` / `tf.SparseTensorSpec`
            structure, nested in tuples, namedtuples and dicts, that you give `from_generator`.

    Returns:
        A function returning an iterator over the same elements, unchanged.

    Raises:
        TypeError: `generator_fn` is a generator object or not callable, or `output_signature` is not
            specs nested in tuples and dicts (raised at once).
        ElementMismatchError: while iterating, for each element TensorFlow would refuse or change.
    """
    if inspect.isgenerator(generator_fn) or not callable(generator_fn):
        raise TypeError(
            f"checked() needs a generator function, got {describe_value(generator_fn)}: "
            "pass the function (`fn`), not a generator object (`fn()`)"
        )
    problem = signature_problem(output_signature)
    if problem is not None:
        raise TypeError(problem)

    @functools.wraps(generator_fn)
    def checked_generator(*args: Any, **kwargs: Any) -> Iterator[Any]:
        return _CheckedElements(generator_fn(*args, **kwargs), output_signature)

    return checked_generator


class _CheckedElements:
    """An iterator, not a generator: raising for one element leaves it able to give the next one."""

    def __init__(self, returned: Any, signature: Any) -> None:
        self._signature = signature
        self._path = conversion_path(signature)
        self._hint = return_hint(returned, signature)
        self._elements = iter(returned)
        self._index = 0

    def __iter__(self) -> _CheckedElements:
        return self

    def __next__(self) -> Any:
        element = next(self._elements)
        index, self._index = self._index, self._index + 1
        _check(element, self._signature, _Place(index, "", self._path, self._hint))
        return element

    def close(self) -> None:
        """Closes the wrapped generator now (its `finally` blocks run) when TensorFlow stops early."""
        close = getattr(self._elements, "close", None)
        if close is not None:
            close()


def check_element(element: Any, output_signature: Any, *, index: int = 0) -> None:
    """Raises `ElementMismatchError` if TensorFlow would refuse `element` or change a value in it.

    Follows the conversion TensorFlow applies for this signature (NumPy casting, or
    `tf.convert_to_tensor`), then compares the result with the yielded value. Changes that count: an
    integer outside the declared type's range (it wraps), a float with a fraction for an integer type,
    NaN or inf for an integer, a number other than 0 or 1 for tf.bool, text that parses to another value,
    a complex value's imaginary part, a float that overflows to inf or loses more than one unit of the
    declared float type's precision (`np.finfo(dtype).eps`: ordinary rounding to float32 passes), an
    integer too large to be exact in the declared float type, and None (NaN in a float tensor).

    Args:
        element: one yielded element.
        output_signature: specs nested in tuples, namedtuples and dicts.
        index: the element's position, used in the message.

    Raises:
        ElementMismatchError: the first problem found, with index, path, expected and received.
    """
    _check(element, output_signature, _Place(index, "", conversion_path(output_signature), ""))


def fits(element: Any, output_signature: Any) -> bool:
    """True when TensorFlow would take `element` as it is (see `check_element`)."""
    try:
        check_element(element, output_signature)
    except ElementMismatchError:
        return False
    return True


def return_hint(returned: Any, signature: Any) -> str:
    """A hint when the generator function `return`ed one element instead of yielding it, or ""."""
    if isinstance(returned, Iterator) or not isinstance(returned, (tuple, Mapping)):
        return ""  # an iterator, or a list or array of elements: as from_generator expects
    if not fits(returned, signature):
        return ""
    return (
        f"; the generator function returned {describe_value(returned)}, which fits the signature as one "
        "element: from_generator iterates over what the function returns, so each part became an "
        "element of its own. Write `yield` instead of `return`"
    )


@dataclass(frozen=True)
class _Place:
    index: int
    path: str
    conversion: ConversionPath
    hint: str

    def inside(self, step: str) -> _Place:
        return _Place(self.index, self.path + step, self.conversion, self.hint)


def _fail(place: _Place, problem: Problem, detail: str, advice: str = "") -> NoReturn:
    where = f" at {place.path}" if place.path else ""
    verdict = "silently change" if problem == "lossy" else "refuse"
    message = f"element {place.index}{where}: TensorFlow would {verdict} this: {detail}"
    if advice:
        message += f" ({advice})"
    raise ElementMismatchError(
        message + place.hint, index=place.index, path=place.path, problem=problem, advice=advice
    )


def _check(value: Any, spec: Any, place: _Place) -> None:
    if isinstance(spec, Mapping):
        _check_dict(value, spec, place)
    elif isinstance(spec, tuple):
        _check_tuple(value, spec, place)
    elif is_ragged_spec(spec):
        _check_ragged(value, spec, place)
    elif is_sparse_spec(spec):
        _check_sparse(value, spec, place)
    else:
        _check_dense(value, spec, place)


def _check_dict(value: Any, spec: Mapping, place: _Place) -> None:
    expected = describe_spec(spec)
    if not isinstance(value, Mapping):
        _fail(place, "structure", f"expected {expected}, received {describe_value(value)}")
    missing = sorted(set(spec) - set(value), key=str)
    extra = sorted(set(value) - set(spec), key=str)
    if missing or extra:
        details = [f"missing {missing}"] if missing else []
        details += [f"unexpected {extra}"] if extra else []
        _fail(
            place,
            "structure",
            f"expected {expected}, received {describe_value(value)} ({', '.join(details)})",
            "yield a dict with exactly the signature's keys",
        )
    for key in spec:
        _check(value[key], spec[key], place.inside(f"[{key!r}]"))


def _fields(value: tuple) -> tuple[str, ...]:
    """A namedtuple's field names (a plain tuple has none)."""
    return getattr(value, "_fields", ())


def _check_tuple(value: Any, spec: tuple, place: _Place) -> None:
    expected = describe_spec(spec)
    received = describe_value(value)
    if is_namedtuple(spec):
        same = is_namedtuple(value) and (type(value).__name__, _fields(value)) == (
            type(spec).__name__,
            _fields(spec),
        )
        if not same:
            _fail(
                place,
                "structure",
                f"expected {expected}, received {received}",
                f"the signature is a namedtuple: yield {type(spec).__name__}(...), not a plain tuple",
            )
    elif not isinstance(value, tuple):
        advice = "a list is not a tuple: yield a tuple" if isinstance(value, list) else ""
        _fail(place, "structure", f"expected {expected}, received {received}", advice)
    if len(value) != len(spec):
        _fail(place, "structure", f"expected {expected}, received {received}")
    for position, (item, item_spec) in enumerate(zip(value, spec, strict=True)):
        step = f".{_fields(spec)[position]}" if is_namedtuple(spec) else f"[{position}]"
        _check(item, item_spec, place.inside(step))


# Dense tensors: convert as TensorFlow does on this signature's path, check the shape, compare values.


def _check_dense(value: Any, spec: Any, place: _Place) -> None:
    expected = describe_spec(spec)
    received = describe_value(value)
    target = np.dtype(spec.dtype.as_numpy_dtype)
    if place.conversion == "numpy":
        converted, refusal = _numpy_conversion(value, target)
    else:
        converted, refusal = _tensor_conversion(value, spec)
    if refusal is not None:
        problem, reason, advice = refusal
        _fail(place, problem, f"expected {expected}, received {received}: {reason}", advice)
    if not spec.shape.is_compatible_with(converted.shape):
        shown = "" if hasattr(value, "shape") else f" (shape {dims_text(converted.shape)})"
        expected_dims = spec.shape.as_list() if spec.shape.rank is not None else None
        _fail(
            place,
            "shape",
            f"expected {expected}, received {received}{shown}",
            _shape_advice(converted.shape, expected_dims),
        )
    change = _change(value, converted)
    if change is not None:
        _fail(place, "lossy", f"expected {expected}, received {received}: {change}", _CHANGE_ADVICE)


_CHANGE_ADVICE = "convert explicitly in the generator, after checking the values"


# NumPy's cast warnings (overflow, invalid value) are silenced with np.errstate, which is per thread; the
# warnings module's filters are global, and TensorFlow may run several checked generators in parallel.


def _numpy_conversion(value: Any, target: np.dtype) -> tuple[Any, tuple[Problem, str, str] | None]:
    """What the NumPy path makes of `value` (TensorFlow's py_func conversion), or why it refuses it."""
    if isinstance(value, Mapping) or is_ragged_value(value) or type(value).__name__ == "SparseTensor":
        return None, ("structure", "one tensor is expected here", "")
    try:
        with np.errstate(all="ignore"):
            converted = _tensorflow_numpy_convert(value, target)
    except Exception as error:  # TensorFlow fails on any exception here (OverflowError too)
        return None, _refusal_reason(value, target, error)
    if converted.dtype.kind == "O":
        strange = next((item for item in converted.flat if not isinstance(item, (bytes, str))), None)
        if strange is not None:
            found = type(strange).__name__  # TensorFlow: "Unsupported object type int"
            return None, ("dtype", f"tf.string needs str or bytes, found {found}", "convert with str(...)")
    return converted, None


def _tensorflow_numpy_convert(value: Any, target: np.dtype) -> np.ndarray:
    """TensorFlow's own py_func conversion (`FuncRegistry._convert`): NumPy casting, text made bytes."""
    from tensorflow.python.ops import script_ops

    convert = getattr(script_ops.FuncRegistry, "_convert", None)
    if convert is None:  # a later TensorFlow may rename it; this is what it does in 2.21
        return np.asarray(value).astype(target)
    return convert(value, dtype=target)


def _tensor_conversion(value: Any, spec: Any) -> tuple[Any, tuple[Problem, str, str] | None]:
    """What `tf.convert_to_tensor(value, dtype)` makes of `value`, or why it refuses it."""
    import tensorflow as tf

    target = np.dtype(spec.dtype.as_numpy_dtype)
    if isinstance(value, Mapping) or is_ragged_value(value) or type(value).__name__ == "SparseTensor":
        return None, ("structure", "one tensor is expected here", "")
    try:
        with np.errstate(all="ignore"):
            tensor = tf.convert_to_tensor(value, dtype=spec.dtype)
    except (TypeError, ValueError) as error:
        problem, reason, advice = _refusal_reason(value, target, error)
        path_note = (
            "with ragged or sparse parts, or a single spec of unknown shape, TensorFlow converts with "
            "tf.convert_to_tensor, which does not cast"
        )
        return None, (problem, reason, f"{advice}; {path_note}" if advice else path_note)
    return tensor.numpy(), None


def _refusal_reason(value: Any, target: np.dtype, error: BaseException) -> tuple[Problem, str, str]:
    if value is None:
        return "dtype", "None is not a value", "cv2.imread returns None for a missing or unreadable file"
    if hasattr(value, "dtype") and hasattr(value, "numpy") and not isinstance(value, np.ndarray):
        name = value.dtype.name
        return "dtype", f"{_a(name)} tensor is not cast", f"cast it in the generator or declare {name}"
    if isinstance(value, (list, tuple)) and _unequal_lengths(value):
        return (
            "structure",
            "nested lists of unequal length are not one tensor",
            "pad them, or declare tf.RaggedTensorSpec and yield tf.ragged.constant(...)",
        )
    if _contains_text(value) and target.kind != "O":
        return "dtype", f"text that is not {_a(str(target))} number", "parse it yourself and handle bad text"
    if target.kind == "O":
        return "dtype", "tf.string needs str or bytes", "convert with str(...)"
    first_line = str(error).splitlines()[0] if str(error) else type(error).__name__
    return "dtype", f"{type(error).__name__}: {first_line[:160]}", ""


def _a(word: str) -> str:
    return f"{'an' if word[0] in 'aeiou' else 'a'} {word}"


def _unequal_lengths(value: Any) -> bool:
    try:
        np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        return any(isinstance(item, (list, tuple)) for item in value)
    return False


def _contains_text(value: Any) -> bool:
    if isinstance(value, (str, bytes)):
        return True
    if isinstance(value, (list, tuple)):
        return any(_contains_text(item) for item in value)
    return (
        isinstance(value, np.ndarray)
        and value.dtype.kind in "USO"
        and any(isinstance(item, (str, bytes)) for item in value.flat)
    )


def _shape_advice(shape: tuple[int, ...], expected: list[int | None] | None) -> str:
    if expected is None:
        return ""
    if len(shape) == len(expected) >= 3 and shape[-3] in (1, 3, 4) and expected[-1] == shape[-3]:
        channels_last = (*shape[:-3], shape[-2], shape[-1], shape[-3])
        if all(want is None or want == have for have, want in zip(channels_last, expected, strict=True)):
            axes = "(1, 2, 0)" if len(shape) == 3 else "(0, 2, 3, 1)"
            return f"channels first: transpose to channels-last with np.transpose(image, {axes})"
    if len(shape) != len(expected):
        return f"{len(shape)} dimension(s) where the signature has {len(expected)}"
    return "declare a dimension that varies as None"


# Values TensorFlow accepts: did the conversion change them?


def _change(value: Any, converted: np.ndarray) -> str | None:
    """Explains how converting `value` to `converted` changed it (first few values), or None."""
    if converted.dtype.kind == "O":
        return None  # text stays text (str becomes UTF-8 bytes)
    original = _natural_array(value)
    if original is None or original.shape != converted.shape or original.dtype == converted.dtype:
        return None  # nothing to compare, or nothing converted
    with np.errstate(all="ignore"):
        if original.dtype.kind in "USO":
            changed, reason = _text_changes(original, converted)
        else:
            changed, reason = _number_changes(original, converted)
    if changed is None or not changed.any():
        return None
    before = np.atleast_1d(original)[np.atleast_1d(changed)][:_SHOWN_VALUES]
    after = np.atleast_1d(converted)[np.atleast_1d(changed)][:_SHOWN_VALUES]
    pairs = ", ".join(f"{_scalar(b)!r} -> {_scalar(a)!r}" for b, a in zip(before, after, strict=True))
    count = int(np.count_nonzero(changed))
    more = f" (and {count - len(before)} more)" if count > len(before) else ""
    return f"{reason}: {pairs}{more}"


def _natural_array(value: Any) -> np.ndarray | None:
    if hasattr(value, "numpy") and not isinstance(value, np.ndarray):
        value = value.numpy()
    try:
        return np.asarray(value)
    except (TypeError, ValueError):
        return None


def _number_changes(original: np.ndarray, converted: np.ndarray) -> tuple[np.ndarray, str]:
    source, target = original.dtype, converted.dtype
    back = converted.astype(source)
    source_kind, target_kind = _kind(source), _kind(target)
    if source_kind == "c" and target_kind != "c":
        changed = back != original
        if target_kind == "b":
            return changed, "numbers for tf.bool: anything non-zero becomes True"
        return changed, "complex values lose their imaginary part"
    inexact_to_inexact = source_kind == target_kind == "f" or (source_kind in "fc" and target_kind == "c")
    if inexact_to_inexact and target.itemsize < source.itemsize:
        eps = _finfo(target).eps
        finite = np.isfinite(original)
        overflow = finite & ~np.isfinite(converted)
        imprecise = finite & ~overflow & (np.abs(back - original) > eps * np.abs(original))
        if overflow.any():
            return overflow | imprecise, f"too large for {target}, they become inf"
        return imprecise, f"too small or too precise for {target} (they change by more than eps={eps:.3g})"
    same = back == original
    if source_kind in "fc" and target_kind in "fc":
        same |= np.isnan(original) & np.isnan(back)  # NaN stays NaN
    changed = ~same
    if target_kind == "b":
        return changed, "numbers for tf.bool: anything non-zero becomes True"
    if source_kind == "f" and target_kind in "iu":
        if not np.isfinite(original[changed]).all():
            return changed, f"NaN or inf has no {target} value"
        in_range = _in_range(original, target)
        if (changed & ~in_range).any():
            return changed, f"out of range for {target}"
        return changed, f"floats with a fraction for {target}: the fraction is cut off"
    if source_kind in "iub" and target_kind in "iu":
        info = np.iinfo(target)
        return changed, f"out of range for {target} ({info.min}..{info.max}), it wraps around"
    if target_kind == "f":
        return changed, f"integers too large to be exact in {target}"
    return changed, f"changed by the conversion to {target}"


def _kind(dtype: np.dtype) -> str:
    """NumPy's kind letter, with "f" also for ml_dtypes floats such as bfloat16 (NumPy says "V")."""
    if dtype.kind != "V":
        return dtype.kind
    try:
        _finfo(dtype)
    except (TypeError, ValueError):
        return dtype.kind
    return "f"


def _in_range(array: np.ndarray, target: np.dtype) -> np.ndarray:
    info = np.iinfo(target)
    return (array >= info.min) & (array <= info.max)


def _text_changes(original: np.ndarray, converted: np.ndarray) -> tuple[np.ndarray | None, str]:
    """Text (or None) TensorFlow parsed into numbers: changed where the number differs from the text's."""
    meant = [_meant_number(item) for item in original.flat]
    if any(item is None for item in original.flat):
        changed = np.array([item is None for item in original.flat]).reshape(original.shape)
        return changed, "None becomes NaN (cv2.imread returns None for a missing or unreadable file)"
    target = converted.dtype
    flags = []
    for number, result in zip(meant, converted.flat, strict=True):
        if number is _UNPARSED:
            flags.append(True)
        elif target.kind == "b":
            flags.append(number not in (0, 1) or bool(number) != bool(result))
        elif _kind(target) == "f":
            flags.append(not _close_enough(float(number), float(result), target))
        else:
            flags.append(number != int(result))
    reason = (
        "text for tf.bool: any non-empty text becomes True"
        if target.kind == "b"
        else f"text parsed as {target} gives another number"
    )
    return np.array(flags, dtype=bool).reshape(original.shape), reason


def _meant_number(item: Any) -> Any:
    if item is None:
        return None
    if isinstance(item, (bool, int, float, np.number, np.bool_)):
        return item
    text = item.decode(errors="replace") if isinstance(item, bytes) else str(item)
    for parse in (int, float):
        try:
            return parse(text.strip())
        except ValueError:
            continue
    return {"true": True, "false": False}.get(text.strip().lower(), _UNPARSED)


def _close_enough(number: float, result: float, target: np.dtype) -> bool:
    if np.isnan(number):
        return bool(np.isnan(result))
    if np.isinf(number) or np.isinf(result):
        return number == result
    return abs(result - number) <= _finfo(target).eps * abs(number)


def _scalar(value: Any) -> Any:
    return value.item() if isinstance(value, np.generic) else value


def _finfo(dtype: np.dtype) -> Any:
    try:
        return np.finfo(dtype)
    except (TypeError, ValueError):
        import ml_dtypes  # a TensorFlow dependency; knows bfloat16

        return ml_dtypes.finfo(dtype)


# Ragged and sparse tensors: only the tensor path (TensorFlow builds their specs from the value).


def _check_ragged(value: Any, spec: Any, place: _Place) -> None:
    from tensorflow.python.ops.ragged import ragged_tensor

    expected = describe_spec(spec)
    received = describe_value(value)
    try:
        converted = ragged_tensor.convert_to_tensor_or_ragged_tensor(value)
    except (TypeError, ValueError):
        converted = None
    if not is_ragged_value(converted):
        _fail(
            place,
            "structure",
            f"expected {expected}, received {received}",
            "yield a tf.RaggedTensor, e.g. tf.ragged.constant(rows): TensorFlow makes none from a list",
        )
    value_spec = _mismatched_spec(converted, spec, expected, place)
    if value_spec is None:
        return
    received = describe_value(converted)
    if value_spec.row_splits_dtype != spec.row_splits_dtype:
        _fail(
            place,
            "dtype",
            f"expected {expected}, received {received}",
            f"row_splits dtypes differ: build it with row_splits_dtype=tf.{spec.row_splits_dtype.name}, "
            f"or declare row_splits_dtype=tf.{value_spec.row_splits_dtype.name}",
        )
    advice = (
        f"ragged_rank differs: declare ragged_rank={value_spec.ragged_rank}"
        if value_spec.ragged_rank != spec.ragged_rank
        else "declare a dimension that varies as None"
    )
    _fail(place, "shape", f"expected {expected}, received {received}", advice)


def _mismatched_spec(converted: Any, spec: Any, expected: str, place: _Place) -> Any | None:
    """A composite value's own spec when it differs from `spec` (None when they match).

    Raises:
        ElementMismatchError: the dtypes differ (checked first: it is the simplest thing to fix).
    """
    import tensorflow as tf

    value_spec = tf.type_spec_from_value(converted)
    if spec.is_compatible_with(value_spec) and value_spec.is_compatible_with(spec):
        return None
    if value_spec.dtype != spec.dtype:
        received = describe_value(converted)
        _fail(place, "dtype", f"expected {expected}, received {received}", "yield the declared dtype")
    return value_spec


def _check_sparse(value: Any, spec: Any, place: _Place) -> None:
    import tensorflow as tf

    expected = describe_spec(spec)
    try:
        converted = tf.SparseTensor.from_value(value)
    except (TypeError, ValueError):
        _fail(
            place,
            "structure",
            f"expected {expected}, received {describe_value(value)}",
            "yield a tf.SparseTensor, e.g. tf.sparse.from_dense(array)",
        )
    value_spec = _mismatched_spec(converted, spec, expected, place)
    if value_spec is None:
        return
    received = describe_value(converted)
    _fail(
        place,
        "shape",
        f"expected {expected}, received {received}",
        "the dense shape differs: declare a dimension that varies as None",
    )
