"""P19 神经网络 - 非线性激活 (ReLU, Sigmoid)

非线性激活让网络能表示非线性的关系：中间没有它，叠多少层都只相当于一次线性变换。
ReLU 把负数变成 0，正数不变：[[1, -0.5], [-1, 3]] -> [[1, 0], [0, 3]]；inplace=True（原地操作）
直接改写输入，省内存，但原来的值就没了。Sigmoid 把每个数压到 (0, 1) 之间：1/(1+e^-x)。
视频先把 2x2 的张量 reshape 成 [-1, 1, 2, 2]（batch、通道、高、宽），打印 torch.Size([1, 1, 2, 2])；
Tudui 里有 relu1 和 sigmoid1 两层，forward 用的是 sigmoid1，把 CIFAR10 的图片经过 Sigmoid 写进
TensorBoard：像素 [0, 1] 变成 [0.5, 0.73]，图片发灰。

课程的代码之后，我们把 relu1（inplace 的两种取法）和 sigmoid1 用在那个 2x2 的张量上。
"""
import support          # 先查 Python、torch、torchvision 的版本：不合适就说一行怎么修（我们的支持代码，不是课程内容）
import torch
import torchvision
from torch import nn
from torch.nn import ReLU, Sigmoid
from torch.utils.data import DataLoader
from torch.utils.tensorboard import SummaryWriter

from support import board, files, flags          # 我们的支持代码，不是课程内容
from support.data import cifar10_ready
from support.i18n import _


# ------------------------------------------------ 课程的代码（nn_relu.py）：这个类在课程文件里写在 input、dataset、dataloader 之后；
# 放在模块这一层，是为了 main() 下面的课程代码和测试都能用它
class Tudui(nn.Module):
    def __init__(self):
        super(Tudui, self).__init__()
        self.relu1 = ReLU()
        self.sigmoid1 = Sigmoid()

    def forward(self, input):
        output = self.sigmoid1(input)
        return output


def main(argv=None):
    parser = flags.lesson_parser(__file__, __doc__, data=True, logs=True, batch_size=64, log_batches=True)
    args = flags.parse_args(parser, argv)

    # ------------------------------------------------ 课程的代码（nn_relu.py）
    input = torch.tensor([[1, -0.5],
                          [-1, 3]])

    input = torch.reshape(input, (-1, 1, 2, 2))
    print(input.shape)
    print(_("（视频中: {}）").format("torch.Size([1, 1, 2, 2])"))

    data_root = cifar10_ready(args)      # 我们加的：数据不在就下载，没有网络就用小替代集
    dataset = torchvision.datasets.CIFAR10(data_root, train=False, download=True,
                                           transform=torchvision.transforms.ToTensor())   # 视频中 root 是 "../data"

    dataloader = DataLoader(dataset, batch_size=args.batch_size)            # 默认 64，和视频一样

    tudui = Tudui()

    log_dir = board.fresh_run(args.logdir, image_steps=board.logged_steps(dataloader, args.log_batches))  # 我们加的
    writer = SummaryWriter(log_dir)                                          # 视频中 SummaryWriter("../logs_relu")
    step = 0
    for data in dataloader:
        imgs, targets = data
        writer.add_images("input", imgs, global_step=step)
        output = tudui(imgs)
        writer.add_images("output", output, step)
        step += 1
        if args.log_batches is not None and step >= args.log_batches:
            break            # 我们加的：默认只写前 4 批，快一些；视频写全部（--log-batches all）

    writer.close()

    # ------------------------------------------------ 我们加的（课程之外）
    print(tudui)
    print(_("tudui(imgs) 就是 sigmoid1(imgs)：最后一批的像素范围 [{low:.2f}, {high:.2f}] 变成 "
            "[{out_low:.4f}, {out_high:.4f}]；写了 {steps} 批（共 {total} 批；视频写全部：--log-batches all），"
            "tag 是 input、output").format(low=imgs.min(), high=imgs.max(), out_low=output.min(), out_high=output.max(),
                                       steps=step, total=len(dataloader)))

    relu_output = tudui.relu1(input)
    print(_("relu1(input)：负数变成 0，正数不变"))
    print(relu_output)
    print(_("inplace=False（默认，不修改原张量）：input 没有变 -> {}").format(input[0, 0].tolist()))
    overwritten = input.clone()
    same_tensor = ReLU(inplace=True)(overwritten)
    print(_("ReLU(inplace=True)（原地操作）：直接改写传进去的张量 -> {values}；返回的就是它本身：{same}").format(
        values=overwritten[0, 0].tolist(), same=same_tensor is overwritten))
    sigmoid_output = tudui.sigmoid1(input)
    print(_("sigmoid1(input)：1/(1+e^-x)，每个数都压到 (0, 1) 之间"))
    print(sigmoid_output)

    return {"input_shape": list(input.shape), "relu": relu_output[0, 0].tolist(),
            "input_after_relu": input[0, 0].tolist(), "relu_inplace": overwritten[0, 0].tolist(),
            "inplace_returns_input": same_tensor is overwritten, "sigmoid": sigmoid_output[0, 0].tolist(),
            "sigmoid_image_range": (output.min().item(), output.max().item()),
            "logged_batches": step, "printed": str(tudui)}


if __name__ == "__main__":
    files.run(main)
