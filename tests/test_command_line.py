"""The lessons as a learner runs them: `python lessons/<file>.py` from another folder."""
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
LESSONS = sorted(p.stem for p in (REPO_ROOT / "lessons").glob("p[0-9]*.py"))


def run_script(name, *flags, cwd, env=None):
    return subprocess.run([sys.executable, str(REPO_ROOT / "lessons" / f"{name}.py"), *map(str, flags)],
                          cwd=cwd, env=env, capture_output=True, text=True, timeout=120)


def offline_env():
    """Downloads go to a proxy on this machine that refuses at once: offline,
    without a single packet leaving the machine."""
    env = dict(os.environ)
    for key in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY"):
        env[key] = "http://127.0.0.1:9"
    env.pop("no_proxy", None)
    env.pop("NO_PROXY", None)
    return env


def test_every_lesson_is_there():
    assert LESSONS == [
        "p03_dir_help", "p06_dataset", "p08_tensorboard", "p09_transforms", "p11_useful_transforms",
        "p13_dataset_transform", "p14_dataloader",
        "p15_nn_module", "p16_nn_conv", "p17_nn_conv2d", "p18_nn_maxpool", "p19_nn_relu",
        "p20_nn_linear", "p21_nn_seq", "p22_nn_loss", "p22_nn_loss_network", "p23_nn_optim",
        "p24_model_pretrained", "p25_model_load", "p25_model_save",
        "p26_train", "p29_train_gpu_1", "p30_train_gpu_2", "p31_predict", "p32_open_source",
    ]


def test_p21_runs_from_another_folder(tmp_path):
    result = run_script("p21_nn_seq", "--logdir", tmp_path / "logs", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0] == "P21 神经网络 - 搭建小实战和 Sequential 的使用"
    assert "parameters（参数个数）: 145,578" in result.stdout
    assert "output.shape torch.Size([64, 10])   （视频中: torch.Size([64, 10])）" in result.stdout
    assert list((tmp_path / "logs").glob("events.out.tfevents.*"))
    assert "Warning" not in result.stderr


def test_offline_run_falls_back_to_the_tiny_set(tmp_path):
    """No data, no network: one notice, the tiny set, exit 0."""
    (tmp_path / "data").mkdir()
    result = run_script("p19_nn_relu", "--data-root", tmp_path / "data", "--logdir", tmp_path / "logs",
                        cwd=tmp_path, env=offline_env())
    assert result.returncode == 0, result.stderr
    notice = [line for line in result.stdout.splitlines() if line.startswith("Notice:")]
    assert len(notice) == 1
    assert "cifar-10-python.tar.gz" in notice[0] and "tiny stand-in set" in notice[0]
    assert "Data: tiny stand-in set, test split, 100 images" in result.stdout
    assert "Traceback" not in result.stderr
    assert not [p for p in (tmp_path / "data").rglob("*") if p.is_file()]   # nothing half-downloaded


def test_help_describes_the_lesson(capsys):
    from helpers import run_lesson

    with pytest.raises(SystemExit) as exit_info:
        run_lesson("p23_nn_optim", "--help")
    assert exit_info.value.code == 0
    shown = capsys.readouterr().out
    assert shown.startswith("usage: python lessons/p23_nn_optim.py")
    assert "P23 优化器" in shown
    for flag in ("--device", "--seed", "--data-root", "--tiny", "--logdir", "--optimizer", "--compare", "--lr"):
        assert flag in shown


def test_cuda_without_a_gpu_is_a_clear_error(capsys, monkeypatch):
    import torch
    from helpers import run_lesson

    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    with pytest.raises(SystemExit) as exit_info:
        run_lesson("p15_nn_module", "--device", "cuda")
    assert exit_info.value.code == 2
    assert "--device cuda: this PyTorch sees no CUDA GPU" in capsys.readouterr().err
