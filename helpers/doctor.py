"""Checks what a generator yields against its signature before TensorFlow sees it, and diagnoses pipelines.

    from helpers import doctor
    dataset = tf.data.Dataset.from_generator(doctor.checked(pairs, SIGNATURE), args=(paths,),
                                             output_signature=SIGNATURE)
    doctor.diagnose(pairs, SIGNATURE, args=(paths,))        # a table of findings with advice

`checked` wraps a generator function so that every element is validated in Python: wrong structure, dtype
or shape, and the lossy conversions TensorFlow would make silently (1.7 -> 1, 300 -> 44 as uint8, "1" -> 1,
1e300 -> inf), raise `ElementMismatchError` naming the element and the place inside it. `diagnose` runs a
few elements and reports likely mistakes (generator object, float64, tiny elements, varying shapes, BGR
colour, unscaled pixels, missing signature). This module is TensorFlow-specific: it imports TensorFlow
inside the functions that need it, so the validation rules stay importable and testable on their own.
"""

from __future__ import annotations

import functools
import html
import inspect
import time
import warnings
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal, NoReturn

import numpy as np

from helpers.paths import REPO_ROOT

__all__ = [
    "BGR_MARGIN",
    "Diagnosis",
    "ElementMismatchError",
    "Finding",
    "TINY_ELEMENT_BYTES",
    "check_element",
    "checked",
    "diagnose",
    "guess_channel_order",
    "suggest_signature",
]

TINY_ELEMENT_BYTES = 1024
"""Elements smaller than this (all tensors together) are "tiny": the per-yield overhead dominates."""

BGR_MARGIN = 0.03
"""How much darker (on a 0..1 scale) the first channel must be than the third to look BGR.

Natural photos are on average redder than they are blue (ImageNet's channel means are R 0.485, G 0.456,
B 0.406), so data whose first channel is clearly darker than its third was probably read by OpenCV (BGR)
and not converted. It is a hint only: a set of sky, sea or underwater photos is bluish in RGB too, and
grey images carry no signal. Pooling many images makes the guess better, never certain.
"""

_SHOWN_VALUES = 3
_TINY_MEASURE_ELEMENTS = 200

Severity = Literal["error", "warning", "hint", "info"]
_SEVERITY_ORDER = {"error": 0, "warning": 1, "hint": 2, "info": 3}
_SEVERITY_COLOURS = {"error": "#b3261e", "warning": "#a15c00", "hint": "#1f5fa8", "info": "#555555"}


class ElementMismatchError(ValueError):
    """A yielded element does not match the `output_signature`, or would be converted lossily.

    A ValueError on purpose: called directly (`list(checked(fn, sig)(*args))`) it raises as itself; raised
    inside `from_generator`, TensorFlow turns a ValueError (or TypeError) into
    `tf.errors.InvalidArgumentError` from `IteratorGetNext`, exactly like its own structure and shape
    errors, with this error's name and message at the start of the TensorFlow message. So
    `except tf.errors.InvalidArgumentError` catches both, and `except ValueError` around the loop does not.

    Attributes:
        index: the position of the element in the generator's output (0 for the first).
        path: where inside the element, e.g. `[0]['image']`; empty for the element itself.
        problem: "structure", "dtype", "shape" or "lossy".
    """

    def __init__(self, message: str, *, index: int, path: str, problem: str) -> None:
        super().__init__(message)
        self.index = index
        self.path = path
        self.problem = problem


def checked(generator_fn: Callable[..., Any], output_signature: Any) -> Callable[..., Iterator[Any]]:
    """Returns a generator function that validates each element `generator_fn` yields, then yields it.

    Same call signature as `generator_fn` (it passes `*args, **kwargs` through), so it drops into
    `tf.data.Dataset.from_generator(checked(fn, sig), args=..., output_signature=sig)`.

    Args:
        generator_fn: the generator function (not a generator object: pass `fn`, not `fn()`).
        output_signature: the same `tf.TensorSpec` / `tf.RaggedTensorSpec` structure, nested in tuples
            and dicts, that you give `from_generator`.

    Returns:
        A generator function yielding the same elements, unchanged.

    Raises:
        TypeError: `generator_fn` is a generator object or not callable, or `output_signature` is not
            specs nested in tuples and dicts (raised at once).
        ElementMismatchError: while iterating, for the first element that does not match (see the class
            for how it surfaces through TensorFlow).
    """
    if inspect.isgenerator(generator_fn) or not callable(generator_fn):
        raise TypeError(
            f"checked() needs a generator function, got {_describe_value(generator_fn)}: "
            "pass the function (`fn`), not a generator object (`fn()`)"
        )
    problem = _signature_problem(output_signature)
    if problem is not None:
        raise TypeError(problem)

    @functools.wraps(generator_fn)
    def checked_generator(*args: Any, **kwargs: Any) -> Iterator[Any]:
        elements = generator_fn(*args, **kwargs)
        try:
            for index, element in enumerate(elements):
                check_element(element, output_signature, index=index)
                yield element
        finally:
            # Close the wrapped generator now (its `finally` blocks run) when TensorFlow stops early.
            close = getattr(elements, "close", None)
            if close is not None:
                close()

    return checked_generator


