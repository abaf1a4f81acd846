"""Checks what a generator yields against its signature before TensorFlow sees it, and diagnoses pipelines.

    from helpers import doctor
    dataset = tf.data.Dataset.from_generator(doctor.checked(pairs, SIGNATURE), args=(paths,),
                                             output_signature=SIGNATURE)
    doctor.diagnose(pairs, SIGNATURE, args=(paths,))        # a table of findings with advice

`checked` wraps a generator function so that every element is validated in Python by TensorFlow's own
conversion rules: an element TensorFlow would refuse (wrong structure, dtype or shape), or would accept
and silently change (1.7 -> 1, 300 -> 44 as uint8, 1e300 -> inf, None -> NaN), raises
`ElementMismatchError` naming the element and the place inside it, and saying which of the two it is.
Values TensorFlow converts exactly pass (3.0 for int64, [0, 1] for tf.bool). As with TensorFlow's own
conversion errors, the dataset's iterator goes on with the next element after a refused one.
`diagnose` runs a few elements and reports likely mistakes with advice.

The package: `_signature` (describing specs and values, TensorFlow's conversion path), `_validation`
(`checked`, `check_element`), `_diagnosis` (`diagnose` and its heuristics). TensorFlow is imported inside
the functions that need it.
"""

from helpers.doctor._diagnosis import (
    BGR_MARGIN,
    TINY_ELEMENT_BYTES,
    Diagnosis,
    Finding,
    diagnose,
    guess_channel_order,
)
from helpers.doctor._signature import conversion_path, suggest_signature
from helpers.doctor._validation import ElementMismatchError, check_element, checked

__all__ = [
    "BGR_MARGIN",
    "Diagnosis",
    "ElementMismatchError",
    "Finding",
    "TINY_ELEMENT_BYTES",
    "check_element",
    "checked",
    "conversion_path",
    "diagnose",
    "guess_channel_order",
    "suggest_signature",
]
