"""Self-checks for the notebooks' exercises: one module per notebook, all returning `Feedback`.

from helpers.exercises import simple_generator as ex
ex.check_padded_ranges(make_padded_ranges)       # what is wrong and a hint, or that it is right
"""

from helpers.exercises.feedback import Feedback

__all__ = ["Feedback"]
