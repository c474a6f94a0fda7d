"""P33 课程之外：多卡、多机训练（torchrun 与 DistributedDataParallel）

P26 的训练脚本（视频的 train.py），加上 DDP 要改的几行，每行旁边写着为什么：RANK、LOCAL_RANK、WORLD_SIZE，
init_process_group，DistributedSampler，DistributedDataParallel(tudui)，all_reduce，只在 0 号进程打印和保存。
一台机器两个进程：  torchrun --nproc_per_node=2 lessons/p33_ddp_torchrun.py --tiny
直接 python lessons/p33_ddp_torchrun.py 是 1 个进程，会打印 torchrun 的命令。
两台机器（HOST 是 --node-rank=0 那台的地址；Windows 上先设 USE_LIBUV=0，见 README 的 P33）：
  torchrun --nnodes=2 --node-rank=0 --nproc_per_node=1 --master-addr=HOST --master-port=29500 lessons/p33_ddp_torchrun.py
  torchrun --nnodes=2 --node-rank=1 --nproc_per_node=1 --master-addr=HOST --master-port=29500 lessons/p33_ddp_torchrun.py
"""
import support          # 先查 Python、torch、torchvision 的版本：不合适就说一行怎么修（我们的支持代码，不是课程内容）
import datetime
import json
import os
import sys
import time
from pathlib import Path

import torch
import torch.distributed as dist
import torchvision
from torch import nn
from torch.nn.parallel import DistributedDataParallel
from torch.utils.data import DataLoader, Subset
from torch.utils.data.distributed import DistributedSampler
from torch.utils.tensorboard import SummaryWriter

from models import Tudui
from support import board, distributed, files, flags     # 我们的支持代码，不是课程内容
from support.data import cifar10_ready, is_standin
from support.i18n import _

CHECKPOINTS = files.CHECKPOINTS_ROOT / "p33"


