"""P26-P32: the full training script, training on a GPU (or not), predicting a picture, argparse."""
import io
import math
from unittest import mock

import numpy as np
import pytest
import torch
from PIL import Image

import common
from helpers import read_events, run_lesson
from models import Tudui


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """P26 on the tiny set: small batches, so two epochs are enough steps to learn it."""
    folder = tmp_path_factory.mktemp("p26")
    result = run_lesson("p26_train", "--tiny", "--device", "cpu", "--epochs", "3", "--batch-size", "16",
                        "--print-every", "5", "--out-dir", folder / "checkpoints", "--logdir", folder / "logs")
    return folder, result


def test_p26_loss_falls_accuracy_rises_and_everything_is_logged(trained):
    folder, result = trained
    assert result["test_loss"][0] > result["test_loss"][-1]
    assert result["test_accuracy"][-1] > result["test_accuracy"][0] and result["test_accuracy"][-1] > 0.5
    events = read_events(folder / "logs")
    assert {"train_loss", "test_loss", "test_accuracy"} <= set(events.Tags()["scalars"])
    assert [e.step for e in events.Scalars("test_accuracy")] == [0, 1, 2]       # total_test_step
    assert [e.value for e in events.Scalars("test_accuracy")] == pytest.approx(result["test_accuracy"])
    # 200 images in batches of 16: 13 steps an epoch, the loss logged every 5 steps
    assert [e.step for e in events.Scalars("train_loss")] == list(range(5, 3 * 13 + 1, 5))


def test_p26_checkpoints_load_back_with_equal_outputs(trained):
    folder, result = trained
    names = sorted(p.name for p in (folder / "checkpoints").iterdir())
    assert names == ["tudui_0.pth", "tudui_1.pth", "tudui_2.pth"]          # the course's names
    saved = torch.load(folder / "checkpoints" / "tudui_2.pth", weights_only=True)
    assert saved["normalize"] is True and saved["epoch"] == 2
    import p31_predict
    tudui, normalize = p31_predict.load_tudui(folder / "checkpoints" / "tudui_2.pth", "cpu")
    again = Tudui()
    again.load_state_dict(saved["state_dict"])
    x = torch.rand(4, 3, 32, 32)
    tudui.eval(), again.eval()
    assert torch.equal(tudui(x), again(x)) and normalize is True


def test_p26_keep_and_video_preset(tmp_path):
    result = run_lesson("p26_train", "--tiny", "--device", "cpu", "--video", "--epochs", "2", "--keep", "1",
                        "--out-dir", tmp_path / "ck", "--logdir", tmp_path / "logs")
    assert sorted(p.name for p in (tmp_path / "ck").iterdir()) == ["tudui_1.pth"]
    assert result["steps"] == 2 * math.ceil(200 / 64)                       # the video's batch 64
    assert torch.load(tmp_path / "ck" / "tudui_1.pth", weights_only=True)["normalize"] is False


def test_p26_shows_argmax_and_train_eval(capsys):
    from p26_train import show_argmax, show_train_eval

    assert show_argmax() == 1
    modes = show_train_eval()
    assert modes["dropout_eval"] == [1.0] * 8
    assert set(modes["dropout_train"]) <= {0.0, 2.0} and 0.0 in modes["dropout_train"]


def test_p29_runs_on_a_cpu_only_machine(monkeypatch, tmp_path, capsys):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    result = run_lesson("p29_train_gpu_1", "--tiny", "--logdir", tmp_path, "--print-every", "1")
    assert result["device"] == "cpu" and result["steps"] == math.ceil(200 / 64)
    out = capsys.readouterr().out
    assert "torch.cuda.is_available() = False: every .cuda() below is skipped" in out
    assert "训练次数：1, Loss:" in out


def test_p30_to_device_times_each_device(device):
    result = run_lesson("p30_train_gpu_2", "--tiny", "--device", device)
    assert "cpu" in result["timings"]
    assert len(result["timings"]) == (1 if device == "cpu" else 2)
    assert all(t["seconds_per_epoch"] > 0 for t in result["timings"].values())
    from p30_train_gpu_2 import show_in_place_or_not
    assert show_in_place_or_not() == {"module_in_place": True, "tensor_unchanged": True}


@pytest.mark.parametrize("lesson, flags", [
    ("p23_nn_optim", ["--epochs", "1"]),
    ("p26_train", ["--epochs", "1"]),
    ("p30_train_gpu_2", []),
])
def test_amp_runs_and_keeps_the_loss_finite(lesson, flags, tmp_path, device, capsys):
    extra = ["--logdir", tmp_path] if lesson != "p30_train_gpu_2" else []
    if lesson == "p26_train":
        extra += ["--out-dir", tmp_path / "ck"]
    result = run_lesson(lesson, "--tiny", "--device", device, "--amp", *flags, *extra)
    assert "--amp: autocast" in capsys.readouterr().out
    if lesson == "p23_nn_optim":
        assert math.isfinite(result["histories"]["adam"]["running_loss"][0])
    elif lesson == "p26_train":
        assert math.isfinite(result["test_loss"][0])
    else:
        assert all(0 <= t["accuracy"] <= 1 for t in result["timings"].values())


def test_amp_choice_per_device(monkeypatch):
    _, scaler, said = common.mixed_precision(torch.device("cpu"), True)
    assert scaler is None and "bfloat16" in said
    assert "float32" in common.mixed_precision(torch.device("cpu"), False)[2]


