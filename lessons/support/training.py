"""我们在课程之外加的训练手段：混合精度（--amp）等。

Our additions to the course's training, kept out of the lessons' course
part. Mixed precision (--amp) chooses what is fast on this machine:

- a CUDA GPU with bfloat16: autocast to bfloat16;
- another CUDA GPU, or Apple's MPS: float16 with GradScaler (float16 loses
  small gradients unless the loss is scaled up first);
- a CPU with bfloat16 instructions (AVX-512 BF16 or AMX): bfloat16;
- a CPU without them: float32, and one line saying why. There bfloat16 is
  emulated and trains many times slower (11x on the AMD EPYC, Zen 3, of the README's dated run);
  `--amp bf16` forces it anyway, for whoever wants to see that.
"""
import argparse
import contextlib
import inspect
import re
import time
import weakref
from pathlib import Path

import torch
from torch.utils.data import TensorDataset

from support.flags import non_negative_float, positive_float, video_differences
from support.i18n import _

AMP_CHOICES = ("auto", "bf16", "fp16")
TORCH = tuple(int(n) for n in re.findall(r"\d+", torch.__version__.split("+")[0])[:2])


def cpu_has_bfloat16(cpuinfo_path="/proc/cpuinfo"):
    """Whether this CPU has bfloat16 instructions (AVX-512 BF16 or AMX): torch's own probes
    where this torch has them (the AMX one since about 2.2), else the flags Linux lists."""
    probes = [getattr(torch.cpu, name, None) for name in ("_is_avx512_bf16_supported", "_is_amx_tile_supported")]
    if any(probe() for probe in probes if probe is not None):
        return True
    if all(probe is not None for probe in probes):
        return False
    try:
        flags = Path(cpuinfo_path).read_text(encoding="utf-8", errors="replace").split()
    except OSError:
        return False
    return "avx512_bf16" in flags or "amx_tile" in flags


def amp_plan(device_type, amp, *, cpu_bfloat16=None, cuda_bfloat16=None):
    """What --amp means here: (dtype or None for float32, use GradScaler, reason).

    `amp` is None (no --amp), 'auto' (what is fast here), 'bf16' or 'fp16'
    (forced). The hardware facts can be given, so a test can decide for a
    machine it is not running on; by default they are asked of this one.
    """
    if amp is None:
        return None, False, _("float32（加 --amp 用混合精度）")
    if amp == "bf16":
        return torch.bfloat16, False, _("--amp bf16：强制用 bfloat16 自动混合精度")
    if amp == "fp16":
        if device_type == "cpu":
            return torch.bfloat16, False, _("--amp fp16：CPU 上的 autocast 不支持 float16，改用 bfloat16")
        return torch.float16, True, _("--amp fp16：强制用 float16 加 GradScaler")
    if device_type == "cuda":
        if cuda_bfloat16 is None:
            cuda_bfloat16 = torch.cuda.is_bf16_supported()
        if cuda_bfloat16:
            return torch.bfloat16, False, _("--amp：这块显卡支持 bfloat16，用 bfloat16 自动混合精度")
        return torch.float16, True, _("--amp：这块显卡没有 bfloat16，用 float16 加 GradScaler")
    if device_type == "mps":
        return torch.float16, True, _("--amp：MPS 上用 float16 加 GradScaler")
    if cpu_bfloat16 is None:
        cpu_bfloat16 = cpu_has_bfloat16()
    if cpu_bfloat16:
        return torch.bfloat16, False, _("--amp：这台 CPU 有 bfloat16 指令（AVX-512 BF16/AMX），用 bfloat16 自动混合精度")
    return None, False, _("--amp：这台 CPU 没有 bfloat16 指令（AVX-512 BF16/AMX），混合精度在这里会慢很多倍，"
                          "所以这次仍用 float32 训练；想亲眼看看，用 --amp bf16 强制打开")


