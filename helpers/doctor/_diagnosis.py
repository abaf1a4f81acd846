"""Runs a few elements of a generator and reports likely mistakes, each with advice.

    from helpers import doctor
    doctor.diagnose(image_label_pairs, SIGNATURE, args=(paths,))   # a Diagnosis: a table in a notebook

Every verdict on an element comes from the validation (`_validation`: TensorFlow's own conversion); the
rest are heuristics on the values that pass: float64 for float32, unscaled uint8 pixels, BGR colour, tiny
elements yielded one at a time. Never raises on a generator TensorFlow accepts.
"""

from __future__ import annotations

import inspect
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

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

__all__ = [
    "BGR_MARGIN",
    "Diagnosis",
    "Finding",
    "Severity",
    "TINY_ELEMENT_BYTES",
    "diagnose",
    "guess_channel_order",
    "signature_code",
    "suggest_signature",
]

TINY_ELEMENT_BYTES = 1024
"""Elements smaller than this (all tensors together) are "tiny": the per-yield overhead dominates."""

BGR_MARGIN = 0.03
"""How much darker (on a 0..1 scale) the first channel must be than the third to look BGR.

Natural photos are on average redder than they are blue (ImageNet's channel means are R 0.485, G 0.456,
B 0.406), so data whose first channel is clearly darker than its third was probably read by OpenCV (BGR)
and not converted. A hint only: sky, sea or underwater photos are bluish in RGB too, grey images carry
no signal; pooling many images makes the guess better, never certain.
"""

_TINY_MEASURE_ELEMENTS = 200

Severity = Literal["error", "warning", "hint", "info"]
_SEVERITY_ORDER = {"error": 0, "warning": 1, "hint": 2, "info": 3}
_SEVERITY_COLOURS = {"error": "#b3261e", "warning": "#a15c00", "hint": "#1f5fa8", "info": "#555555"}

# How TensorFlow surfaces an exception raised inside the generator (checked live in tests/test_doctor.py);
# anything else becomes UnknownError.
_TF_ERROR_FOR = {
    "ValueError": "InvalidArgumentError",
    "TypeError": "InvalidArgumentError",
    "NotImplementedError": "UnimplementedError",
    "MemoryError": "ResourceExhaustedError",
}

# Each kind of finding: its severity and its advice (the advice of a few is completed where it is found).
_KINDS: dict[str, tuple[Severity, str]] = {
    "generator-object": (
        "error",
        "Pass the generator function (`fn`, or `lambda: fn(x)`), not `fn()`: from_generator calls it again "
        "for every pass over the data. A generator object raises TypeError at once, and wrapped as "
        "`lambda: g` it is used up after the first epoch.",
    ),
    "invalid-signature": (
        "error",
        "Describe each part with tf.TensorSpec(shape=..., dtype=...) (tf.RaggedTensorSpec for ragged data), "
        "grouped exactly like the yielded element: a tuple for a tuple, a dict for a dict.",
    ),
    "args-not-convertible": (
        "error",
        "args become tensors: pass only numbers, strings, and lists or arrays of them. For anything else "
        "pass a key (a string or an index) and look the object up in a dict inside the generator.",
    ),
    "args-as-bytes": (
        "info",
        "Strings in args arrive as bytes (lists as arrays of bytes): decode with `.decode()` or "
        "`os.fsdecode(path)` before str operations such as endswith or f-strings.",
    ),
    "generator-raised": ("error", ""),
    "empty": (
        "warning",
        "Check the inputs passed through args (an empty list? bytes where str was expected?).",
    ),
    "missing-signature": (
        "warning",
        "Declare output_signature= (the deprecated output_types alone leaves every shape unknown). Check "
        "each dimension: one that was the same in every sample (e.g. the batch size) may still vary later, "
        "as a short last batch does. Suggested: ",
    ),
    "return-not-yield": (
        "error",
        "Write `yield` instead of `return` (a function that should give many elements yields each one; "
        "`return` ends it). Returning a list of elements is fine; returning one element is the mistake.",
    ),
    "shape-varies": (
        "error",
        "Declare that dimension as None. A fixed batch dimension breaks on the short last batch (e.g. 22 "
        "of 32), usually only at the end of the first epoch.",
    ),
    "signature-mismatch": ("error", ""),
    "float64-for-float32": (
        "warning",
        "Convert in the generator: `.astype(np.float32)`, or `image.astype(np.float32) / 255` instead of "
        "`image / 255.0` (which makes float64). float64 doubles the bytes the generator makes and "
        "TensorFlow converts every element again.",
    ),
    "unscaled-uint8": (
        "warning",
        "TensorFlow casts 255 to 255.0, it does not scale. Either scale in the generator "
        "(`image.astype(np.float32) / 255`), or declare tf.uint8 (4x fewer bytes through the generator) "
        "and scale in `.map(lambda x: tf.cast(x, tf.float32) / 255)`.",
    ),
    "bgr-looking": (
        "hint",
        "OpenCV reads BGR: convert with cv2.cvtColor(image, cv2.COLOR_BGR2RGB). This is a heuristic: a set "
        "of sky or sea photos is bluish in RGB too. Plot a few images to check.",
    ),
    "tiny-elements": (
        "warning",
        "from_generator pays a fixed cost per yield (a Python call under the GIL plus tensor conversion). "
        "Yield batches instead (e.g. 256 elements per yield, batch dimension None in the signature) and "
        "drop `.batch()`; or, if the data fits in memory, use from_tensor_slices.",
    ),
}

