"""多进程训练（P33）的准备和收尾：torchrun 给的环境变量、只让 0 号进程打印、显卡够不够、出错时只说一行。

Support for P33 (DistributedDataParallel launched by torchrun), kept out of
the lesson so that it shows only the lines DDP changes:

- `single_process_env()`: started with plain `python`, not torchrun, the
  lesson still runs, as one process (WORLD_SIZE=1): the variables torchrun
  would set are set here, and the torchrun command is printed;
- `print_on_rank0_only()`: the print() of every process but rank 0 goes
  nowhere (errors still reach stderr), so the output reads as one run;
- `check_gpus()`: more processes on this machine than GPUs, said in one line;
- `stop_on_sigterm()`: torchrun ends the other processes with SIGTERM when
  one fails; each then stops with one line, not a traceback;
- `one_line()`: what torch.distributed raises (a port in use, a timeout, a
  process that went away) as one LessonError naming the fix;
- `no_libuv_on_windows()`: Windows builds of torch may lack libuv in the
  TCPStore (pytorch/pytorch#139990, #148283): USE_LIBUV=0 is set for this
  process and the learner told to set it before torchrun as well;
- `tidy_up()`: the environment and stdout as they were (for main() called
  in-process, as the tests do).
"""
import os
import re
import shlex
import signal
import socket
import sys
from pathlib import Path

import torch
from torch.nn.modules.utils import consume_prefix_in_state_dict_if_present

from support.files import REPO_ROOT, LessonError, shown
from support.i18n import _

# the variables torchrun sets for each process it starts
TORCHRUN_VARIABLES = ("RANK", "LOCAL_RANK", "WORLD_SIZE", "LOCAL_WORLD_SIZE", "MASTER_ADDR", "MASTER_PORT")

_saved = {"environ": None, "stdout": None, "sigterm": None, "failing": False, "libuv": None}


def started_by_torchrun():
    """Whether torchrun (or another launcher) set RANK, WORLD_SIZE and the meeting point."""
    return all(name in os.environ for name in ("RANK", "WORLD_SIZE", "MASTER_ADDR", "MASTER_PORT"))


def free_port(host="127.0.0.1"):
    """A TCP port nobody listens on now, on `host`."""
    with socket.socket() as probe:
        probe.bind((host, 0))
        return probe.getsockname()[1]


def torchrun_executable():
    """The torchrun beside the Python running this lesson (the virtual environment's), as it can be typed."""
    script = Path(sys.executable).with_name("torchrun.exe" if os.name == "nt" else "torchrun")
    if script.is_file():
        return shown(script)
    return f"{shown(sys.executable)} -m torch.distributed.run"


def torchrun_command(lesson_file, argv, nproc=2):
    """The command that starts this lesson as `nproc` processes with the same flags."""
    if argv is None:
        started_as = Path(sys.argv[0]).stem if sys.argv and sys.argv[0] else ""
        argv = sys.argv[1:] if started_as == Path(lesson_file).stem else []
    flags = " ".join(shlex.quote(str(word)) for word in argv)
    script = shown(Path(lesson_file))
    try:
        script = str(Path(lesson_file).resolve().relative_to(Path.cwd()))
    except ValueError:
        if Path.cwd() == REPO_ROOT:
            script = str(Path(lesson_file).resolve().relative_to(REPO_ROOT))
    return f"{torchrun_executable()} --nproc_per_node={nproc} {script} {flags}".rstrip()


def single_process_env(lesson_file, argv):
    """Started without torchrun: set the variables it would set, for one
    process on this machine, and say how to start several. Returns True then."""
    if started_by_torchrun():
        return False
    _saved["environ"] = {name: os.environ.get(name) for name in TORCHRUN_VARIABLES}
    port = os.environ.get("MASTER_PORT") or str(free_port())
    os.environ.update({"RANK": "0", "LOCAL_RANK": "0", "WORLD_SIZE": "1", "LOCAL_WORLD_SIZE": "1",
                       "MASTER_ADDR": os.environ.get("MASTER_ADDR", "127.0.0.1"), "MASTER_PORT": port})
    print(_("没有用 torchrun 启动：这次只有 1 个进程（WORLD_SIZE=1），代码和多进程时完全一样。"
            "两个进程这样启动：{command}").format(command=torchrun_command(lesson_file, argv)))
    return True


