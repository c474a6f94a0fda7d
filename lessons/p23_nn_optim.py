"""P23 优化器

优化器（optimizer）根据梯度更新参数，让损失越来越小。视频的训练循环，每一批都按这个顺序：
    outputs = tudui(imgs)                   前向传播
    result_loss = loss(outputs, targets)    算损失
    optim.zero_grad()                       梯度清零（不清零会和上一批的梯度累加）
    result_loss.backward()                  反向传播，算出每个参数的梯度
    optim.step()                            优化器按梯度更新每个参数
整个数据集过一遍是一轮（epoch）；每轮打印的 running_loss（各批损失之和）应当越来越小。

--video 用视频的设置：SGD，学习率 0.01 不变，batch_size=1，在测试集（train=False）上训练 20 轮，
输入只做 ToTensor，不打乱。一共 20 万步，在 2 核的 Intel Xeon 上大约 10 分钟（每秒约 330 张）。
和视频仍然不同的两处：数据先整个变成张量再交给 DataLoader（数值和逐张 ToTensor 一样，只是快）；
running_loss 加的是 result_loss.item()（视频加张量，会把整轮的计算图都留在内存里）。

默认设置故意和视频不同，每一项都在真正的 CIFAR10 上量过（训练 2 轮，测试集正确率；2 核 Intel Xeon，
只用 CPU；python bench/accuracy.py）。单独把一项改回视频的样子：
  在训练集（5 万张）上训练，视频用测试集（那样就没有没见过的图来量正确率）  --split test       54.1% *
  Adam：每个参数的步长自己调整（视频：SGD）                               --optimizer sgd   38.0%
  one-cycle：学习率在前 30% 的步数里升到 --lr，然后降到接近 0（视频：不变）   --schedule constant 62.4%
  输入按颜色通道归一化，和 transforms.Normalize 一样（视频：ToTensor 的 0..1）  --no-normalize   64.8%
  batch_size=128（视频：1）：每秒能训练的图片多得多                          --batch-size 64   68.0%
  五项一起（默认）                                                                   67.3%，35 秒
  视频的设置训练 2 轮（--video --epochs 2）                                          44.0% *，66 秒
  默认再加 --amp（bfloat16）                                                         67.2%，18 秒
  （* 在训练集上量的，因为这两行是在测试集上训练）

笔记里表格中的优化器都能用 --optimizer 选，常用的参数各自接受的才会传给它（--lr、--weight-decay、
--momentum、--dampening、--nesterov、--eps、--amsgrad）。--compare sgd adam ... 让每个优化器从同样的
初始权重各训练一次，每个在 TensorBoard 里一条曲线。LBFGS 在这里每批只走一步（max_iter=1），用 backward()
刚算出的梯度，所以循环不用改。--amp 用混合精度训练（有 bfloat16 的处理器和显卡上用 bfloat16）。

English:
P23 The optimizer

The optimizer updates the parameters from their gradients so that the loss
falls. The video's loop does, for every batch: outputs = tudui(imgs) (forward),
result_loss = loss(outputs, targets), optim.zero_grad() (else the gradients add
up with the last batch's), result_loss.backward() (a gradient for every
parameter), optim.step() (the update). One pass over the data is an epoch; the
running_loss printed after each (the sum of the batch losses) should fall.

--video uses the video's settings: SGD, lr 0.01 fixed, batch 1, training on
the TEST split (train=False) for 20 epochs, ToTensor inputs, no shuffling:
200,000 steps, about 10 minutes on a 2-core Intel Xeon (about 330 images/s).
Two things still differ from the video: the data becomes tensors once before
the DataLoader (the same values as ToTensor per picture, only faster), and
running_loss adds result_loss.item() (adding the tensor, as the video does,
keeps every batch's autograd graph in memory until the epoch ends).

The default differs on purpose; each choice measured on real CIFAR10, 2
epochs, test accuracy (2-core Intel Xeon, CPU only; python bench/accuracy.py),
by changing it alone back to the video's:
  the 50,000-image train split (the video trains on the test split,
    which leaves nothing unseen to measure accuracy on)   --split test        54.1% *
  Adam, whose step adapts to each parameter (SGD)         --optimizer sgd     38.0%
  one-cycle: the rate climbs to --lr over the first 30%
    of the steps, then falls to almost 0 (fixed)          --schedule constant 62.4%
  inputs normalized per colour channel, as
    transforms.Normalize does (ToTensor's 0..1)           --no-normalize      64.8%
  batches of 128 (1): far more images per second         --batch-size 64     68.0%
  all five together (the default)                                             67.3%, 35 s
  the video's settings for 2 epochs (--video --epochs 2)                      44.0% *, 66 s
  the default with --amp (bfloat16)                                           67.2%, 18 s
  (* measured on the train split, since these train on the test split)

Every optimizer of the notes' table can be chosen with --optimizer, with the
common settings passed to those that take them (--lr, --weight-decay,
--momentum, --dampening, --nesterov, --eps, --amsgrad). --compare sgd adam ...
trains the same starting weights with each, one TensorBoard run each. LBFGS
takes one step per batch here (max_iter=1) from the gradient backward() just
computed, so the loop stays as it is. --amp trains in mixed precision
(bfloat16 where the processor or GPU has it).
"""
import argparse

import torch
import torchvision
from torch import nn
from torch.utils.data import DataLoader
from torch.utils.tensorboard import SummaryWriter

from models import Tudui
from support import board, files, flags, training      # 我们的支持代码，不是课程内容
from support.data import cifar10_ready
from support.i18n import _

