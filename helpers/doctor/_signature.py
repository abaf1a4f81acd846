"""Signatures and values in words and code: kinds of spec, TensorFlow's conversion path, descriptions.

    from helpers.doctor import _signature
    _signature.conversion_path(tf.TensorSpec(shape=(None,), dtype=tf.int64))   # "numpy"
    _signature.describe_value(np.zeros((2, 3)))        # "an array, float64 shape (2, 3)"

Shared by the validation (`_validation`) and the diagnosis (`_diagnosis`); TensorFlow is imported only
inside the functions that build specs.
"""

from __future__ import annotations

import inspect
from collections.abc import Mapping, Sequence
from typing import Any, Literal

import numpy as np

from helpers.paths import without_machine_paths

__all__ = [
    "ConversionPath",
    "conversion_path",
    "describe_array",
    "describe_spec",
    "describe_value",
    "dims_text",
    "is_dense_spec",
    "is_namedtuple",
    "is_ragged_spec",
    "is_ragged_value",
    "is_sparse_spec",
    "is_sparse_value",
    "shape_text",
    "short_repr",
    "signature_code",
    "signature_problem",
    "suggest_signature",
]

ConversionPath = Literal["numpy", "tensor"]


def is_dense_spec(spec: Any) -> bool:
    """A `tf.TensorSpec` (or a subclass such as `BoundedTensorSpec`)."""
    return any(cls.__name__ == "TensorSpec" for cls in type(spec).__mro__)


def is_ragged_spec(spec: Any) -> bool:
    return type(spec).__name__ == "RaggedTensorSpec"


def is_sparse_spec(spec: Any) -> bool:
    return type(spec).__name__ == "SparseTensorSpec"


def is_ragged_value(value: Any) -> bool:
    return type(value).__name__ == "RaggedTensor"


def is_sparse_value(value: Any) -> bool:
    return type(value).__name__ in ("SparseTensor", "SparseTensorValue")


def is_namedtuple(value: Any) -> bool:
    return isinstance(value, tuple) and hasattr(type(value), "_fields")


def _leaf_specs(signature: Any) -> list[Any]:
    if isinstance(signature, Mapping):
        return [spec for value in signature.values() for spec in _leaf_specs(value)]
    if isinstance(signature, tuple):
        return [spec for value in signature for spec in _leaf_specs(value)]
    return [signature]


def conversion_path(signature: Any) -> ConversionPath:
    """Which of its two conversions `from_generator` applies to elements for this signature.

    As in TensorFlow's `from_generator_op.py`: when every part is a `tf.TensorSpec` and the structure's
    dtypes and shapes are both "truthy" (so not one spec of unknown shape, `shape=None`), each value goes
    through NumPy (`np.asarray(value).astype(dtype)`: anything castable is cast). Otherwise (a ragged or
    sparse part, or a single unknown-shape spec) each value goes through `tf.convert_to_tensor(value,
    dtype)`, which refuses Python floats for integers, strings for numbers, and tensors of another dtype.
    """
    if not all(is_dense_spec(spec) for spec in _leaf_specs(signature)):
        return "tensor"
    if isinstance(signature, (Mapping, tuple)):
        return "numpy" if len(signature) else "tensor"
    return "numpy" if signature.shape.rank is not None else "tensor"


def signature_problem(signature: Any, path: str = "") -> str | None:
    """Why `signature` is not TypeSpecs nested in tuples and dicts (as from_generator needs), or None."""
    if isinstance(signature, Mapping):
        items = [(f"{path}[{key!r}]", spec) for key, spec in signature.items()]
    elif isinstance(signature, tuple):
        items = [(f"{path}[{position}]", spec) for position, spec in enumerate(signature)]
    elif is_dense_spec(signature) or is_ragged_spec(signature) or is_sparse_spec(signature):
        return None
    else:
        advice = " (use a tuple: round brackets)" if isinstance(signature, list) else ""
        return (
            "output_signature must be tf.TensorSpec / tf.RaggedTensorSpec / tf.SparseTensorSpec nested in "
            f"tuples and dicts; found {describe_value(signature)} at {path or 'the top'}{advice}"
        )
    return next(
        (problem for item_path, spec in items if (problem := signature_problem(spec, item_path))), None
    )


def shape_text(shape: Sequence[int | None] | None) -> str:
    return "of unknown shape" if shape is None else "shape " + dims_text(shape)


def dims_text(shape: Sequence[int | None]) -> str:
    """(None, 224, 3) as Python source; (3,) for one dimension."""
    dims = ["None" if dim is None else str(dim) for dim in shape]
    return "(" + ", ".join(dims) + ("," if len(dims) == 1 else "") + ")"


def _spec_shape(spec: Any) -> tuple[int | None, ...] | None:
    return tuple(spec.shape.as_list()) if spec.shape.rank is not None else None


