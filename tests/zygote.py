"""`python path/to/script.py args...` for the tests, at a fraction of the cost.

A new Python spends about 3 s of CPU importing torch and torchvision before a
lesson does anything (torchvision pulls in torch._dynamo); run every lesson,
in every console encoding, that way and the suite is over its time budget.
So each test worker has one zygote: under pytest-xdist, a fork of the worker
made as it starts (conftest.py, fork_from_here below), once it has imported
this file (torch, torchvision and TensorBoard's writer) and before it imports
anything of the lessons or the tests, with what pytest set up undone; without
xdist, this file started as a new interpreter (`python tests/zygote.py`).
It waits; for each run it forks a child and the child does what
`python script.py args` does from there:

- sys.argv, sys.path[0] (the script's folder), the working folder and the
  whole environment are the run's own; the child is a fresh copy of a process
  that never imported the lessons, their support code or the tests;
- the script runs as __main__ (runpy), so `if __name__ == '__main__':` holds,
  classes pickle as `__main__.X`, and DataLoader workers started with `spawn`
  re-import the script as a new Python would;
- its standard output and error are text streams over the run's own files,
  encoded as a new Python would encode them: PYTHONIOENCODING when the
  environment sets it ("gbk", "cp1252:replace", ...), else UTF-8 (and
  `backslashreplace` on stderr, as Python does);
- it ends with the script's exit status (SystemExit's code, 1 after an
  uncaught exception with its traceback on stderr, -N when killed by signal N).

What is not a new interpreter: torch, torchvision and tensorboard are already
imported (so their import-time reading of the environment happened in the
zygote; OMP_NUM_THREADS and PYTHONDONTWRITEBYTECODE are applied again in the
child), and a forked zygote also holds the modules pytest's own imports brought
in from the standard library. Torchrun's processes are forked the same way
(tests/torchrun_forking.py); DataLoader workers started with `spawn` are new
Pythons.

Protocol (stdin/stdout of the zygote, one JSON object a line): the request
{"argv": [...], "cwd": ..., "env": {...}, "out": path, "err": path,
"stdin": path or null, "fsize": bytes or null}, or {"many": [request, ...]}
for processes that run side by side, is answered by {"pids": [...]} at once
and {"statuses": [...]} when every child has ended. The caller enforces the
time limit by killing the children's process groups.
"""
import io
import json
import os
import signal
import sys

import torch  # noqa: F401  (the point of this process: imported once)
import torchvision  # noqa: F401
from torch.utils import tensorboard  # noqa: F401

torch.set_num_threads(1)   # no OpenMP pool is ever started here, so forks are safe


def _stream(fd, encoding_setting, stderr, unbuffered=False):
    encoding, _, errors = (encoding_setting or "utf-8").partition(":")
    errors = errors or ("backslashreplace" if stderr else "strict")
    return io.TextIOWrapper(io.FileIO(fd, "w", closefd=False), encoding=encoding or "utf-8",
                            errors=errors, line_buffering=stderr, write_through=stderr or unbuffered)


_PROTOCOL_FDS = []          # the zygote's own pipe ends (when forked from a test worker): never a child's


def _child(request):
    """Runs in the forked child; never returns. `out` or `err` None: that stream
    stays where it is (a process torchrun starts writes where torchrun does)."""
    code = 1
    try:
        for fd in _PROTOCOL_FDS:
            os.close(fd)
        _PROTOCOL_FDS.clear()
        os.setsid()                         # its own process group: a time-out kills its workers too
        for number in (signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT):   # a new Python's signal handling
            signal.signal(number, signal.SIG_DFL)                        # (a launcher forking it had its own)
        signal.signal(signal.SIGINT, signal.default_int_handler)
        stdin = os.open(request.get("stdin") or os.devnull, os.O_RDONLY)
        os.dup2(stdin, 0)
        os.close(stdin)
        for fd, name in ((1, "out"), (2, "err")):
            if request.get(name) is not None:
                opened = os.open(request[name], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
                os.dup2(opened, fd)
                os.close(opened)
        os.environ.clear()
        os.environ.update(request["env"])
        sys.modules.pop("zygote", None)     # this file, as a worker registered it: nothing of the tests is left
        sys.dont_write_bytecode = bool(os.environ.get("PYTHONDONTWRITEBYTECODE"))    # as a new Python reads it
        setting = os.environ.get("PYTHONIOENCODING")
        unbuffered = request.get("unbuffered") or bool(os.environ.get("PYTHONUNBUFFERED"))     # python -u
        sys.stdin = io.TextIOWrapper(io.FileIO(0, "r", closefd=False), encoding="utf-8")
        sys.stdout = sys.__stdout__ = _stream(1, setting, stderr=False, unbuffered=unbuffered)
        sys.stderr = sys.__stderr__ = _stream(2, setting, stderr=True)
        os.chdir(request["cwd"])
        if request.get("fsize") is not None:
            import resource
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)     # a write past the limit fails with EFBIG
            resource.setrlimit(resource.RLIMIT_FSIZE, (request["fsize"], request["fsize"]))
        if os.environ.get("OMP_NUM_THREADS", "").isdigit():
            torch.set_num_threads(int(os.environ["OMP_NUM_THREADS"]))
        else:
            torch.set_num_threads(os.cpu_count() or 1)
        argv = request["argv"]
        script = os.path.abspath(argv[0])
        sys.argv = [argv[0], *argv[1:]]
        sys.path[0] = os.path.dirname(script)
        import runpy
        runpy.run_path(script, run_name="__main__")
        code = 0
    except SystemExit as stop:
        if stop.code is None:
            code = 0
        elif isinstance(stop.code, int):
            code = stop.code
        else:
            print(stop.code, file=sys.stderr)
            code = 1
    except BaseException:
        import traceback
        traceback.print_exc()
        code = 1
    finally:
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except BaseException:
                pass
        os._exit(code & 0xFF)