_MISMATCH_ADVICE = {
    "structure": "Yield exactly the signature's structure: a tuple for a tuple (a list is one tensor), a "
    "dict with the same keys for a dict.",
    "dtype": "Yield values TensorFlow can convert to the declared dtype, or declare the dtype you yield.",
    "shape": "Declare the dimensions that vary as None, or fix the generator's shapes.",
    "lossy": "TensorFlow would accept these values and silently change them. Convert explicitly in the "
    "generator (after checking the range), or declare the dtype the data really has.",
}


@dataclass(frozen=True)
class Finding:
    """One thing `diagnose` noticed.

    Attributes:
        severity: "error" (TensorFlow will fail or change data), "warning" (slow or probably wrong),
            "hint" (a heuristic guess: check it) or "info" (worth knowing).
        kind: a short stable identifier, e.g. "float64-for-float32".
        seen: what was observed, with the place in the element and the values.
        advice: what to do about it.
    """

    severity: Severity
    kind: str
    seen: str
    advice: str

    @classmethod
    def of(cls, kind: str, seen: str, advice: str = "") -> Finding:
        """A finding of a known kind, its advice completed by `advice`."""
        severity, usual = _KINDS[kind]
        return cls(severity, kind, seen, usual + advice)


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

    def _caption(self) -> str:
        if not self:
            return f"No problems found in {self.elements_sampled} sampled element(s)."
        return f"{len(self)} finding(s) from {self.elements_sampled} sampled element(s)"

    def __str__(self) -> str:
        lines = [f"- {f.severity.upper()} {f.kind}: {f.seen}\n  advice: {f.advice}" for f in self]
        return "\n".join([self._caption(), *lines])

    __repr__ = __str__

    def _repr_html_(self) -> str:
        if not self:
            return f"<p>{self._caption()}</p>"
        rows = [
            [
                Markup(f'<b style="color:{_SEVERITY_COLOURS[f.severity]}">{f.severity}</b>'),
                Markup(f"<code>{f.kind}</code>"),
                f.seen,
                f.advice,
            ]
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

    The generator is called with `args` converted as `from_generator` converts them (strings arrive as
    bytes), so it sees what it would see inside TensorFlow. At most `max_elements` elements are drawn, and
    drawing stops after `max_seconds` (checked between elements), so an endless generator is fine.

    Finds: a generator object instead of a function; a signature or args TensorFlow refuses, strings that
    arrive as bytes; an exception in the generator (and the TensorFlow error it becomes); no elements; no
    signature (with a suggested one); elements TensorFlow would refuse or silently change (`check_element`),
    a function that `return`s one element, and a fixed dimension that varies (the short last batch).
    On elements that pass: float64 yielded for float32, uint8 declared as float (never scaled), image
    data that looks BGR (a hint, see `BGR_MARGIN`), and tiny elements (under `TINY_ELEMENT_BYTES`, not
    batches) yielded one at a time, with their measured cost per element.

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
        seen = f"generator is {describe_value(generator_fn)}, not a function"
        return Diagnosis([Finding.of("generator-object", seen)], elements_sampled=0)
    problem = "" if output_signature is None else signature_error(output_signature)
    if problem:
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
        signature = suggest_signature(elements)
        findings.append(_missing_signature_finding(signature, len(elements)))
    if not elements or signature is None:
        return Diagnosis(findings, elements_sampled=len(elements))
    passed, mismatches = _checked_elements(elements, signature)
    if mismatches and isinstance(returned, (tuple, Mapping)) and _fits(returned, signature):
        seen = (
            f"the generator function returned {describe_value(returned)}, which fits the signature as one "
            "element; from_generator iterates over what the function returns, so each part became an element"
        )
        findings.append(Finding.of("return-not-yield", seen))
    findings += _mismatch_findings(elements, signature, mismatches)
    parts = [part for element in passed for part in _dense_parts(element, signature)]
    findings += _dtype_findings(parts)
    findings += _colour_findings(parts)
    if error is None and not mismatches:
        findings += _size_findings(generator_fn, args, passed, signature, max_seconds=max_seconds)
    return Diagnosis(findings, elements_sampled=len(elements))


def _args_as_tensorflow_passes_them(args: Sequence[Any], findings: list[Finding]) -> tuple[Any, ...] | None:
    import tensorflow as tf

    converted = []
    for position, arg in enumerate(args):
        try:
            converted.append(tf.convert_to_tensor(arg).numpy())
        except (ValueError, TypeError) as error:
            seen = f"args[{position}] is {describe_value(arg)}: {error_summary(error).splitlines()[0]}"
            findings.append(Finding.of("args-not-convertible", seen))
            return None
        if np.asarray(arg).dtype.kind == "U":
            seen = f"args[{position}] {_short(arg)} arrives in the generator as {_short(converted[-1])}"
            findings.append(Finding.of("args-as-bytes", seen))
    return tuple(converted)


def _short(value: Any) -> str:
    text = without_machine_paths(repr(value.tolist() if isinstance(value, np.ndarray) else value))
    return text if len(text) <= 60 else text[:57] + "..."


def _sample(
    generator_fn: Callable[..., Any], args: tuple[Any, ...], *, max_elements: int, max_seconds: float
) -> tuple[list[Any], BaseException | None, Any]:
    """Elements drawn as TensorFlow draws them, the error that stopped them, and what the function
    returned if that was a container (a tuple, dict, array) rather than an iterator."""
    elements: list[Any] = []
    started = time.perf_counter()
    iterator = returned = None
    try:
        returned = generator_fn(*args)
        iterator = iter(returned)
        while len(elements) < max_elements and time.perf_counter() - started < max_seconds:
            elements.append(next(iterator))
    except StopIteration:
        pass
    except Exception as error:  # any error the generator raises is a finding, not a crash
        return elements, error, None
    finally:
        close = getattr(iterator, "close", None)
        if close is not None:
            close()
    return elements, None, None if isinstance(returned, Iterator) else returned


def _generator_error_finding(error: BaseException, count: int, args: Sequence[Any]) -> Finding:
    name = type(error).__name__
    tf_name, ends = _TF_ERROR_FOR.get(name, "UnknownError"), "that pass over the data ends there"
    advice = (
        f"Inside from_generator this surfaces as tf.errors.{tf_name} when the dataset is iterated "
        f"(`except {name}` will not catch it) and {ends}. Fix the cause, or catch errors per item inside "
        "the generator, log them and skip the item."
    )
    if any(isinstance(arg, str) or np.asarray(arg).dtype.kind == "U" for arg in args) and (
        "bytes" in str(error) or "str" in str(error)
    ):
        advice += " Strings in args arrive as bytes: decode them first."
    seen = f"after {count} element(s): {error_summary(error).splitlines()[0]}"
    return Finding.of("generator-raised", seen, advice)


def _missing_signature_finding(signature: Any, count: int) -> Finding:
    if signature is None:
        seen = "no output_signature given, and the sampled elements do not share one structure"
        advice = "Yield elements of one structure (same tuple length, dict keys, dtypes) and declare it."
        return Finding("error", "missing-signature", seen, advice)
    return Finding.of(
        "missing-signature",
        f"no output_signature given ({count} element(s) sampled)",
        signature_code(signature),
    )


def suggest_signature(elements: Sequence[Any]) -> Any:
    """An `output_signature` for sampled elements, or None when they do not share one structure.

    Each element's spec is TensorFlow's own (`type_spec_from_value`, after NumPy's conversion, as the
    generator's values get), merged with `most_specific_common_supertype` (dimensions that vary become
    None). float64 is suggested as float32, what models use.

    Args:
        elements: elements yielded by the generator (at least one).

    Returns:
        Specs nested like the elements, or None.
    """
    import tensorflow as tf
    from tensorflow.python.data.util import nest, structure

    def spec_of(element: Any) -> Any:
        as_arrays = nest.map_structure(lambda v: v if hasattr(v, "_type_spec") else np.asarray(v), element)
        return structure.type_spec_from_value(as_arrays)

    def merged(*specs: Any) -> Any:
        spec = specs[0].most_specific_common_supertype(specs[1:])
        if spec is None:
            raise TypeError("no common spec")
        return (
            tf.TensorSpec(spec.shape, tf.float32) if spec == tf.TensorSpec(spec.shape, tf.float64) else spec
        )

    try:
        return nest.map_structure(merged, *[spec_of(element) for element in elements])
    except (TypeError, ValueError):
        return None


def signature_code(signature: Any) -> str:
    """The signature as Python source, e.g. `(tf.TensorSpec(shape=(None,), dtype=tf.float32), ...)`."""
    from tensorflow.python.data.util import nest

    class Code(str):
        def __repr__(self) -> str:
            return str(self)

    def code(spec: Any) -> Code:
        shape = "None" if spec.shape.rank is None else repr(tuple(spec.shape.as_list()))
        extra = f", ragged_rank={spec.ragged_rank}" if hasattr(spec, "ragged_rank") else ""
        return Code(f"tf.{type(spec).__name__}(shape={shape}, dtype=tf.{spec.dtype.name}{extra})")

    return repr(nest.map_structure(code, signature))


def _fits(element: Any, signature: Any) -> bool:
    try:
        check_element(element, signature)
    except ElementMismatchError:
        return False
    return True


def _checked_elements(elements: list[Any], signature: Any) -> tuple[list[Any], list[ElementMismatchError]]:
    """The elements TensorFlow takes as they are, and the errors for the others."""
    passed, mismatches = [], []
    for index, element in enumerate(elements):
        try:
            check_element(element, signature, index=index)
            passed.append(element)
        except ElementMismatchError as error:
            mismatches.append(error)
    return passed, mismatches


def _mismatch_findings(
    elements: list[Any], signature: Any, mismatches: list[ElementMismatchError]
) -> list[Finding]:
    """The first refused or changed element, or the fixed dimension that varies where that is the cause."""
    if not mismatches:
        return []
    first = mismatches[0]
    if first.problem == "shape" and not first.advice.startswith(CHANNELS_FIRST):
        varying = _varying_fixed_dimension(elements, signature, first.path)
        if varying is not None:
            dimension, sizes, fixed = varying
            where = first.path or "the element"
            seen = (
                f"at {where}: dimension {dimension} took sizes {sizes}, but the signature fixes it to {fixed}"
            )
            return [Finding.of("shape-varies", seen)]
    advice = first.advice[:1].upper() + first.advice[1:]
    advice = f"{advice}. {_MISMATCH_ADVICE[first.problem]}" if advice else _MISMATCH_ADVICE[first.problem]
    others = (
        f" ({len(mismatches)} of {len(elements)} sampled elements do not fit)" if len(mismatches) > 1 else ""
    )
    return [Finding.of("signature-mismatch", str(first) + others, advice)]


def _varying_fixed_dimension(elements: list[Any], signature: Any, path: str) -> tuple[int, list, int] | None:
    """(dimension, sizes seen, declared size) for the first fixed dimension at `path` whose size varies."""
    shapes, declared = [], None
    for element in elements:
        try:
            parts = leaves(element, signature)
        except ElementMismatchError:
            continue
        for part_path, value, spec in parts:
            if part_path == path and spec.shape.rank is not None and np.ndim(value) == spec.shape.rank:
                shapes.append(np.shape(value))
                declared = spec.shape.as_list()
    for dimension, size in enumerate(declared or []):
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
        declared = f"a {spec.dtype.name} signature"
        if spec.dtype.is_floating and array.dtype == np.float64 and spec.dtype.name != "float64":
            found.setdefault(
                "float64", Finding.of("float64-for-float32", f"at {where}: float64 values for {declared}")
            )
        if spec.dtype.is_floating and array.dtype == np.uint8:
            seen = f"at {where}: uint8 values (max {int(array.max(initial=0))}) declared as {spec.dtype.name}"
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

    Photos are on average redder than blue; if the first channel is clearly darker than the third
    (by more than `BGR_MARGIN` on a 0..1 scale), the images look BGR. Grey images, or a difference within
    the margin, give "unknown". A single bluish RGB photo (sky, sea) is misread as BGR; more images help.

    Args:
        images: one image (H, W, 3), a batch (N, H, W, 3) or a list of images of any sizes; uint8, or
            float in 0..1 or 0..255.

    Returns:
        "RGB", "BGR" or "unknown".
    """
    items = [images] if isinstance(images, np.ndarray) else images
    arrays = [image for item in items for image in np.asarray(item).reshape(-1, *np.shape(item)[-3:])]
    return _channel_order(_channel_means(arrays))


def _channel_order(means: np.ndarray) -> Literal["RGB", "BGR", "unknown"]:
    first, _, third = means
    if first - third > BGR_MARGIN:
        return "RGB"
    if third - first > BGR_MARGIN:
        return "BGR"
    return "unknown"


def _channel_means(images: Sequence[np.ndarray]) -> np.ndarray:
    """Per-channel means on a 0..1 scale over images of any sizes, each pixel counting once."""
    totals, pixels = np.zeros(3), 0
    for image in images:
        flat = image.reshape(-1, image.shape[-1])
        scale = 255.0 if image.dtype == np.uint8 or (image.size and float(image.max()) > 1.5) else 1.0
        totals += flat.sum(axis=0, dtype=np.float64) / scale
        pixels += flat.shape[0]
    return totals / max(pixels, 1)


def _size_findings(
    generator_fn: Callable[..., Any],
    args: Sequence[Any],
    elements: list[Any],
    signature: Any,
    *,
    max_seconds: float,
) -> list[Finding]:
    parts = [list(_dense_parts(element, signature)) for element in elements]
    if len(parts) < 2 or any(
        len(p) < len(leaves(e, signature)) for p, e in zip(parts, elements, strict=True)
    ):
        return []  # ragged, sparse or text parts: not a case of tiny numbers
    element_bytes = int(np.mean([sum(array.nbytes for _, array, _ in p) for p in parts]))
    if element_bytes >= TINY_ELEMENT_BYTES or all(map(_looks_batched, parts)):
        return []
    tf_seconds, python_seconds = _per_element_seconds(generator_fn, args, signature, max_seconds=max_seconds)
    seen = (
        f"{element_bytes} bytes per element, yielded one at a time: measured {tf_seconds * 1e6:.0f} µs per "
        f"element through from_generator, {python_seconds * 1e6:.1f} µs in the plain Python generator"
    )
    return [Finding.of("tiny-elements", seen)]


def _looks_batched(parts: list[tuple[str, np.ndarray, Any]]) -> bool:
    """Every tensor in the element has the same first dimension, of at least 2: a batch, not one item."""
    firsts = {array.shape[0] if array.ndim else 0 for _, array, _ in parts}
    return len(firsts) == 1 and firsts.pop() >= 2


def _per_element_seconds(
    generator_fn: Callable[..., Any], args: Sequence[Any], signature: Any, *, max_seconds: float
) -> tuple[float, float]:
    """Seconds per element through from_generator and in plain Python, over the same elements."""
    import tensorflow as tf

    dataset = tf.data.Dataset.from_generator(
        generator_fn, args=tuple(args) or None, output_signature=signature
    )
    iterator = iter(dataset.take(_TINY_MEASURE_ELEMENTS))
    next(iterator, None)  # the first element includes start-up (tracing, thread start)
    count, started = 0, time.perf_counter()
    for _ in iterator:
        count += 1
        if time.perf_counter() - started > max_seconds:
            break
    tf_seconds = (time.perf_counter() - started) / max(count, 1)
    elements = iter(generator_fn(*(_args_as_tensorflow_passes_them(args, []) or ())))
    next(elements, None)
    python_count, started = 0, time.perf_counter()
    for _ in elements:
        python_count += 1
        if python_count >= count:
            break
    return tf_seconds, (time.perf_counter() - started) / max(python_count, 1)
