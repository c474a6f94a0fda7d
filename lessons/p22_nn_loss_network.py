"""P22 损失函数与反向传播

把 P21 搭的网络 Tudui 用到 CIFAR10 上：视频用 batch_size=1，每张图经过网络得到 10 个类别的分数
outputs，和真实类别 targets 一起送进 loss = nn.CrossEntropyLoss()，得到 result_loss。
视频讲反向传播时在循环里写了 result_loss.backward()，在那里打断点看梯度；课程文件里没有这一行，
本课在课程的代码之后对同样的几批补上。backward() 为每个参数算出梯度（grad）：之前第一个卷积层的
weight.grad 是 None，之后是和 weight 同形状的张量。反向传播只算梯度，不更新参数（那是 P23 优化器的事）；
每一批的 backward() 都把梯度加到原来的梯度上，所以训练时每一步都要先清零（P23 的 optim.zero_grad()）。
视频把整个测试集（10000 张）跑一遍；这里默认算 2 批就停（--batches）。
"""
import support          # 先查 Python、torch、torchvision 的版本：不合适就说一行怎么修（我们的支持代码，不是课程内容）
import torch
import torchvision
from torch import nn
from torch.nn import Sequential, Conv2d, MaxPool2d, Flatten, Linear
from torch.utils.data import DataLoader

from support import files, flags          # 我们的支持代码，不是课程内容
from support.data import cifar10_ready
from support.i18n import _


# ------------------------------------------------ 课程的代码（nn_loss_network.py）：这个类在课程文件里写在 dataset、dataloader 之后；
# 放在模块这一层，是为了 main() 下面的课程代码和测试都能用它
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
    parser = flags.lesson_parser(__file__, __doc__, data=True, batch_size=1)
    parser.add_argument("--batches", type=flags.positive_int, default=2,
                        help="算几批的损失就停（默认：%(default)s；视频把整个测试集跑一遍）")
    args = flags.parse_args(parser, argv)

    # ------------------------------------------------ 课程的代码（nn_loss_network.py）
    data_root = cifar10_ready(args)      # 我们加的：数据不在就下载，没有网络就用小替代集
    dataset = torchvision.datasets.CIFAR10(data_root, train=False, transform=torchvision.transforms.ToTensor(),
                                           download=True)                   # 视频中 root 是 "../data"

    dataloader = DataLoader(dataset, batch_size=args.batch_size)            # 视频中 batch_size=1，默认也是 1

    loss = nn.CrossEntropyLoss()
    tudui = Tudui()
    grad_before = tudui.model1[0].weight.grad       # 我们加的：backward() 之前还没有梯度
    seen = []                                       # 我们加的：记下每一批，后面打印
    for data in dataloader:
        imgs, targets = data
        outputs = tudui(imgs)
        result_loss = loss(outputs, targets)
        print("ok")
        seen.append((imgs, targets, outputs.detach(), result_loss.item()))    # 我们加的
        if len(seen) >= args.batches:
            break                       # 我们加的：默认 2 批就停；视频跑完整个测试集

    # ------------------------------------------------ 我们加的（课程之外）
    # 课程文件里没有 backward()；视频讲反向传播时在循环里写了 result_loss.backward()，并在那里打断点
    # 看 model1[0].weight.grad。这里对同样的几批补上这一步：
    for imgs, targets, _outputs, _value in seen:
        result_loss = loss(tudui(imgs), targets)
        result_loss.backward()
    _images, targets_seen, outputs_seen, losses = zip(*seen)
    for step, (_imgs, labels, scores, value) in enumerate(seen, 1):     # 第 1 批、第 2 批……
        print(_("第 {step} 批：outputs {shape}，每张图 10 个类别的分数；targets {targets}（{names}）；"
                "result_loss = {loss:.4f}").format(step=step, shape=list(scores.shape), targets=labels.tolist(),
                                                   names=", ".join(dataset.classes[t] for t in labels.tolist()),
                                                   loss=value))
        print(scores)
    grad = tudui.model1[0].weight.grad
    with_grad = sum(p.grad is not None for p in tudui.parameters())
    print(_("backward() 之前 model1[0].weight.grad 是 {before}，之后是形状 {shape} 的张量；"
            "{with_grad} 个参数张量（5 层的 weight 和 bias）都有了梯度").format(
        before=grad_before, shape=list(grad.shape), with_grad=with_grad))
    print(_("backward() 把梯度加到 .grad 上：这里是 {n} 批梯度之和，所以训练时每一步先清零"
            "（P23 的 optim.zero_grad()）").format(n=len(seen)))
    print(_("没训练过的网络给每个类别的概率都差不多（约 1/10），损失在 ln(10) = {ln10:.4f} 附近；视频调试器里的 grad "
            "数值和这里不同，因为参数的随机初始值不同").format(ln10=torch.log(torch.tensor(10.0)).item()))
    return {"grad_before": grad_before, "losses": list(losses), "batch_size": args.batch_size,
            "outputs": [scores.tolist() for scores in outputs_seen],
            "targets": [labels.tolist() for labels in targets_seen],
            "grad_shapes": {name: list(p.grad.shape) for name, p in tudui.named_parameters() if p.grad is not None}}


if __name__ == "__main__":
    files.run(main)
