"""For the learner on Windows (issue 22), simulated here on Linux: output in the
console's code page (cp1252 on English Windows), no `resource`, no fork and no
/proc, DataLoader workers started with `spawn`, a worker that dies mid-epoch,
and a TensorBoard event file that Windows will not let go of while TensorBoard
reads it. tests/windows_like.py runs a script with those ways of Windows."""
import json
import re

import pytest

from helpers import LESSONS, LESSONS_DIR, REPO_ROOT, WEIGHTS_AS_ALLOCATED, WINDOWS_LIKE, run_python
# a lesson that needs another's files runs after it, in the same folder
AFTER = {"p25_model_load": "p25_model_save", "p31_predict": "p26_train"}
FORKS_ON_LINUX = {"p25_model_load"}


def quick_flags(name, scratch):
    """The flags that make `name` quick and keep what it writes in `scratch`:
    the tiny data set, one epoch, one batch, English."""
    source = (LESSONS_DIR / f"{name}.py").read_text(encoding="utf-8")
    flags = ["--lang", "en"]
    shared = re.search(r"lesson_parser\(([^)]*)\)", source).group(1)
    if "data=True" in shared:
        flags += ["--tiny"]
    if "logs=True" in shared:
        flags += ["--logdir", scratch / "logs" / name]
    own = set(re.findall(r'add_argument\("(--[a-z-]+)"', source))
    for flag, value in {"--epochs": 1, "--batches": 1, "--out-dir": scratch / "out", "--data-root": scratch / "data"}.items():
        if flag in own:
            flags += [flag, value]
    if "--checkpoint" in own:                                   # what p26_train.py saved just before
        flags += ["--checkpoint", max((scratch / "out").glob("tudui_*.pth"))]
    return flags


def windows_like(*args, env=None, cwd=None, timeout=60):
    return run_python(WINDOWS_LIKE, *args, env=env, cwd=cwd, timeout=timeout)


def takes_num_workers(name):
    source = (LESSONS_DIR / f"{name}.py").read_text(encoding="utf-8")
    return '"--num-workers"' in source or "num_workers=True" in source


@pytest.mark.parametrize("name", [name for name in LESSONS if name not in AFTER.values()])
def test_every_lesson_in_cp1252_without_unix(name, tmp_path, monkeypatch):
    """English Windows' code page can say no Chinese (the lesson's title): a "?"
    instead, never UnicodeEncodeError. And nothing on the way needs `resource`,
    os.fork or /proc."""
    monkeypatch.setenv("PYTHONIOENCODING", "cp1252")
    for lesson in (AFTER.get(name), name):
        if lesson is None:
            continue
        # support/checkpoints.py forks on Linux only (sys.platform), a new Python elsewhere: not simulated
        unix = [] if lesson in FORKS_ON_LINUX else ["--no-unix"]
        unix += ["--weights-as-allocated"] if lesson in WEIGHTS_AS_ALLOCATED else []
        done = windows_like(*unix, LESSONS_DIR / f"{lesson}.py", *quick_flags(lesson, tmp_path), cwd=tmp_path)
        assert done.returncode == 0, f"{lesson}:\n{done.stdout[-2000:]}\n{done.stderr[-3000:]}"
        assert "Traceback" not in done.stderr
        title = done.stdout.splitlines()[0]
        assert re.match(r"P\d+ ", title) and "?" in title      # its Chinese, substituted


@pytest.mark.parametrize("encoding, lang", [("cp1252", "en"), ("gbk", "zh")])
def test_check_env_in_any_code_page_without_unix(tmp_path, monkeypatch, encoding, lang):
    monkeypatch.setenv("PYTHONIOENCODING", encoding)
    done = windows_like("--no-unix", LESSONS_DIR / "check_env.py", "--lang", lang, cwd=tmp_path)
    assert done.returncode in (0, 1) and "Traceback" not in done.stderr, done.stderr
    lines = done.stdout.splitlines()
    assert len(lines) > 10 and any("torch" in line and "2.14.1" in line for line in lines)