def check_element(element: Any, output_signature: Any, *, index: int = 0) -> None:
    """Raises `ElementMismatchError` unless `element` fits `output_signature` without lossy conversion.

    Rules, beyond structure and shape: a tuple in the signature needs a tuple (a list is not one); a dict
    needs the same keys; integers must fit the declared integer type; floats are never accepted for an
    integer type; strings are never accepted for a number and numbers never for `tf.string`; float values
    must survive the declared float type (no overflow to inf, and a relative rounding error of at most one
    unit of that type's precision, `np.finfo(dtype).eps`: ordinary rounding to float32 passes, values that
    underflow to zero or lose most of their digits do not). Integers too large to be exact in the declared
    float type fail too.

    Args:
        element: one yielded element.
        output_signature: `tf.TensorSpec` / `tf.RaggedTensorSpec`, nested in tuples and dicts.
        index: the element's position, used in the message.

    Raises:
        ElementMismatchError: the first mismatch found, with index, path, expected and received.
    """
    _check(element, output_signature, index=index, path="")


def _signature_problem(signature: Any, path: str = "") -> str | None:
    """Why `signature` is not TypeSpecs nested in tuples and dicts (as from_generator needs), or None."""
    if isinstance(signature, Mapping):
        items = [(f"{path}[{key!r}]", spec) for key, spec in signature.items()]
    elif isinstance(signature, tuple):
        items = [(f"{path}[{position}]", spec) for position, spec in enumerate(signature)]
    elif hasattr(signature, "shape") and hasattr(signature, "dtype"):
        return None
    else:
        advice = " (use a tuple: round brackets)" if isinstance(signature, list) else ""
        return (
            "output_signature must be tf.TensorSpec / tf.RaggedTensorSpec nested in tuples and dicts; "
            f"found {_describe_value(signature)} at {path or 'the top'}{advice}"
        )
    return next(
        (problem for item_path, spec in items if (problem := _signature_problem(spec, item_path))), None
    )


def _check(value: Any, spec: Any, *, index: int, path: str) -> None:
    if isinstance(spec, Mapping):
        expected = f"a dict with keys {sorted(spec)}"
        if not isinstance(value, Mapping):
            _fail(index, path, "structure", f"expected {expected}, received {_describe_value(value)}")
        missing = sorted(set(spec) - set(value), key=str)
        extra = sorted(set(value) - set(spec), key=str)
        if missing or extra:
            details = [f"missing {missing}"] if missing else []
            details += [f"unexpected {extra}"] if extra else []
            _fail(
                index,
                path,
                "structure",
                f"expected {expected}, received {_describe_value(value)} ({', '.join(details)})",
            )
        for key in spec:
            _check(value[key], spec[key], index=index, path=f"{path}[{key!r}]")
        return
    if isinstance(spec, tuple):
        expected = f"a tuple of {len(spec)}"
        if not isinstance(value, tuple) or len(value) != len(spec):
            advice = " (a list is not a tuple: yield a tuple)" if isinstance(value, list) else ""
            _fail(index, path, "structure", f"expected {expected}, received {_describe_value(value)}{advice}")
        for position, (item, item_spec) in enumerate(zip(value, spec, strict=True)):
            _check(item, item_spec, index=index, path=f"{path}[{position}]")
        return
    if _is_ragged_spec(spec):
        _check_ragged(value, spec, index=index, path=path)
        return
    _check_dense(value, spec, index=index, path=path)


def _check_dense(value: Any, spec: Any, *, index: int, path: str) -> None:
    expected = _describe_spec(spec)
    if value is None:
        _fail(
            index,
            path,
            "dtype",
            f"expected {expected}, received None; TensorFlow would turn None into NaN (for a float) or "
            "fail later. cv2.imread returns None for a missing or unreadable file",
        )
    if isinstance(value, Mapping) or _is_ragged_value(value):
        _fail(index, path, "structure", f"expected one tensor, {expected}, received {_describe_value(value)}")
    array = _as_array(value)
    if array is None:
        _fail(
            index,
            path,
            "structure",
            f"expected {expected}, received {_describe_value(value)} that is not one tensor: nested lists "
            "of unequal length (pad them, or declare tf.RaggedTensorSpec and yield tf.ragged.constant(...))",
        )
    received = _describe_array(array)
    problem = _conversion_problem(array, spec.dtype)
    if problem is not None:
        kind, detail = problem
        _fail(index, path, kind, f"expected {expected}, received {received}: {detail}")
    if spec.shape.rank is not None and not _shape_fits(array.shape, tuple(spec.shape.as_list())):
        _fail(
            index,
            path,
            "shape",
            f"expected {expected}, received {received} (declare a dimension that varies as None)",
        )


def _check_ragged(value: Any, spec: Any, *, index: int, path: str) -> None:
    expected = _describe_spec(spec)
    if not _is_ragged_value(value):
        _fail(
            index,
            path,
            "structure",
            f"expected {expected}, received {_describe_value(value)}: yield a tf.RaggedTensor "
            "(tf.ragged.constant(rows)); TensorFlow does not convert lists for a RaggedTensorSpec",
        )
    received = f"ragged {value.dtype.name} {_shape_text(value.shape.as_list())}"
    if value.dtype != spec.dtype:
        _fail(index, path, "dtype", f"expected {expected}, received {received}")
    if value.ragged_rank != spec.ragged_rank or not spec.shape.is_compatible_with(value.shape):
        _fail(
            index,
            path,
            "shape",
            f"expected {expected} with ragged_rank {spec.ragged_rank}, "
            f"received {received} with ragged_rank {value.ragged_rank}",
        )


