"""P21-P25: the CIFAR10 network, its loss and gradients, training, VGG16, saving."""
import math

import pytest
import torch

from helpers import read_events, run_lesson


def test_p21_network_shapes_and_graph(device, tmp_path):
    result = run_lesson("p21_nn_seq", "--device", device, "--logdir", tmp_path)
    assert result["parameters"] == 145_578
    assert result["output_shape"] == [64, 10]
    assert result["layer_shapes"] == [
        ("Conv2d", [64, 32, 32, 32]), ("MaxPool2d", [64, 32, 16, 16]),
        ("Conv2d", [64, 32, 16, 16]), ("MaxPool2d", [64, 32, 8, 8]),
        ("Conv2d", [64, 64, 8, 8]), ("MaxPool2d", [64, 64, 4, 4]),
        ("Flatten", [64, 1024]), ("Linear", [64, 64]), ("Linear", [64, 10]),
    ]
    events = read_events(tmp_path)
    assert events.Tags()["graph"] is True
    node_names = " ".join(node.name for node in events.Graph().node)
    assert "Conv2d" in node_names and "Linear" in node_names


def test_p22_backward_fills_the_gradients(device):
    result = run_lesson("p22_nn_loss_network", "--tiny", "--device", device, "--batches", "2")
    assert result["grad_before"] is None
    assert len(result["losses"]) == 2
    # an untrained 10-class network scores about ln(10)
    assert all(abs(loss - math.log(10)) < 0.3 for loss in result["losses"])
    assert result["grad_shapes"]["model.0.weight"] == [32, 3, 5, 5]
    assert result["grad_shapes"]["model.8.weight"] == [10, 64]
    assert len(result["grad_shapes"]) == 10   # every weight and bias of the 5 layers


def test_p23_training_lowers_the_loss(device, tmp_path):
    result = run_lesson("p23_nn_optim", "--tiny", "--device", device, "--logdir", tmp_path, "--epochs", "3")
    history = result["histories"]["adam"]
    losses = history["running_loss"]
    assert losses[0] > losses[1] > losses[2]
    assert history["accuracy"][-1] > 0.3   # ten classes: chance is 0.1
    events = read_events(tmp_path / "adam")
    assert [e.value for e in events.Scalars("running_loss")] == pytest.approx(losses)
    assert [e.step for e in events.Scalars("test_accuracy")] == [1, 2, 3]


def test_p23_schedule(tmp_path):
    run_lesson("p23_nn_optim", "--tiny", "--device", "cpu", "--logdir", tmp_path / "one", "--epochs", "3",
               "--batch-size", "32")
    one_cycle = [e.value for e in read_events(tmp_path / "one" / "adam").Scalars("learning_rate")]
    assert one_cycle[0] > one_cycle[1] > one_cycle[2] and one_cycle[2] < 3e-3 / 50   # down from the peak to almost 0
    run_lesson("p23_nn_optim", "--tiny", "--device", "cpu", "--logdir", tmp_path / "flat", "--epochs", "2",
               "--schedule", "constant")
    constant = [e.value for e in read_events(tmp_path / "flat" / "adam").Scalars("learning_rate")]
    assert constant == pytest.approx([3e-3, 3e-3])


def test_p23_compare_starts_every_optimizer_from_the_same_weights(tmp_path):
    names = ["sgd", "adam", "rmsprop", "adagrad", "adadelta", "adamw", "lbfgs"]
    result = run_lesson("p23_nn_optim", "--tiny", "--device", "cpu", "--logdir", tmp_path,
                        "--epochs", "1", "--compare", *names)
    assert set(result["histories"]) == set(names)
    for name in names:
        events = read_events(tmp_path / name)
        assert len(events.Scalars("running_loss")) == 1
        assert math.isfinite(result["histories"][name]["running_loss"][0])
    # the first batch of every run sees the same weights and the same images;
    # so a zero learning rate must give every optimizer the same loss
    frozen = run_lesson("p23_nn_optim", "--tiny", "--device", "cpu", "--logdir", tmp_path / "frozen",
                        "--epochs", "1", "--lr", "1e-12", "--compare", "sgd", "adam")
    losses = [h["running_loss"][0] for h in frozen["histories"].values()]
    assert losses[0] == pytest.approx(losses[1], rel=1e-5)


