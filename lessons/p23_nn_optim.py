"""P23 优化器 - the training loop

优化器（optimizer）根据梯度更新参数，让损失越来越小。视频的训练循环，每一批都按这个顺序：
    outputs = tudui(imgs)                   前向传播 forward
    result_loss = loss(outputs, targets)    损失 loss
    optim.zero_grad()                       梯度清零（否则会和上一批的梯度累加）
    result_loss.backward()                  反向传播，算出每个参数的梯度
    optim.step()                            优化器按梯度更新每个参数
整个数据集过一遍是一轮（epoch）；每轮的 running_loss（各批损失之和）应当越来越小。
--video 完全按视频运行：SGD，学习率（lr）0.01 固定，batch_size=1，在测试集（train=False）
上训练 20 轮，输入只做 ToTensor。默认设置更快、更准，区别见下。

The video's loop, in its order, is train_one_epoch() right below; helpers the
video does not have come after it. `--video` runs exactly the video's
settings: SGD, lr 0.01 fixed, batch 1, the TEST split (the video trains on
train=False), ToTensor inputs, 20 epochs, the running loss summed over the
epoch. That is 200,000 single-image steps: about 10 minutes on a 2-core
Intel Xeon (about 330 images/s), longer on a slower laptop.

The default differs from the video on purpose. Each choice was measured on
real CIFAR10, 2 epochs, test accuracy (our numbers, not the video's; 2-core
Intel Xeon with AVX-512/AMX, CPU only; python bench/accuracy.py), by changing it alone back:
  choice (the video's in brackets)                       changed back     accuracy
  the 50,000-image train split (test split: it leaves     --split test     54.1% *
    nothing unseen to measure accuracy on)
  Adam, whose step adapts to each parameter (SGD)        --optimizer sgd  38.0%
  one-cycle schedule: the rate climbs to --lr over the   --schedule       62.4%
    first 30% of the steps, then falls to ~0 (fixed)       constant
  inputs normalized per colour channel, as               --no-normalize   64.8%
    transforms.Normalize does (ToTensor's 0..1)
  batches of 128 (batch 1): far more images per second   --batch-size 64  68.0%
    (bench/train_speed.py measures how many)
  all five together (the default)                                          67.3%, 35 s
  the video's settings, 2 epochs (--video --epochs 2)                      44.0% *, 66 s
  the default with --amp (bfloat16)                                        67.2%, 18 s
  (* measured on the train split, since these train on the test split)

Every optimizer in the notes' table can be picked with --optimizer, with the
common parameters where the optimizer has them (--lr, --weight-decay,
--momentum, --dampening, --nesterov, --eps, --amsgrad). --compare sgd adam
... trains the same starting weights with each and writes one TensorBoard
run per optimizer. The training loss is logged every --log-every batches
(x axis: batches seen), the test accuracy once per epoch. --amp trains in
mixed precision (bfloat16 where the processor has it).
"""
import argparse
import contextlib
import copy
import inspect
import time

import torch
from torch import nn
from torch.utils.data import BatchSampler, DataLoader, RandomSampler, SequentialSampler, TensorDataset
from tqdm import tqdm

import cifar
import common
from models import Tudui


# ---------------------------------------------------------------- the video's loop
def train_one_epoch(tudui, dataloader, loss, optim, scheduler=None, device="cpu", autocast=None, scaler=None,
                    progress=None):
    """One pass over the training data, in the video's order.
    Returns (running_loss, the loss of each batch)."""
    tudui.train()
    autocast = autocast or contextlib.nullcontext
    needs_closure = isinstance(optim, torch.optim.LBFGS)
    batch_losses = []
    running_loss = 0.0
    for imgs, targets in tqdm(dataloader, desc=progress, leave=False, unit="batch", disable=None):
        imgs, targets = imgs.to(device, non_blocking=True), targets.to(device, non_blocking=True)
        if needs_closure:
            result_loss = lbfgs_step(tudui, imgs, targets, loss, optim)
        else:
            with autocast():                            # only with --amp: lower precision where it is safe
                outputs = tudui(imgs)                   # forward 前向传播
                result_loss = loss(outputs, targets)    # loss 损失
            optim.zero_grad()                           # 梯度清零
            if scaler is None:
                result_loss.backward()                  # backward 反向传播
                optim.step()                            # update 更新参数
            else:                                       # float16 --amp: the loss scaled up first
                common.backward_and_step(result_loss, optim, scaler)
        if scheduler is not None:
            scheduler.step()        # the learning rate for the next batch
        # The video writes running_loss = running_loss + result_loss: adding the
        # tensor keeps every batch's autograd graph alive until the epoch ends.
        # .item() adds a plain number instead.
        batch_losses.append(result_loss.item())
        running_loss = running_loss + batch_losses[-1]
    return running_loss, batch_losses