def _conversion_problem(array: np.ndarray, dtype: Any) -> tuple[str, str] | None:
    """Returns (problem kind, explanation) when converting `array` to `dtype` is impossible or lossy."""
    source = array.dtype
    if dtype.name == "string":
        if source.kind in "US" or (source.kind == "O" and _all_text(array)):
            return None
        return "dtype", "tf.string needs str or bytes; convert explicitly with str(...)"
    target = np.dtype(dtype.as_numpy_dtype)
    if source.kind in "USO":
        if source.kind == "O" and all(isinstance(item, int) for item in array.flat):
            return "lossy", f"integers too large for any tensor type: {_first_values(array)}"
        if source.kind == "O" and not _all_text(array):
            return "dtype", "these objects are not numbers"
        return "lossy", (
            f"strings for a number: TensorFlow would parse them silently ({_first_values(array)}); "
            "convert them yourself and check the result"
        )
    if source.kind not in "biufc":
        return "dtype", f"{source} values cannot become {target}"
    if target.kind == "b":
        if source.kind == "b":
            return None
        return "lossy", _would_become(
            array, target, array != 0, "numbers for tf.bool: anything non-zero becomes True"
        )
    if source.kind == "c" and target.kind != "c":
        return "lossy", _would_become(
            array, target, array.imag != 0, "complex values lose their imaginary part"
        )
    if target.kind in "iu":
        return _integer_problem(array, target)
    if target.kind == "f":
        return _float_problem(array, target)
    return None


def _integer_problem(array: np.ndarray, target: np.dtype) -> tuple[str, str] | None:
    if array.dtype.kind == "f":
        return "lossy", _would_become(
            array,
            target,
            np.ones(array.shape, dtype=bool),
            f"floats for {target}: TensorFlow truncates them silently",
        )
    if array.dtype.kind in "iu" and array.size:
        info = np.iinfo(target)
        outside = (array < info.min) | (array > info.max)
        if outside.any():
            return "lossy", _would_become(
                array, target, outside, f"out of range for {target} ({info.min}..{info.max}), it wraps around"
            )
    return None


def _float_problem(array: np.ndarray, target: np.dtype) -> tuple[str, str] | None:
    info = _finfo(target)
    if array.dtype.kind in "iu" and array.size:
        exact_limit = 2 ** (info.nmant + 1)
        inexact = np.abs(array.astype(np.float64)) > exact_limit
        if inexact.any():
            converted = array.astype(target).astype(array.dtype)
            inexact &= converted != array
            if inexact.any():
                return "lossy", _would_become(
                    array, target, inexact, f"integers too large to be exact in {target}"
                )
        return None
    if array.dtype.kind != "f" or array.dtype.itemsize <= target.itemsize or not array.size:
        return None
    with np.errstate(over="ignore", under="ignore", invalid="ignore"):
        converted = array.astype(target)
        source_finite = np.isfinite(array)
        overflow = source_finite & ~np.isfinite(converted)
        error = np.abs(converted.astype(array.dtype) - array)
        imprecise = source_finite & ~overflow & (error > info.eps * np.abs(array))
    if overflow.any():
        return "lossy", _would_become(array, target, overflow, f"too large for {target}, they become inf")
    if imprecise.any():
        return "lossy", _would_become(
            array, target, imprecise, f"too small for {target} (they lose more than eps={info.eps:.3g})"
        )
    return None


def _would_become(array: np.ndarray, target: np.dtype, bad: np.ndarray, reason: str) -> str:
    """Explains `reason` with the first few offending values and what TensorFlow would turn them into."""
    bad_values = np.atleast_1d(array)[np.atleast_1d(bad)][:_SHOWN_VALUES]
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        converted = bad_values.astype(target) if bad_values.dtype.kind not in "USO" else None
    count = int(np.count_nonzero(bad))
    if converted is None:
        pairs = ", ".join(repr(_scalar(value)) for value in bad_values)
    else:
        pairs = ", ".join(
            f"{_scalar(before)!r} -> {_scalar(after)!r}"
            for before, after in zip(bad_values, converted, strict=True)
        )
    more = f" (and {count - len(bad_values)} more)" if count > len(bad_values) else ""
    return f"{reason}: {pairs}{more}"


def _first_values(array: np.ndarray) -> str:
    values = np.atleast_1d(array)[:_SHOWN_VALUES]
    return ", ".join(repr(_scalar(value)) for value in values)


def _scalar(value: Any) -> Any:
    return value.item() if isinstance(value, np.generic) else value


def _finfo(dtype: np.dtype) -> Any:
    try:
        return np.finfo(dtype)
    except (TypeError, ValueError):
        import ml_dtypes  # a TensorFlow dependency; knows bfloat16

        return ml_dtypes.finfo(dtype)


def _all_text(array: np.ndarray) -> bool:
    return all(isinstance(item, (str, bytes)) for item in array.flat)


def _as_array(value: Any) -> np.ndarray | None:
    if hasattr(value, "numpy") and not isinstance(value, np.ndarray):
        value = value.numpy()
    try:
        array = np.asarray(value)
    except ValueError:
        return None
    if array.dtype.kind == "O" and not _all_text(array) and isinstance(value, (list, tuple)):
        return None
    return array


def _shape_fits(shape: tuple[int, ...], expected: tuple[int | None, ...]) -> bool:
    return len(shape) == len(expected) and all(
        want is None or want == have for have, want in zip(shape, expected, strict=True)
    )


def _is_ragged_spec(spec: Any) -> bool:
    return type(spec).__name__ == "RaggedTensorSpec"


def _is_ragged_value(value: Any) -> bool:
    return type(value).__name__ == "RaggedTensor"


