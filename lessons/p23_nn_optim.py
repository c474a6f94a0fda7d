"""P23 优化器

你会看到：每训练一轮打印一次 running_loss（这一轮各批损失的和），它应当越来越小；每轮还打印测试正确率。
每一批的顺序：前向传播 outputs = tudui(imgs)，算损失，optim.zero_grad() 梯度清零，backward() 算梯度，
optim.step() 按梯度更新参数。
默认设置和视频不同（Adam、one-cycle 学习率、归一化、batch_size=128、在训练集上训练），每一项的理由和
实测正确率见 README「训练速度」；--video 用视频的设置（SGD，lr=0.01，batch_size=1，测试集，20 轮）。
"""
import support          # 先查 Python、torch、torchvision 的版本：不合适就说一行怎么修（我们的支持代码，不是课程内容）
import torch
import torchvision
from torch import nn
from torch.nn import Sequential, Conv2d, MaxPool2d, Flatten, Linear
from torch.optim.lr_scheduler import StepLR     # 视频导入了，但没有用到
from torch.utils.data import DataLoader
from torch.utils.tensorboard import SummaryWriter

from support import board, files, flags, training      # 我们的支持代码，不是课程内容
from support.data import cifar10_ready
from support.i18n import _

VIDEO = {"optimizer": "sgd", "lr": 0.01, "schedule": "constant", "batch_size": 1, "split": "test",  # --video；其后的选项仍有效
         "normalize": False, "shuffle": False, "epochs": 20}


def main(argv=None):
    parser = build_parser()
    args = flags.parse_args(parser, argv, preset=VIDEO)
    names = list(dict.fromkeys(args.compare or [args.optimizer]))
    settings = training.checked_settings(parser, names, args)
    differences = training.say_video_differences(args, VIDEO)
    held_out = "test" if args.split == "train" else "train"

    # ------------------------------------------------ 课程的代码（nn_optim.py）
    data_root = cifar10_ready(args)      # 我们加的：数据不在就下载，没有网络就用小替代集
    dataset = torchvision.datasets.CIFAR10(data_root, train=args.split == "train",
                                           transform=torchvision.transforms.ToTensor(),
                                           download=True)           # 视频中 "../data"，train=False（在测试集上训练）
    dataset = training.in_memory(dataset, args)    # 我们加的：一次变成张量放到 --device 上（--normalize 时再归一化）
    dataloader = DataLoader(dataset, batch_size=args.batch_size, shuffle=args.shuffle)   # 视频中 batch_size=1，不打乱

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

    other = torchvision.datasets.CIFAR10(data_root, train=held_out == "train",
                                         transform=torchvision.transforms.ToTensor())   # 我们加的：另一个集，每轮量正确率
    test_loader = DataLoader(training.in_memory(other, args), batch_size=1000)         # 我们加的

    loss = nn.CrossEntropyLoss()
    histories = {}
    for name in names:                   # 我们加的：--compare 时每个优化器各训练一次；视频只有 SGD
        flags.seed_everything(args.seed)     # 我们加的：每个优化器都从同样的初始权重、同样的顺序开始
        tudui = Tudui()
        layout = torch.contiguous_format if name == "lbfgs" else torch.channels_last  # 我们加的：LBFGS 用 .view() 展平梯度
        tudui = tudui.to(args.device, memory_format=layout)          # 我们加的：channels_last 卷积更快
        optim = torch.optim.SGD(tudui.parameters(), lr=0.01)
        if (name, settings[name]) != ("sgd", {"lr": 0.01}):         # 我们加的：换成 --optimizer 选的（默认 Adam）
            optim = training.OPTIMIZERS[name][0](tudui.parameters(), **settings[name])
        scheduler = training.lr_schedule(optim, args.schedule, args.epochs, len(dataloader))   # 我们加的
        print(training.mixed_precision_forward(tudui, optim, args.device, None if name == "lbfgs" else args.amp))  # 我们加的
        print("optim = {}({})".format(type(optim).__name__,                                      # 我们加的
                                      ", ".join(f"{k}={v}" for k, v in settings[name].items())))
        log_dir = board.fresh_run(args.logdir / name, view=args.logdir)   # 我们加的：每个优化器一条曲线
        writer = SummaryWriter(log_dir)                                   # 我们加的
        record = training.Record(writer, args.log_every, dataloader, test_loader)   # 我们加的
        for epoch in range(args.epochs):                            # 视频中 range(20)
            running_loss = 0.0
            for data in dataloader:
                imgs, targets = data
                outputs = tudui(imgs)
                result_loss = loss(outputs, targets)
                optim.zero_grad()
                result_loss.backward()
                optim.step()
                scheduler.step()                 # 我们加的：学习率按 --schedule 变（constant 就不变）
                record.batch(result_loss)        # 我们加的：每 --log-every 批往 TensorBoard 写一次 loss
                running_loss = running_loss + result_loss.item()   # 视频中 + result_loss：张量会把每一批的计算图串起来留到轮末
            print(running_loss)
            record.epoch(running_loss, tudui, optim, held_out)     # 我们加的：正确率、TensorBoard
        histories[name] = record.close()         # 我们加的：关上 writer，记下这个优化器的结果

    # ------------------------------------------------ 我们加的（课程之外）
    print(_("running_loss 是 {batches} 批损失的和，每批的损失是 {size} 张图的平均；视频（batch_size=1）"
            "把 10000 张图各自的损失加起来，所以比较时看平均每批的损失，不要直接比较总和").format(
        batches=len(dataloader), size=args.batch_size))
    print(_("TensorBoard 的 SCALARS：train_loss 每 {every} 批一个点；每轮一个点的曲线（running_loss、test_accuracy）"
            "只有 {epochs} 个点，把 Smoothing 调到 0 才看得清").format(every=args.log_every, epochs=args.epochs))
    if len(names) > 1:
        print(_("最后的正确率：{results}").format(
            results=_("；").join("{} {:.2%}".format(n, h["accuracy"][-1]) for n, h in histories.items())))
    return {"histories": histories, "settings": settings, "differences": differences, "batches": len(dataloader),
            "setup": {key: getattr(args, key) for key in VIDEO}}


def build_parser():
    parser = flags.lesson_parser(__file__, __doc__, device=True, data=True, logs=True, batch_size=128)
    parser.add_argument("--video", action="store_true",
                        help="用视频的设置：SGD，学习率 0.01 不变，batch_size=1，在测试集上训练，只做 ToTensor，"
                             "20 轮；写在它后面的选项仍然有效")
    parser.add_argument("--optimizer", type=str.lower, choices=training.OPTIMIZERS, default="adam",
                        help="用哪个 torch.optim 优化器训练（默认：adam；视频：sgd）")
    parser.add_argument("--compare", nargs="+", type=str.lower, choices=training.OPTIMIZERS, metavar="OPTIMIZER",
                        help="从同样的初始权重，用这几个优化器各训练一次（例如 --compare sgd adam），TensorBoard 里每个一条曲线")
    parser.add_argument("--epochs", type=flags.positive_int, default=2, help="训练几轮（默认：2；视频：20）")
    parser.add_argument("--split", choices=["train", "test"], default="train",
                        help="在 CIFAR10 的哪一部分上训练，另一部分用来量正确率（默认：train；视频：test）")
    training.add_optimizer_flags(parser)
    parser.add_argument("--log-every", type=flags.positive_int, default=10,
                        help="每多少批往 TensorBoard 写一次训练的 loss（默认：10）")
    training.add_recipe_flags(parser)
    return parser


if __name__ == "__main__":
    files.run(main)