def print_on_rank0_only():
    """print() of every process but rank 0 goes nowhere; stderr (the errors) stays."""
    if int(os.environ.get("RANK", "0")) != 0:
        _saved["stdout"] = sys.stdout
        sys.stdout = open(os.devnull, "w", encoding="utf-8")


def stop_on_sigterm():
    """SIGTERM (what torchrun sends the other processes when one fails) becomes one line and a clean exit."""
    def stop(signum, frame):
        if _saved["failing"]:
            return          # already saying why and ending; one line is enough
        _saved["failing"] = True
        raise LessonError(_("torchrun 停止了这个进程（SIGTERM）：别的进程出错退出或被停止了，整个训练一起结束；"
                            "最先出错的是哪个进程，看 torchrun 最后打印的 Root Cause"))

    if _saved["sigterm"] is None:
        _saved["sigterm"] = signal.signal(signal.SIGTERM, stop)


def no_libuv_on_windows():
    """On Windows: the TCPStore without libuv (USE_LIBUV=0), which every Windows
    build of torch has; some lack libuv and fail with "use_libuv was requested
    but PyTorch was build without libuv support" (pytorch/pytorch#139990, #148283).
    torchrun's own store starts before this script: the learner sets it there."""
    if _saved["libuv"] is None:
        _saved["libuv"] = (os.environ.get("USE_LIBUV"),)
    os.environ["USE_LIBUV"] = "0"
    print(_("Windows：这个进程设了 USE_LIBUV=0，通信后端用 gloo。用 torchrun 启动之前也要设 USE_LIBUV=0"
            "（PowerShell：$env:USE_LIBUV=\"0\"，cmd：set USE_LIBUV=0），否则 torchrun 可能报"
            "“use_libuv was requested but PyTorch was build without libuv support”"))


def tidy_up():
    """Put back what single_process_env, no_libuv_on_windows, print_on_rank0_only and stop_on_sigterm changed."""
    if _saved["libuv"] is not None:
        value = _saved["libuv"][0]
        if value is None:
            os.environ.pop("USE_LIBUV", None)
        else:
            os.environ["USE_LIBUV"] = value
        _saved["libuv"] = None
    if _saved["environ"] is not None:
        for name, value in _saved["environ"].items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        _saved["environ"] = None
    if _saved["stdout"] is not None:
        sys.stdout.close()
        sys.stdout, _saved["stdout"] = _saved["stdout"], None
    if _saved["sigterm"] is not None and not _saved["failing"]:
        # (when failing, the handler stays: it ignores torchrun's SIGTERM while the one line is printed)
        signal.signal(signal.SIGTERM, _saved["sigterm"])
        _saved["sigterm"] = None


def check_gpus(local_world_size, gpus=None):
    """Each process on this machine needs a GPU of its own (cuda:LOCAL_RANK)."""
    gpus = torch.cuda.device_count() if gpus is None else gpus
    if local_world_size > gpus:
        raise LessonError(_("--nproc_per_node={n} 比这台机器的显卡多（只有 {gpus} 块）：每个进程要用一块自己的显卡"
                            "（cuda:LOCAL_RANK）。改成 --nproc_per_node={gpus}，或者加 --device cpu 用 CPU 和 gloo").format(
            n=local_world_size, gpus=gpus))


def one_line(error, timeout):
    """What torch.distributed raised, as one LessonError that names the fix;
    any other RuntimeError is given back as it is."""
    text = str(error)
    if not isinstance(error, torch.distributed.DistError) and not any(
            word in text for word in ("gloo", "NCCL", "nccl", "c10d", "Connection", "connection")):
        return error
    _saved["failing"] = True      # torchrun's SIGTERM may come now: this process is ending already
    first = (text.strip().splitlines() or [type(error).__name__])[0]
    first = re.sub(r"^\[[^\]]*\]\s*", "", first).split(". This is typically")[0][:200]   # no C++ file and line
    address = f"{os.environ.get('MASTER_ADDR', '?')}:{os.environ.get('MASTER_PORT', '?')}"
    if "EADDRINUSE" in text or "address already in use" in text.lower():
        port = os.environ.get("MASTER_PORT", "?")
        return LessonError(_("端口 {port} 已经被别的程序占用了（也许是上一次没结束的训练）：换一个端口，"
                             "torchrun --master-port={other} ...（几台机器时每台的命令都改）；"
                             "直接用 python 运行时设环境变量 MASTER_PORT={other}").format(
            port=port, other=free_port()))
    if "timed out" in text.lower() or "timeout" in text.lower():
        return LessonError(_("等了 {seconds} 秒，别的进程还是没有回应（集合点 {address}）：有的进程没启动、卡住了，"
                             "或者机器之间的网络不通；--timeout 可以改等待的秒数（{detail}）").format(
            seconds=timeout, address=address, detail=first))
    if any(word in text for word in ("Connection closed", "Connection reset", "Broken pipe", "Connection refused",
                                     "connection closed", "connection reset")):
        return LessonError(_("和别的进程的连接断了：有一个进程出错退出或被停止了，这个进程也跟着结束（{detail}）").format(
            detail=first))
    return LessonError(_("多进程通信出错（{address}）：{detail}").format(address=address, detail=first))


