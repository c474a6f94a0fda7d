"""P25 saving and loading (the __main__ trap, safe loading, damaged files), P31
predicting a picture with P26's checkpoint, P32 argparse."""
import io
import os
import sys
from unittest import mock

import numpy as np
import pytest
import torch
from PIL import Image

from helpers import LESSONS_DIR, read_events, record_modes, run_as_script, run_lesson, run_python
from support import checkpoints, data, files, flags

REPO_ROOT = LESSONS_DIR.parent


def one_line(error_info):
    message = str(error_info.value)
    assert "\n" not in message
    return message


# ---------------------------------------------------------------- P25
@pytest.fixture(autouse=True)
def trap_shown_once(monkeypatch):
    """The trap's second program (a new Python) takes seconds: tests/test_paths.py runs it for real
    (p25_model_load.py as a script), the tests here reuse its line."""
    monkeypatch.setattr(checkpoints, "main_module_trap",
                        lambda: "AttributeError: Can't get attribute 'Tudui' on <module '__main__'>")


def save(folder, *flags_):
    return run_lesson("p25_model_save", "--device", "cpu", "--out-dir", folder, *flags_)


def load(folder, *flags_):
    return run_lesson("p25_model_load", "--device", "cpu", "--out-dir", folder, *flags_)


@pytest.fixture
def saved(tmp_path):
    """A good set of P25 files, and the outputs the saved network gives."""
    return tmp_path, save(tmp_path)["outputs"]


def test_models_py_is_the_courses_model_py():
    """Run as the video runs it, model.py checks its own output shape; it defines the class and nothing else."""
    result = run_python(LESSONS_DIR / "models.py", cwd=LESSONS_DIR)
    assert result.returncode == 0 and result.stdout.strip() == "torch.Size([64, 10])"
    import models
    assert [name for name in vars(models) if not name.startswith("_")] == ["torch", "nn", "Tudui"]
    assert list(models.Tudui().state_dict())[0] == "model.0.weight"


