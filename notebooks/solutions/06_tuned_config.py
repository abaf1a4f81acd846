from helpers import measure
from helpers.exercises import performance as ex


def tuned_config(config):
    return config.replace(
        yield_mode="batch",  # one round trip into Python per batch
        decode_threads=measure.available_cores(),  # OpenCV lets go of the GIL: one thread per core
        opencv_threads=1,  # one level of parallelism
        prefetch="autotune",
    )


ex.check_tuned_config(tuned_config)
