"""P20 神经网络 - 线性层及其他层介绍 (flatten, nn.Linear)

线性层 nn.Linear(in_features, out_features) 作用在输入的最后一维上：[..., in] -> [..., out]。
视频把一整批 64 张图用 torch.flatten（展平）拉成一行 196608 个数（64*3*32*32），送进 Tudui 的
linear1 = Linear(196608, 10)：整批只得到 10 个数。这要求每批正好 64 张，所以 DataLoader 用
drop_last=True（测试集 10000 = 156*64 + 16 张，最后 16 张丢掉）。

课程的代码之后，我们看视频先试的 torch.reshape(imgs, (1, 1, 1, -1))，再看真正的模型怎么做：
每张图各自展平，flatten(imgs, start_dim=1) -> [64, 3072]，Linear(3072, 10) 给每张图 10 个分数，
不管一批多少张；最后把笔记表格里其他几类层各跑一个例子。
"""
import support          # 先查 Python、torch、torchvision 的版本：不合适就说一行怎么修（我们的支持代码，不是课程内容）
import torch
import torchvision
from torch import nn
from torch.nn import Linear
from torch.utils.data import DataLoader

from support import files, flags          # 我们的支持代码，不是课程内容
from support.data import cifar10_ready
from support.i18n import _


# ------------------------------------------------ 课程的代码（nn_linear.py）：这个类在课程文件里写在 dataset、dataloader 之后；
# 放在模块这一层，是为了 main() 下面的课程代码和测试都能用它
class Tudui(nn.Module):
    def __init__(self):
        super(Tudui, self).__init__()
        self.linear1 = Linear(196608, 10)

    def forward(self, input):
        output = self.linear1(input)
        return output


def main(argv=None):
    parser = flags.lesson_parser(__file__, __doc__, data=True)
    parser.add_argument("--batches", type=flags.positive_int, default=2,
                        help="跑多少批（默认：%(default)s；视频跑完整个测试集，156 批）")
    args = flags.parse_args(parser, argv)

    # ------------------------------------------------ 课程的代码（nn_linear.py）
    data_root = cifar10_ready(args)      # 我们加的：数据不在就下载，没有网络就用小替代集
    dataset = torchvision.datasets.CIFAR10(data_root, train=False, transform=torchvision.transforms.ToTensor(),
                                           download=True)                    # 视频中 root 是 "../data"

    dataloader = DataLoader(dataset, batch_size=64, drop_last=True)

    tudui = Tudui()

    step = 0                         # 我们加的：数到 --batches 就停
    for data in dataloader:
        imgs, targets = data
        print(imgs.shape)
        output = torch.flatten(imgs)
        print(output.shape)
        output = tudui(output)
        print(output.shape)
        step = step + 1              # 我们加的：默认只跑 2 批（--batches）
        if step >= args.batches:
            break

    # ------------------------------------------------ 我们加的（课程之外）
    print(_("（视频中: {}）").format("torch.Size([64, 3, 32, 32]) torch.Size([196608]) torch.Size([10])"))
    imgs, targets = next(iter(dataloader))
    reshaped = torch.reshape(imgs, (1, 1, 1, -1))                      # 视频先试的写法
    per_image, per_image_linear = torch.flatten(imgs, start_dim=1), Linear(3072, 10)    # 每张图一行
    shapes = {"images": imgs.shape, "reshaped": reshaped.shape, "reshaped_out": tudui(reshaped).shape,
              "whole_batch_flat": torch.flatten(imgs).shape, "whole_batch_out": tudui(torch.flatten(imgs)).shape,
              "per_image_flat": per_image.shape, "per_image_out": per_image_linear(per_image).shape}
    shapes = {name: list(shape) for name, shape in shapes.items()}
    print(_("{n} 张图片 = {full}*64 + {rest}：drop_last=True 丢掉最后 {rest} 张").format(
        n=len(dataset), full=len(dataset) // 64, rest=len(dataset) % 64))
    print(_("视频先试的：torch.reshape(imgs, (1, 1, 1, -1)) {reshaped} -> tudui {reshaped_out}").format(**shapes))
    print(_("每张图各自展平：torch.flatten(imgs, start_dim=1) {per_image_flat} -> Linear(3072, 10) {per_image_out}").format(
        **shapes))
    sample = torch.arange(24).reshape(2, 3, 2, 2)
    print(_("torch.flatten 在 [2, 3, 2, 2] 上：{}").format("; ".join(
        "start_dim={}, end_dim={} -> {}".format(s, e, list(torch.flatten(sample, s, e).shape))
        for s, e in [(0, -1), (1, -1), (1, 2), (2, 3)])))
    print(_("Linear(196608, 10) 有 {whole:,} 个权重，整批只给一个答案；Linear(3072, 10) 有 {per:,} 个，"
            "每张图一个答案，一批多少张都行：网络都这样用（P21）").format(
        whole=tudui.linear1.weight.numel(), per=per_image_linear.weight.numel()))
    print(_("bias=False（不加偏置 b）：参数 {without} 个，而不是 {with_bias} 个").format(
        without=sum(p.numel() for p in Linear(3072, 10, bias=False).parameters()),
        with_bias=sum(p.numel() for p in per_image_linear.parameters())))

    print(_("笔记表格里的其他几类层（输入形状 -> 输出形状）："))
    examples = [("Normalization", "BatchNorm2d(3)", nn.BatchNorm2d(3), torch.randn(64, 3, 32, 32)),
                ("Recurrent", "LSTM(10, 20, batch_first=True)", nn.LSTM(10, 20, batch_first=True), torch.randn(4, 7, 10)),
                ("Transformer", "TransformerEncoderLayer(16, nhead=4, batch_first=True)",
                 nn.TransformerEncoderLayer(16, nhead=4, batch_first=True), torch.randn(4, 7, 16)),
                ("Dropout", "Dropout(p=0.5)", nn.Dropout(p=0.5), torch.ones(64, 3072)),
                ("Sparse", "Embedding(1000, 8)", nn.Embedding(1000, 8), torch.randint(0, 1000, (4, 7)))]
    families = {}
    for family, name, layer, sample in examples:
        result = layer(sample)
        result = result[0] if isinstance(result, tuple) else result       # LSTM 还返回最后的 (h, c)
        families[family] = (list(sample.shape), list(result.shape))
        print("  {:<14}{:<56}{!s:<16} -> {}".format(family, name, list(sample.shape), list(result.shape)))
    return {"shapes": shapes, "families": families, "batches": step, "printed": str(tudui)}


if __name__ == "__main__":
    files.run(main)
