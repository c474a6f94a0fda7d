"""P16 土堆说卷积操作 - torch.nn.functional.conv2d

卷积核（kernel）在输入上按步长（stride）滑动，每停一处，把重叠的数逐个相乘再求和，得到输出的一个数。
课程用一个 5x5 的输入和一个 3x3 的卷积核，打印 stride=1、stride=2 和 padding=1（填充）的结果，
每个结果下面一行是视频里的值。视频先用 reshape 把输入变成 4 维（[batch, 通道, 高, 宽]），
那时的 PyTorch 只接受 4 维；现在的 F.conv2d 也接受 3 维（[通道, 高, 宽]，一张图、没有 batch 这一维）。

课程的代码之后，我们再看偏置 bias、空洞 dilation、分组 groups 分别做了什么，
并用输出尺寸公式核对每个输出的真实边长。
"""
import support          # 先查 Python、torch、torchvision 的版本：不合适就说一行怎么修（我们的支持代码，不是课程内容）
import torch
import torch.nn.functional as F

from support import files, flags          # 我们的支持代码，不是课程内容
from support.i18n import _


# ------------------------------------------------ 我们加的：课程的代码之后用来核对输出的边长
def conv_output_size(size, kernel, stride=1, padding=0, dilation=1):
    """PyTorch 文档里的输出尺寸公式（一条边）。"""
    return (size + 2 * padding - dilation * (kernel - 1) - 1) // stride + 1


def main(argv=None):
    parser = flags.lesson_parser(__file__, __doc__)
    flags.parse_args(parser, argv)

    # ------------------------------------------------ 课程的代码（nn_conv.py）
    input = torch.tensor([[1, 2, 0, 3, 1],
                          [0, 1, 2, 3, 1],
                          [1, 2, 1, 0, 0],
                          [5, 2, 3, 1, 1],
                          [2, 1, 0, 1, 1]])

    kernel = torch.tensor([[1, 2, 1],
                           [0, 1, 0],
                           [2, 1, 0]])

    input = torch.reshape(input, (1, 1, 5, 5))
    kernel = torch.reshape(kernel, (1, 1, 3, 3))

    print(input.shape)
    print(kernel.shape)

    output = F.conv2d(input, kernel, stride=1)
    print(output)
    print(_("（视频中: {}）").format("[[10, 12, 12], [18, 16, 16], [13, 9, 3]]"))

    output2 = F.conv2d(input, kernel, stride=2)
    print(output2)
    print(_("（视频中: {}）").format("[[10, 12], [13, 3]]"))

    output3 = F.conv2d(input, kernel, stride=1, padding=1)
    print(output3)
    print(_("（视频中: {}）").format("[[1, 3, 4, 10, 8], [5, 10, 12, 12, 6], [7, 18, 16, 16, 8], "
                                     "[11, 13, 9, 3, 4], [14, 13, 9, 7, 4]]"))

    # ------------------------------------------------ 我们加的（课程之外）
    with_bias = F.conv2d(input, kernel, bias=torch.tensor([100]))
    print(_("偏置 bias=[100]：相乘求和之后，每个输出数再加 100 -> {}").format(with_bias.squeeze().tolist()))
    dilated = F.conv2d(input, kernel, dilation=2)
    print(_("空洞 dilation=2：3x3 卷积核的 9 个数之间各空出一格，覆盖范围张开成 5x5，在 5x5 的输入上只放得下一处 -> {}").format(
        dilated.squeeze().tolist()))
    two_channels = torch.cat([input, 10 * input], dim=1)          # [1, 2, 5, 5]：第二个通道是第一个的 10 倍
    grouped = F.conv2d(two_channels, torch.cat([kernel, kernel]), groups=2)   # weight [2, 1, 3, 3]
    print(_("分组 groups=2：每个输出通道只看自己那一个输入通道，weight 是 [2, 1, 3, 3]；"
            "通道 0 的第一行 {first}，通道 1（输入乘 10）的第一行 {second}").format(
        first=grouped[0, 0, 0].tolist(), second=grouped[0, 1, 0].tolist()))

    print(_("输出尺寸公式：输出边长 = (边长 + 2*padding - dilation*(kernel_size-1) - 1) // stride + 1"))
    formula_sides = {}
    for name, result, settings in [("stride=1", output, {}), ("stride=2", output2, {"stride": 2}),
                                   ("padding=1", output3, {"padding": 1}), ("dilation=2", dilated, {"dilation": 2})]:
        formula_sides[name] = conv_output_size(5, 3, **settings)
        print(_("  {name}：公式算出 {formula}，实际是 {real}").format(
            name=name, formula=formula_sides[name], real=result.shape[-1]))

    return {"input": input.squeeze().tolist(), "kernel": kernel.squeeze().tolist(),
            "input_shape": list(input.shape), "kernel_shape": list(kernel.shape),
            "stride1": output.squeeze().tolist(), "stride2": output2.squeeze().tolist(),
            "padding1": output3.squeeze().tolist(), "bias": with_bias.squeeze().tolist(),
            "dilation2": dilated.squeeze().tolist(), "groups2": grouped.squeeze(0).tolist(),
            "formula_sides": formula_sides}


if __name__ == "__main__":
    files.run(main)
