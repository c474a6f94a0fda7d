"""pytest setup: every test runs offline, in Chinese unless it asks for English,
with torchvision's own CIFAR10 class back in place afterwards."""
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent

# The test processes keep the bytecode of what they import (lessons/, support/, the tests as pytest
# rewrites them) in __pycache__ as Python does by default, even where PYTHONDONTWRITEBYTECODE is set:
# otherwise each of the hundred-odd lesson runs compiles the support code again. (A lesson's run follows
# its own environment: with PYTHONDONTWRITEBYTECODE it writes nothing, and reads what is there.)
sys.dont_write_bytecode = False

# Under pytest-xdist every core runs a worker: one torch thread each, and the
# same for the lessons they start as subprocesses, so they do not fight.
# (torch is imported by the workers only: the process that hands out the tests never needs it.)
if os.environ.get("PYTEST_XDIST_WORKER"):
    os.environ["OMP_NUM_THREADS"] = "1"


def _leave_at_once():
    """A worker's last act, once pytest and xdist are done with it (registered first, so the last
    exit handler to run): leave without taking apart what it imported. Python's own teardown of
    torch, torchvision and the rest costs over a second of CPU and checks nothing."""
    for stream in (sys.stdout, sys.stderr, sys.__stdout__, sys.__stderr__):
        try:
            stream.flush()
        except BaseException:
            pass
    os._exit(0)


if os.environ.get("PYTEST_XDIST_WORKER"):
    import atexit
    atexit.register(_leave_at_once)


def pytest_configure(config):
    if os.environ.get("PYTEST_XDIST_WORKER"):
        import gc
        gc.disable()            # importing torch makes millions of objects: collecting while it does costs ~10%
        try:
            import torch
            torch.set_num_threads(1)
            # tests/zygote.py, forked from this worker now: it has imported torch, torchvision and
            # TensorBoard (which the tests import anyway) and nothing of the lessons or the tests,
            # so the lessons' runs start from it without a second Python paying seconds for those imports
            import importlib.util
            spec = importlib.util.spec_from_file_location("zygote", REPO_ROOT / "tests" / "zygote.py")
            zygote = sys.modules["zygote"] = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(zygote)
        finally:
            gc.enable()         # before the fork: the lessons run with the garbage collector on, as in a new Python
        zygote.FORKED = [zygote.fork_from_here([REPO_ROOT, REPO_ROOT / "lessons", REPO_ROOT / "tests", os.getcwd()])]
        # what is imported by now stays out of the worker's garbage collections (each full one walked all of
        # torch's objects, a quarter of a second, and pytest makes several)
        gc.freeze()


DEVICES = ["cpu", pytest.param("cuda", marks=pytest.mark.skipif(
    "not __import__('torch').cuda.is_available()", reason="no CUDA GPU on this machine"))]


@pytest.fixture(params=DEVICES)
def device(request):
    """Each test that takes it runs on the CPU, and on CUDA where present."""
    return request.param


@pytest.fixture(scope="session")
def p26_trained(tmp_path_factory):
    """P26 on the tiny set, once per run: small batches, so three epochs are enough steps
    to learn it. Returns its folder, main()'s result, and each forward call's
    (train mode, gradients on) as the training ran (seed 0: accuracy 0.70, 0.87, 0.90).
    Under pytest-xdist the first worker that needs it trains it, in this run's own temporary
    folder; another worker waits for it (a file lock) and reads what it kept."""
    import fcntl
    import pickle

    from helpers import record_modes, run_lesson
    import models

    base = tmp_path_factory.getbasetemp()
    shared = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base   # this run's folder, every worker's
    folder, kept = shared / "p26_trained", shared / "p26_trained.pickle"
    with open(shared / "p26_trained.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not kept.exists():
            with pytest.MonkeyPatch.context() as patch:
                calls = record_modes(patch, models.Tudui)
                result = run_lesson("p26_train", "--tiny", "--device", "cpu", "--seed", "0", "--epochs", "3",
                                    "--batch-size", "16", "--print-every", "5", "--out-dir", folder / "checkpoints",
                                    "--logdir", folder / "logs")
            kept.write_bytes(pickle.dumps((result, calls)))
        result, calls = pickle.loads(kept.read_bytes())
    return folder, result, calls


@pytest.fixture(autouse=True)
def no_network(monkeypatch):
    """Tests never touch the network: every name lookup and every download
    fails at once, as on a machine that is offline. (Subprocess tests get
    the same from a refusing proxy on 127.0.0.1.)"""
    import socket
    import urllib.error
    import urllib.request

    real_getaddrinfo = socket.getaddrinfo

    def local_only(host, *args, **kwargs):
        if host in ("localhost", "127.0.0.1", "::1", None):
            return real_getaddrinfo(host, *args, **kwargs)
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    def refuse(*args, **kwargs):
        raise urllib.error.URLError(socket.gaierror(socket.EAI_NONAME, "Name or service not known"))

    monkeypatch.setattr(socket, "getaddrinfo", local_only)
    monkeypatch.setattr(urllib.request, "urlopen", refuse)
    return refuse


@pytest.fixture
def small_disk(tmp_path):
    """A 300 KB file system, where this machine lets the tests mount one."""
    folder = tmp_path / "small"
    folder.mkdir()
    if os.geteuid() != 0 or subprocess.run(["mount", "-t", "tmpfs", "-o", "size=300k", "tmpfs", str(folder)],
                                           capture_output=True, timeout=30).returncode != 0:
        pytest.skip("cannot mount a small file system here (needs root)")
    yield folder
    subprocess.run(["umount", str(folder)], capture_output=True, timeout=30)


@pytest.fixture(autouse=True)
def chinese_and_real_cifar10(monkeypatch):
    """No language chosen (as on a learner's machine with no LANG set): Chinese.
    A test that stood in for CIFAR10 leaves torchvision's own class behind."""
    import torchvision

    from support import data, i18n

    for name in i18n.ENV_ORDER:
        monkeypatch.delenv(name, raising=False)
    i18n.set_language("zh")
    yield
    torchvision.datasets.CIFAR10 = data.REAL_CIFAR10
    i18n.set_language("zh")


# The tests that take a second or more run first, longest first (measured: the wall time of each test,
# its worker's and its zygote's CPU): the workers deal them out one by one, and neither is left with a
# long one at the end while the other waits.
LONGEST_FIRST = ("test_untouched_fail_solutions", "broken_and_endless", "test_every_part_measures_something",
                 "two_simulated_machines", "learns_on_a_cpu_only_machine", "watch_checks_the_file_again",
                 "learns_with_to_device", "compare_starts_every_optimizer", "the_same_numbers_in_both_languages",
                 "killed_process", "p30_amp_side_by_side", "p26_keep_and_video_preset", "p26_loss_falls",
                 "three_processes", "p23_training_lowers", "plain_python_runs_as_one_process")


def pytest_collection_modifyitems(config, items):
    def rank(item):
        found = [i for i, name in enumerate(LONGEST_FIRST) if name in item.nodeid]
        return found[0] if found else len(LONGEST_FIRST)
    items.sort(key=rank)
