"""P14 DataLoader: batches with and without drop_last, shuffling, TensorBoard."""
import numpy as np
import pytest
import torchvision

from helpers import image_steps, read_events, run_lesson
from support import data, files


def test_p14_batches_with_and_without_drop_last(tmp_path):
    result = run_lesson("p14_dataloader", "--tiny", "--logdir", tmp_path, "--batch-size", "16")
    assert (result["batches"], result["batches_drop_last"]) == (7, 6)
    assert result["img_shape"] == [3, 32, 32] and result["real"] is False
    assert result["first_targets"][0] != result["first_targets"][1]       # shuffle=True
    events = read_events(tmp_path)
    assert set(events.Tags()["images"]) == {"Epoch: 0", "Epoch: 1"}
    assert image_steps(events, "Epoch: 1") == [0, 1, 2, 3]
    # the settings the learners' notes name, read back from the lesson's own DataLoader
    assert result["settings"] == {"batch_size": 16, "shuffle": True, "num_workers": 0, "drop_last": True,
                                  "sampler": "RandomSampler", "batch_sampler": "BatchSampler",
                                  "collate_fn": "default_collate", "pin_memory": False, "timeout": 0}


def test_p14_batch_bigger_than_the_split(tmp_path):
    with pytest.raises(files.LessonError, match="500") as error:
        run_lesson("p14_dataloader", "--tiny", "--logdir", tmp_path, "--batch-size", "500")
    assert "100" in str(error.value) and "\n" not in str(error.value)


def test_p14_on_a_split_the_size_of_cifar10s(tmp_path, monkeypatch):
    class Big(data.TinyCIFAR10):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.data, self.targets = np.concatenate([self.data] * 100), self.targets * 100   # 10,000 pictures

    monkeypatch.setattr(data, "TinyCIFAR10", Big)
    result = run_lesson("p14_dataloader", "--tiny", "--logdir", tmp_path, "--log-batches", "1", "--num-workers", "1")
    assert (result["batches"], result["batches_drop_last"]) == (157, 156)
    assert isinstance(torchvision.datasets.CIFAR10, type)
