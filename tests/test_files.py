"""Files and errors (support/files.py, support/board.py): saves that are whole
or not at all, TensorBoard runs that replace the earlier one only when they
succeed, and one line for what the learner can fix."""
import os
import re

import pytest
import torch

from helpers import read_events, run_in_child, run_lesson
from support import board, files, flags, i18n, training

CJK_CHAR = re.compile(r"[\u4e00-\u9fff]")


def save_limited(path, width, limit, lang="zh"):
    def save():
        with files.written_whole(path) as f:
            torch.save(torch.nn.Linear(100, width).state_dict(), f)

    return run_in_child(lambda: files.run(save), env=dict(os.environ, LANGUAGE=lang), file_size_limit=limit)


@pytest.mark.parametrize("lang, words", [("zh", "错误"), ("en", "File too large")])
def test_a_save_that_cannot_be_written_keeps_the_earlier_file(tmp_path, lang, words):
    path = tmp_path / "model.pth"
    assert save_limited(path, 10, 10_000_000).returncode == 0
    before = path.read_bytes()
    done = save_limited(path, 500, 100_000, lang)          # ~200 KB: the write fails past 100 KB
    assert done.returncode == 1
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and str(path) in lines[0] and words in lines[0]
    assert [p.name for p in tmp_path.iterdir()] == ["model.pth"] and path.read_bytes() == before


def test_an_interrupted_save_leaves_nothing_behind(tmp_path):
    path = tmp_path / "model.pth"
    files.save_atomically({"a": torch.ones(3)}, path)
    with pytest.raises(KeyboardInterrupt):
        with files.written_whole(path) as f:
            f.write(b"half")
            raise KeyboardInterrupt
    assert [p.name for p in tmp_path.iterdir()] == ["model.pth"]
    assert torch.equal(torch.load(path, weights_only=True)["a"], torch.ones(3))


def test_a_folder_that_is_a_file(tmp_path):
    (tmp_path / "ckpt").write_text("notes")
    with pytest.raises(files.LessonError) as error:
        files.save_atomically({}, tmp_path / "ckpt" / "a.pth")
    assert str(tmp_path / "ckpt") in str(error.value) and "\n" not in str(error.value)
    assert (tmp_path / "ckpt").read_text() == "notes"


def test_a_checkpoint_on_a_full_disk(small_disk):
    (small_disk / "filler").write_bytes(b"\0" * 200_000)
    with pytest.raises(files.LessonError) as error:
        files.save_atomically(torch.nn.Linear(100, 500).state_dict(), small_disk / "model.pth")
    assert str(small_disk / "model.pth") in str(error.value) and "No space left on device" in str(error.value)
    assert sorted(p.name for p in small_disk.iterdir()) == ["filler"]


def test_a_new_run_replaces_the_earlier_one_only_when_it_ends_well(tmp_path):
    from torch.utils.tensorboard import SummaryWriter

    run_lesson("p14_dataloader", "--tiny", "--logdir", tmp_path, "--batch-size", "50", "--log-batches", "1")
    first = sorted(p.name for p in tmp_path.iterdir())
    assert len(first) == 1

    def a_run(value, fails):
        def main():
            writer = SummaryWriter(board.fresh_run(tmp_path))
            writer.add_scalar("x", value, 0)
            writer.close()
            if fails:
                raise files.LessonError("stopped")
        return main

    # a second run that fails: its file goes, the first run comes back
    with pytest.raises(SystemExit):
        files.run(a_run(1.0, fails=True))
    assert sorted(p.name for p in tmp_path.iterdir()) == first
    assert set(read_events(tmp_path).Tags()["images"]) == {"Epoch: 0", "Epoch: 1"}
    # one that ends well replaces it
    files.run(a_run(2.0, fails=False))
    assert sorted(p.name for p in tmp_path.iterdir()) != first
    assert board.read_scalars(tmp_path, "x") == [(0, 2.0)]


def test_outside_run_an_earlier_run_is_set_aside_and_dropped_by_the_next(tmp_path):
    """main() called from Jupyter: nothing waits for a run() that never comes;
    the next run in the folder drops what the one before set aside."""
    from torch.utils.tensorboard import SummaryWriter

    for value in (1.0, 2.0, 3.0):
        writer = SummaryWriter(board.fresh_run(tmp_path))
        writer.add_scalar("x", value, 0)
        writer.close()
    assert files._after_success == [] and files._after_failure == []
    assert len(list(tmp_path.glob(board.EVENTS + "*"))) == 1
    assert len(list(tmp_path.glob(board.SET_ASIDE + "*"))) == 1       # only the run just before
    assert board.read_scalars(tmp_path, "x") == [(0, 3.0)]


