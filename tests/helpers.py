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


def write_cifar_layout(root, monkeypatch):
    """The tiny set written as torchvision's cifar-10-batches-py folder.

    Its md5 sums are not CIFAR10's, so torchvision's file list is pointed at
    these files' own sums (monkeypatch); the project's integrity checks then
    run for real on them. Returns the folder.
    """
    import hashlib
    import pickle

    import numpy as np
    from torchvision.datasets import CIFAR10

    import cifar

    folder = Path(root) / cifar.BATCH_FOLDER
    folder.mkdir(parents=True)
    train_images, train_labels = cifar.make_tiny_images(train=True)
    test_images, test_labels = cifar.make_tiny_images(train=False)

    def write(name, payload):
        with open(folder / name, "wb") as out:
            pickle.dump(payload, out)
        return [name, hashlib.md5((folder / name).read_bytes()).hexdigest()]

    def batch(images, labels):
        # CIFAR10 stores each image as 3072 bytes: all red, then green, then blue
        return {"data": np.asarray(images).transpose(0, 3, 1, 2).reshape(len(images), -1), "labels": list(labels)}

    chunks = np.array_split(np.arange(len(train_labels)), 5)
    train_list = [write(f"data_batch_{k + 1}", batch(train_images[idx], [train_labels[i] for i in idx]))
                  for k, idx in enumerate(chunks)]
    test_list = [write("test_batch", batch(test_images, test_labels))]
    meta_name, meta_md5 = write("batches.meta", {"label_names": list(cifar.CLASSES)})
    monkeypatch.setattr(CIFAR10, "train_list", train_list)
    monkeypatch.setattr(CIFAR10, "test_list", test_list)
    monkeypatch.setattr(CIFAR10, "meta", {"filename": meta_name, "key": "label_names", "md5": meta_md5})
    return folder