# ---------------------------------------------------------------- helpers the video does not have
def lbfgs_step(tudui, imgs, targets, loss, optim):
    """LBFGS looks at the loss several times per step, so it gets a closure that recomputes it."""
    def closure():
        optim.zero_grad()
        result_loss = loss(tudui(imgs), targets)
        result_loss.backward()
        return result_loss
    return optim.step(closure)


# name -> (class, learning rate used when --lr is not given; with the one-cycle
# schedule, the peak rate)
OPTIMIZERS = {
    "sgd": (torch.optim.SGD, 0.01),          # the video's choice
    "adam": (torch.optim.Adam, 3e-3),
    "adamw": (torch.optim.AdamW, 3e-3),
    "rmsprop": (torch.optim.RMSprop, 1e-3),  # PyTorch's 0.01 is too big for this network
    "adagrad": (torch.optim.Adagrad, 0.01),
    "adadelta": (torch.optim.Adadelta, 1.0),
    "lbfgs": (torch.optim.LBFGS, 0.1),       # PyTorch's 1.0 overshoots on small batches
}
COMMON_SETTINGS = ("weight_decay", "momentum", "dampening", "nesterov", "eps", "amsgrad")
# --video: the video's settings, each of which a flag given after it can still change
VIDEO = {"optimizer": "sgd", "lr": 0.01, "schedule": "constant", "batch_size": 1, "split": "test",
         "normalize": False, "shuffle": False, "epochs": 20}


def optimizer_settings(name, args):
    """The keyword arguments for optimizer `name`: --lr (or its default) and
    each common setting the learner gave that this optimizer accepts.
    Returns (settings, names of the given settings it does not accept)."""
    cls, default_lr = OPTIMIZERS[name]
    accepted = inspect.signature(cls.__init__).parameters
    settings = {"lr": args.lr if args.lr is not None else default_lr}
    not_accepted = []
    for key in COMMON_SETTINGS:
        value = getattr(args, key)
        if value is None:
            continue
        if key in accepted:
            settings[key] = value
        else:
            not_accepted.append(key)
    return settings, not_accepted


def make_loader(images, labels, batch_size, shuffle):
    """A DataLoader over tensors already in memory.

    The BatchSampler hands the dataset a whole list of indices at once, so a
    batch is cut out of the big tensor in one indexing operation, instead of
    64 single-image lookups glued back together.
    """
    dataset = TensorDataset(images, labels)
    # A new shuffle each epoch, drawn from torch's seeded generator (--seed).
    order = RandomSampler(dataset) if shuffle else SequentialSampler(dataset)
    return DataLoader(dataset, sampler=BatchSampler(order, batch_size, drop_last=False), batch_size=None)


def evaluate(tudui, dataloader, device, autocast=None):
    """Share of images whose highest score is the right class."""
    tudui.eval()
    correct = total = 0
    with torch.no_grad(), (autocast or contextlib.nullcontext)():
        for imgs, targets in dataloader:
            imgs, targets = imgs.to(device, non_blocking=True), targets.to(device, non_blocking=True)
            correct += (tudui(imgs).argmax(dim=1) == targets).sum().item()
            total += len(targets)
    return correct / total


