"""P15, P16, P19 (values), P22 loss: the numbers the video shows."""
import numpy as np
import pytest
import torch

from helpers import run_lesson


def test_p15_module_adds_one(device):
    result = run_lesson("p15_nn_module", "--device", device)
    assert result["input"] == 1.0
    assert result["output"] == 2.0
    assert result["hook_calls"] == 1   # model(x) runs the hook, model.forward(x) does not


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


def test_p16_conv_numbers(device):
    from p16_nn_conv import INPUT_5X5, KERNEL_3X3

    result = run_lesson("p16_nn_conv", "--device", device)
    assert result["stride1"] == [[10, 12, 12], [18, 16, 16], [13, 9, 3]]
    assert result["stride2"] == [[10, 12], [13, 3]]
    assert result["padding1"][0] == [1, 3, 4, 10, 8]
    assert result["padding1"][-1] == [14, 13, 9, 7, 4]
    assert result["padding1"] == sliding_window(INPUT_5X5, KERNEL_3X3, padding=1)
    assert result["bias"] == [[v + 100 for v in row] for row in result["stride1"]]
    assert result["dilation2"] == sliding_window(INPUT_5X5, KERNEL_3X3, dilation=2)[0][0] == 7
    channel0, channel1 = result["groups2"]
    assert channel0 == result["stride1"]
    assert channel1 == [[10 * v for v in row] for row in result["stride1"]]
    assert result["formula_sides"] == {"stride=1": 3, "stride=2": 2, "padding=1": 5, "dilation=2": 1}


def test_p16_output_size_formula_matches_torch():
    from p16_nn_conv import conv_output_size

    for size, kernel, stride, padding, dilation in [(32, 3, 1, 0, 1), (32, 5, 2, 2, 1), (17, 3, 3, 1, 2), (9, 4, 2, 0, 1)]:
        real = torch.nn.functional.conv2d(torch.ones(1, 1, size, size), torch.ones(1, 1, kernel, kernel),
                                          stride=stride, padding=padding, dilation=dilation)
        assert conv_output_size(size, kernel, stride, padding, dilation) == real.shape[-1]


def test_p22_loss_numbers(device):
    result = run_lesson("p22_nn_loss", "--device", device)
    assert result["l1_mean"] == pytest.approx(2 / 3, abs=1e-4)
    assert result["l1_sum"] == pytest.approx(2.0)
    assert result["l1_none"] == [0.0, 0.0, 2.0]
    assert result["mse"] == pytest.approx(4 / 3, abs=1e-4)
    assert result["cross_entropy"] == pytest.approx(1.1019, abs=1e-4)
    expected_ce = -0.2 + np.log(np.exp(0.1) + np.exp(0.2) + np.exp(0.3))
    assert result["cross_entropy"] == pytest.approx(expected_ce, abs=1e-5)
    first, second = result["per_image"]
    assert result["batch_mean"] == pytest.approx((first + second) / 2, abs=1e-5)
    assert result["weighted"] == pytest.approx((3 * first + second) / 4, abs=1e-5)
    assert result["ignored"] == pytest.approx(first, abs=1e-5)
    assert result["by_hand"] == pytest.approx(result["cross_entropy"], abs=1e-6)
    assert abs(result["softmax_first"] - result["cross_entropy"]) > 1e-3
