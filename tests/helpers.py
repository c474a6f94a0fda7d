"""Small things several test files need."""
import importlib
import importlib.util
import sys
from pathlib import Path

from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

REPO_ROOT = Path(__file__).resolve().parent.parent
LESSONS_DIR = REPO_ROOT / "lessons"
# The one list of lessons: every lessons/pNN_*.py
LESSONS = sorted(p.stem for p in LESSONS_DIR.glob("p[0-9]*.py"))


def module_at(name, path):
    """The module in the file `path`, imported once under `name` (exercises/ and
    tests/exercise_cases/ are not on the tests' path)."""
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, path)
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


def _title_and_course_file(name):
    """From the lesson's own text, without importing it: the first line of its
    docstring ("P29 利用GPU训练（一）") and the course file its course part
    follows ("train_gpu_1.py", or None where the course shows no file)."""
    import ast
    import re
    source = (LESSONS_DIR / f"{name}.py").read_text(encoding="utf-8")
    title = ast.get_docstring(ast.parse(source)).splitlines()[0].strip()
    marker = re.search(r"课程的代码（([^）：，]+)", source)
    course = marker[1].strip() if marker and re.fullmatch(r"[\w.]+\.py", marker[1].strip()) else None
    return title, course


# `python tests/windows_like.py [options] script args`: a script run with some of Windows' ways (see that file)
WINDOWS_LIKE = REPO_ROOT / "tests" / "windows_like.py"
# lessons whose test runs leave the weights as allocated (windows_like --weights-as-allocated): VGG16's
# 2 x 138 million random numbers take seconds of CPU and nothing P24 prints depends on them;
# tools/envmatrix.py runs P24 with them drawn, as a learner does
WEIGHTS_AS_ALLOCATED = {"p24_model_pretrained"}

# each lesson's title and course file, read from the lessons: the tests and the README are checked against them
TITLES, COURSE_FILES = ({name: _title_and_course_file(name)[k] for name in LESSONS} for k in (0, 1))


def offline_env(**extra):
    """This environment, with downloads sent to a proxy on this machine that refuses
    at once: offline, without a single packet leaving the machine."""
    import os
    env = dict(os.environ, **extra)
    for key in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY"):
        env[key] = "http://127.0.0.1:9"
    env.pop("no_proxy", None)
    env.pop("NO_PROXY", None)
    return env


def lesson(name):
    return importlib.import_module(name)


def run_lesson(name, *argv):
    """Import lessons/<name>.py and run its main() with these flags."""
    return lesson(name).main([str(a) for a in argv])


def read_events(logdir):
    """Everything TensorBoard would show for one run folder."""
    files = list(Path(logdir).glob("events.out.tfevents.*"))
    assert files, f"no TensorBoard event file in {logdir}"
    accumulator = EventAccumulator(str(logdir), size_guidance={"images": 0, "scalars": 0})
    accumulator.Reload()
    return accumulator


def image_steps(accumulator, tag):
    return [event.step for event in accumulator.Images(tag)]


def write_cifar_layout(root, monkeypatch):
    """The tiny set written as torchvision's cifar-10-batches-py folder.

    Its md5 sums are not CIFAR10's, so torchvision's file list is pointed at
    these files' own sums (monkeypatch); the project's integrity checks then
    run for real on them. Returns the folder.
    """
    import hashlib
    import pickle

    import numpy as np

    from support import data

    CIFAR10 = data.REAL_CIFAR10
    folder = Path(root) / data.BATCH_FOLDER
    folder.mkdir(parents=True)
    train_images, train_labels = data.make_tiny_images(train=True)
    test_images, test_labels = data.make_tiny_images(train=False)

    def write(name, payload):
        with open(folder / name, "wb") as out:
            pickle.dump(payload, out)
        return [name, hashlib.md5((folder / name).read_bytes()).hexdigest()]

    def batch(images, labels):
        # CIFAR10 stores each image as 3072 bytes: all red, then green, then blue
        return {"data": np.asarray(images).transpose(0, 3, 1, 2).reshape(len(images), -1), "labels": list(labels)}

    chunks = np.array_split(np.arange(len(train_labels)), 5)
    train_list = [write(f"data_batch_{k + 1}", batch(train_images[idx], [train_labels[i] for i in idx]))
                  for k, idx in enumerate(chunks)]
    test_list = [write("test_batch", batch(test_images, test_labels))]
    meta_name, meta_md5 = write("batches.meta", {"label_names": list(data.CLASSES)})
    monkeypatch.setattr(CIFAR10, "train_list", train_list)
    monkeypatch.setattr(CIFAR10, "test_list", test_list)
    monkeypatch.setattr(CIFAR10, "meta", {"filename": meta_name, "key": "label_names", "md5": meta_md5})
    return folder