def train(name, settings, start_weights, train_loader, test_loader, args, writer):
    """Train a fresh copy of the network from `start_weights` with one optimizer."""
    # channels_last (pixels stored colour-by-colour side by side) is the layout
    # the CPU and GPU convolution kernels run fastest on. LBFGS flattens the
    # gradients with .view(), which needs the default layout.
    layout = torch.contiguous_format if name == "lbfgs" else torch.channels_last
    tudui = Tudui().to(args.device, memory_format=layout)
    tudui.load_state_dict(start_weights)
    loss = nn.CrossEntropyLoss()
    optim = OPTIMIZERS[name][0](tudui.parameters(), **settings)
    scheduler = None
    # LBFGS sizes its own steps from the curvature it measures, and a rate
    # that changes under it breaks that (the loss turns into nan): no schedule.
    if args.schedule == "onecycle" and name != "lbfgs":
        # Adam's beta1 (or SGD's momentum, if set) swings against the rate, as in the paper.
        swings = "betas" in optim.defaults or optim.defaults.get("momentum", 0) > 0
        scheduler = torch.optim.lr_scheduler.OneCycleLR(
            optim, max_lr=settings["lr"], epochs=args.epochs, steps_per_epoch=len(train_loader),
            cycle_momentum=swings)
    autocast, scaler, _ = common.mixed_precision(args.device, args.amp and name != "lbfgs")
    print(f"\noptim = {optim.__class__.__name__}({', '.join(f'{k}={v}' for k, v in settings.items())})"
          + (f", one-cycle schedule peaking at lr（学习率）={settings['lr']}" if scheduler
             else f", constant lr（学习率） {settings['lr']}"))
    batches = len(train_loader)
    scale = ("the same scale as the video's" if batches == 10_000 else
             f"so for the same mean loss its number is {10_000 / batches:.0f}x ours: compare the mean, not the sum")
    print(f"running_loss below = the sum of {batches} batch losses, each the mean over {args.batch_size} "
          f"image(s). The video (batch 1) sums 10,000 single-image losses, {scale}")
    history = {"running_loss": [], "accuracy": [], "mean_loss": []}
    batches_seen = 0
    for epoch in range(1, args.epochs + 1):
        started = time.perf_counter()
        running_loss, batch_losses = train_one_epoch(
            tudui, train_loader, loss, optim, scheduler, args.device, autocast, scaler,
            progress=f"{name} epoch {epoch}/{args.epochs}")
        seconds = time.perf_counter() - started
        for losses_so_far, value in enumerate(batch_losses, start=batches_seen + 1):
            if losses_so_far % args.log_every == 0:
                writer.add_scalar("train_loss", value, losses_so_far)   # x: batches seen
        batches_seen += len(batch_losses)
        accuracy = evaluate(tudui, test_loader, args.device, autocast)
        history["running_loss"].append(running_loss)
        history["mean_loss"].append(running_loss / batches)
        history["accuracy"].append(accuracy)
        print(f"  epoch {epoch}/{args.epochs}: running_loss {running_loss:.2f} (mean {running_loss / batches:.4f}), "
              f"accuracy on the {args.held_out} split {accuracy:.2%}  "
              f"[{seconds:.0f} s, {len(train_loader.dataset) / seconds:.0f} images/s]")
        writer.add_scalar("running_loss", running_loss, epoch)
        writer.add_scalar("test_accuracy", accuracy, epoch)
        writer.add_scalar("learning_rate", optim.param_groups[0]["lr"], epoch)
    return tudui, history


def build_parser():
    parser = common.lesson_parser(__file__, __doc__, data=True, logs=True, batch_size=128)
    parser.add_argument("--video", action="store_true",
                        help="the video's settings: SGD, lr 0.01 fixed, batch 1, the test split, ToTensor inputs, "
                             "20 epochs (about 10 minutes on a 2-core CPU); flags after it still apply")
    parser.add_argument("--optimizer", type=str.lower, choices=OPTIMIZERS, default="adam",
                        help="which torch.optim optimizer trains the network (default: adam)")
    parser.add_argument("--compare", nargs="+", type=str.lower, choices=OPTIMIZERS, metavar="OPTIMIZER",
                        help="train the same starting weights once with each of these optimizers "
                             "(e.g. --compare sgd adam); one TensorBoard run each")
    parser.add_argument("--epochs", type=common.positive_int, default=2, help="passes over the training split (default: 2)")
    parser.add_argument("--split", choices=["train", "test"], default="train",
                        help="which CIFAR10 split to train on; the other one measures accuracy "
                             "(default: train; the video: test)")
    parser.add_argument("--normalize", action=argparse.BooleanOptionalAction, default=True,
                        help="centre each colour channel as transforms.Normalize does (default: on; "
                             "the video: off, ToTensor's 0..1)")
    parser.add_argument("--shuffle", action=argparse.BooleanOptionalAction, default=True,
                        help="a new order of the training images every epoch (default: on; the video: off)")
    parser.add_argument("--schedule", choices=["onecycle", "constant"], default="onecycle",
                        help="learning rate over time: one cycle up to --lr and down, or --lr throughout "
                             "as in the video (default: onecycle)")
    parser.add_argument("--lr", type=common.positive_float,
                        help="learning rate (default: per optimizer, " +
                             ", ".join(f"{k} {lr}" for k, (_, lr) in OPTIMIZERS.items()) + ")")
    parser.add_argument("--weight-decay", type=common.non_negative_float, help="L2 penalty on the weights")
    parser.add_argument("--momentum", type=common.non_negative_float, help="momentum factor (SGD, RMSprop)")
    parser.add_argument("--dampening", type=common.non_negative_float, help="dampening for momentum (SGD)")
    parser.add_argument("--nesterov", action="store_true", default=None,
                        help="Nesterov momentum (SGD; needs --momentum and no dampening)")
    parser.add_argument("--eps", type=common.positive_float, help="term added to denominators (Adam, RMSprop, ...)")
    parser.add_argument("--amsgrad", action="store_true", default=None, help="the AMSGrad variant (Adam, AdamW)")
    parser.add_argument("--log-every", type=common.positive_int, default=10,
                        help="log the training loss to TensorBoard every N batches (default: 10)")
    parser.add_argument("--amp", action="store_true",
                        help="mixed precision 混合精度: bfloat16 autocast on the CPU and on GPUs that have it, "
                             "else float16 with GradScaler")
    return parser


