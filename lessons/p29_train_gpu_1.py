"""P29 利用GPU训练（一）

第一种方式：在三样东西后面加 .cuda()：网络模型、损失函数、数据（输入 imgs 和标签 targets），
每一处都先用 if torch.cuda.is_available(): 判断一下。优化器不用改：它拿着的就是网络自己的参数，
参数跟着网络一起到了显卡上。其余就是 P26-P28 完整的训练套路（视频的 train_gpu_1.py）：打印
训练集和测试集的长度，DataLoader，Tudui，损失函数，SGD 优化器，每一轮先训练、再在整个测试集上
算 Loss 和正确率，写进 TensorBoard，最后保存这一轮的模型 tudui_{i}.pth。本课还用 time.time()
打印训练了多少秒，好比较 CPU 和 GPU 的速度（我们加的，课程文件里没有）。

没有 NVIDIA 显卡的电脑上 torch.cuda.is_available() 是 False，每个 .cuda() 都被跳过，同样的代码
在 CPU 上训练。视频的代码这时什么也不说，本课会打印一行说明。苹果电脑的 GPU（mps）用 .cuda()
用不上，要用 P30 的 .to(device)。视频训练 10 轮，这里默认 1 轮（--epochs 10 就和视频一样）。
"""
import support          # 先查 Python、torch、torchvision 的版本：不合适就说一行怎么修（我们的支持代码，不是课程内容）
import time                              # 我们加的：计时用（课程文件里没有）
from pathlib import Path

import torch
import torchvision
from torch import nn
from torch.utils.data import DataLoader
from torch.utils.tensorboard import SummaryWriter

from support import board, files, flags          # 我们的支持代码，不是课程内容
from support.data import cifar10_ready, is_standin
from support.i18n import _

CHECKPOINTS = files.CHECKPOINTS_ROOT / "p29"


# 创建网络模型（视频写在数据后面；这里放在 main() 外面，torch.save 整个模型时才找得到这个类）
class Tudui(nn.Module):
    def __init__(self):
        super(Tudui, self).__init__()
        self.model = nn.Sequential(
            nn.Conv2d(3, 32, 5, 1, 2),
            nn.MaxPool2d(2),
            nn.Conv2d(32, 32, 5, 1, 2),
            nn.MaxPool2d(2),
            nn.Conv2d(32, 64, 5, 1, 2),
            nn.MaxPool2d(2),
            nn.Flatten(),
            nn.Linear(64*4*4, 64),
            nn.Linear(64, 10)
        )

    def forward(self, x):
        x = self.model(x)
        return x