def test_logdir_that_is_a_file(tmp_path):
    (tmp_path / "logs").write_text("notes")
    with pytest.raises(files.LessonError) as error:
        run_lesson("p14_dataloader", "--tiny", "--logdir", tmp_path / "logs")
    assert str(tmp_path / "logs") in str(error.value) and "\n" not in str(error.value)
    assert (tmp_path / "logs").read_text() == "notes"


def test_tensorboard_command_asks_for_every_image_step(tmp_path):
    assert "--samples_per_plugin images=156" in board.tensorboard_command(tmp_path, 156)
    assert "samples_per_plugin" not in board.tensorboard_command(tmp_path, 4)


# ------------------------------------------------------------------ device
def test_auto_device_falls_back_to_the_cpu_and_says_so_once(monkeypatch, capsys):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    monkeypatch.setattr(flags, "mps_available", lambda: False)
    monkeypatch.setattr(flags, "_said_cpu_fallback", False)
    assert flags.pick_device("auto") == torch.device("cpu")
    assert flags.pick_device("auto") == torch.device("cpu")
    out = capsys.readouterr().out
    assert len(out.strip().splitlines()) == 1 and "cpu" in out


@pytest.mark.parametrize("choice", ["cuda", "mps"])
def test_a_gpu_that_is_not_there_is_one_line(monkeypatch, choice):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    monkeypatch.setattr(flags, "mps_available", lambda: False)
    with pytest.raises(files.LessonError) as error:
        flags.pick_device(choice)
    assert f"--device {choice}" in str(error.value) and "--device cpu" in str(error.value)


def test_run_turns_errors_into_one_line_and_an_exit_status(capsys):
    def fails():
        raise files.LessonError("something the learner can fix")

    with pytest.raises(SystemExit) as exit_info:
        files.run(fails)
    assert exit_info.value.code == 1
    said = capsys.readouterr().err.strip().splitlines()
    assert len(said) == 1 and "something the learner can fix" in said[0] and CJK_CHAR.search(said[0])   # one line, Chinese

    def interrupted():
        raise KeyboardInterrupt

    with pytest.raises(SystemExit) as exit_info:
        files.run(interrupted)
    assert exit_info.value.code == 130 and "Traceback" not in capsys.readouterr().err
    i18n.set_language("en")
    with pytest.raises(SystemExit):
        files.run(fails)
    said = capsys.readouterr().err.strip().splitlines()
    assert len(said) == 1 and "something the learner can fix" in said[0] and not CJK_CHAR.search(said[0])


# ------------------------------------------------------------------ --amp chooses what is fast (issue 15)


@pytest.mark.parametrize("device, amp, cpu_bf16, cuda_bf16, dtype, scaler", [
    ("cpu", None, True, None, None, False),                   # no --amp: float32
    ("cpu", "auto", False, None, None, False),                # AVX2 only (Zen 3): float32, and why
    ("cpu", "auto", True, None, torch.bfloat16, False),       # AVX-512 BF16 / AMX: bfloat16
    ("cpu", "bf16", False, None, torch.bfloat16, False),      # forced
    ("cpu", "fp16", False, None, torch.bfloat16, False),      # CPU autocast has no float16
    ("cuda", "auto", None, True, torch.bfloat16, False),      # Ampere and later
    ("cuda", "auto", None, False, torch.float16, True),       # older GPUs: float16 + GradScaler
    ("cuda", "fp16", None, True, torch.float16, True),        # forced
    ("mps", "auto", None, None, torch.float16, True),
])
def test_amp_plan_decides_from_the_hardware(device, amp, cpu_bf16, cuda_bf16, dtype, scaler):
    chosen, use_scaler, why = training.amp_plan(device, amp, cpu_bfloat16=cpu_bf16, cuda_bfloat16=cuda_bf16)
    assert (chosen, use_scaler) == (dtype, scaler)
    assert "\n" not in why
    if device == "cpu" and amp == "auto" and not cpu_bf16:
        assert "--amp bf16" in why and "float32" in why


def test_amp_on_this_cpu_matches_its_instructions():
    autocast, scaler, why = training.mixed_precision("cpu", "auto")
    assert scaler is None
    with autocast():
        out = torch.nn.Linear(4, 4)(torch.ones(2, 4))
    assert out.dtype == (torch.bfloat16 if training.cpu_has_bfloat16() else torch.float32)