# ---------------------------------------------------------------- P31
def predict(trained, tmp_path, *flags):
    folder, _ = trained
    return run_lesson("p31_predict", "--tiny", "--device", "cpu", "--checkpoint", folder / "checkpoints" / "tudui_2.pth",
                      "--out-dir", tmp_path / "predictions", "--logdir", tmp_path / "logs", *flags)


def test_p31_names_the_class_of_tiny_set_pictures(trained, tmp_path):
    result = predict(trained, tmp_path, "--samples", "10")
    predictions = result["predictions"]
    assert len(predictions) == 10 and {p["true"] for p in predictions} == set(__import__("cifar").CLASSES)
    right = sum(p["class"] == p["true"] for p in predictions)
    assert right >= 8
    first = predictions[0]
    assert Image.open(first["seen"]).size == (32, 32)
    assert (tmp_path / "predictions" / "samples").is_dir()
    events = read_events(tmp_path / "logs")
    assert len(events.Tags()["images"]) == 20      # each picture and what the network saw


def test_p31_takes_rgba_grey_and_big_pictures(trained, tmp_path, capsys):
    import cifar
    images, labels = cifar.make_tiny_images(train=False)
    truck = images[labels.index(9)]
    big = Image.fromarray(truck).resize((640, 480))
    rgba = big.convert("RGBA")
    rgba.putalpha(200)
    rgba.save(tmp_path / "truck with alpha.png")
    big.convert("L").save(tmp_path / "grey.jpg")
    result = predict(trained, tmp_path, "--image", tmp_path / "truck with alpha.png", tmp_path / "grey.jpg")
    out = capsys.readouterr().out
    assert "4 channels (RGBA)" in out and "greyscale picture has 1 channel" in out
    assert result["predictions"][0]["class"] == "truck" and result["predictions"][0]["chinese"] == "卡车"
    assert len(result["predictions"][0]["top3"]) == 3
    assert Image.open(result["predictions"][1]["seen"]).mode == "RGB"


def test_p31_loads_a_checkpoint_saved_on_a_gpu(trained, tmp_path):
    folder, _ = trained
    saved = torch.load(folder / "checkpoints" / "tudui_2.pth", weights_only=True)
    gpu_file = tmp_path / "tudui_gpu.pth"
    with mock.patch.object(torch.serialization, "location_tag", lambda storage: "cuda:0"):
        torch.save(saved, gpu_file)
    if not torch.cuda.is_available():
        with pytest.raises(RuntimeError, match="map_location"):
            torch.load(gpu_file, weights_only=True)          # the error map_location prevents
    import p31_predict
    tudui, _ = p31_predict.load_tudui(gpu_file, torch.device("cpu"))
    assert next(tudui.parameters()).device.type == "cpu"


@pytest.mark.parametrize("make, expected", [
    (lambda p: p / "missing.png", "not found"),
    (lambda p: (p / "notes.png").write_text("hello") and p / "notes.png", "is not a picture PIL can read"),
    (lambda p: p, "is a folder"),
])
def test_p31_bad_pictures_are_one_line(trained, tmp_path, make, expected):
    with pytest.raises(common.LessonError, match=expected) as error:
        predict(trained, tmp_path, "--image", make(tmp_path))
    assert "\n" not in str(error.value)


def test_p31_picture_over_pils_size_guard(trained, tmp_path, monkeypatch):
    Image.new("RGB", (64, 48)).save(tmp_path / "big.png")
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 1000)      # 64x48 is then over twice the limit
    with pytest.raises(common.LessonError, match=r"big.png is too large for PIL \(2,000 pixels at most"):
        predict(trained, tmp_path, "--image", tmp_path / "big.png")


def test_p31_damaged_picture(trained, tmp_path):
    buffer = io.BytesIO()
    Image.fromarray(np.random.default_rng(0).integers(0, 255, (64, 64, 3), dtype=np.uint8)).save(buffer, "JPEG")
    (tmp_path / "cut.jpg").write_bytes(buffer.getvalue()[:400])
    with pytest.raises(common.LessonError, match="damaged or cut short"):
        predict(trained, tmp_path, "--image", tmp_path / "cut.jpg")


def test_p31_checkpoint_of_another_network(trained, tmp_path):
    from torchvision.models import vgg11
    other = tmp_path / "vgg.pth"
    torch.save(vgg11(weights=None).features.state_dict(), other)
    with pytest.raises(common.LessonError, match="does not fit the P21 network Tudui: missing model.0.bias"):
        run_lesson("p31_predict", "--tiny", "--device", "cpu", "--checkpoint", other,
                   "--out-dir", tmp_path / "p", "--logdir", tmp_path / "l")


@pytest.mark.parametrize("absent", ["cuda", "mps"])
def test_gpu_flags_where_there_is_none(absent, monkeypatch, capsys):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    monkeypatch.setattr(common, "mps_available", lambda: False)
    with pytest.raises(SystemExit) as exit_info:
        run_lesson("p31_predict", "--device", absent)
    assert exit_info.value.code == 2
    assert f"--device {absent}: this PyTorch sees no" in capsys.readouterr().err


def test_p32_argparse():
    result = run_lesson("p32_open_source")
    first, second = result["examples"]
    assert first["batch_size"] == 1 and first["continue_train"] is False and first["lr"] == 0.0002
    assert second["batch_size"] == 4 and second["continue_train"] is True and second["lr"] == 0.001
    assert "the following arguments are required: --dataroot" in result["missing_required"]
    assert "invalid int value: 'four'" in result["wrong_type"]
