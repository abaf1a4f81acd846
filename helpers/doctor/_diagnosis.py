"""Runs a few elements of a generator and reports likely mistakes, each with advice.

Elements are judged by the validation (`_validation`: TensorFlow's own conversion); heuristics look at
those that pass (float64 for float32, unscaled uint8, BGR colour, tiny elements yielded one at a time).
"""

from __future__ import annotations

import inspect
import itertools
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import tensorflow as tf
from tensorflow.python.data.util import nest, structure

from helpers.doctor._validation import (
    CHANNELS_FIRST,
    ElementMismatchError,
    check_element,
    describe_value,
    leaves,
    signature_error,
)
from helpers.html_table import Markup, html_table
from helpers.messages import error_summary
from helpers.paths import without_machine_paths

__all__ = ["Diagnosis", "Finding", "Severity", "diagnose", "guess_channel_order"]

_TINY_ELEMENT_BYTES = 1024  # elements smaller than this (all tensors together): the per-yield cost dominates
# How much darker (on a 0..1 scale) the first channel must be than the third to look BGR. Photos are on
# average redder than blue (ImageNet's channel means: R 0.485, G 0.456, B 0.406), so data whose first channel
# is clearly the darker was probably read by OpenCV (BGR). A hint: skies are blue too.
_BGR_MARGIN = 0.03

Severity = Literal["error", "warning", "hint", "info"]
# Most severe first: the order findings are shown in.
_SEVERITY_COLOURS = {"error": "#b3261e", "warning": "#a15c00", "hint": "#1f5fa8", "info": "#555555"}

# How TensorFlow surfaces an exception raised inside the generator (checked live in tests/test_doctor.py);
# anything else becomes UnknownError.
_TF_ERROR_FOR = {"NotImplementedError": "UnimplementedError", "MemoryError": "ResourceExhaustedError"}
_TF_ERROR_FOR |= dict.fromkeys(["ValueError", "TypeError"], "InvalidArgumentError")

# Each kind of finding: its severity, and its advice (completed where the finding is made, for some).
_SEVERITY: dict[str, Severity] = {
    **dict.fromkeys(["generator-object", "invalid-signature", "args-not-convertible"], "error"),
    **dict.fromkeys(["generator-raised", "return-not-yield", "shape-varies", "signature-mismatch"], "error"),
    **dict.fromkeys(["empty", "missing-signature", "float64-for-float32", "unscaled-uint8"], "warning"),
    **{"tiny-elements": "warning", "bgr-looking": "hint", "args-as-bytes": "info"},
}
_ADVICE = {
    "generator-object": "Pass the generator function (`fn`, or `lambda: fn(x)`), not `fn()`: from_generator "
    "calls it again for every pass over the data. A generator object raises TypeError at once, and wrapped "
    "as `lambda: g` it is used up after the first epoch.",
    "invalid-signature": "Describe each part with tf.TensorSpec(shape=..., dtype=...) (tf.RaggedTensorSpec "
    "for ragged data), grouped exactly like the yielded element: a tuple for a tuple, a dict for a dict.",
    "args-not-convertible": "args become tensors: pass only numbers, strings, and lists or arrays of them. "
    "For anything else pass a key (a string or an index) and look the object up in a dict in the generator.",
    "args-as-bytes": "Strings in args arrive as bytes (lists as arrays of bytes): decode with `.decode()` or "
    "`os.fsdecode(path)` before str operations such as endswith or f-strings.",
    "empty": "Check the inputs passed through args (an empty list? bytes where str was expected?).",
    "missing-signature": "Declare output_signature= (the deprecated output_types alone leaves every shape "
    "unknown). Check each dimension: one that was the same in every sample (e.g. the batch size) may still "
    "vary later, as a short last batch does. Suggested: ",
    "return-not-yield": "Write `yield` instead of `return` (a function that should give many elements "
    "yields each one; `return` ends it). Returning a list of elements is fine; returning one is not.",
    "shape-varies": "Declare that dimension as None. A fixed batch dimension breaks on the short last batch "
    "(e.g. 22 of 32), usually only at the end of the first epoch.",
    "float64-for-float32": "Convert in the generator: `.astype(np.float32)`, or `image.astype(np.float32) / "
    "255` instead of `image / 255.0` (which makes float64). float64 doubles the bytes the generator makes "
    "and TensorFlow converts every element again.",
    "unscaled-uint8": "TensorFlow casts 255 to 255.0, it does not scale. Either scale in the generator "
    "(`image.astype(np.float32) / 255`), or declare tf.uint8 (4x fewer bytes through the generator) and "
    "scale in `.map(lambda x: tf.cast(x, tf.float32) / 255)`.",
    "bgr-looking": "OpenCV reads BGR: convert with cv2.cvtColor(image, cv2.COLOR_BGR2RGB). This is a "
    "heuristic: a set of sky or sea photos is bluish in RGB too. Plot a few images to check.",
    "tiny-elements": "from_generator pays a fixed cost per yield (a Python call under the GIL plus tensor "
    "conversion). Yield batches instead (e.g. 256 elements per yield, batch dimension None in the "
    "signature) and drop `.batch()`; or, if the data fits in memory, use from_tensor_slices.",
}