def describe_spec(spec: Any) -> str:
    """E.g. "float32 shape (None, 3)", "ragged int32 shape (2, None) (ragged_rank 1, row_splits int64)"."""
    if isinstance(spec, Mapping):
        return "a dict with keys " + str(sorted(spec, key=str))
    if is_namedtuple(spec):
        return f"a {type(spec).__name__} namedtuple of {len(spec)}"
    if isinstance(spec, tuple):
        return f"a tuple of {len(spec)}"
    text = f"{spec.dtype.name} {shape_text(_spec_shape(spec))}"
    if is_ragged_spec(spec):
        return f"ragged {text} (ragged_rank {spec.ragged_rank}, row_splits {spec.row_splits_dtype.name})"
    if is_sparse_spec(spec):
        return f"sparse {text}"
    return text


def describe_value(value: Any) -> str:
    """What a value is, in a few words: "a list of 2", "an array, uint8 shape (3, 64, 64)", "str '1'"."""
    if value is None:
        return "None"
    if inspect.isgenerator(value):
        return "a generator object"
    if isinstance(value, Mapping):
        return f"a dict with keys {sorted(value, key=str)}"
    if is_namedtuple(value):
        return f"a {type(value).__name__} namedtuple of {len(value)}"
    if isinstance(value, (tuple, list)):
        return f"a {type(value).__name__} of {len(value)}"
    if isinstance(value, np.ndarray):
        return f"an array, {describe_array(value)}"
    if is_ragged_value(value):
        return (
            f"a RaggedTensor, {value.dtype.name} {shape_text(value.shape.as_list())} "
            f"(ragged_rank {value.ragged_rank}, row_splits {value.row_splits.dtype.name})"
        )
    if is_sparse_value(value):
        dense_shape = [int(size) for size in np.asarray(value.dense_shape)]
        return f"a SparseTensor, {_dtype_name(value.values)} dense shape {dims_text(dense_shape)}"
    if hasattr(value, "numpy") and hasattr(value, "dtype"):
        return f"a tf.Tensor, {value.dtype.name} {shape_text(value.shape.as_list())}"
    if isinstance(value, (str, bytes, int, float, bool, complex, np.generic)):
        text = repr(value.item() if isinstance(value, np.generic) else value)
        return f"{type(value).__name__} {text[:40]}"
    return f"a {type(value).__name__}"


def _dtype_name(values: Any) -> str:
    dtype = getattr(values, "dtype", None)
    return getattr(dtype, "name", str(dtype))


def describe_array(array: np.ndarray) -> str:
    text = array.dtype.kind in "US" or (
        array.dtype.kind == "O" and array.size and all(isinstance(item, (str, bytes)) for item in array.flat)
    )
    return f"{'str' if text else array.dtype} {shape_text(array.shape)}"


def signature_code(signature: Any) -> str:
    """The signature as Python source, e.g. `(tf.TensorSpec(shape=(None,), dtype=tf.float32), ...)`."""
    if isinstance(signature, Mapping):
        return "{" + ", ".join(f"{key!r}: {signature_code(spec)}" for key, spec in signature.items()) + "}"
    if isinstance(signature, tuple):
        items = [signature_code(spec) for spec in signature]
        return "(" + ", ".join(items) + ("," if len(items) == 1 else "") + ")"
    shape = "None" if signature.shape.rank is None else dims_text(signature.shape.as_list())
    if is_ragged_spec(signature):
        return (
            f"tf.RaggedTensorSpec(shape={shape}, dtype=tf.{signature.dtype.name}, "
            f"ragged_rank={signature.ragged_rank})"
        )
    if is_sparse_spec(signature):
        return f"tf.SparseTensorSpec(shape={shape}, dtype=tf.{signature.dtype.name})"
    return f"tf.TensorSpec(shape={shape}, dtype=tf.{signature.dtype.name})"


def suggest_signature(elements: Sequence[Any]) -> Any:
    """Suggests an `output_signature` for sampled elements: dimensions that vary become None.

    float64 is suggested as float32 (what models use); Python ints give int64; text gives tf.string;
    lists become tuples (from_generator needs tuples); tf.RaggedTensor and tf.SparseTensor values give a
    RaggedTensorSpec / SparseTensorSpec.

    Args:
        elements: elements yielded by the generator (at least one), all of the same structure.

    Returns:
        `tf.TensorSpec`s (and ragged or sparse specs) nested like the first element.
    """
    import tensorflow as tf

    first = elements[0]
    if isinstance(first, Mapping):
        return {key: suggest_signature([element[key] for element in elements]) for key in first}
    if isinstance(first, (tuple, list)) and not _is_leaf_list(first):
        return tuple(suggest_signature([element[i] for element in elements]) for i in range(len(first)))
    if is_ragged_value(first):
        spec = tf.type_spec_from_value(first)
        return tf.RaggedTensorSpec(
            shape=[None] + spec.shape.as_list()[1:],
            dtype=spec.dtype,
            ragged_rank=spec.ragged_rank,
            row_splits_dtype=spec.row_splits_dtype,
        )
    if is_sparse_value(first):
        spec = tf.type_spec_from_value(tf.SparseTensor.from_value(first))
        return tf.SparseTensorSpec(shape=[None] * spec.shape.rank, dtype=spec.dtype)
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


def short_repr(value: Any) -> str:
    text = without_machine_paths(repr(value.tolist() if isinstance(value, np.ndarray) else value))
    return text if len(text) <= 60 else text[:57] + "..."
