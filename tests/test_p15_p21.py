"""P15-P21: nn.Module, convolution, pooling, activations, linear layers, Sequential.

The numbers the video shows, the video's names, what goes to TensorBoard, the
flags each lesson reads, and the same numbers in both languages."""
import re
import sys

import numpy as np
import pytest
import torch

from helpers import LESSONS_DIR, image_steps, lesson, read_events, run_as_script, run_lesson
from support import files, i18n

CJK = re.compile(r"[\u4e00-\u9fff]")
INPUT_5X5 = [[1, 2, 0, 3, 1], [0, 1, 2, 3, 1], [1, 2, 1, 0, 0], [5, 2, 3, 1, 1], [2, 1, 0, 1, 1]]
KERNEL_3X3 = [[1, 2, 1], [0, 1, 0], [2, 1, 0]]
TITLES = {
    "p15_nn_module": "P15 神经网络的基本骨架 - nn.Module 的使用",
    "p16_nn_conv": "P16 土堆说卷积操作",
    "p17_nn_conv2d": "P17 神经网络 - 卷积层",
    "p18_nn_maxpool": "P18 神经网络 - 最大池化的使用",
    "p19_nn_relu": "P19 神经网络 - 非线性激活",
    "p20_nn_linear": "P20 神经网络 - 线性层及其他层介绍",
    "p21_nn_seq": "P21 神经网络 - 搭建小实战和 Sequential 的使用",
}


def data_flags(logdir, *more):
    return ["--tiny", "--logdir", logdir, *more]


# ---------------------------------------------------------------- P15
def test_p15_module_adds_one_and_only_the_call_runs_the_hooks(capsys):
    result = run_lesson("p15_nn_module")
    assert (result["input"], result["output"]) == (1.0, 2.0)
    assert result["printed"] == "Tudui()"
    assert result["call_order"] == [("pre-hook", 1.0), ("hook", 2.0)]    # forward ran between them
    assert result["forward_only"] == []                                   # tudui.forward(x): no hook at all
    assert capsys.readouterr().out.splitlines()[1] == "tensor(2.)"        # the video's print(output), first


@pytest.mark.parametrize("argv", [
    ["/usr/lib/python3/dist-packages/ipykernel_launcher.py", "-f", "/root/.local/share/jupyter/runtime/kernel-1.json"],
    [""],                                      # the Python console
    ["-c"],                                    # python -c "..."
])
def test_p15_main_with_no_argument_ignores_the_kernels_command_line(argv, monkeypatch):
    monkeypatch.setattr(sys, "argv", argv)
    assert lesson("p15_nn_module").main()["output"] == 2.0


def test_p15_flags_still_come_from_the_command_line_when_run_as_a_script(monkeypatch, capsys):
    monkeypatch.setattr(sys, "argv", ["lessons/p15_nn_module.py", "--seed", "-1"])
    with pytest.raises(SystemExit) as exit_info:
        lesson("p15_nn_module").main()
    assert exit_info.value.code == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "--seed" in err and "-1" in err


# ---------------------------------------------------------------- P16
def sliding_window(image, kernel, stride=1, padding=0, dilation=1):
    """Convolution written out by hand, to check F.conv2d against."""
    image = np.pad(np.array(image), padding)
    kernel = np.array(kernel)
    span = dilation * (len(kernel) - 1) + 1
    side = (len(image) - span) // stride + 1
    out = np.zeros((side, side), dtype=int)
    for i in range(side):
        for j in range(side):
            window = image[i * stride:i * stride + span:dilation, j * stride:j * stride + span:dilation]
            out[i, j] = (window * kernel).sum()
    return out.tolist()