def test_the_benchmarks_without_unix(tmp_path):
    """bench/*.py import where `resource` and /proc are not, and train_speed measures
    without them (its memory figures then say nothing rather than crash)."""
    script = tmp_path / "benchmarks.py"
    script.write_text(f"""
import json, runpy, sys
bench = runpy.run_path({str(REPO_ROOT / "bench" / "train_speed.py")!r})
for other in ("accuracy", "ddp_speed"):
    runpy.run_path({str(REPO_ROOT / "bench")!r} + "/" + other + ".py")
print("MEMORY " + json.dumps([bench["current_rss_mb"](), bench["peak_rss_mb"]()]))
bench["main"](["--part", "a", "--device", "cpu", "--course-images", "3", "--warmup", "1", "--images", "8",
               "--scratch", {str(tmp_path)!r}])
""", encoding="utf-8")
    done = windows_like("--no-unix", script, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    memory = json.loads(next(line for line in done.stdout.splitlines() if line.startswith("MEMORY "))[7:])
    assert memory[1] is None and (memory[0] is None or memory[0] > 0)     # no resource: no peak
    result = json.loads(next(line for line in done.stdout.splitlines() if line.startswith("RESULT "))[7:])
    assert result["images"] == 2 and result["images_per_s"] > 0 and result["peak_rss_mb"] is None


@pytest.mark.parametrize("name", ["p14_dataloader", "p23_nn_optim", "p26_train"])
def test_a_worker_killed_mid_epoch_is_one_line(name, tmp_path):
    """A DataLoader worker SIGKILLed while the epoch runs: exit 1 and one line with
    the --num-workers 0 remedy, no traceback. A lesson without --num-workers gets
    2 workers in each DataLoader from tests/windows_like.py."""
    own = takes_num_workers(name)
    flags = [*quick_flags(name, tmp_path), *(["--num-workers", "2"] if own else []), "--batch-size", "4"]
    if name == "p14_dataloader":
        flags += ["--log-batches", "all"]                 # an epoch long enough to die in
    done = windows_like("--kill-worker", *([] if own else ["--workers", "2"]), LESSONS_DIR / f"{name}.py", *flags,
                        cwd=tmp_path)
    assert done.returncode == 1
    assert len(done.stderr.strip().splitlines()) == 1 and "Traceback" not in done.stderr, done.stderr
    assert "DataLoader worker" in done.stderr and "--num-workers 0" in done.stderr


@pytest.mark.parametrize("name", [name for name in LESSONS if takes_num_workers(name)])
def test_workers_started_with_spawn(name, tmp_path):
    """Windows and macOS start DataLoader workers with `spawn`: a process that imports
    the lesson again (as __mp_main__), where `if __name__ == '__main__':` keeps the
    course's code from running twice. Two workers, started anew in each epoch."""
    flags = [*quick_flags(name, tmp_path), "--num-workers", "2", "--batch-size", "50", "--log-batches", "1"]
    done = windows_like("--spawn", LESSONS_DIR / f"{name}.py", *flags, cwd=tmp_path)
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr
    assert done.stdout.count(done.stdout.splitlines()[0]) == 1          # the title once: no second run
    assert "num_workers=2" in done.stdout


def test_the_shared_num_workers_flag():
    """For lessons that add --num-workers through flags.lesson_parser(num_workers=True)."""
    from support import flags
    parser = flags.lesson_parser("lessons/p99_x.py", "P99 x\n", num_workers=True)
    assert parser.parse_args([]).num_workers == 0 and parser.parse_args(["--num-workers", "2"]).num_workers == 2
    with pytest.raises(SystemExit):
        parser.parse_args(["--num-workers", "-1"])


def test_tensorboard_of_a_conda_env_on_windows(tmp_path, monkeypatch):
    """A conda env on Windows: python.exe at its root, tensorboard.exe in Scripts\\."""
    from support import board
    env = tmp_path / "envs" / "pytorch"
    (env / "Scripts").mkdir(parents=True)
    (env / "python.exe").write_text("")
    (env / "Scripts" / "tensorboard.exe").write_text("")
    monkeypatch.setattr(board, "on_windows", lambda: True)
    monkeypatch.setattr(board.sys, "executable", str(env / "python.exe"))
    command = board.tensorboard_command(tmp_path / "logs")
    assert command.split()[0].endswith("tensorboard.exe") and "-m tensorboard.main" not in command
