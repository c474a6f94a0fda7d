"""P22 loss functions and backward(), P24 VGG16: the video's values and names, the changed
networks' shapes, the pretrained weights offline and damaged, both languages."""
import math
import re

import numpy as np
import pytest
import torch

from helpers import LESSONS_DIR, run_lesson

CJK = re.compile(r"[\u4e00-\u9fff]")
WEIGHTS_NAME = "vgg16-397923af.pth"
WEIGHTS_URL = "https://download.pytorch.org/models/" + WEIGHTS_NAME


@pytest.fixture
def vgg16_without_random_init(monkeypatch):
    """VGG16 with its weights left as allocated: these tests check shapes and
    errors, not values, and drawing VGG16's 138 million random numbers takes
    seconds per network."""
    for name in ("kaiming_normal_", "kaiming_uniform_", "normal_", "uniform_", "constant_"):
        monkeypatch.setattr(torch.nn.init, name, lambda tensor, *args, **kwargs: tensor)


# ------------------------------------------------------------------ P22 nn_loss
def test_p22_loss_numbers_and_the_video_names(capsys):
    result = run_lesson("p22_nn_loss")
    assert result["inputs_shape"] == [1, 1, 1, 3]
    assert result["l1_sum"] == pytest.approx(2.0)
    assert result["l1_mean"] == pytest.approx(2 / 3, abs=1e-4)
    assert result["l1_none"] == [0.0, 0.0, 2.0]
    assert result["mse"] == pytest.approx(4 / 3, abs=1e-4)
    assert result["cross_entropy"] == pytest.approx(1.1019, abs=1e-4)
    expected_ce = -0.2 + np.log(np.exp(0.1) + np.exp(0.2) + np.exp(0.3))
    assert result["cross_entropy"] == pytest.approx(expected_ce, abs=1e-5)
    assert result["by_formula"] == pytest.approx(expected_ce, abs=1e-5)
    first, second = result["per_image"]
    assert result["batch_mean"] == pytest.approx((first + second) / 2, abs=1e-5)
    assert result["batch_sum"] == pytest.approx(first + second, abs=1e-5)
    assert result["weighted"] == pytest.approx((3 * first + second) / 4, abs=1e-5)
    assert result["ignored"] == pytest.approx(first, abs=1e-5)
    assert result["by_hand"] == pytest.approx(result["cross_entropy"], abs=1e-6)
    assert abs(result["softmax_first"] - result["cross_entropy"]) > 1e-3
    out = capsys.readouterr().out.splitlines()
    # the course's three prints as typed, each followed by a line with the value the video shows
    assert out[1:7:2] == ["tensor(2.)", "tensor(1.3333)", "tensor(1.1019)"]
    assert all(value in label for value, label in zip(out[1:7:2], out[2:7:2]))
    text = "\n".join(out)
    assert "0.6667" in text and "（视频中: tensor(0.6667)）" not in text   # the video's code prints the sum


def test_video_labels_only_where_the_courses_code_prints_the_value():
    for name, labelled in (("p22_nn_loss", True), ("p22_nn_loss_network", False), ("p24_model_pretrained", False)):
        text = (LESSONS_DIR / f"{name}.py").read_text(encoding="utf-8")
        assert ("（视频中: " in text) == labelled, name
        assert "(the video: " not in text, name


@pytest.mark.parametrize("name, title", [
    ("p22_nn_loss", "P22 损失函数与反向传播"),
    ("p22_nn_loss_network", "P22 损失函数与反向传播"),
    ("p24_model_pretrained", "P24 现有网络模型的使用及修改"),
])
def test_titles_and_chinese_docstrings(name, title):
    doc = (LESSONS_DIR / f"{name}.py").read_text(encoding="utf-8").split('"""')[1].strip().split("\n\n")
    assert doc[0] == title and len(CJK.findall(doc[1])) > 20


# ------------------------------------------------------------------ P22 nn_loss_network
def test_p22_backward_fills_the_gradients():
    result = run_lesson("p22_nn_loss_network", "--tiny", "--batches", "2")
    assert result["grad_before"] is None
    assert len(result["losses"]) == 2
    # an untrained 10-class network scores about ln(10)
    assert all(abs(loss - math.log(10)) < 0.3 for loss in result["losses"])
    assert result["grad_shapes"]["model1.0.weight"] == [32, 3, 5, 5]
    assert result["grad_shapes"]["model1.8.weight"] == [10, 64]
    assert len(result["grad_shapes"]) == 10   # every weight and bias of the 5 layers