def test_p25_save_then_load_gives_the_same_outputs(device, tmp_path, capsys):
    saved = run_lesson("p25_model_save", "--device", device, "--out-dir", tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == \
        ["p21_tudui_method1.pth", "p21_tudui_method2.pth", "tudui_method1.pth"]
    named = torch.serialization.get_unsafe_globals_in_checkpoint(saved["method1"])
    assert "models.Tudui" in named and not any(n.startswith("__main__") for n in named)
    state = torch.load(saved["method2"], weights_only=True)
    assert sum(t.numel() for t in state.values()) == 145_578
    # the trap's class, saved from the lesson: named after the module that defines it
    assert "p25_model_save.Tudui" in torch.serialization.get_unsafe_globals_in_checkpoint(saved["trap"])

    real_load, asked = torch.load, []

    def load_recorded(*args, **kwargs):
        asked.append(kwargs.get("weights_only"))
        return real_load(*args, **kwargs)
    with mock.patch.object(torch, "load", load_recorded):
        loaded = run_lesson("p25_model_load", "--device", device, "--out-dir", tmp_path)
    assert len(asked) >= 4 and set(asked) == {True}        # every torch.load of the lesson: weights_only=True
    assert torch.equal(loaded["outputs_method1"], saved["outputs"])
    assert torch.equal(loaded["outputs_method2"], saved["outputs"])
    assert "Unsupported global: GLOBAL models.Tudui" in loaded["plain_refusal"]
    assert not list(tmp_path.glob(".*.tmp"))
    out = capsys.readouterr().out
    # the video's order: method 1's model printed first, then the trap's
    assert out.index("(model): Sequential(") < out.index("(conv1): Conv2d(3, 64, kernel_size=(3, 3)")
    assert loaded["state_dict_keys"][:2] == ["model.0.weight", "model.0.bias"] and len(loaded["state_dict_keys"]) == 10
    assert "(model): Sequential(" in loaded["printed_method1"]
    import p25_model_save
    assert type(loaded["trap_model"]) is p25_model_save.Tudui


# The trap really raised (one script saves, a new Python loads): tests/test_paths.py::test_p25_save_then_load,
# which runs p25_model_load.py as the learner does, without the stand-in above.


def test_p25_the_main_trap_for_real(tmp_path, monkeypatch):
    """Saved by the script itself, the trap's file names __main__.Tudui: a script
    without the class is refused (in one line); one that has it (import *) loads it."""
    done = run_as_script("p25_model_save", "--device", "cpu", "--out-dir", tmp_path, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "__main__.Tudui" in torch.serialization.get_unsafe_globals_in_checkpoint(tmp_path / "tudui_method1.pth")
    with pytest.raises(files.LessonError) as error:
        load(tmp_path)
    assert "__main__.Tudui" in one_line(error) and "from p25_model_save import *" in str(error.value)
    import p25_model_save
    monkeypatch.setattr(sys.modules["__main__"], "Tudui", p25_model_save.Tudui, raising=False)
    assert type(load(tmp_path)["trap_model"]) is p25_model_save.Tudui       # as `python p25_model_load.py` does


def test_p25_load_before_save_says_what_to_run(tmp_path):
    with pytest.raises(files.LessonError) as error:
        load(tmp_path)
    assert "p21_tudui_method1.pth" in one_line(error) and "p25_model_save.py" in str(error.value)
    assert list(tmp_path.iterdir()) == []


def test_p25_load_with_one_file_missing_says_what_to_run(saved):
    folder, _ = saved
    (folder / "p21_tudui_method2.pth").unlink()
    with pytest.raises(files.LessonError) as error:
        load(folder)
    assert "p21_tudui_method2.pth" in one_line(error) and "p25_model_save.py" in str(error.value)
    assert (folder / "p21_tudui_method1.pth").is_file()


def test_p25_interrupted_save_keeps_the_earlier_checkpoint(saved, monkeypatch):
    folder, outputs = saved
    real_save = torch.save

    def save_half_then_stop(obj, f, *args, **kwargs):
        real_save(obj, f, *args, **kwargs)
        f.truncate(100)
        raise KeyboardInterrupt

    monkeypatch.setattr(torch, "save", save_half_then_stop)
    with pytest.raises(KeyboardInterrupt):
        save(folder, "--seed", "1")
    monkeypatch.setattr(torch, "save", real_save)
    assert sorted(p.name for p in folder.iterdir()) == \
        ["p21_tudui_method1.pth", "p21_tudui_method2.pth", "tudui_method1.pth"]
    loaded = load(folder)
    assert torch.equal(loaded["outputs_method1"], outputs) and torch.equal(loaded["outputs_method2"], outputs)


class RunsACommand:
    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return os.system, (f"touch {self.marker}",)


def test_p25_a_checkpoint_that_would_run_code_is_refused(saved, tmp_path):
    folder, outputs = saved
    marker = tmp_path / "payload-ran"
    torch.save({"model": RunsACommand(marker)}, folder / "p21_tudui_method1.pth")
    with pytest.raises(files.LessonError) as error:
        load(folder)
    message = one_line(error)
    assert str(folder / "p21_tudui_method1.pth") in message and f"{os.system.__module__}.system" in message
    assert not marker.exists()
    # the refused file was only read: the other checkpoint is untouched and still loads
    from models import Tudui
    model = Tudui()
    model.load_state_dict(torch.load(folder / "p21_tudui_method2.pth", weights_only=True))
    assert torch.equal(checkpoints.fingerprint(model, "cpu"), outputs)


def test_p25_state_dict_of_another_architecture_says_what_differs(saved):
    folder, _ = saved
    from models import Tudui

    narrower = Tudui()
    narrower.model[7] = torch.nn.Linear(1024, 32)
    narrower.model[8] = torch.nn.Linear(32, 10)
    torch.save(narrower.state_dict(), folder / "p21_tudui_method2.pth")
    with pytest.raises(files.LessonError) as error:
        load(folder)
    message = one_line(error)
    assert "Tudui" in message and "model.7.weight" in message and "[32, 1024]" in message and "[64, 1024]" in message

    torch.save({"features.0.weight": torch.zeros(1)}, folder / "p21_tudui_method2.pth")
    with pytest.raises(files.LessonError) as error:
        load(folder)
    message = one_line(error)
    assert "model.0.bias, model.0.weight, model.2.bias" in message and "7" in message
    assert "features.0.weight" in message


def test_p25_damaged_checkpoint_is_named(saved):
    folder, _ = saved
    method1 = folder / "p21_tudui_method1.pth"
    method1.write_bytes(method1.read_bytes()[:3000])
    with pytest.raises(files.LessonError) as error:
        load(folder)
    assert str(method1) in one_line(error) and "p25_model_save.py" in str(error.value)


def test_p25_method2_file_holding_a_whole_model_is_refused(saved):
    folder, _ = saved
    (folder / "p21_tudui_method2.pth").write_bytes((folder / "p21_tudui_method1.pth").read_bytes())
    with pytest.raises(files.LessonError) as error:
        load(folder)
    assert "p21_tudui_method2.pth" in one_line(error) and "models.Tudui" in str(error.value)


def test_p25_nonsense_model_is_refused(capsys):
    with pytest.raises(SystemExit) as exit_info:
        run_lesson("p25_model_save", "--model", "resnet")
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert "--model" in err and "'resnet'" in err and len(err.strip().splitlines()) == 1


def test_p25_a_checkpoint_that_cannot_be_written_keeps_the_earlier_one(saved):
    folder, _ = saved
    before = {p.name: p.read_bytes() for p in folder.iterdir()}

    done = run_as_script("p25_model_save", "--device", "cpu", "--seed", "1", "--out-dir", folder, "--lang", "en",
                         file_size_limit=100_000, cwd=REPO_ROOT)   # the files are ~580 KB: the first write fails
    assert done.returncode == 1
    said = done.stderr.strip().splitlines()
    assert len(said) == 1 and str(folder / "p21_tudui_method1.pth") in said[0] and "File too large" in said[0]
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before     # no .tmp left, nothing changed


# ---------------------------------------------------------------- P31
@pytest.fixture
def trained(p26_trained):
    """P26's last checkpoint (conftest.p26_trained trains it once), as the learner is told to run P26 first."""
    return p26_trained[1]["checkpoints"][-1]


def predict(checkpoint, tmp_path, *flags_):
    return run_lesson("p31_predict", "--tiny", "--device", "cpu", "--checkpoint", checkpoint,
                      "--out-dir", tmp_path / "predictions", "--logdir", tmp_path / "logs", *flags_)


def test_p31_names_the_class_of_tiny_set_pictures(trained, tmp_path, monkeypatch):
    import p31_predict
    in_train_mode = tmp_path / "tudui_0.pth"            # as saved in the middle of training: P31 must call eval() itself
    torch.save(torch.load(trained, weights_only=False).train(), in_train_mode)
    calls = record_modes(monkeypatch, p31_predict.Tudui)   # the class P31 copies in, as test.py does
    result = predict(in_train_mode, tmp_path, "--samples", "10")
    assert calls and set(calls) == {(False, False)}                         # model.eval() and torch.no_grad()
    predictions = result["predictions"]
    assert len(predictions) == 10 and {p["true"] for p in predictions} == set(data.CLASSES)
    assert result["normalize"] is True                                      # P26's default, repeated here
    assert sum(p["class"] == p["true"] for p in predictions) >= 8
    assert Image.open(predictions[0]["seen"]).size == (32, 32)
    assert (tmp_path / "predictions" / "samples").is_dir()
    assert len(read_events(tmp_path / "logs").Tags()["images"]) == 20      # each picture and what the network saw


def test_p31_without_a_checkpoint_says_to_train_first(tmp_path, monkeypatch):
    monkeypatch.setattr(checkpoints, "P26_CHECKPOINTS", tmp_path / "none")
    with pytest.raises(files.LessonError) as error:
        run_lesson("p31_predict", "--tiny", "--device", "cpu", "--out-dir", tmp_path / "p", "--logdir", tmp_path / "l")
    assert "python lessons/p26_train.py" in one_line(error) and "--tiny" in str(error.value)
    assert not (tmp_path / "p").exists()


def test_p31_finds_the_newest_p26_checkpoint(trained, tmp_path, monkeypatch):
    """The most recently written wins, whatever its number (a later, shorter run); a tie goes to the higher epoch."""
    folder = tmp_path / "ck"
    folder.mkdir()
    for name, written in (("tudui_9.pth", 1_000), ("tudui_1.pth", 3_000), ("tudui_2.pth", 2_000),
                          ("tudui_3.pth", 3_000), ("notes.pth", 9_000)):
        (folder / name).write_bytes(trained.read_bytes())
        os.utime(folder / name, (written, written))
    monkeypatch.setattr(checkpoints, "P26_CHECKPOINTS", folder)
    result = run_lesson("p31_predict", "--tiny", "--device", "cpu", "--samples", "1",
                        "--out-dir", tmp_path / "p", "--logdir", tmp_path / "l")
    assert result["checkpoint"] == folder / "tudui_3.pth"


def test_p31_takes_pictures_of_every_kind(trained, tmp_path):
    images, labels = data.make_tiny_images(train=False)
    truck = Image.fromarray(images[labels.index(9)])
    big = truck.resize((640, 480))
    rgba = big.convert("RGBA")
    rgba.putalpha(200)
    made = {"truck with alpha.png": rgba, "grey.jpg": big.convert("L"), "cmyk.jpg": big.convert("CMYK"),
            "palette.png": big.convert("P"), "picture.webp": big,
            "16bit.png": Image.fromarray((np.asarray(big.convert("L"), dtype=np.uint16) * 257)),
            "float.tiff": Image.fromarray(np.asarray(big.convert("L"), dtype=np.float32) / 255)}
    for name, picture in made.items():
        picture.save(tmp_path / name)
    frames = [truck, truck.rotate(90), truck.rotate(180)]
    frames[0].save(tmp_path / "moving.gif", save_all=True, append_images=frames[1:])
    paths = [tmp_path / name for name in made] + [tmp_path / "moving.gif"]
    result = predict(trained, tmp_path, "--image", *paths)
    predictions = result["predictions"]
    assert [p["mode"] for p in predictions] == ["RGBA", "L", "CMYK", "P", "RGB", "I;16", "F", "P"]
    assert predictions[0]["class"] == "truck" and predictions[0]["chinese"] == "卡车"
    assert all(len(p["top3"]) == 3 and p["class"] in data.CLASSES for p in predictions)
    assert all(Image.open(p["seen"]).mode == "RGB" for p in predictions)


def test_p31_loads_a_checkpoint_saved_on_a_gpu(trained, tmp_path):
    saved = torch.load(trained, weights_only=False)
    gpu_file = tmp_path / "tudui_gpu.pth"
    with mock.patch.object(torch.serialization, "location_tag", lambda storage: "cuda:0"):
        torch.save(saved, gpu_file)
    if not torch.cuda.is_available():
        with pytest.raises(RuntimeError, match="map_location"):
            torch.load(gpu_file, weights_only=False)          # the error map_location prevents
    on_gpu = predict(gpu_file, tmp_path / "gpu", "--samples", "3")
    here = predict(trained, tmp_path / "here", "--samples", "3")
    assert [p["top3"] for p in on_gpu["predictions"]] == [p["top3"] for p in here["predictions"]]


@pytest.mark.parametrize("make, name", [
    (lambda p: p / "missing.png", "missing.png"),
    (lambda p: (p / "notes.png").write_text("hello") and p / "notes.png", "notes.png"),
    (lambda p: p, None),
])
def test_p31_bad_pictures_are_one_line(trained, tmp_path, make, name):
    with pytest.raises(files.LessonError) as error:
        predict(trained, tmp_path, "--image", make(tmp_path))
    assert "--image" in one_line(error) and (name or tmp_path.name) in str(error.value)
    assert not (tmp_path / "predictions").exists()           # nothing written before the pictures were checked


def test_p31_picture_over_pils_size_guard(trained, tmp_path, monkeypatch):
    Image.new("RGB", (64, 48)).save(tmp_path / "big.png")
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 1000)      # 64x48 is then over twice the limit
    with pytest.raises(files.LessonError) as error:
        predict(trained, tmp_path, "--image", tmp_path / "big.png")
    assert "big.png" in one_line(error) and "2,000" in str(error.value)


def test_p31_damaged_picture(trained, tmp_path):
    buffer = io.BytesIO()
    Image.fromarray(np.random.default_rng(0).integers(0, 255, (64, 64, 3), dtype=np.uint8)).save(buffer, "JPEG")
    (tmp_path / "cut.jpg").write_bytes(buffer.getvalue()[:400])
    with pytest.raises(files.LessonError) as error:
        predict(trained, tmp_path, "--image", tmp_path / "cut.jpg")
    assert "cut.jpg" in one_line(error)


def test_p31_checkpoint_of_another_network(tmp_path):
    other = tmp_path / "vgg.pth"
    torch.save(torch.nn.Sequential(torch.nn.Conv2d(3, 64, 3), torch.nn.ReLU(), torch.nn.Conv2d(64, 64, 3)).state_dict(),
               other)                                                    # the start of a VGG's features
    with pytest.raises(files.LessonError) as error:
        predict(other, tmp_path, "--samples", "1")
    assert "vgg.pth" in one_line(error) and "Tudui" in str(error.value) and "model.0.bias" in str(error.value)


def test_p31_untrusted_and_damaged_checkpoints_are_one_line(trained, tmp_path):
    marker = tmp_path / "payload-ran"
    untrusted = tmp_path / "tudui_9.pth"
    torch.save({"state_dict": RunsACommand(marker)}, untrusted)
    with pytest.raises(files.LessonError) as error:
        predict(untrusted, tmp_path, "--samples", "1")
    assert "tudui_9.pth" in one_line(error) and "system" in str(error.value) and not marker.exists()
    damaged = tmp_path / "tudui_8.pth"
    damaged.write_bytes(trained.read_bytes()[:2000])
    with pytest.raises(files.LessonError) as error:
        predict(damaged, tmp_path, "--samples", "1")
    assert "tudui_8.pth" in one_line(error) and "p26_train.py" in str(error.value)
    with pytest.raises(files.LessonError) as error:
        predict(tmp_path, tmp_path, "--samples", "1")                 # a folder, not a file
    assert one_line(error)


@pytest.mark.parametrize("absent", ["cuda", "mps"])
def test_p31_gpu_flags_where_there_is_none(absent, monkeypatch, capsys):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    monkeypatch.setattr(flags, "mps_available", lambda: False)
    with pytest.raises(SystemExit) as exit_info:
        run_lesson("p31_predict", "--device", absent)
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert f"--device {absent}" in err and len(err.strip().splitlines()) == 1


def test_p31_the_same_numbers_in_english(trained, tmp_path, capsys):
    chinese = predict(trained, tmp_path, "--samples", "3")
    zh_out = capsys.readouterr().out
    english = predict(trained, tmp_path, "--samples", "3", "--lang", "en")
    en_out = capsys.readouterr().out
    assert chinese == english
    lines = [line for line in en_out.splitlines()[1:] if any("\u4e00" <= c <= "\u9fff" for c in line)]
    assert lines == []
    assert zh_out.count("tensor([") == en_out.count("tensor([")


# ---------------------------------------------------------------- P32
def test_p32_argparse():
    result = run_lesson("p32_open_source")
    first, second = result["examples"]
    assert first["batch_size"] == 1 and first["continue_train"] is False and first["lr"] == 0.0002
    assert second["batch_size"] == 4 and second["continue_train"] is True and second["lr"] == 0.001
    assert "--dataroot" in result["missing_required"]
    assert "'four'" in result["wrong_type"] and "int" in result["wrong_type"]


def test_p32_in_english():
    result = run_lesson("p32_open_source", "--lang", "en")
    assert "the following arguments are required: --dataroot" in result["missing_required"]
    assert "invalid int value: 'four'" in result["wrong_type"]


@pytest.mark.parametrize("name", ["p25_model_save", "p25_model_load", "p31_predict", "p32_open_source"])
def test_help_in_both_languages(name, capsys):
    with pytest.raises(SystemExit):
        run_lesson(name, "--help")
    zh = capsys.readouterr().out
    with pytest.raises(SystemExit):
        run_lesson(name, "--help", "--lang", "en")
    en = capsys.readouterr().out
    title = (LESSONS_DIR / f"{name}.py").read_text(encoding="utf-8").split('"""')[1].strip().splitlines()[0]
    assert zh.startswith("用法：") and title in zh
    assert en.startswith("usage: ") and [line for line in en.splitlines()
                                         if any("\u4e00" <= c <= "\u9fff" for c in line)] == [title]


# ---------------------------------------------------------------- torch before 2.6 (no get_unsafe_globals_in_checkpoint)
@pytest.fixture
def torch_before_2_6(monkeypatch):
    """This torch without the two functions torch 2.6 added: checkpoints.py must read the same
    files, refuse the same files, and never call them."""
    monkeypatch.setattr(checkpoints, "NATIVE_SAFE_LOADING", False)
    monkeypatch.delattr(torch.serialization, "get_unsafe_globals_in_checkpoint")
    monkeypatch.delattr(torch.serialization, "safe_globals")


def test_older_torch_reads_and_refuses_the_same_files(torch_before_2_6, trained, tmp_path):
    folder = tmp_path / "p25"
    outputs = save(folder)["outputs"]
    names = checkpoints.listed_globals(folder / "p21_tudui_method1.pth")
    assert "models.Tudui" in names and "torch.nn.modules.conv.Conv2d" in names
    assert not any("rebuild" in n or "OrderedDict" in n for n in names)   # torch's own safe ones are not listed
    loaded = load(folder)
    assert torch.equal(loaded["outputs_method1"], outputs) and torch.equal(loaded["outputs_method2"], outputs)
    assert torch.load is torch.serialization.load                       # torch.load is itself again after the block
    assert len(predict(trained, tmp_path, "--samples", "2")["predictions"]) == 2
    marker = tmp_path / "payload-ran"
    torch.save({"state_dict": RunsACommand(marker)}, tmp_path / "tudui_9.pth")
    with pytest.raises(files.LessonError) as error:
        predict(tmp_path / "tudui_9.pth", tmp_path, "--samples", "1")
    assert "system" in one_line(error) and not marker.exists()
    # a name the listing cannot see is still refused by the Unpickler inside the block
    with checkpoints.allowing({}):
        with pytest.raises(Exception, match="Unsupported global") as error:
            torch.load(tmp_path / "tudui_9.pth", weights_only=True)
    assert not marker.exists()


def test_a_missing_torch_function_is_not_a_damaged_file(trained, tmp_path, monkeypatch):
    monkeypatch.delattr(torch.serialization, "get_unsafe_globals_in_checkpoint")
    with pytest.raises(files.LessonError) as error:
        predict(trained, tmp_path, "--samples", "1")
    message = one_line(error)
    assert "torch.serialization.get_unsafe_globals_in_checkpoint" in message and torch.__version__ in message
    assert message != checkpoints.damaged(str(trained), AttributeError("x"), checkpoints.p31_reads())
