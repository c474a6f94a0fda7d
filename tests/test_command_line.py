"""The lessons as a learner runs them: `python lessons/<file>.py` from another
folder, offline, in either language, with bad flags."""
import re
import sys

import pytest

from helpers import LESSONS, offline_env, run_as_script, run_lesson

CJK = re.compile(r"[\u4e00-\u9fff]")


def test_the_lessons_of_the_course_are_all_there():
    sections = sorted({int(re.match(r"p(\d\d)_", name).group(1)) for name in LESSONS})
    assert sections[:17] == [3, 6, 8, 9, 11, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24]
    assert {25, 26, 29, 30, 31, 32} <= set(sections)


# (every lesson run from another folder with no network: tests/test_smoke.py)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_offline_run_falls_back_to_the_tiny_set(tmp_path, lang):
    """No data, no network: one notice, the tiny set, exit 0, in the chosen language."""
    (tmp_path / "data").mkdir()
    result = run_as_script("p14_dataloader", "--data-root", tmp_path / "data", "--logdir", tmp_path / "logs",
                           cwd=tmp_path, env=offline_env(LANGUAGE=lang))
    assert result.returncode == 0, result.stderr
    notice = [line for line in result.stdout.splitlines() if "cifar-10-python.tar.gz" in line]
    assert len(notice) == 1 and "c58f30108f718f92721af3b95e74349a" in notice[0]
    assert bool(CJK.search(notice[0])) == (lang == "zh")
    assert "torch.Size([3, 32, 32])" in result.stdout
    assert "Traceback" not in result.stderr
    assert not [p for p in (tmp_path / "data").rglob("*") if p.is_file()]   # nothing half-downloaded


# The one test of refused flags (it was kept in three files): exit 2, one line naming the flag and the value given.
@pytest.mark.parametrize("lesson, flags, words", [
    ("p14_dataloader", ["--batch-size", "0"], ["--batch-size", "0"]),
    ("p14_dataloader", ["--batch-size", "-8"], ["--batch-size", "-8"]),
    ("p14_dataloader", ["--log-batches", "0"], ["--log-batches", "0"]),
    ("p14_dataloader", ["--log-batches", "some"], ["--log-batches", "some"]),
    ("p14_dataloader", ["--seed", "-3"], ["--seed", "-3"]),
    ("p14_dataloader", ["--seed", str(2 ** 70)], ["--seed", str(2 ** 70)]),
    ("p14_dataloader", ["--lang", "fr"], ["--lang", "fr"]),
    ("p15_nn_module", ["--seed", "-3"], ["--seed", "-3"]),
    ("p16_nn_conv", ["--device", "cuda"], ["--device"]),             # these sections run on the CPU, as the video's
    ("p17_nn_conv2d", ["--tiny", "--log-batches", "0"], ["--log-batches", "0"]),
    ("p20_nn_linear", ["--tiny", "--batches", "0"], ["--batches", "0"]),
    ("p21_nn_seq", ["--tiny"], ["--tiny"]),                            # P21 reads no data
    ("p23_nn_optim", ["--device", "gpu"], ["--device", "gpu"]),
    ("p23_nn_optim", ["--epochs", "0"], ["--epochs", "0"]),
    ("p23_nn_optim", ["--epochs", "two"], ["--epochs", "two"]),
    ("p23_nn_optim", ["--optimizer", "adamax"], ["--optimizer", "adamax"]),
    ("p23_nn_optim", ["--lr", "-0.1"], ["--lr", "-0.1"]),
    ("p23_nn_optim", ["--lr", "nan"], ["--lr", "nan"]),
    ("p23_nn_optim", ["--optimizer", "adam", "--momentum", "0.9"], ["adam", "--momentum"]),
    ("p23_nn_optim", ["--optimizer", "sgd", "--nesterov"], ["sgd", "Nesterov"]),   # torch names the setting
    ("p23_nn_optim", ["--momentum", "-1", "--optimizer", "sgd"], ["--momentum", "-1"]),
    ("p23_nn_optim", ["--compare", "sgd", "newton"], ["--compare", "newton"]),
    ("p23_nn_optim", ["--amp", "fp32"], ["--amp", "fp32"]),
    ("p25_model_save", ["--model", "resnet"], ["--model", "resnet"]),
])
def test_nonsense_flags_are_refused_in_one_line(lesson, flags, words, capsys):
    with pytest.raises(SystemExit) as exit_info:
        run_lesson(lesson, *flags)
    assert exit_info.value.code == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and all(word in err for word in words) and CJK.search(err), err


def test_cuda_without_a_gpu_is_a_clear_error(capsys, monkeypatch):
    import torch

    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    with pytest.raises(SystemExit) as exit_info:
        run_lesson("p23_nn_optim", "--tiny", "--device", "cuda", "--lang", "en")
    assert exit_info.value.code == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "--device cuda" in err and "--device cpu" in err


def test_flags_still_come_from_the_command_line_when_run_as_a_script(monkeypatch, capsys):
    import p15_nn_module
    monkeypatch.setattr(sys, "argv", ["lessons/p15_nn_module.py", "--seed", "-1", "--lang", "en"])
    with pytest.raises(SystemExit) as exit_info:
        p15_nn_module.main()
    assert exit_info.value.code == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "p15_nn_module.py" in err and "--seed" in err and "-1" in err
    assert not CJK.search(err)                                           # --lang en from sys.argv was read too


FACTS = r"""
import gc, json, os, signal, sys, warnings
print(json.dumps({
    "name": __name__, "argv": sys.argv, "path0": sys.path[0], "cwd": os.getcwd(),
    "gc": [gc.isenabled(), gc.get_threshold()],
    "stdout": [sys.stdout.encoding, sys.stdout.errors], "stderr": [sys.stderr.encoding, sys.stderr.errors],
    "bytecode": sys.dont_write_bytecode,
    "signals": [str(signal.getsignal(n)) for n in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)],
    "harness": sorted(m for m in ("conftest", "helpers", "zygote", "pytest", "_pytest", "xdist") if m in sys.modules),
    "warnings": [(f[0], getattr(f[2], "__name__", "")) for f in warnings.filters
                 if f[2] in (DeprecationWarning, PendingDeprecationWarning) and f[0] == "always"],
    "env": os.environ.get("SOME_SETTING"),
}))
"""


@pytest.mark.parametrize("encoding", ["gbk", "cp1252"])
def test_a_run_of_the_tests_sees_what_a_new_python_sees(tmp_path, encoding):
    """What tests/zygote.py's children (every `python lessons/x.py` of the tests) see, beside a real new
    Python running the same script: name, argv, path, folder, garbage collector, streams, signals, no
    trace of pytest. Only the imports differ (torch and the rest are already there)."""
    import json
    import os
    import subprocess

    from helpers import run_python
    script = tmp_path / "facts.py"
    script.write_text(FACTS, encoding="utf-8")
    env = dict(os.environ, PYTHONIOENCODING=encoding, SOME_SETTING="x")
    forked = run_python(script, "a b", "--flag", cwd=tmp_path, env=env)

    def as_from_a_terminal():         # the signals a terminal leaves as they are (nohup or `&` would ignore some)
        import signal
        for number in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(number, signal.SIG_DFL)
    new = subprocess.run([sys.executable, str(script), "a b", "--flag"], cwd=tmp_path, env=env,
                         capture_output=True, timeout=60, preexec_fn=as_from_a_terminal)
    assert forked.returncode == new.returncode == 0, forked.stderr + new.stderr.decode(encoding, "replace")
    assert json.loads(forked.stdout) == json.loads(new.stdout.decode(encoding))