def run_in_child(function, *, cwd=None, env=None, file_size_limit=None, timeout=60):
    """function() in a forked copy of this test process, as its own program:
    its own exit status, standard output and error, folder, environment and
    file size limit. Forking skips the seconds a new Python spends importing
    torch, which a real subprocess would pay for every such test.
    Returns an object with returncode, stdout and stderr, like subprocess.run."""
    import io
    import os
    import resource
    import signal
    import sys
    import tempfile
    import time
    import types

    out, err = tempfile.TemporaryFile(), tempfile.TemporaryFile()
    pid = os.fork()
    if pid == 0:                                   # the child: never returns
        code = 1
        try:
            os.dup2(out.fileno(), 1)
            os.dup2(err.fileno(), 2)
            sys.stdout = io.TextIOWrapper(io.FileIO(1, "w", closefd=False), encoding="utf-8", line_buffering=True)
            sys.stderr = io.TextIOWrapper(io.FileIO(2, "w", closefd=False), encoding="utf-8", line_buffering=True)
            if env is not None:
                os.environ.clear()
                os.environ.update(env)
            if cwd is not None:
                os.chdir(cwd)
            if file_size_limit is not None:
                signal.signal(signal.SIGXFSZ, signal.SIG_IGN)    # a write past the limit fails with EFBIG instead
                resource.setrlimit(resource.RLIMIT_FSIZE, (file_size_limit, file_size_limit))
            import torch
            torch.set_num_threads(1)          # the parent's OpenMP threads are not in this copy: never wait for them
            from support import i18n
            i18n._state["language"] = None                      # chosen afresh, from this environment
            function()
            code = 0
        except SystemExit as stop:
            code = stop.code if isinstance(stop.code, int) else (0 if stop.code is None else 1)
        except BaseException:
            import traceback
            traceback.print_exc()
        finally:
            try:
                sys.stdout.flush()
                sys.stderr.flush()
            finally:
                os._exit(code)
    deadline = time.monotonic() + timeout
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            break
        if time.monotonic() > deadline:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            raise TimeoutError(f"the child did not finish within {timeout} s")
        time.sleep(0.02)
    out.seek(0)
    err.seek(0)
    return types.SimpleNamespace(returncode=os.waitstatus_to_exitcode(status),
                                 stdout=out.read().decode("utf-8", "replace"),
                                 stderr=err.read().decode("utf-8", "replace"))


def run_as_script(name, *flags, **kwargs):
    """`python lessons/<name>.py flags...`, as a learner runs it (see run_python)."""
    return run_lesson_script(name, *flags, **kwargs)


class _Zygote:
    """One zygote per test worker (see tests/zygote.py): the one conftest.py forked
    from the worker as it started, else (no xdist, or that one died) `python tests/zygote.py`."""

    def __init__(self):
        import subprocess
        import sys
        import threading
        self.lock = threading.Lock()
        forked = getattr(sys.modules.get("zygote"), "FORKED", None)
        if forked:
            self.process = None
            self.pid, self.stdin, self.stdout = forked.pop()
        else:
            self.process = subprocess.Popen([sys.executable, str(REPO_ROOT / "tests" / "zygote.py")],
                                            cwd=str(REPO_ROOT / "tests"), stdin=subprocess.PIPE,
                                            stdout=subprocess.PIPE, text=True, bufsize=1)
            self.pid, self.stdin, self.stdout = self.process.pid, self.process.stdin, self.process.stdout

    def alive(self):
        import os
        if self.process is not None:
            return self.process.poll() is None
        try:
            return os.waitpid(self.pid, os.WNOHANG)[0] == 0
        except ChildProcessError:
            return False

    def run(self, requests, timeout, during=None):
        """Start every request at once; (exit statuses, timed out?). `during(pids)`
        runs while they do; past `timeout` seconds all of them are killed."""
        import json
        import os
        import signal
        import threading
        with self.lock:
            self.stdin.write(json.dumps({"many": requests}) + "\n")
            self.stdin.flush()
            pids = json.loads(self.stdout.readline())["pids"]
            timed_out = []

            def kill():
                timed_out.append(True)
                for pid in pids:
                    try:
                        os.killpg(pid, signal.SIGKILL)
                    except (ProcessLookupError, PermissionError):
                        pass
            timer = threading.Timer(timeout, kill)
            timer.start()
            failure = None
            try:
                if during is not None:
                    during(pids)
            except BaseException as error:      # the test failed while they run: end them, keep the protocol in step
                failure = error
                kill()
            try:
                answer = self.stdout.readline()
            finally:
                timer.cancel()
            if failure is not None:
                raise failure
            if not answer:
                raise RuntimeError("tests/zygote.py died")
            return json.loads(answer)["statuses"], bool(timed_out)


_zygote = []


