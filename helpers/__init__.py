"""Helpers for the from_generator lab kit: import this package before TensorFlow, to quiet its C++ logs.

import helpers  # noqa: F401
import tensorflow as tf
from helpers import images, pipelines, plots
"""

import os

# TensorFlow reads this once, at import. "3" hides its C++ log lines: the "failed call to cuInit" error every
# CPU-only machine prints, and the harmless "Error occurred when finalizing GeneratorDataset iterator:
# Cancelled" (tensorflow#35100). Real failures still raise, and Python-level warnings (deprecations) show.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

__all__: list[str] = []
