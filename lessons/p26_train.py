"""P26 完整的模型训练套路（一）（二）（三）- P26-P28: the whole training script

把前面学的拼成一个完整的训练脚本（视频的 train.py）：准备数据集并打印长度，DataLoader，
创建网络（lessons/models.py 里的 Tudui，相当于视频 P27 的 model.py），损失函数
CrossEntropyLoss，优化器 SGD（learning_rate = 1e-2），记录 total_train_step、
total_test_step 和 epoch。每轮先训练（tudui.train()，每 100 次打印一次 Loss，写入
train_loss），再测试（tudui.eval() + torch.no_grad()，整体测试集上的 Loss 和正确率，
正确率用 outputs.argmax(1) == targets 计算），写入 test_loss、test_accuracy，
最后保存本轮的模型 tudui_{i}.pth。--video 完全按视频的设置；默认设置更快更准。

P26 builds the loop, P27 adds the test step and saving, P28 adds train() and
eval(): all three are this one script, in the video's order. It first shows
the argmax example the accuracy rests on, and what train()/eval() change on
the layers that care (Dropout, BatchNorm).

Differences from the video, on purpose (measured on real CIFAR10, this
machine, our numbers): the default trains with Adam and a one-cycle schedule
on normalized inputs in batches of 128 for 2 epochs: 66.4% test accuracy in
35 s (67.2% in 16 s with --amp). The video's settings (--video: SGD lr 0.01
fixed, batch 64, ToTensor inputs, 10 epochs): 52.9% after 10 epochs, in 177 s.
(2-core Intel Xeon, CPU only; python bench/accuracy.py.) Checkpoints are saved as state_dicts (保存方式2) plus the input
normalization P31 must repeat, not as whole models (保存方式1) as the video
does, so P31 loads them with weights_only=True; each is written atomically,
and only the newest --keep are kept.
"""
import argparse
import contextlib
import re
import time
from pathlib import Path

import torch
from torch import nn
from tqdm import tqdm

import cifar
import common
from models import Tudui
from p23_nn_optim import make_loader

CHECKPOINTS = common.CHECKPOINTS_ROOT / "p26"
# --video: the video's train.py, each of which a flag given after it can still change
VIDEO = {"optimizer": "sgd", "lr": 1e-2, "schedule": "constant", "batch_size": 64, "normalize": False,
         "shuffle": False, "epochs": 10}


def show_argmax():
    """The small example the accuracy line rests on."""
    outputs = torch.tensor([[0.1, 0.2],
                            [0.05, 0.4]])
    print("argmax 的小例子: outputs = [[0.1, 0.2], [0.05, 0.4]]  (2 images, 2 classes)")
    print(f"  outputs.argmax(1) = {outputs.argmax(1)}   (1: along each row, the class with the highest score; "
          f"argmax(0) would compare down the columns: {outputs.argmax(0)})")
    preds, targets = outputs.argmax(1), torch.tensor([0, 1])
    print(f"  targets = {targets}; preds == targets -> {preds == targets}; .sum() = {(preds == targets).sum()} "
          "right answer(s)")
    return (preds == targets).sum().item()


def show_train_eval():
    """train() and eval() switch the layers that behave differently while learning."""
    torch.manual_seed(0)
    dropout, batchnorm = nn.Dropout(p=0.5), nn.BatchNorm1d(1)
    x = torch.ones(8)
    batch = torch.tensor([[1.0], [2.0], [3.0]])
    dropout.train(), batchnorm.train()
    train_dropout, train_bn = dropout(x), batchnorm(batch)
    dropout.eval(), batchnorm.eval()
    eval_dropout, eval_bn = dropout(x), batchnorm(batch)
    print("train() / eval() 训练模式与测试模式:")
    print(f"  Dropout(0.5) on ones(8): train() {train_dropout.tolist()}  eval() {eval_dropout.tolist()}")
    print(f"  BatchNorm1d on [1,2,3]:  train() {[round(v, 3) for v in train_bn.flatten().tolist()]} (this batch's "
          f"mean and spread)  eval() {[round(v, 3) for v in eval_bn.flatten().tolist()]} (the running averages)")
    print("  Tudui has neither layer, so for it they change nothing; call them anyway, as the video does: "
          "a network that gains Dropout later then still tests correctly")
    return {"dropout_train": train_dropout.tolist(), "dropout_eval": eval_dropout.tolist()}