def test_p16_conv_numbers(capsys):
    result = run_lesson("p16_nn_conv")
    assert (result["input"], result["kernel"]) == (INPUT_5X5, KERNEL_3X3)
    assert (result["input_shape"], result["kernel_shape"]) == ([1, 1, 5, 5], [1, 1, 3, 3])
    assert result["stride1"] == [[10, 12, 12], [18, 16, 16], [13, 9, 3]] == sliding_window(INPUT_5X5, KERNEL_3X3)
    assert result["stride2"] == [[10, 12], [13, 3]] == sliding_window(INPUT_5X5, KERNEL_3X3, stride=2)
    assert result["padding1"][0] == [1, 3, 4, 10, 8]
    assert result["padding1"][-1] == [14, 13, 9, 7, 4]
    assert result["padding1"] == sliding_window(INPUT_5X5, KERNEL_3X3, padding=1)
    assert result["bias"] == [[v + 100 for v in row] for row in result["stride1"]]
    assert result["dilation2"] == sliding_window(INPUT_5X5, KERNEL_3X3, dilation=2)[0][0] == 7
    channel0, channel1 = result["groups2"]
    assert channel0 == result["stride1"]
    assert channel1 == [[10 * v for v in row] for row in result["stride1"]]
    assert result["formula_sides"] == {"stride=1": 3, "stride=2": 2, "padding=1": 5, "dilation=2": 1}
    # each video label sits right under the value the course's code printed
    lines = capsys.readouterr().out.splitlines()
    labels = [i for i, line in enumerate(lines) if "视频中" in line]
    assert len(labels) == 3 and all(lines[i - 1].endswith("]]]])") for i in labels)
    assert "[[10, 12], [13, 3]]" in lines[labels[1]]


def test_p16_output_size_formula_matches_torch():
    conv_output_size = lesson("p16_nn_conv").conv_output_size
    for size, kernel, stride, padding, dilation in [(32, 3, 1, 0, 1), (32, 5, 2, 2, 1), (17, 3, 3, 1, 2), (9, 4, 2, 0, 1)]:
        real = torch.nn.functional.conv2d(torch.ones(1, 1, size, size), torch.ones(1, 1, kernel, kernel),
                                          stride=stride, padding=padding, dilation=dilation)
        assert conv_output_size(size, kernel, stride, padding, dilation) == real.shape[-1]


# ---------------------------------------------------------------- P17
def test_p17_conv2d_shapes_parameters_and_images(tmp_path):
    result = run_lesson("p17_nn_conv2d", *data_flags(tmp_path))
    assert "(conv1): Conv2d(3, 6, kernel_size=(3, 3), stride=(1, 1))" in result["printed"]
    assert result["input_shape"] == [64, 3, 32, 32]
    assert result["output_shape"] == [64, 6, 30, 30]
    effects = result["effects"]
    assert effects["Conv2d(3, 6, 3)"] == ([64, 6, 30, 30], 6 * 3 * 9 + 6)
    assert effects["out_channels=12"] == ([64, 12, 30, 30], 12 * 3 * 9 + 12)
    assert effects["kernel_size=5"] == ([64, 6, 28, 28], 6 * 3 * 25 + 6)
    assert effects["kernel_size=(3, 5)"] == ([64, 6, 30, 28], 6 * 3 * 15 + 6)
    assert effects["stride=2"][0] == [64, 6, 15, 15]
    assert effects["padding=1"][0] == effects["padding_mode='reflect'"][0] == [64, 6, 32, 32]
    assert effects["dilation=2"][0] == [64, 6, 28, 28]
    assert effects["groups=3"] == ([64, 6, 30, 30], 6 * 1 * 9 + 6)
    assert effects["bias=False"] == ([64, 6, 30, 30], 6 * 3 * 9)
    assert "expected input" in result["in_channels_mismatch"] and "6 channels" in result["in_channels_mismatch"]

    events = read_events(tmp_path)
    assert set(events.Tags()["images"]) == {"input", "output", "output_channels"}
    # the tiny test split is 100 images: two batches of 64, both logged
    assert image_steps(events, "input") == image_steps(events, "output") == [0, 1]
    assert result["logged_batches"] == 2
    # TensorBoard lays a batch out 8 pictures a row: 64 inputs of 32x32 are 8 rows; reshaped to 3 channels,
    # 64 outputs of 6x30x30 are 128 pictures of 30x30, 16 rows
    first_input, first_output = events.Images("input")[0], events.Images("output")[0]
    assert (first_input.width, first_input.height) == (8 * 32, 8 * 32)
    assert (first_output.width, first_output.height) == (8 * 30, 16 * 30)


def test_p17_log_batches_bounds_the_logging_and_a_second_run_replaces_the_first(tmp_path):
    run_lesson("p17_nn_conv2d", *data_flags(tmp_path))
    result = run_lesson("p17_nn_conv2d", *data_flags(tmp_path, "--log-batches", "1"))
    assert result["logged_batches"] == 1
    events = read_events(tmp_path)
    assert image_steps(events, "input") == image_steps(events, "output") == [0]