_MISMATCH_ADVICE = {
    "structure": "Yield exactly the signature's structure: a tuple for a tuple, a dict with its keys.",
    "dtype": "Yield values TensorFlow can convert to the declared dtype, or declare the dtype you yield.",
    "shape": "Declare the dimensions that vary as None, or fix the generator's shapes.",
    "lossy": "Convert explicitly in the generator (after checking the range), or declare the real dtype.",
}


@dataclass(frozen=True)
class Finding:
    """One thing `diagnose` noticed.

    Attributes:
        severity: "error" (TensorFlow will fail or change data), "warning" (slow or probably wrong),
            "hint" (a heuristic guess: check it) or "info" (worth knowing).
        kind: a short stable identifier, e.g. "float64-for-float32" (the keys of `_SEVERITY`).
        seen: what was observed, with the place in the element and the values.
        advice: what to do about it.
    """

    severity: Severity
    kind: str
    seen: str
    advice: str

    @classmethod
    def of(cls, kind: str, seen: str, advice: str = "") -> Finding:
        """A finding of a known kind, its usual advice completed by `advice`."""
        return cls(_SEVERITY[kind], kind, seen, _ADVICE.get(kind, "") + advice)


class Diagnosis(list):
    """The findings of `diagnose`, most severe first: a list of `Finding` that renders as a table.

    Attributes:
        elements_sampled: how many elements the generator yielded during the diagnosis.
    """

    def __init__(self, findings: Sequence[Finding], *, elements_sampled: int) -> None:
        super().__init__(sorted(findings, key=lambda f: list(_SEVERITY_COLOURS).index(f.severity)))
        self.elements_sampled = elements_sampled

    @property
    def kinds(self) -> list[str]:
        """The findings' kinds, in order."""
        return [finding.kind for finding in self]

    def _caption(self) -> str:
        found = f"{len(self)} finding(s) from" if self else "No problems found in"
        return f"{found} {self.elements_sampled} sampled element(s)" + ("" if self else ".")

    def __str__(self) -> str:
        lines = [f"- {f.severity.upper()} {f.kind}: {f.seen}\n  advice: {f.advice}" for f in self]
        return "\n".join([self._caption(), *lines])

    __repr__ = __str__

    def _repr_html_(self) -> str:
        if not self:
            return f"<p>{self._caption()}</p>"
        colour = _SEVERITY_COLOURS
        rows = [
            [Markup(f'<b style="color:{colour[f.severity]}">{f.severity}</b>'), f.kind, f.seen, f.advice]
            for f in self
        ]
        return f"<p>{self._caption()}</p>" + html_table(["Severity", "Kind", "Seen", "Advice"], rows)


