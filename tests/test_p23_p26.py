"""P23 the optimizer and P26 the whole training script: learning, the video's
settings, --compare, --amp, checkpoints P31 can load, flags, both languages."""
import math
import re
import pickle

import pytest
import torch

from helpers import (ONE_PICTURE, assert_it_learned, assert_train_then_eval, read_events, run_lesson,
                     tiny_test_accuracy)
from models import Tudui
from support.networks import whole_model_classes
from support import training


# ---------------------------------------------------------------- P23
def gradients_cleared_before_each_backward(monkeypatch):
    """Watch every backward(): the parameters of any optimizer that has stepped
    must hold no gradient yet (optim.zero_grad() ran). Returns the list of
    backward() calls that found old gradients."""
    stepped, stale = [], []
    from torch.optim.optimizer import register_optimizer_step_post_hook
    handle = register_optimizer_step_post_hook(
        lambda optimizer, args, kwargs: stepped.append(optimizer) if optimizer not in stepped else None)
    real_backward = torch.Tensor.backward

    def backward(self, *args, **kwargs):
        params = [p for optimizer in stepped for group in optimizer.param_groups for p in group["params"]]
        if any(p.grad is not None and p.grad.any() for p in params):
            stale.append(len(stale))
        return real_backward(self, *args, **kwargs)
    monkeypatch.setattr(torch.Tensor, "backward", backward)
    return stale, handle


def test_p23_training_lowers_the_loss(device, tmp_path, monkeypatch):
    stale, handle = gradients_cleared_before_each_backward(monkeypatch)
    try:
        result = run_lesson("p23_nn_optim", "--tiny", "--device", device, "--logdir", tmp_path, "--epochs", "3")
    finally:
        handle.remove()
    assert stale == []                     # optim.zero_grad() before every result_loss.backward()
    history = result["histories"]["adam"]
    losses = history["running_loss"]
    assert losses[0] > losses[1] > losses[2]
    assert history["accuracy"][-1] > 0.3   # ten classes: chance is 0.1
    events = read_events(tmp_path / "adam")
    assert [e.value for e in events.Scalars("running_loss")] == pytest.approx(losses)
    assert [e.step for e in events.Scalars("test_accuracy")] == [1, 2, 3]


def test_p23_schedule(tmp_path, monkeypatch):
    monkeypatch.setenv("CIFAR10_STANDIN_SIZE", "100,50")   # half the pictures, half the batch: the same 7 steps an epoch
    run_lesson("p23_nn_optim", "--tiny", "--device", "cpu", "--logdir", tmp_path / "one", "--epochs", "3",
               "--batch-size", "16")
    one_cycle = [e.value for e in read_events(tmp_path / "one" / "adam").Scalars("learning_rate")]
    assert one_cycle[0] > one_cycle[1] > one_cycle[2] and one_cycle[2] < 3e-3 / 50
    run_lesson("p23_nn_optim", "--tiny", "--device", "cpu", "--logdir", tmp_path / "flat", "--epochs", "2",
               "--schedule", "constant")
    constant = [e.value for e in read_events(tmp_path / "flat" / "adam").Scalars("learning_rate")]
    assert constant == pytest.approx([3e-3, 3e-3])


def test_p23_compare_starts_every_optimizer_from_the_same_weights(tmp_path, monkeypatch):
    monkeypatch.setenv("CIFAR10_STANDIN_SIZE", "100,50")       # fewer pictures: every optimizer still runs
    names = ["sgd", "adam", "rmsprop", "adagrad", "adadelta", "adamw", "lbfgs"]
    result = run_lesson("p23_nn_optim", "--tiny", "--device", "cpu", "--logdir", tmp_path,
                        "--epochs", "1", "--compare", *names)
    assert set(result["histories"]) == set(names)
    for name in names:
        assert len(read_events(tmp_path / name).Scalars("running_loss")) == 1
        assert math.isfinite(result["histories"][name]["running_loss"][0])
    # the same weights and the same images for every optimizer: a zero-ish rate gives the same loss
    frozen = run_lesson("p23_nn_optim", "--tiny", "--device", "cpu", "--logdir", tmp_path / "frozen",
                        "--epochs", "1", "--lr", "1e-12", "--compare", "sgd", "adam")
    losses = [h["running_loss"][0] for h in frozen["histories"].values()]
    assert losses[0] == pytest.approx(losses[1], rel=1e-5)