def run_python_many(runs, *, timeout=60, during=None):
    """Several `python script args...` side by side (as torchrun starts its
    processes), each forked from tests/zygote.py like run_python. `runs` is a
    list of dicts with script, args, and optionally cwd, env, encoding;
    `during(pids)` is called while they run. Returns one result each, in order
    (returncode, stdout, stderr); past `timeout` every one is killed and
    TimeoutError is raised."""
    import os
    import tempfile
    import types
    if not _zygote or not _zygote[0].alive():
        _zygote[:] = [_Zygote()]
    with tempfile.TemporaryDirectory() as scratch:
        requests, encodings = [], []
        for number, run in enumerate(runs):
            environment = {str(k): str(v) for k, v in dict(os.environ if run.get("env") is None else run["env"]).items()}
            encodings.append(run.get("encoding") or
                             (environment.get("PYTHONIOENCODING") or "utf-8").partition(":")[0] or "utf-8")
            given = None
            if run.get("stdin") is not None:
                given = os.path.join(scratch, f"in{number}")
                with open(given, "w", encoding="utf-8") as f:
                    f.write(run["stdin"])
            requests.append({"argv": [str(run["script"]), *map(str, run.get("args", ()))],
                             "cwd": str(run.get("cwd") or REPO_ROOT), "env": environment,
                             "out": os.path.join(scratch, f"out{number}"), "err": os.path.join(scratch, f"err{number}"),
                             "stdin": given, "fsize": run.get("file_size_limit")})
        statuses, timed_out = _zygote[0].run(requests, timeout, during)
        results = []
        for request, status, encoding in zip(requests, statuses, encodings):
            with open(request["out"], "rb") as f:
                stdout = f.read().decode(encoding, "replace")
            with open(request["err"], "rb") as f:
                stderr = f.read().decode(encoding, "replace")
            results.append(types.SimpleNamespace(returncode=status, stdout=stdout, stderr=stderr, args=request["argv"]))
    if timed_out:
        raise TimeoutError(f"{[r.args for r in results]} did not finish within {timeout} s\n" +
                           "\n".join(r.stdout + r.stderr for r in results))
    return results


def run_python(script, *args, cwd=None, env=None, timeout=60, stdin=None, file_size_limit=None, encoding=None):
    """`python script args...` in a new process, as a learner types it, with its
    own folder (default: the repository root), environment (default: this
    one's) and time limit. The process is forked from tests/zygote.py, a new
    interpreter that has imported only torch, torchvision and TensorBoard (that
    is where the seconds go), so it shares nothing with the test worker.
    Returns subprocess.CompletedProcess-like (returncode, stdout, stderr: text
    decoded with `encoding`, by default the PYTHONIOENCODING the environment
    sets, else UTF-8). A run past `timeout` seconds is killed with its worker
    processes and raises TimeoutError."""
    return run_python_many([dict(script=script, args=args, cwd=cwd, env=env, stdin=stdin,
                                 file_size_limit=file_size_limit, encoding=encoding)], timeout=timeout)[0]


def run_lesson_script(name, *flags, **kwargs):
    """`python lessons/<name>.py flags...` through run_python."""
    return run_python(LESSONS_DIR / f"{name}.py", *flags, **kwargs)


# ---------------------------------------------------------------- did the lesson really train?
def tiny_test_accuracy(model):
    """The share of the tiny stand-in's test pictures this model gets right,
    computed here from the pictures themselves (not with the lessons' code).
    Compare with pytest.approx(abs=ONE_PICTURE): one batch of 100 rounds a little
    differently from the lesson's batches, which may flip a close call."""
    import torch

    from support import data
    images, labels = data.make_tiny_images(train=False)
    x = torch.as_tensor(images).permute(0, 3, 1, 2).float() / 255          # what ToTensor() gives
    normalization = getattr(model, "input_normalization", None)            # P26's models say how they were fed
    if normalization:
        x = (x - torch.tensor(normalization["mean"])[:, None, None]) / torch.tensor(normalization["std"])[:, None, None]
    model = model.cpu().eval()
    with torch.no_grad():
        best = model(x).max(dim=1).indices
    return (best == torch.tensor(labels)).float().mean().item()


ONE_PICTURE = 0.011          # of the tiny test split's 100


def assert_it_learned(losses, accuracies, *, loss_ratio, accuracy_above):
    """Every epoch's test loss below the one before and, at the end, well below
    the first; the last accuracy above `accuracy_above` (ten classes: an untrained
    network gets about 0.1). A missing step(), backward() or zero_grad() fails it."""
    import math
    assert all(map(math.isfinite, losses)), losses
    assert all(a > b for a, b in zip(losses, losses[1:])), losses
    assert losses[-1] < loss_ratio * losses[0], losses
    assert accuracies[-1] > accuracy_above, accuracies


def record_modes(monkeypatch, model_class):
    """Each call of model_class's forward as (training mode, gradients on);
    returns the list it fills."""
    import torch
    calls = []
    forward = model_class.forward

    def recording(self, x):
        calls.append((self.training, torch.is_grad_enabled()))
        return forward(self, x)
    monkeypatch.setattr(model_class, "forward", recording)
    return calls


def assert_train_then_eval(calls):
    """Training steps ran in train() mode with gradients, testing in eval() mode under no_grad()."""
    assert (True, True) in calls and (False, False) in calls, set(calls)
    assert set(calls) <= {(True, True), (False, False)}, set(calls)
