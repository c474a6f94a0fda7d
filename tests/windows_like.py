"""`python tests/windows_like.py [options] script.py args...`: run a script as
`python script.py args...` would, with some of Windows' ways (nothing in the
lessons knows about this file):

  --spawn        DataLoader workers (every multiprocessing process) start with
                 `spawn`, as on Windows and macOS: a new Python that imports
                 the script again as __mp_main__
  --no-unix      no `resource` module, no os.fork, no fork start method and
                 nothing under /proc, as on Windows (implies --spawn)
  --kill-worker  a DataLoader worker is killed (SIGKILL) shortly after it
                 started, as a worker that dies mid-epoch
  --workers N    every DataLoader the script makes with num_workers=0 gets N
                 workers instead (for lessons that have no --num-workers)
  --weights-as-allocated
                 torch.nn.init leaves weights as allocated instead of drawing
                 random numbers (VGG16's 138 million take seconds of CPU): for
                 tests that check the console and the exit, not the values
  --persistent-workers
                 DataLoaders with workers keep them from one epoch to the next
                 (persistent_workers=True): each spawned worker imports torch
                 anew, about 3 s of CPU, and the tests' time budget pays for
                 one start of each worker, not one per epoch

Tests start it through helpers.run_python.
"""
import builtins
import io
import multiprocessing
import os
import runpy
import signal
import sys
import threading
import time


def no_unix():
    sys.modules["resource"] = None                 # `import resource` raises ImportError, as on Windows
    for name in ("fork", "forkpty", "register_at_fork"):
        if hasattr(os, name):
            delattr(os, name)
    multiprocessing.get_all_start_methods = lambda: ["spawn"]

    def no_proc(function):
        def without_proc(path, *args, **kwargs):
            if isinstance(path, (str, os.PathLike)) and os.fspath(path).startswith("/proc"):
                raise FileNotFoundError(2, "No such file or directory", os.fspath(path))
            return function(path, *args, **kwargs)
        return without_proc

    builtins.open = io.open = no_proc(io.open)
    os.stat = no_proc(os.stat)
    os.listdir = no_proc(os.listdir)
    os.scandir = no_proc(os.scandir)


def kill_a_worker(after=0.05):
    """SIGKILL the first worker process of this one, `after` seconds after it started
    (by then the DataLoader watches its workers)."""
    def killer():
        while True:
            children = multiprocessing.active_children()
            if children:
                time.sleep(after)
                os.kill(children[0].pid, signal.SIGKILL)
                return
            time.sleep(0.01)
    threading.Thread(target=killer, daemon=True).start()


def with_workers(count):
    from torch.utils.data import DataLoader
    made = DataLoader.__init__

    def init(self, *args, **kwargs):
        if len(args) < 5 and not kwargs.get("num_workers"):          # num_workers is the 6th parameter
            kwargs["num_workers"] = count
        made(self, *args, **kwargs)
    DataLoader.__init__ = init


def persistent_workers():
    from torch.utils.data import DataLoader
    made = DataLoader.__init__

    def init(self, *args, **kwargs):
        import inspect
        given = inspect.signature(made).bind(self, *args, **kwargs).arguments
        if given.get("num_workers", 0) > 0:
            kwargs["persistent_workers"] = True
        made(self, *args, **kwargs)
    DataLoader.__init__ = init


def weights_as_allocated():
    import torch
    for name in ("kaiming_normal_", "kaiming_uniform_", "normal_", "uniform_", "constant_", "zeros_", "ones_"):
        setattr(torch.nn.init, name, lambda tensor, *args, **kwargs: tensor)


def main():
    args = sys.argv[1:]
    options = set()
    while args and args[0].startswith("--"):
        option = args.pop(0)
        if option == "--workers":
            with_workers(int(args.pop(0)))
        options.add(option)
    if "--no-unix" in options:
        no_unix()
    if options & {"--spawn", "--no-unix"}:
        multiprocessing.set_start_method("spawn", force=True)
    if "--weights-as-allocated" in options:
        weights_as_allocated()
    if "--persistent-workers" in options:
        persistent_workers()
    if "--kill-worker" in options:
        kill_a_worker()
    script = os.path.abspath(args[0])
    sys.argv = [args[0], *args[1:]]
    sys.path[0] = os.path.dirname(script)
    runpy.run_path(script, run_name="__main__")


if __name__ == "__main__":
    main()
