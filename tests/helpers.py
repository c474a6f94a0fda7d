"""Small things several test files need."""
import importlib
from pathlib import Path

from tensorboard.backend.event_processing.event_accumulator import EventAccumulator


def lesson(name):
    return importlib.import_module(name)


def run_lesson(name, *argv):
    """Import lessons/<name>.py and run its main() with these flags."""
    return lesson(name).main([str(a) for a in argv])


def read_events(logdir):
    """Everything TensorBoard would show for one run folder."""
    files = list(Path(logdir).glob("events.out.tfevents.*"))
    assert files, f"no TensorBoard event file in {logdir}"
    accumulator = EventAccumulator(str(logdir), size_guidance={"images": 0, "scalars": 0})
    accumulator.Reload()
    return accumulator


def image_steps(accumulator, tag):
    return [event.step for event in accumulator.Images(tag)]
