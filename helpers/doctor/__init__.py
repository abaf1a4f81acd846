"""Checks what a generator yields against its signature before TensorFlow sees it, and diagnoses pipelines.

    from helpers import doctor
    dataset = tf.data.Dataset.from_generator(doctor.checked(pairs, SIGNATURE), args=(paths,),
                                             output_signature=SIGNATURE)
    doctor.diagnose(pairs, SIGNATURE, args=(paths,))        # a table of findings with advice

`checked` (`_validation`) puts each element through TensorFlow's own conversion first: one TensorFlow
would refuse or silently change (1.7 -> 1, 300 -> 44 as uint8) raises `ElementMismatchError`, naming the
element and the place inside it. `diagnose` (`_diagnosis`) reports likely mistakes, with advice.
"""

from helpers.doctor._diagnosis import Diagnosis, Finding, diagnose, guess_channel_order
from helpers.doctor._validation import ElementMismatchError, check_element, checked, conversion_path

__all__ = [
    "Diagnosis",
    "ElementMismatchError",
    "Finding",
    "check_element",
    "checked",
    "conversion_path",
    "diagnose",
    "guess_channel_order",
]