def main(argv=None):
    parser, args = parse(argv)
    show_argmax()
    show_train_eval()
    autocast, scaler, precision = common.mixed_precision(args.device, args.amp)
    print(precision)

    # 准备数据集
    train_data = cifar.cifar10(train=True, args=args)
    test_data = cifar.cifar10(train=False, args=args)
    train_data_size = len(train_data)
    test_data_size = len(test_data)
    print(f"训练数据集的长度为：{train_data_size}   （视频中: 50000）")
    print(f"测试数据集的长度为：{test_data_size}   （视频中: 10000）")

    # 利用 DataLoader 来加载数据集 (tensors made once, batches cut from them: see P23)
    train_dataloader = make_loader(*cifar.as_tensors(train_data, args.device, normalize=args.normalize),
                                   args.batch_size, shuffle=args.shuffle)
    test_dataloader = make_loader(*cifar.as_tensors(test_data, args.device, normalize=args.normalize),
                                  args.batch_size, shuffle=False)

    # 创建网络模型
    tudui = Tudui().to(args.device, memory_format=torch.channels_last)
    # 损失函数
    loss_fn = nn.CrossEntropyLoss().to(args.device)
    # 优化器
    learning_rate = args.lr
    if args.optimizer == "sgd":
        optimizer = torch.optim.SGD(tudui.parameters(), lr=learning_rate)
    else:
        optimizer = torch.optim.Adam(tudui.parameters(), lr=learning_rate)
    scheduler = None
    if args.schedule == "onecycle":
        scheduler = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=learning_rate, epochs=args.epochs,
                                                        steps_per_epoch=len(train_dataloader))
    print(f"optimizer = {type(optimizer).__name__}(lr={learning_rate})"
          + (", one-cycle schedule" if scheduler else ", constant learning rate")
          + f", batch {args.batch_size}, {'normalized' if args.normalize else 'ToTensor'} inputs")

    # 设置训练网络的一些参数
    total_train_step = 0    # 记录训练的次数
    total_test_step = 0     # 记录测试的次数
    epoch = args.epochs     # 训练的轮数

    writer = common.open_writer(args.logdir)
    history = {"test_loss": [], "test_accuracy": [], "checkpoints": []}
    started = time.time()
    for i in range(epoch):
        print(f"-------第 {i + 1} 轮训练开始-------")

        # 训练步骤开始
        tudui.train()
        for imgs, targets in tqdm(train_dataloader, desc=f"epoch {i + 1}/{epoch}", leave=False, disable=None):
            imgs, targets = imgs.to(args.device), targets.to(args.device)
            with autocast():
                outputs = tudui(imgs)
                loss = loss_fn(outputs, targets)

            # 优化器优化模型
            optimizer.zero_grad()
            if scaler is None:
                loss.backward()
                optimizer.step()
            else:   # float16 --amp: the loss scaled up first
                common.backward_and_step(loss, optimizer, scaler)
            if scheduler is not None:
                scheduler.step()

            total_train_step = total_train_step + 1
            if total_train_step % args.print_every == 0:
                tqdm.write(f"训练次数：{total_train_step}, Loss: {loss.item():.4f}")
                writer.add_scalar("train_loss", loss.item(), total_train_step)

        # 测试步骤开始
        tudui.eval()
        total_test_loss = 0
        total_accuracy = 0
        with torch.no_grad(), autocast():
            for imgs, targets in test_dataloader:
                imgs, targets = imgs.to(args.device), targets.to(args.device)
                outputs = tudui(imgs)
                loss = loss_fn(outputs, targets)
                total_test_loss = total_test_loss + loss.item()
                accuracy = (outputs.argmax(1) == targets).sum()
                total_accuracy = total_accuracy + accuracy.item()

        print(f"整体测试集上的Loss: {total_test_loss:.4f}   (the sum of {len(test_dataloader)} batch means)")
        print(f"整体测试集上的正确率: {total_accuracy / test_data_size:.4f}   [{time.time() - started:.0f} s so far]")
        writer.add_scalar("test_loss", total_test_loss, total_test_step)
        writer.add_scalar("test_accuracy", total_accuracy / test_data_size, total_test_step)
        total_test_step = total_test_step + 1
        history["test_loss"].append(total_test_loss)
        history["test_accuracy"].append(total_accuracy / test_data_size)

        path = save_checkpoint(tudui, i, args)
        history["checkpoints"].append(path)
        print(f"模型已保存 model saved: {common.shown(path)}")

    writer.close()
    print(f"next 下一步: python lessons/p31_predict.py --image <your picture>  "
          f"(uses the newest checkpoint in {common.shown(args.out_dir)})")
    history["steps"] = total_train_step
    history["seconds"] = time.time() - started
    return history


