"""P33 (beyond the course): DistributedDataParallel started by torchrun, on the
CPU with gloo (--device cpu), on 127.0.0.1 only; the CUDA cases run only where
there is a GPU for each process. Two launchers run README's two-machine
commands as written; three processes split a test set of 100; a process
killed mid-training ends the run within bounded time.

Starting torchrun costs seconds (each process imports torch), so each
multi-process run is checked for everything it can show. Every launcher has
a time limit; nothing waits on a printed line."""
import json
import os
import shlex
import socket
import sys
import time
from pathlib import Path

import pytest
import torch
import torchvision

from helpers import LESSONS_DIR, REPO_ROOT, read_events, run_lesson, run_lesson_script, run_python_many
from models import Tudui
from support import distributed, files, i18n

LESSON = LESSONS_DIR / "p33_ddp_torchrun.py"
# `torchrun`: torch's own launcher (torch.distributed.run.main), whose processes are forks of it (see that file)
TORCHRUN = REPO_ROOT / "tests" / "torchrun_forking.py"
TRAIN = ["--tiny", "--batch-size", "25", "--lr", "0.05", "--timeout", "60"]
LIMIT = 100          # seconds any torchrun-like run may take here (under pytest-timeout's 120, so this message comes first)


def environment():
    env = {k: v for k, v in os.environ.items() if k not in distributed.TORCHRUN_VARIABLES}
    env.update(PYTHONUNBUFFERED="1", OMP_NUM_THREADS="1", LANGUAGE="zh_CN")
    return env


def free_port():
    return distributed.free_port()


def readme_two_machine_commands():
    """The two-machine commands exactly as README.md gives them (the Chinese and
    the English half and the lesson's docstring must give the same two)."""
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    typed = [line.strip() for line in readme.splitlines()
             if line.startswith("    torchrun ") and "--nnodes" in line]
    assert len(typed) == 4 and typed[:2] == typed[2:], typed         # both halves
    docstring = LESSON.read_text(encoding="utf-8").split('"""')[1]
    before = i18n.current()
    for language in ("zh", "en"):                  # the Chinese docstring and its English in the catalogue
        i18n.set_language(language)
        assert all(i18n.in_language(docstring).count(command) == 1 for command in typed[:2]), language
    i18n.set_language(before)
    return [shlex.split(command) for command in typed[:2]]


def as_torchrun_starts_them(processes, flags, tmp_path, timeout=LIMIT, during=None):
    """`processes` copies of `python lessons/p33_ddp_torchrun.py flags`, side by side,
    each with the variables torchrun gives its workers (RANK, LOCAL_RANK,
    WORLD_SIZE, LOCAL_WORLD_SIZE, MASTER_ADDR, MASTER_PORT): what torchrun's
    launcher does on one machine, without its seconds of start-up for every
    process (they are forked from tests/zygote.py). The README's own torchrun
    commands are run by run_two_machines."""
    port = str(free_port())
    runs = []
    for rank in range(processes):
        env = environment()
        env.update(RANK=str(rank), LOCAL_RANK=str(rank), WORLD_SIZE=str(processes),
                   LOCAL_WORLD_SIZE=str(processes), MASTER_ADDR="127.0.0.1", MASTER_PORT=port)
        runs.append(dict(script=LESSON, args=[str(f) for f in flags], env=env, cwd=tmp_path))
    return run_python_many(runs, timeout=timeout, during=during)