def mixed_precision(device, amp):
    """(autocast context factory, GradScaler or None, description) for --amp on `device`."""
    kind = torch.device(device).type
    dtype, use_scaler, why = amp_plan(kind, amp)
    if dtype is None:
        return contextlib.nullcontext, None, why
    if kind == "mps" and TORCH < (2, 5):
        return contextlib.nullcontext, None, _("--amp 在 MPS 上要 torch 2.5 或更新（这里是 {torch}）：这次用 float32 训练").format(
            torch=torch.__version__)
    scaler = None
    if use_scaler:   # torch.amp.GradScaler(device) since torch 2.3; before it, CUDA's own
        scaler = torch.amp.GradScaler(kind) if hasattr(torch.amp, "GradScaler") else torch.cuda.amp.GradScaler()
    return (lambda: torch.autocast(kind, dtype=dtype)), scaler, why


def backward_and_step(loss, optimizer, scaler=None):
    """loss.backward() then optimizer.step(); with float16's GradScaler, the
    loss is scaled up first so that small gradients do not round to zero."""
    if scaler is None:
        loss.backward()
        optimizer.step()
    else:
        scaler.scale(loss).backward()
        scaler.step(optimizer)
        scaler.update()


# ---------------------------------------------------------------- mixed precision without changing the loop
_hooks = []     # the global hooks of the last run in this process, removed before new ones are set


def mixed_precision_forward(model, optimizer, device, amp):
    """--amp for the course's loop as it is: `outputs = tudui(imgs)` runs under
    autocast and gives float32 scores back, so `loss(...)`, `backward()` and
    `step()` stay the video's lines. Where float16 needs loss scaling, the
    gradient arriving at the scores is scaled up and the optimizer's step
    scales it back down first (see LossScaling). Returns what was chosen, in words.

    The hooks are global (torch.nn.modules.module.register_module_forward_*_hook),
    not the model's own: a model saved whole (P26's torch.save(tudui, f))
    then carries no function of ours in its file.
    """
    for handle in _hooks:
        handle.remove()
    _hooks.clear()
    kind = torch.device(device).type
    dtype, use_scaler, why = amp_plan(kind, amp)
    if dtype is None:
        return why
    target, open_contexts = weakref.ref(model), []
    scaling = LossScaling() if use_scaler else None

    def enter(module, inputs):
        if module is target():
            context = torch.autocast(kind, dtype=dtype)
            context.__enter__()
            open_contexts.append(context)

    def leave(module, inputs, output):
        if module is target() and open_contexts:
            open_contexts.pop().__exit__(None, None, None)
            output = output.float()
            if scaling is not None and output.requires_grad:
                output.register_hook(scaling.scale_gradient)
            return output

    _hooks.append(torch.nn.modules.module.register_module_forward_pre_hook(enter))
    _hooks.append(torch.nn.modules.module.register_module_forward_hook(leave))
    if scaling is not None:
        _hooks.append(optimizer.register_step_pre_hook(scaling.unscale_or_skip))
    return why


class LossScaling:
    """What torch.amp.GradScaler does, for a loop that calls loss.backward()
    and optimizer.step() itself. float16 turns gradients below about 6e-8 into 0,
    so they are multiplied by `scale` on their way back through the network, and
    divided by it again just before the step. A step whose gradients overflowed
    (inf or nan) is skipped and the scale halved; after `growth_interval` good
    steps in a row it doubles."""

    def __init__(self, scale=2.0 ** 16, growth_interval=2000):
        self.scale, self.growth_interval, self.good_steps = scale, growth_interval, 0

    def scale_gradient(self, grad):
        return grad * self.scale

    def unscale_or_skip(self, optimizer, args, kwargs):
        params = [p for group in optimizer.param_groups for p in group["params"] if p.grad is not None]
        if not params:
            return
        if bool(torch.stack([torch.isfinite(p.grad).all() for p in params]).all()):
            for p in params:
                p.grad.div_(self.scale)
            self.good_steps += 1
            if self.good_steps % self.growth_interval == 0:
                self.scale *= 2
        else:
            for p in params:
                p.grad = None     # an optimizer leaves a parameter without a gradient as it is: no step
            self.scale /= 2
            self.good_steps = 0


