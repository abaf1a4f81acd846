"""helpers.timeline: lane order shared by the recorder and the plot."""

from helpers import timeline


def test_lanes_are_ordered_by_shard_number_with_the_consumer_last():
    names = ["consumer", "producer 10", "producer 2", "producer 2", "producer"]
    assert timeline.ordered_lanes(names) == ["producer 2", "producer 10", "producer", "consumer"]


def test_the_recorder_and_the_plot_order_lanes_alike():
    recorder = timeline.TimelineRecorder()
    for lane in ("consumer", timeline.producer_lane(1), timeline.producer_lane(0)):
        recorder.add(lane, timeline.PRODUCE, 0.0, 1.0)
    assert recorder.lanes() == timeline.ordered_lanes(e.lane for e in recorder.events())
    assert recorder.lanes()[-1] == timeline.CONSUMER_LANE