def run_two_machines(out, device="cpu"):
    """README's two commands, each in its own torchrun launcher, as two machines
    would run them; HOST is 127.0.0.1 here and the port a free one (29500 may
    be taken on a test machine). The commands themselves are not changed."""
    port = str(free_port())
    launchers = []
    for node, words in enumerate(readme_two_machine_commands()):
        assert words[0] == "torchrun" and words[-1] == "lessons/p33_ddp_torchrun.py"
        assert f"--node-rank={node}" in words
        words = [word.replace("HOST", "127.0.0.1").replace("29500", port) for word in words]
        env = environment()
        if device == "cuda":
            env["CUDA_VISIBLE_DEVICES"] = str(node)        # one GPU for each "machine"
        # the launcher is torchrun's own (torch.distributed.run.main), forked from tests/zygote.py; each
        # process it starts is a fork of the launcher that runs `python -u lesson args` (a new Python
        # would spend seconds importing torch): see tests/torchrun_forking.py
        launchers.append(dict(script=TORCHRUN, args=words[1:] + [
            *TRAIN, "--device", device, "--epochs", "2", "--logdir", out / "logs",
            "--out-dir", out / "checkpoints", "--report", out / "report.json"], env=env, cwd=REPO_ROOT))
    results = run_python_many(launchers, timeout=LIMIT)
    outputs = [r.stdout + r.stderr for r in results]
    assert [r.returncode for r in results] == [0, 0], outputs
    # rank 0, the one that prints, is on the machine given --node-rank=0
    assert outputs[0].count("P33 课程之外：多卡、多机训练（torchrun 与 DistributedDataParallel）") == 1
    assert "P33 课程之外" not in outputs[1]
    return json.loads((out / "report.json").read_text())


@pytest.mark.parametrize("device", ["cpu", pytest.param("cuda", marks=pytest.mark.skipif(
    torch.cuda.device_count() < 2, reason="one GPU for each of the two processes"))])
def test_two_processes_on_two_simulated_machines(tmp_path, device):
    """One run (starting torchrun is slow), every check of the issue on it."""
    report = run_two_machines(tmp_path, device)
    assert report["world_size"] == 2 and report["rank"] == 0 and report["real"] is False

    # both processes hold identical parameters (within one run), and the loss falls
    assert report["max_parameter_difference"] == 0.0
    assert report["test_loss"][-1] < report["test_loss"][0]
    assert report["train_loss"][-1] < report["train_loss"][0]

    # each process saw a different half of the data in each epoch, and the halves cover the set
    seen = report["seen"]                            # [rank][epoch] -> indices
    assert len(seen) == 2 and len(seen[0]) == 2
    for epoch in range(2):
        first, second = set(seen[0][epoch]), set(seen[1][epoch])
        assert len(first) == len(second) == report["train_size"] // 2
        assert not first & second and first | second == set(range(report["train_size"]))
    assert seen[0][0] != seen[0][1]                  # set_epoch: a new order each epoch

    # one checkpoint per epoch and one TensorBoard run, written by rank 0 alone
    assert sorted(p.name for p in (tmp_path / "checkpoints").iterdir()) == \
        ["tudui_0.pth", "tudui_1.pth"]
    assert len(list((tmp_path / "logs").glob("events.out.tfevents.*"))) == 1
    assert [e.step for e in read_events(tmp_path / "logs").Scalars("test_accuracy")] == [0, 1]

    # P31's way: a state_dict, read with weights_only=True, into the course's Tudui (no "module." prefix)
    checkpoint = tmp_path / "checkpoints" / "tudui_1.pth"
    state = torch.load(checkpoint, map_location="cpu", weights_only=True)
    assert not any(name.startswith("module.") for name in state)
    Tudui().load_state_dict(state)
    # P33 -> P31 as the README types it, in a new interpreter
    result = run_lesson_script("p31_predict", "--tiny", "--checkpoint", checkpoint, "--out-dir", tmp_path / "predictions",
                               "--logdir", tmp_path / "p31_logs", "--samples", "2", cwd=tmp_path, timeout=60)
    assert result.returncode == 0, result.stderr
    assert len(list((tmp_path / "predictions").glob("*_side_by_side.png"))) == 2    # both samples predicted


def test_plain_python_runs_as_one_process_in_both_languages(tmp_path, capsys):
    argv = ["--tiny", "--batch-size", "50", "--epochs", "1", "--device", "cpu", "--out-dir", tmp_path / "ck"]
    chinese = run_lesson("p33_ddp_torchrun", *argv, "--logdir", tmp_path / "zh")
    zh = capsys.readouterr().out
    english = run_lesson("p33_ddp_torchrun", *argv, "--logdir", tmp_path / "en", "--lang", "en")
    en = capsys.readouterr().out
    assert chinese["world_size"] == 1 and len(chinese["seen"][0][0]) == chinese["train_size"]
    for key in ("test_loss", "test_accuracy", "train_loss", "seen", "max_parameter_difference"):
        assert chinese[key] == english[key], key
    assert zh.splitlines()[0] == en.splitlines()[0] == "P33 课程之外：多卡、多机训练（torchrun 与 DistributedDataParallel）"
    assert "torchrun --nproc_per_node=2" in zh and "torchrun --nproc_per_node=2" in en
    assert "RANK" not in os.environ and "MASTER_PORT" not in os.environ        # the environment put back
    assert not torch.distributed.is_initialized()