def diagnose(
    generator_fn: Any,
    output_signature: Any = None,
    *,
    args: Sequence[Any] = (),
    max_elements: int = 32,
    max_seconds: float = 10.0,
) -> Diagnosis:
    """Runs a few elements of `generator_fn(*args)` and reports likely mistakes, each with advice.

    The generator gets `args` as `from_generator` converts them (strings as bytes). At most `max_elements`
    elements are drawn, for at most `max_seconds` (checked between elements), so an endless generator is
    fine. Elements are judged by `check_element`; heuristics look at those that pass.

    Args:
        generator_fn: what you would pass to `from_generator` as `generator`.
        output_signature: the signature you would pass, or None to get a suggested one.
        args: what you would pass as `args`.

    Returns:
        A `Diagnosis`: a list of `Finding`, most severe first, shown as a table in a notebook.
    """
    if inspect.isgenerator(generator_fn) or not callable(generator_fn):
        seen = f"generator is {describe_value(generator_fn)}, not a function"
        return Diagnosis([Finding.of("generator-object", seen)], elements_sampled=0)
    if output_signature is not None and (problem := signature_error(output_signature)):
        return Diagnosis([Finding.of("invalid-signature", problem)], elements_sampled=0)
    findings: list[Finding] = []
    tf_args = _args_as_tensorflow_passes_them(args, findings)
    if tf_args is None:
        return Diagnosis(findings, elements_sampled=0)
    elements, error, returned = _sample(
        generator_fn, tf_args, max_elements=max_elements, max_seconds=max_seconds
    )
    if error is not None:
        findings.append(_generator_error_finding(error, len(elements), args))
    elif not elements:
        findings.append(Finding.of("empty", "the generator yielded no elements"))
    signature = output_signature
    if elements and signature is None:
        signature, seen = _suggest_signature(elements), "no output_signature given"
        if signature is None:
            seen += ", and the sampled elements do not share one structure"
            findings.append(Finding("error", "missing-signature", seen, "Yield one structure; declare it."))
        else:
            findings.append(Finding.of("missing-signature", seen, _signature_code(signature)))
    if not elements or signature is None:
        return Diagnosis(findings, elements_sampled=len(elements))
    mismatches = [_mismatch(element, signature, index) for index, element in enumerate(elements)]
    if any(mismatches) and isinstance(returned, (tuple, Mapping)) and not _mismatch(returned, signature):
        seen = (
            f"the generator function returned {describe_value(returned)}, which fits the signature as one "
            "element; from_generator iterates over what the function returns, so each part became an element"
        )
        findings.append(Finding.of("return-not-yield", seen))
    findings += _mismatch_findings(elements, signature, mismatches)
    passed = [element for element, mismatch in zip(elements, mismatches, strict=True) if mismatch is None]
    parts = [list(_dense_parts(element, signature)) for element in passed]
    all_parts = list(itertools.chain(*parts))
    findings += _dtype_findings(all_parts) + _colour_findings(all_parts)
    if error is None and not any(mismatches):
        findings += _size_findings(generator_fn, tf_args, signature, parts, max_seconds)
    return Diagnosis(findings, elements_sampled=len(elements))


def _args_as_tensorflow_passes_them(args: Sequence[Any], findings: list[Finding]) -> tuple[Any, ...] | None:
    """The args as the generator gets them from from_generator (None if TensorFlow refuses one)."""
    converted = []
    for position, arg in enumerate(args):
        try:
            converted.append(tf.convert_to_tensor(arg).numpy())
        except (ValueError, TypeError) as error:
            seen = f"args[{position}] is {describe_value(arg)}: {error_summary(error).splitlines()[0]}"
            findings.append(Finding.of("args-not-convertible", seen))
            return None
        if np.asarray(arg).dtype.kind == "U":
            before, after = (_short(np.asarray(value).tolist()) for value in (arg, converted[-1]))
            seen = f"args[{position}] {before} arrives in the generator as {after}"
            findings.append(Finding.of("args-as-bytes", without_machine_paths(seen)))
    return tuple(converted)


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _sample(
    generator_fn: Callable[..., Any], args: tuple[Any, ...], *, max_elements: int, max_seconds: float
) -> tuple[list[Any], BaseException | None, Any]:
    """Elements drawn as TensorFlow draws them, the error that stopped them, and what the function
    returned if that was a container (a tuple, dict, array) rather than an iterator."""
    elements: list[Any] = []
    started, iterator = time.perf_counter(), None
    try:
        returned = generator_fn(*args)
        iterator = iter(returned)
        for element in iterator:
            elements.append(element)
            if len(elements) >= max_elements or time.perf_counter() - started > max_seconds:
                break
    except Exception as error:  # any error the generator raises is a finding, not a crash
        return elements, error, None
    finally:
        getattr(iterator, "close", lambda: None)()
    return elements, None, None if isinstance(returned, Iterator) else returned


def _generator_error_finding(error: BaseException, count: int, args: Sequence[Any]) -> Finding:
    name = type(error).__name__
    advice = (
        f"Inside from_generator this surfaces as tf.errors.{_TF_ERROR_FOR.get(name, 'UnknownError')} when "
        f"the dataset is iterated (`except {name}` will not catch it) and that pass over the data ends "
        "there. Fix the cause, or catch errors per item inside the generator, log them and skip the item."
    )
    text_args = any(np.asarray(arg).dtype.kind == "U" for arg in args)
    if text_args and ("bytes" in str(error) or "str" in str(error)):
        advice += " Strings in args arrive as bytes: decode them first."
    seen = f"after {count} element(s): {error_summary(error).splitlines()[0]}"
    return Finding.of("generator-raised", seen, advice)