def _fail(index: int, path: str, problem: str, detail: str) -> NoReturn:
    where = f" at {path}" if path else ""
    raise ElementMismatchError(f"element {index}{where}: {detail}", index=index, path=path, problem=problem)


def _shape_text(shape: Sequence[int | None] | None) -> str:
    return "of unknown shape" if shape is None else "shape " + _dims_text(shape)


def _dims_text(shape: Sequence[int | None]) -> str:
    """(None, 224, 3) as Python source; (3,) for one dimension."""
    dims = ["None" if dim is None else str(dim) for dim in shape]
    return "(" + ", ".join(dims) + ("," if len(dims) == 1 else "") + ")"


def _describe_spec(spec: Any) -> str:
    if isinstance(spec, Mapping):
        return "a dict with keys " + str(sorted(spec))
    if isinstance(spec, tuple):
        return f"a tuple of {len(spec)}"
    shape = tuple(spec.shape.as_list()) if spec.shape.rank is not None else None
    kind = "ragged " if _is_ragged_spec(spec) else ""
    return f"{kind}{spec.dtype.name} {_shape_text(shape)}"


def _describe_array(array: np.ndarray) -> str:
    dtype = (
        "str"
        if array.dtype.kind in "US" or (array.dtype.kind == "O" and array.size and _all_text(array))
        else str(array.dtype)
    )
    return f"{dtype} {_shape_text(array.shape)}"


def _describe_value(value: Any) -> str:
    if value is None:
        return "None"
    if inspect.isgenerator(value):
        return "a generator object"
    if isinstance(value, Mapping):
        return f"a dict with keys {sorted(value, key=str)}"
    if isinstance(value, (tuple, list)):
        return f"a {type(value).__name__} of {len(value)}"
    if isinstance(value, np.ndarray):
        return "an array, " + _describe_array(value)
    if _is_ragged_value(value):
        return f"a RaggedTensor, {value.dtype.name} {_shape_text(tuple(value.shape.as_list()))}"
    if hasattr(value, "numpy") and hasattr(value, "dtype"):
        return f"a tf.Tensor, {value.dtype.name} {_shape_text(tuple(value.shape.as_list()))}"
    if isinstance(value, (str, bytes, int, float, bool, np.generic)):
        text = repr(_scalar(value))
        return f"{type(value).__name__} {text[:40]}"
    return f"a {type(value).__name__}"


# ----------------------------------------------------------------------------------------------------------
# diagnose: run a few elements and report likely mistakes


@dataclass(frozen=True)
class Finding:
    """One thing `diagnose` noticed.

    Attributes:
        severity: "error" (TensorFlow will fail or corrupt data), "warning" (slow or probably wrong),
            "hint" (a heuristic guess: check it) or "info" (worth knowing).
        kind: a short stable identifier, e.g. "float64-for-float32".
        seen: what was observed, with the place in the element and the values.
        advice: what to do about it.
    """

    severity: Severity
    kind: str
    seen: str
    advice: str


class Diagnosis(list):
    """The findings of `diagnose`, most severe first: a list of `Finding` that renders as a table.

    Attributes:
        elements_sampled: how many elements the generator yielded during the diagnosis.
    """

    def __init__(self, findings: Sequence[Finding], *, elements_sampled: int) -> None:
        super().__init__(sorted(findings, key=lambda finding: _SEVERITY_ORDER[finding.severity]))
        self.elements_sampled = elements_sampled

    @property
    def kinds(self) -> list[str]:
        """The findings' kinds, in order."""
        return [finding.kind for finding in self]

    def __str__(self) -> str:
        if not self:
            return f"No problems found in {self.elements_sampled} sampled element(s)."
        head = f"{len(self)} finding(s) from {self.elements_sampled} sampled element(s)"
        lines = [head] + [
            f"- {finding.severity.upper()} {finding.kind}: {finding.seen}\n  advice: {finding.advice}"
            for finding in self
        ]
        return "\n".join(lines)

    __repr__ = __str__

    def _repr_html_(self) -> str:
        caption = f"{len(self)} finding(s) from {self.elements_sampled} sampled element(s)"
        if not self:
            return f"<p>No problems found in {self.elements_sampled} sampled element(s).</p>"
        rows = "".join(
            f'<tr><td style="color:{_SEVERITY_COLOURS[finding.severity]};font-weight:bold">'
            f"{finding.severity}</td><td><code>{html.escape(finding.kind)}</code></td>"
            f'<td style="text-align:left">{html.escape(finding.seen)}</td>'
            f'<td style="text-align:left">{html.escape(finding.advice)}</td></tr>'
            for finding in self
        )
        return (
            f'<table><caption style="text-align:left">{html.escape(caption)}</caption>'
            "<tr><th>Severity</th><th>Kind</th><th>Seen</th><th>Advice</th></tr>" + rows + "</table>"
        )


# How TensorFlow surfaces an exception raised inside the generator (checked live in notebook 04's table and
# in tests/test_doctor.py); anything else becomes UnknownError.
_TF_ERROR_FOR = {
    "ValueError": "InvalidArgumentError",
    "TypeError": "InvalidArgumentError",
    "NotImplementedError": "UnimplementedError",
    "MemoryError": "ResourceExhaustedError",
}


