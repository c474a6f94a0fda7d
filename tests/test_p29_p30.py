"""P29 and P30: training on a GPU with .cuda() and with .to(device), and on a machine without one."""
import ast
import math
import re
from pathlib import Path

import pytest
import torch

import helpers
from helpers import (LESSONS_DIR, ONE_PICTURE, assert_it_learned, assert_train_then_eval, lesson, read_events,
                     record_modes, run_lesson, tiny_test_accuracy)
from support import i18n

CJK = re.compile(r"[\u4e00-\u9fff]")
TITLES = {name: helpers.TITLES[name] for name in ("p29_train_gpu_1", "p30_train_gpu_2")}   # from the lessons' docstrings
STEPS_PER_EPOCH = math.ceil(200 / 64)          # the tiny training split in the video's batches of 64
# The course's SGD(lr=0.01) learns slowly: batches of 4 give 50 steps an epoch, and three epochs
# (seed 0) take the summed test loss from 56.9 to 44.3 (x0.78) and the accuracy to 0.23.
LEARNING = ("--batch-size", "4", "--epochs", "3", "--seed", "0")


def p29(tmp_path, *extra):
    """On the CPU unless `extra` names a device (the last --device wins)."""
    return run_lesson("p29_train_gpu_1", "--tiny", "--device", "cpu", "--logdir", tmp_path / "logs",
                      "--out-dir", tmp_path / "ck", *extra)


def p30(tmp_path, *extra):
    return run_lesson("p30_train_gpu_2", "--tiny", "--device", "cpu", "--logdir", tmp_path / "logs",
                      "--out-dir", tmp_path / "ck", *extra)


def assert_trained(tmp_path, result, calls):
    """The course's loop really trained: per epoch (TensorBoard) the test loss falls and the accuracy
    beats chance; the accuracy it reports is the last checkpoint's, counted here independently."""
    events = read_events(tmp_path / "logs")
    losses = [e.value for e in events.Scalars("test_loss")]
    accuracies = [e.value for e in events.Scalars("test_accuracy")]
    assert_it_learned(losses, accuracies, loss_ratio=0.9, accuracy_above=0.15)
    assert_train_then_eval(calls)
    last = torch.load(result["checkpoints"][-1], weights_only=False, map_location="cpu")
    assert result["accuracy"] == pytest.approx(tiny_test_accuracy(last), abs=ONE_PICTURE)
    assert accuracies[-1] == pytest.approx(result["accuracy"]) and losses[-1] == pytest.approx(result["test_loss"])


# ---------------------------------------------------------------- P29
def test_p29_learns_on_a_cpu_only_machine(monkeypatch, tmp_path, capsys):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    calls = record_modes(monkeypatch, lesson("p29_train_gpu_1").Tudui)
    result = p29(tmp_path, "--print-every", "1", *LEARNING)
    out = capsys.readouterr().out
    assert out.splitlines()[0] == TITLES["p29_train_gpu_1"]
    assert result["device"] == "cpu" and result["steps"] == 3 * 50
    assert (result["train_data_size"], result["test_data_size"]) == (200, 100) and result["real"] is False
    assert "torch.cuda.is_available()" in out                       # the line saying .cuda() was skipped names it
    assert "200" in out and "100" in out                            # the dataset lengths are printed
    assert_trained(tmp_path, result, calls)
    # the video's TensorBoard tags, at the video's steps
    events = read_events(tmp_path / "logs")
    assert [e.step for e in events.Scalars("train_loss")] == list(range(1, 3 * 50 + 1))
    assert [e.step for e in events.Scalars("test_loss")] == [0, 1, 2]              # total_test_step
    # one whole model per epoch, as the video saves it (torch.save(tudui, ...))
    assert sorted(p.name for p in (tmp_path / "ck").iterdir()) == ["tudui_0.pth", "tudui_1.pth", "tudui_2.pth"]
    tudui = torch.load(tmp_path / "ck" / "tudui_2.pth", weights_only=False)
    assert type(tudui).__name__ == "Tudui" and tudui(torch.rand(2, 3, 32, 32)).shape == (2, 10)