# ---------------------------------------------------------------- data, optimizers, schedules
def in_memory(dataset, args):
    """The whole split as one TensorDataset on --device, made once: what
    ToTensor gives each picture (normalized with --normalize, as
    transforms.Normalize(MEAN, STD) would). A DataLoader over it gives the
    same batches as over the per-picture dataset, without converting 50,000
    PIL images every epoch."""
    from support.data import as_tensors
    return TensorDataset(*as_tensors(dataset, args.device, normalize=args.normalize))


def normalization(normalize):
    """What P31 must do to a picture before the network sees it: saved with the model."""
    from support.data import MEAN, STD
    return {"mean": list(MEAN), "std": list(STD)} if normalize else None


class LBFGS(torch.optim.LBFGS):
    """LBFGS that fits the course's loop: one iteration per batch (max_iter=1),
    on the gradient that loss.backward() has just computed, so optim.step()
    needs no closure. (torch's LBFGS re-evaluates the loss up to 20 times per
    step through a closure, made for a whole data set in one batch.)"""

    def __init__(self, params, lr=1, **settings):
        super().__init__(params, lr=lr, max_iter=1, **settings)

    def step(self, closure=None):
        return super().step(closure or (lambda: torch.zeros(())))


# name -> (class, the learning rate used when --lr is not given; with the one-cycle schedule, the peak)
OPTIMIZERS = {
    "sgd": (torch.optim.SGD, 0.01),          # the video's choice
    "adam": (torch.optim.Adam, 3e-3),
    "adamw": (torch.optim.AdamW, 3e-3),
    "rmsprop": (torch.optim.RMSprop, 1e-3),  # PyTorch's 0.01 is too big for this network
    "adagrad": (torch.optim.Adagrad, 0.01),
    "adadelta": (torch.optim.Adadelta, 1.0),
    "lbfgs": (LBFGS, 0.1),                   # PyTorch's 1.0 overshoots on small batches
}
COMMON_SETTINGS = ("weight_decay", "momentum", "dampening", "nesterov", "eps", "amsgrad")


def add_recipe_flags(parser):
    """P23's and P26's choices beside the optimizer, each one the video does differently."""
    parser.add_argument("--normalize", action=argparse.BooleanOptionalAction, default=True,
                        help="像 transforms.Normalize 那样把每个颜色通道归一化（默认：开；视频：不做，ToTensor 的 0..1）")
    parser.add_argument("--shuffle", action=argparse.BooleanOptionalAction, default=True,
                        help="每一轮把训练图片重新打乱（默认：开；视频：不打乱）")
    parser.add_argument("--schedule", choices=["onecycle", "constant"], default="onecycle",
                        help="学习率怎么变：onecycle 先升到 --lr 再降下来，constant 一直是 --lr，和视频一样"
                             "（默认：onecycle）")
    parser.add_argument("--amp", nargs="?", const="auto", default=None, choices=AMP_CHOICES,
                        help="混合精度训练：auto 选这台机器上快的（有 bfloat16 就用 bfloat16，不支持 bfloat16 的显卡用 "
                             "float16 加损失缩放，没有 bfloat16 指令的 CPU 仍用 float32 并说明原因）；写 bf16 或 fp16 则强制使用")