def main(argv=None):
    distributed.print_on_rank0_only()     # 只有 0 号进程 print，不然每行都打印 WORLD_SIZE 遍；报错照常显示
    parser = flags.lesson_parser(__file__, __doc__, device=True, data=True, logs=True, batch_size=64)
    parser.add_argument("--epochs", type=flags.positive_int, default=2, help="训练的轮数（默认：2；视频中 10）")
    parser.add_argument("--lr", type=flags.positive_float, default=1e-2,
                        help="学习率 learning_rate（默认：0.01，和视频一样；总批大小变大时可以按进程数放大，见输出）")
    parser.add_argument("--print-every", type=flags.positive_int, default=100,
                        help="每训练多少次打印并记录一次 Loss（默认：100，和视频一样）")
    parser.add_argument("--out-dir", type=Path, default=CHECKPOINTS,
                        help="tudui_{i}.pth 存到哪里（默认：%(default)s）")
    parser.add_argument("--timeout", type=flags.positive_float, default=300,
                        help="等别的进程最多多少秒（init_process_group 和每次通信），超时就报错退出，"
                             "不会一直挂着（默认：300）")
    parser.add_argument("--report", type=Path, default=None,
                        help="0 号进程把结果写成 JSON 文件（给测试和 bench/ddp_speed.py 用）")
    args = flags.parse_args(parser, argv)
    distributed.single_process_env(__file__, argv)   # 我们加的：直接用 python 启动时，当作 1 个进程
    distributed.stop_on_sigterm()                    # 我们加的：别的进程出错时，torchrun 发 SIGTERM 结束这个进程

    # torchrun 启动每个进程时设好这几个环境变量：
    rank = int(os.environ["RANK"])               # 所有进程里的编号，0 到 WORLD_SIZE-1；0 号负责打印和保存
    local_rank = int(os.environ["LOCAL_RANK"])   # 这台机器上的编号：用第几块显卡
    world_size = int(os.environ["WORLD_SIZE"])   # 一共几个进程（所有机器加起来）
    # 通信后端：显卡之间用 nccl（NVIDIA 的，最快），只有 CPU 时用 gloo
    if args.device.type == "cuda":
        distributed.check_gpus(int(os.environ.get("LOCAL_WORLD_SIZE", world_size)))  # 我们加的：每个进程要一块显卡
        device = torch.device("cuda", local_rank)
        torch.cuda.set_device(device)
        backend = "nccl"
    else:
        device = torch.device("cpu")             # DDP 不支持苹果的 MPS：那里也用 CPU
        backend = "gloo"
    if sys.platform == "win32":
        backend = "gloo"                         # Windows 版的 PyTorch 没有 nccl，显卡也用 gloo
        distributed.no_libuv_on_windows()        # 我们加的：设 USE_LIBUV=0，并说 torchrun 之前也要设
    try:
        # 在 MASTER_ADDR:MASTER_PORT（torchrun 设好的集合点）和其他进程会合；
        # timeout：等不齐、或者通信时对方没有回应，过了这么久就报错，而不是永远挂着
        dist.init_process_group(backend, timeout=datetime.timedelta(seconds=args.timeout))
        print(_("第 {rank} 号进程，共 {world_size} 个（这台机器上的第 {local_rank} 个），通信后端 {backend}，设备 {device}")
              .format(rank=rank, world_size=world_size, local_rank=local_rank, backend=backend, device=device))

        # ------------------------------------------------ 课程的代码（train.py），加上 DDP 改的几行
        # 准备数据集
        if local_rank != 0:
            dist.barrier()    # 每台机器上只让 0 号进程下载、解压，其他进程在这里等它
        data_root = cifar10_ready(args)      # 我们加的：数据不在就下载，没有网络就用小替代集；视频中 root="../data"
        train_data = torchvision.datasets.CIFAR10(root=data_root, train=True,
                                                  transform=torchvision.transforms.ToTensor(), download=True)
        test_data = torchvision.datasets.CIFAR10(root=data_root, train=False,
                                                 transform=torchvision.transforms.ToTensor(), download=True)
        if local_rank == 0:
            dist.barrier()    # 数据好了，放等着的进程过去

        # length 长度
        train_data_size = len(train_data)
        test_data_size = len(test_data)
        print(_("训练数据集的长度为：{}").format(train_data_size))
        print(_("测试数据集的长度为：{}").format(test_data_size))

        # DistributedSampler 把数据集分成 WORLD_SIZE 份，每个进程只拿自己那一份（第 rank 份），
        # 每一轮所有进程合起来正好把数据集过一遍；它自己负责打乱顺序（所以 DataLoader 不再写 shuffle）
        train_sampler = DistributedSampler(train_data)
        # 测试集也分开测，最后再加起来。这里不用 DistributedSampler：张数不能被 WORLD_SIZE 整除时，它重复前几张
        # 来凑齐（100 张分 3 份就多测 2 张），正确率就算错了。每个进程测第 rank、rank+WORLD_SIZE……张，每张只测一次
        test_part = Subset(test_data, range(rank, test_data_size, world_size))
        # 利用 DataLoader 来加载数据集
        # batch_size 是每个进程的：每一步一共用 batch_size × WORLD_SIZE 张图片（总批大小），每轮的步数只有 1 个进程时的 1/WORLD_SIZE
        train_dataloader = DataLoader(train_data, batch_size=args.batch_size, sampler=train_sampler)
        test_dataloader = DataLoader(test_part, batch_size=args.batch_size)

        # 创建网络模型
        tudui = Tudui().to(device)
        # DDP 包一层：创建时把 0 号进程的参数发给所有进程，大家从同一个起点出发；之后每次 backward()，
        # 各进程的梯度在计算的同时求平均（all_reduce），每个进程的 optimizer.step() 走完全一样的一步，参数始终相同
        tudui = DistributedDataParallel(tudui, device_ids=[local_rank] if device.type == "cuda" else None)

        # 损失函数
        loss_fn = nn.CrossEntropyLoss()

        # 优化器
        # 梯度是一整个总批（batch_size × WORLD_SIZE 张）的平均：每步更稳，但每轮的步数只有 1 个进程时的 1/WORLD_SIZE。
        # 进程多时常把学习率放大 WORLD_SIZE 倍来补（线性缩放；放大后，前几轮让学习率从小慢慢升上去），这里保持视频的值
        learning_rate = args.lr              # 视频中 learning_rate = 1e-2
        optimizer = torch.optim.SGD(tudui.parameters(), lr=learning_rate)

        # 设置训练网络的一些参数
        total_train_step = 0    # 记录训练的次数（每个进程都走同样多步）
        total_test_step = 0     # 记录测试的次数
        epoch = args.epochs     # 训练的轮数，视频中 10

        # 添加tensorboard：只有 0 号进程写，不然会有 WORLD_SIZE 份记录
        if rank == 0:
            log_dir = board.fresh_run(args.logdir)   # 我们加的：上一次的记录先放到一边（正常结束才删），打印查看命令
            writer = SummaryWriter(log_dir)          # 视频中 SummaryWriter("../logs_train")

        history = {"test_loss": [], "test_accuracy": [], "test_correct": [], "test_images": [], "test_size": test_data_size,  # 我们加的
                   "train_loss": [], "seen": [], "checkpoints": []}
        started = time.time()                                                   # 我们加的：计时
        for i in range(epoch):
            print(_("-------第 {} 轮训练开始-------").format(i + 1))
            # set_epoch：用轮数 i 做洗牌的种子。不调用它，每一轮的顺序都和第 1 轮一模一样（见最后的输出）
            train_sampler.set_epoch(i)
            history["seen"].append(list(train_sampler))   # 我们加的：这一轮本进程分到的图片编号

            # 训练步骤开始
            tudui.train()
            epoch_losses = []                                                   # 我们加的
            for data in train_dataloader:
                imgs, targets = data
                imgs, targets = imgs.to(device), targets.to(device)     # 我们加的（P30 的写法）：送到这个进程的设备
                outputs = tudui(imgs)
                loss = loss_fn(outputs, targets)

                # 优化器优化模型
                optimizer.zero_grad()
                loss.backward()         # DDP 在这里把所有进程的梯度求平均
                optimizer.step()

                epoch_losses.append(loss.item())                                # 我们加的
                total_train_step = total_train_step + 1
                if total_train_step % args.print_every == 0:
                    print(_("训练次数：{}, Loss: {}").format(total_train_step, loss.item()))   # 0 号进程这一批的 Loss
                    if rank == 0:
                        writer.add_scalar("train_loss", loss.item(), total_train_step)
            history["train_loss"].append(sum(epoch_losses) / len(epoch_losses)) # 我们加的

            # 测试步骤开始
            tudui.eval()
            total_test_loss = 0
            total_accuracy = 0
            tested = 0              # 我们加的：测了几张（所有进程加起来应该正好是 test_data_size）
            with torch.no_grad():
                for data in test_dataloader:
                    imgs, targets = data
                    imgs, targets = imgs.to(device), targets.to(device)     # 我们加的，同上
                    outputs = tudui(imgs)
                    loss = loss_fn(outputs, targets)
                    total_test_loss = total_test_loss + loss.item()
                    accuracy = (outputs.argmax(1) == targets).sum()
                    total_accuracy = total_accuracy + accuracy
                    tested = tested + len(targets)      # 我们加的

            # 每个进程只测了自己那一份：all_reduce 把各进程的这几个数加起来（默认 SUM），每个进程都拿到总数。
            # 各份加起来正好是整个测试集，每张一次，所以除以 test_data_size 就是正确率
            totals = torch.tensor([total_test_loss, float(total_accuracy), tested], device=device)
            dist.all_reduce(totals)
            total_test_loss, total_accuracy, tested = totals[0].item(), totals[1].item(), int(totals[2].item())
            print(_("整体测试集上的Loss: {}").format(total_test_loss))
            print(_("整体测试集上的正确率: {}").format(total_accuracy / test_data_size))
            if rank == 0:
                writer.add_scalar("test_loss", total_test_loss, total_test_step)
                writer.add_scalar("test_accuracy", total_accuracy / test_data_size, total_test_step)
            total_test_step = total_test_step + 1
            history["test_loss"].append(total_test_loss)                        # 我们加的
            history["test_accuracy"].append(total_accuracy / test_data_size)    # 我们加的
            history["test_correct"].append(int(total_accuracy))                 # 我们加的
            history["test_images"].append(tested)                               # 我们加的

            # 只有 0 号进程保存（参数在每个进程里都一样，存一份就够了）。tudui.module 是 DDP 里面包着的 Tudui：
            # 直接存 tudui.state_dict() 的话，每个名字前面都多了 "module."，P31 的 Tudui 就对不上了
            if rank == 0:
                path = Path(args.out_dir) / "tudui_{}.pth".format(i)
                with files.written_whole(path) as f:      # 我们加的：写完整才替换旧文件
                    torch.save(tudui.module.state_dict(), f)   # 视频中 torch.save(tudui, "tudui_{}.pth".format(i))
                print(_("模型已保存"))
                history["checkpoints"].append(str(path))                        # 我们加的

        if rank == 0:
            writer.close()
        seconds = time.time() - started                                         # 我们加的

        # ------------------------------------------------ 我们加的（课程之外）
        result = distributed.what_ddp_did(tudui, train_sampler, train_data, history, seconds, args, is_standin(train_data))
        if rank == 0 and args.report is not None:     # 结果写成 JSON 文件，给测试和 bench/ddp_speed.py 用
            files.write_atomically(args.report, lambda f: f.write(json.dumps(result).encode("utf-8")))
        return result
    except (dist.DistError, RuntimeError) as error:   # 端口被占、等超时、别的进程断开：说一行，不打印一大段
        raise distributed.one_line(error, args.timeout) from None
    finally:
        # 无论正常结束、出错还是 Ctrl-C，都拆掉进程组，不留下挂着的连接和进程
        if dist.is_initialized():
            dist.destroy_process_group()
        distributed.tidy_up()


if __name__ == "__main__":
    files.run(main)