def test_p29_trains_on_the_device_chosen(device, tmp_path):
    result = p29(tmp_path, "--device", device)
    assert result["device"] == device and result["steps"] == STEPS_PER_EPOCH
    saved = torch.load(result["checkpoints"][0], weights_only=False, map_location="cpu")
    assert next(saved.parameters()).device.type == "cpu"
    as_saved = torch.load(result["checkpoints"][0], weights_only=False)       # where .cuda() left the weights
    assert next(as_saved.parameters()).device.type == device


def test_p29_same_numbers_in_english(tmp_path, capsys):
    chinese = p29(tmp_path / "zh", "--print-every", "1")
    capsys.readouterr()
    english = p29(tmp_path / "en", "--print-every", "1", "--lang", "en")
    out = capsys.readouterr().out.splitlines()
    for key in ("steps", "train_data_size", "test_data_size", "test_loss", "accuracy"):
        assert chinese[key] == english[key], key                    # on the CPU: the same run, bit for bit
    assert out[0] == TITLES["p29_train_gpu_1"]
    assert [line for line in out[1:] if CJK.search(line)] == []     # all English after the title


# ---------------------------------------------------------------- P30
def test_p30_learns_with_to_device(tmp_path, monkeypatch, capsys):
    calls = record_modes(monkeypatch, lesson("p30_train_gpu_2").Tudui)
    result = p30(tmp_path, *LEARNING)
    out = capsys.readouterr().out
    assert out.splitlines()[0] == TITLES["p30_train_gpu_2"]
    assert result["device"] == "cpu" and result["steps"] == 3 * 50
    assert (result["train_data_size"], result["test_data_size"]) == (200, 100)
    assert_trained(tmp_path, result, calls)
    assert list(result["timings"]) == ["cpu"] and result["timings"]["cpu"]["accuracy"] == result["accuracy"]
    assert result["in_place"] == {"module_in_place": True, "tensor_unchanged": True}


def test_p30_to_device_times_each_device(device, tmp_path, capsys):
    result = p30(tmp_path, "--device", device)
    assert result["device"] == device and result["steps"] == STEPS_PER_EPOCH
    assert list(result["timings"]) == (["cpu"] if device == "cpu" else ["cpu", device])
    # each device's side-by-side run is the course's loop again, from the same weights: both learn something
    events = read_events(tmp_path / "logs")
    assert events.Scalars("test_accuracy")[0].value == pytest.approx(result["accuracy"])
    saved = torch.load(tmp_path / "ck" / "tudui_0.pth", weights_only=False, map_location="cpu")
    assert type(saved).__name__ == "Tudui"
    assert result["accuracy"] == pytest.approx(tiny_test_accuracy(saved), abs=ONE_PICTURE)


def test_p30_show_in_place_or_not():
    assert lesson("p30_train_gpu_2").show_in_place_or_not() == {"module_in_place": True, "tensor_unchanged": True}


def test_p30_amp_side_by_side_learns(device, tmp_path):
    """--amp: every device trains the course's loop again (with autocast where it helps), from the same
    weights; the loss stays finite and the network does better than an untrained one (about 0.1)."""
    result = p30(tmp_path, "--device", device, "--amp", "--batch-size", "4")
    assert list(result["timings"]) == (["cpu"] if device == "cpu" else ["cpu", device])
    for timing in result["timings"].values():
        assert math.isfinite(timing["last_loss"]) and timing["accuracy"] > 0.15, timing


def test_p30_without_a_gpu_says_so(monkeypatch, tmp_path, capsys):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    result = p30(tmp_path)
    assert result["device"] == "cpu" and list(result["timings"]) == ["cpu"]
    assert 'torch.device("cuda")' in capsys.readouterr().out


