"""Runs a few elements of a generator and reports likely mistakes, each with advice.

    from helpers import doctor
    doctor.diagnose(image_label_pairs, SIGNATURE, args=(paths,))   # a Diagnosis: a table in a notebook

Findings come from the elements TensorFlow would see (args converted as from_generator converts them):
exceptions, elements TensorFlow would refuse or change (via `_validation`), a fixed dimension that varies,
`return` instead of `yield`, channel-first images, float64 for float32, unscaled pixels, BGR colour,
tiny elements yielded one at a time. Never raises on a generator TensorFlow accepts.
"""

from __future__ import annotations

import inspect
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from helpers.doctor._signature import (
    describe_value,
    is_dense_spec,
    is_ragged_value,
    is_sparse_value,
    short_repr,
    signature_code,
    signature_problem,
    suggest_signature,
)
from helpers.doctor._validation import ElementMismatchError, check_element, return_hint
from helpers.html_table import Markup, html_table
from helpers.paths import without_machine_paths

__all__ = [
    "BGR_MARGIN",
    "Diagnosis",
    "Finding",
    "TINY_ELEMENT_BYTES",
    "diagnose",
    "guess_channel_order",
    "Severity",
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

_TINY_MEASURE_ELEMENTS = 200

Severity = Literal["error", "warning", "hint", "info"]
_SEVERITY_ORDER = {"error": 0, "warning": 1, "hint": 2, "info": 3}
_SEVERITY_COLOURS = {"error": "#b3261e", "warning": "#a15c00", "hint": "#1f5fa8", "info": "#555555"}


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
        if not self:
            return f"<p>No problems found in {self.elements_sampled} sampled element(s).</p>"
        caption = f"{len(self)} finding(s) from {self.elements_sampled} sampled element(s)"
        rows = [
            [
                Markup(
                    f'<span style="color:{_SEVERITY_COLOURS[finding.severity]};font-weight:bold">'
                    f"{finding.severity}</span>"
                ),
                Markup(f"<code>{finding.kind}</code>"),
                finding.seen,
                finding.advice,
            ]
            for finding in self
        ]
        return f"<p>{caption}</p>" + html_table(["Severity", "Kind", "Seen", "Advice"], rows)


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
    signature (with a suggested one); elements TensorFlow would refuse or silently change (see
    `check_element`), with advice to transpose channels-first images; a function that `return`s one element
    instead of yielding it; a dimension that varies where the signature fixes it (the short last batch);
    float64 yielded for
    float32; uint8 pixels, or float values 0..255, declared as float; image data that looks BGR (a hint,
    see `BGR_MARGIN`); tiny elements (under `TINY_ELEMENT_BYTES`) yielded one at a time, that is not
    batches (tensors sharing a first dimension of at least 2), with their measured cost per element.
    Never raises for a generator TensorFlow accepts: images may have any sizes, parts may be ragged or
    sparse (the image and dtype heuristics look at dense parts only).

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
            f"generator is {describe_value(generator_fn)}, not a function",
            "Pass the generator function (`fn`, or `lambda: fn(x)`), not `fn()`: from_generator calls it "
            "again for every pass over the data. A generator object raises TypeError at once, and "
            "wrapped as `lambda: g` it is used up after the first epoch.",
        )
        return Diagnosis([finding], elements_sampled=0)
    findings: list[Finding] = []
    problem = None if output_signature is None else signature_problem(output_signature)
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
    elements, error, returned = _sample(
        generator_fn, tf_args, max_elements=max_elements, max_seconds=max_seconds
    )
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
                f"{signature_code(signature)}. Check each dimension: one that was the same in every "
                "sample (e.g. the batch size) may still vary later, as a short last batch does.",
            )
        )
    mismatch = _mismatch_findings(elements, signature)
    if mismatch and returned is not None and return_hint(returned, signature):
        mismatch.insert(0, _return_finding(returned))
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
                    f"args[{position}] is {describe_value(arg)}: {str(error).splitlines()[0]}",
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
                    f"args[{position}] {short_repr(arg)} arrives in the generator as "
                    f"{short_repr(converted[-1])}",
                    "Strings in args arrive as bytes (lists as arrays of bytes): decode with "
                    "`.decode()` or `os.fsdecode(path)` before str operations such as endswith or f-strings.",
                )
            )
    return tuple(converted)


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


def _return_finding(returned: Any) -> Finding:
    return Finding(
        "error",
        "return-not-yield",
        f"the generator function returned {describe_value(returned)}, which fits the signature as one "
        "element; from_generator iterates over what the function returns, so each part became an element",
        "Write `yield` instead of `return` (a function that should give many elements yields each one; "
        "`return` ends it). Returning a list of elements is fine; returning one element is the mistake.",
    )


