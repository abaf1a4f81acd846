"""helpers.messages: stable one-line error texts and kept log messages."""

import logging
import subprocess
import sys

import numpy as np
import pytest

from helpers import messages
from helpers.paths import REPO_ROOT


class FakeOpError(Exception):
    """Shaped like TensorFlow's OpError: the text is in `.message`."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


def test_error_summary_keeps_the_inner_error_and_drops_the_noise():
    raw = (
        "{{function_node __wrapped__IteratorGetNext_output_types_7_device_/job:localhost/replica:0/task:0"
        "/device:CPU:0}} TypeError: `generator` yielded an element of shape (4,) where an element of "
        'shape (3,) was expected.\nTraceback (most recent call last):\n\n  File "/somewhere/x.py", '
        "line 1, in f\n    boom\n\n [Op:IteratorGetNext] name: "
    )
    assert messages.error_summary(FakeOpError(raw)) == (
        "FakeOpError: TypeError: `generator` yielded an element of shape (4,) where an element of "
        "shape (3,) was expected."
    )


def test_error_summary_strips_op_suffix_without_traceback():
    raw = "{{function_node n}} Input dataset was expected to contain 5 elements. [Op:IteratorGetNext] name: "
    assert messages.error_summary(FakeOpError(raw)) == (
        "FakeOpError: Input dataset was expected to contain 5 elements."
    )


def test_error_summary_of_a_plain_python_error():
    assert messages.error_summary(TypeError("The dataset length is unknown.")) == (
        "TypeError: The dataset length is unknown."
    )


def test_error_summary_makes_repo_paths_relative():
    error = FileNotFoundError(f"no such file: {REPO_ROOT}/sample_images/missing.jpg")
    assert messages.error_summary(error) == "FileNotFoundError: no such file: sample_images/missing.jpg"


def test_error_summary_of_an_empty_message_is_the_type_name():
    assert messages.error_summary(ZeroDivisionError()) == "ZeroDivisionError"


def test_error_summary_of_real_from_generator_errors():
    """Raised by TensorFlow itself: node name, traceback (with machine paths) and op suffix are dropped."""
    import tensorflow as tf

    def wrong_shape():
        yield np.zeros(4, np.float32)

    def raises_naming_a_repo_file():
        yield 1.0
        raise ValueError(f"cannot read {REPO_ROOT}/sample_images/x.jpg")

    cases = [
        (
            wrong_shape,
            tf.TensorSpec((3,), tf.float32),
            "InvalidArgumentError: TypeError: `generator` yielded an element of shape (4,) where an element "
            "of shape (3,) was expected.",
        ),
        (
            raises_naming_a_repo_file,
            tf.TensorSpec((), tf.float32),
            "InvalidArgumentError: ValueError: cannot read sample_images/x.jpg",
        ),
    ]
    for generator, signature, expected in cases:
        dataset = tf.data.Dataset.from_generator(generator, output_signature=signature)
        with pytest.raises(tf.errors.InvalidArgumentError) as caught:
            list(dataset)
        raw = str(caught.value)
        assert raw.startswith("{{function_node") and "Traceback (most recent call last)" in raw
        assert messages.error_summary(caught.value) == expected


def test_log_keeper_keeps_messages_without_caller_location_and_detaches():
    logger = logging.getLogger("test_messages.keeper")
    kept = messages.keep_log_messages("test_messages.keeper")
    logger.warning("From /tmp/ipykernel_12/3456.py:4: calling f (from m) with x is deprecated.")
    logger.warning("plain %s", "text")
    kept.close()
    logger.warning("after closing")
    assert kept.messages == ["calling f (from m) with x is deprecated.", "plain text"]
    assert kept not in logger.handlers


def test_keep_log_messages_leaves_other_handlers_working(caplog):
    kept = messages.keep_log_messages("test_messages.others")
    try:
        logging.getLogger("test_messages.others").warning("From C:\\x\\y.py:9: both see this")
    finally:
        kept.close()
    assert kept.messages == ["both see this"]
    assert "both see this" in caplog.text


@pytest.mark.parametrize("module", ["helpers.messages", "helpers.exercises.simple_generator"])
def test_module_does_not_import_tensorflow(module):
    code = f"import sys, {module}; print('tensorflow' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"


def test_error_summary_drops_keras_bold_xla_attributes_and_trace_counters():
    raw = (
        "Detected unsupported operations when trying to compile graph __inference_f_6[_XlaMustCompile=true,"
        "config_proto=135,executor_type=111] on XLA_CPU_JIT: PyFunc\n\x1b[1mInput 0 is incompatible\x1b[0m"
    )
    assert messages.error_summary(FakeOpError(raw)) == (
        "FakeOpError: Detected unsupported operations when trying to compile graph __inference_f on "
        "XLA_CPU_JIT: PyFunc\nInput 0 is incompatible"
    )


@pytest.mark.parametrize(
    ("raw", "stable"),
    [
        (
            "W0000 00:00:1796631345.011552   13825 dataset.cc:997] Input of GeneratorDatasetOp::Dataset",
            "W dataset.cc:997] Input of GeneratorDatasetOp::Dataset",
        ),
        ("Thread 0x00007f4fbdffb6c0 (most recent call first):", "Thread (most recent call first):"),
        ('  File "/usr/lib/python3.11/queue.py", line 171 in get', '  File "queue.py" in get'),
        ('  File "<string>", line 7, in tasks', '  File "<string>", line 7 in tasks'),
        (
            "/x/venv/lib/python3.11/site-packages/keras/src/a.py:164: UserWarning: ran out",
            "<site-packages>/keras/src/a.py:164: UserWarning: ran out",
        ),
        (f"cannot read {REPO_ROOT}/sample_images/x.jpg", "cannot read sample_images/x.jpg"),
        ("\x1b[1mbold\x1b[0m", "bold"),
    ],
)
def test_stable_line(raw, stable):
    assert messages.stable_line(raw) == stable


def test_fresh_process_lines_runs_without_the_kits_log_setting_and_keeps_the_order():
    script = (
        "import os, sys\n"
        "print('level:', os.environ.get('TF_CPP_MIN_LOG_LEVEL'), flush=True)\n"
        "sys.stderr.write('W0000 00:00:1796631345.011552   13825 dataset.cc:997] logged\\n')\n"
        "print('after', flush=True)\n"
    )
    assert messages.fresh_process_lines(script) == ["level: None", "W dataset.cc:997] logged", "after"]


def test_fresh_process_lines_stops_a_process_that_hangs():
    script = "import time\nprint('started', flush=True)\ntime.sleep(60)"
    assert messages.fresh_process_lines(script, timeout_seconds=3) == ["started", "(stopped after 3 s)"]
