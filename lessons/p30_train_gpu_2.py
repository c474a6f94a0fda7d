"""P30 利用GPU训练（二）

第二种方式（更常用）：先定义训练的设备 device = torch.device("cuda")，再把网络模型、损失函数和
每一批数据都 .to(device)。要换设备只改这一行："cpu"、"cuda"、"cuda:0"，苹果电脑的 GPU 是 "mps"。
视频还写了更稳妥的 torch.device("cuda" if torch.cuda.is_available() else "cpu")：没有显卡就用 CPU。
本课由 --device 决定这一行（默认 auto：有 NVIDIA 显卡用 cuda，其次 mps，都没有就 cpu），并打印
实际用的设备。其余和 P29 一样，是完整的训练套路（视频的 train_gpu_2.py）。

注意：网络模型（nn.Module）的 .to() 是原地修改，写 tudui.to(device) 就够了；张量的 .to() 返回
一个新张量，必须赋值 imgs = imgs.to(device)。课程的代码之后，本课在 CPU 和（有的话）显卡上各训练
同样的轮数，从同样的初始权重开始，把每轮用时并排打印；--amp 在这一步用混合精度。没有显卡的话，
可以用 Google Colab 免费借一块（视频里也提到了）。视频训练 10 轮，这里默认 1 轮。
"""
import support          # 先查 Python、torch、torchvision 的版本：不合适就说一行怎么修（我们的支持代码，不是课程内容）
import time
from pathlib import Path

import torch
import torchvision
from torch import nn
from torch.utils.data import DataLoader
from torch.utils.tensorboard import SummaryWriter

from support import board, files, flags, training      # 我们的支持代码，不是课程内容
from support.data import cifar10_ready, is_standin
from support.i18n import _

CHECKPOINTS = files.CHECKPOINTS_ROOT / "p30"


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
    parser.add_argument("--epochs", type=flags.positive_int, default=1,
                        help="训练的轮数，课程的部分和后面每个设备的计时都是这么多轮（默认：1；视频中是 10）")
    parser.add_argument("--out-dir", type=Path, default=CHECKPOINTS,
                        help="每一轮的模型 tudui_{i}.pth 存在哪个文件夹（默认：%(default)s）")
    parser.add_argument("--amp", nargs="?", const="auto", default=None, choices=training.AMP_CHOICES,
                        help="后面各设备计时时用混合精度：不写值（auto）按这台机器挑快的，bf16 或 fp16 强制指定"
                             "（课程的部分始终是 float32）")
    args = flags.parse_args(parser, argv)

    # ------------------------------------------------ 课程的代码（train_gpu_2.py）
    # 定义训练的设备
    device = torch.device(args.device)   # 视频中 torch.device("cuda")；这里由 --device 决定（auto：cuda，其次 mps，再次 cpu）
    say_device(device)                   # 我们加的一行：打印实际用的设备

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

    # 创建网络模型
    tudui = Tudui()
    tudui = tudui.to(device)             # 网络的 .to() 原地修改，不赋值也行；张量的 .to() 必须赋值

    # 损失函数
    loss_fn = nn.CrossEntropyLoss()
    loss_fn = loss_fn.to(device)
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

    start_time = time.time()             # 我们加的：计时（P29 的做法），后面和别的设备比较
    for i in range(epoch):
        print(_("-------第 {} 轮训练开始-------").format(i+1))

        # 训练步骤开始
        tudui.train()
        for data in train_dataloader:
            imgs, targets = data
            imgs = imgs.to(device)
            targets = targets.to(device)
            outputs = tudui(imgs)
            loss = loss_fn(outputs, targets)

            # 优化器优化模型
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()

            total_train_step = total_train_step + 1
            if total_train_step % 100 == 0:
                print(_("训练次数：{}, Loss: {}").format(total_train_step, loss.item()))
                writer.add_scalar("train_loss", loss.item(), total_train_step)

        # 测试步骤开始
        tudui.eval()
        total_test_loss = 0
        total_accuracy = 0
        with torch.no_grad():
            for data in test_dataloader:
                imgs, targets = data
                imgs = imgs.to(device)
                targets = targets.to(device)
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
    course = {"seconds_per_epoch": (time.time() - start_time) / epoch,
              "accuracy": (total_accuracy / test_data_size).item()}
    in_place = show_in_place_or_not()
    timings = side_by_side(device, course, train_dataloader, test_dataloader, args)
    return {"device": device.type, "steps": total_train_step, "train_data_size": train_data_size,
            "test_data_size": test_data_size, "test_loss": total_test_loss, "accuracy": course["accuracy"],
            "checkpoints": [args.out_dir / "tudui_{}.pth".format(i) for i in range(epoch)],
            "in_place": in_place, "timings": timings, "real": not is_standin(test_data)}


