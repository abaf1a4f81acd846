"""Helpers for the from_generator lab kit.

Import this package before TensorFlow so TensorFlow's C++ start-up logs stay quiet.

Usage:
    import helpers  # noqa: F401  (quiets TensorFlow's C++ logs)
    import tensorflow as tf
    from helpers import images, pipelines, plots

Submodules that do not need TensorFlow never import it, so they stay fast to import and to test.
"""

import os

# TensorFlow reads this once, at import. "3" hides its C++ log lines: the "failed call to cuInit" error every
# CPU-only machine prints, and the harmless "Error occurred when finalizing GeneratorDataset iterator:
# Cancelled" (tensorflow#35100). Real failures still reach Python as exceptions, and Python-level warnings
# (deprecations) still show. A few lines logged before TensorFlow initialises its logging (oneDNN, CUDA
# drivers) ignore this setting; they are harmless.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

__all__: list[str] = []
