"""Checks what a generator yields against its signature before TensorFlow sees it, and diagnoses pipelines.

    from helpers import doctor
    dataset = tf.data.Dataset.from_generator(doctor.checked(pairs, SIGNATURE), args=(paths,),
                                             output_signature=SIGNATURE)
    doctor.diagnose(pairs, SIGNATURE, args=(paths,))        # a table of findings with advice

`checked` wraps a generator function so that each element goes through TensorFlow's own conversion
first: an element TensorFlow would refuse (with TensorFlow's own error), or would accept and silently
change (1.7 -> 1, 300 -> 44 as uint8, None -> nan), raises `ElementMismatchError` naming the element and
the place inside it. `diagnose` runs a few elements and reports likely mistakes with advice.

The package: `_validation` (`checked`, `check_element`, `conversion_path`), `_diagnosis` (`diagnose`, its
heuristics, `suggest_signature`). TensorFlow is imported inside the functions that need it.
"""

from helpers.doctor._diagnosis import (
    BGR_MARGIN,
    TINY_ELEMENT_BYTES,
    Diagnosis,
    Finding,
    diagnose,
    guess_channel_order,
    suggest_signature,
)
from helpers.doctor._validation import ElementMismatchError, check_element, checked, conversion_path

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