def test_p23_settings_reach_the_optimizer():
    from p23_nn_optim import build_parser, optimizer_settings

    args = build_parser().parse_args(["--optimizer", "sgd", "--lr", "0.05", "--momentum", "0.9", "--nesterov"])
    settings, not_accepted = optimizer_settings("sgd", args)
    assert settings == {"lr": 0.05, "momentum": 0.9, "nesterov": True}
    assert not_accepted == []
    args = build_parser().parse_args(["--amsgrad", "--eps", "1e-6", "--weight-decay", "0.01"])
    settings, not_accepted = optimizer_settings("adam", args)
    assert settings == {"lr": 3e-3, "weight_decay": 0.01, "eps": 1e-6, "amsgrad": True}
    settings, not_accepted = optimizer_settings("sgd", args)
    assert not_accepted == ["eps", "amsgrad"]


@pytest.mark.parametrize("flags, message", [
    (["--optimizer", "adam", "--momentum", "0.9"], "adam has no --momentum"),
    (["--optimizer", "sgd", "--nesterov"], "Nesterov momentum requires a momentum"),
])
def test_p23_refuses_settings_that_do_not_apply(flags, message, capsys):
    with pytest.raises(SystemExit) as exit_info:
        run_lesson("p23_nn_optim", "--tiny", *flags)
    assert exit_info.value.code == 2
    assert message in capsys.readouterr().err


def test_p24_changed_vgg16_models_forward(device):
    result = run_lesson("p24_model_pretrained", "--device", device)
    assert result["original_shape"] == [4, 1000]
    assert result["added_shape"] == [4, 10]
    assert result["added_classifier"][-1] == "Linear" and len(result["added_classifier"]) == 8
    assert "4x4096 and 1000x10" in result["broken_error"]
    assert result["replaced_shape"] == [4, 10]
    assert result["replaced_last"] == (4096, 10)


def test_p24_pretrained_without_network_says_where_the_file_goes(no_network, tmp_path, monkeypatch, capsys):
    import common

    monkeypatch.setattr(torch.hub, "get_dir", lambda: str(tmp_path / "hub"))
    with pytest.raises(common.LessonError) as error:
        run_lesson("p24_model_pretrained", "--device", "cpu", "--pretrained")
    message = str(error.value)
    assert str(tmp_path / "hub" / "checkpoints" / "vgg16-397923af.pth") in message
    assert "https://download.pytorch.org/models/vgg16-397923af.pth" in message
    assert not list((tmp_path / "hub").rglob("*.pth"))   # no half file left behind


def test_p25_save_then_load_gives_the_same_outputs(device, tmp_path):
    saved = run_lesson("p25_model_save", "--device", device, "--out-dir", tmp_path)
    assert saved["method1"].is_file() and saved["method2"].is_file()
    named = torch.serialization.get_unsafe_globals_in_checkpoint(saved["method1"])
    assert "models.Tudui" in named and not any(n.startswith("__main__") for n in named)
    state = torch.load(saved["method2"], weights_only=True)
    assert sum(t.numel() for t in state.values()) == 145_578

    loaded = run_lesson("p25_model_load", "--device", device, "--out-dir", tmp_path)
    assert torch.equal(loaded["outputs_method1"], saved["outputs"])
    assert torch.equal(loaded["outputs_method2"], saved["outputs"])
    assert "Unsupported global: GLOBAL models.Tudui" in loaded["plain_refusal"]
    assert not list(tmp_path.glob(".*.tmp"))


def test_p25_load_before_save_saves_first(tmp_path, capsys):
    loaded = run_lesson("p25_model_load", "--device", "cpu", "--out-dir", tmp_path)
    assert "running python lessons/p25_model_save.py first" in capsys.readouterr().out
    assert torch.equal(loaded["outputs_method1"], loaded["outputs_method2"])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["tudui_method1.pth", "tudui_method2.pth"]


def test_p25_load_with_one_file_missing_says_what_to_run(tmp_path):
    import common

    run_lesson("p25_model_save", "--device", "cpu", "--out-dir", tmp_path)
    (tmp_path / "tudui_method2.pth").unlink()
    with pytest.raises(common.LessonError, match="tudui_method2.pth not found: run python lessons/p25_model_save.py again"):
        run_lesson("p25_model_load", "--device", "cpu", "--out-dir", tmp_path)
    assert (tmp_path / "tudui_method1.pth").is_file()