# ---------------------------------------------------------------- P18
def test_p18_maxpool(tmp_path):
    result = run_lesson("p18_nn_maxpool", *data_flags(tmp_path))
    assert "(maxpool1): MaxPool2d(kernel_size=3, stride=3, padding=0, dilation=1, ceil_mode=False)" in result["printed"]
    assert result["floor_mode"] == [[2]]                 # the course's Tudui on the 5x5 input
    assert result["ceil_mode"] == [[2, 3], [5, 1]]
    assert result["others"]["stride=1"] == [[2, 3, 3], [5, 3, 3], [5, 3, 3]]
    assert result["others"]["dilation=2"] == [[2]]
    assert result["indices"] == [[1, 3], [15, 18]]   # where 2, 3, 5, 1 sit in the flat 5x5 input
    assert result["image_shapes"] == {"input": [64, 3, 32, 32], "ceil": [64, 3, 11, 11], "floor": [64, 3, 10, 10]}
    assert result["integer_ceil_mode"] == [[2, 3], [5, 1]]   # whole numbers pool in current PyTorch
    assert result["padding_fill"] == -1.0                    # padded with -inf, not 0
    events = read_events(tmp_path)
    assert set(events.Tags()["images"]) == {"input", "output"}
    assert image_steps(events, "output") == [0, 1]
    assert events.Images("output")[0].width < events.Images("input")[0].width   # 10x10 mosaics


# ---------------------------------------------------------------- P19
def test_p19_relu_and_sigmoid(tmp_path):
    result = run_lesson("p19_nn_relu", *data_flags(tmp_path))
    assert "(relu1): ReLU()" in result["printed"] and "(sigmoid1): Sigmoid()" in result["printed"]
    assert result["input_shape"] == [1, 1, 2, 2]
    assert result["relu"] == [[1, 0], [0, 3]]
    assert result["input_after_relu"] == [[1, -0.5], [-1, 3]]   # inplace=False left it alone
    assert result["relu_inplace"] == [[1, 0], [0, 3]]
    assert result["inplace_returns_input"] is True
    flat_sigmoid = [v for row in result["sigmoid"] for v in row]
    assert flat_sigmoid == pytest.approx([0.7311, 0.3775, 0.2689, 0.9526], abs=1e-4)
    low, high = result["sigmoid_image_range"]
    assert 0.5 <= low < high <= 0.7311
    events = read_events(tmp_path)
    assert set(events.Tags()["images"]) == {"input", "output"}
    assert image_steps(events, "input") == [0, 1] and result["logged_batches"] == 2


# ---------------------------------------------------------------- P20
def test_p20_flatten_and_linear():
    result = run_lesson("p20_nn_linear", "--tiny")
    assert "(linear1): Linear(in_features=196608, out_features=10" in result["printed"]
    assert result["batches"] == 1            # 100 tiny images, drop_last=True: one full batch of 64
    assert result["shapes"] == {
        "images": [64, 3, 32, 32],
        "reshaped": [1, 1, 1, 196608], "reshaped_out": [1, 1, 1, 10],
        "whole_batch_flat": [196608], "whole_batch_out": [10],
        "per_image_flat": [64, 3072], "per_image_out": [64, 10],
    }
    assert result["families"] == {
        "Normalization": ([64, 3, 32, 32], [64, 3, 32, 32]),
        "Recurrent": ([4, 7, 10], [4, 7, 20]),
        "Transformer": ([4, 7, 16], [4, 7, 16]),
        "Dropout": ([64, 3072], [64, 3072]),
        "Sparse": ([4, 7], [4, 7, 8]),
    }