# --video: the video's settings; a flag given beside it still wins
VIDEO = {"optimizer": "sgd", "lr": 0.01, "schedule": "constant", "batch_size": 1, "split": "test",
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
    dataset = training.in_memory(dataset, args)    # 我们加的：一次变成张量放到 --device 上，数值和逐张 ToTensor 一样
    dataloader = DataLoader(dataset, batch_size=args.batch_size, shuffle=args.shuffle)   # 视频中 batch_size=1，不打乱
    other = torchvision.datasets.CIFAR10(data_root, train=held_out == "train", transform=torchvision.transforms.ToTensor())
    test_loader = DataLoader(training.in_memory(other, args), batch_size=1000)   # 我们加的：另一部分，每轮量正确率

    loss = nn.CrossEntropyLoss()
    histories = {}
    for name in names:                   # 我们加的：--compare 时每个优化器各训练一次；视频只有 SGD
        flags.seed_everything(args.seed)     # 我们加的：每个优化器都从同样的初始权重、同样的顺序开始
        layout = torch.contiguous_format if name == "lbfgs" else torch.channels_last   # LBFGS 要用 .view() 展平梯度
        tudui = Tudui().to(args.device, memory_format=layout)       # 视频中 Tudui()；channels_last 卷积更快
        optim = training.OPTIMIZERS[name][0](tudui.parameters(), **settings[name])
        # 视频中 optim = torch.optim.SGD(tudui.parameters(), lr=0.01)
        scheduler = training.lr_schedule(optim, args.schedule, args.epochs, len(dataloader))   # 我们加的
        print(training.mixed_precision_forward(tudui, optim, args.device, None if name == "lbfgs" else args.amp))
        print("optim = {}({})".format(type(optim).__name__, ", ".join(f"{k}={v}" for k, v in settings[name].items())))
        log_dir = board.fresh_run(args.logdir / name, view=args.logdir)   # 我们加的：每个优化器一条曲线
        writer = SummaryWriter(log_dir)
        record = training.Record(writer, args.log_every, dataloader, test_loader)
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
                running_loss = running_loss + result_loss.item()   # 视频中 + result_loss：张量会留住整轮的计算图
            print(running_loss)
            record.epoch(running_loss, tudui, optim, held_out)     # 我们加的：正确率、TensorBoard
        writer.close()
        histories[name] = record.history

    # ------------------------------------------------ 我们加的（课程之外）
    batches = len(dataloader)
    print(_("running_loss 是 {batches} 批 loss 的和，每批的 loss 是 {size} 张图的平均；视频（batch_size=1）"
            "把 10000 张图各自的 loss 加起来，所以比较时看平均每批的 loss，不要直接比和").format(
        batches=batches, size=args.batch_size))
    print(_("TensorBoard 的 SCALARS：train_loss 每 {every} 批一个点；每轮一个点的曲线（running_loss、test_accuracy）"
            "只有 {epochs} 个点，把 Smoothing 调到 0 才看得清").format(every=args.log_every, epochs=args.epochs))
    if len(names) > 1:
        print(_("最后的正确率：{results}").format(
            results="，".join("{} {:.2%}".format(n, h["accuracy"][-1]) for n, h in histories.items())))
    return {"histories": histories, "settings": settings, "differences": differences, "batches": batches,
            "setup": {key: getattr(args, key) for key in VIDEO}}


def build_parser():
    parser = flags.lesson_parser(__file__, __doc__, device=True, data=True, logs=True, batch_size=128)
    parser.add_argument("--video", action="store_true",
                        help="用视频的设置：SGD，学习率 0.01 不变，batch_size=1，在测试集上训练，只做 ToTensor，"
                             "20 轮（2 核 CPU 上大约 10 分钟）；写在它后面的参数仍然有效")
    parser.add_argument("--optimizer", type=str.lower, choices=training.OPTIMIZERS, default="adam",
                        help="用哪个 torch.optim 优化器训练（默认：adam；视频：sgd）")
    parser.add_argument("--compare", nargs="+", type=str.lower, choices=training.OPTIMIZERS, metavar="OPTIMIZER",
                        help="从同样的初始权重，用这几个优化器各训练一次（例如 --compare sgd adam），"
                             "TensorBoard 里每个一条曲线")
    parser.add_argument("--epochs", type=flags.positive_int, default=2, help="训练几轮（默认：2；视频：20）")
    parser.add_argument("--split", choices=["train", "test"], default="train",
                        help="在 CIFAR10 的哪一部分上训练，另一部分用来量正确率（默认：train；视频：test）")
    parser.add_argument("--normalize", action=argparse.BooleanOptionalAction, default=True,
                        help="像 transforms.Normalize 那样把每个颜色通道归一化（默认：开；视频：不做，ToTensor 的 0..1）")
    parser.add_argument("--shuffle", action=argparse.BooleanOptionalAction, default=True,
                        help="每一轮把训练图片重新打乱（默认：开；视频：不打乱）")
    parser.add_argument("--schedule", choices=["onecycle", "constant"], default="onecycle",
                        help="学习率怎么变：onecycle 先升到 --lr 再降下来，constant 一直是 --lr，和视频一样"
                             "（默认：onecycle）")
    training.add_optimizer_flags(parser)
    parser.add_argument("--log-every", type=flags.positive_int, default=10,
                        help="每多少批往 TensorBoard 写一次训练的 loss（默认：10）")
    parser.add_argument("--amp", nargs="?", const="auto", default=None, choices=training.AMP_CHOICES,
                        help="混合精度训练：auto 选这台机器上快的（有 bfloat16 就用 bfloat16，老显卡用 float16 加"
                             "损失放大，没有 bfloat16 指令的 CPU 仍用 float32 并说明原因）；bf16、fp16 强制")
    return parser


if __name__ == "__main__":
    files.run(main)
