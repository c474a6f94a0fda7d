"""P23 优化器

你会看到：每训练一轮打印一次 running_loss（这一轮各批损失的和），它应当越来越小；每轮还打印没有拿来
训练的那部分数据上的正确率（默认是测试集；--video 像视频一样在测试集上训练，正确率就量在训练集上）。
每一批的顺序：前向传播 outputs = tudui(imgs)，算损失，optim.zero_grad() 梯度清零，backward() 算梯度，
optim.step() 按梯度更新参数。
默认设置和视频不同（Adam、one-cycle 学习率、归一化、batch_size=128、在训练集上训练），每一项的理由和
实测正确率见 README「训练速度」；--video 用视频的设置（SGD，lr=0.01，batch_size=1，测试集，20 轮）。
课末打印 torch.optim 里常见的优化器（AdamW、RMSprop、Adagrad、Adadelta……）和它们的常用设置（weight_decay、
momentum、dampening、nesterov、eps、amsgrad）各做什么：--optimizer 选一个，--weight-decay 等选项给设置，
--compare sgd adam adamw rmsprop adagrad adadelta 从同样的初始权重各训练一次（support/training.py）。
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

    test_loader = training.held_out_loader(data_root, held_out, args)   # 我们加的：没拿来训练的那部分，每轮量正确率

    loss = nn.CrossEntropyLoss()
    histories = {}                       # 我们加的：每个优化器的结果
    for name in names:                   # 我们加的：--compare 时每个优化器各训练一次；视频只有 SGD
        flags.seed_everything(args.seed)     # 我们加的：每个优化器都从同样的初始权重、同样的顺序开始
        tudui = Tudui()
        tudui = training.on_device(tudui, name, args.device)        # 我们加的：放到 --device 上，channels_last 卷积更快
        optim = torch.optim.SGD(tudui.parameters(), lr=0.01)
        if (name, settings[name]) != ("sgd", {"lr": 0.01}):         # 我们加的：换成 --optimizer 选的（默认 Adam）
            optim = training.OPTIMIZERS[name][0](tudui.parameters(), **settings[name])
        scheduler = training.lr_schedule(optim, args.schedule, args.epochs, len(dataloader))   # 我们加的
        print(training.mixed_precision_forward(tudui, optim, args.device, None if name == "lbfgs" else args.amp))  # 我们加的
        training.say_optimizer(optim, settings[name])                                             # 我们加的
        writer = SummaryWriter(board.fresh_run(args.logdir / name, view=args.logdir))  # 我们加的：每个优化器一条曲线
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
    table = training.say_p23_summary(histories, len(dataloader), args, held_out)   # 还有哪些优化器、设置，--compare
    return {"histories": histories, "settings": settings, "differences": differences, "batches": len(dataloader),
            "setup": {key: getattr(args, key) for key in VIDEO}, "optimizer_table": table}


def build_parser():
    parser = flags.lesson_parser(__file__, __doc__, device=True, data=True, logs=True, batch_size=128)
    parser.add_argument("--epochs", type=flags.positive_int, default=2, help="训练几轮（默认：2；视频：20）")
    return training.add_p23_flags(parser)     # 其余选项在 support/training.py：--video、--optimizer、--compare……


if __name__ == "__main__":
    files.run(main)
