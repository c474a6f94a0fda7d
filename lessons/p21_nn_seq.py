"""P21 神经网络 - 搭建小实战和 Sequential 的使用

照着 CIFAR10 的模型结构图搭网络：3 次 [5x5 卷积 + 2x2 最大池化]，通道 3 -> 32 -> 32 -> 64，
边长 32 -> 16 -> 8 -> 4；再 Flatten（展平）成 64*4*4 = 1024，两层 Linear 到 10 个类别的分数。
nn.Sequential 把这些层按顺序装在一起（model1），数据依次经过每一层，forward 只剩一行。
torch.ones((64, 3, 32, 32)) 进去，[64, 10] 出来；计算图写进 TensorBoard（GRAPHS 页）。

课程的代码之后：padding=2 怎样从卷积的输出尺寸公式推出来；视频先写的逐层版本（conv1, maxpool1, ...,
linear2，forward 里一层一层调用），换上同样的权重，输出和 Sequential 版完全一样；一共 145,578 个参数。
"""
import support          # 先查 Python、torch、torchvision 的版本：不合适就说一行怎么修（我们的支持代码，不是课程内容）
import warnings

import torch
from torch import nn
from torch.nn import Conv2d, MaxPool2d, Flatten, Linear, Sequential
from torch.utils.tensorboard import SummaryWriter

from support import board, files, flags          # 我们的支持代码，不是课程内容
from support.i18n import _


# ------------------------------------------------ 课程的代码（nn_seq.py）：这个类，和课程文件一样写在最前面；课程其余的代码在 main() 里
class Tudui(nn.Module):
    def __init__(self):
        super(Tudui, self).__init__()
        self.model1 = Sequential(
            Conv2d(3, 32, 5, padding=2),
            MaxPool2d(2),
            Conv2d(32, 32, 5, padding=2),
            MaxPool2d(2),
            Conv2d(32, 64, 5, padding=2),
            MaxPool2d(2),
            Flatten(),
            Linear(1024, 64),
            Linear(64, 10)
        )

    def forward(self, x):
        x = self.model1(x)
        return x


def main(argv=None):
    parser = flags.lesson_parser(__file__, __doc__, logs=True)
    args = flags.parse_args(parser, argv)
    warnings.filterwarnings("ignore", category=FutureWarning, message=".*torch.jit.trace")   # add_graph 只能用它

    # ------------------------------------------------ 课程的代码（nn_seq.py）
    tudui = Tudui()
    print(tudui)
    input = torch.ones((64, 3, 32, 32))
    output = tudui(input)
    print(output.shape)
    print(_("（视频中: {}）").format("torch.Size([64, 10])"))

    log_dir = board.fresh_run(args.logdir)   # 我们加的：上一次的记录先放到一边，打印查看命令
    writer = SummaryWriter(log_dir)          # 视频中 SummaryWriter("../logs_seq")
    writer.add_graph(tudui, input)
    writer.close()

    # ------------------------------------------------ 我们加的（课程之外）
    print(_("计算图写好了：在 TensorBoard 的 GRAPHS 页双击 Tudui，再双击里面的 model1（Sequential），才能看到各层"))
    padding = ((32 - 1) * 1 - 32 + 1 * (5 - 1) + 1) // 2      # 第一层要保持 32x32：由输出尺寸公式解出 padding
    print(_("padding 由输出尺寸公式推出：32 = (32 + 2*padding - 1*(5-1) - 1)/1 + 1  ->  2*padding = 4  ->  "
            "padding = {padding}（stride=1、dilation=1 是默认值）").format(padding=padding))
    layer_shapes, out = [], input
    for layer in tudui.model1:                  # Sequential 可以一层一层地取出来
        out = layer(out)
        layer_shapes.append((layer.__class__.__name__, list(out.shape)))
        print("  {:<10}{}".format(*layer_shapes[-1]))
    first = TuduiLayerByLayer()
    first.load_state_dict(dict(zip(first.state_dict(), tudui.state_dict().values())))   # 换上同样的权重
    print(_("逐层版本（视频先这样写过，这里的写法是我们的）："))
    print(first)
    same = torch.equal(first(input), output)
    parameters = sum(p.numel() for p in tudui.parameters())
    print(_("两个版本（同样的权重）输出完全一样：{same}；参数个数：{parameters:,}").format(same=same, parameters=parameters))
    print(_("注意：P22、P23 像视频一样各自再写一遍这个类（Sequential 叫 model1）；P25、P26、P31、P33 从 "
            "lessons/models.py（课程的 model.py）导入它，那里的 Sequential 叫 model：参数名是 model.0.weight，"
            "而不是 model1.0.weight"))
    return {"parameters": parameters, "output_shape": list(output.shape), "layer_shapes": layer_shapes,
            "padding": padding, "same_output": same, "printed_first": str(first), "printed": str(tudui)}


# ------------------------------------------------ 我们加的：逐层版本（视频先这样写过，类也叫 Tudui；写法是我们的）
class TuduiLayerByLayer(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1, self.maxpool1 = Conv2d(3, 32, 5, padding=2), MaxPool2d(2)
        self.conv2, self.maxpool2 = Conv2d(32, 32, 5, padding=2), MaxPool2d(2)
        self.conv3, self.maxpool3 = Conv2d(32, 64, 5, padding=2), MaxPool2d(2)
        self.flatten, self.linear1, self.linear2 = Flatten(), Linear(1024, 64), Linear(64, 10)

    def forward(self, x):
        x = self.maxpool1(self.conv1(x))
        x = self.maxpool2(self.conv2(x))
        x = self.maxpool3(self.conv3(x))
        return self.linear2(self.linear1(self.flatten(x)))


if __name__ == "__main__":
    files.run(main)