def diagnose(
    generator_fn: Any,
    output_signature: Any = None,
    *,
    args: Sequence[Any] = (),
    max_elements: int = 32,
    max_seconds: float = 10.0,
) -> Diagnosis:
    """Runs a few elements of `generator_fn(*args)` and reports likely mistakes, each with advice.

    The generator is called with `args` converted the way `from_generator` converts them (strings arrive as
    bytes, ints as np.int32), so it sees what it would see inside TensorFlow. At most `max_elements`
    elements are drawn, and drawing stops after `max_seconds`, so an endless generator is fine (the time is
    checked between elements: a single element that never comes still blocks).

    Finds: a generator object instead of a function; args TensorFlow cannot convert, or strings that will
    arrive as bytes; an exception in the generator (and which TensorFlow error it becomes); no elements; no
    signature (with a suggested one); elements that do not match the signature (see `check_element`);
    a dimension that varies where the signature fixes it (the short last batch); float64 yielded for
    float32; uint8 pixels, or float values 0..255, declared as float; image data that looks BGR (a hint,
    see `BGR_MARGIN`); tiny elements (under `TINY_ELEMENT_BYTES`) yielded one at a time, that is not
    batches (tensors sharing a first dimension of at least 2), with their measured cost per element.

    Args:
        generator_fn: what you would pass to `from_generator` as `generator`.
        output_signature: the signature you would pass, or None to get a suggested one.
        args: what you would pass as `args`.
        max_elements: the most elements to draw.
        max_seconds: stop drawing after this long.

    Returns:
        A `Diagnosis`: a list of `Finding`, most severe first, shown as a table in a notebook.
    """
    if inspect.isgenerator(generator_fn) or not callable(generator_fn):
        finding = Finding(
            "error",
            "generator-object",
            f"generator is {_describe_value(generator_fn)}, not a function",
            "Pass the generator function (`fn`, or `lambda: fn(x)`), not `fn()`: from_generator calls it "
            "again for every pass over the data. A generator object raises TypeError at once, and "
            "wrapped as `lambda: g` it is used up after the first epoch.",
        )
        return Diagnosis([finding], elements_sampled=0)
    findings: list[Finding] = []
    problem = None if output_signature is None else _signature_problem(output_signature)
    if problem is not None:
        finding = Finding(
            "error",
            "invalid-signature",
            problem,
            "Describe each element with tf.TensorSpec(shape=..., dtype=...) (tf.RaggedTensorSpec for "
            "ragged data), grouped exactly like the yielded element: a tuple for a tuple, a dict for a dict.",
        )
        return Diagnosis([finding], elements_sampled=0)
    tf_args = _args_as_tensorflow_passes_them(args, findings)
    if tf_args is None:
        return Diagnosis(findings, elements_sampled=0)
    elements, error = _sample(generator_fn, tf_args, max_elements=max_elements, max_seconds=max_seconds)
    if error is not None:
        findings.append(_generator_error_finding(error, len(elements), args))
    if not elements:
        if error is None:
            findings.append(
                Finding(
                    "warning",
                    "empty",
                    "the generator yielded no elements",
                    "Check the inputs passed through args (an empty list? bytes where str was expected?).",
                )
            )
        return Diagnosis(findings, elements_sampled=0)
    signature = output_signature
    if signature is None:
        try:
            signature = suggest_signature(elements)
        except (IndexError, KeyError, TypeError, ValueError):  # elements of different structures
            findings.append(
                Finding(
                    "error",
                    "missing-signature",
                    "no output_signature given, and the sampled elements do not share one structure",
                    "Yield elements of one structure (same tuple length, same dict keys, same dtypes) and "
                    "declare it as output_signature.",
                )
            )
            return Diagnosis(findings, elements_sampled=len(elements))
        findings.append(
            Finding(
                "warning",
                "missing-signature",
                "no output_signature given",
                "Declare output_signature= (the deprecated output_types alone leaves every shape "
                f"unknown). Suggested from {len(elements)} sampled element(s): "
                f"{_signature_code(signature)}. Check each dimension: one that was the same in every "
                "sample (e.g. the batch size) may still vary later, as a short last batch does.",
            )
        )
    mismatch = _mismatch_findings(elements, signature)
    findings += mismatch
    findings += _dtype_findings(elements, signature)
    findings += _colour_findings(elements, signature)
    if error is None and not mismatch:
        findings += _size_findings(generator_fn, args, elements, signature, max_seconds=max_seconds)
    return Diagnosis(findings, elements_sampled=len(elements))


def _args_as_tensorflow_passes_them(args: Sequence[Any], findings: list[Finding]) -> tuple[Any, ...] | None:
    import tensorflow as tf

    converted = []
    for position, arg in enumerate(args):
        try:
            converted.append(tf.convert_to_tensor(arg).numpy())
        except (ValueError, TypeError) as error:
            findings.append(
                Finding(
                    "error",
                    "args-not-convertible",
                    f"args[{position}] is {_describe_value(arg)}: {str(error).splitlines()[0]}",
                    "args become tensors: pass only numbers, strings, and lists or arrays of them. For "
                    "anything else pass a key (a string or an index) and look the object up in a dict "
                    "inside the generator.",
                )
            )
            return None
        if _contains_text(arg):
            findings.append(
                Finding(
                    "info",
                    "args-as-bytes",
                    f"args[{position}] {_short_repr(arg)} arrives in the generator as "
                    f"{_short_repr(converted[-1])}",
                    "Strings in args arrive as bytes (lists as arrays of bytes): decode with "
                    "`.decode()` or `os.fsdecode(path)` before str operations such as endswith or f-strings.",
                )
            )
    return tuple(converted)