# the settings of VIDEO in words, for "differs from the video"
DESCRIBE = {"split": lambda v: f"the {v} split" + (" (train=False)" if v == "test" else ""),
            "batch_size": lambda v: f"batch {v}", "optimizer": lambda v: "SGD" if v == "sgd" else v,
            "lr": lambda v: f"lr {v}",
            "schedule": lambda v: "a one-cycle schedule" if v == "onecycle" else "a constant rate",
            "normalize": lambda v: "normalized inputs" if v else "ToTensor's 0..1 inputs",
            "shuffle": lambda v: "shuffled batches" if v else "no shuffling", "epochs": lambda v: f"{v} epochs"}


def main(argv=None):
    parser = build_parser()
    args = common.parse_args(parser, argv, preset=VIDEO)
    names = list(dict.fromkeys(args.compare or [args.optimizer]))   # each optimizer once

    all_settings = {}
    for name in names:
        settings, not_accepted = optimizer_settings(name, args)
        if not_accepted and not args.compare:
            accepted = [k for k in COMMON_SETTINGS if k in inspect.signature(OPTIMIZERS[name][0].__init__).parameters]
            parser.error(f"{name} has no {', '.join('--' + k.replace('_', '-') for k in not_accepted)} "
                         f"(it takes --lr{''.join(' --' + k.replace('_', '-') for k in accepted)})")
        if not_accepted:
            print(f"{name}: has no {', '.join('--' + k.replace('_', '-') for k in not_accepted)}, "
                  "so those are left out for it")
        try:  # the optimizer checks its own values (e.g. nesterov needs momentum)
            OPTIMIZERS[name][0]([torch.zeros(1, requires_grad=True)], **settings)
        except ValueError as error:
            parser.error(f"{name}: {error}")
        all_settings[name] = settings

    changed = common.video_differences(args, VIDEO, DESCRIBE)
    if changed:
        print("与视频不同 differs from the video: " + "; ".join(changed)
              + ". Reasons and measured effects: --help. The video's exact settings: --video")
    else:
        print("the video's settings 与视频相同 (--video)")
    print(common.mixed_precision(args.device, args.amp)[2])

    args.held_out = "test" if args.split == "train" else "train"
    train_set = cifar.cifar10(train=args.split == "train", args=args)
    test_set = cifar.cifar10(train=args.split != "train", args=args)
    steps = args.epochs * -(-len(train_set) // args.batch_size)
    if args.batch_size == 1 and len(train_set) > 1000:
        print(f"batch 1: {steps:,} single-image steps in all: about {steps / 330 / 60:.0f} minutes at the "
              "330 images/s measured on a 2-core Intel Xeon, longer on a slower laptop; "
              "the bar below shows the real speed. Ctrl-C stops.")
    # Converted to tensors once, on the training device; the DataLoaders then
    # only cut batches out of them.
    train_loader = make_loader(*cifar.as_tensors(train_set, args.device, normalize=args.normalize),
                               args.batch_size, shuffle=args.shuffle)
    test_loader = make_loader(*cifar.as_tensors(test_set, args.device, normalize=args.normalize), 1000,
                              shuffle=False)

    start_weights = copy.deepcopy(Tudui().state_dict())  # the same start for every optimizer
    histories = {}
    for name in names:
        writer = common.open_writer(args.logdir / name, view=args.logdir)
        common.seed_everything(args.seed)
        _, histories[name] = train(name, all_settings[name], start_weights, train_loader, test_loader, args, writer)
        writer.close()

    print(f"\nTensorBoard SCALARS: train_loss shows the learning every {args.log_every} batches; the per-epoch "
          f"curves (running_loss, test_accuracy) have {args.epochs} point(s) each: set Smoothing to 0 to see them "
          "as they are")
    if len(names) > 1:
        print("\nfinal accuracy: " + ", ".join(f"{n} {h['accuracy'][-1]:.2%}" for n, h in histories.items()))
    return {"histories": histories, "settings": all_settings,
            "setup": {key: getattr(args, key) for key in VIDEO}, "differences": changed}


if __name__ == "__main__":
    common.run(main)
