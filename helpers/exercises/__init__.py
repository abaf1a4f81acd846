"""Self-checks for the notebooks' exercises: one module per notebook, all returning `Feedback`.

Usage:
    from helpers.exercises import simple_generator as ex
    ex.check_padded_ranges(make_padded_ranges)       # what is wrong and a hint, or that it is right

`_guards` holds what every check does to the learner's function (is it callable, call it and summarise
what it raised, is the result a dataset, iterate a bounded number of elements in a bounded time).
"""

from helpers.exercises.feedback import Feedback

__all__ = ["Feedback"]
