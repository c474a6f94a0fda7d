"""A smoke test of the benchmarks: every part runs on a few batches and
reports a throughput. (The real measurement is `python bench/train_speed.py`
and `python bench/accuracy.py`, never part of the test suite.)"""
import importlib.util
import json

import pytest
import torch
import torchvision

from helpers import REPO_ROOT


def load(name):
    spec = importlib.util.spec_from_file_location(name, REPO_ROOT / "bench" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def bench():
    return load("train_speed")


def quick_args(bench, tmp_path):
    return bench.main.__globals__["argparse"].Namespace(
        data_root=None, device="cpu", images=128, course_images=12, repeats=1, warmup=1,
        ceiling_batches=[32, 64], scratch=str(tmp_path))


def test_every_part_measures_something(bench, tmp_path):
    args = quick_args(bench, tmp_path)
    course = bench.run_part("a", args)
    assert course["batch_size"] == 1 and course["images"] == 12 - args.warmup
    assert course["images_per_s"] > 0
    later = bench.run_part("b", args)
    assert later["batch_size"] == 64 and later["images_per_s"] > 0

    import p23_nn_optim
    from support import data, training
    both = bench.run_part("cd", args)
    p23, ceiling = both["c"], both["d"]
    assert len(p23["epochs"]) == 2 and p23["images"] == 2 * 128
    assert p23["settings"] == {"adam": {"lr": 3e-3}} and p23["batch_size"] == 128
    assert p23["images_per_s"] == p23["per_epoch"][1] > 0   # the first epoch only warms up
    # the benchmark put p23's data source and the epoch hook back
    assert p23_nn_optim.cifar10_ready is data.cifar10_ready
    assert training.Record.epoch.__qualname__ == "Record.epoch"
    assert torchvision.datasets.CIFAR10 is data.REAL_CIFAR10
    assert set(ceiling["by_batch_size"]) == {32, 64}
    assert ceiling["batch_size"] == max(ceiling["by_batch_size"], key=ceiling["by_batch_size"].get)
    assert len(ceiling["repeats"]) == 2 and ceiling["images_per_s"] == ceiling["repeats"][1]

    amp = bench.run_part("e", args)["e"]
    assert len(amp["epochs"]) == 2 and amp["batch_size"] == 128 and amp["images_per_s"] > 0


def test_made_up_data_is_cifar10_shaped(bench, tmp_path):
    images, labels = bench.images_and_labels(quick_args(bench, tmp_path))
    assert images.shape == (128, 32, 32, 3) and images.dtype.name == "uint8"
    assert len(labels) == 128 and set(labels) <= set(range(10))
    dataset = bench.per_image_dataset(images, labels)
    image, label = dataset[0]
    assert image.shape == torch.Size([3, 32, 32]) and 0 <= image.min() <= image.max() <= 1


def test_the_report_names_the_machine_and_its_instructions(bench):
    said = bench.machine("cpu")
    for fact in ("AVX-512", "bfloat16", "AMX", "cores", "torch"):
        assert fact in said


def test_accuracy_child_reports_the_lessons_own_accuracy(tmp_path, capsys):
    accuracy = load("accuracy")
    accuracy.child("p23_nn_optim", ["--tiny", "--device", "cpu", "--epochs", "1"], tmp_path)
    line = next(l for l in capsys.readouterr().out.splitlines() if l.startswith("RESULT "))
    result = json.loads(line[len("RESULT "):])
    assert 0.1 <= result["accuracy"] <= 1 and result["seconds"] > 0
    assert [row[1] for row in accuracy.ROWS].count("p26_train") == 3