def _sample(
    generator_fn: Callable[..., Any], args: tuple[Any, ...], *, max_elements: int, max_seconds: float
) -> tuple[list[Any], BaseException | None]:
    elements: list[Any] = []
    started = time.perf_counter()
    iterator = None
    try:
        iterator = iter(generator_fn(*args))
        while len(elements) < max_elements and time.perf_counter() - started < max_seconds:
            elements.append(next(iterator))
    except StopIteration:
        pass
    except Exception as error:  # any error the generator raises is a finding, not a crash
        return elements, error
    finally:
        close = getattr(iterator, "close", None)
        if close is not None:
            close()
    return elements, None


def _generator_error_finding(error: BaseException, count: int, args: Sequence[Any]) -> Finding:
    name = type(error).__name__
    tf_name = _TF_ERROR_FOR.get(name, "UnknownError")
    if isinstance(error, ElementMismatchError):
        tf_name = "InvalidArgumentError"
    advice = (
        f"Inside from_generator this surfaces as tf.errors.{tf_name} when the dataset is iterated "
        f"(`except {name}` will not catch it) and that pass over the data ends there. Fix the cause, or "
        "catch errors per item inside the generator, log them and skip the item."
    )
    if any(_contains_text(arg) for arg in args) and ("bytes" in str(error) or "str" in str(error)):
        advice += " Strings in args arrive as bytes: decode them first."
    first_line = _without_machine_paths(str(error).splitlines()[0]) if str(error) else ""
    return Finding("error", "generator-raised", f"after {count} element(s): {name}: {first_line}", advice)


def _mismatch_findings(elements: list[Any], signature: Any) -> list[Finding]:
    findings: list[Finding] = []
    varying = _varying_fixed_dimensions(elements, signature)
    for path, (dimension, sizes, fixed) in varying.items():
        findings.append(
            Finding(
                "error",
                "shape-varies",
                f"at {path or 'the element'}: dimension {dimension} took sizes {sizes}, but the signature "
                f"fixes it to {fixed}",
                f"Declare dimension {dimension} as None. A fixed batch dimension breaks on the short last "
                "batch (e.g. 22 of 32), usually only at the end of the first epoch.",
            )
        )
    for index, element in enumerate(elements):
        try:
            check_element(element, signature, index=index)
        except ElementMismatchError as error:
            if error.problem == "shape" and error.path in varying:
                break
            findings.append(
                Finding("error", "signature-mismatch", str(error), _MISMATCH_ADVICE[error.problem])
            )
            break
    return findings


_MISMATCH_ADVICE = {
    "structure": "Yield exactly the signature's structure: a tuple for a tuple (a list is not a tuple), a "
    "dict with the same keys for a dict, one array per TensorSpec.",
    "dtype": "Yield the declared dtype, or declare the dtype you yield.",
    "shape": "Declare the dimensions that vary as None, or fix the generator's shapes.",
    "lossy": "TensorFlow would convert these values silently and change them. Convert explicitly in the "
    "generator (after checking the range), or declare the dtype the data really has.",
}


def _dtype_findings(elements: list[Any], signature: Any) -> list[Finding]:
    found: dict[str, Finding] = {}
    for element in elements:
        for path, value, spec in _paired_leaves(element, signature):
            array = _leaf_array(value, spec)
            if array is None or spec.dtype.name not in ("float16", "bfloat16", "float32", "float64"):
                continue
            where = path or "the element"
            target = np.dtype(spec.dtype.as_numpy_dtype)
            if array.dtype == np.float64 and target.itemsize < 8 and "float64" not in found:
                found["float64"] = Finding(
                    "warning",
                    "float64-for-float32",
                    f"at {where}: float64 values for a {target} signature",
                    f"Convert in the generator: `.astype(np.{target})`, or `image.astype(np.float32) / 255` "
                    "instead of `image / 255.0` (which makes float64). float64 doubles the bytes the "
                    "generator makes and TensorFlow converts every element again.",
                )
            if array.dtype == np.uint8 and "uint8" not in found:
                found["uint8"] = Finding(
                    "warning",
                    "unscaled-uint8",
                    f"at {where}: uint8 values (max {int(array.max(initial=0))}) declared as {target}",
                    "TensorFlow casts 255 to 255.0, it does not scale. Either scale in the generator "
                    "(`image.astype(np.float32) / 255`), or declare tf.uint8 (4x fewer bytes through the "
                    "generator) and scale in `.map(lambda x: tf.cast(x, tf.float32) / 255)`.",
                )
            elif array.dtype.kind == "f" and _looks_unscaled(array) and "float" not in found:
                found["float"] = Finding(
                    "hint",
                    "unscaled-pixels",
                    f"at {where}: whole-number values up to {float(array.max()):g} in an image-shaped "
                    f"{array.dtype} array",
                    "Pixel values 0..255 in a float tensor usually mean the image was not scaled: divide "
                    "by 255 if the model expects [0, 1].",
                )
    return list(found.values())


def _looks_unscaled(array: np.ndarray) -> bool:
    if not _is_image_shaped(array.shape) or not array.size:
        return False
    finite = array[np.isfinite(array)]
    return bool(finite.size and finite.max() > 1.5 and finite.min() >= 0 and finite.max() <= 255) and bool(
        np.all(finite == np.round(finite))
    )


