"""TensorFlow imported with its load-time C++ lines kept off stderr, for the comparison command.

    tf = import_tensorflow_quietly()   # what `run_comparison` calls before it builds any dataset

It may import only the standard library (TensorFlow inside the function), so `--help` stays instant.
"""

from __future__ import annotations

import os
import re
import sys
import tempfile

__all__ = ["import_tensorflow_quietly"]


# Lines the TensorFlow and CUDA libraries print while they load, before TF_CPP_MIN_LOG_LEVEL applies
# (absl writes everything to stderr until its logging is initialised): harmless on a CPU-only machine.
_STARTUP_NOISE = re.compile(
    r"All log messages before absl::InitializeLog\(\) is called are written to STDERR"
    r"|oneDNN custom operations are on"
    r"|cudart_stub\.cc|Could not find cuda drivers|cuda_executor|cuInit"
    r"|Unable to register cu(DNN|FFT|BLAS) factory|computation_placer|TF-TRT Warning"
    r"|This TensorFlow binary is optimized to use available CPU instructions"
    r"|rebuild TensorFlow with the appropriate compiler flags"
)


def import_tensorflow_quietly():
    """Imports TensorFlow with its load-time C++ lines (absl, oneDNN, CUDA) kept off stderr; returns it.

    `TF_CPP_MIN_LOG_LEVEL` (set by `import helpers`) hides TensorFlow's own logging, but a few lines are
    printed while the libraries load, before that setting is read. They are captured at the file
    descriptor and dropped; any other line (a real error) is passed on to stderr.
    """
    if "tensorflow" in sys.modules:
        return sys.modules["tensorflow"]
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    sys.stderr.flush()
    saved = os.dup(2)
    with tempfile.TemporaryFile() as captured:
        os.dup2(captured.fileno(), 2)
        try:
            import tensorflow as tf
        finally:
            sys.stderr.flush()
            os.dup2(saved, 2)
            os.close(saved)
            captured.seek(0)
            for line in captured.read().decode(errors="replace").splitlines():
                if line.strip() and not _STARTUP_NOISE.search(line):
                    print(line, file=sys.stderr)
    return tf