def test_p23_settings_reach_the_optimizer():
    from p23_nn_optim import build_parser

    args = build_parser().parse_args(["--optimizer", "sgd", "--lr", "0.05", "--momentum", "0.9", "--nesterov"])
    assert training.optimizer_settings("sgd", args) == ({"lr": 0.05, "momentum": 0.9, "nesterov": True}, [])
    args = build_parser().parse_args(["--amsgrad", "--eps", "1e-6", "--weight-decay", "0.01"])
    settings, _ = training.optimizer_settings("adam", args)
    assert settings == {"lr": 3e-3, "weight_decay": 0.01, "eps": 1e-6, "amsgrad": True}
    assert training.optimizer_settings("sgd", args)[1] == ["eps", "amsgrad"]


def test_p23_video_preset(tmp_path):
    result = run_lesson("p23_nn_optim", "--tiny", "--device", "cpu", "--logdir", tmp_path, "--video", "--epochs", "1")
    assert result["setup"] == {"optimizer": "sgd", "lr": 0.01, "schedule": "constant", "batch_size": 1,
                               "split": "test", "normalize": False, "shuffle": False, "epochs": 1}
    assert result["settings"] == {"sgd": {"lr": 0.01}}
    assert len(result["differences"]) == 1 and "20" in result["differences"][0]   # only the epochs
    assert result["batches"] == 100                                   # batch 1 over the tiny test split
    events = read_events(tmp_path / "sgd")
    assert [e.value for e in events.Scalars("learning_rate")] == pytest.approx([0.01])
    assert [e.step for e in events.Scalars("train_loss")] == list(range(10, 101, 10))
    # trained on the test split: the accuracy is the train split's, and its tag says so
    assert [e.step for e in events.Scalars("train_accuracy")] == [1] and "test_accuracy" not in events.Tags()["scalars"]


def test_p23_default_says_how_it_differs(tmp_path, capsys):
    result = run_lesson("p23_nn_optim", "--tiny", "--device", "cpu", "--logdir", tmp_path, "--epochs", "1",
                        "--log-every", "1")
    differences = " ".join(result["differences"])                   # the facts, not our sentence
    assert "128" in differences and "batch_size=1" in differences and "Adam" in differences and "SGD" in differences
    assert [e.step for e in read_events(tmp_path / "adam").Scalars("train_loss")] == [1, 2]
    # the optimizers and common settings the learners' notes name are shown, with the flags that use them
    table, out = result["optimizer_table"], capsys.readouterr().out
    for cls in ("SGD", "Adam", "AdamW", "RMSprop", "Adagrad", "Adadelta"):
        assert f"torch.optim.{cls}" in out and cls in table["optimizers"].values()
    assert set(table["settings"]) == {"weight_decay", "momentum", "dampening", "nesterov", "eps", "amsgrad"}
    assert table["settings"]["momentum"] == ["sgd", "rmsprop"] and table["settings"]["amsgrad"] == ["adam", "adamw"]
    assert "--compare" in out and all(key in out for key in table["settings"])


def test_p23_help_lists_only_its_flags(capsys):
    with pytest.raises(SystemExit) as exit_info:
        run_lesson("p23_nn_optim", "--help")
    assert exit_info.value.code == 0
    shown = capsys.readouterr().out
    assert "P23 优化器" in shown
    for flag in ("--device", "--seed", "--data-root", "--tiny", "--logdir", "--optimizer", "--compare", "--lr",
                 "--amp", "--video"):
        assert flag in shown
    assert "--log-batches" not in shown


def test_p23_same_numbers_in_english(tmp_path, capsys):
    flags = ["--tiny", "--device", "cpu", "--epochs", "1"]
    chinese = run_lesson("p23_nn_optim", *flags, "--logdir", tmp_path / "zh")
    english = run_lesson("p23_nn_optim", *flags, "--logdir", tmp_path / "en", "--lang", "en")
    out = capsys.readouterr().out
    for result in (chinese, english):
        for history in result["histories"].values():
            history.pop("seconds")
    chinese.pop("differences"), english.pop("differences")
    assert chinese == english
    english_out = out[out.index("P23 优化器", 1):]
    assert [line for line in english_out.splitlines()[1:] if any("\u4e00" <= c <= "\u9fff" for c in line)] == []
    # English punctuation in English lines: "Adam (the video: SGD)", never "Adam（the video: SGD）"
    assert [line for line in english_out.splitlines()[1:] if any(c in "（），：；。、" for c in line)] == []
    assert re.search(r"Adam \([^()]*SGD\)", english_out)