def what_ddp_did(tudui, train_sampler, train_data, history, seconds, args, standin):
    """P33 after the course's part: show what DDP did (same parameters everywhere,
    each its own share, set_epoch) and return the key values."""
    rank, world_size = torch.distributed.get_rank(), torch.distributed.get_world_size()
    flat = torch.cat([p.detach().cpu().flatten() for p in tudui.module.parameters()])
    gathered = [None] * world_size
    torch.distributed.all_gather_object(gathered, {"rank": rank, "parameters": flat, "seen": history["seen"]})
    differences = [(g["parameters"] - flat).abs().max().item() for g in gathered]
    print(_("{n} 个进程训练完，参数最多相差 {difference}：每一步的梯度都求了平均，所以参数完全相同").format(
        n=world_size, difference=max(differences)))
    first = gathered[0]["seen"]
    orders = []
    for epoch in (0, 1):                  # what set_epoch(0) and set_epoch(1) deal this process
        train_sampler.set_epoch(epoch)
        orders.append(list(train_sampler)[:6])
    print(_("每个进程每轮分到 {share} 张（训练集 {total} 张 ÷ {n} 个进程）；0 号进程第 1 轮分到的前几张图片编号是 {epoch0}，"
            "第 2 轮是 {epoch1}（set_epoch 换了顺序；不调用 set_epoch，每一轮都是 {epoch0}）").format(
        share=len(first[0]), total=len(train_data), n=world_size, epoch0=orders[0], epoch1=orders[1]))
    images_per_second = len(train_data) * args.epochs / seconds
    print(_("总批大小 = {batch} × {n} = {total}，学习率 {lr}；训练 {epochs} 轮用了 {seconds:.1f} 秒，"
            "{speed:.0f} 张/秒（所有进程合计）").format(
        batch=args.batch_size, n=world_size, total=args.batch_size * world_size, lr=args.lr, epochs=args.epochs,
        seconds=seconds, speed=images_per_second))
    wrapped = dict(tudui.state_dict())           # 名字是 module.model.0.weight ...
    first_name = next(iter(wrapped))
    consume_prefix_in_state_dict_if_present(wrapped, "module.")    # 别人存的带 module. 的文件这样去掉前缀
    type(tudui.module)().load_state_dict(wrapped)      # a fresh Tudui takes it
    print(_("tudui.state_dict() 的名字带 DDP 加的前缀（{wrapped}）：这样的文件先用 consume_prefix_in_state_dict_if_present"
            "(state_dict, \"module.\") 去掉前缀，Tudui 才能加载；本课存的是 tudui.module.state_dict()（{inner}），"
            "P31 直接能加载：python lessons/p31_predict.py --checkpoint {path}").format(
        wrapped=first_name, inner=next(iter(tudui.module.state_dict())),
        path=shown(history["checkpoints"][-1]) if history["checkpoints"] else "tudui_0.pth"))
    result = {"world_size": world_size, "rank": rank, "test_loss": history["test_loss"],
              "test_accuracy": history["test_accuracy"], "test_correct": history["test_correct"],
              "test_images": history["test_images"],
              "test_size": history["test_size"], "train_loss": history["train_loss"],
              "checkpoints": history["checkpoints"], "max_parameter_difference": max(differences),
              "seen": [g["seen"] for g in gathered], "train_size": len(train_data), "seconds": seconds,
              "images_per_second": images_per_second, "real": not standin,
              "threads": torch.get_num_threads(), "batch_size": args.batch_size, "lr": args.lr}
    return result