def test_a_port_in_use_is_named_with_the_flag_to_change_it(tmp_path, monkeypatch):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        monkeypatch.setenv("MASTER_PORT", str(port))
        started = time.time()
        with pytest.raises(files.LessonError) as error:
            run_lesson("p33_ddp_torchrun", "--tiny", "--epochs", "1", "--timeout", "10", "--device", "cpu",
                       "--logdir", tmp_path, "--out-dir", tmp_path)
    message = str(error.value)
    assert str(port) in message and "--master-port" in message and "MASTER_PORT" in message
    assert "\n" not in message and time.time() - started < 30
    assert not torch.distributed.is_initialized()


def test_more_processes_than_gpus_says_so(tmp_path, monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "device_count", lambda: 1)
    for name, value in {"RANK": "0", "LOCAL_RANK": "0", "WORLD_SIZE": "2", "LOCAL_WORLD_SIZE": "2",
                        "MASTER_ADDR": "127.0.0.1", "MASTER_PORT": str(free_port())}.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(files.LessonError, match="--nproc_per_node=2") as error:
        run_lesson("p33_ddp_torchrun", "--tiny", "--logdir", tmp_path, "--out-dir", tmp_path)
    assert "--nproc_per_node=1" in str(error.value) and "--device cpu" in str(error.value)
    assert not torch.distributed.is_initialized()


def test_the_messages_for_a_broken_connection_and_a_timeout_are_one_line():
    broken = distributed.one_line(RuntimeError("[/x/gloo/pair.cc:545] Read error [127.0.0.1]:1: Connection reset "
                                               "by peer. This is typically caused by a remote worker hanging"), 60)
    assert isinstance(broken, files.LessonError) and "Connection reset by peer" in str(broken)
    assert "pair.cc" not in str(broken) and "\n" not in str(broken)
    late = distributed.one_line(torch.distributed.DistStoreError("Socket Timeout\nmore"), 60)
    assert "60" in str(late) and "--timeout" in str(late) and "\n" not in str(late)
    other = RuntimeError("shape mismatch")
    assert distributed.one_line(other, 60) is other
    distributed.tidy_up()


def worker_pids(launcher_pid):
    """The processes torchrun started (its children), read from /proc."""
    found = []
    for children in Path(f"/proc/{launcher_pid}/task").glob("*/children"):
        found += [int(pid) for pid in children.read_text().split()]
    return found