def add_optimizer_flags(parser):
    """The settings several optimizers share; each goes only to those that take it."""
    parser.add_argument("--lr", type=positive_float,
                        help="学习率（默认每个优化器不同：sgd 0.01，adam/adamw 0.003，rmsprop 0.001，adagrad 0.01，"
                             "adadelta 1.0，lbfgs 0.1；用 one-cycle 时是最高点的学习率）")
    parser.add_argument("--weight-decay", type=non_negative_float, help="权重衰减（L2 惩罚）")
    parser.add_argument("--momentum", type=non_negative_float, help="动量（SGD、RMSprop）")
    parser.add_argument("--dampening", type=non_negative_float, help="动量的阻尼（SGD）")
    parser.add_argument("--nesterov", action="store_true", default=None,
                        help="Nesterov 动量（SGD；要同时给 --momentum，且没有阻尼）")
    parser.add_argument("--eps", type=positive_float, help="加在分母上防止除以 0 的小数（Adam、RMSprop 等）")
    parser.add_argument("--amsgrad", action="store_true", default=None, help="AMSGrad 变体（Adam、AdamW）")


def optimizer_settings(name, args):
    """The keyword arguments for optimizer `name`: --lr (or its default) and each
    common setting given that it accepts. Returns (settings, names it does not accept)."""
    cls, default_lr = OPTIMIZERS[name]
    accepted = inspect.signature(torch.optim.LBFGS.__init__ if cls is LBFGS else cls.__init__).parameters
    settings = {"lr": args.lr if getattr(args, "lr", None) is not None else default_lr}
    not_accepted = []
    for key in COMMON_SETTINGS:
        value = getattr(args, key, None)
        if value is None:
            continue
        if key in accepted:
            settings[key] = value
        else:
            not_accepted.append(key)
    return settings, not_accepted


def checked_settings(parser, names, args):
    """{name: settings} for each optimizer to train; a setting that cannot apply is a one-line flag error."""
    all_settings = {}
    for name in names:
        settings, not_accepted = optimizer_settings(name, args)
        flags = ", ".join("--" + key.replace("_", "-") for key in not_accepted)
        if not_accepted and len(names) == 1:
            parser.error(_("{name} 没有 {flags} 这个设置").format(name=name, flags=flags))
        if not_accepted:
            print(_("{name} 没有 {flags}，给它训练时不用这些设置").format(name=name, flags=flags))
        try:     # the optimizer checks its own values (nesterov needs momentum, ...)
            OPTIMIZERS[name][0]([torch.zeros(1, requires_grad=True)], **settings)
        except ValueError as error:
            parser.error(f"{name}: {error}")
        all_settings[name] = settings
    return all_settings


def lr_schedule(optimizer, schedule, epochs, steps_per_epoch):
    """'onecycle': the rate climbs to its peak over the first 30% of the steps,
    then falls to almost 0 (Adam's beta1, or SGD's momentum, swings against it).
    'constant': the rate stays as it is, as in the video. LBFGS sizes its own
    steps, and a rate changing under it turns the loss into nan: constant."""
    if schedule == "onecycle" and not isinstance(optimizer, torch.optim.LBFGS):
        swings = "betas" in optimizer.defaults or optimizer.defaults.get("momentum", 0) > 0
        return torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=optimizer.defaults["lr"], epochs=epochs,
                                                   steps_per_epoch=steps_per_epoch, cycle_momentum=swings)
    return torch.optim.lr_scheduler.LambdaLR(optimizer, lambda step: 1.0)


def evaluate(tudui, dataloader, device=None, autocast=None):
    """Share of the pictures whose highest score is the right class (under eval() and no_grad())."""
    tudui.eval()
    correct = total = 0
    with torch.no_grad(), (autocast or contextlib.nullcontext)():
        for imgs, targets in dataloader:
            if device is not None:
                imgs, targets = imgs.to(device, non_blocking=True), targets.to(device, non_blocking=True)
            correct += (tudui(imgs).argmax(1) == targets).sum().item()
            total += len(targets)
    return correct / total