# ---------------------------------------------------------------- helpers the video does not have
def save_checkpoint(tudui, i, args):
    """tudui_{i}.pth, as the course names them: the state_dict and the input
    normalization P31 must repeat; then only the newest --keep are kept."""
    path = Path(args.out_dir) / f"tudui_{i}.pth"
    checkpoint = {"state_dict": tudui.state_dict(), "normalize": args.normalize,
                  "mean": list(cifar.MEAN), "std": list(cifar.STD), "epoch": i}
    common.save_atomically(checkpoint, path)
    for old in checkpoints(args.out_dir)[:-args.keep]:
        old.unlink(missing_ok=True)
    return path


def checkpoints(folder):
    """tudui_{i}.pth files in `folder`, oldest epoch first."""
    found = [p for p in Path(folder).glob("tudui_*.pth") if re.fullmatch(r"tudui_\d+\.pth", p.name)]
    return sorted(found, key=lambda p: int(p.stem.split("_")[1]))


def build_parser():
    parser = common.lesson_parser(__file__, __doc__, data=True, logs=True, batch_size=128)
    parser.add_argument("--video", action="store_true",
                        help="the video's settings: SGD lr 0.01 fixed, batch 64, ToTensor inputs, no shuffling, "
                             "10 epochs; flags after it still apply")
    parser.add_argument("--epochs", type=common.positive_int, default=2, help="训练的轮数 (default: 2; the video: 10)")
    parser.add_argument("--optimizer", type=str.lower, choices=["adam", "sgd"], default="adam",
                        help="default: adam; the video: sgd")
    parser.add_argument("--lr", type=common.positive_float, default=None,
                        help="learning_rate 学习率 (default: adam 0.003 at the peak of the one-cycle schedule; "
                             "sgd 0.01)")
    parser.add_argument("--schedule", choices=["onecycle", "constant"], default="onecycle",
                        help="learning rate over time (default: onecycle; the video: constant)")
    parser.add_argument("--normalize", action=argparse.BooleanOptionalAction, default=True,
                        help="centre each colour channel as transforms.Normalize does (default: on; the video: off)")
    parser.add_argument("--shuffle", action=argparse.BooleanOptionalAction, default=True,
                        help="a new order of the training images every epoch (default: on; the video: off)")
    parser.add_argument("--amp", action="store_true",
                        help="mixed precision 混合精度 (bfloat16 on the CPU and on GPUs that have it)")
    parser.add_argument("--print-every", type=common.positive_int, default=100,
                        help="print and log the training loss every N steps (default: 100, as the video)")
    parser.add_argument("--keep", type=common.positive_int, default=3,
                        help="how many of the newest checkpoints to keep (default: 3)")
    parser.add_argument("--out-dir", type=Path, default=CHECKPOINTS,
                        help=f"where tudui_{{i}}.pth go (default: {CHECKPOINTS})")
    return parser


def parse(argv=None):
    parser = build_parser()
    args = common.parse_args(parser, argv, preset=VIDEO)
    if args.lr is None:
        args.lr = 3e-3 if args.optimizer == "adam" else 1e-2
    differs = common.video_differences(args, VIDEO)
    print("与视频不同 differs from the video: " + ", ".join(differs) + "; --video for the video's settings"
          if differs else "the video's settings 与视频相同")
    return parser, args


if __name__ == "__main__":
    common.run(main)
