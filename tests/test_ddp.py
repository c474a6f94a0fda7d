"""P33 (beyond the course): DistributedDataParallel started by torchrun, on the
CPU with gloo, on 127.0.0.1 only. Two launchers stand for two machines; a
process killed mid-training ends the run within bounded time.

Starting torchrun costs seconds (each process imports torch), so the
multi-process checks share one run (the two-launcher one, a module fixture)."""
import json
import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import torch

from helpers import LESSONS_DIR, REPO_ROOT, read_events, run_lesson
from models import Tudui
from support import distributed, files

LESSON = LESSONS_DIR / "p33_ddp_torchrun.py"
TORCHRUN = [str(Path(sys.executable).with_name("torchrun"))] if Path(sys.executable).with_name("torchrun").is_file() \
    else [sys.executable, "-m", "torch.distributed.run"]
TRAIN = ["--tiny", "--batch-size", "25", "--lr", "0.05", "--timeout", "60"]
LIMIT = 240          # seconds any torchrun run may take here (a loaded 2-core machine starts torch slowly)


def environment():
    env = {k: v for k, v in os.environ.items() if k not in distributed.TORCHRUN_VARIABLES}
    env.update(PYTHONUNBUFFERED="1", OMP_NUM_THREADS="1", LANGUAGE="zh_CN")
    return env


def free_port():
    return distributed.free_port()


def run_two_machines(out):
    """Two torchrun launchers, --nnodes 2, each with one process, meeting at one
    c10d rendezvous on 127.0.0.1: what two machines would run."""
    port = free_port()
    launchers = []
    for node_rank in (0, 1):
        command = TORCHRUN + ["--nnodes", "2", "--node-rank", str(node_rank), "--nproc_per_node", "1",
                              "--rdzv-backend", "c10d", "--rdzv-endpoint", f"127.0.0.1:{port}",
                              "--rdzv-id", "p33-test", "--local-addr", "127.0.0.1",
                              str(LESSON), *TRAIN, "--epochs", "3", "--logdir", str(out / "logs"),
                              "--out-dir", str(out / "checkpoints"), "--report", str(out / "report.json")]
        launchers.append(subprocess.Popen(command, cwd=out, env=environment(), text=True,   # another folder
                                          stdout=subprocess.PIPE, stderr=subprocess.PIPE))
    try:
        outputs = [launcher.communicate(timeout=LIMIT) for launcher in launchers]
    finally:
        for launcher in launchers:
            if launcher.poll() is None:
                launcher.kill()
                launcher.wait()
    assert [launcher.returncode for launcher in launchers] == [0, 0], outputs
    stdout = outputs[0][0] + outputs[1][0]
    assert stdout.count("P33 课程之外：多卡、多机训练（torchrun 与 DistributedDataParallel）") == 1   # rank 0 prints
    return json.loads((out / "report.json").read_text())


def test_two_processes_on_two_simulated_machines(tmp_path):
    """One run (starting torchrun is slow), every check of the issue on it."""
    report = run_two_machines(tmp_path)
    assert report["world_size"] == 2 and report["rank"] == 0 and report["real"] is False

    # both processes hold identical parameters, and the loss falls
    assert report["max_parameter_difference"] == 0.0
    assert report["test_loss"][-1] < report["test_loss"][0]
    assert report["train_loss"][-1] < report["train_loss"][0]

    # each process saw a different half of the data in each epoch, and the halves cover the set
    seen = report["seen"]                            # [rank][epoch] -> indices
    assert len(seen) == 2 and len(seen[0]) == 3
    for epoch in range(3):
        first, second = set(seen[0][epoch]), set(seen[1][epoch])
        assert len(first) == len(second) == report["train_size"] // 2
        assert not first & second and first | second == set(range(report["train_size"]))
    assert seen[0][0] != seen[0][1]                  # set_epoch: a new order each epoch

    # one checkpoint per epoch and one TensorBoard run, written by rank 0 alone
    assert sorted(p.name for p in (tmp_path / "checkpoints").iterdir()) == \
        ["tudui_0.pth", "tudui_1.pth", "tudui_2.pth"]
    assert len(list((tmp_path / "logs").glob("events.out.tfevents.*"))) == 1
    assert [e.step for e in read_events(tmp_path / "logs").Scalars("test_accuracy")] == [0, 1, 2]

    # P31's way: a state_dict, read with weights_only=True, into the course's Tudui (no "module." prefix)
    checkpoint = tmp_path / "checkpoints" / "tudui_2.pth"
    state = torch.load(checkpoint, map_location="cpu", weights_only=True)
    assert not any(name.startswith("module.") for name in state)
    Tudui().load_state_dict(state)
    result = run_lesson("p31_predict", "--tiny", "--checkpoint", checkpoint, "--out-dir", tmp_path / "predictions",
                        "--logdir", tmp_path / "p31_logs", "--samples", "2")
    assert Path(result["checkpoint"]) == checkpoint


def test_plain_python_runs_as_one_process_in_both_languages(tmp_path, capsys):
    argv = ["--tiny", "--batch-size", "50", "--epochs", "1", "--out-dir", tmp_path / "ck"]
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
            run_lesson("p33_ddp_torchrun", "--tiny", "--epochs", "1", "--timeout", "10",
                       "--logdir", tmp_path, "--out-dir", tmp_path)
    message = str(error.value)
    assert str(port) in message and "--master-port" in message and "--rdzv-endpoint" in message
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


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="finds torchrun's workers through /proc")
def test_a_killed_process_ends_the_run_in_bounded_time(tmp_path):
    command = TORCHRUN + ["--nproc_per_node=2", "--master-port", str(free_port()), str(LESSON), *TRAIN,
                          "--epochs", "500", "--logdir", str(tmp_path / "logs"), "--out-dir", str(tmp_path / "ck")]
    launcher = subprocess.Popen(command, cwd=REPO_ROOT, env=environment(), text=True,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    lines, training = [], threading.Event()

    def read():
        for line in launcher.stdout:
            lines.append(line)
            if "第 1 轮训练开始" in line:          # training has begun: kill one process in it
                training.set()

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        assert training.wait(LIMIT), "".join(lines)
        workers = worker_pids(launcher.pid)
        assert len(workers) == 2
        os.kill(workers[1], 9)
        killed = time.time()
        stderr = launcher.communicate(timeout=60)[1]
    finally:
        if launcher.poll() is None:
            launcher.kill()
            launcher.wait()
    assert time.time() - killed < 30 and launcher.returncode != 0
    ours = [line for line in stderr.splitlines() if line.startswith("错误：")]
    assert len(ours) == 1 and ("连接断了" in ours[0] or "SIGTERM" in ours[0]), stderr
    assert "[rank0]: Traceback" not in stderr and "[rank1]: Traceback" not in stderr   # ours is one line
