"""Every lesson as a learner on Chinese Windows runs it: `python lessons/<file>.py`,
from an empty folder, no language chosen, output encoded in GBK, no network,
the tiny data set and the fewest steps. Each must exit 0, print no traceback,
and show one fact of its lesson in its output or its files.
A new lessons/pNN_*.py fails test_every_lesson_has_a_smoke_run until it is added here.

P24's two VGG16s keep their weights as allocated (tests/windows_like.py
--weights-as-allocated): drawing their 2 x 138 million random numbers is 4 s of
CPU, and nothing P24 prints depends on them. tools/envmatrix.py runs P24 as a
learner does, weights drawn, in every environment of the version matrix."""
import pytest

from helpers import (LESSONS, LESSONS_DIR, TITLES, WEIGHTS_AS_ALLOCATED, WINDOWS_LIKE, offline_env,
                     run_lesson_script, run_python)

TINY = ["--tiny", "--data-root", "{tmp}/data"]
LOGS = ["--logdir", "{tmp}/logs"]
CPU = ["--device", "cpu"]


def events(tmp):
    return list((tmp / "logs").rglob("events.out.tfevents.*"))


# lesson: (flags, fact(tmp, stdout) -> bool). Lessons that use another lesson's files run in order in one test.
SMOKE = {
    "p03_dir_help": ([], lambda tmp, out: "is_available" in out),
    "p06_dataset": (LOGS + ["--data-root", "{tmp}/data"], lambda tmp, out: events(tmp)),
    "p08_tensorboard": (LOGS + ["--data-root", "{tmp}/data"], lambda tmp, out: events(tmp)),
    "p09_transforms": (LOGS + ["--data-root", "{tmp}/data"], lambda tmp, out: events(tmp)),
    "p11_useful_transforms": (LOGS + ["--data-root", "{tmp}/data"], lambda tmp, out: events(tmp)),
    "p13_dataset_transform": (TINY + LOGS, lambda tmp, out: "'truck'" in out and events(tmp)),
    "p14_dataloader": (TINY + LOGS + ["--log-batches", "1"], lambda tmp, out: "torch.Size([3, 32, 32])" in out),
    "p15_nn_module": ([], lambda tmp, out: "tensor(2.)" in out),                   # 1 + 1
    "p16_nn_conv": ([], lambda tmp, out: "[10, 12, 12]" in out.replace(" ", "").replace(",", ", ")),
    "p17_nn_conv2d": (TINY + LOGS + ["--log-batches", "1"], lambda tmp, out: "torch.Size([64, 6, 30, 30])" in out),
    "p18_nn_maxpool": (TINY + LOGS + ["--log-batches", "1"], lambda tmp, out: events(tmp)),
    "p19_nn_relu": (TINY + LOGS + ["--log-batches", "1"], lambda tmp, out: events(tmp)),
    "p20_nn_linear": (TINY + ["--batches", "1"], lambda tmp, out: "196608" in out),  # 64 x 3 x 32 x 32
    "p21_nn_seq": (LOGS, lambda tmp, out: "torch.Size([64, 10])" in out and "145,578" in out and events(tmp)),
    "p22_nn_loss": ([], lambda tmp, out: "tensor(1.1019)" in out),
    "p22_nn_loss_network": (TINY + ["--batches", "1"], lambda tmp, out: "tensor(" in out),
    "p23_nn_optim": (TINY + LOGS + CPU + ["--epochs", "1"], lambda tmp, out: events(tmp)),
    "p24_model_pretrained": (TINY, lambda tmp, out: "out_features=10" in out),
    "p25_model_save": (CPU + ["--out-dir", "{tmp}/p25"], lambda tmp, out: (tmp / "p25" / "p21_tudui_method2.pth").exists()),
    "p25_model_load": (CPU + ["--out-dir", "{tmp}/p25"], lambda tmp, out: "model.0.weight" in out),
    "p26_train": (TINY + LOGS + CPU + ["--epochs", "1", "--out-dir", "{tmp}/p26"],
                  lambda tmp, out: (tmp / "p26" / "tudui_0.pth").exists()),
    "p29_train_gpu_1": (TINY + LOGS + CPU + ["--epochs", "1", "--out-dir", "{tmp}/p29"],
                        lambda tmp, out: (tmp / "p29" / "tudui_0.pth").exists()),
    "p30_train_gpu_2": (TINY + LOGS + CPU + ["--epochs", "1", "--out-dir", "{tmp}/p30"],
                        lambda tmp, out: (tmp / "p30" / "tudui_0.pth").exists()),
    "p31_predict": (TINY + LOGS + CPU + ["--checkpoint", "{tmp}/p26/tudui_0.pth", "--samples", "1",
                                         "--out-dir", "{tmp}/p31"], lambda tmp, out: (tmp / "p31").is_dir()),
    "p32_open_source": ([], lambda tmp, out: "experiment_name" in out),
    "p33_ddp_torchrun": (TINY + LOGS + CPU + ["--epochs", "1", "--out-dir", "{tmp}/p33"],
                         lambda tmp, out: "torchrun" in out),
}
AFTER = {"p25_model_load": "p25_model_save", "p31_predict": "p26_train"}   # needs the files that one writes
RUNS = [[name] for name in SMOKE if name not in AFTER.values() and name not in AFTER] + \
       [[first, then] for then, first in AFTER.items()]


def test_every_lesson_has_a_smoke_run():
    assert sorted(SMOKE) == LESSONS


@pytest.mark.parametrize("names", RUNS, ids=["+".join(names) for names in RUNS])
def test_lesson_runs_as_a_learner_runs_it(names, tmp_path):
    env = offline_env(PYTHONIOENCODING="gbk")
    for key in ("LANG", "LANGUAGE", "LC_ALL", "LC_MESSAGES"):
        env.pop(key, None)
    for name in names:
        flags, fact = SMOKE[name]
        flags = [f.format(tmp=tmp_path) for f in flags]
        if name in WEIGHTS_AS_ALLOCATED:
            done = run_python(WINDOWS_LIKE, "--weights-as-allocated",
                              LESSONS_DIR / f"{name}.py", *flags, cwd=tmp_path, env=env, timeout=90)
        else:
            done = run_lesson_script(name, *flags, cwd=tmp_path, env=env, timeout=90)
        assert done.returncode == 0, (name, done.stdout[-2000:], done.stderr[-2000:])
        assert "Traceback" not in done.stderr and "Warning" not in done.stderr, (name, done.stderr)
        assert done.stdout.splitlines()[0] == TITLES[name]            # its title first, readable in GBK
        assert fact(tmp_path, done.stdout), (name, done.stdout[-3000:])


def test_check_env_runs_as_a_learner_runs_it(tmp_path):
    """check_env.py as typed: a report, one line per check, and an exit status that says whether all passed."""
    env = offline_env(PYTHONIOENCODING="gbk")
    done = run_lesson_script("check_env", cwd=tmp_path, env=env, timeout=90)
    assert done.returncode in (0, 1) and "Traceback" not in done.stderr, done.stderr
    assert "torch" in done.stdout and "2.14.1" in done.stdout             # the version it checks against