def _in_huge_pages():
    """Gather this process's writable anonymous memory (torch's and Python's, ~300 MB) into 2 MB pages
    (Linux 6.1+, madvise MADV_COLLAPSE): a fork then copies a few hundred page-table entries instead of
    ~90,000, and a child's exit frees as few, which takes each run from about 45 to about 10 ms. A child
    that writes to such a page gets its own copy of the 4 KB it wrote to, as before. Elsewhere, nothing."""
    try:
        import ctypes
        libc = ctypes.CDLL(None, use_errno=True)
        libc.madvise.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int]
        huge, madv_hugepage, madv_collapse = 2 << 20, 14, 25
        with open("/proc/self/maps", encoding="ascii") as maps:
            regions = [line.split() for line in maps]
        for parts in regions:
            low, high = (int(x, 16) for x in parts[0].split("-"))
            if parts[1] != "rw-p" or (len(parts) > 5 and parts[5] != "[heap]"):
                continue
            start, end = -(-low // huge) * huge, high // huge * huge
            if end - start >= huge:
                libc.madvise(start, end - start, madv_hugepage)
                libc.madvise(start, end - start, madv_collapse)
    except (OSError, AttributeError, ValueError):
        pass


def serve(requests=None, answers=None):
    sys.path[0] = os.getcwd()              # nothing of tests/ is importable from the children
    import gc
    gc.freeze()        # what is imported stays out of the children's garbage collections (no copied pages)
    _in_huge_pages()
    requests = requests or sys.stdin
    answers = answers or sys.stdout
    for line in requests:
        # {"many": [request, ...]} starts them all at once (the processes of one
        # torchrun-like run); a single request is a list of one
        message = json.loads(line)
        pids = []
        for request in message.get("many", [message]):
            pid = os.fork()
            if pid == 0:
                _child(request)
            pids.append(pid)
        answers.write(json.dumps({"pids": pids}) + "\n")
        answers.flush()
        statuses = [os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]) for pid in pids]
        answers.write(json.dumps({"statuses": statuses}) + "\n")
        answers.flush()



_TEST_MODULES = {"conftest", "pytest", "_pytest", "xdist", "execnet", "pluggy", "iniconfig", "py", "pytest_timeout"}


def fork_from_here(added_paths):
    """The zygote as a fork of this process, a pytest-xdist worker that has just
    imported this file (so torch, torchvision and TensorBoard) and nothing of the
    lessons or the tests: the copy is what `python tests/zygote.py` would be
    after its imports, without paying for them a second time. In the copy,
    what pytest set up goes (its import hook and modules, the paths in
    `added_paths`, its signal handlers, faulthandler, every open file but the
    two pipes), then it serves requests as above. Returns (pid, requests file,
    answers file) for the worker."""
    to_zygote = os.pipe()
    from_zygote = os.pipe()
    pid = os.fork()
    if pid == 0:
        try:
            os.close(to_zygote[1])
            os.close(from_zygote[0])
            keep = {0, 1, 2, to_zygote[0], from_zygote[1]}
            for name in os.listdir("/proc/self/fd"):
                if int(name) not in keep:
                    try:
                        os.close(int(name))
                    except OSError:
                        pass
            null = os.open(os.devnull, os.O_RDONLY)
            os.dup2(null, 0)
            os.close(null)
            import faulthandler
            import warnings
            # pytest shows every DeprecationWarning while it runs (its "always" filters); a new Python does not
            warnings.filters[:] = [entry for entry in warnings.filters if not (
                entry[0] == "always" and entry[1] is None and entry[3] is None and entry[4] == 0
                and entry[2] in (DeprecationWarning, PendingDeprecationWarning))]
            faulthandler.disable()
            for number in (signal.SIGALRM, signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT, signal.SIGUSR1):
                signal.signal(number, signal.SIG_DFL)
            signal.signal(signal.SIGINT, signal.default_int_handler)
            sys.meta_path[:] = [finder for finder in sys.meta_path
                                if type(finder).__module__.split(".")[0] not in _TEST_MODULES]
            for name in [name for name in sys.modules if name.split(".")[0] in _TEST_MODULES]:
                del sys.modules[name]
            added = {os.path.abspath(path) for path in added_paths}
            sys.path[:] = [os.path.dirname(os.path.abspath(__file__))] + \
                [path for path in sys.path if path and os.path.abspath(path) not in added]
            _PROTOCOL_FDS[:] = [to_zygote[0], from_zygote[1]]
            serve(open(to_zygote[0], encoding="utf-8"), open(from_zygote[1], "w", encoding="utf-8"))
        finally:
            os._exit(0)
    os.close(to_zygote[0])
    os.close(from_zygote[1])
    return pid, open(to_zygote[1], "w", encoding="utf-8"), open(from_zygote[0], encoding="utf-8")


if __name__ == "__main__":
    serve()