def _suggest_signature(elements: Sequence[Any]) -> Any:
    """An `output_signature` for sampled `elements`, or None when they do not share one structure.

    TensorFlow's own spec of each element (`type_spec_from_value` of its NumPy arrays), merged by
    `most_specific_common_supertype` (sizes that vary become None); float64 becomes float32.
    """

    def spec_of(element: Any) -> Any:
        as_arrays = nest.map_structure(lambda v: v if hasattr(v, "_type_spec") else np.asarray(v), element)
        return structure.type_spec_from_value(as_arrays)

    def merged(*specs: Any) -> Any:
        spec = specs[0].most_specific_common_supertype(specs[1:])
        if spec is None:
            raise TypeError("the elements' specs have no common supertype")
        return (
            tf.TensorSpec(spec.shape, tf.float32) if spec == tf.TensorSpec(spec.shape, tf.float64) else spec
        )

    try:
        return nest.map_structure(merged, *[spec_of(element) for element in elements])
    except (TypeError, ValueError):
        return None


def _signature_code(signature: Any) -> str:
    """The signature as Python source, e.g. `(tf.TensorSpec(shape=(None,), dtype=tf.float32), ...)`."""

    class Code(str):
        def __repr__(self) -> str:
            return str(self)

    def code(spec: Any) -> Code:
        shape = "None" if spec.shape.rank is None else repr(tuple(spec.shape.as_list()))
        extra = f", ragged_rank={spec.ragged_rank}" if hasattr(spec, "ragged_rank") else ""
        return Code(f"tf.{type(spec).__name__}(shape={shape}, dtype=tf.{spec.dtype.name}{extra})")

    return repr(nest.map_structure(code, signature))


def _mismatch(element: Any, signature: Any, index: int = 0) -> ElementMismatchError | None:
    """Why TensorFlow would refuse or change the element, or None if it takes it as it is."""
    try:
        check_element(element, signature, index=index)
    except ElementMismatchError as error:
        return error
    return None


def _mismatch_findings(elements: list, signature: Any, mismatches: list[ElementMismatchError | None]) -> list:
    """The first refused or changed element, or the fixed dimension that varies where that is the cause."""
    found = [mismatch for mismatch in mismatches if mismatch is not None]
    if not found:
        return []
    first = found[0]
    if first.problem == "shape" and not first.advice.startswith(CHANNELS_FIRST):
        fitting = [
            e for e, m in zip(elements, mismatches, strict=True) if m is None or m.problem != "structure"
        ]
        varying = _varying_fixed_dimension(fitting, signature, first.path)
        if varying is not None:
            where, (dimension, sizes, fixed) = first.path or "the element", varying
            seen = (
                f"at {where}: dimension {dimension} took sizes {sizes}, but the signature fixes it to {fixed}"
            )
            return [Finding.of("shape-varies", seen)]
    advice = first.advice[:1].upper() + first.advice[1:]
    advice = f"{advice}. {_MISMATCH_ADVICE[first.problem]}" if advice else _MISMATCH_ADVICE[first.problem]
    others = f" ({len(found)} of {len(elements)} elements do not fit)" if len(found) > 1 else ""
    return [Finding.of("signature-mismatch", str(first) + others, advice)]


def _varying_fixed_dimension(elements: list[Any], signature: Any, path: str) -> tuple[int, list, int] | None:
    """(dimension, sizes seen, declared size) for the first fixed dimension at `path` whose size varies.

    `elements` all have the signature's structure."""
    parts = [
        (value, spec) for element in elements for at, value, spec in leaves(element, signature) if at == path
    ]
    declared = parts[0][1].shape
    shapes = [np.shape(value) for value, _ in parts if np.ndim(value) == declared.rank]
    for dimension, size in enumerate(declared.as_list() if declared.rank is not None else []):
        sizes = list(dict.fromkeys(shape[dimension] for shape in shapes))
        if size is not None and len(sizes) > 1:
            return dimension, sizes, size
    return None


def _dense_parts(element: Any, signature: Any) -> Iterator[tuple[str, np.ndarray, Any]]:
    """(path, array, spec) for each dense numeric part of an element TensorFlow takes."""
    for path, value, spec in leaves(element, signature):
        if type(spec).__name__ in ("TensorSpec", "BoundedTensorSpec"):
            array = np.asarray(value.numpy() if hasattr(value, "numpy") else value)
            if array.dtype.kind in "biuf":
                yield path or "the element", array, spec


