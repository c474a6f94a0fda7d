"""P18 神经网络 - 最大池化的使用 (nn.MaxPool2d)

最大池化（max pooling）在每个窗口里只留下最大的数：图变小，最强的响应留下，没有要学的参数。
窗口每次移动自己的大小（stride 默认等于 kernel_size）。视频先在一个 5x5 的输入上试：
3x3 的窗口只放得下一个完整的，ceil_mode=False（向下取整）-> [[2]]；ceil_mode=True（向上取整）
把超出边缘的窗口也算上 -> [[2, 3], [5, 1]]。然后把 CIFAR10 的图片送进 Tudui 的
maxpool1 = MaxPool2d(kernel_size=3, ceil_mode=False)：边长 32 -> 10，TensorBoard 里的图变成马赛克。

课程的代码之后，我们比较 ceil_mode 的两种取法，再一次只改一项设置：stride、padding、dilation、
return_indices。
"""
import support          # 先查 Python、torch、torchvision 的版本：不合适就说一行怎么修（我们的支持代码，不是课程内容）
import torch
import torchvision
from torch import nn
from torch.nn import MaxPool2d
from torch.utils.data import DataLoader
from torch.utils.tensorboard import SummaryWriter

from support import board, files, flags          # 我们的支持代码，不是课程内容
from support.data import cifar10_ready
from support.i18n import _


# ------------------------------------------------ 课程的代码（nn_maxpool.py）：这个类在课程文件里写在 dataset、dataloader 之后；
# 放在模块这一层，是为了 main() 下面的课程代码和测试都能用它
class Tudui(nn.Module):
    def __init__(self):
        super(Tudui, self).__init__()
        self.maxpool1 = MaxPool2d(kernel_size=3, ceil_mode=False)

    def forward(self, input):
        output = self.maxpool1(input)
        return output


def main(argv=None):
    parser = flags.lesson_parser(__file__, __doc__, data=True, logs=True, batch_size=64, log_batches=True)
    args = flags.parse_args(parser, argv)

    # ------------------------------------------------ 课程的代码（nn_maxpool.py）
    data_root = cifar10_ready(args)      # 我们加的：数据不在就下载，没有网络就用小替代集
    dataset = torchvision.datasets.CIFAR10(data_root, train=False, download=True,
                                           transform=torchvision.transforms.ToTensor())   # 视频中 root 是 "../data"

    dataloader = DataLoader(dataset, batch_size=args.batch_size)            # 默认 64，和视频一样

    tudui = Tudui()

    log_dir = board.fresh_run(args.logdir, image_steps=board.logged_steps(dataloader, args.log_batches))  # 我们加的
    writer = SummaryWriter(log_dir)                                          # 视频中 SummaryWriter("../logs_maxpool")
    step = 0

    for data in dataloader:
        imgs, targets = data
        writer.add_images("input", imgs, step)
        output = tudui(imgs)
        writer.add_images("output", output, step)
        step = step + 1
        if args.log_batches is not None and step >= args.log_batches:
            break            # 我们加的：默认只写前 4 批，快一些；视频写全部（--log-batches all）

    writer.close()

    # ------------------------------------------------ 我们加的（课程之外）
    # 视频先在一个 5x5 的输入上试（课程文件里已经换成了数据集，没有这几行）
    input = torch.tensor([[1, 2, 0, 3, 1],
                          [0, 1, 2, 3, 1],
                          [1, 2, 1, 0, 0],
                          [5, 2, 3, 1, 1],
                          [2, 1, 0, 1, 1]], dtype=torch.float32)
    input = torch.reshape(input, (-1, 1, 5, 5))
    print(tudui)
    floor_output, ceil_output = tudui(input), MaxPool2d(kernel_size=3, ceil_mode=True)(input)
    print(_("5x5 的输入：ceil_mode=False（向下取整）只有一个完整的窗口 -> {floor}；ceil_mode=True（向上取整）"
            "超出边缘的窗口也算 -> {ceil}").format(floor=floor_output[0, 0].tolist(), ceil=ceil_output[0, 0].tolist()))
    integer_pooled = None
    try:
        integer_output = MaxPool2d(kernel_size=3, ceil_mode=True)(input.long())
    except RuntimeError as error:      # torch before about 2.1, as in the video
        print(_("视频写 dtype=torch.float32，是因为 PyTorch 不能对整数做最大池化；这里的 PyTorch {version} 也一样：{error}").format(
            version=torch.__version__.split("+")[0], error=str(error).splitlines()[0]))
    else:
        integer_pooled = integer_output[0, 0].tolist()
        print(_("视频写 dtype=torch.float32，是因为当时的 PyTorch 不能对整数做最大池化（\"max_pool2d\" not implemented "
                "for 'Long'）；PyTorch {version} 可以：{result}").format(
            version=torch.__version__.split("+")[0], result=integer_pooled))
    imgs, targets = next(iter(dataloader))          # 再取第一批（没有 shuffle，还是同一批）
    image_shapes = {"input": list(imgs.shape), "floor": list(tudui(imgs).shape),
                    "ceil": list(MaxPool2d(3, ceil_mode=True)(imgs).shape)}
    print(_("CIFAR10 的一批 {input} -> maxpool1（ceil_mode=False）{floor}，ceil_mode=True 会是 {ceil}；写了 {steps} 批"
            "（共 {total} 批；视频写全部：--log-batches all），tag 是 input、output").format(
        steps=step, total=len(dataloader), **image_shapes))

    others = {}
    for name, pool in [("stride=1", MaxPool2d(3, stride=1)), ("padding=1", MaxPool2d(3, padding=1)),
                       ("dilation=2", MaxPool2d(3, stride=1, dilation=2))]:
        others[name] = pool(input)[0, 0].tolist()
        print("  {name:<11} -> {result}".format(name=name, result=others[name]))
    values, indices = MaxPool2d(3, ceil_mode=True, return_indices=True)(input)
    print(_("  return_indices=True -> 最大值 {values}，它们在 5x5 输入里的位置（按行展平）{indices}").format(
        values=values[0, 0].tolist(), indices=indices[0, 0].tolist()))
    padded_max = MaxPool2d(3, stride=3, padding=1, ceil_mode=True)(-torch.ones(1, 1, 3, 3))[0, 0, 0, 0].item()
    print(_("  更正笔记：padding 填的是 -inf，不是 0；在全是 -1 的输入上，带填充的窗口最大值是 {value}，不是 0").format(
        value=padded_max))

    return {"floor_mode": floor_output[0, 0].tolist(), "ceil_mode": ceil_output[0, 0].tolist(),
            "integer_ceil_mode": integer_pooled, "padding_fill": padded_max, "others": others,
            "indices": indices[0, 0].tolist(), "image_shapes": image_shapes, "logged_batches": step,
            "printed": str(tudui)}


if __name__ == "__main__":
    files.run(main)