# ---------------------------------------------------------------- both: reading like the course, flags, messages
@pytest.mark.parametrize("name", sorted(TITLES))
def test_the_course_calls_are_written_out(name):
    source = (LESSONS_DIR / f"{name}.py").read_text(encoding="utf-8")
    before, ours = source.split("# ------------------------------------------------ 我们加的（课程之外）")
    course = before.split("# ------------------------------------------------ 课程的代码")[1]
    assert "class Tudui(nn.Module)" in before                      # defined in the file, as the course does
    for call in ("torchvision.datasets.CIFAR10(root=data_root, train=True, transform=torchvision.transforms.ToTensor()",
                 "train_dataloader = DataLoader(train_data", "tudui = Tudui()",
                 "loss_fn = nn.CrossEntropyLoss()", "torch.optim.SGD(tudui.parameters(), lr=learning_rate)",
                 "writer = SummaryWriter(log_dir)", 'writer.add_scalar("test_accuracy"', "torch.save(tudui, f)"):
        assert call in course, call
    if name == "p29_train_gpu_1":
        assert course.count("    if torch.cuda.is_available() and use_cuda:") == 4 and "time.time()" in course
        assert ".to(" not in course
    else:
        assert "device = torch.device(" in course and course.count(".to(device)") >= 6
        assert "mixed_precision" not in course and "mixed_precision" in ours


@pytest.mark.parametrize("name", sorted(TITLES))
def test_no_lesson_imports_another(name):
    tree = ast.parse((LESSONS_DIR / f"{name}.py").read_text(encoding="utf-8"))
    imported = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
    imported |= {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    assert not [m for m in imported if re.match(r"p\d\d_", m or "")] and not {"common", "cifar"} & imported


@pytest.mark.parametrize("name, own", [
    ("p29_train_gpu_1", {"--epochs", "--print-every", "--out-dir"}),
    ("p30_train_gpu_2", {"--epochs", "--out-dir", "--amp"}),
])
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_help_lists_only_the_flags_read(name, own, lang, capsys):
    with pytest.raises(SystemExit) as exit_info:
        run_lesson(name, "--help", "--lang", lang)
    assert exit_info.value.code == 0
    shown = capsys.readouterr().out
    listed = set(re.findall(r"^\s+(--[a-z-]+)", shown, re.MULTILINE))
    assert listed == {"--lang", "--seed", "--device", "--data-root", "--tiny", "--cifar-url",
                      "--batch-size", "--logdir"} | own
    assert TITLES[name] in shown
    assert (len(CJK.findall(shown)) > 100) == (lang == "zh")


def test_every_message_has_an_english_translation():
    catalogue = i18n.read_po(Path(i18n.LOCALE_DIR) / "en" / "p29_p30.po")
    for name in TITLES:
        found = i18n.messages_in_source(LESSONS_DIR / f"{name}.py")
        assert found and all(message is not None for _, message in found), name   # no f-string inside _()
        for line, message in found:
            assert message in catalogue, (name, line, message)
            assert i18n.placeholders(catalogue[message]) == i18n.placeholders(message), message
            assert not CJK.search(catalogue[message]), message


@pytest.mark.skipif(not torch.cuda.is_available(), reason="no CUDA GPU on this machine")
def test_p30_amp_fp16_trains_in_float16_with_a_grad_scaler_on_cuda(tmp_path, monkeypatch):
    """--amp fp16 on CUDA: the network computes in float16 under autocast, and one
    GradScaler scales every loss, steps every batch and updates its scale (the
    path a GPU without bfloat16 takes under plain --amp)."""
    p30_module = lesson("p30_train_gpu_2")
    seen, forward = [], p30_module.Tudui.forward

    def recording(self, x):
        out = forward(self, x)
        seen.append((x.device.type, out.dtype))
        return out
    monkeypatch.setattr(p30_module.Tudui, "forward", recording)
    scalers, counts = [], {"scale": 0, "step": 0, "update": 0}
    for name in counts:
        def counted(self, *args, _real=getattr(torch.amp.GradScaler, name), _name=name, **kwargs):
            counts[_name] += 1
            if self not in scalers:
                scalers.append(self)
            return _real(self, *args, **kwargs)
        monkeypatch.setattr(torch.amp.GradScaler, name, counted)
    result = p30(tmp_path, "--device", "cuda", "--amp", "fp16", "--batch-size", "4")
    steps = 200 // 4                     # one epoch; the CPU's side-by-side run takes bfloat16, without a scaler
    assert len(scalers) == 1 and counts == {"scale": steps, "step": steps, "update": steps}
    scale = scalers[0].get_scale()
    assert scale >= 1 and math.isfinite(scale) and math.log2(scale).is_integer()
    assert ("cuda", torch.float16) in seen
    on_gpu = result["timings"]["cuda"]
    assert math.isfinite(on_gpu["last_loss"]) and on_gpu["accuracy"] > 0.15