def _colour_findings(elements: list[Any], signature: Any) -> list[Finding]:
    images: dict[str, list[np.ndarray]] = {}
    for element in elements:
        for path, value, spec in _paired_leaves(element, signature):
            array = _leaf_array(value, spec)
            if array is not None and _is_image_shaped(array.shape) and array.shape[-1] == 3:
                images.setdefault(path, []).append(array.reshape(-1, *array.shape[-3:]))
    findings = []
    for path, arrays in images.items():
        stacked = np.concatenate(arrays)
        means = _channel_means(stacked)
        if guess_channel_order(stacked) == "BGR":
            findings.append(
                Finding(
                    "hint",
                    "bgr-looking",
                    f"at {path or 'the element'}: over {len(stacked)} image(s) the first channel averages "
                    f"{means[0]:.2f} and the third {means[2]:.2f} (on a 0..1 scale): bluer than most photos",
                    "OpenCV reads BGR: convert with cv2.cvtColor(image, cv2.COLOR_BGR2RGB). This is a "
                    "heuristic: a set of sky or sea photos is bluish in RGB too. Plot a few images to check.",
                )
            )
    return findings


def guess_channel_order(images: np.ndarray | Sequence[np.ndarray]) -> Literal["RGB", "BGR", "unknown"]:
    """Guesses whether colour images are RGB or BGR from their average channel brightness (a hint only).

    Photos are on average redder than blue; if the first channel is clearly darker than the third
    (by more than `BGR_MARGIN` on a 0..1 scale), the images look BGR. Grey images, or a difference within
    the margin, give "unknown". A single bluish RGB photo (sky, sea) is misread as BGR; more images help.

    Args:
        images: one image (H, W, 3), a batch (N, H, W, 3) or a list of images; uint8, or float in
            0..1 or 0..255.

    Returns:
        "RGB", "BGR" or "unknown".
    """
    if isinstance(images, np.ndarray):
        stacked = images.reshape(-1, *images.shape[-3:])
    else:
        stacked = np.concatenate([np.asarray(image).reshape(-1, *np.shape(image)[-3:]) for image in images])
    first, _, third = _channel_means(stacked)
    if first - third > BGR_MARGIN:
        return "RGB"
    if third - first > BGR_MARGIN:
        return "BGR"
    return "unknown"


def _channel_means(images: np.ndarray) -> np.ndarray:
    means = images.reshape(-1, images.shape[-1]).mean(axis=0, dtype=np.float64)
    scale = 255.0 if images.dtype == np.uint8 or (images.size and float(images.max()) > 1.5) else 1.0
    return means / scale


def _is_image_shaped(shape: tuple[int, ...]) -> bool:
    """(H, W, C) or (N, H, W, C) with C in 1, 3, 4 and H, W at least 8."""
    return len(shape) in (3, 4) and shape[-1] in (1, 3, 4) and min(shape[-3:-1]) >= 8


def _size_findings(
    generator_fn: Callable[..., Any],
    args: Sequence[Any],
    elements: list[Any],
    signature: Any,
    *,
    max_seconds: float,
) -> list[Finding]:
    element_bytes = int(np.mean([_element_bytes(element, signature) for element in elements]))
    if element_bytes >= TINY_ELEMENT_BYTES or len(elements) < 2:
        return []
    if all(_looks_batched(element, signature) for element in elements):
        return []
    tf_seconds, python_seconds = _per_element_seconds(generator_fn, args, signature, max_seconds=max_seconds)
    return [
        Finding(
            "warning",
            "tiny-elements",
            f"{element_bytes} bytes per element, yielded one at a time: measured "
            f"{tf_seconds * 1e6:.0f} µs per element through from_generator, {python_seconds * 1e6:.1f} µs "
            "in the plain Python generator",
            "from_generator pays a fixed cost per yield (a Python call under the GIL plus tensor "
            "conversion). Yield batches instead (e.g. 256 elements per yield, batch dimension None in the "
            "signature) and drop `.batch()`; or, if the data fits in memory, use from_tensor_slices.",
        )
    ]


def _per_element_seconds(
    generator_fn: Callable[..., Any], args: Sequence[Any], signature: Any, *, max_seconds: float
) -> tuple[float, float]:
    """Seconds per element through from_generator and in plain Python, over the same elements."""
    import tensorflow as tf

    dataset = tf.data.Dataset.from_generator(
        generator_fn, args=tuple(args) or None, output_signature=signature
    ).take(_TINY_MEASURE_ELEMENTS)
    iterator = iter(dataset)
    next(iterator, None)  # the first element includes start-up (tracing, thread start)
    count, started = 0, time.perf_counter()
    for _ in iterator:
        count += 1
        if time.perf_counter() - started > max_seconds:
            break
    tf_seconds = (time.perf_counter() - started) / max(count, 1)
    elements = iter(generator_fn(*_args_as_tensorflow_passes_them(args, [])))
    next(elements, None)
    python_count, started = 0, time.perf_counter()
    for _ in elements:
        python_count += 1
        if python_count >= count:
            break
    python_seconds = (time.perf_counter() - started) / max(python_count, 1)
    return tf_seconds, python_seconds


def _looks_batched(element: Any, signature: Any) -> bool:
    """Every tensor in the element has the same first dimension, of at least 2: a batch, not one item."""
    leading = set()
    for _, value, spec in _paired_leaves(element, signature):
        array = _leaf_array(value, spec)
        if array is None or array.ndim == 0:
            return False
        leading.add(array.shape[0])
    return len(leading) == 1 and leading.pop() >= 2


def _element_bytes(element: Any, signature: Any) -> int:
    total = 0
    for _, value, spec in _paired_leaves(element, signature):
        array = _leaf_array(value, spec)
        total += array.nbytes if array is not None else 0
    return total