# ---------------------------------------------------------------- P26 (conftest.p26_trained runs it once)
def test_p26_loss_falls_accuracy_rises_and_everything_is_logged(p26_trained):
    folder, result, calls = p26_trained
    # seed 0: test loss 5.77, 2.95, 2.62; accuracy 0.70, 0.87, 0.90
    assert_it_learned(result["test_loss"], result["test_accuracy"], loss_ratio=0.7, accuracy_above=0.6)
    assert result["test_accuracy"][-1] > result["test_accuracy"][0]
    assert_train_then_eval(calls)                                     # tudui.train() / tudui.eval() + no_grad()
    with torch.serialization.safe_globals(whole_model_classes("tudui")):
        last = torch.load(result["checkpoints"][-1], weights_only=True)
    assert result["test_accuracy"][-1] == pytest.approx(tiny_test_accuracy(last), abs=ONE_PICTURE)   # counted independently
    events = read_events(folder / "logs")
    assert {"train_loss", "test_loss", "test_accuracy"} <= set(events.Tags()["scalars"])
    assert [e.step for e in events.Scalars("test_accuracy")] == [0, 1, 2]       # total_test_step
    assert [e.value for e in events.Scalars("test_accuracy")] == pytest.approx(result["test_accuracy"])
    # 200 images in batches of 16: 13 steps an epoch, the loss logged every 5 steps
    assert [e.step for e in events.Scalars("train_loss")] == list(range(5, 3 * 13 + 1, 5))
    assert result["steps"] == 39


def test_p26_checkpoints_are_whole_models_that_load_safely(p26_trained):
    folder, _, _ = p26_trained
    names = sorted(p.name for p in (folder / "checkpoints").iterdir())
    assert names == ["tudui_0.pth", "tudui_1.pth", "tudui_2.pth"]          # the course's names, no .tmp left
    path = folder / "checkpoints" / "tudui_2.pth"
    with pytest.raises(pickle.UnpicklingError, match="models.Tudui"):
        torch.load(path, weights_only=True)                                 # a whole model: not without our classes
    with torch.serialization.safe_globals(whole_model_classes("tudui")):
        tudui = torch.load(path, weights_only=True, map_location="cpu")
    assert isinstance(tudui, Tudui)
    assert tudui.input_normalization == {"mean": [0.4914, 0.4822, 0.4465], "std": [0.247, 0.2435, 0.2616]}
    again = Tudui()
    again.load_state_dict(tudui.state_dict())
    x = torch.rand(4, 3, 32, 32)
    tudui.eval(), again.eval()
    assert torch.allclose(tudui(x), again(x), atol=1e-5)     # the same weights (channels_last rounds a little differently)
    assert not tudui._forward_hooks and not tudui._forward_pre_hooks      # nothing of ours in the file


def test_p26_keep_and_video_preset(tmp_path):
    (tmp_path / "ck").mkdir()
    (tmp_path / "ck" / "tudui_7.pth").write_bytes(b"from an earlier, longer run")
    result = run_lesson("p26_train", "--tiny", "--device", "cpu", "--video", "--epochs", "2", "--keep", "1",
                        "--out-dir", tmp_path / "ck", "--logdir", tmp_path / "logs")
    assert sorted(p.name for p in (tmp_path / "ck").iterdir()) == ["tudui_1.pth"]
    assert result["steps"] == 2 * math.ceil(200 / 64)                       # the video's batch 64
    with torch.serialization.safe_globals(whole_model_classes("tudui")):
        assert torch.load(tmp_path / "ck" / "tudui_1.pth", weights_only=True).input_normalization is None
    video = run_lesson("p26_train", "--tiny", "--device", "cpu", "--video", "--epochs", "2",
                       "--out-dir", tmp_path / "all", "--logdir", tmp_path / "logs")
    assert [p.name for p in video["checkpoints"]] == ["tudui_0.pth", "tudui_1.pth"]   # the video keeps every one
    assert len(video["differences"]) == 1


def test_p26_shows_argmax_and_train_eval(capsys):
    from p26_train import show_argmax, show_train_eval

    assert show_argmax() == 1
    modes = show_train_eval()
    assert modes["dropout_eval"] == [1.0] * 8
    assert set(modes["dropout_train"]) <= {0.0, 2.0} and 0.0 in modes["dropout_train"]