# ---------------------------------------------------------------- what differs from the video
def say_video_differences(args, preset):
    """One line: what this run does differently from the video's settings (`preset`), or that it does not."""
    describe = {
        "split": lambda v: _("在训练集上训练") if v == "train" else _("在测试集上训练（train=False）"),
        "batch_size": lambda v: "batch_size={}".format(v),
        "optimizer": lambda v: {"sgd": "SGD", "adam": "Adam"}.get(v, v),
        "lr": lambda v: "lr={}".format(v),
        "schedule": lambda v: _("one-cycle 学习率") if v == "onecycle" else _("固定学习率"),
        "normalize": lambda v: _("输入按通道归一化") if v else _("输入只做 ToTensor（0 到 1）"),
        "shuffle": lambda v: "shuffle=True" if v else "shuffle=False",
        "epochs": lambda v: _("{n} 轮").format(n=v),
        "keep": lambda v: _("只留最新的 {n} 个模型文件").format(n=v) if v else _("每轮的模型文件都留着"),
    }
    differences = video_differences(args, preset, describe)
    if differences:
        print(_("与视频不同：{differences}。为什么、各差多少见 --help；完全用视频的设置：--video").format(
            differences=_("；").join(differences)))
    else:
        print(_("用的是视频的设置（--video）"))
    return differences


# ---------------------------------------------------------------- P23: what is logged, beside the video's print
class Record:
    """P23's TensorBoard and history for one optimizer: the loss every
    `log_every` batches (x: batches seen), and per epoch running_loss, the
    accuracy on the other split and the learning rate."""

    def __init__(self, writer, log_every, train_loader, test_loader):
        self.writer, self.log_every, self.test_loader = writer, log_every, test_loader
        self.batches, self.images = len(train_loader), len(train_loader.dataset)
        self.seen, self.started = 0, time.perf_counter()
        self.history = {"running_loss": [], "mean_loss": [], "accuracy": [], "seconds": []}

    def batch(self, result_loss):
        self.seen += 1
        if self.seen % self.log_every == 0:
            self.writer.add_scalar("train_loss", result_loss.item(), self.seen)

    def epoch(self, running_loss, tudui, optim, held_out):
        seconds = time.perf_counter() - self.started
        accuracy = evaluate(tudui, self.test_loader)
        tudui.train()
        epoch = len(self.history["accuracy"]) + 1
        for key, value in (("running_loss", running_loss), ("mean_loss", running_loss / self.batches),
                           ("accuracy", accuracy), ("seconds", seconds)):
            self.history[key].append(value)
        print(_("  第 {epoch} 轮：平均每批的损失 {mean:.4f}，在{split}上的正确率 {accuracy:.2%}（{seconds:.0f} 秒，"
                "每秒 {speed:.0f} 张）").format(
            epoch=epoch, mean=running_loss / self.batches, accuracy=accuracy, seconds=seconds,
            split=_("训练集") if held_out == "train" else _("测试集"),
            speed=self.images / seconds))
        self.writer.add_scalar("running_loss", running_loss, epoch)
        self.writer.add_scalar("test_accuracy", accuracy, epoch)
        self.writer.add_scalar("learning_rate", optim.param_groups[0]["lr"], epoch)
        self.started = time.perf_counter()

    def close(self):
        """Close the TensorBoard writer; the history of every epoch."""
        self.writer.close()
        return self.history


# ---------------------------------------------------------------- P26's checkpoints
def checkpoints(folder):
    """The tudui_{i}.pth files in `folder`, by epoch, the newest last."""
    found = [p for p in Path(folder).glob("tudui_*.pth") if re.fullmatch(r"tudui_\d+\.pth", p.name)]
    return sorted(found, key=lambda p: int(p.stem.split("_")[1]))


def prune_checkpoints(folder, epochs, keep):
    """After a run that saved tudui_0 ... tudui_{epochs-1}.pth: delete those
    before the newest `keep` (0: keep them all), and any tudui_{i}.pth with a
    higher i, left by an earlier, longer run (it would pass for the newest).
    Returns the deleted files."""
    deleted = [p for p in checkpoints(folder)
               if int(p.stem.split("_")[1]) >= epochs or (keep and int(p.stem.split("_")[1]) < epochs - keep)]
    for path in deleted:
        path.unlink(missing_ok=True)
    return deleted
