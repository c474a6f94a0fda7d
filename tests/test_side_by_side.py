"""Side by side with the video: its names, its order, its printed values, the Chinese layer."""
import re
from pathlib import Path

import pytest
import torch

import common
from helpers import lesson, read_events, run_lesson

REPO_ROOT = Path(__file__).resolve().parent.parent
CJK = re.compile(r"[\u4e00-\u9fff]")

TITLES = {
    "p03_dir_help": "P3 Python学习中的两大法宝函数",
    "p06_dataset": "P6 Dataset类代码实战",
    "p08_tensorboard": "P8 TensorBoard的使用",
    "p09_transforms": "P9 Transforms的使用",
    "p11_useful_transforms": "P11 常见的Transforms",
    "p13_dataset_transform": "P13 torchvision中的数据集使用",
    "p14_dataloader": "P14 DataLoader的使用",
    "p15_nn_module": "P15 神经网络的基本骨架 - nn.Module 的使用",
    "p16_nn_conv": "P16 土堆说卷积操作",
    "p17_nn_conv2d": "P17 神经网络 - 卷积层",
    "p18_nn_maxpool": "P18 神经网络 - 最大池化的使用",
    "p19_nn_relu": "P19 神经网络 - 非线性激活",
    "p20_nn_linear": "P20 神经网络 - 线性层及其他层介绍",
    "p21_nn_seq": "P21 神经网络 - 搭建小实战和 Sequential 的使用",
    "p22_nn_loss": "P22 损失函数与反向传播",
    "p22_nn_loss_network": "P22 损失函数与反向传播",
    "p23_nn_optim": "P23 优化器",
    "p24_model_pretrained": "P24 现有网络模型的使用及修改",
    "p25_model_save": "P25 网络模型的保存与读取",
    "p25_model_load": "P25 网络模型的保存与读取",
    "p26_train": "P26 完整的模型训练套路",
    "p29_train_gpu_1": "P29 利用GPU训练（一）",
    "p30_train_gpu_2": "P30 利用GPU训练（二）",
    "p31_predict": "P31 完整的模型验证套路",
    "p32_open_source": "P32 看看开源项目",
}


class Stop(Exception):
    pass


@pytest.mark.parametrize("name", sorted(TITLES))
def test_first_printed_line_is_the_chinese_title(name, capsys, monkeypatch):
    real_parse_args = common.parse_args

    def parse_then_stop(parser, argv=None, **kwargs):
        real_parse_args(parser, argv, **kwargs)
        raise Stop

    monkeypatch.setattr(common, "parse_args", parse_then_stop)
    with pytest.raises(Stop):
        run_lesson(name, "--device", "cpu")
    assert capsys.readouterr().out.splitlines()[0].startswith(TITLES[name])
    # --help opens with a Chinese explanation right after the title
    doc = lesson(name).__doc__.strip().split("\n\n")
    assert doc[0].startswith(TITLES[name]) and len(CJK.findall(doc[1])) > 20


# lessons whose video prints values we show beside ours
WITH_VIDEO_VALUES = {"p14_dataloader", "p15_nn_module", "p16_nn_conv",
                     "p17_nn_conv2d", "p19_nn_relu", "p20_nn_linear", "p21_nn_seq", "p22_nn_loss",
                     "p26_train"}


def test_video_labels_are_in_chinese_and_english_ones_are_gone():
    for path in (REPO_ROOT / "lessons").glob("p[0-9]*.py"):
        text = path.read_text(encoding="utf-8")
        assert "(the video: " not in text, path.name
        assert ("（视频中: " in text) == (path.stem in WITH_VIDEO_VALUES), path.name


def test_every_lesson_has_a_title_here():
    assert sorted(p.stem for p in (REPO_ROOT / "lessons").glob("p[0-9]*.py")) == sorted(TITLES)


def test_p15_tudui_and_the_order_call_runs_things_in():
    result = run_lesson("p15_nn_module", "--device", "cpu")
    assert result["printed"] == "Tudui()"
    assert result["call_order"] == ["pre-hook（前置钩子）", "forward", "hook（钩子） sees 2.0"]
    assert result["forward_only"] == ["forward"]