def _varying_fixed_dimensions(elements: list[Any], signature: Any) -> dict[str, tuple[int, list[int], int]]:
    """Per path: (dimension, sizes seen, fixed size) for the first fixed dimension whose size varies."""
    sizes: dict[str, dict[int, list[int]]] = {}
    fixed: dict[str, tuple[int | None, ...]] = {}
    for element in elements:
        for path, value, spec in _paired_leaves(element, signature):
            array = _leaf_array(value, spec)
            if array is None or spec.shape.rank is None or array.ndim != spec.shape.rank:
                continue
            fixed[path] = tuple(spec.shape.as_list())
            for dimension, size in enumerate(array.shape):
                seen = sizes.setdefault(path, {}).setdefault(dimension, [])
                if size not in seen:
                    seen.append(size)
    varying = {}
    for path, per_dimension in sizes.items():
        for dimension, seen in per_dimension.items():
            if fixed[path][dimension] is not None and len(seen) > 1:
                varying[path] = (dimension, seen, fixed[path][dimension])
                break
    return varying


def _paired_leaves(value: Any, spec: Any, path: str = "") -> Iterator[tuple[str, Any, Any]]:
    """Yields (path, value, spec) for each dense leaf where `value` follows `spec`'s structure."""
    if isinstance(spec, Mapping):
        if isinstance(value, Mapping):
            for key in spec:
                if key in value:
                    yield from _paired_leaves(value[key], spec[key], f"{path}[{key!r}]")
        return
    if isinstance(spec, tuple):
        if isinstance(value, (tuple, list)) and len(value) == len(spec):
            for position, (item, item_spec) in enumerate(zip(value, spec, strict=True)):
                yield from _paired_leaves(item, item_spec, f"{path}[{position}]")
        return
    if not _is_ragged_spec(spec):
        yield path, value, spec


def _leaf_array(value: Any, spec: Any) -> np.ndarray | None:
    if value is None or isinstance(value, Mapping) or _is_ragged_value(value):
        return None
    array = _as_array(value)
    if array is None or array.dtype.kind in "USO":
        return None
    return array


def suggest_signature(elements: Sequence[Any]) -> Any:
    """Suggests an `output_signature` for sampled elements: dimensions that vary become None.

    float64 is suggested as float32 (what models use); Python ints give int64; text gives tf.string;
    lists become tuples (from_generator needs tuples); tf.RaggedTensor values give a RaggedTensorSpec.

    Args:
        elements: elements yielded by the generator (at least one), all of the same structure.

    Returns:
        `tf.TensorSpec`s (and `tf.RaggedTensorSpec`s) nested like the first element.
    """
    import tensorflow as tf

    first = elements[0]
    if isinstance(first, Mapping):
        return {key: suggest_signature([element[key] for element in elements]) for key in first}
    if isinstance(first, (tuple, list)) and not _is_leaf_list(first):
        return tuple(suggest_signature([element[i] for element in elements]) for i in range(len(first)))
    if _is_ragged_value(first):
        spec = tf.type_spec_from_value(first)
        return tf.RaggedTensorSpec(
            shape=[None] + spec.shape.as_list()[1:], dtype=spec.dtype, ragged_rank=spec.ragged_rank
        )
    arrays = [np.asarray(element.numpy() if hasattr(element, "numpy") else element) for element in elements]
    if arrays[0].dtype.kind in "USO":
        dtype = tf.string
    elif arrays[0].dtype == np.float64:
        dtype = tf.float32
    else:
        dtype = tf.as_dtype(arrays[0].dtype)
    ranks = {array.ndim for array in arrays}
    if len(ranks) > 1:
        return tf.TensorSpec(shape=None, dtype=dtype)
    shape = [
        sizes.pop() if len(sizes) == 1 else None
        for sizes in ({array.shape[d] for array in arrays} for d in range(arrays[0].ndim))
    ]
    return tf.TensorSpec(shape=shape, dtype=dtype)


def _is_leaf_list(value: list | tuple) -> bool:
    """A list of plain numbers or strings is one tensor, not a structure."""
    return isinstance(value, list) and all(isinstance(item, (int, float, str, bytes)) for item in value)


def _signature_code(signature: Any) -> str:
    """The signature as Python source, e.g. `(tf.TensorSpec(shape=(None,), dtype=tf.float32), ...)`."""
    if isinstance(signature, Mapping):
        return "{" + ", ".join(f"{key!r}: {_signature_code(spec)}" for key, spec in signature.items()) + "}"
    if isinstance(signature, tuple):
        items = [_signature_code(spec) for spec in signature]
        return "(" + ", ".join(items) + ("," if len(items) == 1 else "") + ")"
    shape = "None" if signature.shape.rank is None else _dims_text(signature.shape.as_list())
    if _is_ragged_spec(signature):
        return (
            f"tf.RaggedTensorSpec(shape={shape}, dtype=tf.{signature.dtype.name}, "
            f"ragged_rank={signature.ragged_rank})"
        )
    return f"tf.TensorSpec(shape={shape}, dtype=tf.{signature.dtype.name})"


def _contains_text(value: Any) -> bool:
    if isinstance(value, str):
        return True
    if isinstance(value, (list, tuple)):
        return any(_contains_text(item) for item in value)
    return isinstance(value, np.ndarray) and value.dtype.kind == "U"


def _short_repr(value: Any) -> str:
    text = _without_machine_paths(repr(value.tolist() if isinstance(value, np.ndarray) else value))
    return text if len(text) <= 60 else text[:57] + "..."


def _without_machine_paths(text: str) -> str:
    """Paths inside the kit become relative to it, so findings read the same on every machine."""
    return text.replace(str(REPO_ROOT) + "/", "")