def test_p26_help_lists_only_its_flags(capsys):
    with pytest.raises(SystemExit):
        run_lesson("p26_train", "--help", "--lang", "en")
    shown = capsys.readouterr().out
    for flag in ("--out-dir", "--keep", "--print-every", "--amp", "--video", "--device", "--batch-size"):
        assert flag in shown
    assert "--log-batches" not in shown and "--compare" not in shown


# ---------------------------------------------------------------- --amp (support/training.py)
@pytest.mark.parametrize("lesson", ["p23_nn_optim", "p26_train"])
def test_amp_runs_and_keeps_the_loss_finite(lesson, tmp_path, device, capsys):
    extra = ["--out-dir", tmp_path / "ck"] if lesson == "p26_train" else []
    # where bfloat16 is only emulated (a CPU without AVX-512 BF16/AMX) it is many times slower:
    # there --amp trains in float32 and says so (autocast itself is tested below, on a few images)
    emulated = device == "cpu" and not training.cpu_has_bfloat16()
    result = run_lesson(lesson, "--tiny", "--device", device, "--amp", "--epochs", "1", "--logdir", tmp_path, *extra)
    assert ("float32" if emulated else "16") in capsys.readouterr().out
    loss = result["histories"]["adam"]["running_loss"][0] if lesson == "p23_nn_optim" else result["test_loss"][0]
    assert math.isfinite(loss)


def test_amp_on_a_cpu_without_bfloat16_trains_in_float32(monkeypatch):
    monkeypatch.setattr(training, "cpu_has_bfloat16", lambda: False)
    tudui = Tudui()
    said = training.mixed_precision_forward(tudui, torch.optim.SGD(tudui.parameters()), "cpu", "auto")
    assert "float32" in said and tudui(torch.rand(2, 3, 32, 32)).dtype == torch.float32
    assert training.amp_plan("cpu", "auto", cpu_bfloat16=True)[0] == torch.bfloat16
    assert training.amp_plan("cuda", "auto", cuda_bfloat16=False)[:2] == (torch.float16, True)


def test_autocast_forward_gives_float32_scores_and_leaves_no_hook_behind():
    tudui = Tudui()
    training.mixed_precision_forward(tudui, torch.optim.SGD(tudui.parameters()), "cpu", "bf16")
    conv = tudui.model[0]
    seen = []
    handle = conv.register_forward_hook(lambda m, i, o: seen.append(o.dtype))
    assert tudui(torch.rand(2, 3, 32, 32)).dtype == torch.float32 and seen == [torch.bfloat16]
    handle.remove()
    training.mixed_precision_forward(tudui, torch.optim.SGD(tudui.parameters()), "cpu", None)   # removes them
    assert tudui(torch.rand(2, 3, 32, 32)).dtype == torch.float32 and conv(torch.rand(1, 3, 8, 8)).dtype == torch.float32


def test_loss_scaling_gives_the_same_step_and_skips_an_overflow():
    torch.manual_seed(0)
    x, y = torch.rand(8, 3, 32, 32), torch.randint(0, 10, (8,))
    plain, scaled = Tudui(), Tudui()
    scaled.load_state_dict(plain.state_dict())
    scaling = training.LossScaling(scale=2.0 ** 10)
    for model, scale in ((plain, None), (scaled, scaling)):
        optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
        if scale is not None:
            optimizer.register_step_pre_hook(scale.unscale_or_skip)
        outputs = model(x)
        if scale is not None:
            outputs.register_hook(scale.scale_gradient)
        torch.nn.functional.cross_entropy(outputs, y).backward()
        optimizer.step()
    for a, b in zip(plain.parameters(), scaled.parameters()):
        assert torch.allclose(a, b, atol=1e-6)
    before = [p.clone() for p in scaled.parameters()]
    optimizer = torch.optim.SGD(scaled.parameters(), lr=0.1)
    optimizer.register_step_pre_hook(scaling.unscale_or_skip)
    next(scaled.parameters()).grad = torch.full_like(next(scaled.parameters()), float("inf"))
    optimizer.step()
    assert all(torch.equal(a, b) for a, b in zip(before, scaled.parameters())) and scaling.scale == 2.0 ** 9


def test_evaluate_counts_right_answers():
    tudui = Tudui()
    imgs = torch.rand(6, 3, 32, 32)
    targets = tudui(imgs).argmax(1)
    targets[:2] = (targets[:2] + 1) % 10
    assert training.evaluate(tudui, [(imgs[:3], targets[:3]), (imgs[3:], targets[3:])]) == pytest.approx(4 / 6)