# ---------------------------------------------------------------- P21
def test_p21_network_shapes_graph_and_both_versions(tmp_path, capsys):
    result = run_lesson("p21_nn_seq", "--logdir", tmp_path)     # no data, no network needed
    out = capsys.readouterr().out
    assert result["parameters"] == 145_578 and "145,578" in out
    assert result["output_shape"] == [64, 10]
    assert result["layer_shapes"] == [
        ("Conv2d", [64, 32, 32, 32]), ("MaxPool2d", [64, 32, 16, 16]),
        ("Conv2d", [64, 32, 16, 16]), ("MaxPool2d", [64, 32, 8, 8]),
        ("Conv2d", [64, 64, 8, 8]), ("MaxPool2d", [64, 64, 4, 4]),
        ("Flatten", [64, 1024]), ("Linear", [64, 64]), ("Linear", [64, 10]),
    ]
    # the padding the lesson derives keeps a 5x5 convolution's 32x32 (checked by running one), and it is printed
    same = torch.nn.Conv2d(1, 1, 5, padding=result["padding"])(torch.zeros(1, 1, 32, 32))
    assert same.shape[-2:] == (32, 32) and f"padding = {result['padding']}" in out
    assert "(model1): Sequential(" in result["printed"]
    for layer in ("conv1", "maxpool1", "conv2", "maxpool2", "conv3", "maxpool3", "flatten", "linear1", "linear2"):
        assert f"({layer}):" in result["printed_first"]
    assert result["same_output"] is True
    assert out.index("(model1): Sequential(") < out.index("torch.Size([64, 10])") < out.index("(conv1):")
    assert "model1" in next(line for line in out.splitlines() if "GRAPHS" in line)
    events = read_events(tmp_path)
    assert events.Tags()["graph"] is True
    node_names = " ".join(node.name for node in events.Graph().node)
    assert "model1" in node_names and "Conv2d" in node_names and "Linear" in node_names


def test_p21_logdir_that_is_a_file(tmp_path):
    (tmp_path / "logs").write_text("notes")
    with pytest.raises(files.LessonError) as error:
        run_lesson("p21_nn_seq", "--logdir", tmp_path / "logs")
    assert "logs" in str(error.value) and "\n" not in str(error.value)
    assert (tmp_path / "logs").read_text() == "notes"


# ---------------------------------------------------------------- as a learner runs them
# (an offline run falling back to the tiny set: tests/test_command_line.py, both languages)


def test_p17_tensorboard_on_a_full_disk(small_disk):
    logs = small_disk / "logs"
    logs.mkdir()
    (logs / "events.out.tfevents.1.earlier").write_bytes(b"earlier run")
    done = run_as_script("p17_nn_conv2d", "--tiny", "--logdir", logs, "--lang", "en", cwd=small_disk.parent)
    assert done.returncode == 1
    error = done.stderr.strip().splitlines()
    assert len(error) == 1 and str(logs.relative_to(small_disk.parent)) in error[0]
    assert "No space left on device" in error[0]                   # the system's reason; the earlier run is kept:
    assert [p.name for p in logs.iterdir()] == ["events.out.tfevents.1.earlier"]


# ---------------------------------------------------------------- flags, titles, languages
@pytest.mark.parametrize("name", sorted(TITLES))
def test_title_docstring_and_video_labels(name):
    module = lesson(name)
    doc = module.__doc__.strip()
    assert doc.splitlines()[0].startswith(TITLES[name]) and len(CJK.findall(doc.split("\n\n")[1])) > 20
    assert i18n.Catalogue("en").gettext(doc) != doc      # its English is in the catalogue
    source = (LESSONS_DIR / f"{name}.py").read_text(encoding="utf-8")
    # "（视频中: …）" only where the course's own code prints the value: nn_maxpool.py prints nothing
    assert ("（视频中: " in source) == (name != "p18_nn_maxpool")
    assert source.index("课程的代码（") < source.index("我们加的（课程之外）")
    assert not re.search(r"^\s*(from|import) (p\d\d_|common|cifar)\b", source, re.M)


def test_the_same_numbers_in_both_languages(tmp_path, capsys):
    for name, argv in [("p16_nn_conv", []), ("p18_nn_maxpool", data_flags(tmp_path / "p18")),
                       ("p21_nn_seq", ["--logdir", tmp_path / "p21"])]:
        chinese = run_lesson(name, *argv)
        zh_out = capsys.readouterr().out
        english = run_lesson(name, *argv, "--lang", "en")
        en_out = capsys.readouterr().out
        assert chinese == english, name
        assert [line for line in en_out.splitlines()[1:] if CJK.search(line)] == [], name
        assert re.findall(r"\d+", zh_out.replace(str(tmp_path), "")) == \
            re.findall(r"\d+", en_out.replace(str(tmp_path), "")), name