def say_device(device):
    """One line: the device this run really uses, and why when it is not a GPU."""
    if device.type == "cuda":
        print(_("训练设备：{device}（{name}）").format(device=device, name=torch.cuda.get_device_name(device)))
    elif device.type == "cpu" and not torch.cuda.is_available():
        print(_("训练设备：{device}（这台电脑没有 NVIDIA 显卡：视频写的 torch.device(\"cuda\") 在这里会在 "
                ".to(device) 时报错，所以这一行由 --device 决定）").format(device=device))
    else:
        print(_("训练设备：{device}").format(device=device))


def show_in_place_or_not():
    """A module's .to() changes the module itself; a tensor's .to() returns a new tensor."""
    tudui = Tudui()
    returned = tudui.to(torch.float64)
    imgs = torch.ones(2, 3)
    moved = imgs.to(torch.float64)
    print(_("网络的 .to() 原地修改：tudui.to(torch.float64) 之后参数是 {dtype}，返回的就是 tudui 自己：{same}").format(
        dtype=next(tudui.parameters()).dtype, same=returned is tudui))
    print(_("张量的 .to() 返回新张量：imgs.to(torch.float64) 之后 imgs 还是 {old}，新张量是 {new}，"
            "所以要写 imgs = imgs.to(device)").format(old=imgs.dtype, new=moved.dtype))
    return {"module_in_place": returned is tudui, "tensor_unchanged": imgs.dtype == torch.float32}


def side_by_side(device, course, train_dataloader, test_dataloader, args):
    """The CPU and the course's device each train the same epochs from the same
    starting weights; the seconds per epoch (training and testing) side by side."""
    devices = [torch.device("cpu")] + ([device] if device.type != "cpu" else [])
    if len(devices) == 1 and args.amp is None:
        timings = {"cpu": course}        # nothing to compare: the course's run is the CPU's
    else:
        timings = {each.type: train_on(each, train_dataloader, test_dataloader, args) for each in devices}
    print(_("每轮用时（训练加测试）："))
    for name, timing in timings.items():
        print(_("  {device:<5} {seconds:7.2f} 秒   正确率 {accuracy:.2%}").format(
            device=name, seconds=timing["seconds_per_epoch"], accuracy=timing["accuracy"]))
    if len(timings) == 1:
        print(_("这里没有显卡可比：Google Colab（colab.research.google.com）可以免费借一块，"
                "「代码执行程序 → 更改运行时类型 → GPU」，再运行同样的代码"))
    else:
        ratio = timings["cpu"]["seconds_per_epoch"] / timings[device.type]["seconds_per_epoch"]
        print(_("在这台电脑上，{device} 的速度是 CPU 的 {ratio:.1f} 倍").format(device=device.type, ratio=ratio))
    return timings


def train_on(device, train_dataloader, test_dataloader, args):
    """The course's loop on one device, with --amp, without TensorBoard and saving."""
    flags.seed_everything(args.seed)     # every device starts from the same weights
    tudui = Tudui().to(device)
    loss_fn = nn.CrossEntropyLoss().to(device)
    optimizer = torch.optim.SGD(tudui.parameters(), lr=1e-2)
    autocast, scaler, precision = training.mixed_precision(device, args.amp)
    print(_("在 {device} 上训练 {epochs} 轮：{precision}").format(device=device, epochs=args.epochs,
                                                                   precision=precision))
    start_time = time.time()
    for i in range(args.epochs):
        tudui.train()
        for imgs, targets in train_dataloader:
            imgs, targets = imgs.to(device), targets.to(device)
            with autocast():
                loss = loss_fn(tudui(imgs), targets)
            optimizer.zero_grad()
            training.backward_and_step(loss, optimizer, scaler)     # loss.backward(); optimizer.step()
        tudui.eval()
        right = 0
        with torch.no_grad(), autocast():
            for imgs, targets in test_dataloader:
                outputs = tudui(imgs.to(device))
                right += (outputs.argmax(1) == targets.to(device)).sum().item()   # .item() waits for the GPU
    return {"seconds_per_epoch": (time.time() - start_time) / args.epochs,
            "accuracy": right / len(test_dataloader.dataset), "last_loss": loss.item()}


if __name__ == "__main__":
    files.run(main)
