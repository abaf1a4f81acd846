"""helpers.exercises.performance: the notebook 05 self-checks accept right answers and explain wrong ones."""

from __future__ import annotations

import pytest

from helpers import measure, timeline
from helpers.exercises import performance as ex


def right_fraction(events):
    consumer = [e for e in events if e.lane == timeline.CONSUMER_LANE]
    waiting = sum(e.duration_seconds for e in consumer if e.kind == timeline.WAIT)
    training = sum(e.duration_seconds for e in consumer if e.kind == timeline.TRAIN_STEP)
    return waiting / (waiting + training)


def test_wait_fraction_accepts_the_right_answer():
    assert ex.check_wait_fraction(right_fraction).passed


def test_wait_fraction_explains_typical_mistakes():
    assert "returned None" in ex.check_wait_fraction(lambda events: None).message
    including_producers = ex.check_wait_fraction(
        lambda events: (
            sum(e.duration_seconds for e in events if e.kind == timeline.WAIT)
            / sum(e.duration_seconds for e in events)
        )
    )
    assert not including_producers.passed and "consumer" in including_producers.hint
    training_share = ex.check_wait_fraction(lambda events: 1 - right_fraction(events))
    assert not training_share.passed and "training share" in training_share.hint
    raising = ex.check_wait_fraction(lambda events: events[0].colour)
    assert "AttributeError" in raising.message


def test_example_timelines_hold_their_stated_fractions():
    for events, expected in ex.example_timelines().values():
        assert abs(right_fraction(events) - expected) < 1e-9


# A core count no test machine is likely to have, so the check must take it from measure.available_cores.
CORES = 3


@pytest.fixture(autouse=True)
def three_cores(monkeypatch):
    monkeypatch.setattr(measure, "available_cores", lambda: CORES)


def tuned(config, **changes):
    settings = {"yield_mode": "batch", "decode_threads": CORES, "opencv_threads": 1, "prefetch": "autotune"}
    return config.replace(**{**settings, **changes})


def test_tuned_config_accepts_the_lab_s_findings():
    feedback = ex.check_tuned_config(tuned)
    assert feedback.passed, feedback


def test_tuned_config_wants_one_decode_thread_per_available_core():
    feedback = ex.check_tuned_config(lambda c: tuned(c, decode_threads=CORES - 1))
    assert not feedback.passed
    assert f"decode_threads is {CORES - 1}" in feedback.message and f"{CORES} cores" in feedback.message


def test_tuned_config_reports_what_the_learner_s_function_raised():
    def raising(config):
        raise KeyError("yield_mode")

    feedback = ex.check_tuned_config(raising)
    assert not feedback.passed
    assert feedback.message == "Your function raised KeyError: 'yield_mode'"


def test_tuned_config_names_the_setting_that_is_off():
    assert "returned None" in ex.check_tuned_config(lambda c: None).message
    assert "yield_mode" in ex.check_tuned_config(lambda c: c).message
    only_batch = ex.check_tuned_config(lambda c: c.replace(yield_mode="batch"))
    assert "decode_threads" in only_batch.message
    default_opencv = ex.check_tuned_config(lambda c: tuned(c, opencv_threads=0))
    assert "opencv_threads" in default_opencv.message and "compete" in default_opencv.hint
    smaller = ex.check_tuned_config(lambda c: c.replace(image_count=2))
    assert "image_count" in smaller.message