def _generator_error_finding(error: BaseException, count: int, args: Sequence[Any]) -> Finding:
    name = type(error).__name__
    tf_name = _TF_ERROR_FOR.get(name, "UnknownError")
    ends = "that pass over the data ends there"
    if isinstance(error, ElementMismatchError):
        tf_name, ends = "InvalidArgumentError", "the checked iterator goes on with the next element"
    advice = (
        f"Inside from_generator this surfaces as tf.errors.{tf_name} when the dataset is iterated "
        f"(`except {name}` will not catch it) and {ends}. Fix the cause, or "
        "catch errors per item inside the generator, log them and skip the item."
    )
    if any(_contains_text(arg) for arg in args) and ("bytes" in str(error) or "str" in str(error)):
        advice += " Strings in args arrive as bytes: decode them first."
    first_line = without_machine_paths(str(error).splitlines()[0]) if str(error) else ""
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
            return _with_first_mismatch(findings, error, varying)
    return findings


def _with_first_mismatch(
    findings: list[Finding], error: ElementMismatchError, varying: dict[str, Any]
) -> list[Finding]:
    """Adds the first element that does not fit, unless it is the varying dimension already reported."""
    advice = error.advice[:1].upper() + error.advice[1:]
    if advice.startswith("Channels first"):
        # A (3, H, W) image varies in its last dimension too: the transpose, not None, is the fix.
        where = f"at {error.path or 'the element'}:"
        kept = [finding for finding in findings if not finding.seen.startswith(where)]
        return [*kept, Finding("error", "signature-mismatch", str(error), advice + ".")]
    if error.problem == "shape" and error.path in varying:
        return findings
    generic = _MISMATCH_ADVICE[error.problem]
    advice = f"{advice}. {generic}" if advice else generic
    return [*findings, Finding("error", "signature-mismatch", str(error), advice)]


_MISMATCH_ADVICE = {
    "structure": "Yield exactly the signature's structure: a tuple for a tuple (a list is not a tuple), a "
    "dict with the same keys for a dict, one array per TensorSpec.",
    "dtype": "Yield the declared dtype, or declare the dtype you yield.",
    "shape": "Declare the dimensions that vary as None, or fix the generator's shapes.",
    "lossy": "TensorFlow would accept these values and silently change them. Convert explicitly in the "
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
                images.setdefault(path, []).extend(array.reshape(-1, *array.shape[-3:]))
    findings = []
    for path, arrays in images.items():
        means = _channel_means(arrays)
        if _channel_order(means) == "BGR":
            findings.append(
                Finding(
                    "hint",
                    "bgr-looking",
                    f"at {path or 'the element'}: over {len(arrays)} image(s) the first channel averages "
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
        images: one image (H, W, 3), a batch (N, H, W, 3) or a list of images of any sizes; uint8, or
            float in 0..1 or 0..255.

    Returns:
        "RGB", "BGR" or "unknown".
    """
    if isinstance(images, np.ndarray):
        arrays = list(images.reshape(-1, *images.shape[-3:]))
    else:
        arrays = [image for item in images for image in np.asarray(item).reshape(-1, *np.shape(item)[-3:])]
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
    totals = np.zeros(3)
    pixels = 0
    for image in images:
        flat = image.reshape(-1, image.shape[-1])
        scale = 255.0 if image.dtype == np.uint8 or (image.size and float(image.max()) > 1.5) else 1.0
        totals += flat.sum(axis=0, dtype=np.float64) / scale
        pixels += flat.shape[0]
    return totals / max(pixels, 1)


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
    # The args converted above for from_generator, so they convert here too (None only if they do not).
    elements = iter(generator_fn(*(_args_as_tensorflow_passes_them(args, []) or ())))
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
            declared = fixed[path][dimension]
            if declared is not None and len(seen) > 1:
                varying[path] = (dimension, seen, declared)
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
    if is_dense_spec(spec):
        yield path, value, spec


def _leaf_array(value: Any, spec: Any) -> np.ndarray | None:
    """The value as a numeric NumPy array, or None (None, text, ragged, sparse, nested lists)."""
    if value is None or isinstance(value, Mapping) or is_ragged_value(value) or is_sparse_value(value):
        return None
    if hasattr(value, "numpy") and not isinstance(value, np.ndarray):
        value = value.numpy()
    try:
        array = np.asarray(value)
    except (TypeError, ValueError):
        return None
    return None if array.dtype.kind in "USOV" else array


def _contains_text(value: Any) -> bool:
    if isinstance(value, str):
        return True
    if isinstance(value, (list, tuple)):
        return any(_contains_text(item) for item in value)
    return isinstance(value, np.ndarray) and value.dtype.kind == "U"