def test_a_killed_process_ends_the_run_in_bounded_time(tmp_path):
    """Rank 1 killed mid-training (SIGKILL: no chance to say anything); then, as
    torchrun's launcher does when one of its processes dies, SIGTERM to the
    others. Rank 0 ends within bounded time with one line, whichever it met
    first: the broken connection or the SIGTERM."""
    events = []

    def kill_rank_1_once_training_began(pids):
        # training has begun once rank 0 opened its TensorBoard file: that comes after
        # DistributedDataParallel(tudui), which both processes must have reached
        deadline = time.time() + LIMIT
        while not list((tmp_path / "logs").glob("events.out.tfevents.*")):
            assert time.time() < deadline, "training never began"
            time.sleep(0.1)
        os.kill(pids[1], 9)
        events.append(time.time())
        time.sleep(1)                                   # torchrun notices a dead process within about a second
        try:
            os.kill(pids[0], 15)
        except ProcessLookupError:                      # rank 0 had ended already, on the broken connection
            pass

    rank0, rank1 = as_torchrun_starts_them(2, [*TRAIN, "--device", "cpu", "--epochs", "500",
                                               "--logdir", tmp_path / "logs", "--out-dir", tmp_path / "ck"],
                                           tmp_path, during=kill_rank_1_once_training_began)
    assert time.time() - events[0] < 30 and rank1.returncode == -9 and rank0.returncode not in (0, -15)
    lines = [line for line in rank0.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "Traceback" not in rank0.stderr, rank0.stderr     # ours is one line
    assert not (tmp_path / "ck").exists() or all(p.stat().st_size > 0 for p in (tmp_path / "ck").iterdir())


def evaluate(checkpoint, device, parts=1, batch_size=25):
    """The saved weights evaluated here, in this process, on the tiny test set:
    (images right, the course's sum of batch losses over `parts` shares)."""
    from support.data import TinyCIFAR10
    test_data = TinyCIFAR10(train=False, transform=torchvision.transforms.ToTensor())
    tudui = Tudui().to(device)
    tudui.load_state_dict(torch.load(checkpoint, map_location=device, weights_only=True))
    tudui.eval()
    right, loss = 0, 0.0
    with torch.no_grad():
        for part in range(parts):
            share = torch.utils.data.Subset(test_data, range(part, len(test_data), parts))
            for imgs, targets in torch.utils.data.DataLoader(share, batch_size=batch_size):
                outputs = tudui(imgs.to(device))
                right += (outputs.argmax(1).cpu() == targets).sum().item()
                loss += torch.nn.functional.cross_entropy(outputs.cpu(), targets).item()
    return right, loss, len(test_data)


@pytest.mark.parametrize("device", ["cpu", pytest.param("cuda", marks=pytest.mark.skipif(
    torch.cuda.device_count() < 3, reason="one GPU for each of the three processes"))])
def test_three_processes_count_each_test_image_once(tmp_path, device):
    """100 test images over 3 processes (34 + 33 + 33): the accuracy P33 reports
    is what one process finds for the same saved weights."""
    results = as_torchrun_starts_them(3, [*TRAIN, "--device", device, "--epochs", "1",
                                          "--logdir", tmp_path / "logs", "--out-dir", tmp_path / "ck",
                                          "--report", tmp_path / "report.json"], tmp_path)
    assert [r.returncode for r in results] == [0, 0, 0], [r.stdout + r.stderr for r in results]
    assert results[0].stdout and not results[1].stdout.strip() and not results[2].stdout.strip()   # rank 0 prints
    report = json.loads((tmp_path / "report.json").read_text())
    assert report["world_size"] == 3 and report["test_size"] % 3 != 0
    assert report["test_images"] == [report["test_size"]]         # no image tested twice, none left out
    right, loss, size = evaluate(tmp_path / "ck" / "tudui_0.pth", "cpu")
    assert size == report["test_size"]
    if device == "cpu":
        # the all_reduce'd sums are the whole test set's, each image counted once
        assert report["test_correct"] == [right]
        assert report["test_accuracy"] == [right / size]
        assert report["test_loss"][0] == pytest.approx(evaluate(tmp_path / "ck" / "tudui_0.pth", "cpu", parts=3)[1])
    else:                 # CUDA may round differently from this CPU evaluation: an image or two may flip
        assert abs(report["test_correct"][0] - right) <= 2


def test_on_windows_the_backend_is_gloo_and_use_libuv_is_0(tmp_path, monkeypatch, capsys):
    """Windows builds of torch may lack libuv (pytorch/pytorch#139990, #148283)."""
    seen = {}
    real = torch.distributed.init_process_group

    def spy(backend, **kwargs):
        seen.update(backend=backend, use_libuv=os.environ.get("USE_LIBUV"))
        return real(backend, **kwargs)

    monkeypatch.setattr(sys, "platform", "win32")
    monkeypatch.setattr(torch.distributed, "init_process_group", spy)
    monkeypatch.delenv("USE_LIBUV", raising=False)
    run_lesson("p33_ddp_torchrun", "--tiny", "--epochs", "1", "--device", "cpu",
               "--logdir", tmp_path / "logs", "--out-dir", tmp_path / "ck")
    assert seen == {"backend": "gloo", "use_libuv": "0"}
    assert "USE_LIBUV=0" in capsys.readouterr().out and "USE_LIBUV" not in os.environ   # advice; put back after