def test_each_section_wraps_its_layer_in_tudui(tmp_path):
    flags = ["--tiny", "--device", "cpu", "--logdir", tmp_path]
    assert "(conv1): Conv2d(3, 6, kernel_size=(3, 3), stride=(1, 1))" in run_lesson("p17_nn_conv2d", *flags)["printed"]
    assert "(maxpool1): MaxPool2d(kernel_size=3, stride=3, padding=0, dilation=1, ceil_mode=False)" \
        in run_lesson("p18_nn_maxpool", *flags)["printed"]
    relu = run_lesson("p19_nn_relu", *flags)
    assert "(relu1): ReLU()" in relu["printed"] and "(sigmoid1): Sigmoid()" in relu["printed"]
    assert relu["input_shape"] == [1, 1, 2, 2]
    assert "(linear1): Linear(in_features=196608, out_features=10" in \
        run_lesson("p20_nn_linear", "--tiny", "--device", "cpu", "--batches", "1")["printed"]


def test_p21_both_versions_and_the_padding_derivation(tmp_path, capsys):
    result = run_lesson("p21_nn_seq", "--device", "cpu", "--logdir", tmp_path)
    out = capsys.readouterr().out
    assert result["padding"] == 2
    assert "32 = (32 + 2*padding - 1*(5-1) - 1)/1 + 1  ->  2*padding = 4  ->  padding = 2" in out
    for layer in ("conv1", "maxpool1", "conv2", "maxpool2", "conv3", "maxpool3", "flatten", "linear1", "linear2"):
        assert f"({layer}):" in result["printed_first"]
    assert "(model1): Sequential(" in result["printed"]
    assert result["same_output"] is True
    assert out.index("version 1, layer by layer") < out.index("version 2, nn.Sequential")
    assert "double-click model1" in out


def test_p22_uses_the_video_names_and_shapes(capsys):
    result = run_lesson("p22_nn_loss", "--device", "cpu")
    assert result["inputs_shape"] == [1, 1, 1, 3]
    out = capsys.readouterr().out
    assert "L1Loss(reduction='sum')  tensor(2.)   （视频中: tensor(2.)）" in out
    assert "（视频中: tensor(1.1019)）" in out
    assert "0.6667" in out and "（视频中: tensor(0.6667)）" not in out   # the video's code prints the sum


def test_p22_network_runs_at_batch_1_and_prints_scores_and_target(capsys):
    result = run_lesson("p22_nn_loss_network", "--tiny", "--device", "cpu", "--batches", "3")
    assert result["batch_size"] == 1 and len(result["losses"]) == 3
    rows = [line for line in capsys.readouterr().out.splitlines() if line.strip().startswith("outputs[0] [")]
    assert len(rows) == 3
    for row in rows:
        scores = re.search(r"outputs\[0\] \[([^\]]*)\]  target (\d)", row)
        assert scores and len(scores.group(1).split(",")) == 10


def test_p23_video_preset(tmp_path, capsys):
    result = run_lesson("p23_nn_optim", "--tiny", "--device", "cpu", "--logdir", tmp_path, "--video", "--epochs", "1")
    assert result["setup"] == {"optimizer": "sgd", "lr": 0.01, "schedule": "constant", "batch_size": 1,
                               "split": "test", "normalize": False, "shuffle": False, "epochs": 1}
    assert result["settings"] == {"sgd": {"lr": 0.01}}
    assert result["differences"] == ["1 epochs (视频中: 20 epochs)"]
    events = read_events(tmp_path / "sgd")
    assert [e.value for e in events.Scalars("learning_rate")] == pytest.approx([0.01])
    # batch 1 over the tiny test split: 100 batches, the loss logged every 10 of them
    assert [e.step for e in events.Scalars("train_loss")] == list(range(10, 101, 10))
    out = capsys.readouterr().out
    assert "accuracy on the train split" in out   # the video trains on the test split


def test_p23_default_says_how_it_differs(tmp_path):
    result = run_lesson("p23_nn_optim", "--tiny", "--device", "cpu", "--logdir", tmp_path, "--epochs", "1",
                        "--log-every", "1")
    assert "batch 128 (视频中: batch 1)" in result["differences"]
    assert "adam (视频中: SGD)" in result["differences"]
    assert [e.step for e in read_events(tmp_path / "adam").Scalars("train_loss")] == [1, 2]


def test_p25_loads_method1_first_and_shows_the_main_trap(tmp_path, capsys):
    result = run_lesson("p25_model_load", "--device", "cpu", "--out-dir", tmp_path)
    out = capsys.readouterr().out
    assert out.index("保存方式1 method 1: tudui_method1.pth") < out.index("保存方式2 method 2: torch.load")
    assert result["trap"].startswith("AttributeError: Can't get attribute 'Tudui' on <module '__main__'")
    assert result["state_dict_keys"][:2] == ["model.0.weight", "model.0.bias"]
    assert "OrderedDict of parameter names -> tensors, 10 entries" in out
    assert "(model): Sequential(" in result["printed_method1"]
    assert torch.equal(result["outputs_method1"], result["outputs_method2"])
