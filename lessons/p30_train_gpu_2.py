"""P30 利用GPU训练（二）- the .to(device) way

第二种方式（更常用）：先定义训练设备 device = torch.device("cuda" if torch.cuda.is_available()
else "cpu")，再把网络模型、损失函数、每批数据都 .to(device)。注意：网络（nn.Module）的
.to() 是原地修改，写 tudui.to(device) 就够了；张量（tensor）的 .to() 返回一个新张量，
必须赋值 imgs = imgs.to(device)。本课在 CPU 和（有的话）GPU 上各训练一轮，并排打印每轮时间。
没有 GPU 的话，可以用 Google Colab 免费借一块（视频里也提到了）。

One `device` chosen once, then .to(device) on the network, the loss
function and each batch. The same code runs on a CUDA GPU, on Apple's GPU
(device "mps", where torch.backends.mps.is_available()), or on the CPU.
Each device present trains the same epochs from the same starting weights,
at the video's settings (SGD lr 0.01, batch 64, ToTensor inputs), and the
seconds per epoch are printed side by side. --amp adds mixed precision.
"""
import copy
import time

import torch
from torch import nn
from torch.utils.data import DataLoader

import cifar
import common
from models import Tudui
from p23_nn_optim import evaluate


def show_in_place_or_not():
    """A module's .to() changes the module itself; a tensor's .to() returns a new tensor."""
    tudui = Tudui()
    returned = tudui.to(torch.float64)
    imgs = torch.ones(2, 3)
    moved = imgs.to(torch.float64)
    print("module vs tensor .to():")
    print(f"  tudui.to(torch.float64): the module itself changed -> {next(tudui.parameters()).dtype}, "
          f"and it returns the same object: {returned is tudui}")
    print(f"  imgs.to(torch.float64) : imgs is still {imgs.dtype}; the result is a new tensor {moved.dtype}: "
          "so write imgs = imgs.to(device)")
    return {"module_in_place": returned is tudui, "tensor_unchanged": imgs.dtype == torch.float32}


def train_epochs(device, start_weights, train_dataloader, test_dataloader, args):
    """The video's loop on one device; returns (seconds per epoch, accuracy)."""
    tudui = Tudui()
    tudui.load_state_dict(start_weights)
    tudui.to(device)                          # in place: no assignment needed
    loss_fn = nn.CrossEntropyLoss()
    loss_fn.to(device)
    optimizer = torch.optim.SGD(tudui.parameters(), lr=1e-2)
    autocast, scaler, precision = common.mixed_precision(device, args.amp)
    print(f"\n训练设备 device: {device}  ({precision})")
    seconds = []
    for i in range(args.epochs):
        start_time = time.time()
        tudui.train()
        for imgs, targets in train_dataloader:
            imgs = imgs.to(device)            # a tensor: assign the result
            targets = targets.to(device)
            with autocast():
                loss = loss_fn(tudui(imgs), targets)
            optimizer.zero_grad()
            common.backward_and_step(loss, optimizer, scaler)   # loss.backward(); optimizer.step()
        if device.type == "cuda":
            torch.cuda.synchronize()          # GPU work runs on; wait before reading the clock
        seconds.append(time.time() - start_time)
        print(f"  epoch {i + 1}: {seconds[-1]:.1f} s, last loss {loss.item():.4f}")
    return seconds, evaluate(tudui, test_dataloader, device, autocast)


def main(argv=None):
    parser = common.lesson_parser(__file__, __doc__, data=True, batch_size=64)
    parser.add_argument("--epochs", type=common.positive_int, default=1,
                        help="epochs on each device (default: 1; the video: 10)")
    parser.add_argument("--amp", action="store_true", help="mixed precision 混合精度")
    args = common.parse_args(parser, argv)

    # 定义训练的设备, as the video writes it (plus Apple's GPU)
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if device.type == "cpu" and common.mps_available():
        device = torch.device("mps")
    print(f'device = torch.device("cuda" if torch.cuda.is_available() else "cpu") -> {device}')
    show_in_place_or_not()

    train_data = cifar.cifar10(train=True, args=args)
    test_data = cifar.cifar10(train=False, args=args)
    train_dataloader = DataLoader(train_data, batch_size=args.batch_size)
    test_dataloader = DataLoader(test_data, batch_size=args.batch_size)

    # --device picks one; auto compares the CPU with the GPU when there is one
    devices = [torch.device("cpu")]
    if args.device.type != "cpu":
        devices.append(args.device)
    start_weights = copy.deepcopy(Tudui().state_dict())
    timings = {}
    for each in devices:
        common.seed_everything(args.seed)
        seconds, accuracy = train_epochs(each, start_weights, train_dataloader, test_dataloader, args)
        timings[each.type] = {"seconds_per_epoch": sum(seconds) / len(seconds), "accuracy": accuracy}

    print("\nseconds per epoch 每轮时间: " + "   ".join(
        f"{name} {t['seconds_per_epoch']:.1f} s (accuracy {t['accuracy']:.2%})" for name, t in timings.items()))
    if len(timings) == 1:
        print("no GPU here: Google Colab (colab.research.google.com) lends one free: "
              "Runtime -> Change runtime type -> GPU, then run the same code")
    else:
        cpu, gpu = timings["cpu"]["seconds_per_epoch"], timings[devices[-1].type]["seconds_per_epoch"]
        print(f"{devices[-1].type} is {cpu / gpu:.1f}x the CPU on this machine")
    return {"device": device.type, "timings": timings}


if __name__ == "__main__":
    common.run(main)
