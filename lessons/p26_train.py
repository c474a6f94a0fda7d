"""P26 完整的模型训练套路（一）（二）（三）

视频的 train.py：三节课就是这一个脚本（P26 搭起循环，P27 加上测试和保存，P28 加上 train() 和 eval()）。
你会看到训练集和测试集的长度，每 100 次训练打印一次 Loss，每轮之后整体测试集上的 Loss 和正确率，
以及每轮保存的模型 tudui_{i}.pth（在 --out-dir，网络来自 models.py）。
默认设置和视频不同（Adam、one-cycle 学习率、归一化、batch_size=128），实测正确率见 README「训练速度」；
--video 用视频的设置。最后演示 argmax(1)，以及 train()/eval() 对 Dropout、BatchNorm 的影响。
"""
import support          # 先查 Python、torch、torchvision 的版本：不合适就说一行怎么修（我们的支持代码，不是课程内容）
from pathlib import Path

import torch
import torchvision
from torch import nn
from torch.utils.data import DataLoader
from torch.utils.tensorboard import SummaryWriter

from models import Tudui                                # 视频中 from model import *（课程的 model.py）
from support import board, files, flags, training      # 我们的支持代码，不是课程内容
from support.data import cifar10_ready
from support.i18n import _

CHECKPOINTS = files.CHECKPOINTS_ROOT / "p26"
# --video: the video's train.py; a flag given beside it still wins
VIDEO = {"optimizer": "sgd", "lr": 1e-2, "schedule": "constant", "batch_size": 64, "normalize": False,
         "shuffle": False, "epochs": 10, "keep": 0}


def main(argv=None):
    parser = build_parser()
    args = flags.parse_args(parser, argv, preset=VIDEO)
    if args.lr is None:
        args.lr = 3e-3 if args.optimizer == "adam" else 1e-2
    differences = training.say_video_differences(args, VIDEO)

    # ------------------------------------------------ 课程的代码（train.py）
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
    train_data, test_data = training.in_memory(train_data, args), training.in_memory(test_data, args)
    # ↑ 我们加的：整个数据集一次变成张量放到 --device 上（--normalize 时再归一化）；不归一化时数值和逐张 ToTensor 一样
    train_dataloader = DataLoader(train_data, batch_size=args.batch_size, shuffle=args.shuffle)  # 视频中 64，不打乱
    test_dataloader = DataLoader(test_data, batch_size=args.batch_size)                          # 视频中 64

    # 创建网络模型
    tudui = Tudui()
    tudui = tudui.to(args.device, memory_format=torch.channels_last)   # 我们加的：放到 --device 上（P30），卷积更快
    tudui.input_normalization = training.normalization(args.normalize)  # 我们加的：随模型保存，P31 照样归一化

    # 损失函数
    loss_fn = nn.CrossEntropyLoss()

    # 优化器
    # learning_rate = 0.01
    # 1e-2=1 x (10)^(-2) = 1 /100 = 0.01
    learning_rate = 1e-2
    learning_rate = args.lr              # 我们加的：--lr（默认的 Adam 用 3e-3）
    optimizer = torch.optim.SGD(tudui.parameters(), lr=learning_rate)
    if args.optimizer == "adam":         # 我们加的：默认换成 Adam
        optimizer = torch.optim.Adam(tudui.parameters(), lr=learning_rate)
    scheduler = training.lr_schedule(optimizer, args.schedule, args.epochs, len(train_dataloader))   # 我们加的
    print(training.mixed_precision_forward(tudui, optimizer, args.device, args.amp))   # 我们加的：--amp，循环不用改

    # 设置训练网络的一些参数
    # 记录训练的次数
    total_train_step = 0
    # 记录测试的次数
    total_test_step = 0
    # 训练的轮数
    epoch = args.epochs                  # 视频中 10

    # 添加tensorboard
    log_dir = board.fresh_run(args.logdir)   # 我们加的：上一次的记录先放到一边，打印查看命令
    writer = SummaryWriter(log_dir)          # 视频中 SummaryWriter("../logs_train")
    tested = []                              # 我们加的：每轮的测试结果

    for i in range(epoch):
        print(_("-------第 {} 轮训练开始-------").format(i+1))

        # 训练步骤开始
        tudui.train()
        for data in train_dataloader:
            imgs, targets = data
            outputs = tudui(imgs)
            loss = loss_fn(outputs, targets)

            # 优化器优化模型
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            scheduler.step()             # 我们加的：学习率按 --schedule 变（constant 就不变，和视频一样）

            total_train_step = total_train_step + 1
            if total_train_step % args.print_every == 0:              # 视频中 % 100
                print(_("训练次数：{}, Loss: {}").format(total_train_step, loss.item()))
                writer.add_scalar("train_loss", loss.item(), total_train_step)

        # 测试步骤开始
        tudui.eval()
        total_test_loss = 0
        total_accuracy = 0
        with torch.no_grad():
            for data in test_dataloader:
                imgs, targets = data
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
        tested.append((total_test_loss, float(total_accuracy / test_data_size)))   # 我们加的：main() 返回它们

        with files.written_whole(args.out_dir / "tudui_{}.pth".format(i)) as f:   # 我们加的：写完整才替换旧文件
            torch.save(tudui, f)         # 视频中 torch.save(tudui, "tudui_{}.pth".format(i))，存在当前文件夹
        print(_("模型已保存"))

    writer.close()

    # ------------------------------------------------ 我们加的（课程之外）
    deleted = training.prune_checkpoints(args.out_dir, epoch, args.keep)
    kept = training.checkpoints(args.out_dir)
    print(_("模型文件在 {folder}：{kept}（删掉了 {deleted} 个旧的；--keep 0 全留）").format(
        folder=files.shown(args.out_dir), kept=", ".join(p.name for p in kept), deleted=len(deleted)))
    print(_("下一步：python lessons/p31_predict.py --image 你的图片（用 {folder} 里最新的模型）").format(
        folder=files.shown(args.out_dir)))
    show_argmax()
    show_train_eval()
    return {"test_loss": [loss for loss, _accuracy in tested], "test_accuracy": [a for _loss, a in tested],
            "steps": total_train_step, "checkpoints": kept, "differences": differences}


