"""P17 神经网络 - 卷积层 (nn.Conv2d)

nn.Conv2d 就是把 F.conv2d 的卷积核（权重）和偏置装进一个模块里，自动创建、初始化。
视频的 Tudui 里只有一层 conv1 = Conv2d(3, 6, 3)：CIFAR10 的 3 个颜色通道变成 6 个通道，
没有填充，每条边少 2：[64, 3, 32, 32] -> [64, 6, 30, 30]。

输入和输出图片像视频一样写进 TensorBoard。6 个通道没法显示成彩色，所以视频把输出
reshape 成 [-1, 3, 30, 30]：每张图拆成两张 3 通道的图，"output" 里的图是 "input" 的两倍，
颜色本身没有意义。课程的代码之后，我们把第一张图的 6 个通道各自拉伸成灰度图
（"output_channels"，这才是卷积层真正算出来的），再一次只改 Conv2d 的一项设置，看输出形状和参数个数怎么变。
"""
import support          # 先查 Python、torch、torchvision 的版本：不合适就说一行怎么修（我们的支持代码，不是课程内容）
import torch
import torchvision
from torch import nn
from torch.nn import Conv2d
from torch.utils.data import DataLoader
from torch.utils.tensorboard import SummaryWriter

from support import board, files, flags          # 我们的支持代码，不是课程内容
from support.data import cifar10_ready
from support.i18n import _


# ------------------------------------------------ 课程的代码（nn_conv2d.py）：这个类在课程文件里写在 dataset、dataloader 之后；
# 放在模块这一层，是为了 main() 下面的课程代码和测试都能用它
class Tudui(nn.Module):
    def __init__(self):
        super(Tudui, self).__init__()
        self.conv1 = Conv2d(in_channels=3, out_channels=6, kernel_size=3, stride=1, padding=0)

    def forward(self, x):
        x = self.conv1(x)
        return x


def main(argv=None):
    parser = flags.lesson_parser(__file__, __doc__, data=True, logs=True, batch_size=64, log_batches=True)
    args = flags.parse_args(parser, argv)

    # ------------------------------------------------ 课程的代码（nn_conv2d.py）
    data_root = cifar10_ready(args)      # 我们加的：数据不在就下载，没有网络就用小替代集
    dataset = torchvision.datasets.CIFAR10(data_root, train=False, transform=torchvision.transforms.ToTensor(),
                                           download=True)                    # 视频中 root 是 "../data"
    dataloader = DataLoader(dataset, batch_size=args.batch_size)            # 默认 64，和视频一样

    tudui = Tudui()

    log_dir = board.fresh_run(args.logdir, image_steps=board.logged_steps(dataloader, args.log_batches))  # 我们加的
    writer = SummaryWriter(log_dir)                                          # 视频中 SummaryWriter("../logs")

    step = 0
    for data in dataloader:
        imgs, targets = data
        output = tudui(imgs)
        print(imgs.shape)
        print(output.shape)
        # torch.Size([64, 3, 32, 32])
        writer.add_images("input", imgs, step)
        # torch.Size([64, 6, 30, 30])  -> [xxx, 3, 30, 30]

        output = torch.reshape(output, (-1, 3, 30, 30))
        writer.add_images("output", output, step)

        step = step + 1
        if args.log_batches is not None and step >= args.log_batches:
            break            # 我们加的：默认只跑前 4 批，快一些；视频跑全部（--log-batches all）

    writer.close()

    # ------------------------------------------------ 我们加的（课程之外）
    print(tudui)
    imgs, targets = next(iter(dataloader))          # 再取第一批（没有 shuffle，还是同一批）
    with torch.no_grad():
        first_output = tudui(imgs)
    print(_("第一批：imgs.shape {imgs}（视频中: torch.Size([64, 3, 32, 32])），"
            "output.shape {output}（视频中: torch.Size([64, 6, 30, 30])）").format(
        imgs=imgs.shape, output=first_output.shape))
    # 卷积的输出可正可负，TensorBoard 会把 [0, 1] 以外的截成黑或白：每个通道各自拉伸到 [0, 1] 再看
    channels = first_output[0].unsqueeze(1)                                   # [6, 1, 30, 30]
    low, high = channels.amin(dim=(1, 2, 3), keepdim=True), channels.amax(dim=(1, 2, 3), keepdim=True)
    with SummaryWriter(log_dir) as writer:
        writer.add_images("output_channels", (channels - low) / (high - low).clamp_min(1e-8), 0)
    print(_("写了 {steps} 批（共 {total} 批；视频写全部：--log-batches all），tag 是 input、output；"
            "output_channels 是第一张图的 6 个通道，各自拉伸到 [0, 1] 的灰度图（output 的颜色没有意义）").format(
        steps=step, total=len(dataloader)))

    print(_("一次只改一项设置，用同一批图片：输出形状和参数个数"))
    variants = [("Conv2d(3, 6, 3)", _("视频的 conv1"), Conv2d(3, 6, 3)),
                ("out_channels=12", _("输出通道"), Conv2d(3, 12, 3)),
                ("kernel_size=5", _("卷积核"), Conv2d(3, 6, 5)),
                ("kernel_size=(3, 5)", _("卷积核"), Conv2d(3, 6, (3, 5))),
                ("stride=2", _("步长"), Conv2d(3, 6, 3, stride=2)),
                ("padding=1", _("填充"), Conv2d(3, 6, 3, padding=1)),
                ("padding_mode='reflect'", _("填充模式"), Conv2d(3, 6, 3, padding=1, padding_mode="reflect")),
                ("dilation=2", _("空洞"), Conv2d(3, 6, 3, dilation=2)),
                ("groups=3", _("分组"), Conv2d(3, 6, 3, groups=3)),
                ("bias=False", _("偏置"), Conv2d(3, 6, 3, bias=False))]
    effects = {}
    with torch.no_grad():
        for name, term, layer in variants:
            effects[name] = (list(layer(imgs).shape), sum(p.numel() for p in layer.parameters()))
            print(_("  {name:<24} 输出 {shape:<18} 参数个数 {params:<5} {term}").format(
                name=name, term=term, shape=str(effects[name][0]), params=effects[name][1]))
    print(_("  参数个数 = out_channels * in_channels/groups * kH * kW，有偏置再加 out_channels"))
    try:                 # in_channels 不能随便选：它必须等于输入的通道数
        Conv2d(6, 6, 3)(imgs)
        mismatch = None
    except RuntimeError as error:
        mismatch = str(error).splitlines()[0]
    print(_("  in_channels=6 用在这批 3 通道的图片上会报错：{error}").format(error=mismatch))

    return {"input_shape": list(imgs.shape), "output_shape": list(first_output.shape), "logged_batches": step,
            "effects": effects, "in_channels_mismatch": mismatch, "printed": str(tudui)}


if __name__ == "__main__":
    files.run(main)
