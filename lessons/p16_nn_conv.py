"""P16 土堆说卷积操作 - torch.nn.functional.conv2d

卷积核（kernel）在输入上按步长（stride）滑动，每停一处，把重叠的数逐个相乘再求和，
得到输出的一个数。这里用视频里的 5x5 输入和 3x3 卷积核，打印 stride=1、stride=2、
padding=1 的结果（与视频相同），再看偏置 bias、空洞 dilation、分组 groups 的作用，
并用输出尺寸公式核对真实形状。F.conv2d 要求 4 维张量，所以先 reshape。

A 3x3 kernel slides over a 5x5 input; at each stop the nine overlapping
numbers are multiplied pairwise and summed into one output number. We run
the video's exact input and kernel and print what it shows for stride 1,
stride 2 and padding 1, then what `bias`, `dilation` and `groups` change,
and check the output-size formula against the real shapes.

F.conv2d wants 4-D tensors: input [batch, channels, height, width] and
weight [out_channels, in_channels / groups, kH, kW], hence the reshapes.
"""
import torch
import torch.nn.functional as F

import common

INPUT_5X5 = [[1, 2, 0, 3, 1],
             [0, 1, 2, 3, 1],
             [1, 2, 1, 0, 0],
             [5, 2, 3, 1, 1],
             [2, 1, 0, 1, 1]]
KERNEL_3X3 = [[1, 2, 1],
              [0, 1, 0],
              [2, 1, 0]]


def conv_output_size(size, kernel, stride=1, padding=0, dilation=1):
    """The formula from the PyTorch docs for one side of the output."""
    return (size + 2 * padding - dilation * (kernel - 1) - 1) // stride + 1


def show(title, tensor):
    print(f"{title}  shape {list(tensor.shape)}")
    print(tensor.squeeze().cpu())


def main(argv=None):
    parser = common.lesson_parser(__file__, __doc__)
    args = common.parse_args(parser, argv)
    device = args.device
    # Whole numbers print like the video; CUDA has no integer convolution, so
    # on a GPU the same numbers come out as floats (10. instead of 10).
    dtype = torch.long if device.type == "cpu" else torch.float32

    image = torch.tensor(INPUT_5X5, dtype=dtype, device=device).reshape(1, 1, 5, 5)     # [batch, channel, H, W]
    kernel = torch.tensor(KERNEL_3X3, dtype=dtype, device=device).reshape(1, 1, 3, 3)   # [out, in, kH, kW]
    # the video's reshape(input, (1, 1, 5, 5)) and its two prints
    print(f"input.shape  {image.shape}   （视频中: torch.Size([1, 1, 5, 5])）")
    print(f"kernel.shape {kernel.shape}   （视频中: torch.Size([1, 1, 3, 3])）\n")

    stride1 = F.conv2d(image, kernel, stride=1)
    show("stride=1（步长 1）  （视频中: [[10,12,12],[18,16,16],[13,9,3]]）", stride1)
    stride2 = F.conv2d(image, kernel, stride=2)
    show("stride=2（步长 2）  （视频中: [[10,12],[13,3]]）", stride2)
    padded = F.conv2d(image, kernel, stride=1, padding=1)
    show("padding=1（填充 1）: a ring of zeros around the input, so the output stays 5x5  "
         "（视频中: first row [1,3,4,10,8], last row [14,13,9,7,4]）", padded)

    # bias adds one number per output channel, after the multiply-and-sum.
    with_bias = F.conv2d(image, kernel, bias=torch.tensor([100], dtype=dtype, device=device))
    show("\nbias=[100]（偏置）: every output number +100", with_bias)

    # dilation spreads the kernel's taps apart: a 3x3 kernel with dilation 2
    # covers 5x5, so on a 5x5 input it fits exactly once.
    dilated = F.conv2d(image, kernel, dilation=2)
    show("dilation=2（空洞）: the 3x3 kernel now spans 5x5 -> one output", dilated)

    # groups splits the channels: with 2 input channels and groups=2, each
    # output channel looks at its own input channel only (half the weights).
    two_channels = torch.cat([image, 10 * image], dim=1)                    # [1, 2, 5, 5]
    per_channel_kernels = torch.cat([kernel, kernel], dim=0)               # [2, 1, 3, 3]
    grouped = F.conv2d(two_channels, per_channel_kernels, groups=2)
    print(f"groups=2（分组） on 2 channels, weight {list(per_channel_kernels.shape)}: "
          f"channel 0 -> {grouped[0, 0, 0].tolist()} ..., channel 1 (input x10) -> {grouped[0, 1, 0].tolist()} ...")

    print("\n输出尺寸公式 output side = (size + 2*padding - dilation*(kernel-1) - 1) // stride + 1")
    checks = {"stride=1": (stride1, {}), "stride=2": (stride2, {"stride": 2}),
              "padding=1": (padded, {"padding": 1}), "dilation=2": (dilated, {"dilation": 2})}
    formula_sides = {}
    for name, (result, settings) in checks.items():
        side = conv_output_size(5, 3, **settings)
        formula_sides[name] = side
        print(f"  {name:<10} formula {side}, real {result.shape[-1]}")

    return {
        "stride1": stride1.squeeze().tolist(),
        "stride2": stride2.squeeze().tolist(),
        "padding1": padded.squeeze().tolist(),
        "bias": with_bias.squeeze().tolist(),
        "dilation2": dilated.squeeze().tolist(),
        "groups2": grouped.squeeze(0).tolist(),
        "formula_sides": formula_sides,
    }


if __name__ == "__main__":
    common.run(main)
