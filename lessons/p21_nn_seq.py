"""P21 神经网络 - 搭建小实战和 Sequential 的使用

按 CIFAR10 模型结构图搭网络：3 次 [5x5 卷积 + 2x2 最大池化]，通道 3 -> 32 -> 32 -> 64，
边长 32 -> 16 -> 8 -> 4；然后 Flatten（展平）成 64*4*4 = 1024，两层 Linear 到 10 个类别分数。
视频先一层一层写（conv1, maxpool1, ..., linear2），forward 里逐层调用；再用
nn.Sequential 写成 model1，数据按顺序依次经过每一层，forward 只剩一行。
padding=2 由卷积输出尺寸公式推出（下面会打印推导）。共 145,578 个参数，
torch.ones((64, 3, 32, 32)) -> [64, 10]，计算图写进 TensorBoard（GRAPHS）。

The video builds the network twice: layer by layer, then with
`nn.Sequential` (attribute `model1`). Both are here, with the same weights
and the same output. From P22 on, the lessons import the network from
lessons/models.py, where the Sequential is called `model`, as in the
course's own model.py (P27): only that attribute name differs from this
file.
"""
import warnings

import torch
from torch import nn

import common
from models import count_parameters


def layer_by_layer():
    """The video's first version: every layer its own attribute, forward calls each."""

    class Tudui(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv1 = nn.Conv2d(3, 32, 5, padding=2)
            self.maxpool1 = nn.MaxPool2d(2)
            self.conv2 = nn.Conv2d(32, 32, 5, padding=2)
            self.maxpool2 = nn.MaxPool2d(2)
            self.conv3 = nn.Conv2d(32, 64, 5, padding=2)
            self.maxpool3 = nn.MaxPool2d(2)
            self.flatten = nn.Flatten()
            self.linear1 = nn.Linear(1024, 64)
            self.linear2 = nn.Linear(64, 10)

        def forward(self, x):
            x = self.conv1(x)
            x = self.maxpool1(x)
            x = self.conv2(x)
            x = self.maxpool2(x)
            x = self.conv3(x)
            x = self.maxpool3(x)
            x = self.flatten(x)
            x = self.linear1(x)
            x = self.linear2(x)
            return x

    return Tudui()


class Tudui(nn.Module):
    """The video's second version: the same layers in one nn.Sequential, model1."""

    def __init__(self):
        super().__init__()
        self.model1 = nn.Sequential(
            nn.Conv2d(3, 32, 5, padding=2),
            nn.MaxPool2d(2),
            nn.Conv2d(32, 32, 5, padding=2),
            nn.MaxPool2d(2),
            nn.Conv2d(32, 64, 5, padding=2),
            nn.MaxPool2d(2),
            nn.Flatten(),
            nn.Linear(1024, 64),
            nn.Linear(64, 10),
        )

    def forward(self, x):
        x = self.model1(x)
        return x


def padding_from_formula(size=32, kernel=5, stride=1, dilation=1):
    """Solve H_out = (H_in + 2p - d(k-1) - 1) / s + 1 for p, with H_out = H_in."""
    return ((size - 1) * stride - size + dilation * (kernel - 1) + 1) // 2


def main(argv=None):
    parser = common.lesson_parser(__file__, __doc__, logs=True)
    args = common.parse_args(parser, argv)

    # Why padding=2: the first convolution must keep 32x32 (the structure diagram).
    padding = padding_from_formula()
    print("padding（填充） from the formula 输出尺寸公式 H_out = (H_in + 2*padding - dilation*(kernel_size-1) - 1)/stride + 1:")
    print(f"  32 = (32 + 2*padding - 1*(5-1) - 1)/1 + 1  ->  2*padding = 4  ->  padding = {padding}"
          "   (stride=1, dilation=1 are the defaults)")

    first = layer_by_layer().to(args.device)
    print("\nversion 1, layer by layer 逐层:")
    print(first)

    tudui = Tudui().to(args.device)
    print("\nversion 2, nn.Sequential:")
    print(tudui)
    # the same weights in both, so their outputs can be compared
    first.load_state_dict(dict(zip(first.state_dict(), tudui.state_dict().values())))
    parameters = count_parameters(tudui)
    print(f"parameters（参数个数）: {parameters:,}")

    input = torch.ones((64, 3, 32, 32), device=args.device)
    layer_shapes = []
    with torch.no_grad():
        print(f"\ninput {list(input.shape)}")
        out = input
        for layer in tudui.model1:   # the Sequential, one layer at a time
            out = layer(out)
            layer_shapes.append((layer.__class__.__name__, list(out.shape)))
            print(f"  after {layer.__class__.__name__:<9} {list(out.shape)}")
        output = tudui(input)
        same = torch.equal(first(input), output)
    print(f"output.shape {output.shape}   （视频中: torch.Size([64, 10])）")
    print(f"version 1 and version 2 give the same output: {same}")
    print("note 注意: P22 on use lessons/models.py, whose Sequential is named model (as the course's model.py, P27), "
          "not model1: the parameter names read model.0.weight instead of model1.0.weight")

    writer = common.open_writer(args.logdir)
    with warnings.catch_warnings():
        # add_graph records the graph with torch.jit.trace, which PyTorch now
        # marks deprecated; TensorBoard has no other way in, so we hush that one warning.
        warnings.filterwarnings("ignore", category=FutureWarning, message=".*torch.jit.trace")
        writer.add_graph(tudui, input)
    writer.close()
    print("graph written: in TensorBoard's GRAPHS tab double-click Tudui, then double-click model1 "
          "(the Sequential inside) to see the layers 双击两次才能看到各层")

    return {"parameters": parameters, "output_shape": list(output.shape), "layer_shapes": layer_shapes,
            "padding": padding, "same_output": same, "printed_first": str(first), "printed": str(tudui)}


if __name__ == "__main__":
    common.run(main)
