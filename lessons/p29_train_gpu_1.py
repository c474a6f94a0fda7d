"""P29 利用GPU训练（一）- the .cuda() way

第一种方式：在三样东西后面加 .cuda()：网络模型、损失函数、每一批数据（输入 imgs 和标注
targets）。每一处都先判断 torch.cuda.is_available()，所以没有 GPU 的电脑也能运行
（这时就在 CPU 上训练，本课会说明）。视频用 time.time() 计时，比较 CPU 和 GPU 的速度。

Exactly the three things the video moves, each guarded by
torch.cuda.is_available(): the network, the loss function, and each batch's
inputs and targets. The optimizer needs no move: it holds the network's own
parameters, which moved with it. The rest is P26's loop at the video's
settings (SGD lr 0.01, batch 64, ToTensor inputs through a plain DataLoader).
The video trains 10 epochs; the default here is 1 (--epochs 10 for the video's).
P30 shows the other way, .to(device), which also reaches Apple's GPU (MPS).
"""
import time

import torch
from torch import nn
from torch.utils.data import DataLoader

import cifar
import common
from models import Tudui


def main(argv=None):
    parser = common.lesson_parser(__file__, __doc__, data=True, logs=True, batch_size=64)
    parser.add_argument("--epochs", type=common.positive_int, default=1, help="训练的轮数 (default: 1; the video: 10)")
    parser.add_argument("--print-every", type=common.positive_int, default=100,
                        help="print the loss and the time every N steps (default: 100, as the video)")
    args = common.parse_args(parser, argv)
    if args.device.type != "cuda" and torch.cuda.is_available():
        print(f"--device {args.device.type}: .cuda() below is skipped on purpose")
    use_cuda = torch.cuda.is_available() and args.device.type == "cuda"
    print("torch.cuda.is_available() = " + str(torch.cuda.is_available())
          + ("" if use_cuda else ": every .cuda() below is skipped, so this run trains on the CPU "
             "(the code is the same on a machine with an NVIDIA GPU)"))

    train_data = cifar.cifar10(train=True, args=args)
    test_data = cifar.cifar10(train=False, args=args)
    train_dataloader = DataLoader(train_data, batch_size=args.batch_size)
    test_dataloader = DataLoader(test_data, batch_size=args.batch_size)

    tudui = Tudui()
    if use_cuda:
        tudui = tudui.cuda()            # 1 网络模型
    loss_fn = nn.CrossEntropyLoss()
    if use_cuda:
        loss_fn = loss_fn.cuda()        # 2 损失函数
    learning_rate = 1e-2
    optimizer = torch.optim.SGD(tudui.parameters(), lr=learning_rate)

    total_train_step = 0
    writer = common.open_writer(args.logdir)
    start_time = time.time()
    for i in range(args.epochs):
        print(f"-------第 {i + 1} 轮训练开始-------")
        tudui.train()
        for imgs, targets in train_dataloader:
            if use_cuda:
                imgs = imgs.cuda()      # 3 数据：输入
                targets = targets.cuda()  # 3 数据：标注
            outputs = tudui(imgs)
            loss = loss_fn(outputs, targets)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            total_train_step = total_train_step + 1
            if total_train_step % args.print_every == 0:
                end_time = time.time()
                print(f"  {end_time - start_time:.2f} s   训练次数：{total_train_step}, Loss: {loss.item():.4f}")
                writer.add_scalar("train_loss", loss.item(), total_train_step)

        tudui.eval()
        total_accuracy = 0
        with torch.no_grad():
            for imgs, targets in test_dataloader:
                if use_cuda:
                    imgs = imgs.cuda()
                    targets = targets.cuda()
                outputs = tudui(imgs)
                total_accuracy = total_accuracy + (outputs.argmax(1) == targets).sum().item()
        accuracy = total_accuracy / len(test_data)
        print(f"整体测试集上的正确率: {accuracy:.4f}")
        writer.add_scalar("test_accuracy", accuracy, i)
    seconds = time.time() - start_time
    writer.close()
    where = "the GPU (cuda)" if use_cuda else "the CPU"
    print(f"trained {args.epochs} epoch(s) on {where} in {seconds:.1f} s (time.time() before and after)")
    return {"device": next(tudui.parameters()).device.type, "seconds": seconds, "steps": total_train_step,
            "accuracy": accuracy}


if __name__ == "__main__":
    common.run(main)