def show_argmax():
    """The small example the accuracy line rests on."""
    outputs = torch.tensor([[0.1, 0.2],
                            [0.05, 0.4]])
    preds, targets = outputs.argmax(1), torch.tensor([0, 1])
    print(_("argmax 的小例子：outputs = [[0.1, 0.2], [0.05, 0.4]]（2 张图，2 个类别）"))
    print(_("  outputs.argmax(1) = {rows}：每一行里分数最高的类别；argmax(0) 是每一列里比：{columns}").format(
        rows=preds, columns=outputs.argmax(0)))
    print(_("  targets = {targets}；preds == targets 得到 {equal}；.sum() = {right}，猜对的个数").format(
        targets=targets, equal=preds == targets, right=(preds == targets).sum()))
    return (preds == targets).sum().item()


def show_train_eval():
    """train() and eval() switch the layers that behave differently while learning."""
    torch.manual_seed(0)
    dropout, batchnorm = nn.Dropout(p=0.5), nn.BatchNorm1d(1)
    x, batch = torch.ones(8), torch.tensor([[1.0], [2.0], [3.0]])
    dropout.train(), batchnorm.train()
    train_dropout, train_bn = dropout(x), batchnorm(batch)
    dropout.eval(), batchnorm.eval()
    eval_dropout, eval_bn = dropout(x), batchnorm(batch)
    print(_("train() 和 eval()：Dropout(0.5) 作用在 ones(8) 上，train() {train}，eval() {eval}").format(
        train=train_dropout.tolist(), eval=eval_dropout.tolist()))
    print(_("  BatchNorm1d 作用在 [1,2,3] 上：train() {train}（用这一批的均值和方差），eval() {eval}（用训练中的滑动平均）").format(
        train=[round(v, 3) for v in train_bn.flatten().tolist()], eval=[round(v, 3) for v in eval_bn.flatten().tolist()]))
    print(_("  Tudui 没有这两种层，所以对它没有影响；但还是照视频那样调用：以后网络里加了 Dropout，测试也不会出错"))
    return {"dropout_train": train_dropout.tolist(), "dropout_eval": eval_dropout.tolist()}


def build_parser():
    parser = flags.lesson_parser(__file__, __doc__, device=True, data=True, logs=True, batch_size=128)
    parser.add_argument("--video", action="store_true",
                        help="用视频的设置：SGD，学习率 0.01 不变，batch_size=64，只做 ToTensor，不打乱，10 轮，"
                             "每轮的模型文件都留着；写在它后面的选项仍然有效")
    parser.add_argument("--epochs", type=flags.positive_int, default=2, help="训练的轮数（默认：2；视频：10）")
    parser.add_argument("--optimizer", type=str.lower, choices=["adam", "sgd"], default="adam",
                        help="优化器（默认：adam；视频：sgd）")
    parser.add_argument("--lr", type=flags.positive_float, default=None,
                        help="学习率 learning_rate（默认：adam 0.003，是 one-cycle 的最高点；sgd 0.01）")
    parser.add_argument("--print-every", type=flags.positive_int, default=100,
                        help="每多少次训练打印并记录一次 Loss（默认：100，和视频一样）")
    parser.add_argument("--keep", type=flags.non_negative_int, default=3,
                        help="训练完只留最新的几个模型文件；0 表示全留，和视频一样（默认：3）")
    parser.add_argument("--out-dir", type=Path, default=CHECKPOINTS,
                        help="tudui_{i}.pth 存到哪个文件夹（默认：%(default)s）")
    training.add_recipe_flags(parser)
    return parser


if __name__ == "__main__":
    files.run(main)
