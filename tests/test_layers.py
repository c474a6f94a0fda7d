"""P17-P20: layers on the tiny CIFAR10 stand-in, and what they log to TensorBoard."""
import pytest

from helpers import image_steps, read_events, run_lesson


def data_flags(device, logdir, *more):
    return ["--tiny", "--device", device, "--logdir", logdir, *more]


def test_p17_conv2d_shapes_parameters_and_images(device, tmp_path):
    result = run_lesson("p17_nn_conv2d", *data_flags(device, tmp_path))
    assert result["input_shape"] == [64, 3, 32, 32]
    assert result["output_shape"] == [64, 6, 30, 30]
    effects = result["effects"]
    assert effects["Conv2d(3, 6, 3)  (the video's conv1)"] == ([64, 6, 30, 30], 6 * 3 * 9 + 6)
    assert effects["out_channels=12"] == ([64, 12, 30, 30], 12 * 3 * 9 + 12)
    assert effects["kernel_size=5"] == ([64, 6, 28, 28], 6 * 3 * 25 + 6)
    assert effects["kernel_size=(3, 5)"] == ([64, 6, 30, 28], 6 * 3 * 15 + 6)
    assert effects["stride=2"][0] == [64, 6, 15, 15]
    assert effects["padding=1"][0] == [64, 6, 32, 32]
    assert effects["dilation=2"][0] == [64, 6, 28, 28]
    assert effects["groups=3"] == ([64, 6, 30, 30], 6 * 1 * 9 + 6)
    assert effects["bias=False"] == ([64, 6, 30, 30], 6 * 3 * 9)
    assert "expected input" in result["in_channels_mismatch"] and "6 channels" in result["in_channels_mismatch"]

    events = read_events(tmp_path)
    assert set(events.Tags()["images"]) == {"input", "output", "output_channels"}
    # the tiny test split is 100 images: two batches of 64, both logged
    assert image_steps(events, "input") == [0, 1] == list(range(result["logged_batches"]))
    first_output = events.Images("output")[0]
    assert (first_output.width, first_output.height) > (30, 30)   # a grid of 30x30 pictures


def test_p17_log_batches_bounds_the_logging(tmp_path):
    result = run_lesson("p17_nn_conv2d", *data_flags("cpu", tmp_path, "--log-batches", "1"))
    assert result["logged_batches"] == 1
    assert image_steps(read_events(tmp_path), "output") == [0]


def test_p17_a_second_run_replaces_the_first(tmp_path):
    run_lesson("p17_nn_conv2d", *data_flags("cpu", tmp_path))
    run_lesson("p17_nn_conv2d", *data_flags("cpu", tmp_path, "--log-batches", "1"))
    assert len(list(tmp_path.glob("events.out.tfevents.*"))) == 1
    assert image_steps(read_events(tmp_path), "input") == [0]


def test_p18_maxpool(device, tmp_path):
    result = run_lesson("p18_nn_maxpool", *data_flags(device, tmp_path))
    assert result["ceil_mode"] == [[2, 3], [5, 1]]
    assert result["floor_mode"] == [[2]]
    assert result["others"]["stride=1"] == [[2, 3, 3], [5, 3, 3], [5, 3, 3]]
    assert result["others"]["dilation=2"] == [[2]]
    assert result["indices"] == [[1, 3], [15, 18]]   # where 2, 3, 5, 1 sit in the flat 5x5 input
    assert result["image_shapes"] == {"input": [64, 3, 32, 32], "ceil": [64, 3, 11, 11], "floor": [64, 3, 10, 10]}
    assert result["integer_ceil_mode"] == [[2, 3], [5, 1]]   # whole numbers pool in current PyTorch
    assert result["padding_fill"] == -1.0                    # padded with -inf, not 0
    events = read_events(tmp_path)
    assert set(events.Tags()["images"]) == {"input", "output"}
    assert image_steps(events, "output") == [0, 1]


def test_p19_relu_and_sigmoid(device, tmp_path):
    result = run_lesson("p19_nn_relu", *data_flags(device, tmp_path))
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


def test_p20_flatten_and_linear(device):
    result = run_lesson("p20_nn_linear", "--tiny", "--device", device)
    assert result["shapes"] == {
        "images": [64, 3, 32, 32],
        "reshaped": [1, 1, 1, 196608], "reshaped_out": [1, 1, 1, 10],
        "whole_batch_flat": [196608], "whole_batch_out": [10],
        "per_image_flat": [64, 3072], "per_image_out": [64, 10],
    }
    families = {name.split()[0]: shapes for name, shapes in result["families"].items()}
    assert families == {
        "Normalization": ([64, 3, 32, 32], [64, 3, 32, 32]),
        "Recurrent": ([4, 7, 10], [4, 7, 20]),
        "Transformer": ([4, 7, 16], [4, 7, 16]),
        "Dropout": ([64, 3072], [64, 3072]),
        "Sparse": ([4, 7], [4, 7, 8]),
    }