# ------------------------------------------------------------------ Windows (issue 22)
def in_use_by_tensorboard(path):
    """The PermissionError Windows raises when renaming a file another program holds open."""
    error = PermissionError(13, "The process cannot access the file because it is being used by another process",
                            str(path))
    error.winerror = 32
    return error


def test_set_aside_while_tensorboard_reads_the_earlier_run(tmp_path, monkeypatch, capsys):
    from torch.utils.tensorboard import SummaryWriter

    def a_run(value):
        def main():
            writer = SummaryWriter(board.fresh_run(tmp_path))
            writer.add_scalar("x", value, 0)
            writer.close()
        files.run(main)

    a_run(1.0)
    earlier = sorted(tmp_path.iterdir())
    with open(earlier[0], "rb"):                      # TensorBoard reading it: Linux and macOS let it be renamed
        a_run(2.0)
    assert board.read_scalars(tmp_path, "x") == [(0, 2.0)] and len(list(tmp_path.iterdir())) == 1

    # Windows does not: this run goes to a fresh folder of its own, one line names the held file
    # and the cause, and nothing of the earlier run is moved
    held = sorted(tmp_path.iterdir())
    (tmp_path / (board.EVENTS + "second")).write_bytes(held[0].read_bytes())
    held = sorted(tmp_path.iterdir())
    rename = type(held[0]).rename

    def refuse(path, target):
        if path == held[-1]:
            raise in_use_by_tensorboard(path)
        return rename(path, target)
    capsys.readouterr()
    with monkeypatch.context() as windows:
        windows.setattr(type(held[0]), "rename", refuse)
        a_run(3.0)
    said = [line for line in capsys.readouterr().out.splitlines() if held[-1].name in line]
    assert len(said) == 1 and "WinError 32" in said[0] and "Permission denied" not in said[0]
    assert sorted(p for p in tmp_path.iterdir() if p.is_file()) == held         # the one renamed went back
    fresh = [p for p in tmp_path.iterdir() if p.is_dir()]
    assert len(fresh) == 1 and fresh[0].name in said[0]
    assert board.read_scalars(fresh[0], "x") == [(0, 3.0)]

    # TensorBoard closed: the next run replaces them all
    a_run(4.0)
    assert board.read_scalars(tmp_path, "x") == [(0, 4.0)] and len(list(tmp_path.iterdir())) == 1


@pytest.mark.parametrize("error, windows, facts", [
    (RuntimeError("DataLoader worker (pid(s) 4242) exited unexpectedly"), False, ["4242", "--num-workers 0"]),
    (RuntimeError("DataLoader worker (pid(s) 4242) exited unexpectedly"), True,
     ["--num-workers 0", "if __name__ == '__main__':"]),
    (OSError(22, "The paging file is too small for this operation to complete"), True,
     ["1455", "--num-workers 0", "num_workers", "CPU"]),
])
def test_a_dead_worker_is_one_line_with_its_remedy(error, windows, facts, monkeypatch):
    if "paging" in str(error):
        error.winerror = files.PAGING_FILE_TOO_SMALL
    assert files.from_a_worker(error)
    monkeypatch.setattr(i18n, "_state", dict(i18n._state))     # the language goes back after the test
    i18n.choose_language(["--lang", "en"])
    line = files.dead_worker(error, windows=windows)
    assert "\n" not in line and all(fact in line for fact in facts)
    assert ("__main__" in line) == (windows and "paging" not in str(error))


def test_a_closed_output_pipe_stays_quiet_and_a_broken_pipe_to_a_worker_does_not():
    def reader_gone():
        print("x")
        raise BrokenPipeError(32, "Broken pipe")

    def worker_gone():
        import multiprocessing.connection
        reader, writer = multiprocessing.connection.Pipe(duplex=False)
        reader.close()
        writer.send("a batch")                     # raises BrokenPipeError inside multiprocessing

    quiet = run_in_child(lambda: files.run(reader_gone), env=dict(os.environ, LANGUAGE="en"))
    assert quiet.returncode == 1 and quiet.stderr == ""
    loud = run_in_child(lambda: files.run(worker_gone), env=dict(os.environ, LANGUAGE="en"))
    lines = loud.stderr.strip().splitlines()
    assert loud.returncode == 1 and len(lines) == 1 and "--num-workers 0" in lines[0] and "Traceback" not in loud.stderr