def test_p22_network_runs_at_batch_1_and_prints_scores_and_target(capsys):
    result = run_lesson("p22_nn_loss_network", "--tiny", "--batches", "3")
    assert result["batch_size"] == 1 and len(result["losses"]) == 3
    assert [len(scores) for scores in result["outputs"]] == [1, 1, 1]
    assert all(len(scores[0]) == 10 for scores in result["outputs"])          # 10 scores per image
    assert all(len(labels) == 1 and 0 <= labels[0] <= 9 for labels in result["targets"])
    out = capsys.readouterr().out
    assert out.splitlines().count("ok") == 3                                  # the course's print("ok")
    for scores in result["outputs"]:
        assert f"{scores[0][0]:.4f}" in out


# ------------------------------------------------------------------ both languages
def explanation_lines(out):
    return [line for line in out.splitlines()
            if CJK.search(line) or re.search(r"[A-Za-z]{2,} [A-Za-z]{2,} [A-Za-z]{2,}", line)]


@pytest.mark.parametrize("name, argv", [("p22_nn_loss", []), ("p22_nn_loss_network", ["--tiny"])])
def test_the_same_numbers_in_both_languages(name, argv, capsys):
    chinese = run_lesson(name, *argv)
    zh_out = capsys.readouterr().out
    english = run_lesson(name, *argv, "--lang", "en")
    en_out = capsys.readouterr().out
    assert chinese == english
    zh_lines = explanation_lines(zh_out)[1:]
    assert sum(bool(CJK.search(line)) for line in zh_lines) >= 0.9 * len(zh_lines)
    # English: no Chinese but the title and the video's own （视频中: ...） never appears
    assert [line for line in en_out.splitlines()[1:] if CJK.search(line)] == []
    assert re.findall(r"\d+", zh_out) == re.findall(r"\d+", en_out)


def test_p24_help_in_both_languages(capsys):
    with pytest.raises(SystemExit):
        run_lesson("p24_model_pretrained", "--help")
    zh = capsys.readouterr().out
    with pytest.raises(SystemExit):
        run_lesson("p24_model_pretrained", "--help", "--lang", "en")
    en = capsys.readouterr().out
    for flag in ("--pretrained", "--tiny", "--data-root", "--seed", "--lang"):
        assert flag in zh and flag in en
    assert "--device" not in zh and "预训练" in zh
    assert [line for line in en.splitlines() if CJK.search(line)] == ["P24 现有网络模型的使用及修改"]


# ------------------------------------------------------------------ P24 VGG16
def test_p24_changed_vgg16_models_forward(vgg16_without_random_init, capsys):
    result = run_lesson("p24_model_pretrained", "--tiny")
    assert result["pretrained"] is False
    assert result["features_shape"] == [4, 25088]
    assert result["original_shape"] == [4, 1000]
    assert result["added_shape"] == [4, 10]
    assert result["added_classifier"][-1] == "Linear" and len(result["added_classifier"]) == 8
    assert "4x4096 and 1000x10" in result["broken_error"]
    assert result["replaced_shape"] == [4, 10]
    assert result["replaced_last"] == (4096, 10)
    out = capsys.readouterr().out
    # the course prints vgg16_true twice and vgg16_false twice, the second time changed
    assert out.count("VGG(") == 4
    assert out.count("(add_linear): Linear(in_features=1000, out_features=10, bias=True)") == 1
    assert out.count("(6): Linear(in_features=4096, out_features=10, bias=True)") == 1
    assert out.count("(6): Linear(in_features=4096, out_features=1000, bias=True)") == 3


def test_p24_pretrained_without_network_says_where_the_file_goes(vgg16_without_random_init, tmp_path, monkeypatch):
    from support import files

    monkeypatch.setattr(torch.hub, "get_dir", lambda: str(tmp_path / "hub"))
    with pytest.raises(files.LessonError) as error:
        run_lesson("p24_model_pretrained", "--tiny", "--pretrained")
    message = str(error.value)
    assert str(tmp_path / "hub" / "checkpoints" / WEIGHTS_NAME) in message
    assert WEIGHTS_URL in message and "\n" not in message
    assert not list((tmp_path / "hub").rglob("*.pth"))   # no half file left behind


def test_damaged_vgg16_weights_file_is_named(vgg16_without_random_init, tmp_path, monkeypatch):
    from support import files

    monkeypatch.setattr(torch.hub, "get_dir", lambda: str(tmp_path))
    weights = tmp_path / "checkpoints" / WEIGHTS_NAME
    weights.parent.mkdir()
    weights.write_bytes(b"\0" * 4096)
    with pytest.raises(files.LessonError) as error:
        run_lesson("p24_model_pretrained", "--tiny", "--pretrained", "--lang", "en")
    message = str(error.value)
    assert "\n" not in message and str(weights) in message and "4,096" in message and WEIGHTS_URL in message
    assert weights.read_bytes() == b"\0" * 4096