def main(argv=None):
    parser = flags.lesson_parser(__file__, __doc__, device=True, data=True, logs=True, batch_size=64)
    parser.add_argument("--epochs", type=flags.positive_int, default=1, help="训练的轮数（默认：1；视频中是 10）")
    parser.add_argument("--print-every", type=flags.positive_int, default=100,
                        help="每训练多少次打印一次时间和 Loss，并写一次 train_loss（默认：100，和视频一样）")
    parser.add_argument("--out-dir", type=Path, default=CHECKPOINTS,
                        help="每一轮的模型 tudui_{i}.pth 存在哪个文件夹（默认：%(default)s）")
    args = flags.parse_args(parser, argv)

    # ------------------------------------------------ 课程的代码（train_gpu_1.py）
    # 准备数据集
    data_root = cifar10_ready(args)      # 我们加的：数据不在就下载，没有网络就用小替代集
    train_data = torchvision.datasets.CIFAR10(root=data_root, train=True, transform=torchvision.transforms.ToTensor(),
                                              download=True)                 # 视频中 root="../data"
    test_data = torchvision.datasets.CIFAR10(root=data_root, train=False, transform=torchvision.transforms.ToTensor(),
                                             download=True)

    # length 长度
    train_data_size = len(train_data)
    test_data_size = len(test_data)
    # 如果train_data_size=10, 训练数据集的长度为：10
    print(_("训练数据集的长度为：{}").format(train_data_size))
    print(_("测试数据集的长度为：{}").format(test_data_size))

    # 利用 DataLoader 来加载数据集
    train_dataloader = DataLoader(train_data, batch_size=args.batch_size)   # 默认 64，和视频一样
    test_dataloader = DataLoader(test_data, batch_size=args.batch_size)

    # 我们加的：--device cpu（或 mps）时故意不走 .cuda()；视频里只判断 torch.cuda.is_available()
    use_cuda = args.device.type == "cuda"
    say_where(use_cuda, args.device)     # 我们加的一行说明：没有显卡时，视频的代码不声不响地用 CPU

    # 创建网络模型
    tudui = Tudui()
    if torch.cuda.is_available() and use_cuda:   # 视频中 if torch.cuda.is_available():
        tudui = tudui.cuda()

    # 损失函数
    loss_fn = nn.CrossEntropyLoss()
    if torch.cuda.is_available() and use_cuda:   # 视频中 if torch.cuda.is_available():
        loss_fn = loss_fn.cuda()
    # 优化器
    # learning_rate = 0.01
    # 1e-2=1 x (10)^(-2) = 1 /100 = 0.01
    learning_rate = 1e-2
    optimizer = torch.optim.SGD(tudui.parameters(), lr=learning_rate)

    # 设置训练网络的一些参数
    # 记录训练的次数
    total_train_step = 0
    # 记录测试的次数
    total_test_step = 0
    # 训练的轮数
    epoch = args.epochs                  # 视频中 epoch = 10

    # 添加tensorboard
    log_dir = board.fresh_run(args.logdir)     # 我们加的：上一次的记录先放到一边，打印查看命令
    writer = SummaryWriter(log_dir)            # 视频中 SummaryWriter("../logs_train")

    start_time = time.time()             # 我们加的：计时（课程文件里没有），下同
    for i in range(epoch):
        print(_("-------第 {} 轮训练开始-------").format(i+1))

        # 训练步骤开始
        tudui.train()
        for data in train_dataloader:
            imgs, targets = data
            if torch.cuda.is_available() and use_cuda:   # 视频中 if torch.cuda.is_available():
                imgs = imgs.cuda()
                targets = targets.cuda()
            outputs = tudui(imgs)
            loss = loss_fn(outputs, targets)

            # 优化器优化模型
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()

            total_train_step = total_train_step + 1
            if total_train_step % args.print_every == 0:      # 视频中 % 100
                end_time = time.time()                      # 我们加的
                print(end_time - start_time)                # 我们加的：训练到这里用了多少秒
                print(_("训练次数：{}, Loss: {}").format(total_train_step, loss.item()))
                writer.add_scalar("train_loss", loss.item(), total_train_step)

        # 测试步骤开始
        tudui.eval()
        total_test_loss = 0
        total_accuracy = 0
        with torch.no_grad():
            for data in test_dataloader:
                imgs, targets = data
                if torch.cuda.is_available() and use_cuda:   # 视频中 if torch.cuda.is_available():
                    imgs = imgs.cuda()
                    targets = targets.cuda()
                outputs = tudui(imgs)
                loss = loss_fn(outputs, targets)
                total_test_loss = total_test_loss + loss.item()
                accuracy = (outputs.argmax(1) == targets).sum()
                total_accuracy = total_accuracy + accuracy

        print(_("整体测试集上的Loss: {}").format(total_test_loss))
        print(_("整体测试集上的正确率: {}").format(total_accuracy/test_data_size))
        writer.add_scalar("test_loss", total_test_loss, total_test_step)
        writer.add_scalar("test_accuracy", total_accuracy/test_data_size, total_test_step)
        total_test_step = total_test_step + 1

        path = args.out_dir / "tudui_{}.pth".format(i)     # 视频中存在当前文件夹："tudui_{}.pth".format(i)
        with files.written_whole(path) as f:               # 我们加的：写完整才替换旧文件
            torch.save(tudui, f)
        print(_("模型已保存"))

    writer.close()

    # ------------------------------------------------ 我们加的（课程之外）
    seconds = time.time() - start_time
    device = next(tudui.parameters()).device
    print(_("在 {device} 上训练了 {epochs} 轮，一共 {seconds:.1f} 秒（time.time() 前后相减）；"
            "模型存在 {folder}").format(device=device, epochs=epoch, seconds=seconds, folder=files.shown(args.out_dir)))
    return {"device": device.type, "seconds": seconds, "steps": total_train_step,
            "train_data_size": train_data_size, "test_data_size": test_data_size,
            "test_loss": total_test_loss, "accuracy": (total_accuracy / test_data_size).item(),
            "checkpoints": [args.out_dir / "tudui_{}.pth".format(i) for i in range(epoch)],
            "real": not is_standin(test_data)}


def say_where(use_cuda, device):
    """One line on where this run trains: the course's code says nothing when there is no GPU."""
    if use_cuda:
        print(_("torch.cuda.is_available() 是 True：下面的 .cuda() 把网络模型、损失函数和每一批数据"
                "都放到显卡 {name} 上").format(name=torch.cuda.get_device_name()))
    elif device.type == "mps":
        print(_(".cuda() 只能用 NVIDIA 显卡，用不上苹果的 GPU（mps）：下面每个 .cuda() 都跳过，这次在 CPU 上训练；"
                "mps 要用 P30 的 .to(device)"))
    elif torch.cuda.is_available():
        print(_("--device cpu：显卡是有的，但下面每个 .cuda() 都故意跳过，这次在 CPU 上训练"))
    else:
        print(_("torch.cuda.is_available() 是 False：下面每个 .cuda() 都被跳过，这次在 CPU 上训练"
                "（代码和有 NVIDIA 显卡的电脑上完全一样；视频的代码这时什么也不说）"))


if __name__ == "__main__":
    files.run(main)