def _dtype_findings(parts: list[tuple[str, np.ndarray, Any]]) -> list[Finding]:
    found: dict[str, Finding] = {}
    for where, array, spec in parts:
        declared = spec.dtype.name
        if spec.dtype.is_floating and array.dtype == np.float64 and declared != "float64":
            seen = f"at {where}: float64 values for a {declared} signature"
            found.setdefault("float64", Finding.of("float64-for-float32", seen))
        if spec.dtype.is_floating and array.dtype == np.uint8:
            seen = f"at {where}: uint8 values (max {int(array.max(initial=0))}) declared as {declared}"
            found.setdefault("uint8", Finding.of("unscaled-uint8", seen))
    return list(found.values())


def _colour_findings(parts: list[tuple[str, np.ndarray, Any]]) -> list[Finding]:
    images: dict[str, list[np.ndarray]] = {}
    for where, array, _ in parts:
        if array.ndim in (3, 4) and array.shape[-1] == 3 and min(array.shape[-3:-1]) >= 8:
            images.setdefault(where, []).extend(array.reshape(-1, *array.shape[-3:]))
    findings = []
    for where, arrays in images.items():
        means = _channel_means(arrays)
        if _channel_order(means) == "BGR":
            seen = (
                f"at {where}: over {len(arrays)} image(s) the first channel averages {means[0]:.2f} and the "
                f"third {means[2]:.2f} (on a 0..1 scale): bluer than most photos"
            )
            findings.append(Finding.of("bgr-looking", seen))
    return findings


def guess_channel_order(images: np.ndarray | Sequence[np.ndarray]) -> Literal["RGB", "BGR", "unknown"]:
    """Guesses whether colour images are RGB or BGR from their average channel brightness (a hint only).

    "BGR" when the first channel is darker than the third by more than 0.03 (on a 0..1 scale),
    "RGB" for the opposite, "unknown" within the margin (grey images). One bluish photo misleads it.

    Args:
        images: an image (H, W, 3), a batch (N, H, W, 3) or a list of images of any sizes; uint8, or
            float in 0..1 or 0..255.
    """
    items = [images] if isinstance(images, np.ndarray) else images
    arrays = [image for item in items for image in np.asarray(item).reshape(-1, *np.shape(item)[-3:])]
    return _channel_order(_channel_means(arrays))


def _channel_order(means: np.ndarray) -> Literal["RGB", "BGR", "unknown"]:
    first, _, third = means
    return "unknown" if abs(first - third) <= _BGR_MARGIN else "RGB" if first > third else "BGR"


def _channel_means(images: Sequence[np.ndarray]) -> np.ndarray:
    """Per-channel means on a 0..1 scale over images of any sizes, each pixel counting once."""
    totals, pixels = np.zeros(3), 0
    for image in images:
        flat = image.reshape(-1, image.shape[-1])
        scale = 255.0 if image.dtype == np.uint8 or (image.size and float(image.max()) > 1.5) else 1.0
        totals += flat.sum(axis=0, dtype=np.float64) / scale
        pixels += flat.shape[0]
    return totals / max(pixels, 1)


def _size_findings(fn: Callable, args: tuple, signature: Any, parts: list, max_seconds: float) -> list:
    """Tiny elements yielded one at a time (not batches: tensors sharing a first dimension of 2 or more)."""
    element_bytes = int(np.mean([sum(array.nbytes for _, array, _ in element) for element in parts]))
    firsts = [{array.shape[0] if array.ndim else 0 for _, array, _ in element} for element in parts]
    batched = all(len(sizes) == 1 and min(sizes) >= 2 for sizes in firsts)
    if len(parts) < 2 or element_bytes >= _TINY_ELEMENT_BYTES or batched:
        return []

    dataset = tf.data.Dataset.from_generator(fn, args=args or None, output_signature=signature)
    tf_seconds, count = _seconds_per_element(iter(dataset), 200, max_seconds)
    python_seconds, _ = _seconds_per_element(iter(fn(*args)), count, max_seconds)
    seen = (
        f"{element_bytes} bytes per element, yielded one at a time: measured {tf_seconds * 1e6:.0f} µs per "
        f"element through from_generator, {python_seconds * 1e6:.1f} µs in the plain Python generator"
    )
    return [Finding.of("tiny-elements", seen)]


def _seconds_per_element(elements: Iterator[Any], count: int, max_seconds: float) -> tuple[float, int]:
    """Seconds per element over up to `count` elements after the first (which includes start-up)."""
    next(elements, None)
    done, started = 0, time.perf_counter()
    for _ in itertools.islice(elements, count):
        done += 1
        if time.perf_counter() - started > max_seconds:
            break
    return (time.perf_counter() - started) / max(done, 1), done
